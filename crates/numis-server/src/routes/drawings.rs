//! The drawings API over HTTP (clauses P4, P7–P10): `/api/drawings`, its
//! members, `/api/convert` and the OpenAPI description.
//!
//! The rules (keys, expiry, import, export, copies, reports) are
//! `numis_core::drawings`'; this module only decodes requests — bodies
//! read up to a limit suited to each route, the edit key from
//! `Authorization: Bearer <key>`, query parameters — and encodes answers:
//! share links in the saver's language, downloads, the GeoJSON view.
//! Refusals travel as [`ApiError`].
//!
//! The edit URL carries the key in the fragment (`#edit=…`), which
//! browsers never send, so it reaches no access record, log or referrer.

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use numis_cms::Lang;
use numis_core::drawings::{
    Created, Editable, ExportFormat, MAX_REASON_CHARS, StoredDrawing, Upload, rfc3339,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use serde_json::value::RawValue;

use crate::client::{Peer, peer_address};
use crate::error::ApiError;
use crate::events::Event;
use crate::json::{self, Caching};
use crate::origin::public_base;
use crate::session::CurrentSession;
use crate::state::AppState;

/// Largest body of an abuse report: room for a reason of
/// [`MAX_REASON_CHARS`] characters of any script (up to four bytes each)
/// with its JSON around it; anything longer is no reason but a load.
pub const MAX_REPORT_BYTES: u64 = 8 * 1024;

/// `/api/drawings` and its members.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/drawings", post(create))
        .route("/api/drawings/{file}", get(read).put(update).delete(remove))
        .route("/api/drawings/{id}/copy", post(copy))
        .route("/api/drawings/{id}/report", post(report))
        .route("/api/convert", post(convert))
        .route("/api/openapi.json", get(openapi))
        // Every body here is read by `bounded` with the limit of its
        // route (uploads: `[drawings] max_upload_bytes`; reports:
        // `MAX_REPORT_BYTES`), not by axum's one fixed default.
        .layer(DefaultBodyLimit::disable())
}

/// The API described for client authors (OpenAPI 3.1).
const OPENAPI: &str = include_str!("../../openapi.json");

async fn openapi() -> Response<Body> {
    let mut response = OPENAPI.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    response
}

/// A body of at most `max` bytes, or `None` as soon as it passes `max` (or
/// the client stops sending).
pub async fn bounded(body: Body, max: u64) -> Option<Bytes> {
    let limit = usize::try_from(max).unwrap_or(usize::MAX).saturating_add(1);
    axum::body::to_bytes(body, limit)
        .await
        .ok()
        .filter(|bytes| bytes.len() as u64 <= max)
}

/// Reads an upload, refusing it with 413 as soon as it passes the limit.
async fn upload(state: &AppState, body: Body) -> Result<Bytes, ApiError> {
    let max = state.drawings.rules().limits.max_bytes;
    bounded(body, max).await.ok_or_else(|| {
        ApiError::payload_too_large(format!(
            "the upload is larger than {max} bytes or was cut off"
        ))
    })
}

/// The upload `body` as sent with `headers`' content type.
fn upload_of<'a>(headers: &'a HeaderMap, body: &'a Bytes) -> Upload<'a> {
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok());
    Upload::new(body, content_type)
}

fn answer<T: Serialize + ?Sized>(status: StatusCode, body: &T) -> Response<Body> {
    json::answer(status, body, Caching::Never)
}

/// The language of the viewer that share links open (`?lang=de|en`):
/// the saver's, so that a drawing saved from `/en/karte` is shared as
/// `/en/karte?drawing=…`. German when not given.
fn link_lang(lang: Option<&str>) -> Result<Lang, ApiError> {
    match lang {
        None => Ok(Lang::default()),
        Some(code) => Lang::parse(code)
            .ok_or_else(|| ApiError::bad_request(format!("lang {code:?} is neither de nor en"))),
    }
}

