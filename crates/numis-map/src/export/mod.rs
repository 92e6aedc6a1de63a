//! A layer's data as files for everyone (open-data downloads, clause L5):
//! GeoJSON (RFC 7946, longitude/latitude), KML (with the layer's styles),
//! GeoPackage (EPSG:25832) and CSV (point layers only; EPSG:25832 and
//! longitude/latitude), plus the licence note that goes with each file.
//!
//! Every writer reads the layer through a [`VisibleLayer`], whose
//! [`DataFeature`](crate::view::DataFeature)s carry no personal property
//! (clause L3): no file can contain one. Whether the caller may have the
//! layer at all (clause L7) and whether its data are open
//! ([`VisibleLayer::is_open_data`]) is decided before, by the caller.

mod csv;
mod geojson;
mod geopackage;
mod kml;
pub mod licence;

use geo::Geometry;

use crate::crs::Crs;
use crate::view::VisibleLayer;

pub use licence::{LicenceNote, licence_title};

/// Why a file could not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ExportError {
    /// The format is not offered for this layer (CSV of lines or areas).
    #[error("{format} is offered for point layers only")]
    NotOffered {
        /// The format asked for.
        format: &'static str,
    },
    /// A feature has no geometry in the CRS the format needs.
    #[error("feature {index} cannot be given in {crs}")]
    Geometry {
        /// Its position.
        index: usize,
        /// The CRS.
        crs: &'static str,
    },
    /// SQLite refused (GeoPackage).
    #[error("GeoPackage: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// A temporary file could not be written or read (GeoPackage).
    #[error("temporary file: {0}")]
    Io(#[from] std::io::Error),
    /// A geometry could not be encoded as WKB (GeoPackage).
    #[error("WKB: {0}")]
    Wkb(String),
    /// The CSV writer failed.
    #[error("CSV: {0}")]
    Csv(#[from] ::csv::Error),
}

/// The file formats a layer's data are offered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DataFormat {
    /// GeoJSON, RFC 7946 (CRS84).
    GeoJson,
    /// KML 2.2 with the layer's styles.
    Kml,
    /// OGC GeoPackage in EPSG:25832.
    GeoPackage,
    /// CSV with coordinates in EPSG:25832 and longitude/latitude (points).
    Csv,
}

impl DataFormat {
    /// Every format, in the order they are offered.
    pub const ALL: [DataFormat; 4] = [Self::GeoJson, Self::Kml, Self::GeoPackage, Self::Csv];

    /// Its id in URLs and statistics.
    pub fn id(self) -> &'static str {
        match self {
            Self::GeoJson => "geojson",
            Self::Kml => "kml",
            Self::GeoPackage => "gpkg",
            Self::Csv => "csv",
        }
    }

    /// The format of an id ([`DataFormat::id`]).
    pub fn parse(id: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.id() == id)
    }

    /// Its name for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::GeoJson => "GeoJSON",
            Self::Kml => "KML",
            Self::GeoPackage => "GeoPackage",
            Self::Csv => "CSV",
        }
    }

    /// The file's extension.
    pub fn extension(self) -> &'static str {
        match self {
            Self::GeoJson => "geojson",
            Self::Kml => "kml",
            Self::GeoPackage => "gpkg",
            Self::Csv => "csv",
        }
    }

    /// Its media type.
    pub fn media_type(self) -> &'static str {
        match self {
            Self::GeoJson => "application/geo+json",
            Self::Kml => "application/vnd.google-earth.kml+xml",
            Self::GeoPackage => "application/geopackage+sqlite3",
            Self::Csv => "text/csv; charset=utf-8",
        }
    }

    /// The coordinate reference system of the file.
    pub fn crs(self) -> &'static str {
        match self {
            Self::GeoJson | Self::Kml => "OGC:CRS84",
            Self::GeoPackage => "EPSG:25832",
            Self::Csv => "EPSG:25832, OGC:CRS84",
        }
    }

    /// Is this format offered for `layer`? CSV only for points.
    pub fn offered_for(self, layer: &VisibleLayer<'_>) -> bool {
        self != Self::Csv || is_point_layer(layer)
    }
}

/// What a file says about where it comes from (KML's document name and
/// description).
#[derive(Debug, Clone, Copy)]
pub struct Provenance<'a> {
    /// The language of texts in the file ("de" or "en").
    pub lang: &'a str,
    /// The portal's name.
    pub portal: &'a str,
}

