//! The drawings API (clauses P4, P7–P10): anonymous drawings saved from
//! GeoJSON, KML, KMZ or GPX, viewed by anyone with the link, changed and
//! deleted only with the secret edit key, copied by anyone, expiring a
//! configurable time after their last change, and reported for abuse.
//!
//! The edit key is 256 random bits, shown once in the create answer and
//! stored only as its SHA-256; requests present it as
//! `Authorization: Bearer <key>` and it is compared in constant time. The
//! edit URL carries it in the fragment (`#edit=…`), which browsers never
//! send, so it reaches no access record, log or referrer.

use axum::Router;
use axum::body::{Body, Bytes};
use std::net::SocketAddr;

use axum::Extension;
use axum::extract::{ConnectInfo, DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use numis_formats::{Format, Limits};
use numis_store::StoredDrawing;
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::json::{self, Caching, problem};
use crate::origin::public_base;
use crate::state::AppState;

/// Random bytes of a public id (128 bits: not guessable, short in links).
const ID_BYTES: usize = 16;
/// Random bytes of an edit key (256 bits).
const KEY_BYTES: usize = 32;
/// Longest title, in characters.
const MAX_TITLE_CHARS: usize = 200;
/// Longest abuse report reason, in characters.
const MAX_REASON_CHARS: usize = 1_000;
const SECONDS_PER_DAY: i64 = 86_400;

/// `/api/drawings` and its members.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/drawings", post(create))
        .route("/api/drawings/{file}", get(read).put(update).delete(remove))
        .route("/api/drawings/{id}/copy", post(copy))
        .route("/api/drawings/{id}/report", post(report))
        .route("/api/convert", post(convert))
        .route("/api/openapi.json", get(openapi))
        // Uploads are bounded by `[drawings] max_upload_bytes` while they
        // are read (see `upload`), not by axum's fixed default.
        .layer(DefaultBodyLimit::disable())
}

/// The API described for client authors (OpenAPI 3.1).
const OPENAPI: &str = include_str!("../openapi.json");

async fn openapi() -> Response<Body> {
    let mut response = OPENAPI.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// Reads an upload, refusing it with 413 as soon as it passes the limit.
async fn upload(state: &AppState, body: Body) -> Result<Bytes, Refusal> {
    let max = state.config.drawings.max_upload_bytes;
    let limit = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
    match axum::body::to_bytes(body, limit).await {
        Ok(bytes) if bytes.len() as u64 <= max => Ok(bytes),
        _ => Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the upload is larger than {max} bytes or was cut off"),
        )),
    }
}

fn answer<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response<Body> {
    json::answer(status, body, Caching::Never)
}

/// The answer to a refused request, boxed: it travels through `Result`s.
type Refusal = Box<Response<Body>>;

fn refuse(status: StatusCode, message: impl std::fmt::Display) -> Refusal {
    Box::new(problem(status, message))
}

/// The answer when the store fails: nothing was changed.
pub(crate) fn store_failed(e: numis_store::StoreError) -> Response<Body> {
    tracing::error!(error = %e, "drawing store failed");
    problem(
        StatusCode::SERVICE_UNAVAILABLE,
        "the store failed; nothing was changed",
    )
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn random_token(bytes: usize) -> Result<String, Refusal> {
    let mut buffer = vec![0u8; bytes];
    getrandom::fill(&mut buffer).map_err(|e| {
        tracing::error!(error = %e, "no randomness for a drawing id or key");
        refuse(StatusCode::SERVICE_UNAVAILABLE, "try again later")
    })?;
    Ok(URL_SAFE_NO_PAD.encode(buffer))
}

fn key_hash(key: &str) -> Vec<u8> {
    Sha256::digest(key.as_bytes()).to_vec()
}

/// Is `headers`' bearer token the drawing's edit key?
fn holds_edit_key(headers: &HeaderMap, drawing: &StoredDrawing) -> bool {
    json::bearer(headers).is_some_and(|key| key_hash(key).ct_eq(&drawing.edit_key_hash).into())
}

fn limits(state: &AppState) -> Limits {
    let config = &state.config.drawings;
    Limits {
        max_bytes: config.max_upload_bytes,
        max_features: config.max_features,
        max_vertices: config.max_vertices,
        ..Limits::default()
    }
}

/// The features of an upload as GeoJSON, or the answer saying what is wrong.
fn features_of(state: &AppState, headers: &HeaderMap, body: &Bytes) -> Result<String, Refusal> {
    read_upload(state, headers, body).map(|drawing| numis_formats::write_geojson(&drawing))
}

/// An upload read into the feature model (limits applied, descriptions
/// sanitised), or the answer saying what is wrong.
fn read_upload(
    state: &AppState,
    headers: &HeaderMap,
    body: &Bytes,
) -> Result<numis_formats::Drawing, Refusal> {
    let limits = limits(state);
    if body.len() as u64 > limits.max_bytes {
        return Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("the upload is larger than {} bytes", limits.max_bytes),
        ));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    // `application/json` is GeoJSON here; other types are detected from the
    // bytes only when the type says nothing specific.
    let declared = content_type.map(|ct| {
        ct.split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase()
    });
    let format = match declared.as_deref() {
        Some("application/json") => Some(Format::GeoJson),
        Some(
            "application/geo+json"
            | "application/vnd.google-earth.kml+xml"
            | "application/vnd.google-earth.kmz"
            | "application/gpx+xml",
        ) => Format::detect(body, content_type),
        None | Some("application/octet-stream") => Format::detect(body, None),
        Some(other) => {
            return Err(refuse(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                format!("{other} is not a drawing format; send GeoJSON, KML, KMZ or GPX"),
            ));
        }
    };
    let Some(format) = format else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            "the upload is neither GeoJSON, KML, KMZ nor GPX",
        ));
    };
    numis_formats::read(body, format, &limits).map_err(|e| refuse(StatusCode::BAD_REQUEST, e))
}

