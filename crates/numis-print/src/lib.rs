//! Printed maps: the paper ([`paper`]), where everything goes on it
//! ([`layout`]), the PDF itself ([`sheet`]) and its structure for screen
//! readers ([`structure`]).
//!
//! This crate draws what it is given: a map image already rendered for
//! the paper (by `numis_map::paper`), the source notes already computed
//! (by `numis_map::attribution`, the one attribution function), the
//! texts in the page's language. It decides nothing about data or
//! access, so a print can carry no other source notes than the map's.

pub mod layout;
pub mod paper;
mod pen;
pub mod sheet;
pub mod structure;
mod words;

pub use layout::Layout;
pub use paper::{Orientation, Paper};
pub use sheet::{Sheet, SheetError, write_pdf};
pub use structure::describe_map;
