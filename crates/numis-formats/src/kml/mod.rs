//! KML 2.2: reading (with shared styles) and writing.
//!
//! Overlays (`GroundOverlay`, `ScreenOverlay`, `PhotoOverlay`) are skipped
//! with a note: they are images, not drawings. `NetworkLink` is refused,
//! because following links would make the server fetch third-party URLs.

mod read;
mod style;
mod write;

pub use read::read;
pub(crate) use read::read_with_notes;
pub use write::{Document, Placemark, SharedStyle, write, write_document};
