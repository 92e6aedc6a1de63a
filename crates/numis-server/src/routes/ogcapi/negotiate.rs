//! What a request asks for: JSON or HTML (`f=json|html`, else the
//! `Accept` header; OGC 17-069r4, 7.8), and German or English (`lang`,
//! else `Accept-Language`).

use axum::http::{HeaderMap, header};
use numis_cms::Lang;

/// The encoding of an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON (GeoJSON for features): what machine clients get by default.
    Json,
    /// An HTML page in the site's theme.
    Html,
}

/// Why no format can be chosen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatError {
    /// `f` names something else (400).
    Unknown(String),
    /// `Accept` lists only types we do not serve (406).
    NotAcceptable,
}

impl Format {
    /// The format of a request: `f` wins; without it the `Accept` header
    /// decides by quality, JSON on a tie (and with no header at all).
    pub fn of(f: Option<&str>, headers: &HeaderMap) -> Result<Self, FormatError> {
        if let Some(f) = f {
            return match f.trim().to_ascii_lowercase().as_str() {
                "json" | "geojson" | "application/json" | "application/geo+json" => Ok(Self::Json),
                "html" | "text/html" => Ok(Self::Html),
                _ => Err(FormatError::Unknown(f.to_owned())),
            };
        }
        let Some(accept) = headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .filter(|v| !v.trim().is_empty())
        else {
            return Ok(Self::Json);
        };
        let (mut json, mut html) = (0.0_f32, 0.0_f32);
        for item in accept.split(',') {
            let mut parts = item.split(';');
            let media = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            match media.as_str() {
                "application/json"
                | "application/geo+json"
                | "application/vnd.oai.openapi+json"
                | "application/schema+json"
                | "application/*" => json = json.max(quality),
                "text/html" | "application/xhtml+xml" | "text/*" => html = html.max(quality),
                "*/*" => {
                    json = json.max(quality);
                    html = html.max(quality);
                }
                _ => {}
            }
        }
        if json <= 0.0 && html <= 0.0 {
            Err(FormatError::NotAcceptable)
        } else if html > json {
            Ok(Self::Html)
        } else {
            Ok(Self::Json)
        }
    }
}

/// The language of a request: `lang`, else the first of `Accept-Language`
/// that numis speaks, else German.
pub fn lang_of(lang: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(lang) = lang.and_then(Lang::parse) {
        return lang;
    }
    headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .filter_map(|item| item.split(';').next())
                .find_map(Lang::parse)
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn with(name: header::HeaderName, value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(name, HeaderValue::from_str(value).unwrap());
        headers
    }

    #[test]
    fn f_wins_then_accept_decides_and_json_is_the_default() {
        let browser = with(
            header::ACCEPT,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        );
        assert_eq!(Format::of(None, &browser), Ok(Format::Html));
        assert_eq!(Format::of(Some("json"), &browser), Ok(Format::Json));
        assert_eq!(Format::of(None, &HeaderMap::new()), Ok(Format::Json));
        let gdal = with(header::ACCEPT, "application/geo+json, application/json");
        assert_eq!(Format::of(None, &gdal), Ok(Format::Json));
        assert_eq!(
            Format::of(None, &with(header::ACCEPT, "*/*")),
            Ok(Format::Json)
        );
        assert_eq!(
            Format::of(None, &with(header::ACCEPT, "application/xml")),
            Err(FormatError::NotAcceptable)
        );
        assert_eq!(
            Format::of(Some("xml"), &HeaderMap::new()),
            Err(FormatError::Unknown("xml".into()))
        );
    }

    #[test]
    fn lang_wins_then_accept_language_then_german() {
        let english = with(header::ACCEPT_LANGUAGE, "fr-FR, en-GB;q=0.8, de;q=0.5");
        assert_eq!(lang_of(None, &english), Lang::En);
        assert_eq!(lang_of(Some("de"), &english), Lang::De);
        assert_eq!(lang_of(None, &HeaderMap::new()), Lang::De);
    }
}
