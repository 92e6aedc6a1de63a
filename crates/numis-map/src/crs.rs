//! The coordinate reference systems numis serves, and transforms between
//! them. Data are stored in EPSG:25832 (ETRS89 / UTM 32N, as in German
//! official maps); every other CRS goes through geographic longitude and
//! latitude in degrees.
//!
//! ETRS89 and WGS84 differ by well under a metre in Germany, less than a
//! pixel at any scale a portal shows, so EPSG:4258 and EPSG:4326 share one
//! transform (as PROJ's null transformation between them does).

use std::sync::LazyLock;

use proj4rs::Proj;

use crate::error::{MapError, Result};

/// A supported coordinate reference system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Crs {
    /// EPSG:25832, ETRS89 / UTM zone 32N — the native CRS.
    Utm32,
    /// EPSG:3857, WGS84 / Pseudo-Mercator (web maps).
    WebMercator,
    /// EPSG:4326, WGS84 geographic; latitude first in WMS 1.3.0.
    Wgs84,
    /// EPSG:4258, ETRS89 geographic; latitude first in WMS 1.3.0.
    Etrs89,
    /// CRS:84, WGS84 geographic with longitude first.
    Crs84,
    /// EPSG:31467, DHDN / 3-degree Gauss-Krüger zone 3 (older German data).
    GaussKrueger3,
}

/// Every supported CRS, native first (the order of capabilities documents).
pub const ALL: [Crs; 6] = [
    Crs::Utm32,
    Crs::WebMercator,
    Crs::Wgs84,
    Crs::Etrs89,
    Crs::Crs84,
    Crs::GaussKrueger3,
];

static UTM32: LazyLock<Option<Proj>> = LazyLock::new(|| {
    Proj::from_proj_string(
        "+proj=utm +zone=32 +ellps=GRS80 +towgs84=0,0,0,0,0,0,0 +units=m +no_defs",
    )
    .ok()
});
static GK3: LazyLock<Option<Proj>> = LazyLock::new(|| {
    Proj::from_proj_string(
        "+proj=tmerc +lat_0=0 +lon_0=9 +k=1 +x_0=3500000 +y_0=0 +ellps=bessel \
         +towgs84=598.1,73.7,418.2,0.202,0.045,-2.455,6.7 +units=m +no_defs",
    )
    .ok()
});
static LONLAT: LazyLock<Option<Proj>> =
    LazyLock::new(|| Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").ok());

/// Earth radius of the Pseudo-Mercator sphere.
const WEB_MERCATOR_RADIUS: f64 = 6_378_137.0;
/// Pseudo-Mercator is undefined at the poles; clamp like every web map.
const WEB_MERCATOR_MAX_LAT: f64 = 85.051_128_779_806_6;

impl Crs {
    /// Parses a WMS `CRS`/`SRS` value (`EPSG:25832`, `crs:84`), case-insensitively.
    pub fn parse(code: &str) -> Option<Self> {
        let code = code.trim().to_ascii_uppercase();
        let code = code
            .strip_prefix("URN:OGC:DEF:CRS:")
            .map(|c| c.replace("::", ":"))
            .unwrap_or(code);
        match code.as_str() {
            "EPSG:25832" => Some(Self::Utm32),
            "EPSG:3857" | "EPSG:900913" => Some(Self::WebMercator),
            "EPSG:4326" => Some(Self::Wgs84),
            "EPSG:4258" => Some(Self::Etrs89),
            "CRS:84" | "OGC:CRS84" => Some(Self::Crs84),
            "EPSG:31467" => Some(Self::GaussKrueger3),
            _ => None,
        }
    }

    /// The identifier as capabilities documents write it.
    pub fn code(self) -> &'static str {
        match self {
            Self::Utm32 => "EPSG:25832",
            Self::WebMercator => "EPSG:3857",
            Self::Wgs84 => "EPSG:4326",
            Self::Etrs89 => "EPSG:4258",
            Self::Crs84 => "CRS:84",
            Self::GaussKrueger3 => "EPSG:31467",
        }
    }

    /// Coordinates in degrees rather than metres.
    pub fn is_geographic(self) -> bool {
        matches!(self, Self::Wgs84 | Self::Etrs89 | Self::Crs84)
    }

    /// WMS 1.3.0 orders coordinates as the EPSG definition orders the axes
    /// (WMS 1.3.0, 6.7.3.3): EPSG:4326 and EPSG:4258 latitude first,
    /// EPSG:31467 northing ("X") first. WMS 1.1.1, CRS:84 and the others
    /// put easting or longitude first.
    pub fn swaps_axes_in_wms13(self) -> bool {
        matches!(self, Self::Wgs84 | Self::Etrs89 | Self::GaussKrueger3)
    }

    /// Transforms a point from this CRS to `target`.
    pub fn transform(self, target: Crs, x: f64, y: f64) -> Result<(f64, f64)> {
        if self == target {
            return Ok((x, y));
        }
        let (lon, lat) = self.to_lonlat(x, y)?;
        target.lonlat_to(lon, lat)
    }

    fn to_lonlat(self, x: f64, y: f64) -> Result<(f64, f64)> {
        match self {
            Self::Wgs84 | Self::Etrs89 | Self::Crs84 => Ok((x, y)),
            Self::WebMercator => {
                let lon = (x / WEB_MERCATOR_RADIUS).to_degrees();
                let lat = (2.0 * (y / WEB_MERCATOR_RADIUS).exp().atan()
                    - std::f64::consts::FRAC_PI_2)
                    .to_degrees();
                Ok((lon, lat))
            }
            Self::Utm32 => proj_to_lonlat(&UTM32, x, y),
            Self::GaussKrueger3 => proj_to_lonlat(&GK3, x, y),
        }
    }

    fn lonlat_to(self, lon: f64, lat: f64) -> Result<(f64, f64)> {
        match self {
            Self::Wgs84 | Self::Etrs89 | Self::Crs84 => Ok((lon, lat)),
            Self::WebMercator => {
                let lat = lat
                    .clamp(-WEB_MERCATOR_MAX_LAT, WEB_MERCATOR_MAX_LAT)
                    .to_radians();
                let x = WEB_MERCATOR_RADIUS * lon.to_radians();
                let y = WEB_MERCATOR_RADIUS * (std::f64::consts::FRAC_PI_4 + lat / 2.0).tan().ln();
                Ok((x, y))
            }
            Self::Utm32 => proj_from_lonlat(&UTM32, lon, lat),
            Self::GaussKrueger3 => proj_from_lonlat(&GK3, lon, lat),
        }
    }
}

