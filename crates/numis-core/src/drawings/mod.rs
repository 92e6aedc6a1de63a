//! Drawings (clauses P4, P7–P12): anonymous drawings imported from
//! GeoJSON, KML, KMZ or GPX, viewed by anyone with the id, changed and
//! deleted only with the secret edit key, copied by anyone, expiring a
//! configurable time after their last change, reported for abuse,
//! moderated by the operator and purged once expired.
//!
//! [`DrawingService`] holds these rules over a [`DrawingStore`]; its
//! methods answer with a [`DrawingError`] that says what was refused.
//! The edit key is 256 random bits, shown once ([`Created::edit_key`]) and
//! stored only as its SHA-256. Changing or deleting needs an [`Editable`],
//! which only [`DrawingService::editable`] hands out, after checking the
//! key in constant time.
//!
//! ```
//! # tokio::runtime::Runtime::new().unwrap().block_on(async {
//! use std::sync::Arc;
//! use numis_core::drawings::{DrawingError, DrawingRules, DrawingService, ExportFormat, Upload};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = numis_store::SqlStore::open_sqlite(dir.path()).await.unwrap();
//! let drawings = DrawingService::new(Arc::new(store), DrawingRules::default());
//!
//! let gpx = br#"<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1">
//!   <wpt lat="52.37" lon="9.73"><name>Start</name></wpt></gpx>"#;
//! let created = drawings.create(Some("Runde"), &Upload::new(gpx, None)).await.unwrap();
//! let kml = drawings.export(&created.id, ExportFormat::Kml).await.unwrap();
//! assert!(kml.contains("<name>Start</name>"));
//!
//! let stranger = drawings.editable(&created.id, Some("not the key")).await;
//! assert!(matches!(stranger, Err(DrawingError::Forbidden)));
//! let owner = drawings.editable(&created.id, Some(&created.edit_key)).await.unwrap();
//! drawings.delete(owner).await.unwrap();
//! # });
//! ```

mod error;
mod export;
mod keys;
mod time;
mod upload;

use std::collections::HashMap;
use std::sync::Arc;

use numis_formats::Drawing;
pub use numis_formats::Limits;
pub use numis_store::{DrawingOrder, DrawingReport, DrawingStore, StoredDrawing};

pub use error::{DrawingError, Result};
pub use export::ExportFormat;
pub use time::{Clock, rfc3339};
pub use upload::Upload;

/// Longest title, in characters; longer ones are cut.
pub const MAX_TITLE_CHARS: usize = 200;
/// Longest abuse report reason, in characters; longer ones are cut.
pub const MAX_REASON_CHARS: usize = 1_000;
/// Most drawings one moderation list shows.
pub const MAX_MODERATION_LIST: u32 = 500;
/// [`DrawingRules::retention_days`] default: a year (clause P8).
pub const DEFAULT_RETENTION_DAYS: u32 = 365;

/// What a deployment decides about drawings (`[drawings]` in `numis.toml`).
#[derive(Debug, Clone, PartialEq)]
pub struct DrawingRules {
    /// Days a drawing is kept after its last change; 0 lets every drawing
    /// expire at once. [default: 365]
    pub retention_days: u32,
    /// Limits of an upload: bytes, features, vertices, KMZ archives.
    /// [default: `Limits::default()`: 5 MB, 10,000, 500,000]
    pub limits: Limits,
}

impl Default for DrawingRules {
    fn default() -> Self {
        Self {
            retention_days: DEFAULT_RETENTION_DAYS,
            limits: Limits::default(),
        }
    }
}

/// A drawing just saved (or copied).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    /// The public id, for share links.
    pub id: String,
    /// The secret edit key: shown this once, stored only as its hash.
    pub edit_key: String,
    /// When it expires unless changed before, Unix seconds.
    pub expires_at: i64,
}

/// A live drawing whose edit key was presented: the only way to change or
/// delete one. Made only by [`DrawingService::editable`].
#[derive(Debug)]
pub struct Editable(StoredDrawing);

impl Editable {
    /// The drawing as it is stored now.
    pub fn drawing(&self) -> &StoredDrawing {
        &self.0
    }
}

