//! GetMap: the typed request, its parser, and the image an exception is
//! drawn into when the client asked for INIMAGE or BLANK.

use super::bbox::{Bbox, bbox, crs};
use super::format::{ExceptionFormat, ImageFormat};
use super::limits::Limits;
use super::raw::{RawQuery, echo};
use super::version::Version;
use crate::Crs;
use crate::wms::exception::{ExceptionCode, WmsError};

/// A validated GetMap request (also the map part of GetFeatureInfo).
#[derive(Debug, Clone, PartialEq)]
pub struct GetMapRequest {
    /// The version the request was read as.
    pub version: Version,
    /// Layer (or group) names, in drawing order (first at the bottom).
    pub layers: Vec<String>,
    /// One style per layer; all `"default"`, the only style numis offers
    /// (an empty STYLES and empty entries mean the same).
    pub styles: Vec<String>,
    /// The CRS of `bbox` and of the image.
    pub crs: Crs,
    /// The map extent, x = easting/longitude.
    pub bbox: Bbox,
    /// Image width in pixels, 1..=max_width.
    pub width: u32,
    /// Image height in pixels, 1..=max_height.
    pub height: u32,
    /// Output format.
    pub format: ImageFormat,
    /// Transparent background (PNG only).
    pub transparent: bool,
    /// Background colour. [default: white]
    pub bgcolor: [u8; 3],
    /// How to report exceptions.
    pub exceptions: ExceptionFormat,
    /// `de` or `en` when LANGUAGE asked for one of them.
    pub language: Option<String>,
}

/// The image an exception is drawn into when the client asked for
/// EXCEPTIONS=INIMAGE or BLANK (WMS 1.3.0, 7.3.3.11): the size, format and
/// background of the map it wanted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageTarget {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// Image format.
    pub format: ImageFormat,
    /// Transparent background (PNG only).
    pub transparent: bool,
    /// Background colour.
    pub bgcolor: [u8; 3],
    /// INIMAGE (the message is written) or BLANK (nothing is).
    pub exceptions: ExceptionFormat,
}

impl GetMapRequest {
    /// Where to draw an exception about this request; `None` when the
    /// client wants exceptions as XML.
    pub fn image_target(&self) -> Option<ImageTarget> {
        (self.exceptions != ExceptionFormat::Xml).then_some(ImageTarget {
            width: self.width,
            height: self.height,
            format: self.format,
            transparent: self.transparent,
            bgcolor: self.bgcolor,
            exceptions: self.exceptions,
        })
    }
}

impl ImageTarget {
    /// For a GetMap that failed validation: the image to draw the exception
    /// into, if the request asked for INIMAGE or BLANK and gave a usable
    /// size and format. Read leniently: other parameters may be wrong.
    pub(super) fn lenient(raw: &RawQuery<'_>, limits: &Limits) -> Option<Self> {
        let operation = raw.get("REQUEST")?;
        if !(operation.eq_ignore_ascii_case("GetMap") || operation.eq_ignore_ascii_case("map")) {
            return None;
        }
        let exceptions = ExceptionFormat::parse(raw.get("EXCEPTIONS")?)?;
        if exceptions == ExceptionFormat::Xml {
            return None;
        }
        let width: u32 = raw
            .get("WIDTH")?
            .parse()
            .ok()
            .filter(|w| (1..=limits.max_width).contains(w))?;
        let height: u32 = raw
            .get("HEIGHT")?
            .parse()
            .ok()
            .filter(|h| (1..=limits.max_height).contains(h))?;
        let format = ImageFormat::parse(raw.get("FORMAT")?)?;
        let bgcolor = raw
            .get("BGCOLOR")
            .and_then(|c| {
                u32::from_str_radix(c.trim_start_matches("0x").trim_start_matches("0X"), 16).ok()
            })
            .map_or([255, 255, 255], |c| {
                [(c >> 16) as u8, (c >> 8) as u8, c as u8]
            });
        Some(Self {
            width,
            height,
            format,
            transparent: raw
                .get("TRANSPARENT")
                .is_some_and(|t| t.eq_ignore_ascii_case("true")),
            bgcolor,
            exceptions,
        })
    }
}

