//! Page templates: minijinja (Jinja2/Twig syntax), loaded from the site's
//! `templates/` folder, falling back to the default theme built into the
//! binary. Operators restyle the portal by copying a template into their
//! site and changing it.

use std::path::PathBuf;
use std::sync::Arc;

use minijinja::{AutoEscape, Environment, State, Value as JinjaValue};

use crate::lang::Lang;
use crate::translate::Translations;

/// The default theme, compiled in so that any page tree renders.
const BUILTIN: &[(&str, &str)] = &[
    (
        "base.html.twig",
        include_str!("../../../site/templates/base.html.twig"),
    ),
    (
        "default.html.twig",
        include_str!("../../../site/templates/default.html.twig"),
    ),
    (
        "modular.html.twig",
        include_str!("../../../site/templates/modular.html.twig"),
    ),
    (
        "error.html.twig",
        include_str!("../../../site/templates/error.html.twig"),
    ),
    // The catalogue of open data (`/daten`).
    (
        "data.html.twig",
        include_str!("../../../site/templates/data.html.twig"),
    ),
    // The account pages ("Mein NUMIS").
    (
        "account/layout.html.twig",
        include_str!("../../../site/templates/account/layout.html.twig"),
    ),
    (
        "account/login.html.twig",
        include_str!("../../../site/templates/account/login.html.twig"),
    ),
    (
        "account/register.html.twig",
        include_str!("../../../site/templates/account/register.html.twig"),
    ),
    (
        "account/codes.html.twig",
        include_str!("../../../site/templates/account/codes.html.twig"),
    ),
    (
        "account/home.html.twig",
        include_str!("../../../site/templates/account/home.html.twig"),
    ),
    (
        "account/home_security.html.twig",
        include_str!("../../../site/templates/account/home_security.html.twig"),
    ),
    (
        "account/home_library.html.twig",
        include_str!("../../../site/templates/account/home_library.html.twig"),
    ),
    (
        "account/home_danger.html.twig",
        include_str!("../../../site/templates/account/home_danger.html.twig"),
    ),
    // Library pages: drawings, views, export, erasure, display.
    (
        "account/drawings.html.twig",
        include_str!("../../../site/templates/account/drawings.html.twig"),
    ),
    (
        "account/views.html.twig",
        include_str!("../../../site/templates/account/views.html.twig"),
    ),
    (
        "account/export.html.twig",
        include_str!("../../../site/templates/account/export.html.twig"),
    ),
    (
        "account/delete.html.twig",
        include_str!("../../../site/templates/account/delete.html.twig"),
    ),
    (
        "account/display.html.twig",
        include_str!("../../../site/templates/account/display.html.twig"),
    ),
    // The settings pages (profile, password, recovery codes, second
    // factor, sessions).
    (
        "account/profile.html.twig",
        include_str!("../../../site/templates/account/profile.html.twig"),
    ),
    (
        "account/password.html.twig",
        include_str!("../../../site/templates/account/password.html.twig"),
    ),
    (
        "account/recovery_codes.html.twig",
        include_str!("../../../site/templates/account/recovery_codes.html.twig"),
    ),
    (
        "account/two_factor.html.twig",
        include_str!("../../../site/templates/account/two_factor.html.twig"),
    ),
    (
        "account/sessions.html.twig",
        include_str!("../../../site/templates/account/sessions.html.twig"),
    ),
    (
        "account/settings_back.html.twig",
        include_str!("../../../site/templates/account/settings_back.html.twig"),
    ),
    // Recovery: a recovery code, or a link by mail.
    (
        "account/recover.html.twig",
        include_str!("../../../site/templates/account/recover.html.twig"),
    ),
    (
        "account/new_password.html.twig",
        include_str!("../../../site/templates/account/new_password.html.twig"),
    ),
    // The operator console (numis-server routes/console).
    (
        "console/layout.html.twig",
        include_str!("../../../site/templates/console/layout.html.twig"),
    ),
    (
        "console/dashboard.html.twig",
        include_str!("../../../site/templates/console/dashboard.html.twig"),
    ),
    (
        "console/stats_table.html.twig",
        include_str!("../../../site/templates/console/stats_table.html.twig"),
    ),
    (
        "console/drawings.html.twig",
        include_str!("../../../site/templates/console/drawings.html.twig"),
    ),
    (
        "console/drawing.html.twig",
        include_str!("../../../site/templates/console/drawing.html.twig"),
    ),
    (
        "console/confirm.html.twig",
        include_str!("../../../site/templates/console/confirm.html.twig"),
    ),
    (
        "console/accounts.html.twig",
        include_str!("../../../site/templates/console/accounts.html.twig"),
    ),
    (
        "console/account.html.twig",
        include_str!("../../../site/templates/console/account.html.twig"),
    ),
    (
        "console/account_delete.html.twig",
        include_str!("../../../site/templates/console/account_delete.html.twig"),
    ),
    (
        "console/layers.html.twig",
        include_str!("../../../site/templates/console/layers.html.twig"),
    ),
    (
        "console/config.html.twig",
        include_str!("../../../site/templates/console/config.html.twig"),
    ),
    (
        "console/privacy_audit.html.twig",
        include_str!("../../../site/templates/console/privacy_audit.html.twig"),
    ),
    (
        "console/audit.html.twig",
        include_str!("../../../site/templates/console/audit.html.twig"),
    ),
    // OGC API – Features (numis-server routes/ogcapi).
    (
        "ogcapi/layout.html.twig",
        include_str!("../../../site/templates/ogcapi/layout.html.twig"),
    ),
    (
        "ogcapi/landing.html.twig",
        include_str!("../../../site/templates/ogcapi/landing.html.twig"),
    ),
    (
        "ogcapi/conformance.html.twig",
        include_str!("../../../site/templates/ogcapi/conformance.html.twig"),
    ),
    (
        "ogcapi/api.html.twig",
        include_str!("../../../site/templates/ogcapi/api.html.twig"),
    ),
    (
        "ogcapi/collections.html.twig",
        include_str!("../../../site/templates/ogcapi/collections.html.twig"),
    ),
    (
        "ogcapi/collection.html.twig",
        include_str!("../../../site/templates/ogcapi/collection.html.twig"),
    ),
    (
        "ogcapi/collection_facts.html.twig",
        include_str!("../../../site/templates/ogcapi/collection_facts.html.twig"),
    ),
    (
        "ogcapi/items.html.twig",
        include_str!("../../../site/templates/ogcapi/items.html.twig"),
    ),
    (
        "ogcapi/feature.html.twig",
        include_str!("../../../site/templates/ogcapi/feature.html.twig"),
    ),
];

