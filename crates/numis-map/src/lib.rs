//! The numis map engine: coordinate systems, data sources, spatial index,
//! styles and rendering, and (to come) the WMS protocol as plain functions.
//!
//! No HTTP here: numis-server decodes requests and encodes responses.

pub mod crs;
mod error;

pub use crs::Crs;
pub use error::{MapError, Result};
