//! Printed maps (issue 14): the checked print spec ([`spec`]), the bounded
//! pool of print jobs ([`jobs`]) and the making of one PDF ([`render`]).
//! The routes are [`crate::routes::print`].

pub mod content;
pub mod image;
pub mod jobs;
pub mod overlay;
pub mod render;
pub mod spec;
