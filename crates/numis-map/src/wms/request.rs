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

use std::collections::HashMap;

use super::exception::{ExceptionCode, WmsError};
use crate::Crs;
use crate::config::{DEFAULT_MAX_SIZE, ServiceConfig};

/// Most layers one GetMap may ask for. [default: 64]
pub const DEFAULT_MAX_LAYERS: usize = 64;
/// FEATURE_COUNT when the request gives none. [default: 1]
pub const DEFAULT_FEATURE_COUNT: u32 = 1;
/// Larger FEATURE_COUNT values are capped to this. [default: 50]
pub const MAX_FEATURE_COUNT: u32 = 50;
/// Longest piece of a request value repeated in an error message.
const MAX_ECHO: usize = 80;

/// What a request may ask for; the capabilities advertise the same values
/// (`LayerLimit`, `MaxWidth`, `MaxHeight`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest WIDTH. [default: 4096]
    pub max_width: u32,
    /// Largest HEIGHT. [default: 4096]
    pub max_height: u32,
    /// Most entries in LAYERS (and QUERY_LAYERS). [default: 64]
    pub max_layers: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_width: DEFAULT_MAX_SIZE,
            max_height: DEFAULT_MAX_SIZE,
            max_layers: DEFAULT_MAX_LAYERS,
        }
    }
}

impl Limits {
    /// The limits of `[service]`, with [`DEFAULT_MAX_LAYERS`].
    pub fn from_service(service: &ServiceConfig) -> Self {
        Self {
            max_width: service.max_width,
            max_height: service.max_height,
            max_layers: DEFAULT_MAX_LAYERS,
        }
    }
}

/// A supported WMS version.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Version {
    /// WMS 1.1.1: `SRS`, `X`/`Y`, longitude first everywhere.
    V111,
    /// WMS 1.3.0: `CRS`, `I`/`J`, EPSG:4326 and EPSG:4258 latitude first.
    #[default]
    V130,
}

impl Version {
    /// `"1.1.1"` or `"1.3.0"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::V111 => "1.1.1",
            Self::V130 => "1.3.0",
        }
    }

    /// The version to serve for an operation other than GetCapabilities.
    /// Besides the two supported versions this accepts 1.0.0 and 1.1.0 as
    /// 1.1.1, which reads their requests the same way (SRS, longitude first).
    pub fn parse(version: &str) -> Option<Self> {
        match version.trim() {
            "1.3.0" => Some(Self::V130),
            "1.1.1" | "1.1.0" | "1.0.0" => Some(Self::V111),
            _ => None,
        }
    }

    /// Version negotiation for GetCapabilities (WMS 1.3.0, 6.2.4): a
    /// supported version is served as asked; otherwise the highest supported
    /// version below the requested one, or the lowest supported when the
    /// request is below all of them. Text that is not a version number gets
    /// the highest version, as a missing VERSION does.
    ///
    /// ```
    /// use numis_map::wms::Version;
    ///
    /// assert_eq!(Version::negotiate("1.1.1"), Version::V111);
    /// assert_eq!(Version::negotiate("1.2.0"), Version::V111);
    /// assert_eq!(Version::negotiate("1.0.0"), Version::V111);
    /// assert_eq!(Version::negotiate("2.0.0"), Version::V130);
    /// ```
    pub fn negotiate(requested: &str) -> Self {
        let parts: Option<Vec<u32>> = requested
            .trim()
            .split('.')
            .map(|p| p.parse().ok())
            .collect();
        match parts {
            Some(parts) if parts < vec![1, 3, 0] => Self::V111,
            _ => Self::V130,
        }
    }
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

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

/// A raster output format of GetMap and GetLegendGraphic.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ImageFormat {
    /// `image/png`, 32-bit RGBA.
    #[default]
    Png,
    /// `image/png; mode=8bit`, palette PNG.
    Png8,
    /// `image/jpeg`.
    Jpeg,
}