/// Whether GetMap's FORMAT is mandatory.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum MapFormat {
    /// GetMap: FORMAT must be given and known.
    Required,
    /// GetFeatureInfo: FORMAT is irrelevant; PNG when absent or unknown.
    Optional,
}

pub(super) fn map_request(
    raw: &RawQuery,
    limits: &Limits,
    version: Version,
    format: MapFormat,
) -> Result<GetMapRequest, WmsError> {
    let layers = layer_list(raw, "LAYERS", limits)?;
    let styles = styles(raw, &layers)?;
    let crs = crs(raw, version)?;
    let bbox = bbox(raw, version, crs)?;
    let width = size(raw, "WIDTH", limits.max_width)?;
    let height = size(raw, "HEIGHT", limits.max_height)?;
    let format = match (format, raw.get("FORMAT")) {
        (MapFormat::Required, None) => {
            return Err(WmsError::missing(
                "FORMAT",
                &format!("give one of {}", ImageFormat::MIME_TYPES.join(", ")),
            ));
        }
        (MapFormat::Required, Some(text)) => ImageFormat::parse(text).ok_or_else(|| {
            WmsError::new(
                ExceptionCode::InvalidFormat,
                format!(
                    "FORMAT={} is not offered; use one of {}",
                    echo(text),
                    ImageFormat::MIME_TYPES.join(", ")
                ),
            )
            .with_locator("FORMAT")
        })?,
        (MapFormat::Optional, text) => text.and_then(ImageFormat::parse).unwrap_or_default(),
    };
    let transparent = match raw.get("TRANSPARENT") {
        None => false,
        Some(text) if text.eq_ignore_ascii_case("true") => true,
        Some(text) if text.eq_ignore_ascii_case("false") => false,
        Some(text) => {
            return Err(WmsError::invalid(
                "TRANSPARENT",
                format!(
                    "TRANSPARENT={} is not allowed; use TRUE or FALSE",
                    echo(text)
                ),
            ));
        }
    };
    let bgcolor = match raw.get("BGCOLOR") {
        None => [0xff; 3],
        Some(text) => parse_color(text).ok_or_else(|| {
            WmsError::invalid(
                "BGCOLOR",
                format!(
                    "BGCOLOR={} is not a colour; use hexadecimal 0xRRGGBB, e.g. 0xFFFFFF",
                    echo(text)
                ),
            )
        })?,
    };
    let exceptions = match raw.get("EXCEPTIONS") {
        None => ExceptionFormat::Xml,
        Some(text) => ExceptionFormat::parse(text).ok_or_else(|| {
            let allowed = match version {
                Version::V130 => "XML, INIMAGE or BLANK",
                Version::V111 => "application/vnd.ogc.se_xml, application/vnd.ogc.se_inimage or application/vnd.ogc.se_blank",
            };
            WmsError::invalid("EXCEPTIONS", format!("EXCEPTIONS={} is not offered; use {allowed}", echo(text)))
        })?,
    };
    Ok(GetMapRequest {
        version,
        layers,
        styles,
        crs,
        bbox,
        width,
        height,
        format,
        transparent,
        bgcolor,
        exceptions,
        language: raw.language(),
    })
}

/// LAYERS or QUERY_LAYERS: a non-empty comma-separated list of names.
pub(super) fn layer_list(
    raw: &RawQuery,
    key: &'static str,
    limits: &Limits,
) -> Result<Vec<String>, WmsError> {
    let text = raw
        .get(key)
        .ok_or_else(|| WmsError::missing(key, "give a comma-separated list of layer names"))?;
    let layers: Vec<String> = text
        .split(',')
        .map(|name| name.trim().to_string())
        .collect();
    if let Some(position) = layers.iter().position(String::is_empty) {
        return Err(WmsError::invalid(
            key,
            format!(
                "{key}={} has an empty layer name at position {}; separate names by single commas",
                echo(text),
                position + 1
            ),
        ));
    }
    if layers.len() > limits.max_layers {
        return Err(WmsError::invalid(
            key,
            format!(
                "{key} names {} layers; at most {} are allowed per request",
                layers.len(),
                limits.max_layers
            ),
        ));
    }
    Ok(layers)
}

