//! What only WMS 1.3.0 capabilities write: the namespaced root element,
//! `EX_GeographicBoundingBox` and `Min`/`MaxScaleDenominator`.

use std::io;

use super::xml::{W, text};
use crate::wms::Bbox;
use crate::wms::exception::{XLINK, XSI, number};

/// The attributes of `WMS_Capabilities`.
pub(super) const ROOT_ATTRIBUTES: [(&str, &str); 6] = [
    ("version", "1.3.0"),
    ("xmlns", "http://www.opengis.net/wms"),
    ("xmlns:sld", "http://www.opengis.net/sld"),
    ("xmlns:xlink", XLINK),
    ("xmlns:xsi", XSI),
    (
        "xsi:schemaLocation",
        "http://www.opengis.net/wms http://schemas.opengis.net/wms/1.3.0/capabilities_1_3_0.xsd \
         http://www.opengis.net/sld http://schemas.opengis.net/sld/1.1.0/sld_capabilities.xsd",
    ),
];

/// EX_GeographicBoundingBox; the schema limits longitudes to ±180 and
/// latitudes to ±90.
pub(super) fn geographic_bbox(w: &mut W, extent: &Bbox) -> io::Result<()> {
    let lon = |x: f64| number(x.clamp(-180.0, 180.0));
    let lat = |y: f64| number(y.clamp(-90.0, 90.0));
    w.create_element("EX_GeographicBoundingBox")
        .write_inner_content(|w| {
            text(w, "westBoundLongitude", &lon(extent.min_x))?;
            text(w, "eastBoundLongitude", &lon(extent.max_x))?;
            text(w, "southBoundLatitude", &lat(extent.min_y))?;
            text(w, "northBoundLatitude", &lat(extent.max_y))
        })?;
    Ok(())
}

/// Min/MaxScaleDenominator, each only when set.
pub(super) fn scale_denominators(w: &mut W, min: Option<f64>, max: Option<f64>) -> io::Result<()> {
    if let Some(min) = min {
        text(w, "MinScaleDenominator", &number(min))?;
    }
    if let Some(max) = max {
        text(w, "MaxScaleDenominator", &number(max))?;
    }
    Ok(())
}
