//! Third parties' data for users (issue 15): every request numis makes
//! on a user's behalf — another authority's WMS, a file by URL — goes
//! through this module, so that no citizen's browser contacts a third
//! party (P3) and nobody can use the server to reach what it must not.
//! [`address`] says which addresses are public, [`target`] checks a URL
//! and pins it to one checked address, [`fetch`] makes the request.

pub mod address;
pub mod fetch;
pub mod target;
