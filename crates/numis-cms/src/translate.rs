//! Translation strings from `languages/<lang>.yaml`, addressed by dotted
//! keys (`PAGES.PRIVACY`) as in Grav.

use std::collections::HashMap;
use std::path::Path;

use serde_json::Value;

use crate::error::{CmsError, Result};
use crate::frontmatter::parse_yaml;

/// All translation strings of a site, per language.
#[derive(Debug, Clone, Default)]
pub struct Translations {
    by_lang: HashMap<String, HashMap<String, String>>,
}

impl Translations {
    /// Reads every `*.yaml` in `dir` (missing folder: no translations).
    pub fn load(dir: &Path) -> Result<Self> {
        let mut by_lang = HashMap::new();
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
        Ok(Self { by_lang })
    }

    /// Adds strings for `lang` that the site does not define itself.
    pub fn add_defaults(&mut self, lang: &str, defaults: &[(&str, &str)]) {
        let table = self.by_lang.entry(lang.to_owned()).or_default();
        for (key, text) in defaults {
            table
                .entry((*key).to_owned())
                .or_insert_with(|| (*text).to_owned());
        }
    }

    /// The text of `key` in `lang`, then in `fallback`; `None` if neither has it.
    pub fn get(&self, lang: &str, fallback: Option<&str>, key: &str) -> Option<&str> {
        let lookup = |l: &str| {
            self.by_lang
                .get(l)
                .and_then(|t| t.get(key))
                .map(String::as_str)
        };
        lookup(lang).or_else(|| fallback.and_then(lookup))
    }

    /// Translates `text` if it is a key, else returns it unchanged — Grav's
    /// `|t` filter on a page title.
    pub fn translate<'a>(&'a self, lang: &str, fallback: Option<&str>, text: &'a str) -> &'a str {
        self.get(lang, fallback, text).unwrap_or(text)
    }
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
}