/// A drawing as the operator sees it: expired or not, with its reports.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inspected {
    /// The drawing.
    pub drawing: StoredDrawing,
    /// Its abuse reports, oldest first.
    pub reports: Vec<DrawingReport>,
    /// The pseudonym of the owning account; `None` for an anonymous
    /// drawing. No other account data.
    pub owner_pseudonym: Option<String>,
}

/// The drawings service: the rules of drawings over a store. Cheap to
/// clone.
#[derive(Clone)]
pub struct DrawingService {
    store: Arc<dyn DrawingStore>,
    rules: DrawingRules,
    clock: Clock,
}

impl std::fmt::Debug for DrawingService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DrawingService")
            .field("rules", &self.rules)
            .finish_non_exhaustive()
    }
}

impl DrawingService {
    /// The service over `store`, under `rules`, on the system clock.
    pub fn new(store: Arc<dyn DrawingStore>, rules: DrawingRules) -> Self {
        Self {
            store,
            rules,
            clock: time::system_clock(),
        }
    }

    /// The same service reading the time (Unix seconds) from `clock`.
    pub fn with_clock(self, clock: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        Self {
            clock: Arc::new(clock),
            ..self
        }
    }

    /// The rules in force.
    pub fn rules(&self) -> &DrawingRules {
        &self.rules
    }

    fn now(&self) -> i64 {
        (self.clock)()
    }

    fn expiry(&self, changed_at: i64) -> i64 {
        changed_at + i64::from(self.rules.retention_days) * time::SECONDS_PER_DAY
    }

    /// An upload read into the feature model: its format chosen, the
    /// limits applied, descriptions sanitised. Nothing is stored.
    pub fn import(&self, upload: &Upload<'_>) -> Result<Drawing> {
        upload::read(upload, &self.rules.limits)
    }

    /// An upload read exactly as a drawing would be ([`Self::import`]) and
    /// written back in `to`. Nothing is stored.
    pub fn convert(&self, upload: &Upload<'_>, to: ExportFormat) -> Result<String> {
        self.import(upload).map(|drawing| to.write(&drawing))
    }

    /// Saves an upload as a new drawing titled `title` (cleaned, see
    /// [`clean_title`]).
    pub async fn create(&self, title: Option<&str>, upload: &Upload<'_>) -> Result<Created> {
        self.create_owned(title, upload, None).await
    }

    /// As [`Self::create`], bound to the account `owner` when given (a
    /// save while logged in): the owner may then change and delete it
    /// without the edit key ([`Self::editable_by_owner`]).
    pub async fn create_owned(
        &self,
        title: Option<&str>,
        upload: &Upload<'_>,
        owner: Option<&str>,
    ) -> Result<Created> {
        let features = numis_formats::write_geojson(&self.import(upload)?);
        self.save_new(
            clean_title(title.unwrap_or_default()),
            features,
            None,
            owner,
        )
        .await
    }

    /// The drawing `id`, unless it is missing, blocked or expired. Every
    /// public way to a drawing (view, export, copy, change, delete with
    /// the key, report) goes through here, so a blocked drawing is gone
    /// for all of them.
    pub async fn read(&self, id: &str) -> Result<StoredDrawing> {
        match self.store.drawing(id).await? {
            None => Err(DrawingError::NotFound),
            Some(d) if d.blocked_at.is_some() => Err(DrawingError::Blocked),
            Some(d) if d.expires_at <= self.now() => {
                Err(DrawingError::Expired { at: d.expires_at })
            }
            Some(d) => Ok(d),
        }
    }

    /// The drawing `id` written in `format`. Whatever was accepted can be
    /// exported, however long its stored form and whatever the limits are
    /// now.
    pub async fn export(&self, id: &str, format: ExportFormat) -> Result<String> {
        let drawing = self.read(id).await?;
        Self::export_stored(&drawing, format)
    }

