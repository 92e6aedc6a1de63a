//! The OGC Web Map Service protocol (WMS 1.3.0 and 1.1.1) as plain
//! functions: parse and validate requests, write capabilities, feature info
//! and service exceptions. No HTTP and no rendering here: numis-server maps
//! these to responses, the engine answers the typed requests.

mod capabilities;
mod exception;
mod featureinfo;
mod request;

pub use capabilities::{
    Attribution, CapLayer, CapabilitiesInput, LegendUrl, capabilities_content_type,
    capabilities_xml,
};
pub use exception::{ExceptionCode, WmsError};
pub use featureinfo::{InfoFeature, InfoLayer, feature_info};
pub use request::{
    Bbox, DEFAULT_FEATURE_COUNT, DEFAULT_MAX_LAYERS, ExceptionFormat, GetFeatureInfoRequest,
    GetMapRequest, ImageFormat, ImageTarget, InfoFormat, LegendRequest, Limits, MAX_FEATURE_COUNT,
    Rejection, RenderBudget, Version, WmsRequest, exception_version, parse,
};
