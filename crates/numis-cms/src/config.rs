//! The site configuration of a Grav `user/` tree: `config/system.yaml`
//! (languages, home alias, the `pages` redirect options,
//! `force_lowercase_urls`) and `config/site.yaml` (title, redirects, route
//! aliases). numis also accepts the `languages`, `home` and `pages` sections
//! in `site.yaml`, so a small site needs only one file.

use std::collections::HashMap;
use std::path::Path;

use regex::Regex;
use serde_json::Value;

use crate::error::{CmsError, Result};
use crate::frontmatter::{header_bool, header_str, parse_yaml, parse_yaml_ordered};

/// Grav's default home alias.
pub const DEFAULT_HOME_ALIAS: &str = "/home";

/// Grav's `system.pages.redirect_default_code`: the status of every
/// redirect that names none.
pub const DEFAULT_REDIRECT_CODE: u16 = 302;

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
    /// The key as written (site routes are first looked up by it verbatim).
    pub source: String,
    /// The key as a pattern anchored at the start only, as Grav anchors it
    /// (`#^…#`): what follows the match is kept.
    pub pattern: Regex,
    /// Target with `${1}`-style references.
    pub target: String,
}

impl RoutePattern {
    /// Grav's `preg_replace`: the matched start of `path` replaced by the
    /// target, the rest kept; `None` when the pattern does not match or the
    /// result is the path itself.
    pub fn apply(&self, path: &str) -> Option<String> {
        let found = self.pattern.replace(path, self.target.as_str());
        (found != path).then(|| found.into_owned())
    }
}

/// How Grav answers URLs that are not a page's own: the `system.pages`
/// redirect options and `system.force_lowercase_urls`, with Grav's
/// defaults. A redirect code of `None` means "no redirect".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoutingConfig {
    /// `pages.redirect_default_code`: status of redirects that name none.
    /// [default: 302]
    pub redirect_default_code: u16,
    /// `pages.redirect_trailing_slash`: `/blog/` redirects to `/blog` with
    /// this status; `None` serves `/blog/` as `/blog`. [default: 1, the
    /// default code]
    pub redirect_trailing_slash: Option<u16>,
    /// `pages.redirect_default_route`: a page reached at another route
    /// (alias, folder route, other letter case, `/home`) redirects to its
    /// own route with this status; `None` serves it there. A page's header
    /// `redirect_default_route` overrides it. [default: 0, no redirect]
    pub redirect_default_route: Option<u16>,
    /// `force_lowercase_urls`: folder names become lower-case slugs.
    /// [default: true]
    pub force_lowercase_urls: bool,
    /// `home.hide_in_urls`: children of the home page drop its route from
    /// theirs (`/home/team` → `/team`). [default: false]
    pub hide_home_in_urls: bool,
}

impl Default for RoutingConfig {
    fn default() -> Self {
        Self {
            redirect_default_code: DEFAULT_REDIRECT_CODE,
            redirect_trailing_slash: Some(DEFAULT_REDIRECT_CODE),
            redirect_default_route: None,
            force_lowercase_urls: true,
            hide_home_in_urls: false,
        }
    }
}

impl RoutingConfig {
    fn read(system: &Value, site: &Value) -> Self {
        let section = |name: &str| site.get(name).or_else(|| system.get(name));
        let pages = section("pages");
        let option = |key: &str| pages.and_then(|p| p.get(key));
        let default_code = option("redirect_default_code")
            .and_then(as_code)
            .filter(|c| (300..400).contains(c))
            .unwrap_or(DEFAULT_REDIRECT_CODE);
        let defaults = Self::default();
        Self {
            redirect_default_code: default_code,
            redirect_trailing_slash: match option("redirect_trailing_slash") {
                Some(v) => redirect_code(v, default_code),
                None => Some(default_code),
            },
            redirect_default_route: option("redirect_default_route")
                .and_then(|v| redirect_code(v, default_code)),
            force_lowercase_urls: header_bool(site, "force_lowercase_urls")
                .or_else(|| header_bool(system, "force_lowercase_urls"))
                .unwrap_or(defaults.force_lowercase_urls),
            hide_home_in_urls: section("home")
                .and_then(|h| header_bool(h, "hide_in_urls"))
                .unwrap_or(defaults.hide_home_in_urls),
        }
    }
}

/// A number, or a string or boolean that PHP's `(int)` would read as one.
fn as_code(value: &Value) -> Option<u16> {
    match value {
        Value::Bool(b) => Some(u16::from(*b)),
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()),
        Value::String(s) => match s.trim() {
            "true" | "yes" | "on" => Some(1),
            "false" | "no" | "off" | "" => Some(0),
            other => other.parse().ok(),
        },
        _ => None,
    }
}

/// Grav's redirect option `0|1|301|302…`: 0 (or false) is no redirect, a
/// 3xx code is that code, anything else (1, true) the default code.
pub fn redirect_code(value: &Value, default_code: u16) -> Option<u16> {
    match as_code(value)? {
        0 => None,
        code if (300..400).contains(&code) => Some(code),
        _ => Some(default_code),
    }
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
    /// Trailing slashes, default routes, letter case, redirect codes.
    pub routing: RoutingConfig,
    /// Taxonomy names the site uses.
    pub taxonomies: Vec<String>,
}

