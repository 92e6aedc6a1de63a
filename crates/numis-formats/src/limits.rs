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
    /// No limits at all, for documents numis wrote itself: a stored
    /// drawing passed the upload limits when it was saved, but its GeoJSON
    /// form is longer than the upload was (a 3.5 MB KML of 500,000 vertices
    /// is stored as some 11 MB of GeoJSON), and the operator may lower the
    /// limits later. Reading it back must never refuse it.
    ///
    /// ```
    /// use numis_formats::{Limits, read, write_geojson, Drawing, Feature, Format};
    /// use numis_formats::model::Geometry;
    ///
    /// let line: Vec<(f64, f64)> = (0..1_000).map(|i| (f64::from(i) / 1e3, 0.5)).collect();
    /// let drawing = Drawing { features: vec![Feature::new(Geometry::LineString(line.into()))] };
    /// let stored = write_geojson(&drawing);
    /// let tight = Limits { max_bytes: 100, max_vertices: 10, ..Limits::default() };
    /// assert!(read(stored.as_bytes(), Format::GeoJson, &tight).is_err());
    /// assert_eq!(read(stored.as_bytes(), Format::GeoJson, &Limits::unbounded()).unwrap(), drawing);
    /// ```
    pub fn unbounded() -> Self {
        Limits {
            max_bytes: u64::MAX,
            max_features: usize::MAX,
            max_vertices: usize::MAX,
            kmz_max_entries: usize::MAX,
            kmz_max_uncompressed: u64::MAX,
            kmz_max_ratio: u64::MAX,
        }
    }

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