impl ImageFormat {
    /// The MIME types to advertise, in the order of preference.
    pub const MIME_TYPES: [&'static str; 3] = ["image/png", "image/png; mode=8bit", "image/jpeg"];

    /// Reads a FORMAT value, case-insensitively and ignoring spaces (and
    /// `+`, an undecoded space): `image/png`, `image/png; mode=8bit`,
    /// `image/png8`, `image/jpeg`; also MapServer's `image/png; mode=24bit`
    /// and `mode=32bit`, and the common misspelling `image/jpg`.
    pub fn parse(format: &str) -> Option<Self> {
        let format: String = format
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '+')
            .map(|c| c.to_ascii_lowercase())
            .collect();
        match format.as_str() {
            "image/png" | "image/png;mode=24bit" | "image/png;mode=32bit" => Some(Self::Png),
            "image/png;mode=8bit" | "image/png8" => Some(Self::Png8),
            "image/jpeg" | "image/jpg" => Some(Self::Jpeg),
            _ => None,
        }
    }

    /// The `Content-Type` of an image in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Png | Self::Png8 => "image/png",
            Self::Jpeg => "image/jpeg",
        }
    }
}

/// How the client wants exceptions reported (EXCEPTIONS).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ExceptionFormat {
    /// A `ServiceExceptionReport` document.
    #[default]
    Xml,
    /// The message drawn into an image of the requested size and format.
    InImage,
    /// An empty image of the requested size (transparent or BGCOLOR).
    Blank,
}

impl ExceptionFormat {
    /// Reads an EXCEPTIONS value in the 1.3.0 (`XML`, `INIMAGE`, `BLANK`)
    /// or 1.1.1 (`application/vnd.ogc.se_xml`, …) spelling, case-insensitively;
    /// `text/xml` means XML.
    pub fn parse(format: &str) -> Option<Self> {
        match format.trim().to_ascii_lowercase().as_str() {
            "xml" | "application/vnd.ogc.se_xml" | "text/xml" => Some(Self::Xml),
            "inimage" | "application/vnd.ogc.se_inimage" => Some(Self::InImage),
            "blank" | "application/vnd.ogc.se_blank" => Some(Self::Blank),
            _ => None,
        }
    }
}

/// A GetFeatureInfo output format (INFO_FORMAT).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum InfoFormat {
    /// `text/html`: a small self-contained HTML document.
    #[default]
    Html,
    /// `application/json` (also `application/geo+json`, `application/geojson`): GeoJSON.
    Json,
    /// `text/plain`: MapServer-style text.
    Text,
    /// `text/xml` (also `application/vnd.ogc.gml`, `application/vnd.ogc.wms_xml`): msGMLOutput.
    Xml,
}

impl InfoFormat {
    /// The MIME types to advertise.
    pub const MIME_TYPES: [&'static str; 5] = [
        "text/html",
        "application/json",
        "text/plain",
        "text/xml",
        "application/vnd.ogc.gml",
    ];

