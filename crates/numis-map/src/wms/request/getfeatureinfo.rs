//! GetFeatureInfo: the typed request and its parser (the map it is asked
//! about, the queried layers, the pixel, format and count).

use super::format::InfoFormat;
use super::getmap::{GetMapRequest, MapFormat, layer_list, map_request};
use super::limits::Limits;
use super::raw::{RawQuery, echo};
use super::version::Version;
use crate::wms::exception::{ExceptionCode, WmsError};

/// FEATURE_COUNT when the request gives none. [default: 1]
pub const DEFAULT_FEATURE_COUNT: u32 = 1;
/// Larger FEATURE_COUNT values are capped to this. [default: 50]
pub const MAX_FEATURE_COUNT: u32 = 50;

/// A validated GetFeatureInfo request.
#[derive(Debug, Clone, PartialEq)]
pub struct GetFeatureInfoRequest {
    /// The map the client shows; its FORMAT is optional here and ignored
    /// when not an image format numis knows (clients copy it from GetMap).
    pub map: GetMapRequest,
    /// Layers to query.
    pub query_layers: Vec<String>,
    /// Output format. [default: text/html]
    pub info_format: InfoFormat,
    /// Most features per layer, 1..=50. [default: 1]
    pub feature_count: u32,
    /// Pixel column (I in 1.3.0, X in 1.1.1), 0..width.
    pub i: u32,
    /// Pixel row from the top (J in 1.3.0, Y in 1.1.1), 0..height.
    pub j: u32,
}

pub(super) fn feature_info_request(
    raw: &RawQuery,
    limits: &Limits,
    version: Version,
) -> Result<GetFeatureInfoRequest, WmsError> {
    let map = map_request(raw, limits, version, MapFormat::Optional)?;
    let query_layers = layer_list(raw, "QUERY_LAYERS", limits)?;
    let info_format = match raw.get("INFO_FORMAT") {
        // Mandatory in 1.3.0, optional in 1.1.1; accepted missing in both.
        None => InfoFormat::default(),
        Some(text) => InfoFormat::parse(text).ok_or_else(|| {
            WmsError::new(
                ExceptionCode::InvalidFormat,
                format!(
                    "INFO_FORMAT={} is not offered; use one of {}",
                    echo(text),
                    InfoFormat::MIME_TYPES.join(", ")
                ),
            )
            .with_locator("INFO_FORMAT")
        })?,
    };
    let feature_count = match raw.get("FEATURE_COUNT") {
        None => DEFAULT_FEATURE_COUNT,
        Some(text) => match text.parse::<u32>() {
            Ok(count) if count >= 1 => count.min(MAX_FEATURE_COUNT),
            _ => {
                return Err(WmsError::invalid(
                    "FEATURE_COUNT",
                    format!(
                        "FEATURE_COUNT={} is not allowed; use a whole number from 1 (at most {MAX_FEATURE_COUNT} are returned)",
                        echo(text)
                    ),
                ));
            }
        },
    };
    let (column_keys, row_keys) = match version {
        Version::V130 => (["I", "X"], ["J", "Y"]),
        Version::V111 => (["X", "I"], ["Y", "J"]),
    };
    let i = pixel(raw, column_keys, "WIDTH", map.width)?;
    let j = pixel(raw, row_keys, "HEIGHT", map.height)?;
    Ok(GetFeatureInfoRequest {
        map,
        query_layers,
        info_format,
        feature_count,
        i,
        j,
    })
}

