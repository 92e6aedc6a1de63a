//! `/verwaltung/konfiguration` (`/en/admin/configuration`): the effective
//! configuration of the running server (file, `NUMIS_…` variables and
//! flags merged) as TOML, with every secret masked, and what
//! `numis check` finds in the site folder now ([`crate::check`]).
//!
//! Secrets are masked structurally, not field by field: the configuration
//! is turned into a JSON value and every value under a key that names a
//! secret ([`is_secret_key`]) is replaced before anything is written. A
//! secret added to the configuration later is masked without a change
//! here, as long as its key says what it is.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::Response;
use axum::routing::get;
use numis_cms::Lang;
use serde_json::{Map, Value, json};

use super::{CONFIG, ConsolePage, Operator, render};
use crate::check::{self, CheckReport};
use crate::config::Config;
use crate::routes::account::{PageLang, Stop};
use crate::session::CurrentSession;
use crate::state::AppState;

/// What a set secret is shown as.
pub const MASK: &str = "********";
/// Parts of key names that mark a secret.
const SECRET_WORDS: [&str; 4] = ["token", "password", "secret", "key"];

/// `/verwaltung/konfiguration` and `/en/admin/configuration`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(CONFIG.url(lang), get(show));
    }
    router
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let config = state.config.clone();
    // The check reads the whole site folder and every layer's data: off
    // the async workers.
    let checked = tokio::task::spawn_blocking(move || {
        let warnings = check::config_warnings(&config);
        check::run(&config, warnings).map_err(|e| e.to_string())
    })
    .await
    .unwrap_or_else(|e| Err(e.to_string()));
    let data = page_data(&state, lang, checked);
    Ok(render(
        &state,
        lang,
        &operator,
        ConsolePage::new(CONFIG, "config", "CONSOLE.CONFIG.TITLE", data),
    ))
}

/// What the template shows.
fn page_data(state: &AppState, lang: Lang, checked: Result<CheckReport, String>) -> Value {
    let check = match checked {
        Ok(report) => json!({
            "ok": report.ok(),
            "warnings": report.warnings,
            "problems": report.problems,
            "problem_count": report.problems.len(),
            "pages": report.pages,
            "layers": report.layers,
        }),
        Err(error) => {
            tracing::error!(error = %error, "configuration page: the check did not run");
            json!({ "failed": error })
        }
    };
    json!({
        "toml": masked_toml(&state.config, &state.site().text(lang, "CONSOLE.CONFIG.NOT_SET")),
        "site_dir": state.config.site_dir.display().to_string(),
        "check": check,
    })
}

/// Whether a configuration key names a secret (`token`, `operator_token`,
/// `password`, `client_secret`, `api_key` …).
pub fn is_secret_key(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    SECRET_WORDS.iter().any(|word| key.contains(word))
}

/// `value` with every set value under a secret key replaced by [`MASK`]
/// (an unset one stays unset: that it is missing is no secret).
pub fn mask_secrets(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(key, value)| {
                    let value = if is_secret_key(&key) && !value.is_null() {
                        Value::from(MASK)
                    } else {
                        mask_secrets(value)
                    };
                    (key, value)
                })
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(mask_secrets).collect()),
        Value::String(text) => Value::String(mask_url_password(text)),
        other => other,
    }
}

/// A URL's password replaced by [`MASK`] (`postgres://numis:…@db/numis`
/// in `[store] url`); any other text as it is.
fn mask_url_password(text: String) -> String {
    let Ok(mut url) = url::Url::parse(&text) else {
        return text;
    };
    if url.password().is_some() && url.set_password(Some(MASK)).is_ok() {
        url.to_string()
    } else {
        text
    }
}

