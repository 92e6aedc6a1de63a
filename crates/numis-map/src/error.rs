//! Errors of the map engine.

use std::path::PathBuf;

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, MapError>;

/// What can go wrong in the map engine.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MapError {
    /// A coordinate could not be transformed.
    #[error("coordinate transformation failed: {0}")]
    Projection(String),
    /// A data file could not be read.
    #[error("{path}: cannot read: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The operating system's reason.
        #[source]
        source: std::io::Error,
    },
    /// A GeoPackage cannot be read.
    #[error("{path}: {message}")]
    GeoPackage {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A data file is not valid GeoJSON.
    #[error("{path}: not valid GeoJSON: {message}")]
    GeoJson {
        /// The file.
        path: PathBuf,
        /// What the parser reported.
        message: String,
    },
    /// A PostGIS source cannot be used.
    #[error("PostGIS: {message}")]
    PostGis {
        /// What is wrong (never the connection's password).
        message: String,
    },
}

/// Why an image could not be drawn.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The image of this size could not be allocated.
    #[error("an image of {width} × {height} pixels could not be allocated")]
    Allocation {
        /// Width in pixels.
        width: u32,
        /// Height in pixels.
        height: u32,
    },
    /// Drawing took longer than its time budget allowed.
    #[error("drawing took longer than its time budget")]
    DeadlineExceeded,
}