#[derive(Deserialize)]
struct TitleQuery {
    title: Option<String>,
}

fn clean_title(title: Option<String>) -> String {
    title
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

fn expiry(state: &AppState, changed_at: i64) -> i64 {
    changed_at + i64::from(state.config.drawings.retention_days) * SECONDS_PER_DAY
}

fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

/// Saves a new drawing and answers 201 with its links and key.
async fn save_new(
    state: &AppState,
    headers: &HeaderMap,
    title: String,
    features: String,
    copied_from: Option<String>,
) -> Response<Body> {
    let (id, key) = match (random_token(ID_BYTES), random_token(KEY_BYTES)) {
        (Ok(id), Ok(key)) => (id, key),
        (Err(e), _) | (_, Err(e)) => return *e,
    };
    let created = now();
    let drawing = StoredDrawing {
        id: id.clone(),
        edit_key_hash: key_hash(&key),
        owner_account: None,
        title,
        features,
        created_at: created,
        changed_at: created,
        expires_at: expiry(state, created),
        copied_from,
        report_count: 0,
    };
    if let Err(e) = state.drawings.insert_drawing(&drawing).await {
        return store_failed(e);
    }
    let share_url = format!("{}/karte?drawing={id}", public_base(headers));
    let mut response = answer(
        StatusCode::CREATED,
        &json!({
            "id": id,
            "edit_key": key,
            "share_url": share_url,
            "edit_url": format!("{share_url}#edit={key}"),
            "expires_at": rfc3339(drawing.expires_at),
        }),
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/api/drawings/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// The peer address as the server saw it, when it was recorded (not in
/// tests that call the router directly).
type Peer = Option<Extension<ConnectInfo<SocketAddr>>>;

/// Counts a creation against the client's allowance (clause P11), or
/// answers 429 with the seconds to wait.
fn within_creation_limit(
    state: &AppState,
    peer: &Peer,
    headers: &HeaderMap,
) -> Result<(), Refusal> {
    let peer = peer.as_ref().map(|Extension(info)| info);
    state.creation_limit.check(peer, headers).map_err(|wait| {
        let seconds = wait.as_secs().max(1);
        let mut response = problem(
            StatusCode::TOO_MANY_REQUESTS,
            format!("too many new drawings from here; try again in {seconds} s"),
        );
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
        Box::new(response)
    })
}

async fn create(
    State(state): State<AppState>,
    peer: Peer,
    Query(query): Query<TitleQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response<Body> {
    if let Err(answer) = within_creation_limit(&state, &peer, &headers) {
        return *answer;
    }
    let body = match upload(&state, body).await {
        Ok(body) => body,
        Err(answer) => return *answer,
    };
    let features = match features_of(&state, &headers, &body) {
        Ok(features) => features,
        Err(answer) => return *answer,
    };
    save_new(&state, &headers, clean_title(query.title), features, None).await
}

/// The drawing `id` if it exists and has not expired, or the answer.
async fn live_drawing(state: &AppState, id: &str) -> Result<StoredDrawing, Refusal> {
    match state.drawings.drawing(id).await {
        Err(e) => Err(Box::new(store_failed(e))),
        Ok(None) => Err(refuse(StatusCode::NOT_FOUND, "no such drawing")),
        Ok(Some(d)) if d.expires_at <= now() => {
            let expired_at = rfc3339(d.expires_at);
            Err(Box::new(answer(
                StatusCode::GONE,
                &json!({
                    "error": format!("this drawing expired on {expired_at}"),
                    "expired_at": expired_at,
                }),
            )))
        }
        Ok(Some(d)) => Ok(d),
    }
}

async fn read(State(state): State<AppState>, Path(file): Path<String>) -> Response<Body> {
    let (id, format) = match file.rsplit_once('.') {
        Some((id, "kml")) => (id, Some(Format::Kml)),
        Some((id, "gpx")) => (id, Some(Format::Gpx)),
        Some((id, "geojson" | "json")) => (id, None),
        Some(_) => return problem(StatusCode::NOT_FOUND, "no such drawing format"),
        None => (file.as_str(), None),
    };
    let drawing = match live_drawing(&state, id).await {
        Ok(d) => d,
        Err(answer) => return *answer,
    };
    let Some(format) = format else {
        let mut response = answer(StatusCode::OK, &Published::of(&drawing));
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/geo+json"),
        );
        return response;
    };
    // Stored features were written by us; reading them back has no limits
    // worth hitting, but keep the defaults as a bound anyway.
    let model = match numis_formats::read(
        drawing.features.as_bytes(),
        Format::GeoJson,
        &Limits::default(),
    ) {
        Ok(model) => model,
        Err(e) => {
            tracing::error!(error = %e, "a stored drawing cannot be read back");
            return problem(
                StatusCode::INTERNAL_SERVER_ERROR,
                "the drawing cannot be exported",
            );
        }
    };
    exported(&model, format, &format!("zeichnung-{}", drawing.id))
}

/// `model` written as KML, GPX or GeoJSON, as a download named `stem`.
fn exported(model: &numis_formats::Drawing, format: Format, stem: &str) -> Response<Body> {
    let (text, content_type, extension) = match format {
        Format::Gpx => (
            numis_formats::write_gpx(model),
            "application/gpx+xml",
            "gpx",
        ),
        Format::GeoJson => (
            numis_formats::write_geojson(model),
            "application/geo+json",
            "geojson",
        ),
        _ => (
            numis_formats::write_kml(model),
            "application/vnd.google-earth.kml+xml",
            "kml",
        ),
    };
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(disposition) =
        HeaderValue::from_str(&format!("attachment; filename=\"{stem}.{extension}\""))
    {
        headers.insert(header::CONTENT_DISPOSITION, disposition);
    }
    response
}

#[derive(Deserialize)]
struct ConvertQuery {
    to: Option<String>,
}

/// `POST /api/convert?to=geojson|kml|gpx`: an upload read exactly as a
/// drawing would be (limits, sanitising) and written back in the asked
/// format. Stores nothing; the viewer imports and exports through it, so
/// the browser never parses an uploaded XML document itself.
async fn convert(
    State(state): State<AppState>,
    Query(query): Query<ConvertQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response<Body> {
    let format = match query.to.as_deref().unwrap_or("geojson") {
        "geojson" | "json" => Format::GeoJson,
        "kml" => Format::Kml,
        "gpx" => Format::Gpx,
        other => {
            return problem(
                StatusCode::BAD_REQUEST,
                format!("cannot convert to {other:?}; ask for geojson, kml or gpx"),
            );
        }
    };
    let body = match upload(&state, body).await {
        Ok(body) => body,
        Err(answer) => return *answer,
    };
    match read_upload(&state, &headers, &body) {
        Ok(model) => exported(&model, format, "zeichnung"),
        Err(answer) => *answer,
    }
}

/// The features of a stored drawing, as written by `write_geojson`.
#[derive(Deserialize)]
struct StoredCollection<'a> {
    #[serde(borrow)]
    features: &'a RawValue,
}

/// A drawing as `GET /api/drawings/{id}` shows it: its FeatureCollection
/// with the drawing's own members beside the features. The features are
/// passed through as stored (checked JSON, not parsed into a tree): reads
/// are the most frequent request.
#[derive(Serialize)]
struct Published<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    id: &'a str,
    title: &'a str,
    expires_at: String,
    copied_from: Option<&'a str>,
    features: &'a RawValue,
}

impl<'a> Published<'a> {
    fn of(drawing: &'a StoredDrawing) -> Self {
        let features = serde_json::from_str::<StoredCollection<'a>>(&drawing.features)
            .map(|stored| stored.features)
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "a stored drawing is not a FeatureCollection");
                no_features()
            });
        Self {
            kind: "FeatureCollection",
            id: &drawing.id,
            title: &drawing.title,
            expires_at: rfc3339(drawing.expires_at),
            copied_from: drawing.copied_from.as_deref(),
            features,
        }
    }
}

