//! The routers, one module per capability, all of the same shape
//! (`pub fn router() -> Router<AppState>`). Each decodes requests, calls
//! the engine or a domain service, and encodes the answer; the rules
//! themselves live outside the server's HTTP code.
//!
//! - [`pages`]: content pages from the Grav tree, `sitemap.xml`,
//!   `robots.txt`, and the fallback for every other path.
//! - [`assets`]: the theme's files (`/assets/…`).
//! - [`health`]: `/healthz` and `/metrics`.
//! - [`ows`]: the OGC WMS at `/ows`.
//! - [`ogcapi`]: OGC API – Features at `/ogcapi` (the open layers).
//! - [`viewer`]: the map viewer (`/karte`, `/en/karte`), the embed
//!   (`/embed`) and the viewer's precompressed bundle.
//! - [`catalogue`]: the viewer's JSON: layers, attribution, search,
//!   measurements, QR codes.
//! - [`drawings`]: the drawings API over `numis_core::drawings`.
//! - [`moderation`]: the operator's view of drawings (clause P12).
//! - [`monitor`]: the operator's layer monitor (`/api/admin/layers`).
//! - [`account`]: "Mein NUMIS", the account pages (`/konto`).
//! - [`console`]: the operator console (`/verwaltung`, `/en/admin`).
//! - [`print`]: printed maps (`/api/print`).
//! - [`export`]: images of the view (`/api/export`).
//! - [`external`]: third parties' data for the viewer (`/api/external/…`).
//! - [`external_wms`]: another authority's WMS through numis
//!   (`/api/external/wms/…`).
//! - [`me`]: the viewer's JSON about the logged-in account (`/api/me`).
//! - [`data`]: open-data downloads (`/api/data`, `/api/data/{layer}/{format}`,
//!   `/api/data/{layer}.kml`).
//! - [`data_page`]: the catalogue page of open data (`/daten`, `/en/data`).

pub mod account;
pub mod assets;
pub mod catalogue;
pub mod console;
pub mod data;
pub mod data_page;
pub mod drawings;
pub mod export;
pub mod external;
pub mod external_wms;
pub mod health;
pub mod me;
pub mod moderation;
pub mod monitor;
pub mod ogcapi;
pub mod ows;
pub mod pages;
pub mod print;
pub mod series;
pub mod viewer;
