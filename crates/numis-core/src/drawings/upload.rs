//! Importing an upload: which format it is (from the declared content
//! type, else from the bytes) and reading it into the feature model under
//! the configured limits, with descriptions sanitised by `numis-formats`.

use numis_formats::{Drawing, Format, Limits};

use super::error::{DrawingError, Result};

/// An uploaded document: its bytes and the content type it was sent with.
#[derive(Debug, Clone, Copy)]
pub struct Upload<'a> {
    /// The document as received.
    pub bytes: &'a [u8],
    /// The declared content type (`Content-Type`), if any.
    pub content_type: Option<&'a str>,
}

impl<'a> Upload<'a> {
    /// `bytes` sent as `content_type`.
    pub fn new(bytes: &'a [u8], content_type: Option<&'a str>) -> Self {
        Self {
            bytes,
            content_type,
        }
    }

    /// The format it is read as, if numis reads it at all.
    pub fn format(&self) -> Option<Format> {
        format_of(self).ok()
    }
}

/// `upload` read into the feature model under `limits`.
pub(crate) fn read(upload: &Upload<'_>, limits: &Limits) -> Result<Drawing> {
    if upload.bytes.len() as u64 > limits.max_bytes {
        return Err(DrawingError::TooLarge {
            limit: limits.max_bytes,
        });
    }
    let format = format_of(upload)?;
    numis_formats::read(upload.bytes, format, limits).map_err(DrawingError::Unreadable)
}

/// The format of an upload. `application/json` is GeoJSON here; the bytes
/// decide only when the declared type says nothing specific.
fn format_of(upload: &Upload<'_>) -> Result<Format> {
    let declared = upload.content_type.map(|ct| {
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
        ) => Format::detect(upload.bytes, upload.content_type),
        None | Some("application/octet-stream") => Format::detect(upload.bytes, None),
        Some(other) => {
            return Err(DrawingError::UnsupportedType {
                content_type: other.to_owned(),
            });
        }
    };
    format.ok_or_else(|| {
        DrawingError::Invalid("the upload is neither GeoJSON, KML, KMZ nor GPX".to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const POINT: &[u8] = br#"{"type":"Point","coordinates":[9.73,52.37]}"#;

    #[test]
    fn the_declared_type_decides_and_the_bytes_only_when_it_says_nothing() {
        let kml = br#"<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><Point><coordinates>9.7,52.3</coordinates></Point></Placemark></kml>"#;
        for content_type in [
            None,
            Some("application/octet-stream"),
            Some("application/vnd.google-earth.kml+xml; charset=utf-8"),
        ] {
            let drawing = read(&Upload::new(kml, content_type), &Limits::default()).unwrap();
            assert_eq!(drawing.features.len(), 1, "{content_type:?}");
        }
        assert_eq!(
            read(
                &Upload::new(POINT, Some("Application/JSON")),
                &Limits::default()
            )
            .unwrap()
            .features
            .len(),
            1
        );
    }

    #[test]
    fn other_types_and_unknown_bytes_are_refused_saying_why() {
        let refused = read(&Upload::new(POINT, Some("text/html")), &Limits::default());
        assert!(
            matches!(&refused, Err(DrawingError::UnsupportedType { content_type }) if content_type == "text/html"),
            "{refused:?}"
        );
        let unknown = read(&Upload::new(b"hello", None), &Limits::default()).unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "the upload is neither GeoJSON, KML, KMZ nor GPX"
        );
    }

    #[test]
    fn an_upload_over_the_byte_limit_is_not_read() {
        let limits = Limits {
            max_bytes: 10,
            ..Limits::default()
        };
        let refused = read(&Upload::new(POINT, None), &limits).unwrap_err();
        assert!(
            matches!(refused, DrawingError::TooLarge { limit: 10 }),
            "{refused:?}"
        );
    }
}
