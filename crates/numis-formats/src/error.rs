//! The one error type of the crate: every refusal names its problem, and
//! for XML input the line it was found on.

/// Which configurable limit stopped a read (see [`crate::Limits`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LimitKind {
    /// `max_bytes`: size of the file (or of the KML inside a KMZ).
    Bytes,
    /// `max_features`: number of features with geometry.
    Features,
    /// `max_vertices`: number of coordinates over all features.
    Vertices,
    /// `kmz_max_entries`: number of entries in a KMZ archive.
    KmzEntries,
    /// `kmz_max_uncompressed`: uncompressed size of a KMZ archive.
    KmzUncompressed,
    /// `kmz_max_ratio`: compression ratio of a KMZ entry.
    KmzRatio,
}

impl std::fmt::Display for LimitKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LimitKind::Bytes => "max_bytes",
            LimitKind::Features => "max_features",
            LimitKind::Vertices => "max_vertices",
            LimitKind::KmzEntries => "kmz_max_entries",
            LimitKind::KmzUncompressed => "kmz_max_uncompressed",
            LimitKind::KmzRatio => "kmz_max_ratio",
        })
    }
}

/// Why a file could not be read or a drawing not be written.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FormatError {
    /// The input has no content (or only whitespace).
    #[error("the file is empty")]
    Empty,
    /// The format could not be recognised from the content type or the bytes.
    #[error("unknown file format: expected KML, KMZ, GPX or GeoJSON")]
    UnknownFormat,
    /// Text formats must be UTF-8.
    #[error("the file is not valid UTF-8 text")]
    NotUtf8,
    /// A configured limit was exceeded; reading stopped there.
    #[error("the file exceeds the limit {kind} = {max}")]
    LimitExceeded {
        /// The limit that was hit.
        kind: LimitKind,
        /// Its configured value.
        max: u64,
    },
    /// XML that is not well-formed, or a structure we cannot use.
    #[error("line {line}: {message}")]
    Xml {
        /// 1-based line of the problem.
        line: u64,
        /// What is wrong.
        message: String,
    },
    /// A KML/GPX element we refuse on purpose (e.g. `NetworkLink`).
    #[error("line {line}: {what} is not supported")]
    Unsupported {
        /// 1-based line of the element.
        line: u64,
        /// The element.
        what: String,
    },
    /// A coordinate outside longitude -180..180 / latitude -90..90, or not finite.
    #[error(
        "{location}coordinate ({lon}, {lat}) is out of range (longitude -180..180, latitude -90..90)"
    )]
    CoordinateOutOfRange {
        /// `"line N: "` for XML input, empty otherwise.
        location: String,
        /// Longitude as read.
        lon: f64,
        /// Latitude as read.
        lat: f64,
    },
    /// Text that should be JSON is not.
    #[error("invalid JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// The parser's message.
        message: String,
    },
    /// JSON that is not valid GeoJSON.
    #[error("invalid GeoJSON: {0}")]
    GeoJson(String),
    /// A KMZ archive that cannot be used.
    #[error("KMZ: {0}")]
    Kmz(String),
    /// Writing a drawing failed.
    #[error("cannot write {format}: {message}")]
    Write {
        /// Target format.
        format: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// Result alias of this crate.
pub type Result<T> = std::result::Result<T, FormatError>;
