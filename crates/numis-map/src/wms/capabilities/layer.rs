//! The `Layer` elements: the tree the engine built, each layer with its
//! extents, attribution, metadata link, style with legend and scale range.

use std::io;

use super::xml::{W, keywords, online_resource, optional_text, text};
use super::{CapLayer, CapabilitiesInput, LegendUrl, v111, v130};
use crate::Crs;
use crate::wms::exception::number;
use crate::wms::{Bbox, Version};

pub(super) fn layer(
    w: &mut W,
    input: &CapabilitiesInput,
    layer: &CapLayer,
    is_root: bool,
) -> io::Result<()> {
    let v = input.version;
    let flag = |b: bool| if b { "1" } else { "0" };
    w.create_element("Layer")
        .with_attributes([
            ("queryable", flag(layer.queryable)),
            ("opaque", flag(layer.opaque)),
        ])
        .write_inner_content(|w| {
            if let Some(name) = &layer.name {
                text(w, "Name", name)?;
            }
            text(w, "Title", &layer.title)?;
            optional_text(w, "Abstract", &abstract_with_date(layer, input.lang))?;
            keywords(w, &layer.keywords)?;
            if is_root {
                // Children inherit the CRS list (WMS 1.3.0, 7.2.4.6.7).
                for crs in crate::crs::ALL {
                    match v {
                        Version::V130 => text(w, "CRS", crs.code())?,
                        // CRS:84 is a WMS 1.3.0 identifier; 1.1.1 has LatLonBoundingBox for it.
                        Version::V111 if crs == Crs::Crs84 => {}
                        Version::V111 => text(w, "SRS", crs.code())?,
                    }
                }
            }
            if let Some(extent) = lonlat_extent(layer) {
                geographic_bbox(w, v, &extent)?;
            }
            for (crs, bbox) in &layer.bboxes {
                bounding_box(w, v, *crs, bbox)?;
            }
            if let Some(attribution) = &layer.attribution {
                w.create_element("Attribution").write_inner_content(|w| {
                    optional_text(w, "Title", &attribution.title)?;
                    match &attribution.online_resource {
                        Some(href) if !href.trim().is_empty() => online_resource(w, v, href.trim()),
                        _ => Ok(()),
                    }
                })?;
            }
            if let Some(href) = layer
                .metadata_url
                .as_deref()
                .map(str::trim)
                .filter(|h| !h.is_empty())
            {
                metadata_url(w, v, href)?;
            }
            if let Some(href) = layer.data_url.as_deref().filter(|h| !h.is_empty()) {
                // DataURL: where the features themselves can be read.
                w.create_element("DataURL").write_inner_content(|w| {
                    text(w, "Format", "application/geo+json")?;
                    online_resource(w, v, href)
                })?;
            }
            if layer.name.is_some() {
                style(w, v, input.lang, layer.style_legend.as_ref())?;
            }
            scale_range(w, v, layer.min_scale, layer.max_scale)?;
            layer
                .children
                .iter()
                .try_for_each(|child| self::layer(w, input, child, false))
        })?;
    Ok(())
}

/// The layer's abstract, with the data's date as a last paragraph.
fn abstract_with_date(layer: &CapLayer, lang: &str) -> String {
    let mut text = layer.abstract_.trim().to_string();
    if let Some(date) = layer
        .data_date
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(if lang == "en" {
            "Data as of: "
        } else {
            "Stand: "
        });
        text.push_str(date);
    }
    text
}

/// The layer's longitude/latitude extent, or the union of its children's.
fn lonlat_extent(layer: &CapLayer) -> Option<Bbox> {
    layer.lonlat_bbox.or_else(|| {
        layer
            .children
            .iter()
            .filter_map(lonlat_extent)
            .reduce(|a, b| Bbox {
                min_x: a.min_x.min(b.min_x),
                min_y: a.min_y.min(b.min_y),
                max_x: a.max_x.max(b.max_x),
                max_y: a.max_y.max(b.max_y),
            })
    })
}

/// The extent in longitude and latitude, as each version writes it.
fn geographic_bbox(w: &mut W, v: Version, extent: &Bbox) -> io::Result<()> {
    match v {
        Version::V130 => v130::geographic_bbox(w, extent),
        Version::V111 => v111::lat_lon_bbox(w, extent),
    }
}

/// A BoundingBox without resx/resy (vector data have no native resolution).
/// WMS 1.3.0 (6.7.3.3, and the EPSG:4326 example of 7.2.4.6.8) writes the
/// coordinates in the axis order of the CRS: latitude first for EPSG:4326
/// and EPSG:4258.
fn bounding_box(w: &mut W, v: Version, crs: Crs, bbox: &Bbox) -> io::Result<()> {
    if v == Version::V111 && crs == Crs::Crs84 {
        return Ok(());
    }
    let [min_x, min_y, max_x, max_y] = if v == Version::V130 && crs.swaps_axes_in_wms13() {
        [bbox.min_y, bbox.min_x, bbox.max_y, bbox.max_x]
    } else {
        [bbox.min_x, bbox.min_y, bbox.max_x, bbox.max_y]
    }
    .map(number);
    let crs_attribute = if v == Version::V130 { "CRS" } else { "SRS" };
    w.create_element("BoundingBox")
        .with_attributes([
            (crs_attribute, crs.code()),
            ("minx", min_x.as_str()),
            ("miny", min_y.as_str()),
            ("maxx", max_x.as_str()),
            ("maxy", max_y.as_str()),
        ])
        .write_empty()?;
    Ok(())
}

/// MetadataURL. The format is guessed from the link: catalogue requests and
/// `.xml` files are `text/xml`, anything else a web page.
fn metadata_url(w: &mut W, v: Version, href: &str) -> io::Result<()> {
    let lower = href.to_ascii_lowercase();
    let format = if lower.contains("getrecordbyid") || lower.ends_with(".xml") {
        "text/xml"
    } else {
        "text/html"
    };
    // 1.3.0 names the metadata standard; the 1.1.1 DTD allows only TC211 or FGDC.
    let kind = if v == Version::V130 {
        "ISO19115:2003"
    } else {
        "TC211"
    };
    w.create_element("MetadataURL")
        .with_attribute(("type", kind))
        .write_inner_content(|w| {
            text(w, "Format", format)?;
            online_resource(w, v, href)
        })?;
    Ok(())
}

fn style(w: &mut W, v: Version, lang: &str, legend: Option<&LegendUrl>) -> io::Result<()> {
    w.create_element("Style").write_inner_content(|w| {
        text(w, "Name", "default")?;
        text(
            w,
            "Title",
            if lang == "en" { "Default" } else { "Standard" },
        )?;
        if let Some(legend) = legend {
            w.create_element("LegendURL")
                .with_attributes([
                    ("width", legend.width.to_string().as_str()),
                    ("height", legend.height.to_string().as_str()),
                ])
                .write_inner_content(|w| {
                    text(w, "Format", &legend.format)?;
                    online_resource(w, v, &legend.href)
                })?;
        }
        Ok(())
    })?;
    Ok(())
}

/// The scale range (only valid, non-negative denominators), as each
/// version writes it.
fn scale_range(w: &mut W, v: Version, min: Option<f64>, max: Option<f64>) -> io::Result<()> {
    let valid = |s: Option<f64>| s.filter(|s| s.is_finite() && *s >= 0.0);
    let (min, max) = (valid(min), valid(max));
    match v {
        Version::V130 => v130::scale_denominators(w, min, max),
        Version::V111 => v111::scale_hint(w, min, max),
    }
}
