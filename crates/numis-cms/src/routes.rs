//! The route table of one language: which URL path answers with which page,
//! which is an alias and which redirects — computed as Grav computes routes.

use std::collections::HashMap;

use chrono::NaiveDateTime;
use serde_json::Value;

use crate::config::{SiteConfig, normalise_route};
use crate::frontmatter::{header_bool, header_str, parse_date};
use crate::tree::{LangFile, PageTree};

/// Grav's default status for page and site redirects.
pub const DEFAULT_REDIRECT_STATUS: u16 = 302;

/// How a route of the table answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The page itself, at its canonical route.
    Page(usize),
    /// The page under another name (home alias, `routes.aliases`, the raw
    /// folder route); answers with the page, which names its canonical URL.
    Alias(usize),
    /// A page whose header says `redirect:`.
    Redirect {
        /// Where to.
        location: String,
        /// 301, 302, 303, 307 or 308.
        status: u16,
    },
}

/// A page's routing facts in one language.
#[derive(Debug, Clone)]
pub struct PageRoute {
    /// Index of the language file chosen by the fallback chain.
    pub file: usize,
    /// Canonical route without language prefix (`/` for the home page).
    pub route: String,
    /// Routable at all (not a module, `routable` not false, has a file).
    pub routable: bool,
    /// Shown in navigation (numeric prefix or `visible: true`).
    pub visible: bool,
    /// `published: false` hides the page for good.
    pub published: bool,
    /// Not before this time.
    pub publish_date: Option<NaiveDateTime>,
    /// Not from this time on.
    pub unpublish_date: Option<NaiveDateTime>,
}

impl PageRoute {
    /// Is the page published at `now`?
    pub fn is_live(&self, now: NaiveDateTime) -> bool {
        self.published
            && self.publish_date.is_none_or(|d| d <= now)
            && self.unpublish_date.is_none_or(|d| d > now)
    }
}

/// All routes of one language.
#[derive(Debug, Clone, Default)]
pub struct RouteTable {
    /// Per node: its routing facts, or `None` when the page has no file in
    /// this language (nor in its fallbacks).
    pub pages: Vec<Option<PageRoute>>,
    /// Path → target.
    pub table: HashMap<String, Target>,
}

impl RouteTable {
    /// Builds the table of `lang` (`""` on single-language sites).
    pub fn build(tree: &PageTree, config: &SiteConfig, lang: &str) -> Self {
        let chain = if config.languages.is_multilingual() {
            config.languages.fallback_chain(lang)
        } else {
            vec![String::new()]
        };
        let mut pages: Vec<Option<PageRoute>> = Vec::with_capacity(tree.nodes.len());
        // The folder-derived route of each node, for its children.
        let mut folder_routes: Vec<String> = Vec::with_capacity(tree.nodes.len());
        let mut table = HashMap::new();

        for node in &tree.nodes {
            let file_index = pick_file(&node.files, &chain);
            let header = file_index.map(|i| node.files[i].header());
            let slug = header
                .and_then(|h| header_str(h, "slug"))
                .unwrap_or_else(|| node.folder_slug.clone());
            let parent_route = node.parent.map(|p| folder_routes[p].as_str()).unwrap_or("");
            let parent_route = if parent_route == "/" {
                ""
            } else {
                parent_route
            };
            let raw_route = format!("{parent_route}/{slug}");
            folder_routes.push(raw_route.clone());

            let (Some(file_index), Some(header)) = (file_index, header) else {
                pages.push(None);
                continue;
            };
            let route = header
                .get("routes")
                .and_then(|r| header_str(r, "default"))
                .map(|r| normalise_route(&r))
                .unwrap_or_else(|| raw_route.clone());
            let is_home = route == config.home_alias || raw_route == config.home_alias;
            let canonical = if is_home {
                "/".to_owned()
            } else {
                route.clone()
            };
            let page = PageRoute {
                file: file_index,
                routable: !node.modular && header_bool(header, "routable") != Some(false),
                visible: match header_bool(header, "visible") {
                    Some(v) => v && !node.modular,
                    None => node.order.is_some() && !node.modular,
                },
                published: header_bool(header, "published") != Some(false),
                publish_date: header.get("publish_date").and_then(parse_date),
                unpublish_date: header.get("unpublish_date").and_then(parse_date),
                route: canonical.clone(),
            };
            if page.routable {
                let index = pages.len();
                let target = match header_str(header, "redirect") {
                    Some(redirect) => parse_redirect(&redirect),
                    None => Target::Page(index),
                };
                let alias = match &target {
                    Target::Page(_) => Target::Alias(index),
                    other => other.clone(),
                };
                table.insert(canonical.clone(), target);
                for extra in [route.clone(), raw_route.clone()] {
                    if extra != canonical {
                        table.entry(extra).or_insert_with(|| alias.clone());
                    }
                }
                for a in aliases(header) {
                    table.entry(a).or_insert_with(|| alias.clone());
                }
            }
            pages.push(Some(page));
        }
        Self { pages, table }
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

/// `'/somewhere[301]'` → redirect to `/somewhere` with 301.
pub fn parse_redirect(text: &str) -> Target {
    let text = text.trim();
    if let Some(open) = text.rfind('[')
        && text.ends_with(']')
        && let Ok(status) = text[open + 1..text.len() - 1].parse::<u16>()
        && matches!(status, 301 | 302 | 303 | 307 | 308)
    {
        return Target::Redirect {
            location: text[..open].to_owned(),
            status,
        };
    }
    Target::Redirect {
        location: text.to_owned(),
        status: DEFAULT_REDIRECT_STATUS,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redirect_status_is_read_from_brackets() {
        assert_eq!(
            parse_redirect("/neu[301]"),
            Target::Redirect {
                location: "/neu".into(),
                status: 301
            }
        );
        assert_eq!(
            parse_redirect("https://example.org/x"),
            Target::Redirect {
                location: "https://example.org/x".into(),
                status: 302
            }
        );
    }
}
