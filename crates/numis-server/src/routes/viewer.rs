//! The map viewer: `/karte` (and `/en/karte`), the embeddable `/embed`,
//! and the viewer's bundle under `/assets/web/`.
//!
//! The pages are a small HTML shell; the viewer reads the map state from
//! the URL itself. Nothing from the request's query is ever written into
//! the shell, so no parameter can inject markup (clause P6).

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_cms::Lang;
use serde::Deserialize;
use serde_json::json;

use crate::events::Event;
use crate::middleware::compression::{Encoding, preferred_encoding};
use crate::middleware::security::CONTENT_SECURITY_POLICY;
use crate::session::CurrentSession;
use crate::state::AppState;

/// The viewer's Content-Security-Policy: that of every page, plus the
/// origins of configured external base maps for images, and for the embed
/// `frame-ancestors *` (any site may show it in an iframe).
fn viewer_policy(mode: Mode, image_origins: &[String]) -> String {
    let mut policy = CONTENT_SECURITY_POLICY.to_owned();
    if !image_origins.is_empty() {
        policy = policy.replacen(
            "img-src 'self' data:",
            &format!("img-src 'self' data: {}", image_origins.join(" ")),
            1,
        );
    }
    if mode == Mode::Embed {
        policy = policy.replacen("frame-ancestors 'self'", "frame-ancestors *", 1);
    }
    policy
}

/// The viewer may ask for the visitor's position ("locate me"), on its own
/// origin only; everything else stays off as on the content pages.
const VIEWER_PERMISSIONS_POLICY: &str = "accelerometer=(), camera=(), geolocation=(self), \
gyroscope=(), magnetometer=(), microphone=(), payment=(), usb=(), interest-cohort=()";

/// Hashed bundle files may be cached for good.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// `/karte`, `/en/karte`, `/embed` and `/assets/web/{file}`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/karte", get(karte_de))
        .route("/en/karte", get(karte_en))
        .route("/embed", get(embed))
        .route("/assets/web/{file}", get(bundle_file))
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Karte,
    Embed,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Self::Karte => "karte",
            Self::Embed => "embed",
        }
    }
}

async fn karte_de(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
) -> Response<Body> {
    let account = account_state(&state, session.is_some());
    state.events.count(Event::MapView, None);
    shell(&state, Mode::Karte, Lang::De, account)
}

async fn karte_en(
    State(state): State<AppState>,
    session: Option<CurrentSession>,
) -> Response<Body> {
    let account = account_state(&state, session.is_some());
    state.events.count(Event::MapView, None);
    shell(&state, Mode::Karte, Lang::En, account)
}

/// What the full viewer's shell tells about "Mein NUMIS": whether accounts
/// exist here (the login link), and whether this request came with a live
/// session. Only then does the viewer ask `/api/me`, so that a visitor who
/// never logged in sends no such request (and gets no 401 for it).
#[derive(Clone, Copy, Default)]
struct AccountState {
    enabled: bool,
    session: bool,
}

fn account_state(state: &AppState, session: bool) -> AccountState {
    let enabled = state.config.accounts.enabled;
    AccountState {
        enabled,
        session: enabled && session,
    }
}

#[derive(Deserialize)]
struct EmbedQuery {
    lang: Option<String>,
}

async fn embed(State(state): State<AppState>, Query(query): Query<EmbedQuery>) -> Response<Body> {
    // Only the language chooses anything here, and only from a fixed list.
    // Nothing about accounts: the embed runs inside other sites' pages.
    state.events.count(Event::EmbedView, None);
    shell(
        &state,
        Mode::Embed,
        Lang::from_query(query.lang.as_deref()),
        AccountState::default(),
    )
}

/// The viewer's address in `lang` (`/karte`, `/en/karte`): where the share
/// links of drawings point.
pub(crate) fn karte_url(lang: Lang) -> String {
    viewer_url(Mode::Karte, lang)
}

/// The viewer's URLs in each language.
fn viewer_url(mode: Mode, lang: Lang) -> String {
    match (mode, lang) {
        (Mode::Karte, Lang::En) => "/en/karte".into(),
        (Mode::Karte, Lang::De) => "/karte".into(),
        (Mode::Embed, Lang::En) => "/embed?lang=en".into(),
        (Mode::Embed, Lang::De) => "/embed".into(),
    }
}

