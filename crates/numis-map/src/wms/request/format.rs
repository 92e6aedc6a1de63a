//! Output and exception formats: FORMAT (the engine's [`ImageFormat`]),
//! INFO_FORMAT and EXCEPTIONS, each read case-insensitively.

pub use crate::render::ImageFormat;

/// How the client wants exceptions reported (EXCEPTIONS).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ExceptionFormat {
    /// A `ServiceExceptionReport` document.
    #[default]
    Xml,
    /// The message drawn into an image of the requested size and format.
    InImage,
    /// An empty image of the requested size (transparent or BGCOLOR).
    Blank,
}

impl ExceptionFormat {
    /// Reads an EXCEPTIONS value in the 1.3.0 (`XML`, `INIMAGE`, `BLANK`)
    /// or 1.1.1 (`application/vnd.ogc.se_xml`, …) spelling, case-insensitively;
    /// `text/xml` means XML.
    pub fn parse(format: &str) -> Option<Self> {
        match format.trim().to_ascii_lowercase().as_str() {
            "xml" | "application/vnd.ogc.se_xml" | "text/xml" => Some(Self::Xml),
            "inimage" | "application/vnd.ogc.se_inimage" => Some(Self::InImage),
            "blank" | "application/vnd.ogc.se_blank" => Some(Self::Blank),
            _ => None,
        }
    }
}

/// A GetFeatureInfo output format (INFO_FORMAT).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum InfoFormat {
    /// `text/html`: a small self-contained HTML document.
    #[default]
    Html,
    /// `application/json` (also `application/geo+json`, `application/geojson`): GeoJSON.
    Json,
    /// `text/plain`: MapServer-style text.
    Text,
    /// `text/xml` (also `application/vnd.ogc.gml`, `application/vnd.ogc.wms_xml`): msGMLOutput.
    Xml,
}

impl InfoFormat {
    /// The MIME types to advertise.
    pub const MIME_TYPES: [&'static str; 5] = [
        "text/html",
        "application/json",
        "text/plain",
        "text/xml",
        "application/vnd.ogc.gml",
    ];

    /// Reads an INFO_FORMAT value, case-insensitively; parameters such as
    /// `; charset=utf-8` are ignored.
    pub fn parse(format: &str) -> Option<Self> {
        let mime = format
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "text/html" => Some(Self::Html),
            "application/json" | "application/geo+json" | "application/geojson" => Some(Self::Json),
            "text/plain" => Some(Self::Text),
            "text/xml" | "application/vnd.ogc.gml" | "application/vnd.ogc.wms_xml" => {
                Some(Self::Xml)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::wms::ExceptionCode;

    #[test]
    fn formats_are_read_case_insensitively() {
        for (format, expected) in [
            ("image/png", ImageFormat::Png),
            ("IMAGE/PNG", ImageFormat::Png),
            ("image/png; mode=8bit", ImageFormat::Png8),
            ("image/png;+mode=8bit", ImageFormat::Png8),
            ("image/PNG8", ImageFormat::Png8),
            ("image/jpeg", ImageFormat::Jpeg),
        ] {
            assert_eq!(
                get_map(&[("FORMAT", format)]).unwrap().format,
                expected,
                "{format}"
            );
        }
        let error = assert_error(
            get_map(&[("FORMAT", "image/gif")]),
            ExceptionCode::InvalidFormat,
            "FORMAT",
        );
        assert!(error.message.contains("image/png; mode=8bit"), "{error}");
        assert_error(
            get_map(&[("FORMAT", "")]),
            ExceptionCode::MissingParameterValue,
            "FORMAT",
        );
    }
}