/// `[]`, for a stored drawing that cannot be read back.
fn no_features() -> &'static RawValue {
    static EMPTY: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| RawValue::from_string("[]".to_owned()).unwrap_or_default())
}

/// The drawing if the request holds its edit key, or 403/404/410.
async fn editable(
    state: &AppState,
    headers: &HeaderMap,
    id: &str,
) -> Result<StoredDrawing, Refusal> {
    let drawing = live_drawing(state, id).await?;
    if holds_edit_key(headers, &drawing) {
        Ok(drawing)
    } else {
        Err(refuse(
            StatusCode::FORBIDDEN,
            "only the edit link's key may change or delete this drawing",
        ))
    }
}

async fn update(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Query(query): Query<TitleQuery>,
    headers: HeaderMap,
    body: Body,
) -> Response<Body> {
    let drawing = match editable(&state, &headers, &id).await {
        Ok(d) => d,
        Err(answer) => return *answer,
    };
    let body = match upload(&state, body).await {
        Ok(body) => body,
        Err(answer) => return *answer,
    };
    let features = match features_of(&state, &headers, &body) {
        Ok(features) => features,
        Err(answer) => return *answer,
    };
    let title = if query.title.is_some() {
        clean_title(query.title)
    } else {
        drawing.title
    };
    let changed = now();
    let expires = expiry(&state, changed);
    match state
        .drawings
        .update_drawing(&id, &title, &features, changed, expires)
        .await
    {
        Ok(true) => answer(
            StatusCode::OK,
            &json!({ "id": id, "expires_at": rfc3339(expires) }),
        ),
        Ok(false) => problem(StatusCode::NOT_FOUND, "no such drawing"),
        Err(e) => store_failed(e),
    }
}

