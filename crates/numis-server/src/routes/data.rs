//! Open-data downloads (clauses L5, P7; files from `crate::open_data`):
//!
//! - `GET /api/data`: the open layers the caller may see, each with its
//!   licence, source note, data date, feature count and its files (format,
//!   URL and the exact size of the file served there);
//! - `GET /api/data/{layer}/{format}`: the ZIP of the data file
//!   (`geojson`, `kml`, `gpkg`, `csv` for point layers) and the licence
//!   note (`LIZENZ.txt`, with `?lang=en` `LICENCE.txt`);
//! - `GET /api/data/{layer}.kml`: the KML alone, for Google Earth.
//!
//! A layer that is not open data, or not visible to the caller (L7), is
//! 404 with a sentence. Nothing here sets a cookie; answers carry an ETag
//! of the map's generation, so a reload changes it.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_map::attribution::licence_short_name;
use numis_map::export::{DataFormat, Provenance, formats_for, licence_title};
use numis_map::view::{Caller, VisibleLayer};
use serde::{Deserialize, Serialize};

use crate::cache::if_none_match;
use crate::caller::RequestCaller;
use crate::error::ApiError;
use crate::events::Event;
use crate::json::{self, Caching};
use crate::map_service::MapService;
use crate::open_data::{DownloadError, Downloads};
use crate::origin::public_base;
use crate::routes::catalogue::{lang_of, published};
use crate::state::AppState;

/// `/api/data`, `/api/data/{layer}/{format}`, `/api/data/{layer}.kml`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/data", get(list))
        .route("/api/data/{file}", get(plain_kml))
        .route("/api/data/{layer}/{format}", get(download))
}

#[derive(Deserialize)]
struct LangQuery {
    lang: Option<String>,
}

/// One file offered for a layer.
#[derive(Debug, Clone, Serialize)]
pub struct FileOffer {
    /// `geojson`, `kml`, `gpkg`, `csv`.
    pub format: &'static str,
    /// Its name for people.
    pub label: &'static str,
    /// The media type of the data file inside the ZIP.
    pub media_type: &'static str,
    /// The CRS of its coordinates.
    pub crs: &'static str,
    /// Where the ZIP is (relative to the portal).
    pub url: String,
    /// The ZIP's size in bytes, exactly as served at `url`.
    pub size: u64,
}

/// A licence as the catalogue names it.
#[derive(Debug, Clone, Serialize)]
pub struct LicenceOffer {
    /// SPDX id.
    pub id: String,
    /// Short name (`CC BY 4.0`), else the id.
    pub name: String,
    /// Full name in the answer's language.
    pub title: String,
    /// Link to the licence text, if configured.
    pub url: Option<String>,
}

/// An open layer with its files.
#[derive(Debug, Clone, Serialize)]
pub struct LayerOffer {
    /// Layer id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Abstract.
    #[serde(rename = "abstract")]
    pub abstract_: String,
    /// Licence.
    pub licence: LicenceOffer,
    /// The source note (clause L1).
    pub attribution: String,
    /// The data's date ("Stand"), if configured.
    pub data_date: Option<String>,
    /// Link to the metadata record, if configured.
    pub metadata_url: Option<String>,
    /// Number of features.
    pub feature_count: usize,
    /// Personal fields were left out of the files (clause L3).
    pub personal_fields_removed: bool,
    /// The plain KML for Google Earth.
    pub kml_url: String,
    /// The ZIPs.
    pub formats: Vec<FileOffer>,
}

/// `?lang=en` for English; German needs none.
fn lang_suffix(lang: &str) -> &'static str {
    if lang == "en" { "?lang=en" } else { "" }
}

/// The URL of `layer`'s ZIP in `format`, relative to the portal.
pub fn download_path(layer: &str, format: DataFormat, lang: &str) -> String {
    format!(
        "/api/data/{}/{}{}",
        path_segment(layer),
        format.id(),
        lang_suffix(lang)
    )
}

fn kml_path(layer: &str, lang: &str) -> String {
    format!("/api/data/{}.kml{}", path_segment(layer), lang_suffix(lang))
}