/// The template a page asks for, when neither the site nor the built-in
/// theme has it.
pub const FALLBACK_TEMPLATE: &str = "default";

/// Builds the template environment of a site.
pub fn environment(
    templates_dir: PathBuf,
    translations: Arc<Translations>,
    default_lang: String,
) -> Environment<'static> {
    let mut env = Environment::new();
    // Twig file names end in `.twig`, which minijinja would not escape by
    // default; every template here produces HTML.
    env.set_auto_escape_callback(|_| AutoEscape::Html);
    env.set_formatter(html_formatter);
    env.set_loader(move |name| {
        if name.contains("..") {
            return Ok(None);
        }
        match std::fs::read_to_string(templates_dir.join(name)) {
            Ok(source) => Ok(Some(source)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BUILTIN
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, s)| (*s).to_owned())),
            Err(e) => Err(minijinja::Error::new(
                minijinja::ErrorKind::TemplateNotFound,
                format!("cannot read template {name}: {e}"),
            )),
        }
    });
    let translate = move |state: &State, key: &str| -> String {
        let lang = state
            .lookup("lang")
            .map(|l| l.to_string())
            .unwrap_or_default();
        translations
            .translate(&lang, Some(&default_lang), key)
            .to_owned()
    };
    // `t('KEY')` as numis' templates write it, `'KEY'|t` as Grav themes do.
    env.add_function("t", translate.clone());
    env.add_filter("t", translate);
    env.add_function("url", |state: &State, route: &str| -> String {
        let prefix = state
            .lookup("lang_prefix")
            .and_then(|p| p.as_str().map(str::to_owned))
            .unwrap_or_default();
        join_url(&prefix, route)
    });
    env
}

