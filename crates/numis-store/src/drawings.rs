//! The shape of a stored drawing (clauses P4, P7–P12). The store keeps
//! what it is given; ids, keys and expiry are decided by the caller.

/// A drawing as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredDrawing {
    /// Public id, part of share links.
    pub id: String,
    /// SHA-256 of the secret edit key (the key itself is never stored).
    pub edit_key_hash: Vec<u8>,
    /// The id of the owning account; `None` for an anonymous drawing.
    pub owner: Option<String>,
    /// Title.
    pub title: String,
    /// The features as a GeoJSON FeatureCollection.
    pub features: String,
    /// Created, Unix seconds (UTC).
    pub created_at: i64,
    /// Last changed, Unix seconds.
    pub changed_at: i64,
    /// Expires, Unix seconds.
    pub expires_at: i64,
    /// The id of the drawing this one was copied from.
    pub copied_from: Option<String>,
    /// How often it was reported (since the operator last dismissed the
    /// reports).
    pub report_count: i64,
    /// When the operator blocked it, Unix seconds; `None` while it is not
    /// blocked. A blocked drawing is kept but not shown to the public.
    pub blocked_at: Option<i64>,
}

/// Orders of the moderation list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DrawingOrder {
    /// Newest first.
    Newest,
    /// Most reported first, then newest.
    MostReported,
}

/// One abuse report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DrawingReport {
    /// When, Unix seconds.
    pub reported_at: i64,
    /// The reporter's reason.
    pub reason: String,
}
