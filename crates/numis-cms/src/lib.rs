//! Grav-compatible content pages for numis.
//!
//! Reads a Grav `user/` tree as Grav would — page folders with order
//! prefixes, front matter, routes and aliases, visibility and publishing,
//! modular pages, languages and translation keys — answers requests as
//! Grav's dispatcher does (trailing slashes, letter case, language
//! prefixes, redirects; `dispatch`), and renders its pages with Markdown
//! and minijinja templates. The built-in theme's templates and its own
//! strings (German, English) come with the binary, beneath whatever the
//! tree brings. [`Lang`] is the one type for the language of a request.
//!
//! No HTTP here: numis-server turns [`Resolved`] into responses.
//!
//! ```no_run
//! let site = numis_cms::Site::load(std::path::Path::new("site")).unwrap();
//! if let numis_cms::Resolved::Page { node, lang } = site.resolve("/datenschutz") {
//!     let page = site.render(node, &lang).unwrap();
//!     println!("{}", page.html);
//! }
//! ```

mod config;
mod dispatch;
mod error;
mod frontmatter;
mod lang;
mod markdown;
mod routes;
mod site;
mod theme;
mod translate;
mod tree;

pub use config::{Languages, RoutingConfig, SiteConfig};
pub use error::{CmsError, Result};
pub use lang::Lang;
pub use site::{PageError, RenderedPage, Resolved, Site};
pub use theme::{account_url, data_url, escape_html, map_url};
