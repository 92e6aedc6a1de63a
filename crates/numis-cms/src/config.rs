//! The site configuration of a Grav `user/` tree: `config/system.yaml`
//! (languages, home alias) and `config/site.yaml` (title, redirects, route
//! aliases). numis also accepts the `languages` and `home` sections in
//! `site.yaml`, so a small site needs only one file.

use std::collections::HashMap;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

use crate::error::{CmsError, Result};
use crate::frontmatter::{header_bool, header_str, parse_yaml};

/// Grav's default home alias.
pub const DEFAULT_HOME_ALIAS: &str = "/home";

/// Text language of a site that configures none.
pub const DEFAULT_TEXT_LANG: &str = "de";

/// Language settings, with Grav's defaults.
#[derive(Debug, Clone, Default)]
pub struct Languages {
    /// Supported language codes in order; empty for a single-language site.
    pub supported: Vec<String>,
    /// The default language; the first supported one unless configured.
    pub default: Option<String>,
    /// Whether URLs of the default language carry its prefix too
    /// (`/en/blog`). [default: true, as in Grav]
    pub include_default_lang: bool,
    /// Per-language fallback chains; `""` stands for files without a
    /// language suffix.
    pub content_fallback: HashMap<String, Vec<String>>,
}

impl Languages {
    /// Is this site multilingual?
    pub fn is_multilingual(&self) -> bool {
        !self.supported.is_empty()
    }

    /// The languages whose files serve `lang`, best first: the language
    /// itself, then the default language, then files without a suffix —
    /// unless the site configures its own chain.
    pub fn fallback_chain(&self, lang: &str) -> Vec<String> {
        if let Some(chain) = self.content_fallback.get(lang) {
            return chain.clone();
        }
        let mut chain = vec![lang.to_owned()];
        if let Some(default) = &self.default
            && default != lang
        {
            chain.push(default.clone());
        }
        chain.push(String::new());
        chain
    }

    /// The URL prefix for `lang` (`""` or `/en`).
    pub fn prefix(&self, lang: &str) -> String {
        if !self.is_multilingual()
            || (self.default.as_deref() == Some(lang) && !self.include_default_lang)
        {
            String::new()
        } else {
            format!("/{lang}")
        }
    }
}

/// A site-level redirect or route alias from `site.yaml`.
#[derive(Debug, Clone)]
pub struct RoutePattern {
    /// Anchored pattern, as Grav anchors it (`#^…$#`).
    pub pattern: Regex,
    /// Target with `$1`-style references.
    pub target: String,
}

/// Everything from `config/` that shapes routing and rendering.
#[derive(Debug, Clone)]
pub struct SiteConfig {
    /// Site title.
    pub title: String,
    /// Site description (metadata.description or description).
    pub description: String,
    /// Author name.
    pub author: String,
    /// Language settings.
    pub languages: Languages,
    /// Language of texts on a single-language site (`site.yaml`
    /// `default_lang`), and the multilingual site's default language.
    /// [default: de]
    pub default_lang: String,
    /// Route of the page shown at `/`.
    pub home_alias: String,
    /// `site.yaml` `redirects:` — answered with a redirect.
    pub redirects: Vec<RoutePattern>,
    /// `site.yaml` `routes:` — aliases answered with the target page.
    pub routes: Vec<RoutePattern>,
    /// Taxonomy names the site uses.
    pub taxonomies: Vec<String>,
}

