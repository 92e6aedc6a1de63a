//! The HTML encoding (17-069r4, 7.7 and the HTML class): pages in the
//! site's theme (`templates/ogcapi/`), German or English, with no script
//! and no inline style (the site's policy), no cookie, headings, captions
//! and landmarks for screen readers.

use axum::body::Body;
use axum::http::{HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use numis_cms::Lang;
use serde_json::{Value, json};

use super::error::OgcError;
use super::{Ogc, ROOT};

/// Renders `ogcapi/{template}.html.twig` with `data` as `page.data`.
pub fn render(ogc: &Ogc, path: &str, template: &str, title: &str, data: Value) -> Response<Body> {
    let site = ogc.state.site();
    let alternates: Vec<(Lang, String)> = Lang::ALL
        .iter()
        .map(|lang| {
            let mut query = ogc.kept_pairs(&["lang"]);
            query.push(("f", "html"));
            query.push(("lang", lang.as_str()));
            (*lang, ogc.url(path, &query))
        })
        .collect();
    let page = json!({
        "title": title,
        "template": "ogcapi",
        "account": false,
        "url": format!("{ROOT}{path}"),
        "data": data,
    });
    let name = format!("ogcapi/{template}.html.twig");
    match site.render_app(ogc.lang, &name, page, &alternates) {
        Ok(html) => answer(StatusCode::OK, html),
        Err(e) => {
            tracing::error!(error = %e, "OGC API page failed");
            let text = site.text(ogc.lang, "THEME.ERROR");
            answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                site.render_error(ogc.lang.as_str(), 500, &text),
            )
        }
    }
}

/// A refusal as the theme's error page.
pub fn error(ogc: &Ogc, error: &OgcError) -> Response<Body> {
    let site = ogc.state.site();
    let html = site.render_error(ogc.lang.as_str(), error.status.as_u16(), &error.description);
    let mut response = answer(error.status, html);
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn answer(status: StatusCode, html: String) -> Response<Body> {
    let mut response = (status, html).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    response
}
