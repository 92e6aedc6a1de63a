//! The route table of one language: which URL path leads to which page, as
//! Grav's `Pages::buildRoutes` computes it.
//!
//! Every page folder is in the table — also those that cannot be shown
//! (no file in the language, `routable: false`, unpublished, modules):
//! Grav finds them first and then decides (redirect to the first visible
//! child, or on to `site.yaml`). What a path answers is decided in
//! [`crate::dispatch`].

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::config::{SiteConfig, normalise_route, redirect_code};
use crate::frontmatter::{header_bool, header_str, parse_date};
use crate::tree::{LangFile, PageTree};

/// Where a page's `redirect:` header sends it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redirect {
    /// Target: a route (`/blog`) or an external URL.
    pub location: String,
    /// HTTP status: from `[301]` in the header or the site's default.
    pub status: u16,
}

/// A page's routing facts in one language.
#[derive(Debug, Clone)]
pub struct PageRoute {
    /// Index of the language file chosen by the fallback chain.
    pub file: usize,
    /// Canonical route without language prefix (`/` for the home page).
    pub route: String,
    /// Routable at all (not a module, `routable` not false).
    pub routable: bool,
    /// Shown in navigation (numeric prefix or `visible: true`).
    pub visible: bool,
    /// `published: false` hides the page for good.
    pub published: bool,
    /// Not before this time.
    pub publish_date: Option<NaiveDateTime>,
    /// Not from this time on.
    pub unpublish_date: Option<NaiveDateTime>,
    /// The header's `redirect:`.
    pub redirect: Option<Redirect>,
    /// The header's `redirect_default_route`, overriding the site's:
    /// `Some(None)` switches the redirect off for this page.
    pub redirect_default_route: Option<Option<u16>>,
}

impl PageRoute {
    /// Is the page published at `now`?
    pub fn is_live(&self, now: NaiveDateTime) -> bool {
        self.published
            && self.publish_date.is_none_or(|d| d <= now)
            && self.unpublish_date.is_none_or(|d| d > now)
    }

    /// Grav's `routable()`: routable and published.
    pub fn is_shown(&self, now: NaiveDateTime) -> bool {
        self.routable && self.is_live(now)
    }
}

/// How a path of the table names its page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// The page's own route.
    Page(usize),
    /// Another name: the home alias, the folder route, the route before
    /// `routes.default`, `routes.canonical`, `routes.aliases`.
    Alias(usize),
}

impl Target {
    /// The page's node index.
    pub fn node(self) -> usize {
        match self {
            Target::Page(node) | Target::Alias(node) => node,
        }
    }
}

/// All routes of one language.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    /// Per node: its routing facts, or `None` when the page has no file in
    /// this language (nor in its fallbacks).
    pub pages: Vec<Option<PageRoute>>,
    /// Path → page.
    pub table: HashMap<String, Target>,
    /// Lower-cased path → path of `table`, for paths typed in another case.
    folded: HashMap<String, String>,
}

