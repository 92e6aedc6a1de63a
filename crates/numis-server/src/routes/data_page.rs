//! The catalogue of open data, `/daten` (English `/en/data`): a page in
//! the site's theme listing every open layer the visitor may see with its
//! licence, source note, date, number of features and a download per
//! format with its size (clause L5), then the interfaces (OGC API –
//! Features, WMS, the JSON list). No script, no cookie.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Response, header};
use axum::response::IntoResponse;
use axum::routing::get;
use numis_cms::{Lang, data_url};
use numis_map::view::Caller;
use serde_json::{Value, json};

use crate::cache::cacheable;
use crate::caller::RequestCaller;
use crate::error::ApiError;
use crate::events::Event;
use crate::origin::public_base;
use crate::routes::data::{LayerOffer, building, offers};
use crate::state::AppState;

const HTML: &str = "text/html; charset=utf-8";

/// `/daten` and `/en/data`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/daten", get(german))
        .route("/en/data", get(english))
}

async fn german(
    state: State<AppState>,
    headers: HeaderMap,
    caller: RequestCaller,
) -> Response<Body> {
    page(state, Lang::De, headers, caller).await
}

async fn english(
    state: State<AppState>,
    headers: HeaderMap,
    caller: RequestCaller,
) -> Response<Body> {
    page(state, Lang::En, headers, caller).await
}

/// `1.234` or `1,234`.
fn grouped(lang: Lang, value: u64) -> String {
    let digits = value.to_string();
    let separator = if lang == Lang::En { ',' } else { '.' };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(c);
    }
    out
}

/// Bytes in B, kB or MB (decimal units), one decimal from kB up.
fn size_text(lang: Lang, bytes: u64) -> String {
    let (value, unit) = match bytes {
        b if b < 1000 => return format!("{} B", grouped(lang, b)),
        b if b < 1_000_000 => (b as f64 / 1e3, "kB"),
        b => (b as f64 / 1e6, "MB"),
    };
    let text = format!("{value:.1}");
    let text = if lang == Lang::De {
        text.replace('.', ",")
    } else {
        text
    };
    format!("{text} {unit}")
}

fn layer_json(lang: Lang, layer: &LayerOffer) -> Value {
    let mut value = serde_json::to_value(layer).unwrap_or(Value::Null);
    value["feature_count_text"] = Value::from(grouped(lang, layer.feature_count as u64));
    if let Some(formats) = value["formats"].as_array_mut() {
        for (file, offer) in formats.iter_mut().zip(&layer.formats) {
            file["size_text"] = Value::from(size_text(lang, offer.size));
        }
    }
    value
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    headers: HeaderMap,
    RequestCaller(caller): RequestCaller,
) -> Response<Body> {
    let site = state.site();
    let anonymous = caller == Caller::default();
    let layers = match state.map() {
        Some(map) => {
            let base = public_base(&headers);
            let code = lang.as_str();
            match building(&map, move |map| offers(map, &caller, code, &base)).await {
                Ok(layers) => layers,
                Err(e) => return e.into_response(),
            }
        }
        None => Vec::new(),
    };
    let suffix = if lang == Lang::En { "?lang=en" } else { "" };
    let page = json!({
        "title": site.text(lang, "DATA.TITLE"),
        "template": "data",
        "url": data_url(lang),
        "data": {
            "layers": layers.iter().map(|l| layer_json(lang, l)).collect::<Vec<_>>(),
            "ogcapi_url": "/ogcapi",
            "wms_url": "/ows?SERVICE=WMS&REQUEST=GetCapabilities",
            "api_url": format!("/api/data{suffix}"),
        },
    });
    let alternates = [
        (Lang::De, data_url(Lang::De).to_owned()),
        (Lang::En, data_url(Lang::En).to_owned()),
    ];
    let label = data_url(lang);
    match site.render_app(lang, "data.html.twig", page, &alternates) {
        Ok(html) => {
            state.events.count(Event::PageView, Some(label));
            let mut response = cacheable(&headers, HTML, html, None);
            // With a login the page may list restricted layers: only
            // that browser may keep it.
            if !anonymous {
                response.headers_mut().insert(
                    header::CACHE_CONTROL,
                    HeaderValue::from_static("private, no-store"),
                );
            }
            response
        }
        Err(e) => {
            tracing::error!(error = %e, "open data page failed");
            ApiError::internal(e).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_and_sizes_read_as_in_the_language() {
        assert_eq!(grouped(Lang::De, 1_234_567), "1.234.567");
        assert_eq!(grouped(Lang::En, 996), "996");
        assert_eq!(size_text(Lang::De, 999), "999 B");
        assert_eq!(size_text(Lang::De, 1_260_000), "1,3 MB");
        assert_eq!(size_text(Lang::En, 12_345), "12.3 kB");
    }
}