impl SiteConfig {
    /// Reads `config/system.yaml` and `config/site.yaml` below `root`; both
    /// are optional.
    pub fn load(root: &Path) -> Result<Self> {
        let system = read_yaml(&root.join("config/system.yaml"))?;
        let site = read_yaml(&root.join("config/site.yaml"))?;
        let site_path = root.join("config/site.yaml");

        // numis lets site.yaml carry the sections Grav keeps in system.yaml.
        let languages = site
            .get("languages")
            .or_else(|| system.get("languages"))
            .cloned()
            .unwrap_or(Value::Null);
        let home = site.get("home").or_else(|| system.get("home"));

        let languages = read_languages(&languages);
        let default_lang = languages
            .default
            .clone()
            .or_else(|| header_str(&site, "default_lang"))
            .unwrap_or_else(|| DEFAULT_TEXT_LANG.into());
        Ok(Self {
            default_lang,
            title: header_str(&site, "title").unwrap_or_else(|| "numis".into()),
            description: site
                .get("metadata")
                .and_then(|m| header_str(m, "description"))
                .or_else(|| header_str(&site, "description"))
                .unwrap_or_default(),
            author: site
                .get("author")
                .and_then(|a| header_str(a, "name"))
                .unwrap_or_default(),
            languages,
            home_alias: home
                .and_then(|h| header_str(h, "alias"))
                .map(|a| normalise_route(&a))
                .unwrap_or_else(|| DEFAULT_HOME_ALIAS.into()),
            redirects: read_patterns(&site_path, site.get("redirects"))?,
            routes: read_patterns(&site_path, site.get("routes"))?,
            taxonomies: site
                .get("taxonomies")
                .and_then(Value::as_array)
                .map(|a| a.iter().filter_map(scalar_string).collect())
                .unwrap_or_default(),
        })
    }
}

fn read_yaml(path: &Path) -> Result<Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_yaml(path, &text, 1),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Value::Object(Default::default())),
        Err(e) => Err(CmsError::io(path, e)),
    }
}

/// Language codes may be written as numbers (`[17, 16, 15]`).
fn scalar_string(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn read_languages(value: &Value) -> Languages {
    let supported: Vec<String> = value
        .get("supported")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(scalar_string).collect())
        .unwrap_or_default();
    let default = value
        .get("default_lang")
        .and_then(scalar_string)
        .filter(|d| supported.contains(d))
        .or_else(|| supported.first().cloned());
    let content_fallback = value
        .get("content_fallback")
        .and_then(Value::as_object)
        .map(|map| {
            map.iter()
                .map(|(lang, chain)| {
                    let chain = chain
                        .as_array()
                        .map(|a| a.iter().filter_map(scalar_string).collect())
                        .unwrap_or_default();
                    (lang.clone(), chain)
                })
                .collect()
        })
        .unwrap_or_default();
    Languages {
        supported,
        default,
        include_default_lang: header_bool(value, "include_default_lang").unwrap_or(true),
        content_fallback,
    }
}

fn read_patterns(path: &Path, value: Option<&Value>) -> Result<Vec<RoutePattern>> {
    let Some(map) = value.and_then(Value::as_object) else {
        return Ok(Vec::new());
    };
    map.iter()
        .filter_map(|(from, to)| Some((from, to.as_str()?)))
        .map(|(from, to)| {
            let pattern = Regex::new(&format!("^{from}$")).map_err(|e| CmsError::Pattern {
                path: path.to_owned(),
                pattern: from.clone(),
                message: e.to_string(),
            })?;
            Ok(RoutePattern {
                pattern,
                target: to.to_owned(),
            })
        })
        .collect()
}

/// `/blog/`, `blog` → `/blog`; `` → `/`.
pub fn normalise_route(route: &str) -> String {
    let trimmed = route.trim().trim_matches('/');
    format!("/{trimmed}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_language_urls_carry_no_prefix_when_configured() {
        let langs = Languages {
            supported: vec!["de".into(), "en".into()],
            default: Some("de".into()),
            include_default_lang: false,
            content_fallback: HashMap::new(),
        };
        assert_eq!(langs.prefix("de"), "");
        assert_eq!(langs.prefix("en"), "/en");
        assert_eq!(langs.fallback_chain("en"), vec!["en", "de", ""]);
    }

    #[test]
    fn routes_are_normalised() {
        assert_eq!(normalise_route("/blog/"), "/blog");
        assert_eq!(normalise_route(""), "/");
    }
}