async fn remove(
    State(state): State<AppState>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response<Body> {
    if let Err(answer) = editable(&state, &headers, &id).await {
        return *answer;
    }
    match state.drawings.delete_drawing(&id).await {
        Ok(true) => StatusCode::NO_CONTENT.into_response(),
        Ok(false) => problem(StatusCode::NOT_FOUND, "no such drawing"),
        Err(e) => store_failed(e),
    }
}

async fn copy(
    State(state): State<AppState>,
    peer: Peer,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response<Body> {
    if let Err(answer) = within_creation_limit(&state, &peer, &headers) {
        return *answer;
    }
    let original = match live_drawing(&state, &id).await {
        Ok(d) => d,
        Err(answer) => return *answer,
    };
    save_new(
        &state,
        &headers,
        original.title,
        original.features,
        Some(original.id),
    )
    .await
}

#[derive(Deserialize)]
struct ReportBody {
    reason: String,
}

async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Bytes,
) -> Response<Body> {
    let Ok(ReportBody { reason }) = serde_json::from_slice::<ReportBody>(&body) else {
        return problem(
            StatusCode::BAD_REQUEST,
            "send {\"reason\": \"…\"} saying what is wrong with the drawing",
        );
    };
    let reason: String = reason
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(MAX_REASON_CHARS)
        .collect();
    if reason.trim().is_empty() {
        return problem(StatusCode::BAD_REQUEST, "the reason is empty");
    }
    if let Err(answer) = live_drawing(&state, &id).await {
        return *answer;
    }
    match state
        .drawings
        .report_drawing(&id, now(), reason.trim())
        .await
    {
        Ok(true) => answer(StatusCode::ACCEPTED, &json!({ "reported": true })),
        Ok(false) => problem(StatusCode::NOT_FOUND, "no such drawing"),
        Err(e) => store_failed(e),
    }
}

/// Deletes expired drawings (clause P8); returns how many.
pub async fn purge_expired(store: &dyn numis_store::DrawingStore) -> numis_store::Result<u64> {
    store.purge_expired_drawings(now()).await
}