/// STYLES: empty, or one entry per layer, each empty or `default`.
fn styles(raw: &RawQuery, layers: &[String]) -> Result<Vec<String>, WmsError> {
    let default = || vec!["default".to_string(); layers.len()];
    let Some(text) = raw.get("STYLES") else {
        return Ok(default());
    };
    let entries: Vec<&str> = text.split(',').map(str::trim).collect();
    if entries.len() != layers.len() {
        return Err(WmsError::new(
            ExceptionCode::StyleNotDefined,
            format!(
                "STYLES lists {} entries for {} layers; give one per layer (empty or \"default\") or leave STYLES empty",
                entries.len(),
                layers.len()
            ),
        )
        .with_locator("STYLES"));
    }
    for (style, layer) in entries.iter().zip(layers) {
        if !style.is_empty() && !style.eq_ignore_ascii_case("default") {
            return Err(style_not_defined(style, layer).with_locator("STYLES"));
        }
    }
    Ok(default())
}

pub(super) fn style_not_defined(style: &str, layer: &str) -> WmsError {
    WmsError::new(
        ExceptionCode::StyleNotDefined,
        format!(
            "style {} is not defined for layer {}; only the default style is offered (empty or \"default\")",
            echo(style),
            echo(layer)
        ),
    )
}

/// WIDTH or HEIGHT: a whole number of pixels, 1..=max.
pub(super) fn size(raw: &RawQuery, key: &'static str, max: u32) -> Result<u32, WmsError> {
    let text = raw.get(key).ok_or_else(|| {
        WmsError::missing(key, &format!("give the image size in pixels, 1 to {max}"))
    })?;
    match text.parse::<u32>() {
        Ok(size) if (1..=max).contains(&size) => Ok(size),
        _ => Err(WmsError::invalid(
            key,
            format!(
                "{key}={} is not allowed; use a whole number of pixels from 1 to {max}",
                echo(text)
            ),
        )),
    }
}

/// BGCOLOR `0xRRGGBB` (also `#RRGGBB`).
fn parse_color(text: &str) -> Option<[u8; 3]> {
    let hex = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .or_else(|| text.strip_prefix('#'))?;
    if hex.len() != 6 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).ok();
    Some([channel(0)?, channel(2)?, channel(4)?])
}

#[cfg(test)]
mod tests {
    use super::super::limits::DEFAULT_MAX_LAYERS;
    use super::super::testing::*;
    use super::*;
    use crate::wms::ExceptionCode;

    #[test]
    fn a_valid_get_map_is_fully_typed() {
        let map = get_map(&[]).unwrap();
        assert_eq!(
            map,
            GetMapRequest {
                version: Version::V130,
                layers: vec!["gemeinden".into()],
                styles: vec!["default".into()],
                crs: Crs::Utm32,
                bbox: Bbox {
                    min_x: 500_000.0,
                    min_y: 5_700_000.0,
                    max_x: 600_000.0,
                    max_y: 5_800_000.0
                },
                width: 400,
                height: 300,
                format: ImageFormat::Png,
                transparent: false,
                bgcolor: [255, 255, 255],
                exceptions: ExceptionFormat::Xml,
                language: None,
            }
        );
    }

    #[test]
    fn layers_are_mandatory_and_limited() {
        assert_error(
            get_map(&[("LAYERS", "")]),
            ExceptionCode::MissingParameterValue,
            "LAYERS",
        );
        assert_error(
            get_map(&[("LAYERS", " ")]),
            ExceptionCode::MissingParameterValue,
            "LAYERS",
        );
        assert_error(
            get_map(&[("LAYERS", "a,,b")]),
            ExceptionCode::InvalidParameterValue,
            "LAYERS",
        );
        let many = vec!["x"; DEFAULT_MAX_LAYERS + 1].join(",");
        let error = assert_error(
            get_map(&[("LAYERS", &many)]),
            ExceptionCode::InvalidParameterValue,
            "LAYERS",
        );
        assert!(error.message.contains("at most 64"), "{error}");
        let limit = vec!["x"; DEFAULT_MAX_LAYERS].join(",");
        assert_eq!(
            get_map(&[("LAYERS", &limit)]).unwrap().layers.len(),
            DEFAULT_MAX_LAYERS
        );
    }

