//! The numis map engine: coordinate systems, data sources (GeoPackage,
//! GeoJSON), spatial index, rule-based styles and rendering to PNG/JPEG
//! within a time and size budget, labels and legends, and the WMS
//! protocol as plain functions (parse, capabilities, GetMap,
//! GetFeatureInfo, GetLegendGraphic, exceptions).
//!
//! Two rules have exactly one home here: who may see which layers, groups
//! and fields ([`view`]: `Catalog::view(&Caller)`, through which every
//! output reads), and the source note of what is shown
//! ([`attribution::combined_notes`]). What a cached image depends on is
//! [`render_key::RenderKey`].
//!
//! A layer's data leave the server as files only through [`export`]
//! (open-data downloads), which reads them through the same view.
//!
//! No HTTP here: numis-server decodes requests and encodes responses.

pub mod attribution;
pub mod catalog;
pub mod config;
pub mod crs;
pub mod data;
mod error;
pub mod export;
pub mod gpkg;
pub mod legend;
pub mod measurements;
pub mod paper;
pub mod postgis;
pub mod query;
pub mod render;
pub mod render_key;
pub mod search;
pub mod series;
pub mod service;
pub mod style;
pub mod view;
pub mod wms;

pub use crs::Crs;
pub use error::{MapError, Result};
