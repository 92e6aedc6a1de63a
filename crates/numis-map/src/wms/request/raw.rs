//! The raw query: keys upper-cased, values trimmed, the first of repeated
//! keys wins, empty values count as absent; and request values quoted for
//! error messages.

use std::collections::HashMap;

use super::version::Version;
use crate::wms::exception::WmsError;

/// Longest piece of a request value repeated in an error message.
const MAX_ECHO: usize = 80;

/// The query, decoded: upper-case keys, trimmed values, first wins.
pub(super) struct RawQuery<'a> {
    params: HashMap<String, &'a str>,
}

impl<'a> RawQuery<'a> {
    pub(super) fn new(query: &'a [(String, String)]) -> Self {
        let mut params = HashMap::with_capacity(query.len());
        for (key, value) in query {
            params
                .entry(key.trim().to_ascii_uppercase())
                .or_insert_with(|| value.trim());
        }
        Self { params }
    }

    /// The value of `key` (upper case), or `None` when absent or empty.
    pub(super) fn get(&self, key: &str) -> Option<&'a str> {
        self.params.get(key).copied().filter(|v| !v.is_empty())
    }

    /// The first of `keys` that is present, with its value.
    pub(super) fn get_either(&self, keys: [&'static str; 2]) -> Option<(&'static str, &'a str)> {
        keys.into_iter()
            .find_map(|key| self.get(key).map(|value| (key, value)))
    }

    /// VERSION, or WMTVER as WMS 1.0 called it.
    pub(super) fn version_text(&self) -> Option<&'a str> {
        self.get("VERSION").or_else(|| self.get("WMTVER"))
    }

    /// The version a request without VERSION is read as: 1.3.0, unless it
    /// uses the 1.1.1 parameter SRS and not the 1.3.0 parameter CRS.
    pub(super) fn implied_version(&self) -> Version {
        if self.get("SRS").is_some() && self.get("CRS").is_none() {
            Version::V111
        } else {
            Version::V130
        }
    }

    /// The version of an operation other than GetCapabilities. VERSION is
    /// mandatory there, but a missing one is accepted (see `implied_version`).
    pub(super) fn operation_version(&self) -> Result<Version, WmsError> {
        match self.version_text() {
            None => Ok(self.implied_version()),
            Some(text) => Version::parse(text).ok_or_else(|| {
                WmsError::invalid(
                    "VERSION",
                    format!(
                        "VERSION={} is not supported; use VERSION=1.3.0 or VERSION=1.1.1",
                        echo(text)
                    ),
                )
            }),
        }
    }

    /// LANGUAGE as `de` or `en`; other languages fall back to the default
    /// (German) and give `None`. Accepts ISO 639-1 and 639-2 codes (INSPIRE
    /// clients send `ger`/`eng`) and region subtags (`de-DE`).
    pub(super) fn language(&self) -> Option<String> {
        let language = self.get("LANGUAGE")?.to_ascii_lowercase();
        let primary = language.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "de" | "ger" | "deu" => Some("de".into()),
            "en" | "eng" => Some("en".into()),
            _ => None,
        }
    }
}

/// A request value quoted for an error message, shortened when long.
pub(super) fn echo(value: &str) -> String {
    if value.chars().count() <= MAX_ECHO {
        format!("\"{value}\"")
    } else {
        let head: String = value.chars().take(MAX_ECHO).collect();
        format!("\"{head}…\"")
    }
}

#[cfg(test)]
mod tests {
    use super::super::testing::*;

    #[test]
    fn language_is_de_or_en_or_nothing() {
        for (value, expected) in [
            ("de", Some("de")),
            ("DE-de", Some("de")),
            ("ger", Some("de")),
            ("en-GB", Some("en")),
            ("eng", Some("en")),
            ("fr", None),
        ] {
            assert_eq!(
                get_map(&[("LANGUAGE", value)]).unwrap().language.as_deref(),
                expected,
                "{value}"
            );
        }
    }

    #[test]
    fn long_values_are_shortened_in_messages() {
        let long = "x".repeat(1000);
        let error = get_map(&[("FORMAT", &long)]).unwrap_err();
        assert!(error.message.len() < 300, "{}", error.message.len());
        assert!(error.message.contains('…'));
    }
}