/// The configuration as TOML with its secrets masked. Unset keys are
/// written as comments (`# key = <not_set>`), so that every key is
/// visible.
pub fn masked_toml(config: &Config, not_set: &str) -> String {
    let value = match serde_json::to_value(config) {
        Ok(value) => mask_secrets(value),
        Err(e) => {
            tracing::error!(error = %e, "configuration page: configuration not serialised");
            return String::new();
        }
    };
    let mut out = String::new();
    if let Value::Object(map) = &value {
        write_table(&mut out, "", map, not_set);
    }
    out
}

/// Writes the keys of `table` (its scalars first, then its sub-tables
/// as `[path.key]` sections).
fn write_table(out: &mut String, path: &str, table: &Map<String, Value>, not_set: &str) {
    for (key, value) in table {
        match value {
            Value::Object(_) => {}
            Value::Null => out.push_str(&format!("# {key} = ({not_set})\n")),
            other => out.push_str(&format!("{key} = {}\n", toml_scalar(other))),
        }
    }
    for (key, value) in table {
        if let Value::Object(sub) = value {
            let sub_path = if path.is_empty() {
                key.clone()
            } else {
                format!("{path}.{key}")
            };
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("[{sub_path}]\n"));
            write_table(out, &sub_path, sub, not_set);
        }
    }
}

/// A scalar or array as TOML: strings as basic strings (JSON's escapes
/// are TOML's), numbers and booleans as they are.
fn toml_scalar(value: &Value) -> String {
    match value {
        Value::Array(items) => {
            let items: Vec<String> = items.iter().map(toml_scalar).collect();
            format!("[{}]", items.join(", "))
        }
        Value::Null => "\"\"".to_owned(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_secret_value_appears_in_the_page() {
        let mut config = Config::default();
        config.operator.token = Some("op-token-sehr-geheim".to_owned());
        config.wms.operator_token = Some("alt-token-geheim".to_owned());
        config.accounts.smtp.password = Some("smtp-passwort-geheim".to_owned());
        config.accounts.smtp.username = Some("mailer".to_owned());
        config.accounts.smtp.host = Some("mail.example.org".to_owned());
        config.store.url = Some("postgres://numis:pg-passwort-geheim@db.example/numis".to_owned());
        let toml = masked_toml(&config, "not set");
        for secret in [
            "op-token-sehr-geheim",
            "alt-token-geheim",
            "smtp-passwort-geheim",
            "pg-passwort-geheim",
        ] {
            assert!(!toml.contains(secret), "{secret} leaked:\n{toml}");
        }
        assert!(toml.contains(&format!("token = \"{MASK}\"")), "{toml}");
        assert!(
            toml.contains(&format!("operator_token = \"{MASK}\"")),
            "{toml}"
        );
        assert!(toml.contains(&format!("password = \"{MASK}\"")), "{toml}");
        // What is no secret stays readable.
        assert!(toml.contains("username = \"mailer\""), "{toml}");
        assert!(
            toml.contains("url = \"postgres://numis:********@db.example/numis\""),
            "{toml}"
        );
        assert!(toml.contains("host = \"mail.example.org\""), "{toml}");
        assert!(toml.contains("[accounts.smtp]"), "{toml}");
        assert!(toml.contains("retention_days = 730"), "{toml}");
    }

    #[test]
    fn secrets_are_found_by_key_at_any_depth() {
        let value = json!({
            "a": { "b": { "client_secret": "s1", "API_KEY": "s2", "list": [{ "password": "s3" }] } },
            "token": null,
            "name": "visible",
        });
        let masked = mask_secrets(value).to_string();
        for secret in ["s1", "s2", "s3"] {
            assert!(!masked.contains(&format!("\"{secret}\"")), "{masked}");
        }
        assert!(masked.contains("\"token\":null"), "unset stays unset");
        assert!(masked.contains("visible"));
    }

    #[test]
    fn the_toml_reads_back_as_the_configuration() {
        let config = Config::default();
        let toml = masked_toml(&config, "not set");
        let read: Config = figment::Figment::new()
            .merge(<figment::providers::Toml as figment::providers::Format>::string(&toml))
            .extract()
            .unwrap();
        assert_eq!(read, config);
    }
}
