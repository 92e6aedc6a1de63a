//! Third parties' data for users (issue 15): every request numis makes
//! on a user's behalf — another authority's WMS, a file by URL — goes
//! through this module, so that no citizen's browser contacts a third
//! party (P3) and nobody can use the server to reach what it must not.
//! [`address`] says which addresses are public, [`target`] checks a URL
//! and pins it to one checked address, [`fetch`] makes the request.
//! Another authority's WMS: [`capabilities`] reads its capabilities (with
//! [`xml_tree`]), [`wms_request`] builds what numis asks it, [`wms_proxy`]
//! fetches and keeps the answers for a while. A layer's measurements from
//! an OGC SensorThings API the operator configured: [`sensorthings`]
//! drives the engine's reading through the same fetcher.

pub mod address;
pub mod capabilities;
pub mod fetch;
pub mod sensorthings;
pub mod target;
pub mod wms_proxy;
pub mod wms_request;
pub mod xml_tree;
