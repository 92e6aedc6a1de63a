//! Compressed answers, as every production web server gives them.
//!
//! Two paths: the viewer's bundle is compressed once at build time
//! (`web/build.mjs` writes brotli and gzip twins), and its route picks the
//! twin with [`preferred_encoding`]; every other text answer (pages, WMS
//! capabilities and feature info, JSON, GeoJSON, KML, GPX, SVG) is
//! compressed on the fly by [`layer`]. Images are never compressed again:
//! PNG and JPEG are compressed formats, and recompressing map tiles would
//! only cost GetMap throughput.

use axum::http::{HeaderMap, header};
use tower_http::compression::predicate::Predicate;
use tower_http::compression::{CompressionLayer, CompressionLevel};

/// Smaller bodies fit in one packet either way; compressing them only
/// costs time.
const MIN_COMPRESSED_BYTES: u64 = 512;

/// Brotli and gzip level for answers compressed per request: level 4 keeps
/// most of the gain (capabilities shrink about tenfold) at a fraction of
/// the cost of the highest levels, which only the build can afford.
const DYNAMIC_LEVEL: i32 = 4;

/// The response compression layer for dynamic text answers.
pub fn layer() -> CompressionLayer<TextOnly> {
    CompressionLayer::new()
        .quality(CompressionLevel::Precise(DYNAMIC_LEVEL))
        .compress_when(TextOnly)
}

/// Compress text formats of a useful size, nothing else. An allow-list
/// rather than tower-http's deny-list: a format numis adds later (a PDF, a
/// GeoPackage download) stays uncompressed until someone decides otherwise.
#[derive(Debug, Clone, Copy, Default)]
pub struct TextOnly;

impl Predicate for TextOnly {
    fn should_compress<B>(&self, response: &axum::http::Response<B>) -> bool
    where
        B: axum::body::HttpBody,
    {
        let big_enough = response
            .body()
            .size_hint()
            .exact()
            .is_none_or(|size| size >= MIN_COMPRESSED_BYTES);
        let text = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(is_text);
        big_enough && text
    }
}

/// Is this media type text that compresses well?
fn is_text(content_type: &str) -> bool {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence.starts_with("text/")
        || essence.ends_with("+xml")
        || essence.ends_with("+json")
        || matches!(
            essence.as_str(),
            "application/json"
                | "application/xml"
                | "application/javascript"
                | "application/vnd.ogc.wms_xml"
                | "application/vnd.ogc.se_xml"
        )
}

/// A content coding numis can answer with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Encoding {
    /// `br`
    Brotli,
    /// `gzip`
    Gzip,
    /// No coding.
    Identity,
}

impl Encoding {
    /// The `Content-Encoding` value, `None` for identity.
    pub fn header_value(self) -> Option<&'static str> {
        match self {
            Self::Brotli => Some("br"),
            Self::Gzip => Some("gzip"),
            Self::Identity => None,
        }
    }
}

/// The coding to answer with, from the request's `Accept-Encoding`
/// (RFC 9110, 12.5.3): the highest quality value wins, brotli before gzip
/// at equal quality (it is smaller); `q=0` refuses a coding; `*` stands for
/// codings not named. Without the header, or when nothing offered is
/// accepted, the answer is not encoded.
pub fn preferred_encoding(headers: &HeaderMap) -> Encoding {
    let mut brotli: Option<f32> = None;
    let mut gzip: Option<f32> = None;
    let mut any: Option<f32> = None;
    for value in headers.get_all(header::ACCEPT_ENCODING) {
        let Ok(value) = value.to_str() else { continue };
        for item in value.split(',') {
            let mut parts = item.split(';');
            let coding = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let quality = parts
                .filter_map(|p| p.trim().strip_prefix("q=").or(p.trim().strip_prefix("Q=")))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0)
                .clamp(0.0, 1.0);
            match coding.as_str() {
                "br" => brotli = Some(quality),
                "gzip" | "x-gzip" => gzip = Some(quality),
                "*" => any = Some(quality),
                _ => {}
            }
        }
    }
    let brotli = brotli.or(any).unwrap_or(0.0);
    let gzip = gzip.or(any).unwrap_or(0.0);
    if brotli > 0.0 && brotli >= gzip {
        Encoding::Brotli
    } else if gzip > 0.0 {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accepting(value: &str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        headers
    }

    #[test]
    fn brotli_wins_where_a_browser_accepts_it() {
        assert_eq!(
            preferred_encoding(&accepting("gzip, deflate, br, zstd")),
            Encoding::Brotli
        );
        assert_eq!(preferred_encoding(&accepting("gzip")), Encoding::Gzip);
        assert_eq!(preferred_encoding(&HeaderMap::new()), Encoding::Identity);
        assert_eq!(
            preferred_encoding(&accepting("deflate")),
            Encoding::Identity
        );
    }

    #[test]
    fn quality_values_are_honoured() {
        assert_eq!(
            preferred_encoding(&accepting("br;q=0.5, gzip;q=0.9")),
            Encoding::Gzip
        );
        assert_eq!(
            preferred_encoding(&accepting("br;q=0, gzip;q=0")),
            Encoding::Identity
        );
        assert_eq!(preferred_encoding(&accepting("*")), Encoding::Brotli);
        assert_eq!(
            preferred_encoding(&accepting("*;q=0.1, br;q=0")),
            Encoding::Gzip
        );
    }

    #[test]
    fn only_text_is_compressed() {
        for text in [
            "text/html; charset=utf-8",
            "application/json",
            "application/geo+json",
            "application/vnd.google-earth.kml+xml",
            "application/gpx+xml",
            "image/svg+xml",
            "text/xml",
            "application/vnd.ogc.wms_xml",
        ] {
            assert!(is_text(text), "{text}");
        }
        for binary in [
            "image/png",
            "image/jpeg",
            "application/vnd.google-earth.kmz",
            "application/octet-stream",
        ] {
            assert!(!is_text(binary), "{binary}");
        }
    }
}