/// Writes a value into HTML: `none` as nothing, safe strings as they are,
/// everything else with the five HTML-significant characters escaped.
/// (minijinja's default also escapes `/`, which turns every URL in an
/// attribute into `&#x2f;…` — valid, but unreadable in the page source.)
fn html_formatter(
    out: &mut minijinja::Output,
    state: &State,
    value: &JinjaValue,
) -> Result<(), minijinja::Error> {
    if value.is_none() || value.is_undefined() {
        return Ok(());
    }
    let text = value.to_string();
    let result = if value.is_safe() || state.auto_escape() == AutoEscape::None {
        out.write_str(&text)
    } else {
        out.write_str(&escape_html(&text))
    };
    result.map_err(|e| minijinja::Error::new(minijinja::ErrorKind::WriteFailure, e.to_string()))
}

/// Escapes `& < > " '` for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

/// `("/en", "/datenschutz")` → `/en/datenschutz`; `("/en", "/")` → `/en`.
pub fn join_url(prefix: &str, route: &str) -> String {
    match (prefix, route) {
        ("", r) => r.to_owned(),
        (p, "/") => p.to_owned(),
        (p, r) => format!("{p}{r}"),
    }
}

/// "Mein NUMIS", the account pages, in `lang`: `/konto` and
/// `/en/account`, served by numis whatever the page tree holds.
pub fn account_url(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "/konto",
        Lang::En => "/en/account",
    }
}

/// The map viewer in `lang`: numis serves it at `/karte` and `/en/karte`
/// whatever the page tree's languages are, so the theme links these and
/// never a language-prefixed `/fr/karte`.
pub fn map_url(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "/karte",
        Lang::En => "/en/karte",
    }
}

/// The catalogue of open data in `lang`: `/daten` and `/en/data`, served
/// by numis whatever the page tree holds.
pub fn data_url(lang: Lang) -> &'static str {
    match lang {
        Lang::De => "/daten",
        Lang::En => "/en/data",
    }
}

/// Does the environment find a template of this name?
pub fn has_template(env: &Environment<'static>, name: &str) -> bool {
    env.get_template(name).is_ok()
}

/// Renders `name` with `context`.
pub fn render(
    env: &Environment<'static>,
    name: &str,
    context: JinjaValue,
) -> Result<String, minijinja::Error> {
    env.get_template(name)?.render(context)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_but_urls_stay_readable() {
        let env = environment(PathBuf::from("/nonexistent"), Arc::default(), "de".into());
        let out = env
            .render_str(
                "<a href=\"{{ u }}\">{{ t }}</a>{{ n }}{{ h|safe }}",
                minijinja::context! {
                    u => "/en/hilfe", t => "<script>\"x\"</script>", n => (), h => "<b>ok</b>"
                },
            )
            .unwrap();
        assert_eq!(
            out,
            "<a href=\"/en/hilfe\">&lt;script&gt;&quot;x&quot;&lt;/script&gt;</a><b>ok</b>"
        );
    }

    #[test]
    fn translation_keys_are_read_as_function_and_as_grav_filter() {
        let env = environment(
            PathBuf::from("/nonexistent"),
            Arc::new(Translations::default().with_theme_strings().unwrap()),
            "de".into(),
        );
        let out = env
            .render_str(
                "{{ t('PAGES.MAP') }}|{{ 'PAGES.MAP'|t }}",
                minijinja::context! { lang => "en" },
            )
            .unwrap();
        assert_eq!(out, "Map|Map");
    }

    #[test]
    fn urls_get_the_language_prefix() {
        assert_eq!(join_url("", "/datenschutz"), "/datenschutz");
        assert_eq!(join_url("/en", "/datenschutz"), "/en/datenschutz");
        assert_eq!(join_url("/en", "/"), "/en");
    }
}
