//! The coordinate reference systems of OGC API – Features Part 2 (OGC
//! 18-058r1): their URIs, and the axis order each one's definition gives.
//!
//! CRS84 (longitude, latitude) is the default of Part 1; the data are
//! stored in EPSG:25832. EPSG:4326 and EPSG:4258 are defined latitude
//! first, and Part 2 requires coordinates in that order (18-058r1, 6.2),
//! unlike GeoJSON's own longitude-first rule, which holds for CRS84 only.

use numis_map::Crs;

/// The default CRS of Part 1.
pub const CRS84: &str = "http://www.opengis.net/def/crs/OGC/1.3/CRS84";
/// The CRS the data are stored in (`storageCrs`).
pub const STORAGE: OgcCrs = OgcCrs::Utm32;

/// A CRS offered for output and for `bbox-crs`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OgcCrs {
    /// OGC CRS84: longitude, latitude.
    Crs84,
    /// EPSG:25832, ETRS89 / UTM 32N: easting, northing (metres).
    Utm32,
    /// EPSG:3857, Pseudo-Mercator: easting, northing (metres).
    WebMercator,
    /// EPSG:4326, WGS 84: latitude, longitude.
    Wgs84,
    /// EPSG:4258, ETRS89: latitude, longitude.
    Etrs89,
}

/// Every offered CRS, the default first (the `crs` list of a collection).
pub const OFFERED: [OgcCrs; 5] = [
    OgcCrs::Crs84,
    OgcCrs::Utm32,
    OgcCrs::WebMercator,
    OgcCrs::Wgs84,
    OgcCrs::Etrs89,
];

impl OgcCrs {
    /// Reads a CRS URI as Part 2 writes it (also in its safe-CURIE form,
    /// `[EPSG:25832]`); `None` for one not offered.
    pub fn parse(uri: &str) -> Option<Self> {
        let uri = uri.trim();
        let curie = uri
            .strip_prefix('[')
            .and_then(|c| c.strip_suffix(']'))
            .map(str::to_ascii_uppercase);
        if let Some(curie) = curie {
            return match curie.as_str() {
                "OGC:CRS84" => Some(Self::Crs84),
                "EPSG:25832" => Some(Self::Utm32),
                "EPSG:3857" => Some(Self::WebMercator),
                "EPSG:4326" => Some(Self::Wgs84),
                "EPSG:4258" => Some(Self::Etrs89),
                _ => None,
            };
        }
        // `https` and a trailing slash are common spellings of the same URI.
        let uri = uri.trim_end_matches('/');
        let uri = uri
            .strip_prefix("https://")
            .map_or_else(|| uri.to_owned(), |rest| format!("http://{rest}"));
        OFFERED.into_iter().find(|crs| crs.uri() == uri)
    }

    /// The URI (`crs` members, the `Content-Crs` header).
    pub fn uri(self) -> &'static str {
        match self {
            Self::Crs84 => CRS84,
            Self::Utm32 => "http://www.opengis.net/def/crs/EPSG/0/25832",
            Self::WebMercator => "http://www.opengis.net/def/crs/EPSG/0/3857",
            Self::Wgs84 => "http://www.opengis.net/def/crs/EPSG/0/4326",
            Self::Etrs89 => "http://www.opengis.net/def/crs/EPSG/0/4258",
        }
    }

    /// The engine's CRS whose prepared geometries serve this one.
    /// EPSG:4326 and EPSG:4258 are CRS84 with the axes swapped: the engine
    /// treats the three as one datum (see `numis_map::crs`), so they share
    /// its prepared data instead of preparing two more copies.
    pub fn engine(self) -> Crs {
        match self {
            Self::Crs84 | Self::Wgs84 | Self::Etrs89 => Crs::Crs84,
            Self::Utm32 => Crs::Utm32,
            Self::WebMercator => Crs::WebMercator,
        }
    }

    /// Does the definition put latitude (northing) first?
    pub fn latitude_first(self) -> bool {
        matches!(self, Self::Wgs84 | Self::Etrs89)
    }

    /// Decimals kept in output coordinates: 7 for degrees (about a
    /// centimetre), 2 for metres (a centimetre) — more would only describe
    /// the noise of the transformation.
    pub fn decimals(self) -> i32 {
        if self.engine().is_geographic() { 7 } else { 2 }
    }

    /// A point as the engine holds it (x = easting or longitude) in this
    /// CRS's axis order.
    pub fn ordered(self, x: f64, y: f64) -> (f64, f64) {
        if self.latitude_first() {
            (y, x)
        } else {
            (x, y)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_and_curies_are_read_and_others_refused() {
        for crs in OFFERED {
            assert_eq!(OgcCrs::parse(crs.uri()), Some(crs));
        }
        assert_eq!(
            OgcCrs::parse("https://www.opengis.net/def/crs/EPSG/0/25832/"),
            Some(OgcCrs::Utm32)
        );
        assert_eq!(OgcCrs::parse("[epsg:4258]"), Some(OgcCrs::Etrs89));
        assert_eq!(OgcCrs::parse("EPSG:25832"), None);
        assert_eq!(
            OgcCrs::parse("http://www.opengis.net/def/crs/EPSG/0/31467"),
            None
        );
    }

    #[test]
    fn only_the_geographic_epsg_crss_put_latitude_first() {
        assert_eq!(OgcCrs::Wgs84.ordered(9.7, 52.3), (52.3, 9.7));
        assert_eq!(OgcCrs::Etrs89.ordered(9.7, 52.3), (52.3, 9.7));
        assert_eq!(OgcCrs::Crs84.ordered(9.7, 52.3), (9.7, 52.3));
        assert_eq!(
            OgcCrs::Utm32.ordered(550_000.0, 5_800_000.0),
            (550_000.0, 5_800_000.0)
        );
    }
}