/// The formats offered for `layer`.
pub fn formats_for(layer: &VisibleLayer<'_>) -> Vec<DataFormat> {
    DataFormat::ALL
        .into_iter()
        .filter(|f| f.offered_for(layer))
        .collect()
}

/// Writes every feature of `layer` in `format`.
pub fn write(
    layer: &VisibleLayer<'_>,
    format: DataFormat,
    provenance: Provenance<'_>,
) -> Result<Vec<u8>, ExportError> {
    match format {
        DataFormat::GeoJson => geojson::write(layer),
        DataFormat::Kml => kml::write(layer, provenance),
        DataFormat::GeoPackage => geopackage::write(layer),
        DataFormat::Csv => csv::write(layer),
    }
}

/// Does `layer` hold points only (and at least one)?
pub fn is_point_layer(layer: &VisibleLayer<'_>) -> bool {
    layer.feature_count() > 0
        && (0..layer.feature_count())
            .all(|i| matches!(layer.geometry(Crs::Utm32, i), Some(Geometry::Point(_))))
}

/// Feature `index` of `layer` in `crs`, or the error naming it.
fn geometry_of(
    layer: &VisibleLayer<'_>,
    crs: Crs,
    index: usize,
) -> Result<Geometry<f64>, ExportError> {
    layer.geometry(crs, index).ok_or(ExportError::Geometry {
        index,
        crs: crs.code(),
    })
}

/// A property value as text: strings as they are, nothing for null,
/// numbers, booleans, lists and objects as JSON.
fn value_text(value: &serde_json::Value) -> String {
    crate::style::as_text(value)
}

/// `name` made unique among `taken` (compared without case, as SQLite
/// and most tools compare column names): `name`, `name_2`, `name_3` …
fn unique_name(name: &str, taken: &[String]) -> String {
    let clash = |candidate: &str| taken.iter().any(|t| t.eq_ignore_ascii_case(candidate));
    if !clash(name) {
        return name.to_owned();
    }
    (2..)
        .map(|n| format!("{name}_{n}"))
        .find(|candidate| !clash(candidate))
        .unwrap_or_else(|| name.to_owned())
}

/// Column names for `properties` after the fixed `reserved` columns,
/// each unique.
fn column_names(reserved: &[&str], properties: &[&str]) -> Vec<String> {
    let mut taken: Vec<String> = reserved.iter().map(|r| (*r).to_owned()).collect();
    let mut out = Vec::with_capacity(properties.len());
    for name in properties {
        let unique = unique_name(name, &taken);
        taken.push(unique.clone());
        out.push(unique);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::catalog::Catalog;
    use crate::catalog::tests::site;
    use crate::view::Caller;

    /// A site with a point layer (a personal field) and an area layer.
    pub(crate) const LAYERS: &str = r##"
        [[layer]]
        id = "orte"
        title = { de = "Orte", en = "Places" }
        source = { type = "geojson", path = "points.geojson" }
        personal = ["owner"]
        licence = { id = "CC-BY-4.0", url = "https://creativecommons.org/licenses/by/4.0/" }
        attribution = "Beispiel"
        [[layer.rule]]
        fill = "#ff0000"
        symbol = "circle"
        label = { field = "name" }
    "##;

    pub(crate) fn with_catalog(check: impl FnOnce(VisibleLayer<'_>)) {
        let dir = site(LAYERS);
        let catalog = Catalog::load(dir.path()).unwrap().unwrap();
        let caller = Caller::default();
        let layer = catalog.view(&caller).layer("orte").unwrap();
        check(layer);
    }

    #[test]
    fn formats_parse_from_their_ids_and_csv_needs_points() {
        for format in DataFormat::ALL {
            assert_eq!(DataFormat::parse(format.id()), Some(format));
        }
        assert_eq!(DataFormat::parse("shp"), None);
        with_catalog(|layer| {
            assert!(is_point_layer(&layer));
            assert_eq!(formats_for(&layer), DataFormat::ALL);
        });
    }

    #[test]
    fn clashing_column_names_get_a_number() {
        assert_eq!(
            column_names(&["fid", "geom"], &["FID", "name", "name_2", "Name"]),
            ["FID_2", "name", "name_2", "Name_3"]
        );
    }
}