    #[test]
    fn styles_are_empty_or_default_one_per_layer() {
        for styles in ["", ",", "default,", "DEFAULT,default", " , default"] {
            let map = get_map(&[("LAYERS", "a,b"), ("STYLES", styles)]).unwrap();
            assert_eq!(map.styles, ["default", "default"], "{styles:?}");
        }
        let error = assert_error(
            get_map(&[("LAYERS", "a,b"), ("STYLES", "default")]),
            ExceptionCode::StyleNotDefined,
            "STYLES",
        );
        assert!(error.message.contains("1 entries for 2 layers"), "{error}");
        let error = assert_error(
            get_map(&[("LAYERS", "a,b"), ("STYLES", ",fancy")]),
            ExceptionCode::StyleNotDefined,
            "STYLES",
        );
        assert!(
            error.message.contains("\"fancy\"") && error.message.contains("\"b\""),
            "{error}"
        );
    }

    #[test]
    fn width_and_height_are_whole_pixels_within_the_limits() {
        for (key, value) in [
            ("WIDTH", "0"),
            ("WIDTH", "4097"),
            ("HEIGHT", "-1"),
            ("HEIGHT", "12.5"),
            ("WIDTH", "x"),
        ] {
            let error = assert_error(
                get_map(&[(key, value)]),
                ExceptionCode::InvalidParameterValue,
                key,
            );
            assert!(error.message.contains("from 1 to 4096"), "{error}");
        }
        assert_eq!(get_map(&[("WIDTH", "4096")]).unwrap().width, 4096);
        assert_error(
            get_map(&[("HEIGHT", "")]),
            ExceptionCode::MissingParameterValue,
            "HEIGHT",
        );
        let small = Limits {
            max_width: 100,
            max_height: 50,
            max_layers: 2,
        };
        let result = parse(&get_map_query(&[("WIDTH", "101")]), &small);
        assert_error(result, ExceptionCode::InvalidParameterValue, "WIDTH");
    }

    #[test]
    fn transparent_bgcolor_and_exceptions_are_parsed() {
        let map = get_map(&[
            ("TRANSPARENT", "true"),
            ("BGCOLOR", "0x1a2B3c"),
            ("EXCEPTIONS", "INIMAGE"),
        ])
        .unwrap();
        assert!(map.transparent);
        assert_eq!(map.bgcolor, [0x1a, 0x2b, 0x3c]);
        assert_eq!(map.exceptions, ExceptionFormat::InImage);
        assert!(!get_map(&[("TRANSPARENT", "FALSE")]).unwrap().transparent);
        for (value, expected) in [
            ("XML", ExceptionFormat::Xml),
            ("application/vnd.ogc.se_xml", ExceptionFormat::Xml),
            ("text/xml", ExceptionFormat::Xml),
            ("application/vnd.ogc.se_inimage", ExceptionFormat::InImage),
            ("blank", ExceptionFormat::Blank),
            ("application/vnd.ogc.se_blank", ExceptionFormat::Blank),
        ] {
            assert_eq!(
                get_map(&[("EXCEPTIONS", value)]).unwrap().exceptions,
                expected,
                "{value}"
            );
        }
        assert_error(
            get_map(&[("TRANSPARENT", "yes")]),
            ExceptionCode::InvalidParameterValue,
            "TRANSPARENT",
        );
        assert_error(
            get_map(&[("BGCOLOR", "red")]),
            ExceptionCode::InvalidParameterValue,
            "BGCOLOR",
        );
        assert_error(
            get_map(&[("BGCOLOR", "0xFFFFF")]),
            ExceptionCode::InvalidParameterValue,
            "BGCOLOR",
        );
        assert_error(
            get_map(&[("EXCEPTIONS", "json")]),
            ExceptionCode::InvalidParameterValue,
            "EXCEPTIONS",
        );
    }
}