impl SiteConfig {
    /// Reads `config/system.yaml` and `config/site.yaml` below `root`; both
    /// are optional.
    pub fn load(root: &Path) -> Result<Self> {
        let system = read_yaml(&root.join("config/system.yaml"))?;
        let site_path = root.join("config/site.yaml");
        let site_ordered = read_yaml_ordered(&site_path)?;
        let site = serde_json::to_value(&site_ordered).map_err(|e| CmsError::Yaml {
            path: site_path.clone(),
            line: 0,
            message: e.to_string(),
        })?;
        let site = if site.is_object() {
            site
        } else {
            Value::Object(Default::default())
        };

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
            redirects: read_patterns(&site_path, site_ordered.get("redirects"))?,
            routes: read_patterns(&site_path, site_ordered.get("routes"))?,
            routing: RoutingConfig::read(&system, &site),
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

fn read_yaml_ordered(path: &Path) -> Result<serde_norway::Value> {
    match std::fs::read_to_string(path) {
        Ok(text) => parse_yaml_ordered(path, &text, 1),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(serde_norway::Value::Null),
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

/// Reads `redirects:` or `routes:` in the order written: Grav tries
/// redirects in that order (the first match wins) and route patterns in
/// the reverse order.
fn read_patterns(path: &Path, value: Option<&serde_norway::Value>) -> Result<Vec<RoutePattern>> {
    let Some(map) = value.and_then(serde_norway::Value::as_mapping) else {
        return Ok(Vec::new());
    };
    map.iter()
        .filter_map(|(from, to)| Some((yaml_scalar(from)?, yaml_scalar(to)?)))
        .map(|(from, to)| {
            // Grav: `'#^' . ltrim($pattern, '^') . '#'`.
            let body = from.strip_prefix('^').unwrap_or(&from);
            let pattern = Regex::new(&format!("^(?:{body})")).map_err(|e| CmsError::Pattern {
                path: path.to_owned(),
                pattern: from.clone(),
                message: e.to_string(),
            })?;
            Ok(RoutePattern {
                source: from,
                pattern,
                target: php_replacement(&to),
            })
        })
        .collect()
}

fn yaml_scalar(value: &serde_norway::Value) -> Option<String> {
    match value {
        serde_norway::Value::String(s) => Some(s.clone()),
        serde_norway::Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// PHP's replacement references `$1` and `\1` as the regex crate's `${1}`
/// (which would read `$1a` as a group named `1a`).
fn php_replacement(target: &str) -> String {
    let mut out = String::with_capacity(target.len() + 4);
    let mut chars = target.chars().peekable();
    while let Some(c) = chars.next() {
        let is_reference =
            matches!(c, '$' | '\\') && chars.peek().is_some_and(char::is_ascii_digit);
        if is_reference {
            let mut digits = String::new();
            while let Some(d) = chars.peek().copied().filter(char::is_ascii_digit) {
                digits.push(d);
                chars.next();
            }
            out.push_str(&format!("${{{digits}}}"));
        } else if c == '$' {
            out.push_str("$$");
        } else {
            out.push(c);
        }
    }
    out
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
    fn redirect_options_read_like_php_reads_them() {
        let code = |v: Value| redirect_code(&v, 302);
        assert_eq!(code(Value::from(0)), None);
        assert_eq!(code(Value::from(false)), None);
        assert_eq!(code(Value::from(1)), Some(302));
        assert_eq!(code(Value::from(true)), Some(302));
        assert_eq!(code(Value::from(301)), Some(301));
        assert_eq!(code(Value::from("301")), Some(301));
        let defaults = RoutingConfig::read(&Value::Null, &Value::Null);
        assert_eq!(defaults, RoutingConfig::default());
        assert_eq!(defaults.redirect_trailing_slash, Some(302));
        let system: Value = serde_json::json!({
            "force_lowercase_urls": false,
            "pages": { "redirect_default_code": 301, "redirect_trailing_slash": false,
                       "redirect_default_route": 1 },
            "home": { "hide_in_urls": true },
        });
        let read = RoutingConfig::read(&system, &Value::Null);
        assert_eq!(read.redirect_default_code, 301);
        assert_eq!(read.redirect_trailing_slash, None);
        assert_eq!(read.redirect_default_route, Some(301));
        assert!(!read.force_lowercase_urls && read.hide_home_in_urls);
    }

    #[test]
    fn patterns_match_at_the_start_keep_the_rest_and_their_order() {
        let yaml: serde_norway::Value = serde_norway::from_str(
            "'/(\\d+)/hosting/rochen': '/hosting/shared/rochen'\n'/(\\d+)/hosting/(.*)': '/webservers-hosting/$2'\n'^/old': /new\n/price: '/cost$1a'\n",
        )
        .unwrap();
        let patterns = read_patterns(Path::new("site.yaml"), Some(&yaml)).unwrap();
        let sources: Vec<&str> = patterns.iter().map(|p| p.source.as_str()).collect();
        assert_eq!(sources[0], "/(\\d+)/hosting/rochen", "order as written");
        assert_eq!(
            patterns[1].apply("/16/hosting/x").as_deref(),
            Some("/webservers-hosting/x")
        );
        assert_eq!(patterns[2].apply("/older/a").as_deref(), Some("/newer/a"));
        assert_eq!(patterns[2].apply("/x/old"), None, "anchored at the start");
        assert_eq!(patterns[3].apply("/price").as_deref(), Some("/costa"));
    }

    #[test]
    fn routes_are_normalised() {
        assert_eq!(normalise_route("/blog/"), "/blog");
        assert_eq!(normalise_route(""), "/");
    }
}