#[derive(Deserialize)]
struct CreateQuery {
    title: Option<String>,
    lang: Option<String>,
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

#[derive(Deserialize)]
struct TitleQuery {
    title: Option<String>,
}

/// 201 with the new drawing's links (in the viewer of `lang`) and key.
fn created(headers: &HeaderMap, lang: Lang, created: &Created) -> Response<Body> {
    let id = &created.id;
    let key = &created.edit_key;
    let share_url = format!(
        "{}{}?drawing={id}",
        public_base(headers),
        crate::routes::viewer::karte_url(lang)
    );
    let mut response = answer(
        StatusCode::CREATED,
        &json!({
            "id": id,
            "edit_key": key,
            "share_url": share_url,
            "edit_url": format!("{share_url}#edit={key}"),
            "expires_at": rfc3339(created.expires_at),
        }),
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/api/drawings/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

/// Counts a creation against the client's allowance (clause P11), or
/// answers 429 with the seconds to wait.
fn within_creation_limit(
    state: &AppState,
    peer: &Peer,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    state
        .creation_limit
        .admit(peer_address(peer), headers, "new drawings")
}

async fn create(
    State(state): State<AppState>,
    peer: Peer,
    session: Option<CurrentSession>,
    Query(query): Query<CreateQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    // A mistyped language costs no allowance.
    let lang = link_lang(query.lang.as_deref())?;
    within_creation_limit(&state, &peer, &headers)?;
    let body = upload(&state, body).await?;
    let new = state
        .drawings
        .create_owned(
            query.title.as_deref(),
            &upload_of(&headers, &body),
            owner(session.as_ref()),
        )
        .await?;
    state.events.count(Event::DrawingCreate, None);
    Ok(created(&headers, lang, &new))
}

async fn read(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    Path(file): Path<String>,
) -> Result<Response<Body>, ApiError> {
    let (id, format) = match file.rsplit_once('.') {
        Some((id, extension)) => match ExportFormat::from_name(extension) {
            Some(format) => (id, Some(format)),
            None => return Err(ApiError::not_found("no such drawing format")),
        },
        None => (file.as_str(), None),
    };
    // `.geojson` is the drawing as published, like no extension, but
    // counts as an export: somebody asked for the file.
    let export = match format {
        Some(ExportFormat::GeoJson) | None => None,
        Some(format) => Some(format),
    };
    let Some(format) = export else {
        let drawing = state.drawings.read(id).await?;
        if let Some(format) = format {
            state
                .events
                .count(Event::DrawingExport, Some(format.extension()));
        }
        let mut published = Published::of(&drawing);
        published.yours =
            drawing.owner.is_some() && drawing.owner.as_deref() == owner(session.as_ref());
        let mut response = answer(StatusCode::OK, &published);
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/geo+json"),
        );
        return Ok(response);
    };
    let text = state.drawings.export(id, format).await?;
    state
        .events
        .count(Event::DrawingExport, Some(format.extension()));
    Ok(download(text, format, &format!("zeichnung-{id}")))
}

/// `text` in `format` as a download named `stem`.
pub(crate) fn download(text: String, format: ExportFormat, stem: &str) -> Response<Body> {
    let mut response = text.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(disposition) = HeaderValue::from_str(&format!(
        "attachment; filename=\"{stem}.{}\"",
        format.extension()
    )) {
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
) -> Result<Response<Body>, ApiError> {
    let to = query.to.as_deref().unwrap_or("geojson");
    let format = ExportFormat::from_name(to).ok_or_else(|| {
        ApiError::bad_request(format!(
            "cannot convert to {to:?}; ask for geojson, kml or gpx"
        ))
    })?;
    let body = upload(&state, body).await?;
    let upload = upload_of(&headers, &body);
    let text = state.drawings.convert(&upload, format)?;
    state
        .events
        .count(Event::DrawingConvert, Some(format.extension()));
    if let Some(read) = upload.format() {
        state.events.count(Event::Import, Some(read.extension()));
    }
    Ok(download(text, format, "zeichnung"))
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
    /// Bound to the account of the request's session: its owner may
    /// change it without the key. Only sent when true.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    yours: bool,
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
            yours: false,
            features,
        }
    }
}

/// `[]`, for a stored drawing that cannot be read back.
fn no_features() -> &'static RawValue {
    static EMPTY: std::sync::OnceLock<Box<RawValue>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(|| RawValue::from_string("[]".to_owned()).unwrap_or_default())
}

async fn update(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    Query(query): Query<TitleQuery>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    // The key first: nobody else's upload is read.
    let editable = editable(&state, &id, &headers, session.as_ref()).await?;
    let body = upload(&state, body).await?;
    let expires = state
        .drawings
        .update(
            editable,
            query.title.as_deref(),
            &upload_of(&headers, &body),
        )
        .await?;
    state.events.count(Event::DrawingUpdate, None);
    Ok(answer(
        StatusCode::OK,
        &json!({ "id": id, "expires_at": rfc3339(expires) }),
    ))
}

async fn remove(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let editable = editable(&state, &id, &headers, session.as_ref()).await?;
    state.drawings.delete(editable).await?;
    state.events.count(Event::DrawingDelete, None);
    Ok(StatusCode::NO_CONTENT)
}

async fn copy(
    State(state): State<AppState>,
    peer: Peer,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response<Body>, ApiError> {
    let lang = link_lang(query.lang.as_deref())?;
    within_creation_limit(&state, &peer, &headers)?;
    let new = state
        .drawings
        .copy_owned(&id, owner(session.as_ref()))
        .await?;
    state.events.count(Event::DrawingCopy, None);
    Ok(created(&headers, lang, &new))
}

/// The account a save while logged in binds the drawing to.
fn owner(session: Option<&CurrentSession>) -> Option<&str> {
    session.map(|s| s.info.account_id.as_str())
}

/// The drawing `id` for changing: with its edit key (`Authorization:
/// Bearer <key>`) when one is sent, else as its owner's when the request
/// has the owner's session.
async fn editable(
    state: &AppState,
    id: &str,
    headers: &HeaderMap,
    session: Option<&CurrentSession>,
) -> Result<Editable, ApiError> {
    match (json::bearer(headers), owner(session)) {
        (None, Some(account)) => Ok(state.drawings.editable_by_owner(id, account).await?),
        (key, _) => Ok(state.drawings.editable(id, key).await?),
    }
}

#[derive(Deserialize)]
struct ReportBody {
    reason: String,
}

async fn report(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    let body = bounded(body, MAX_REPORT_BYTES).await.ok_or_else(|| {
        ApiError::payload_too_large(format!(
            "a report is at most {MAX_REPORT_BYTES} bytes; say in up to \
             {MAX_REASON_CHARS} characters what is wrong with the drawing"
        ))
    })?;
    let ReportBody { reason } = serde_json::from_slice(&body).map_err(|_| {
        ApiError::bad_request("send {\"reason\": \"…\"} saying what is wrong with the drawing")
    })?;
    state.drawings.report(&id, &reason).await?;
    state.events.count(Event::DrawingReport, None);
    Ok(answer(StatusCode::ACCEPTED, &json!({ "reported": true })))
}