    /// Reads an INFO_FORMAT value, case-insensitively; parameters such as
    /// `; charset=utf-8` are ignored.
    pub fn parse(format: &str) -> Option<Self> {
        let mime = format
            .split(';')
            .next()
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase();
        match mime.as_str() {
            "text/html" => Some(Self::Html),
            "application/json" | "application/geo+json" | "application/geojson" => Some(Self::Json),
            "text/plain" => Some(Self::Text),
            "text/xml" | "application/vnd.ogc.gml" | "application/vnd.ogc.wms_xml" => {
                Some(Self::Xml)
            }
            _ => None,
        }
    }
}

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
pub fn parse(query: &[(String, String)], limits: &Limits) -> Result<WmsRequest, WmsError> {
    let raw = RawQuery::new(query);
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
        "getcapabilities" | "capabilities" => Ok(WmsRequest::GetCapabilities {
            version: raw.version_text().map_or(Version::V130, Version::negotiate),
            language: raw.language(),
        }),
        "getmap" | "map" => {
            let version = raw.operation_version()?;
            Ok(WmsRequest::GetMap(map_request(&raw, limits, version, MapFormat::Required)?))
        }
        "getfeatureinfo" | "feature_info" => {
            let version = raw.operation_version()?;
            Ok(WmsRequest::GetFeatureInfo(feature_info_request(&raw, limits, version)?))
        }
        "getlegendgraphic" => {
            let version = raw.operation_version()?;
            Ok(WmsRequest::GetLegendGraphic(legend_request(&raw, limits, version)?))
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

/// The version to write an exception in when [`parse`] failed, read
/// leniently from the same query: VERSION (or WMTVER) negotiated as for
/// GetCapabilities; without it 1.1.1 when the request has SRS but no CRS,
/// else 1.3.0.
pub fn exception_version(query: &[(String, String)]) -> Version {
    let raw = RawQuery::new(query);
    match raw.version_text() {
        Some(version) => Version::negotiate(version),
        None => raw.implied_version(),
    }
}

/// The query, decoded: upper-case keys, trimmed values, first wins.
struct RawQuery<'a> {
    params: HashMap<String, &'a str>,
}

impl<'a> RawQuery<'a> {
    fn new(query: &'a [(String, String)]) -> Self {
        let mut params = HashMap::with_capacity(query.len());
        for (key, value) in query {
            params
                .entry(key.trim().to_ascii_uppercase())
                .or_insert_with(|| value.trim());
        }
        Self { params }
    }

    /// The value of `key` (upper case), or `None` when absent or empty.
    fn get(&self, key: &str) -> Option<&'a str> {
        self.params.get(key).copied().filter(|v| !v.is_empty())
    }

    /// The first of `keys` that is present, with its value.
    fn get_either(&self, keys: [&'static str; 2]) -> Option<(&'static str, &'a str)> {
        keys.into_iter()
            .find_map(|key| self.get(key).map(|value| (key, value)))
    }

    /// VERSION, or WMTVER as WMS 1.0 called it.
    fn version_text(&self) -> Option<&'a str> {
        self.get("VERSION").or_else(|| self.get("WMTVER"))
    }

    /// The version a request without VERSION is read as: 1.3.0, unless it
    /// uses the 1.1.1 parameter SRS and not the 1.3.0 parameter CRS.
    fn implied_version(&self) -> Version {
        if self.get("SRS").is_some() && self.get("CRS").is_none() {
            Version::V111
        } else {
            Version::V130
        }
    }

    /// The version of an operation other than GetCapabilities. VERSION is
    /// mandatory there, but a missing one is accepted (see `implied_version`).
    fn operation_version(&self) -> Result<Version, WmsError> {
        match self.version_text() {
            None => Ok(self.implied_version()),
            Some(text) => Version::parse(text).ok_or_else(|| {
                WmsError::invalid(
                    "VERSION",
                    format!(
                        "VERSION={} is not supported; use VERSION=1.3.0 or VERSION=1.1.1",
                        echo(text)
                    ),
                )
            }),
        }
    }

    /// LANGUAGE as `de` or `en`; other languages fall back to the default
    /// (German) and give `None`. Accepts ISO 639-1 and 639-2 codes (INSPIRE
    /// clients send `ger`/`eng`) and region subtags (`de-DE`).
    fn language(&self) -> Option<String> {
        let language = self.get("LANGUAGE")?.to_ascii_lowercase();
        let primary = language.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "de" | "ger" | "deu" => Some("de".into()),
            "en" | "eng" => Some("en".into()),
            _ => None,
        }
    }
}

/// Whether GetMap's FORMAT is mandatory.
#[derive(Clone, Copy, PartialEq, Eq)]
enum MapFormat {
    /// GetMap: FORMAT must be given and known.
    Required,
    /// GetFeatureInfo: FORMAT is irrelevant; PNG when absent or unknown.
    Optional,
}