impl RouteTable {
    /// Builds the table of `lang` (`""` on single-language sites).
    pub fn build(tree: &PageTree, config: &SiteConfig, lang: &str) -> Self {
        let chain = if config.languages.is_multilingual() {
            config.languages.fallback_chain(lang)
        } else {
            vec![String::new()]
        };
        let routing = &config.routing;
        let case = |slug: &str| {
            if routing.force_lowercase_urls {
                slug.to_lowercase()
            } else {
                slug.to_owned()
            }
        };
        let mut pages: Vec<Option<PageRoute>> = Vec::with_capacity(tree.nodes.len());
        // Grav's `route()` (slugs, `routes.default`) and `rawRoute()`
        // (folder names only) of each node, for its children.
        let mut routes: Vec<String> = Vec::with_capacity(tree.nodes.len());
        let mut raw_routes: Vec<String> = Vec::with_capacity(tree.nodes.len());
        let mut own: Vec<(String, usize)> = Vec::new();
        let mut other: Vec<(String, usize)> = Vec::new();

        for (index, node) in tree.nodes.iter().enumerate() {
            let file_index = pick_file(&node.files, &chain);
            let header = file_index.map(|i| node.files[i].header());
            let folder_slug = case(&node.folder_name);
            let slug = header
                .and_then(|h| header_str(h, "slug"))
                .unwrap_or_else(|| folder_slug.clone());
            let parent_route = node.parent.map(|p| routes[p].as_str()).unwrap_or("");
            let parent_route = if parent_route == "/"
                || (routing.hide_home_in_urls && parent_route == config.home_alias)
            {
                ""
            } else {
                parent_route
            };
            let parent_raw = node.parent.map(|p| raw_routes[p].as_str()).unwrap_or("");
            let slug_route = format!("{parent_route}/{slug}");
            let raw_route = format!("{parent_raw}/{folder_slug}");
            let route = header
                .and_then(|h| h.get("routes"))
                .and_then(|r| header_str(r, "default"))
                .map(|r| normalise_route(&r))
                .unwrap_or_else(|| slug_route.clone());
            routes.push(route.clone());
            raw_routes.push(raw_route.clone());
            own.push((route.clone(), index));
            other.push((slug_route, index));
            other.push((raw_route, index));

            let (Some(file_index), Some(header)) = (file_index, header) else {
                pages.push(None);
                continue;
            };
            if let Some(canonical) = header
                .get("routes")
                .and_then(|r| header_str(r, "canonical"))
            {
                other.push((normalise_route(&canonical), index));
            }
            other.extend(aliases(header).into_iter().map(|a| (a, index)));
            let default_code = routing.redirect_default_code;
            pages.push(Some(PageRoute {
                file: file_index,
                routable: !node.modular && header_bool(header, "routable") != Some(false),
                visible: match header_bool(header, "visible") {
                    Some(v) => v && !node.modular,
                    None => node.order.is_some() && !node.modular,
                },
                published: header_bool(header, "published") != Some(false),
                publish_date: header.get("publish_date").and_then(parse_date),
                unpublish_date: header.get("unpublish_date").and_then(parse_date),
                redirect: header_str(header, "redirect")
                    .filter(|r| !r.trim().is_empty())
                    .map(|r| parse_redirect(&r, default_code)),
                redirect_default_route: header
                    .get("redirect_default_route")
                    .map(|v| redirect_code(v, default_code)),
                route,
            }));
        }

        // A page's own route beats another page's alias of the same path;
        // among equals the later page wins, as Grav overwrites.
        let mut table: HashMap<String, Target> = HashMap::new();
        for (path, node) in own {
            table.insert(path, Target::Page(node));
        }
        for (path, node) in other {
            table.entry(path).or_insert(Target::Alias(node));
        }
        // The home alias: the page it names answers at `/`, which is its
        // canonical route from now on.
        if let Some(home) = table.get(&config.home_alias).map(|t| t.node()) {
            table.insert(config.home_alias.clone(), Target::Alias(home));
            table.insert("/".to_owned(), Target::Page(home));
            if let Some(Some(page)) = pages.get_mut(home) {
                page.route = "/".to_owned();
            }
        }
        let mut folded = HashMap::new();
        let mut paths: Vec<&String> = table.keys().collect();
        // Deterministic when two paths differ only in case.
        paths.sort();
        for path in paths {
            folded
                .entry(path.to_lowercase())
                .or_insert_with(|| path.clone());
        }
        Self {
            pages,
            table,
            folded,
        }
    }

    /// The page at `path`: exactly, else in another letter case (then as
    /// an alias, never as the page's own route).
    pub fn find(&self, path: &str) -> Option<Target> {
        if let Some(target) = self.table.get(path) {
            return Some(*target);
        }
        let exact = self.folded.get(&path.to_lowercase())?;
        self.table.get(exact).map(|t| Target::Alias(t.node()))
    }

    /// The facts of page `node`, if it has a file in this language.
    pub fn page(&self, node: usize) -> Option<&PageRoute> {
        self.pages.get(node)?.as_ref()
    }
}

/// The file of `files` that serves a language: the first language of the
/// fallback chain that has one.
fn pick_file(files: &[LangFile], chain: &[String]) -> Option<usize> {
    chain
        .iter()
        .find_map(|lang| files.iter().position(|f| &f.lang == lang))
}

fn aliases(header: &Value) -> Vec<String> {
    header
        .get("routes")
        .and_then(|r| r.get("aliases"))
        .and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(normalise_route)
                .collect()
        })
        .unwrap_or_default()
}

/// `'/somewhere[301]'` → redirect to `/somewhere` with 301. Grav reads the
/// code anywhere before a last path segment or extension
/// (`/new[301]/route`, `/new[301].html`); without one, `default_code`.
pub fn parse_redirect(text: &str, default_code: u16) -> Redirect {
    let text = text.trim();
    if let Some(open) = text.rfind('[')
        && let Some(close) = text[open..].find(']').map(|i| open + i)
        && let Ok(status) = text[open + 1..close].parse::<u16>()
        && matches!(status, 301 | 302 | 303 | 307 | 308)
    {
        let rest = &text[close + 1..];
        let rest_is_tail = rest.is_empty()
            || rest.starts_with('/')
            || (rest.starts_with('.') && rest[1..].chars().all(char::is_alphanumeric));
        if rest_is_tail {
            return Redirect {
                location: format!("{}{rest}", &text[..open]),
                status,
            };
        }
    }
    Redirect {
        location: text.to_owned(),
        status: default_code,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_status_is_read_from_brackets() {
        let redirect = |location: &str, status| Redirect {
            location: location.into(),
            status,
        };
        assert_eq!(parse_redirect("/neu[301]", 302), redirect("/neu", 301));
        assert_eq!(
            parse_redirect("/neu[301]/seite", 302),
            redirect("/neu/seite", 301)
        );
        assert_eq!(
            parse_redirect("/neu[308].html", 302),
            redirect("/neu.html", 308)
        );
        assert_eq!(
            parse_redirect("https://example.org/x", 303),
            redirect("https://example.org/x", 303)
        );
        assert_eq!(parse_redirect("/a[200]", 302), redirect("/a[200]", 302));
    }
}
