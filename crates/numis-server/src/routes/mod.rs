//! The routers, one module per capability, all of the same shape
//! (`pub fn router() -> Router<AppState>`). Each decodes requests, calls
//! the engine or a domain service, and encodes the answer; the rules
//! themselves live outside the server's HTTP code.
//!
//! - [`pages`]: content pages from the Grav tree, `sitemap.xml`,
//!   `robots.txt`, and the fallback for every other path.
//! - [`assets`]: the theme's files (`/assets/…`).
//! - [`health`]: `/healthz` and `/metrics`.

pub mod assets;
pub mod health;
pub mod pages;