fn map_request(
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

fn feature_info_request(
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

fn legend_request(
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

/// LAYERS or QUERY_LAYERS: a non-empty comma-separated list of names.
fn layer_list(raw: &RawQuery, key: &'static str, limits: &Limits) -> Result<Vec<String>, WmsError> {
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

fn style_not_defined(style: &str, layer: &str) -> WmsError {
    WmsError::new(
        ExceptionCode::StyleNotDefined,
        format!(
            "style {} is not defined for layer {}; only the default style is offered (empty or \"default\")",
            echo(style),
            echo(layer)
        ),
    )
}

/// CRS (1.3.0) or SRS (1.1.1), each accepting the other as fallback.
fn crs(raw: &RawQuery, version: Version) -> Result<Crs, WmsError> {
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
fn bbox(raw: &RawQuery, version: Version, crs: Crs) -> Result<Bbox, WmsError> {
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

/// WIDTH or HEIGHT: a whole number of pixels, 1..=max.
fn size(raw: &RawQuery, key: &'static str, max: u32) -> Result<u32, WmsError> {
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

/// A request value quoted for an error message, shortened when long.
fn echo(value: &str) -> String {
    if value.chars().count() <= MAX_ECHO {
        format!("\"{value}\"")
    } else {
        let head: String = value.chars().take(MAX_ECHO).collect();
        format!("\"{head}…\"")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    /// A valid WMS 1.3.0 GetMap in EPSG:25832, with `changes` replacing or
    /// adding parameters (an empty value removes one).
    fn get_map_query(changes: &[(&str, &str)]) -> Vec<(String, String)> {
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

    fn get_map(changes: &[(&str, &str)]) -> Result<GetMapRequest, WmsError> {
        match parse(&get_map_query(changes), &Limits::default())? {
            WmsRequest::GetMap(map) => Ok(map),
            other => panic!("not a GetMap: {other:?}"),
        }
    }

    fn get_feature_info(changes: &[(&str, &str)]) -> Result<GetFeatureInfoRequest, WmsError> {
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

    fn legend(pairs: &[(&str, &str)]) -> Result<LegendRequest, WmsError> {
        let mut all = vec![("REQUEST", "GetLegendGraphic")];
        all.extend_from_slice(pairs);
        match parse(&query(&all), &Limits::default())? {
            WmsRequest::GetLegendGraphic(legend) => Ok(legend),
            other => panic!("not a GetLegendGraphic: {other:?}"),
        }
    }

    fn capabilities_version(pairs: &[(&str, &str)]) -> Version {
        let mut all = vec![("SERVICE", "WMS"), ("REQUEST", "GetCapabilities")];
        all.extend_from_slice(pairs);
        match parse(&query(&all), &Limits::default()).unwrap() {
            WmsRequest::GetCapabilities { version, .. } => version,
            other => panic!("not a GetCapabilities: {other:?}"),
        }
    }

    #[track_caller]
    fn assert_error(
        result: Result<impl std::fmt::Debug, WmsError>,
        code: ExceptionCode,
        locator: &str,
    ) -> WmsError {
        let error = result.expect_err("an error");
        assert_eq!(
            (error.code, error.locator.as_deref()),
            (code, Some(locator)),
            "{error}"
        );
        error
    }

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
    fn capabilities_negotiate_the_version() {
        assert_eq!(capabilities_version(&[]), Version::V130);
        assert_eq!(capabilities_version(&[("VERSION", "1.1.1")]), Version::V111);
        assert_eq!(capabilities_version(&[("VERSION", "1.3.0")]), Version::V130);
        assert_eq!(capabilities_version(&[("VERSION", "1.2.0")]), Version::V111);
        assert_eq!(capabilities_version(&[("VERSION", "1.0.0")]), Version::V111);
        assert_eq!(capabilities_version(&[("VERSION", "1.4")]), Version::V130);
        assert_eq!(
            capabilities_version(&[("VERSION", "nonsense")]),
            Version::V130
        );
        assert_eq!(capabilities_version(&[("WMTVER", "1.1.0")]), Version::V111);
    }

    #[test]
    fn capabilities_accept_the_wms_1_0_name_and_a_missing_service() {
        let pairs = query(&[("request", "capabilities"), ("language", "en")]);
        assert_eq!(
            parse(&pairs, &Limits::default()).unwrap(),
            WmsRequest::GetCapabilities {
                version: Version::V130,
                language: Some("en".into())
            }
        );
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
    fn a_missing_version_is_1_3_0_unless_only_srs_is_given() {
        assert_eq!(get_map(&[("VERSION", "")]).unwrap().version, Version::V130);
        let map = get_map(&[
            ("VERSION", ""),
            ("CRS", ""),
            ("SRS", "EPSG:4326"),
            ("BBOX", "9.5,51.5,10.5,52.5"),
        ])
        .unwrap();
        assert_eq!(map.version, Version::V111);
        assert_eq!(map.bbox.min_x, 9.5);
    }

    #[test]
    fn crs_and_srs_stand_in_for_each_other() {
        let map = get_map(&[("CRS", ""), ("SRS", "EPSG:3857"), ("BBOX", "0,0,1,1")]).unwrap();
        assert_eq!((map.version, map.crs), (Version::V130, Crs::WebMercator));
        let map = get_map(&[("VERSION", "1.1.1"), ("BBOX", "0,0,1,1")]).unwrap();
        assert_eq!((map.version, map.crs), (Version::V111, Crs::Utm32));
    }

    #[test]
    fn get_map_rejects_an_unsupported_version() {
        let error = assert_error(
            get_map(&[("VERSION", "2.0.0")]),
            ExceptionCode::InvalidParameterValue,
            "VERSION",
        );
        assert!(error.message.contains("1.3.0"), "{error}");
        assert_eq!(
            get_map(&[("VERSION", "1.1.0")]).unwrap().version,
            Version::V111
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

    #[test]
    fn formats_are_read_case_insensitively() {
        for (format, expected) in [
            ("image/png", ImageFormat::Png),
            ("IMAGE/PNG", ImageFormat::Png),
            ("image/png; mode=8bit", ImageFormat::Png8),
            ("image/png;+mode=8bit", ImageFormat::Png8),
            ("image/PNG8", ImageFormat::Png8),
            ("image/jpeg", ImageFormat::Jpeg),
        ] {
            assert_eq!(
                get_map(&[("FORMAT", format)]).unwrap().format,
                expected,
                "{format}"
            );
        }
        let error = assert_error(
            get_map(&[("FORMAT", "image/gif")]),
            ExceptionCode::InvalidFormat,
            "FORMAT",
        );
        assert!(error.message.contains("image/png; mode=8bit"), "{error}");
        assert_error(
            get_map(&[("FORMAT", "")]),
            ExceptionCode::MissingParameterValue,
            "FORMAT",
        );
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

    #[test]
    fn language_is_de_or_en_or_nothing() {
        for (value, expected) in [
            ("de", Some("de")),
            ("DE-de", Some("de")),
            ("ger", Some("de")),
            ("en-GB", Some("en")),
            ("eng", Some("en")),
            ("fr", None),
        ] {
            assert_eq!(
                get_map(&[("LANGUAGE", value)]).unwrap().language.as_deref(),
                expected,
                "{value}"
            );
        }
    }

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

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(1000);
        let error = get_map(&[("FORMAT", &long)]).unwrap_err();
        assert!(error.message.len() < 300, "{}", error.message.len());
        assert!(error.message.contains('…'));
    }

    #[test]
    fn limits_come_from_the_service_configuration() {
        let service = ServiceConfig {
            max_width: 2000,
            max_height: 1000,
            ..ServiceConfig::default()
        };
        assert_eq!(
            Limits::from_service(&service),
            Limits {
                max_width: 2000,
                max_height: 1000,
                max_layers: 64
            }
        );
    }
}
