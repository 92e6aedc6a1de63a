//! The numis map engine: coordinate systems, data sources, spatial index,
//! styles and rendering, the catalogue view (who may see which layers and
//! fields: [`view`]), source notes, and the WMS protocol as plain functions.
//!
//! No HTTP here: numis-server decodes requests and encodes responses.

pub mod attribution;
pub mod catalog;
pub mod config;
pub mod crs;
pub mod data;
mod error;
pub mod gpkg;
pub mod legend;
pub mod measurements;
pub mod query;
pub mod render;
pub mod render_key;
pub mod search;
pub mod service;
pub mod style;
pub mod view;
pub mod wms;

pub use crs::Crs;
pub use error::{MapError, Result};
