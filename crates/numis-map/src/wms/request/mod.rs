//! WMS key-value requests: parse, then validate.
//!
//! [`parse`] first decodes the query into a raw lookup (keys
//! case-insensitive, values trimmed, the first of repeated keys wins, empty
//! values count as absent), then builds the typed request of the operation,
//! checking every parameter with the exception code the WMS specifications
//! give for it. Handlers and the engine only ever see the typed form.
//!
//! Layer names are not checked against the catalogue here: the engine does
//! that and answers `LayerNotDefined`.
//!
//! One module per job: [`raw`] decodes, [`version`], [`format`],
//! [`limits`] and [`bbox`] read the shared parameters, and each operation
//! has its own parser. A rejected request comes back as a [`Rejection`]
//! that also carries what is needed to answer it: the version to write the
//! exception in and, for a GetMap that asked for INIMAGE or BLANK, the
//! image to draw it into.

mod bbox;
mod format;
mod getcapabilities;
mod getfeatureinfo;
mod getlegendgraphic;
mod getmap;
mod limits;
mod raw;
mod version;

pub use bbox::Bbox;
pub use format::{ExceptionFormat, ImageFormat, InfoFormat};
pub use getfeatureinfo::{DEFAULT_FEATURE_COUNT, GetFeatureInfoRequest, MAX_FEATURE_COUNT};
pub use getlegendgraphic::LegendRequest;
pub use getmap::{GetMapRequest, ImageTarget};
pub use limits::{DEFAULT_MAX_LAYERS, Limits, RenderBudget};
pub use version::Version;

use getcapabilities::capabilities_request;
use getfeatureinfo::feature_info_request;
use getlegendgraphic::legend_request;
use getmap::{MapFormat, map_request};
use raw::{RawQuery, echo};

use super::exception::{ExceptionCode, WmsError};

/// A parsed, validated WMS request.
#[derive(Debug, Clone, PartialEq)]
pub enum WmsRequest {
    /// GetCapabilities, with the negotiated version.
    GetCapabilities {
        /// The version to answer with.
        version: Version,
        /// `de` or `en` when LANGUAGE asked for one of them.
        language: Option<String>,
    },
    /// GetMap.
    GetMap(GetMapRequest),
    /// GetFeatureInfo.
    GetFeatureInfo(GetFeatureInfoRequest),
    /// GetLegendGraphic (SLD 1.1 extension).
    GetLegendGraphic(LegendRequest),
}

/// A request [`parse`] refused, with what answering it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct Rejection {
    /// What was wrong.
    pub error: WmsError,
    /// The version to write the exception in, read leniently (see
    /// [`exception_version`]).
    pub version: Version,
    /// For a GetMap that asked for its exceptions as an image (INIMAGE,
    /// BLANK) and gave a usable size and format: that image (WMS 1.3.0,
    /// 7.3.3.11). `None` answers in XML.
    pub image_target: Option<ImageTarget>,
}

impl From<Rejection> for WmsError {
    fn from(rejection: Rejection) -> Self {
        rejection.error
    }
}

/// Parses and validates a WMS request from its decoded query pairs.
///
/// ```
/// use numis_map::wms::{self, Limits, WmsRequest};
/// use numis_map::Crs;
///
/// let query: Vec<(String, String)> = [
///     ("service", "WMS"), ("request", "GetMap"), ("version", "1.3.0"),
///     ("layers", "gemeinden"), ("styles", ""), ("crs", "EPSG:4326"),
///     ("bbox", "51.0,6.5,54.0,11.7"), ("width", "800"), ("height", "600"),
///     ("format", "image/png"),
/// ]
/// .into_iter()
/// .map(|(k, v)| (k.to_string(), v.to_string()))
/// .collect();
/// let WmsRequest::GetMap(map) = wms::parse(&query, &Limits::default())? else { unreachable!() };
/// assert_eq!(map.crs, Crs::Wgs84);
/// // WMS 1.3.0 gives EPSG:4326 latitude first; Bbox is always x = longitude.
/// assert_eq!((map.bbox.min_x, map.bbox.min_y), (6.5, 51.0));
/// # Ok::<(), numis_map::wms::WmsError>(())
/// ```
pub fn parse(query: &[(String, String)], limits: &Limits) -> Result<WmsRequest, Rejection> {
    let raw = RawQuery::new(query);
    operation(&raw, limits).map_err(|error| Rejection {
        error,
        version: lenient_version(&raw),
        image_target: ImageTarget::lenient(&raw, limits),
    })
}