fn proj_to_lonlat(proj: &LazyLock<Option<Proj>>, x: f64, y: f64) -> Result<(f64, f64)> {
    let (Some(src), Some(dst)) = (proj.as_ref(), LONLAT.as_ref()) else {
        return Err(MapError::Projection(
            "projection definition not available".into(),
        ));
    };
    let mut point = (x, y, 0.0);
    proj4rs::transform::transform(src, dst, &mut point)
        .map_err(|e| MapError::Projection(e.to_string()))?;
    Ok((point.0.to_degrees(), point.1.to_degrees()))
}

fn proj_from_lonlat(proj: &LazyLock<Option<Proj>>, lon: f64, lat: f64) -> Result<(f64, f64)> {
    let (Some(src), Some(dst)) = (LONLAT.as_ref(), proj.as_ref()) else {
        return Err(MapError::Projection(
            "projection definition not available".into(),
        ));
    };
    let mut point = (lon.to_radians(), lat.to_radians(), 0.0);
    proj4rs::transform::transform(src, dst, &mut point)
        .map_err(|e| MapError::Projection(e.to_string()))?;
    Ok((point.0, point.1))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A point in Hannover; the expected coordinates were computed with PROJ
    /// (`echo "52.3745 9.7386" | cs2cs -f %.3f EPSG:4326 EPSG:25832`, and
    /// the same for EPSG:3857 and EPSG:31467).
    const LON: f64 = 9.7386;
    const LAT: f64 = 52.3745;

    fn close(a: (f64, f64), b: (f64, f64), tolerance: f64) -> bool {
        (a.0 - b.0).abs() <= tolerance && (a.1 - b.1).abs() <= tolerance
    }

    #[test]
    fn codes_parse_case_insensitively() {
        assert_eq!(Crs::parse("epsg:25832"), Some(Crs::Utm32));
        assert_eq!(Crs::parse("CRS:84"), Some(Crs::Crs84));
        assert_eq!(Crs::parse("urn:ogc:def:crs:EPSG::4258"), Some(Crs::Etrs89));
        assert_eq!(Crs::parse("EPSG:2056"), None);
        for crs in ALL {
            assert_eq!(Crs::parse(crs.code()), Some(crs));
        }
    }

    #[test]
    fn utm32_matches_proj() {
        let utm = Crs::Crs84.transform(Crs::Utm32, LON, LAT).unwrap();
        assert!(close(utm, (550_280.727, 5_802_949.186), 0.01), "{utm:?}");
        let back = Crs::Utm32.transform(Crs::Crs84, utm.0, utm.1).unwrap();
        assert!(close(back, (LON, LAT), 1e-7), "{back:?}");
    }

    #[test]
    fn web_mercator_matches_the_spherical_formula() {
        let merc = Crs::Crs84.transform(Crs::WebMercator, LON, LAT).unwrap();
        assert!(
            close(merc, (1_084_095.993, 6_868_125.185), 0.01),
            "{merc:?}"
        );
    }

    #[test]
    fn gauss_krueger_includes_the_datum_shift() {
        let gk = Crs::Crs84.transform(Crs::GaussKrueger3, LON, LAT).unwrap();
        // PROJ picks its best DHDN transformation; the 7-parameter shift
        // agrees to well under a metre.
        assert!(close(gk, (3_550_373.144, 5_804_831.697), 0.5), "{gk:?}");
    }
}
