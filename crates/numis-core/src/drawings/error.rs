//! Why a drawing request was refused or failed. The messages of the
//! refusals are written for the person who sent the request; the failures
//! on our side ([`DrawingError::is_failure`]) carry details for the log.

use numis_formats::FormatError;
use numis_store::StoreError;

use super::time::rfc3339;

/// Result alias of the drawings service.
pub type Result<T> = std::result::Result<T, DrawingError>;

/// What can go wrong with a drawing.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DrawingError {
    /// No drawing has this id (there never was one, or it was deleted or
    /// purged).
    #[error("no such drawing")]
    NotFound,
    /// The drawing expired (clause P8); it says so until the purge deletes
    /// it.
    #[error("this drawing expired on {}", rfc3339(*at))]
    Expired {
        /// When it expired, Unix seconds (UTC).
        at: i64,
    },
    /// The operator blocked the drawing (clause P12): it is kept as
    /// evidence, and only the operator sees it, until it expires.
    #[error("this drawing was blocked by the operator")]
    Blocked,
    /// The edit key is missing or is not this drawing's; nothing changed.
    #[error("only the edit link's key may change or delete this drawing")]
    Forbidden,
    /// The upload is larger than the configured limit; nothing was read.
    #[error("the upload is larger than {limit} bytes")]
    TooLarge {
        /// `[drawings] max_upload_bytes`.
        limit: u64,
    },
    /// The upload declares a content type that is no drawing format.
    #[error("{content_type} is not a drawing format; send GeoJSON, KML, KMZ or GPX")]
    UnsupportedType {
        /// The declared type, as sent.
        content_type: String,
    },
    /// The upload is no readable drawing: broken XML or JSON, a refused
    /// element, a coordinate out of range, a limit of the format reader.
    /// The message names the problem (and its line, for XML).
    #[error(transparent)]
    Unreadable(FormatError),
    /// Input that breaks a rule of the service (an unrecognisable upload,
    /// an empty report reason); the reason says which.
    #[error("{0}")]
    Invalid(String),
    /// A stored drawing cannot be read back for export. Our fault: what is
    /// stored was written by us.
    #[error("the drawing cannot be exported: {0}")]
    Unexportable(#[source] FormatError),
    /// The operating system gave no randomness for a new id or key.
    #[error("no randomness for a drawing id or key: {0}")]
    NoRandomness(getrandom::Error),
    /// The store failed; nothing was changed.
    #[error("drawing store: {0}")]
    Store(#[from] StoreError),
}

impl DrawingError {
    /// True when the fault is ours (store, randomness, a stored drawing
    /// that cannot be read back), not the request's: the details belong
    /// in the log, not in the answer.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Self::Unexportable(_) | Self::NoRandomness(_) | Self::Store(_)
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_expiry_is_told_as_a_date() {
        let expired = DrawingError::Expired { at: 1_767_225_600 };
        assert_eq!(
            expired.to_string(),
            "this drawing expired on 2026-01-01T00:00:00Z"
        );
        assert!(!expired.is_failure());
    }

    #[test]
    fn store_failures_are_ours_and_bad_uploads_are_not() {
        let full = DrawingError::from(StoreError::DataDir {
            path: "var".into(),
            source: std::io::Error::other("No space left on device"),
        });
        assert!(full.is_failure());
        assert!(!DrawingError::Unreadable(FormatError::Empty).is_failure());
        assert_eq!(
            DrawingError::Unreadable(FormatError::Empty).to_string(),
            "the file is empty",
            "the format reader's message, unchanged"
        );
    }
}
