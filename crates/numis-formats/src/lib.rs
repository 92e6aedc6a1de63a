//! Reading and writing the vector formats citizens bring to numis: KML 2.2
//! (and KMZ), GPX 1.0/1.1 and GeoJSON (RFC 7946), all into one
//! [`Drawing`] model, and back out as KML (with styles), GPX and GeoJSON.
//!
//! Every input is treated as hostile: sizes are bounded by [`Limits`],
//! XML entities are never expanded, descriptions are reduced to safe HTML,
//! names to plain text, and anything we cannot represent is refused with a
//! message naming the problem (and the line, for XML). No HTTP here, and
//! nothing is ever fetched: `NetworkLink` is refused, icon URLs are kept
//! only as data.
//!
//! ```
//! use numis_formats::{read, write_geojson, Format, Limits};
//!
//! let kml = br#"<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark>
//!   <name>Summit</name><Point><coordinates>7.5,46.5,2000</coordinates></Point>
//! </Placemark></kml>"#;
//! let format = Format::detect(kml, None).unwrap();
//! let drawing = read(kml, format, &Limits::default()).unwrap();
//! assert_eq!(drawing.features[0].name.as_deref(), Some("Summit"));
//! assert!(write_geojson(&drawing).contains("\"Summit\""));
//! ```

mod coords;
pub mod error;
pub mod geojson;
pub mod gpx;
pub mod kml;
pub mod kmz;
mod limits;
pub mod model;
pub mod text;
mod xml;

pub use error::{FormatError, LimitKind, Result};
pub use limits::{DEFAULT_MAX_BYTES, DEFAULT_MAX_FEATURES, DEFAULT_MAX_VERTICES, Limits};
pub use model::{Drawing, Feature, Rgba, Style};

/// The file formats this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// KML 2.2 (also 2.0/2.1 and the earth.google.com namespaces).
    Kml,
    /// Zipped KML.
    Kmz,
    /// GPX 1.0 or 1.1.
    Gpx,
    /// GeoJSON (RFC 7946).
    GeoJson,
}

impl Format {
    /// Recognises the format from a specific content type, else from the
    /// bytes (zip signature, JSON start, XML root element).
    pub fn detect(bytes: &[u8], content_type: Option<&str>) -> Option<Format> {
        let essence = content_type
            .and_then(|ct| ct.split(';').next())
            .map(|ct| ct.trim().to_ascii_lowercase());
        match essence.as_deref() {
            Some("application/vnd.google-earth.kml+xml") => return Some(Format::Kml),
            Some("application/vnd.google-earth.kmz") => return Some(Format::Kmz),
            Some("application/gpx+xml") => return Some(Format::Gpx),
            Some("application/geo+json") => return Some(Format::GeoJson),
            _ => {}
        }
        if bytes.starts_with(b"PK\x03\x04") {
            return Some(Format::Kmz);
        }
        let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
        let start = text
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .map(|i| &text[i..])?;
        if start.starts_with(b"{") {
            return Some(Format::GeoJson);
        }
        if !start.starts_with(b"<") {
            return None;
        }
        // The root element comes after the declaration, comments and DOCTYPE.
        let mut head = String::from_utf8_lossy(&start[..start.len().min(8192)]).into_owned();
        while let Some(open) = head.find("<!--") {
            let close = head[open..]
                .find("-->")
                .map_or(head.len(), |i| open + i + 3);
            head.replace_range(open..close, "");
        }
        let root = head
            .match_indices('<')
            .map(|(i, _)| &head[i + 1..])
            .find(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic()))?;
        let name: String = root
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '_' || *c == '-')
            .collect();
        match name.rsplit(':').next() {
            Some("kml") => Some(Format::Kml),
            Some("gpx") => Some(Format::Gpx),
            _ => None,
        }
    }

    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Format::Kml => "kml",
            Format::Kmz => "kmz",
            Format::Gpx => "gpx",
            Format::GeoJson => "geojson",
        }
    }
}

/// A drawing plus notes on what was left out (e.g. skipped overlays).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Imported {
    /// The features read.
    pub drawing: Drawing,
    /// Human-readable notes on skipped content, e.g.
    /// `line 12: GroundOverlay skipped (overlays are not imported)`.
    pub notes: Vec<String>,
}

/// Reads `bytes` in the given format under `limits`.
pub fn read(bytes: &[u8], format: Format, limits: &Limits) -> Result<Drawing> {
    read_with_notes(bytes, format, limits).map(|imported| imported.drawing)
}

/// Like [`read`], also returning notes on skipped content.
pub fn read_with_notes(bytes: &[u8], format: Format, limits: &Limits) -> Result<Imported> {
    let content = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if content.iter().all(u8::is_ascii_whitespace) {
        return Err(FormatError::Empty);
    }
    let (drawing, notes) = match format {
        Format::Kml => kml::read_with_notes(bytes, limits)?,
        Format::Kmz => kmz::read_with_notes(bytes, limits)?,
        Format::Gpx => (gpx::read(bytes, limits)?, Vec::new()),
        Format::GeoJson => (geojson::read(bytes, limits)?, Vec::new()),
    };
    Ok(Imported { drawing, notes })
}

/// Writes a KML 2.2 document with one shared style per distinct style.
pub fn write_kml(drawing: &Drawing) -> String {
    kml::write(drawing)
}

/// Writes GPX 1.1; polygons become tracks of their outer rings.
pub fn write_gpx(drawing: &Drawing) -> String {
    gpx::write(drawing)
}

/// Writes a GeoJSON FeatureCollection with simplestyle properties.
pub fn write_geojson(drawing: &Drawing) -> String {
    geojson::write(drawing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_are_detected_from_content_type_or_bytes() {
        assert_eq!(
            Format::detect(b"", Some("application/gpx+xml; charset=utf-8")),
            Some(Format::Gpx)
        );
        assert_eq!(Format::detect(b"PK\x03\x04...", None), Some(Format::Kmz));
        assert_eq!(
            Format::detect(b"\xEF\xBB\xBF \n{\"type\":1}", Some("application/json")),
            Some(Format::GeoJson)
        );
        assert_eq!(
            Format::detect(b"<?xml version=\"1.0\"?><!-- <x> --><kml:kml>", None),
            Some(Format::Kml)
        );
        assert_eq!(
            Format::detect(b"<gpx version=\"1.1\">", Some("text/xml")),
            Some(Format::Gpx)
        );
        assert_eq!(Format::detect(b"<html>", None), None);
        assert_eq!(Format::detect(b"", None), None);
    }

    #[test]
    fn empty_input_is_refused_clearly() {
        for format in [Format::Kml, Format::Kmz, Format::Gpx, Format::GeoJson] {
            let err = read(b" \n", format, &Limits::default()).unwrap_err();
            assert_eq!(err.to_string(), "the file is empty");
        }
    }
}
