//! What only WMS 1.1.1 capabilities write: the DTD, `LatLonBoundingBox`
//! and `ScaleHint`.

use std::io;

use super::xml::W;
use crate::wms::Bbox;
use crate::wms::exception::number;

/// Size of the standardized rendering pixel in metres (WMS 1.3.0, 7.2.4.6.9),
/// on which scale denominators are based.
const PIXEL_SIZE: f64 = 0.00028;

/// The document type declaration of `WMT_MS_Capabilities`.
pub(super) const DOCTYPE: &str =
    r#"WMT_MS_Capabilities SYSTEM "http://schemas.opengis.net/wms/1.1.1/WMS_MS_Capabilities.dtd""#;

/// LatLonBoundingBox, clamped to ±180 and ±90 as in 1.3.0.
pub(super) fn lat_lon_bbox(w: &mut W, extent: &Bbox) -> io::Result<()> {
    let lon = |x: f64| number(x.clamp(-180.0, 180.0));
    let lat = |y: f64| number(y.clamp(-90.0, 90.0));
    w.create_element("LatLonBoundingBox")
        .with_attributes([
            ("minx", lon(extent.min_x).as_str()),
            ("miny", lat(extent.min_y).as_str()),
            ("maxx", lon(extent.max_x).as_str()),
            ("maxy", lat(extent.max_y).as_str()),
        ])
        .write_empty()?;
    Ok(())
}

/// ScaleHint, the ground size of a pixel's diagonal in metres, converted
/// as MapServer does: denominator × 0.28 mm × √2. A missing minimum is 0,
/// a missing maximum `Infinity`; neither set writes nothing.
pub(super) fn scale_hint(w: &mut W, min: Option<f64>, max: Option<f64>) -> io::Result<()> {
    if min.is_none() && max.is_none() {
        return Ok(());
    }
    let hint = |denominator: f64| number(denominator * PIXEL_SIZE * std::f64::consts::SQRT_2);
    let min = hint(min.unwrap_or(0.0));
    let max = max.map_or_else(|| "Infinity".to_string(), hint);
    w.create_element("ScaleHint")
        .with_attributes([("min", min.as_str()), ("max", max.as_str())])
        .write_empty()?;
    Ok(())
}
