//! The interface language of numis: German (the default) or English.
//!
//! Every place that reads a language from a request — the `lang` query of
//! the viewer and the JSON API, the WMS `LANGUAGE` parameter, the theme's
//! strings — normalises it with [`Lang`], so they all accept the same
//! spellings and fall back the same way. Content languages of a Grav tree
//! (any code a site lists in `languages.supported`) are strings, not this
//! type: numis itself only speaks German and English.

use std::fmt;

/// German or English.
///
/// ```
/// use numis_cms::Lang;
/// assert_eq!(Lang::parse("EN-gb"), Some(Lang::En));
/// assert_eq!(Lang::parse("ger"), Some(Lang::De));
/// assert_eq!(Lang::parse("fr"), None);
/// assert_eq!(Lang::from_query(Some("fr")), Lang::De);
/// assert_eq!(Lang::from_query(None).as_str(), "de");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    /// German, the default.
    #[default]
    De,
    /// English.
    En,
}

impl Lang {
    /// Both languages, the default first.
    pub const ALL: [Lang; 2] = [Lang::De, Lang::En];

    /// Reads a language code: ISO 639-1 (`de`, `en`) or 639-2 (`deu`,
    /// `ger`, `eng` — INSPIRE clients send these), in any case, with or
    /// without a region subtag (`de-AT`, `en_GB`). Anything else is `None`.
    pub fn parse(code: &str) -> Option<Lang> {
        let code = code.trim().to_ascii_lowercase();
        let primary = code.split(['-', '_']).next().unwrap_or_default();
        match primary {
            "de" | "deu" | "ger" => Some(Lang::De),
            "en" | "eng" => Some(Lang::En),
            _ => None,
        }
    }

    /// The language a request asks for (`?lang=`, `LANGUAGE=`): German
    /// when it names none or one numis does not speak.
    pub fn from_query(code: Option<&str>) -> Lang {
        code.and_then(Lang::parse).unwrap_or_default()
    }

    /// The ISO 639-1 code: `de` or `en`.
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::De => "de",
            Lang::En => "en",
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_read_in_any_case_with_region_and_as_iso_639_2() {
        for code in ["de", "DE", "de-DE", "de_AT", "deu", "ger", " de "] {
            assert_eq!(Lang::parse(code), Some(Lang::De), "{code}");
        }
        for code in ["en", "EN", "en-GB", "en_us", "eng"] {
            assert_eq!(Lang::parse(code), Some(Lang::En), "{code}");
        }
        for code in ["", "fr", "english", "d", "-en"] {
            assert_eq!(Lang::parse(code), None, "{code}");
        }
    }

    #[test]
    fn a_missing_or_unknown_query_language_means_german() {
        assert_eq!(Lang::from_query(None), Lang::De);
        assert_eq!(Lang::from_query(Some("it")), Lang::De);
        assert_eq!(Lang::from_query(Some("en")), Lang::En);
        assert_eq!(Lang::En.to_string(), "en");
        assert_eq!(Lang::default().as_str(), "de");
    }
}
