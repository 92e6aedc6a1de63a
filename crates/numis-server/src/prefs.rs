//! The display preferences cookie `numis_prefs`: language and base map,
//! set only when a citizen asks for it on the display page ("in diesem
//! Browser merken", clause P5) and removed there again. Logged in or not,
//! nobody gets it without ticking that box.
//!
//! Its value is a form-urlencoded query, `lang=en&base=grundkarte`, so
//! the viewer reads it with `URLSearchParams`; that is also why it is not
//! `HttpOnly`. It carries nothing personal: two choices out of fixed
//! lists. It lasts a year, `SameSite=Lax`, `Path=/`, and `Secure` with
//! `[security] tls`.

use axum::http::{HeaderMap, HeaderValue, header};
use cookie::{Cookie, SameSite};
use numis_cms::Lang;

use crate::config::Config;

/// The cookie's name (the viewer reads it by this name).
pub const PREFS_COOKIE: &str = "numis_prefs";
/// How long the browser keeps it: a year, in seconds.
pub const PREFS_MAX_AGE: i64 = 365 * 86_400;
/// Longest base-map id kept; ids of the catalogue are far shorter.
const MAX_BASE_CHARS: usize = 100;

/// What a citizen chose to be remembered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Prefs {
    /// The language of pages and viewer.
    pub lang: Option<Lang>,
    /// The id of the viewer's base map.
    pub base: Option<String>,
}

impl Prefs {
    /// The cookie value: `lang=en&base=<id>`, form-urlencoded; a choice
    /// not made is left out.
    pub fn to_value(&self) -> String {
        let mut query = form_urlencoded::Serializer::new(String::new());
        if let Some(lang) = self.lang {
            query.append_pair("lang", lang.as_str());
        }
        if let Some(base) = &self.base {
            query.append_pair("base", base);
        }
        query.finish()
    }

    /// Reads a cookie value; anything unknown or malformed is left out
    /// (the cookie is the browser's, anyone may have edited it).
    pub fn parse(value: &str) -> Self {
        let mut prefs = Self::default();
        for (name, value) in form_urlencoded::parse(value.as_bytes()) {
            match name.as_ref() {
                "lang" if prefs.lang.is_none() => {
                    prefs.lang = match value.as_ref() {
                        "de" => Some(Lang::De),
                        "en" => Some(Lang::En),
                        _ => None,
                    };
                }
                "base" if prefs.base.is_none() && is_base_id(&value) => {
                    prefs.base = Some(value.into_owned());
                }
                _ => {}
            }
        }
        prefs
    }
}

/// Could `id` be a base-map id? Letters, digits, `-`, `_`, `.`, `:`; the
/// display page checks it against the catalogue before it is stored.
pub fn is_base_id(id: &str) -> bool {
    !id.is_empty()
        && id.chars().count() <= MAX_BASE_CHARS
        && id
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'))
}

/// The preferences the request's cookie carries, if it has one.
pub fn read(headers: &HeaderMap) -> Option<Prefs> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(Cookie::split_parse)
        .filter_map(Result::ok)
        .find(|cookie| cookie.name() == PREFS_COOKIE)
        .map(|cookie| Prefs::parse(cookie.value()))
}

/// The `Set-Cookie` value that keeps `prefs` for a year. Pass it to
/// [`crate::session::set_cookie`].
pub fn keep_cookie(config: &Config, prefs: &Prefs) -> Option<HeaderValue> {
    let mut cookie = base_cookie(config, prefs.to_value());
    cookie.set_max_age(cookie::time::Duration::seconds(PREFS_MAX_AGE));
    HeaderValue::from_str(&cookie.to_string()).ok()
}

/// The `Set-Cookie` value that removes the cookie.
pub fn forget_cookie(config: &Config) -> HeaderValue {
    let mut cookie = base_cookie(config, String::new());
    cookie.make_removal();
    HeaderValue::from_str(&cookie.to_string())
        .unwrap_or_else(|_| HeaderValue::from_static("numis_prefs=; Max-Age=0; Path=/"))
}

fn base_cookie(config: &Config, value: String) -> Cookie<'static> {
    let mut cookie = Cookie::new(PREFS_COOKIE, value);
    // The viewer reads it: not HttpOnly.
    cookie.set_http_only(false);
    cookie.set_same_site(SameSite::Lax);
    cookie.set_path("/");
    cookie.set_secure(config.security.tls);
    cookie
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_is_a_query_the_viewer_reads_back() {
        let prefs = Prefs {
            lang: Some(Lang::En),
            base: Some("grundkarte".into()),
        };
        assert_eq!(prefs.to_value(), "lang=en&base=grundkarte");
        assert_eq!(Prefs::parse(&prefs.to_value()), prefs);
        let only_lang = Prefs {
            lang: Some(Lang::De),
            base: None,
        };
        assert_eq!(only_lang.to_value(), "lang=de");
    }

    #[test]
    fn an_edited_cookie_loses_what_is_not_a_choice() {
        let prefs = Prefs::parse("lang=fr&base=%3Cscript%3E&x=1");
        assert_eq!(prefs, Prefs::default());
        let prefs = Prefs::parse("base=luftbild&lang=en&lang=de");
        assert_eq!(prefs.lang, Some(Lang::En), "the first one counts");
        assert_eq!(prefs.base.as_deref(), Some("luftbild"));
    }

    #[test]
    fn the_cookie_is_read_among_others() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; numis_prefs=lang=en&base=grundkarte; b=2"),
        );
        let prefs = read(&headers).unwrap();
        assert_eq!(prefs.lang, Some(Lang::En));
        assert_eq!(prefs.base.as_deref(), Some("grundkarte"));
        assert_eq!(read(&HeaderMap::new()), None);
    }

    #[test]
    fn the_cookie_lasts_a_year_is_lax_and_readable_by_the_viewer() {
        let mut config = Config::default();
        let prefs = Prefs {
            lang: Some(Lang::En),
            base: None,
        };
        let text = keep_cookie(&config, &prefs).unwrap();
        let text = text.to_str().unwrap();
        assert!(text.starts_with("numis_prefs=lang=en;"), "{text}");
        for part in ["Max-Age=31536000", "SameSite=Lax", "Path=/"] {
            assert!(text.contains(part), "{part} in {text}");
        }
        assert!(
            !text.contains("HttpOnly") && !text.contains("Secure"),
            "{text}"
        );
        config.security.tls = true;
        let text = keep_cookie(&config, &prefs).unwrap();
        assert!(text.to_str().unwrap().contains("Secure"));
        let gone = forget_cookie(&config);
        let gone = gone.to_str().unwrap();
        assert!(
            gone.starts_with("numis_prefs=;") && gone.contains("Max-Age=0"),
            "{gone}"
        );
    }
}