/// The page shell. It loads the site theme's stylesheet before the
/// viewer's own, so the portal's colours and logo (custom properties in
/// `assets/numis.css`) and its header look the same on pages and viewer.
fn shell(state: &AppState, mode: Mode, language: Lang, account: AccountState) -> Response<Body> {
    let lang = language.as_str();
    let Some(entry) = numis_web::entry() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            "This numis was built without the map viewer (web/ was missing or skipped).",
        )
            .into_response();
    };
    let site = state.site();
    let home = site.config().languages.prefix(lang);
    let home = if home.is_empty() {
        "/".to_owned()
    } else {
        home
    };
    let nav: Vec<_> = site
        .menu(lang)
        .into_iter()
        .map(|(title, url)| json!({ "title": title, "url": url }))
        .collect();
    let config = json!({
        "mode": mode.name(),
        "lang": lang,
        "site_title": site.config().title,
        "home": home,
        "nav": nav,
        "karte_url": viewer_url(Mode::Karte, language),
        "data_url": numis_cms::data_url(language),
        "embed_url": "/embed",
        "alternate": { "de": viewer_url(mode, Lang::De), "en": viewer_url(mode, Lang::En) },
        "api": "/api",
        "wms": "/ows",
        "accounts": account.enabled,
        "session": account.session,
    });
    let title = match (mode, lang) {
        (Mode::Embed, "en") => "Map",
        (Mode::Embed, _) => "Karte",
        (Mode::Karte, "en") => "Map viewer",
        (Mode::Karte, _) => "Kartenviewer",
    };
    let noscript = if lang == "en" {
        "The map viewer needs JavaScript."
    } else {
        "Der Kartenviewer braucht JavaScript."
    };
    let style = entry
        .style
        .map(|css| format!("<link rel=\"stylesheet\" href=\"/assets/web/{css}\">"))
        .unwrap_or_default();
    let html = format!(
        "<!DOCTYPE html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title} – {site_title}</title>\n<link rel=\"icon\" href=\"/assets/favicon.svg\">\n\
         <link rel=\"stylesheet\" href=\"/assets/numis.css\">\n{style}\n<script type=\"module\" src=\"/assets/web/{script}\"></script>\n</head>\n\
         <body data-mode=\"{mode}\">\n<script type=\"application/json\" id=\"numis-shell\">{config}</script>\n\
         <div id=\"app\"></div>\n<noscript><p>{noscript}</p></noscript>\n</body>\n</html>\n",
        site_title = numis_cms::escape_html(&site.config().title),
        script = entry.script,
        mode = mode.name(),
        config = script_safe_json(&config),
    );
    let external: Vec<String> = state
        .map()
        .map(|map| {
            map.catalog
                .config
                .viewer
                .external_basemaps
                .iter()
                .filter_map(|b| b.origin())
                .collect()
        })
        .unwrap_or_default();
    let policy = viewer_policy(mode, &external);
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // The shell names the current bundle: never cached, so a new release
    // is picked up at once (the bundle files themselves are immutable).
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Ok(policy) = HeaderValue::from_str(&policy) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    headers.insert(
        "permissions-policy",
        HeaderValue::from_static(VIEWER_PERMISSIONS_POLICY),
    );
    response
}

/// JSON that can sit inside `<script type="application/json">`: `<`, `>`
/// and `&` are escaped so no value can close the element.
fn script_safe_json(value: &serde_json::Value) -> String {
    value
        .to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// A bundle file, in the coding the client prefers among those built
/// (brotli, gzip, none). Each coding has its own ETag, and caches are told
/// the answer varies with `Accept-Encoding`.
async fn bundle_file(Path(file): Path<String>, headers: HeaderMap) -> Response<Body> {
    let Some(file) = numis_web::file(&file) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let content_type = match file.name.rsplit('.').next() {
        Some("js") => "text/javascript; charset=utf-8",
        Some("css") => "text/css; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        Some("json") => "application/json",
        _ => "application/octet-stream",
    };
    let (encoding, bytes) = match preferred_encoding(&headers) {
        Encoding::Brotli if file.brotli.is_some() => (Encoding::Brotli, file.brotli),
        Encoding::Brotli | Encoding::Gzip if file.gzip.is_some() => (Encoding::Gzip, file.gzip),
        _ => (Encoding::Identity, None),
    };
    let bytes = bytes.unwrap_or(file.bytes);
    // The name carries the content hash, so name and coding identify the bytes.
    let etag = match encoding.header_value() {
        Some(coding) => format!("\"{}.{coding}\"", file.name),
        None => format!("\"{}\"", file.name),
    };
    let unchanged = crate::cache::if_none_match(&headers, &etag);
    let mut response = if unchanged {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        bytes.into_response()
    };
    let out = response.headers_mut();
    out.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    out.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    out.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
    if let Ok(etag) = HeaderValue::from_str(&etag) {
        out.insert(header::ETAG, etag);
    }
    if let Some(coding) = encoding.header_value() {
        out.insert(header::CONTENT_ENCODING, HeaderValue::from_static(coding));
    }
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_embed_may_be_framed_and_only_named_origins_add_images() {
        let karte = viewer_policy(Mode::Karte, &[]);
        assert_eq!(karte, CONTENT_SECURITY_POLICY);
        let embed = viewer_policy(Mode::Embed, &["https://sgx.geodatenzentrum.de".into()]);
        assert!(embed.contains("frame-ancestors *"), "{embed}");
        assert!(
            embed.contains("img-src 'self' data: https://sgx.geodatenzentrum.de;"),
            "{embed}"
        );
        assert!(
            embed.contains("script-src 'self';"),
            "scripts stay our own: {embed}"
        );
    }

    #[test]
    fn shell_json_cannot_close_its_script_element() {
        let value = json!({ "title": "</script><script>alert(1)</script> & more" });
        let safe = script_safe_json(&value);
        assert!(!safe.contains('<') && !safe.contains('>') && !safe.contains('&'));
        let back: serde_json::Value = serde_json::from_str(&safe).unwrap();
        assert_eq!(back, value);
    }
}