fn operation(raw: &RawQuery<'_>, limits: &Limits) -> Result<WmsRequest, WmsError> {
    if let Some(service) = raw.get("SERVICE") {
        if !service.eq_ignore_ascii_case("WMS") {
            return Err(WmsError::invalid(
                "SERVICE",
                format!(
                    "SERVICE={} is not offered here; this is a WMS (SERVICE=WMS)",
                    echo(service)
                ),
            ));
        }
    }
    let request = raw.get("REQUEST").ok_or_else(|| {
        WmsError::missing(
            "REQUEST",
            "say which operation, e.g. REQUEST=GetCapabilities",
        )
    })?;
    match request.to_ascii_lowercase().as_str() {
        // `capabilities`, `map` and `feature_info` are the WMS 1.0 names.
        "getcapabilities" | "capabilities" => Ok(capabilities_request(raw)),
        "getmap" | "map" => {
            let version = raw.operation_version()?;
            Ok(WmsRequest::GetMap(map_request(raw, limits, version, MapFormat::Required)?))
        }
        "getfeatureinfo" | "feature_info" => {
            let version = raw.operation_version()?;
            Ok(WmsRequest::GetFeatureInfo(feature_info_request(raw, limits, version)?))
        }
        "getlegendgraphic" => {
            let version = raw.operation_version()?;
            Ok(WmsRequest::GetLegendGraphic(legend_request(raw, limits, version)?))
        }
        _ => Err(WmsError::new(
            ExceptionCode::OperationNotSupported,
            format!(
                "REQUEST={} is not supported; use GetCapabilities, GetMap, GetFeatureInfo or GetLegendGraphic",
                echo(request)
            ),
        )
        .with_locator("REQUEST")),
    }
}

/// The version to write an exception in when the query cannot be parsed
/// (or there is no map to parse it for), read leniently: VERSION (or
/// WMTVER) negotiated as for GetCapabilities; without it 1.1.1 when the
/// request has SRS but no CRS, else 1.3.0.
pub fn exception_version(query: &[(String, String)]) -> Version {
    lenient_version(&RawQuery::new(query))
}

fn lenient_version(raw: &RawQuery<'_>) -> Version {
    match raw.version_text() {
        Some(version) => Version::negotiate(version),
        None => raw.implied_version(),
    }
}

#[cfg(test)]
pub(super) mod testing {
    //! Requests for the parsers' tests.
    pub use super::*;

    pub fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A valid WMS 1.3.0 GetMap in EPSG:25832, with `changes` replacing or
    /// adding parameters (an empty value removes one).
    pub fn get_map_query(changes: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut pairs = vec![
            ("SERVICE", "WMS"),
            ("REQUEST", "GetMap"),
            ("VERSION", "1.3.0"),
            ("LAYERS", "gemeinden"),
            ("STYLES", ""),
            ("CRS", "EPSG:25832"),
            ("BBOX", "500000,5700000,600000,5800000"),
            ("WIDTH", "400"),
            ("HEIGHT", "300"),
            ("FORMAT", "image/png"),
        ];
        for (key, value) in changes {
            pairs.retain(|(k, _)| !k.eq_ignore_ascii_case(key));
            if !value.is_empty() {
                pairs.push((key, value));
            }
        }
        query(&pairs)
    }

    pub fn get_map(changes: &[(&str, &str)]) -> Result<GetMapRequest, WmsError> {
        match parse(&get_map_query(changes), &Limits::default())? {
            WmsRequest::GetMap(map) => Ok(map),
            other => panic!("not a GetMap: {other:?}"),
        }
    }

    pub fn get_feature_info(changes: &[(&str, &str)]) -> Result<GetFeatureInfoRequest, WmsError> {
        let mut all = vec![
            ("REQUEST", "GetFeatureInfo"),
            ("QUERY_LAYERS", "gemeinden"),
            ("I", "10"),
            ("J", "20"),
        ];
        all.extend_from_slice(changes);
        match parse(&get_map_query(&all), &Limits::default())? {
            WmsRequest::GetFeatureInfo(info) => Ok(info),
            other => panic!("not a GetFeatureInfo: {other:?}"),
        }
    }

    pub fn legend(pairs: &[(&str, &str)]) -> Result<LegendRequest, WmsError> {
        let mut all = vec![("REQUEST", "GetLegendGraphic")];
        all.extend_from_slice(pairs);
        match parse(&query(&all), &Limits::default())? {
            WmsRequest::GetLegendGraphic(legend) => Ok(legend),
            other => panic!("not a GetLegendGraphic: {other:?}"),
        }
    }

    pub fn capabilities_version(pairs: &[(&str, &str)]) -> Version {
        let mut all = vec![("SERVICE", "WMS"), ("REQUEST", "GetCapabilities")];
        all.extend_from_slice(pairs);
        match parse(&query(&all), &Limits::default()).unwrap() {
            WmsRequest::GetCapabilities { version, .. } => version,
            other => panic!("not a GetCapabilities: {other:?}"),
        }
    }

