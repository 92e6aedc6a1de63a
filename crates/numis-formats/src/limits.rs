//! Size limits applied while reading, so hostile input stops early.

use crate::error::{FormatError, LimitKind, Result};

/// Limits enforced by [`crate::read`]. The defaults suit a citizen's upload.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// Largest accepted file (and KML inside a KMZ). [default: 5 MB]
    pub max_bytes: u64,
    /// Most features with geometry. [default: 10 000]
    pub max_features: usize,
    /// Most coordinates over all features. [default: 500 000]
    pub max_vertices: usize,
    /// Most entries in a KMZ archive. [default: 1000]
    pub kmz_max_entries: usize,
    /// Largest uncompressed total of a KMZ archive. [default: 50 MB]
    pub kmz_max_uncompressed: u64,
    /// Highest compression ratio of any KMZ entry. [default: 100]
    pub kmz_max_ratio: u64,
}

/// [`Limits::max_bytes`] default.
pub const DEFAULT_MAX_BYTES: u64 = 5 * 1024 * 1024;
/// [`Limits::max_features`] default.
pub const DEFAULT_MAX_FEATURES: usize = 10_000;
/// [`Limits::max_vertices`] default.
pub const DEFAULT_MAX_VERTICES: usize = 500_000;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: DEFAULT_MAX_BYTES,
            max_features: DEFAULT_MAX_FEATURES,
            max_vertices: DEFAULT_MAX_VERTICES,
            kmz_max_entries: 1000,
            kmz_max_uncompressed: 50 * 1024 * 1024,
            kmz_max_ratio: 100,
        }
    }
}

impl Limits {
    /// Refuses input larger than `max_bytes`.
    pub(crate) fn check_bytes(&self, len: usize) -> Result<()> {
        if len as u64 > self.max_bytes {
            return Err(FormatError::LimitExceeded {
                kind: LimitKind::Bytes,
                max: self.max_bytes,
            });
        }
        Ok(())
    }
}

/// Counts features and vertices while a reader runs.
#[derive(Debug)]
pub(crate) struct Budget {
    limits: Limits,
    features: usize,
    vertices: usize,
}

impl Budget {
    pub(crate) fn new(limits: &Limits) -> Self {
        Budget {
            limits: limits.clone(),
            features: 0,
            vertices: 0,
        }
    }

    pub(crate) fn add_feature(&mut self) -> Result<()> {
        self.features += 1;
        if self.features > self.limits.max_features {
            return Err(FormatError::LimitExceeded {
                kind: LimitKind::Features,
                max: self.limits.max_features as u64,
            });
        }
        Ok(())
    }

    pub(crate) fn add_vertex(&mut self) -> Result<()> {
        self.vertices += 1;
        if self.vertices > self.limits.max_vertices {
            return Err(FormatError::LimitExceeded {
                kind: LimitKind::Vertices,
                max: self.limits.max_vertices as u64,
            });
        }
        Ok(())
    }
}