/// I/J (X/Y): a pixel inside the map. Fractional values, which some clients
/// send, are rounded down.
fn pixel(
    raw: &RawQuery,
    keys: [&'static str; 2],
    extent_key: &str,
    extent: u32,
) -> Result<u32, WmsError> {
    let (key, text) = raw.get_either(keys).ok_or_else(|| {
        WmsError::missing(
            keys[0],
            "give the queried pixel (I = column, J = row, from the top left)",
        )
    })?;
    match text.parse::<f64>() {
        Ok(value) if value >= 0.0 && value < f64::from(extent) => Ok(value.floor() as u32),
        _ => Err(WmsError::new(
            ExceptionCode::InvalidPoint,
            format!("{key}={} is not a pixel of the map; use a whole number from 0 to {extent_key}-1 = {}", echo(text), extent - 1),
        )
        .with_locator(key)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::format::ImageFormat;
    use super::super::testing::*;
    use super::*;
    use crate::wms::ExceptionCode;

    #[test]
    fn get_feature_info_reads_i_and_j_or_x_and_y() {
        let info = get_feature_info(&[]).unwrap();
        assert_eq!((info.i, info.j), (10, 20));
        assert_eq!(info.query_layers, ["gemeinden"]);
        assert_eq!(info.info_format, InfoFormat::Html);
        assert_eq!(info.feature_count, 1);
        assert_eq!(info.map.format, ImageFormat::Png);
        let info = get_feature_info(&[
            ("VERSION", "1.1.1"),
            ("I", ""),
            ("J", ""),
            ("X", "399"),
            ("Y", "299"),
        ])
        .unwrap();
        assert_eq!((info.i, info.j), (399, 299));
        // The other version's names are accepted when the right ones are missing.
        let info = get_feature_info(&[("I", ""), ("J", ""), ("X", "1"), ("Y", "2.7")]).unwrap();
        assert_eq!((info.i, info.j), (1, 2));
    }

    #[test]
    fn a_point_outside_the_map_is_an_invalid_point() {
        for (key, value) in [("I", "400"), ("J", "300"), ("I", "-1"), ("J", "x")] {
            let error = assert_error(
                get_feature_info(&[(key, value)]),
                ExceptionCode::InvalidPoint,
                key,
            );
            assert!(error.message.contains("from 0 to"), "{error}");
        }
        assert_error(
            get_feature_info(&[("I", "")]),
            ExceptionCode::MissingParameterValue,
            "I",
        );
        assert_error(
            get_feature_info(&[("VERSION", "1.1.1"), ("I", ""), ("J", "")]),
            ExceptionCode::MissingParameterValue,
            "X",
        );
    }

    #[test]
    fn get_feature_info_formats_and_counts() {
        for (value, expected) in [
            ("text/html", InfoFormat::Html),
            ("application/json", InfoFormat::Json),
            ("application/geo+json", InfoFormat::Json),
            ("application/geojson", InfoFormat::Json),
            ("text/plain", InfoFormat::Text),
            ("TEXT/PLAIN; charset=UTF-8", InfoFormat::Text),
            ("text/xml", InfoFormat::Xml),
            ("application/vnd.ogc.gml", InfoFormat::Xml),
            ("application/vnd.ogc.wms_xml", InfoFormat::Xml),
        ] {
            assert_eq!(
                get_feature_info(&[("INFO_FORMAT", value)])
                    .unwrap()
                    .info_format,
                expected,
                "{value}"
            );
        }
        assert_error(
            get_feature_info(&[("INFO_FORMAT", "image/png")]),
            ExceptionCode::InvalidFormat,
            "INFO_FORMAT",
        );
        assert_eq!(
            get_feature_info(&[("FEATURE_COUNT", "7")])
                .unwrap()
                .feature_count,
            7
        );
        assert_eq!(
            get_feature_info(&[("FEATURE_COUNT", "1000")])
                .unwrap()
                .feature_count,
            MAX_FEATURE_COUNT
        );
        assert_error(
            get_feature_info(&[("FEATURE_COUNT", "0")]),
            ExceptionCode::InvalidParameterValue,
            "FEATURE_COUNT",
        );
        assert_error(
            get_feature_info(&[("QUERY_LAYERS", "")]),
            ExceptionCode::MissingParameterValue,
            "QUERY_LAYERS",
        );
        // FORMAT does not matter for feature info: unknown or missing is PNG.
        assert_eq!(
            get_feature_info(&[("FORMAT", "image/gif")])
                .unwrap()
                .map
                .format,
            ImageFormat::Png
        );
        assert_eq!(
            get_feature_info(&[("FORMAT", "")]).unwrap().map.format,
            ImageFormat::Png
        );
        assert_eq!(
            get_feature_info(&[("FORMAT", "image/jpeg")])
                .unwrap()
                .map
                .format,
            ImageFormat::Jpeg
        );
    }
}