fn path_segment(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

/// The portal's name in `lang`: the map service's title.
fn portal_name(map: &MapService, lang: &str) -> String {
    map.catalog.config.service.title.get(lang).to_owned()
}

/// The open layers `caller` may see, with their files for `lang`; the
/// sizes are those of the ZIPs as served to a client of `base`. Builds
/// every file not built yet: call from a blocking thread.
pub fn offers(
    map: &MapService,
    caller: &Caller,
    lang: &'static str,
    base: &str,
) -> Result<Vec<LayerOffer>, DownloadError> {
    let view = map.catalog.view(caller);
    let portal = portal_name(map, lang);
    let provenance = Provenance {
        lang,
        portal: &portal,
    };
    let text = |s: &str| (!s.is_empty()).then(|| s.to_owned());
    view.layers()
        .filter(VisibleLayer::is_open_data)
        .map(|layer| {
            let formats = formats_for(&layer)
                .into_iter()
                .map(|format| {
                    let url = download_path(layer.id(), format, lang);
                    let package = map.downloads.package(
                        &layer,
                        format,
                        provenance,
                        &format!("{base}{url}"),
                    )?;
                    Ok(FileOffer {
                        format: format.id(),
                        label: format.label(),
                        media_type: format.media_type(),
                        crs: format.crs(),
                        url,
                        size: package.len() as u64,
                    })
                })
                .collect::<Result<Vec<_>, DownloadError>>()?;
            let licence = layer.licence();
            Ok(LayerOffer {
                id: layer.id().to_owned(),
                title: layer.title().get(lang).to_owned(),
                abstract_: layer.abstract_().get(lang).to_owned(),
                licence: LicenceOffer {
                    id: licence.id.clone(),
                    name: licence_short_name(&licence.id)
                        .map_or_else(|| licence.id.clone(), str::to_owned),
                    title: licence_title(&licence.id, lang),
                    url: text(&licence.url),
                },
                attribution: layer.source_note(lang),
                data_date: text(layer.data_date()),
                metadata_url: text(layer.metadata_url()),
                feature_count: layer.feature_count(),
                personal_fields_removed: layer.has_personal_fields(),
                kml_url: kml_path(layer.id(), lang),
                formats,
            })
        })
        .collect()
}

/// Runs `work` on a blocking thread once a build slot is free.
pub async fn building<T: Send + 'static>(
    map: &Arc<MapService>,
    work: impl FnOnce(&MapService) -> Result<T, DownloadError> + Send + 'static,
) -> Result<T, ApiError> {
    let Some(_slot) = map.downloads.build_slot().await else {
        return Err(ApiError::unavailable(
            "the server is shutting down",
            "no build slot",
        ));
    };
    let map = map.clone();
    match tokio::task::spawn_blocking(move || work(&map)).await {
        Ok(Ok(value)) => Ok(value),
        Ok(Err(e)) => Err(ApiError::internal(e)),
        Err(e) => Err(ApiError::internal(e)),
    }
}

async fn list(
    State(state): State<AppState>,
    Query(query): Query<LangQuery>,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let map = published(&state)?;
    let lang = lang_of(query.lang.as_deref());
    let base = public_base(&headers);
    let layers = building(&map, move |map| offers(map, &caller, lang, &base)).await?;
    Ok(json::answer(
        StatusCode::OK,
        &serde_json::json!({ "layers": layers }),
        Caching::Revalidate,
    ))
}

/// Why a layer's data are not offered, as one sentence.
const NOT_OFFERED: &str = "no open data under this name: the layer does not exist, is not \
     published as open data (see its licence), or needs a login";

/// The layer `id` if `caller` may have its data; else the 404.
fn open_layer<'a>(
    map: &'a MapService,
    caller: &'a Caller,
    id: &str,
) -> Result<VisibleLayer<'a>, ApiError> {
    map.catalog
        .view(caller)
        .layer(id)
        .filter(VisibleLayer::is_open_data)
        .ok_or_else(|| ApiError::not_found(NOT_OFFERED))
}

/// The strong validator of a file: the map's generation, the file and,
/// for ZIPs, where the licence note says it came from.
fn etag(map: &MapService, parts: &[&str]) -> String {
    let hash = xxhash_rust::xxh3::xxh3_64(parts.join("\u{0}").as_bytes());
    format!("\"{:x}-{hash:016x}\"", map.downloads.generation())
}

/// A file answer: its type, name, validator, and who may keep it (only
/// the caller's browser for layers that need a login).
fn file_answer(
    body: Option<Body>,
    content_type: &'static str,
    file_name: &str,
    tag: &str,
    public: bool,
) -> Response<Body> {
    let mut response = match body {
        Some(body) => {
            let mut response = Response::new(body);
            let headers = response.headers_mut();
            headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
            if let Ok(value) =
                HeaderValue::from_str(&format!("attachment; filename=\"{file_name}\""))
            {
                headers.insert(header::CONTENT_DISPOSITION, value);
            }
            response
        }
        None => StatusCode::NOT_MODIFIED.into_response(),
    };
    let headers = response.headers_mut();
    if let Ok(value) = HeaderValue::from_str(tag) {
        headers.insert(header::ETAG, value);
    }
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static(if public {
            "public, no-cache"
        } else {
            "private, no-cache"
        }),
    );
    response
}

