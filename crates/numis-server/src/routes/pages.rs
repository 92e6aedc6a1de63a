//! Content pages from the Grav tree, plus `sitemap.xml` and `robots.txt`.
//! Pages are the router's fallback: every path no other router claims is
//! looked up in the page tree.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, Response, StatusCode, Uri, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_cms::{Resolved, Site};

use crate::access::{RouteLabel, UNMATCHED_ROUTE};
use crate::cache::cacheable;
use crate::events::Event;
use crate::origin::public_base;
use crate::state::AppState;

const HTML: &str = "text/html; charset=utf-8";

/// 405 with the methods pages do answer.
fn method_not_allowed() -> Response<Body> {
    let mut response = (
        StatusCode::METHOD_NOT_ALLOWED,
        "Pages answer GET and HEAD only.\n",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::ALLOW, HeaderValue::from_static("GET, HEAD"));
    response
}

/// `sitemap.xml`, `robots.txt`; [`page`] is the application's fallback.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/sitemap.xml", get(sitemap))
        .route("/robots.txt", get(robots))
}

/// Answers any other path from the page tree. Pages are read, never
/// written: any method but GET and HEAD (TRACE, CONNECT, POST …) is 405.
pub async fn page(
    State(state): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response<Body> {
    if method != Method::GET && method != Method::HEAD {
        return method_not_allowed();
    }
    let site = state.site();
    let path = percent_decode(uri.path());
    match site.resolve_request(&path, uri.query()) {
        Resolved::Page { node, lang } => {
            let label = site
                .page_url(node, &lang)
                .unwrap_or_else(|| UNMATCHED_ROUTE.to_owned());
            let mut response = match site.render(node, &lang) {
                Ok(page) => {
                    // The label is the operator's route, never the path
                    // asked for (clause P1). HEAD (uptime probes) is no
                    // reader.
                    if method == Method::GET {
                        state.events.count(Event::PageView, Some(&label));
                    }
                    cacheable(&headers, HTML, page.html.clone(), page.modified)
                }
                Err(e) => {
                    tracing::error!(route = %label, error = %e, "page cannot be shown");
                    error_page(
                        &site,
                        &lang,
                        StatusCode::INTERNAL_SERVER_ERROR,
                        &e.to_string(),
                    )
                }
            };
            response.extensions_mut().insert(RouteLabel(label));
            response
        }
        Resolved::Redirect { location, status } => {
            let status = StatusCode::from_u16(status).unwrap_or(StatusCode::FOUND);
            let mut response = status.into_response();
            if let Ok(value) = HeaderValue::from_str(&location) {
                response.headers_mut().insert(header::LOCATION, value);
            }
            response
        }
        Resolved::NotFound { lang } => not_found(&site, &lang),
    }
}

/// The themed 404 page.
pub fn not_found(site: &Site, lang: &str) -> Response<Body> {
    let message = if lang == "en" {
        "Page not found"
    } else {
        "Seite nicht gefunden"
    };
    error_page(site, lang, StatusCode::NOT_FOUND, message)
}

fn error_page(site: &Site, lang: &str, status: StatusCode, message: &str) -> Response<Body> {
    let html = site.render_error(lang, status.as_u16(), message);
    let mut response = (status, html).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(HTML));
    response
}

async fn sitemap(State(state): State<AppState>, headers: HeaderMap) -> Response<Body> {
    let site = state.site();
    let base = public_base(&headers);
    let mut xml = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    let mut urls = site.sitemap();
    // The catalogue of open data is numis' own page, beside the tree's.
    if state.map().is_some() {
        urls.extend(
            [numis_cms::Lang::De, numis_cms::Lang::En].map(|l| numis_cms::data_url(l).to_owned()),
        );
    }
    for url in urls {
        xml.push_str("  <url><loc>");
        xml.push_str(&xml_escape(&format!("{base}{url}")));
        xml.push_str("</loc></url>\n");
    }
    xml.push_str("</urlset>\n");
    cacheable(&headers, "application/xml; charset=utf-8", xml, None)
}

async fn robots(headers: HeaderMap) -> Response<Body> {
    let base = public_base(&headers);
    let text = format!(
        "User-agent: *\nDisallow: /api/\nDisallow: /admin/\nDisallow: /konto/\n\nSitemap: {base}/sitemap.xml\n"
    );
    cacheable(&headers, "text/plain; charset=utf-8", text, None)
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Decodes `%XX` escapes in a path (Grav routes may contain non-ASCII).
fn percent_decode(path: &str) -> String {
    percent_encoding::percent_decode_str(path)
        .decode_utf8_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_percent_decoded() {
        assert_eq!(percent_decode("/%C3%BCber"), "/über");
        assert_eq!(percent_decode("/100%"), "/100%");
    }
}