    /// `drawing` as it is stored, written in `format`, expired or not: for
    /// its owner's export of everything an account holds, which includes
    /// drawings that expired but are not yet purged.
    pub fn export_stored(drawing: &StoredDrawing, format: ExportFormat) -> Result<String> {
        // The stored GeoJSON was written by us from an upload that passed
        // the limits; it is longer than the upload was, so the upload
        // limits must not apply to it (they once refused every big
        // drawing's KML and GPX).
        let model = numis_formats::read(
            drawing.features.as_bytes(),
            numis_formats::Format::GeoJson,
            &Limits::unbounded(),
        )
        .map_err(DrawingError::Unexportable)?;
        Ok(format.write(&model))
    }

    /// The drawing `id` for changing or deleting, if `key` is its edit key.
    pub async fn editable(&self, id: &str, key: Option<&str>) -> Result<Editable> {
        let drawing = self.read(id).await?;
        if keys::holds_key(key, &drawing.edit_key_hash) {
            Ok(Editable(drawing))
        } else {
            Err(DrawingError::Forbidden)
        }
    }

    /// The drawing `id` for changing or deleting, if it is bound to the
    /// account `account_id`.
    pub async fn editable_by_owner(&self, id: &str, account_id: &str) -> Result<Editable> {
        let drawing = self.read(id).await?;
        if drawing.owner.as_deref() == Some(account_id) {
            Ok(Editable(drawing))
        } else {
            Err(DrawingError::Forbidden)
        }
    }

    /// Replaces the features of `drawing` with the upload's and, if given,
    /// its title; the expiry moves to `retention_days` from now, which is
    /// returned. A refused upload changes nothing.
    pub async fn update(
        &self,
        drawing: Editable,
        title: Option<&str>,
        upload: &Upload<'_>,
    ) -> Result<i64> {
        let features = numis_formats::write_geojson(&self.import(upload)?);
        let Editable(drawing) = drawing;
        let title = title.map_or(drawing.title, clean_title);
        let changed = self.now();
        let expires = self.expiry(changed);
        if self
            .store
            .update_drawing(&drawing.id, &title, &features, changed, expires)
            .await?
        {
            Ok(expires)
        } else {
            // Deleted since the key was checked.
            Err(DrawingError::NotFound)
        }
    }

    /// Deletes `drawing` and its reports.
    pub async fn delete(&self, drawing: Editable) -> Result<()> {
        self.delete_any(&drawing.0.id).await
    }

    /// Copies the drawing `id` (anyone may): a new drawing with its own
    /// key, the same title and features, remembering where it came from.
    pub async fn copy(&self, id: &str) -> Result<Created> {
        self.copy_owned(id, None).await
    }

    /// As [`Self::copy`], the copy bound to the account `owner` when given.
    pub async fn copy_owned(&self, id: &str, owner: Option<&str>) -> Result<Created> {
        let original = self.read(id).await?;
        self.save_new(original.title, original.features, Some(original.id), owner)
            .await
    }

    /// Records an abuse report on the drawing `id`. The reason is cut to
    /// [`MAX_REASON_CHARS`] characters, control characters other than line
    /// breaks removed; an empty reason is refused.
    pub async fn report(&self, id: &str, reason: &str) -> Result<()> {
        let reason = clean_reason(reason);
        if reason.is_empty() {
            return Err(DrawingError::Invalid("the reason is empty".to_owned()));
        }
        self.read(id).await?;
        if self.store.report_drawing(id, self.now(), &reason).await? {
            Ok(())
        } else {
            Err(DrawingError::NotFound)
        }
    }

    /// Deletes every expired drawing (clause P8); returns how many.
    pub async fn purge_expired(&self) -> Result<u64> {
        Ok(self.store.purge_expired_drawings(self.now()).await?)
    }

    /// Drawings for the operator (clause P12), expired ones included, in
    /// `order`; `limit` is held to 1..=[`MAX_MODERATION_LIST`].
    pub async fn list_for_moderation(
        &self,
        order: DrawingOrder,
        limit: u32,
    ) -> Result<Vec<StoredDrawing>> {
        let limit = limit.clamp(1, MAX_MODERATION_LIST);
        Ok(self.store.list_drawings(order, limit).await?)
    }

