//! GetLegendGraphic (the SLD extension): the typed request and its parser.

use super::format::ImageFormat;
use super::getmap::{size, style_not_defined};
use super::limits::Limits;
use super::raw::{RawQuery, echo};
use super::version::Version;
use crate::wms::exception::{ExceptionCode, WmsError};

/// A validated GetLegendGraphic request.
#[derive(Debug, Clone, PartialEq)]
pub struct LegendRequest {
    /// The version the request was read as.
    pub version: Version,
    /// The layer whose legend is wanted.
    pub layer: String,
    /// Output format. [default: image/png]
    pub format: ImageFormat,
    /// Requested width in pixels, if any.
    pub width: Option<u32>,
    /// Requested height in pixels, if any.
    pub height: Option<u32>,
    /// Scale denominator: the legend shows only rules visible at it.
    pub scale: Option<f64>,
    /// `de` or `en` when LANGUAGE asked for one of them.
    pub language: Option<String>,
}

pub(super) fn legend_request(
    raw: &RawQuery,
    limits: &Limits,
    version: Version,
) -> Result<LegendRequest, WmsError> {
    let layer = raw
        .get("LAYER")
        .ok_or_else(|| WmsError::missing("LAYER", "name the layer whose legend is wanted"))?
        .to_string();
    if let Some(style) = raw.get("STYLE") {
        if !style.eq_ignore_ascii_case("default") {
            return Err(style_not_defined(style, &layer).with_locator("STYLE"));
        }
    }
    let format = match raw.get("FORMAT") {
        None => ImageFormat::Png,
        Some(text) => ImageFormat::parse(text).ok_or_else(|| {
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
    };
    let width = raw
        .get("WIDTH")
        .map(|_| size(raw, "WIDTH", limits.max_width))
        .transpose()?;
    let height = raw
        .get("HEIGHT")
        .map(|_| size(raw, "HEIGHT", limits.max_height))
        .transpose()?;
    let scale = match raw.get("SCALE") {
        None => None,
        Some(text) => match text.parse::<f64>() {
            Ok(scale) if scale.is_finite() && scale > 0.0 => Some(scale),
            _ => {
                return Err(WmsError::invalid(
                    "SCALE",
                    format!(
                        "SCALE={} is not a scale denominator; use a positive number, e.g. 25000",
                        echo(text)
                    ),
                ));
            }
        },
    };
    Ok(LegendRequest {
        version,
        layer,
        format,
        width,
        height,
        scale,
        language: raw.language(),
    })
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;
    use super::*;
    use crate::wms::ExceptionCode;

    #[test]
    fn get_legend_graphic_needs_a_layer_and_the_default_style() {
        let request = legend(&[
            ("LAYER", "gemeinden"),
            ("STYLE", "default"),
            ("WIDTH", "20"),
            ("SCALE", "25000"),
            ("LANGUAGE", "en"),
        ])
        .unwrap();
        assert_eq!(
            request,
            LegendRequest {
                version: Version::V130,
                layer: "gemeinden".into(),
                format: ImageFormat::Png,
                width: Some(20),
                height: None,
                scale: Some(25000.0),
                language: Some("en".into()),
            }
        );
        assert_error(legend(&[]), ExceptionCode::MissingParameterValue, "LAYER");
        assert_error(
            legend(&[("LAYER", "a"), ("STYLE", "fancy")]),
            ExceptionCode::StyleNotDefined,
            "STYLE",
        );
        assert_error(
            legend(&[("LAYER", "a"), ("FORMAT", "image/gif")]),
            ExceptionCode::InvalidFormat,
            "FORMAT",
        );
        assert_error(
            legend(&[("LAYER", "a"), ("HEIGHT", "0")]),
            ExceptionCode::InvalidParameterValue,
            "HEIGHT",
        );
        assert_error(
            legend(&[("LAYER", "a"), ("SCALE", "-5")]),
            ExceptionCode::InvalidParameterValue,
            "SCALE",
        );
        assert_eq!(
            legend(&[("LAYER", "a"), ("VERSION", "1.1.1")])
                .unwrap()
                .version,
            Version::V111
        );
    }
}