/// Only letters, digits, `-` and `_` in a file name.
fn file_name_part(id: &str) -> String {
    id.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Is layer `id` open to everyone (no login needed)?
fn is_public(map: &MapService, id: &str) -> bool {
    map.catalog.view(&Caller::default()).layer(id).is_some()
}

async fn download(
    State(state): State<AppState>,
    Path((id, format)): Path<(String, String)>,
    Query(query): Query<LangQuery>,
    method: Method,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let map = published(&state)?;
    let lang = lang_of(query.lang.as_deref());
    let format = DataFormat::parse(&format).ok_or_else(|| {
        ApiError::not_found("no such format: the formats are geojson, kml, gpkg and csv")
    })?;
    let layer = open_layer(&map, &caller, &id)?;
    if !format.offered_for(&layer) {
        return Err(ApiError::not_found(
            "CSV is offered for point layers only; take GeoJSON, KML or GeoPackage",
        ));
    }
    let base = public_base(&headers);
    let url = format!("{base}{}", download_path(&id, format, lang));
    let file = DataFile {
        tag: etag(&map, &[&id, format.id(), lang, &url]),
        name: format!("numis-{}-{}.zip", file_name_part(&id), format.id()),
        media_type: "application/zip",
        subject: format!("{id}/{}", format.id()),
        id,
        lang,
    };
    answer_file(
        &state,
        map,
        caller,
        &method,
        &headers,
        file,
        move |downloads, layer, provenance| {
            downloads
                .package(layer, format, provenance, &url)
                .map(Bytes::from)
        },
    )
    .await
}

/// `/api/data/{layer}.kml`: the layer as KML alone, which Google Earth
/// opens directly (clause P7).
async fn plain_kml(
    State(state): State<AppState>,
    Path(file): Path<String>,
    Query(query): Query<LangQuery>,
    method: Method,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Result<Response<Body>, ApiError> {
    let Some(id) = file.strip_suffix(".kml") else {
        return Err(ApiError::not_found(
            "no such file: ask for /api/data/{layer}/{format} or /api/data/{layer}.kml",
        ));
    };
    let map = published(&state)?;
    let lang = lang_of(query.lang.as_deref());
    open_layer(&map, &caller, id)?;
    let file = DataFile {
        tag: etag(&map, &[id, "kml-plain", lang]),
        name: format!("numis-{}.kml", file_name_part(id)),
        media_type: DataFormat::Kml.media_type(),
        subject: format!("{id}/kml"),
        id: id.to_owned(),
        lang,
    };
    answer_file(
        &state,
        map,
        caller,
        &method,
        &headers,
        file,
        |downloads, layer, provenance| downloads.plain(layer, DataFormat::Kml, provenance),
    )
    .await
}

/// One data file to answer.
struct DataFile {
    /// The layer.
    id: String,
    lang: &'static str,
    /// Its ETag: the same file has the same tag until the map is reloaded.
    tag: String,
    /// The name a browser saves it under.
    name: String,
    media_type: &'static str,
    /// The subject of its `data.download` count: `layer/format`.
    subject: String,
}

/// Answers `file`: "not modified" when the client holds it, else the file
/// built by `make` on a blocking thread (a layer the caller cannot see any
/// more, after a reload, is not offered), counted as a download.
async fn answer_file(
    state: &AppState,
    map: Arc<MapService>,
    caller: Caller,
    method: &Method,
    headers: &HeaderMap,
    file: DataFile,
    make: impl FnOnce(&Downloads, &VisibleLayer<'_>, Provenance<'_>) -> Result<Bytes, DownloadError>
    + Send
    + 'static,
) -> Result<Response<Body>, ApiError> {
    let public = is_public(&map, &file.id);
    if if_none_match(headers, &file.tag) {
        return Ok(file_answer(
            None,
            file.media_type,
            &file.name,
            &file.tag,
            public,
        ));
    }
    let (layer_id, lang) = (file.id.clone(), file.lang);
    let bytes = building(&map, move |map| {
        let view = map.catalog.view(&caller);
        let Some(layer) = view.layer(&layer_id) else {
            return Ok(None);
        };
        let portal = portal_name(map, lang);
        let provenance = Provenance {
            lang,
            portal: &portal,
        };
        make(&map.downloads, &layer, provenance).map(Some)
    })
    .await?
    .ok_or_else(|| ApiError::not_found(NOT_OFFERED))?;
    // A download, not a probe: HEAD is no reader (as for pages).
    if method == Method::GET {
        state.events.count(Event::DataDownload, Some(&file.subject));
    }
    Ok(file_answer(
        Some(Body::from(bytes)),
        file.media_type,
        &file.name,
        &file.tag,
        public,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_file_names_keep_to_safe_characters() {
        assert_eq!(
            download_path("seen", DataFormat::GeoPackage, "de"),
            "/api/data/seen/gpkg"
        );
        assert_eq!(
            download_path("a b", DataFormat::Csv, "en"),
            "/api/data/a%20b/csv?lang=en"
        );
        assert_eq!(kml_path("seen", "en"), "/api/data/seen.kml?lang=en");
        assert_eq!(file_name_part("a\"b/c"), "a_b_c");
    }
}