    #[track_caller]
    pub fn assert_error<E: Into<WmsError>>(
        result: Result<impl std::fmt::Debug, E>,
        code: ExceptionCode,
        locator: &str,
    ) -> WmsError {
        let error: WmsError = result.expect_err("an error").into();
        assert_eq!(
            (error.code, error.locator.as_deref()),
            (code, Some(locator)),
            "{error}"
        );
        error
    }
}

#[cfg(test)]
mod tests {
    use super::testing::*;

    #[test]
    fn keys_are_case_insensitive_and_values_trimmed() {
        let pairs = query(&[
            ("service", " WMS "),
            ("Request", " getmap"),
            ("version", "1.3.0 "),
            ("layers", " a , b "),
            ("crs", " epsg:25832"),
            ("bbox", " 1 , 2 , 3 , 4 "),
            ("Width", " 10"),
            ("HEIGHT", "20 "),
            ("format", " IMAGE/PNG "),
        ]);
        let WmsRequest::GetMap(map) = parse(&pairs, &Limits::default()).unwrap() else {
            panic!()
        };
        assert_eq!(map.layers, ["a", "b"]);
        assert_eq!(map.styles, ["default", "default"]);
        assert_eq!(
            map.bbox,
            Bbox {
                min_x: 1.0,
                min_y: 2.0,
                max_x: 3.0,
                max_y: 4.0
            }
        );
        assert_eq!((map.width, map.height), (10, 20));
    }

    #[test]
    fn the_first_of_repeated_keys_wins() {
        let mut pairs = get_map_query(&[]);
        pairs.push(("layers".into(), "other".into()));
        pairs.push(("WIDTH".into(), "0".into()));
        let WmsRequest::GetMap(map) = parse(&pairs, &Limits::default()).unwrap() else {
            panic!()
        };
        assert_eq!(map.layers, ["gemeinden"]);
        assert_eq!(map.width, 400);
    }

    #[test]
    fn a_wrong_service_is_an_invalid_parameter_value() {
        let error = assert_error(
            parse(
                &query(&[("SERVICE", "WFS"), ("REQUEST", "GetCapabilities")]),
                &Limits::default(),
            ),
            ExceptionCode::InvalidParameterValue,
            "SERVICE",
        );
        assert!(error.message.contains("SERVICE=WMS"), "{error}");
    }

    #[test]
    fn request_is_mandatory_and_unknown_operations_are_not_supported() {
        assert_error(
            parse(&query(&[("SERVICE", "WMS")]), &Limits::default()),
            ExceptionCode::MissingParameterValue,
            "REQUEST",
        );
        let error = assert_error(
            parse(
                &query(&[("SERVICE", "WMS"), ("REQUEST", "DescribeLayer")]),
                &Limits::default(),
            ),
            ExceptionCode::OperationNotSupported,
            "REQUEST",
        );
        assert!(error.message.contains("GetLegendGraphic"), "{error}");
    }

    #[test]
    fn a_rejected_get_map_carries_its_version_and_the_image_it_asked_for() {
        let rejection = parse(
            &get_map_query(&[
                ("VERSION", "1.1.1"),
                ("CRS", ""),
                ("SRS", "EPSG:2056"),
                ("EXCEPTIONS", "application/vnd.ogc.se_inimage"),
                ("BGCOLOR", "0x102030"),
            ]),
            &Limits::default(),
        )
        .unwrap_err();
        assert_eq!(rejection.error.code, ExceptionCode::InvalidSRS);
        assert_eq!(rejection.version, Version::V111);
        assert_eq!(
            rejection.image_target,
            Some(ImageTarget {
                width: 400,
                height: 300,
                format: ImageFormat::Png,
                transparent: false,
                bgcolor: [0x10, 0x20, 0x30],
                exceptions: ExceptionFormat::InImage,
            })
        );
        // XML exceptions, or a size that cannot be drawn, answer in XML.
        for changes in [
            vec![("BBOX", "x")],
            vec![("BBOX", "x"), ("EXCEPTIONS", "INIMAGE"), ("WIDTH", "0")],
        ] {
            let rejection = parse(&get_map_query(&changes), &Limits::default()).unwrap_err();
            assert_eq!(rejection.image_target, None, "{changes:?}");
        }
    }

    #[test]
    fn exceptions_of_failed_requests_get_a_lenient_version() {
        assert_eq!(
            exception_version(&query(&[("VERSION", "1.1.1"), ("REQUEST", "GetMap")])),
            Version::V111
        );
        assert_eq!(
            exception_version(&query(&[("version", "1.2.0")])),
            Version::V111
        );
        assert_eq!(
            exception_version(&query(&[("SRS", "EPSG:4326")])),
            Version::V111
        );
        assert_eq!(
            exception_version(&query(&[("SRS", "EPSG:4326"), ("CRS", "EPSG:4326")])),
            Version::V130
        );
        assert_eq!(exception_version(&[]), Version::V130);
    }
}