    /// One drawing, expired or not, with its reports, for the operator.
    pub async fn inspect(&self, id: &str) -> Result<Inspected> {
        let drawing = self
            .store
            .drawing(id)
            .await?
            .ok_or(DrawingError::NotFound)?;
        let reports = self.store.drawing_reports(id).await?;
        let owner_pseudonym = self
            .owner_pseudonyms(std::slice::from_ref(&drawing))
            .await?
            .remove(&drawing.id);
        Ok(Inspected {
            drawing,
            reports,
            owner_pseudonym,
        })
    }

    /// The pseudonyms of the owners of `drawings`, by drawing id, for the
    /// operator's list; anonymous drawings are left out.
    pub async fn owner_pseudonyms(
        &self,
        drawings: &[StoredDrawing],
    ) -> Result<HashMap<String, String>> {
        let ids: Vec<&str> = drawings
            .iter()
            .filter(|d| d.owner.is_some())
            .map(|d| d.id.as_str())
            .collect();
        if ids.is_empty() {
            return Ok(HashMap::new());
        }
        Ok(self.store.owner_pseudonyms(&ids).await?)
    }

    /// Blocks the drawing `id` (clause P12): the public gets
    /// [`DrawingError::Blocked`] for it from now on; the operator still
    /// lists and inspects it, and it is purged at its normal expiry.
    /// Blocking a blocked drawing keeps its first blocking time.
    pub async fn block(&self, id: &str) -> Result<()> {
        let drawing = self
            .store
            .drawing(id)
            .await?
            .ok_or(DrawingError::NotFound)?;
        if drawing.blocked_at.is_some() {
            return Ok(());
        }
        found(self.store.set_drawing_blocked(id, Some(self.now())).await?)
    }

    /// Lifts the block of the drawing `id`.
    pub async fn unblock(&self, id: &str) -> Result<()> {
        found(self.store.set_drawing_blocked(id, None).await?)
    }

    /// Dismisses the abuse reports of the drawing `id`: they are deleted
    /// and its report count is 0 again.
    pub async fn dismiss_reports(&self, id: &str) -> Result<()> {
        found(self.store.dismiss_drawing_reports(id).await?)
    }

    /// Deletes the drawing `id` without its key: the operator's right
    /// (clause P12), and the last step of [`Self::delete`].
    pub async fn delete_any(&self, id: &str) -> Result<()> {
        if self.store.delete_drawing(id).await? {
            Ok(())
        } else {
            Err(DrawingError::NotFound)
        }
    }

    async fn save_new(
        &self,
        title: String,
        features: String,
        copied_from: Option<String>,
        owner: Option<&str>,
    ) -> Result<Created> {
        let id = keys::new_id()?;
        let edit_key = keys::new_key()?;
        let created = self.now();
        let drawing = StoredDrawing {
            id,
            edit_key_hash: keys::key_hash(&edit_key),
            owner: owner.map(str::to_owned),
            title,
            features,
            created_at: created,
            changed_at: created,
            expires_at: self.expiry(created),
            copied_from,
            report_count: 0,
            blocked_at: None,
        };
        self.store.insert_drawing(&drawing).await?;
        Ok(Created {
            id: drawing.id,
            edit_key,
            expires_at: drawing.expires_at,
        })
    }
}

/// `Ok` when the store changed the drawing, [`DrawingError::NotFound`]
/// when it had none to change.
fn found(changed: bool) -> Result<()> {
    if changed {
        Ok(())
    } else {
        Err(DrawingError::NotFound)
    }
}

/// A title as stored: control characters removed, at most
/// [`MAX_TITLE_CHARS`] characters, trimmed.
pub fn clean_title(title: &str) -> String {
    title
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_TITLE_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

/// A report reason as stored: line breaks kept, other control characters
/// removed, at most [`MAX_REASON_CHARS`] characters, trimmed.
fn clean_reason(reason: &str) -> String {
    reason
        .chars()
        .filter(|c| !c.is_control() || *c == '\n')
        .take(MAX_REASON_CHARS)
        .collect::<String>()
        .trim()
        .to_owned()
}

#[cfg(test)]
mod tests;
