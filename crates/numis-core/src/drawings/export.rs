//! The formats a drawing is written out in: GeoJSON, KML and GPX.

use numis_formats::Drawing;

/// A format drawings are exported (and uploads converted) to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// GeoJSON FeatureCollection with simplestyle properties.
    GeoJson,
    /// KML 2.2 with shared styles.
    Kml,
    /// GPX 1.1; polygons become tracks of their outer rings.
    Gpx,
}

impl ExportFormat {
    /// The format of a file extension or `?to=` value: `geojson` (or
    /// `json`), `kml`, `gpx`.
    pub fn from_name(name: &str) -> Option<Self> {
        match name {
            "geojson" | "json" => Some(Self::GeoJson),
            "kml" => Some(Self::Kml),
            "gpx" => Some(Self::Gpx),
            _ => None,
        }
    }

    /// The file extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::GeoJson => "geojson",
            Self::Kml => "kml",
            Self::Gpx => "gpx",
        }
    }

    /// The media type.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::GeoJson => "application/geo+json",
            Self::Kml => "application/vnd.google-earth.kml+xml",
            Self::Gpx => "application/gpx+xml",
        }
    }

    /// `drawing` written in this format.
    pub fn write(self, drawing: &Drawing) -> String {
        match self {
            Self::GeoJson => numis_formats::write_geojson(drawing),
            Self::Kml => numis_formats::write_kml(drawing),
            Self::Gpx => numis_formats::write_gpx(drawing),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_leads_to_its_format_and_back() {
        for format in [ExportFormat::GeoJson, ExportFormat::Kml, ExportFormat::Gpx] {
            assert_eq!(ExportFormat::from_name(format.extension()), Some(format));
        }
        assert_eq!(ExportFormat::from_name("json"), Some(ExportFormat::GeoJson));
        assert_eq!(ExportFormat::from_name("svg"), None);
        assert_eq!(ExportFormat::from_name("KML"), None, "names are exact");
    }
}
