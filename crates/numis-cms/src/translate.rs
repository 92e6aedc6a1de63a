//! Translation strings, addressed by dotted keys (`PAGES.PRIVACY`) as in
//! Grav, in two layers: the site's own `languages/<lang>.yaml`, and the
//! built-in theme's German and English strings compiled into the binary.
//! The site's text wins; the theme's fills every key the site lacks, so a
//! tree that was never written for numis still renders translated.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{CmsError, Result};
use crate::frontmatter::parse_yaml;
use crate::lang::Lang;

/// The theme's strings as shipped, per language: the pages', those of
/// the account pages ("Mein NUMIS") and those of the operator console
/// (one file per part of it), in files of their own.
const THEME_STRINGS: [(Lang, &str, &str); 16] = [
    (
        Lang::De,
        "theme/languages/de.yaml",
        include_str!("../theme/languages/de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/en.yaml",
        include_str!("../theme/languages/en.yaml"),
    ),
    (
        Lang::De,
        "theme/languages/account.de.yaml",
        include_str!("../theme/languages/account.de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/account.en.yaml",
        include_str!("../theme/languages/account.en.yaml"),
    ),
    (
        Lang::De,
        "theme/languages/console.de.yaml",
        include_str!("../theme/languages/console.de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/console.en.yaml",
        include_str!("../theme/languages/console.en.yaml"),
    ),
    (
        Lang::De,
        "theme/languages/console_moderation.de.yaml",
        include_str!("../theme/languages/console_moderation.de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/console_moderation.en.yaml",
        include_str!("../theme/languages/console_moderation.en.yaml"),
    ),
    (
        Lang::De,
        "theme/languages/console_accounts.de.yaml",
        include_str!("../theme/languages/console_accounts.de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/console_accounts.en.yaml",
        include_str!("../theme/languages/console_accounts.en.yaml"),
    ),
    (
        Lang::De,
        "theme/languages/console_layers.de.yaml",
        include_str!("../theme/languages/console_layers.de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/console_layers.en.yaml",
        include_str!("../theme/languages/console_layers.en.yaml"),
    ),
    (
        Lang::De,
        "theme/languages/console_privacy_audit.de.yaml",
        include_str!("../theme/languages/console_privacy_audit.de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/console_privacy_audit.en.yaml",
        include_str!("../theme/languages/console_privacy_audit.en.yaml"),
    ),
    // The OGC API – Features pages (numis-server routes/ogcapi).
    (
        Lang::De,
        "theme/languages/ogcapi.de.yaml",
        include_str!("../theme/languages/ogcapi.de.yaml"),
    ),
    (
        Lang::En,
        "theme/languages/ogcapi.en.yaml",
        include_str!("../theme/languages/ogcapi.en.yaml"),
    ),
];

/// All translation strings of a site, per language.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    /// The site's strings by language code (any code the site uses).
    by_lang: HashMap<String, HashMap<String, String>>,
    /// The built-in theme's strings.
    theme: HashMap<Lang, HashMap<String, String>>,
}

impl Translations {
    /// Reads every `*.yaml` in `dir` (missing folder: no translations).
    pub fn load(dir: &Path) -> Result<Self> {
        let mut by_lang: HashMap<String, HashMap<String, String>> = HashMap::new();
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(CmsError::io(dir, e)),
        };
        let mut paths: Vec<_> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
            .collect();
        paths.sort();
        for path in paths {
            let Some(lang) = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned) else {
                continue;
            };
            let text = std::fs::read_to_string(&path).map_err(|e| CmsError::io(&path, e))?;
            let mut value = parse_yaml(&path, &text, 1)?;
            // Theme-style files wrap everything in the language code.
            if let Some(inner) = value
                .as_object()
                .filter(|m| m.len() == 1)
                .and_then(|m| m.get(&lang))
            {
                value = inner.clone();
            }
            let mut flat = HashMap::new();
            flatten("", &value, &mut flat);
            by_lang.insert(lang, flat);
        }
        Ok(Self {
            by_lang,
            theme: HashMap::new(),
        })
    }

    /// Adds the built-in theme's strings beneath the site's.
    pub fn with_theme_strings(mut self) -> Result<Self> {
        self.theme = theme_strings()?;
        Ok(self)
    }

    /// The text of `key`, looked up in this order: the site's strings in
    /// `lang`, the theme's in `lang`, the site's in `fallback` (the site's
    /// default language), the theme's in `fallback`, the theme's German.
    /// The theme's text in the page's own language thus beats the site's
    /// text in another language; languages numis does not speak (`fr`,
    /// Grav's numeric doc versions) end with German. `None` if no layer
    /// has the key.
    pub fn get(&self, lang: &str, fallback: Option<&str>, key: &str) -> Option<&str> {
        let site = |l: &str| {
            self.by_lang
                .get(l)
                .and_then(|t| t.get(key))
                .map(String::as_str)
        };
        let theme = |l: Lang| {
            self.theme
                .get(&l)
                .and_then(|t| t.get(key))
                .map(String::as_str)
        };
        let theme_of = |l: &str| Lang::parse(l).and_then(theme);
        site(lang)
            .or_else(|| theme_of(lang))
            .or_else(|| fallback.and_then(site))
            .or_else(|| fallback.and_then(theme_of))
            .or_else(|| theme(Lang::default()))
    }

    /// Translates `text` if it is a key, else returns it unchanged — Grav's
    /// `|t` filter on a page title.
    pub fn translate<'a>(&'a self, lang: &str, fallback: Option<&str>, text: &'a str) -> &'a str {
        self.get(lang, fallback, text).unwrap_or(text)
    }
}

/// Parses the compiled-in theme strings. They are checked by this crate's
/// tests, so an error here means a broken build, reported like a site file.
fn theme_strings() -> Result<HashMap<Lang, HashMap<String, String>>> {
    let mut strings: HashMap<Lang, HashMap<String, String>> = HashMap::new();
    for (lang, path, text) in &THEME_STRINGS {
        let value = parse_yaml(Path::new(path), text, 1)?;
        flatten("", &value, strings.entry(*lang).or_default());
    }
    Ok(strings)
}

fn flatten(prefix: &str, value: &Value, out: &mut HashMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let key = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&key, child, out);
            }
        }
        Value::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        Value::Number(n) => {
            out.insert(prefix.to_owned(), n.to_string());
        }
        Value::Bool(b) => {
            out.insert(prefix.to_owned(), b.to_string());
        }
        // Lists (plural forms, month names) are not addressable by one key.
        Value::Array(_) | Value::Null => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_keys_are_addressed_with_dots_and_fall_back() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("de.yaml"),
            "PAGES:\n  PRIVACY: Datenschutz\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("en.yaml"),
            "en:\n  PAGES:\n    HOME: Home\n",
        )
        .unwrap();
        let t = Translations::load(dir.path()).unwrap();
        assert_eq!(t.translate("de", None, "PAGES.PRIVACY"), "Datenschutz");
        assert_eq!(t.translate("en", None, "PAGES.HOME"), "Home");
        assert_eq!(
            t.translate("en", Some("de"), "PAGES.PRIVACY"),
            "Datenschutz"
        );
        assert_eq!(t.translate("en", Some("de"), "Plain title"), "Plain title");
    }

    #[test]
    fn the_theme_strings_fill_what_the_site_lacks_and_the_site_wins() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("de.yaml"),
            "THEME:\n  NOT_FOUND: Hier ist nichts\n",
        )
        .unwrap();
        let t = Translations::load(dir.path())
            .unwrap()
            .with_theme_strings()
            .unwrap();
        assert_eq!(
            t.translate("de", None, "THEME.NOT_FOUND"),
            "Hier ist nichts"
        );
        assert_eq!(
            t.translate("de", None, "THEME.SKIP_LINK"),
            "Zum Inhalt springen"
        );
        assert_eq!(
            t.translate("en", Some("de"), "THEME.NOT_FOUND"),
            "Page not found",
            "the theme's English beats the site's German on an English page"
        );
        assert_eq!(
            t.translate("fr", Some("en"), "PAGES.MAP"),
            "Map",
            "a language numis does not speak takes the site's default"
        );
        assert_eq!(t.translate("17", Some("16"), "PAGES.MAP"), "Karte");
    }

    #[test]
    fn both_theme_languages_have_the_same_keys() {
        let t = Translations::default().with_theme_strings().unwrap();
        let keys = |l: Lang| {
            let mut k: Vec<&String> = t.theme[&l].keys().collect();
            k.sort();
            k
        };
        assert!(keys(Lang::De).len() > 20);
        assert_eq!(keys(Lang::De), keys(Lang::En));
    }
}
