//! The map extent parameters: CRS (SRS in 1.1.1) and BBOX in the axis
//! order each version gives it.

use super::raw::{RawQuery, echo};
use super::version::Version;
use crate::Crs;
use crate::wms::exception::{ExceptionCode, WmsError};

/// A bounding box in the request CRS, always easting (or longitude) as x,
/// whatever axis order the request used.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bbox {
    /// West.
    pub min_x: f64,
    /// South.
    pub min_y: f64,
    /// East.
    pub max_x: f64,
    /// North.
    pub max_y: f64,
}

impl Bbox {
    /// Extent along x.
    pub fn width(&self) -> f64 {
        self.max_x - self.min_x
    }

    /// Extent along y.
    pub fn height(&self) -> f64 {
        self.max_y - self.min_y
    }
}

/// CRS (1.3.0) or SRS (1.1.1), each accepting the other as fallback.
pub(super) fn crs(raw: &RawQuery, version: Version) -> Result<Crs, WmsError> {
    let keys = match version {
        Version::V130 => ["CRS", "SRS"],
        Version::V111 => ["SRS", "CRS"],
    };
    let supported = || crate::crs::ALL.map(Crs::code).join(", ");
    let (key, text) = raw.get_either(keys).ok_or_else(|| {
        WmsError::missing(
            keys[0],
            &format!(
                "give the coordinate reference system, one of {}",
                supported()
            ),
        )
    })?;
    Crs::parse(text).ok_or_else(|| {
        WmsError::new(
            ExceptionCode::invalid_crs(version),
            format!(
                "{key}={} is not offered; use one of {}",
                echo(text),
                supported()
            ),
        )
        .with_locator(key)
    })
}

/// BBOX, read in the axis order of `crs` in `version` and returned with x
/// first. WMS 1.3.0 (6.7.3.3) orders coordinates as the CRS defines its
/// axes: EPSG:4326 and EPSG:4258 give minLat,minLon,maxLat,maxLon.
pub(super) fn bbox(raw: &RawQuery, version: Version, crs: Crs) -> Result<Bbox, WmsError> {
    let lat_first = version == Version::V130 && crs.swaps_axes_in_wms13();
    let order = if lat_first {
        format!(
            "minLat,minLon,maxLat,maxLon for {} in WMS 1.3.0",
            crs.code()
        )
    } else {
        "minx,miny,maxx,maxy".to_string()
    };
    let text = raw
        .get("BBOX")
        .ok_or_else(|| WmsError::missing("BBOX", &format!("give the map extent as {order}")))?;
    let numbers: Option<Vec<f64>> = text
        .split(',')
        .map(|n| n.trim().parse::<f64>().ok().filter(|n| n.is_finite()))
        .collect();
    let Some([a, b, c, d]) = numbers.and_then(|n| <[f64; 4]>::try_from(n).ok()) else {
        return Err(WmsError::invalid(
            "BBOX",
            format!(
                "BBOX={} is not four comma-separated numbers; give {order}",
                echo(text)
            ),
        ));
    };
    if !(a < c && b < d) {
        return Err(WmsError::invalid(
            "BBOX",
            format!(
                "BBOX={} is empty or inverted: each minimum must be less than its maximum ({order})",
                echo(text)
            ),
        ));
    }
    Ok(if lat_first {
        Bbox {
            min_x: b,
            min_y: a,
            max_x: d,
            max_y: c,
        }
    } else {
        Bbox {
            min_x: a,
            min_y: b,
            max_x: c,
            max_y: d,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::wms::ExceptionCode;

    #[test]
    fn wms_1_3_0_reads_epsg_4326_and_4258_boxes_latitude_first() {
        for crs in ["EPSG:4326", "EPSG:4258"] {
            let map = get_map(&[("CRS", crs), ("BBOX", "51.5,9.5,52.5,10.5")]).unwrap();
            assert_eq!(
                map.bbox,
                Bbox {
                    min_x: 9.5,
                    min_y: 51.5,
                    max_x: 10.5,
                    max_y: 52.5
                },
                "{crs}"
            );
        }
        let map = get_map(&[("CRS", "CRS:84"), ("BBOX", "9.5,51.5,10.5,52.5")]).unwrap();
        assert_eq!(
            map.bbox,
            Bbox {
                min_x: 9.5,
                min_y: 51.5,
                max_x: 10.5,
                max_y: 52.5
            }
        );
    }

    #[test]
    fn wms_1_1_1_reads_every_box_longitude_first() {
        let map = get_map(&[
            ("VERSION", "1.1.1"),
            ("CRS", ""),
            ("SRS", "EPSG:4326"),
            ("BBOX", "9.5,51.5,10.5,52.5"),
        ])
        .unwrap();
        assert_eq!(map.version, Version::V111);
        assert_eq!(
            map.bbox,
            Bbox {
                min_x: 9.5,
                min_y: 51.5,
                max_x: 10.5,
                max_y: 52.5
            }
        );
    }

    #[test]
    fn crs_and_srs_stand_in_for_each_other() {
        let map = get_map(&[("CRS", ""), ("SRS", "EPSG:3857"), ("BBOX", "0,0,1,1")]).unwrap();
        assert_eq!((map.version, map.crs), (Version::V130, Crs::WebMercator));
        let map = get_map(&[("VERSION", "1.1.1"), ("BBOX", "0,0,1,1")]).unwrap();
        assert_eq!((map.version, map.crs), (Version::V111, Crs::Utm32));
    }

    #[test]
    fn a_bbox_needs_four_finite_numbers_in_order() {
        for bbox in [
            "1,2,3",
            "1,2,3,4,5",
            "a,2,3,4",
            "1,2,NaN,4",
            "1,2,inf,4",
            "1;2;3;4",
        ] {
            let error = assert_error(
                get_map(&[("BBOX", bbox)]),
                ExceptionCode::InvalidParameterValue,
                "BBOX",
            );
            assert!(error.message.contains("minx,miny,maxx,maxy"), "{error}");
        }
        for bbox in ["3,2,1,4", "1,4,3,2", "1,2,1,4"] {
            let error = assert_error(
                get_map(&[("BBOX", bbox)]),
                ExceptionCode::InvalidParameterValue,
                "BBOX",
            );
            assert!(
                error.message.contains("minimum must be less than"),
                "{error}"
            );
        }
        let error = assert_error(
            get_map(&[("CRS", "EPSG:4326"), ("BBOX", "1,2")]),
            ExceptionCode::InvalidParameterValue,
            "BBOX",
        );
        assert!(
            error
                .message
                .contains("minLat,minLon,maxLat,maxLon for EPSG:4326"),
            "{error}"
        );
        assert_error(
            get_map(&[("BBOX", "")]),
            ExceptionCode::MissingParameterValue,
            "BBOX",
        );
    }

    #[test]
    fn an_unknown_crs_is_invalid_crs_in_1_3_0_and_invalid_srs_in_1_1_1() {
        let error = assert_error(
            get_map(&[("CRS", "EPSG:2056")]),
            ExceptionCode::InvalidCRS,
            "CRS",
        );
        assert!(error.message.contains("EPSG:25832"), "{error}");
        assert_error(
            get_map(&[("VERSION", "1.1.1"), ("CRS", ""), ("SRS", "EPSG:2056")]),
            ExceptionCode::InvalidSRS,
            "SRS",
        );
        assert_error(
            get_map(&[("CRS", "")]),
            ExceptionCode::MissingParameterValue,
            "CRS",
        );
        assert_error(
            get_map(&[("VERSION", "1.1.1"), ("CRS", "")]),
            ExceptionCode::MissingParameterValue,
            "SRS",
        );
    }
}
