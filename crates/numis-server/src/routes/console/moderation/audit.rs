//! `/verwaltung/protokoll` (`/en/admin/audit`): the audit trail, newest
//! first: when, who (an operator's pseudonym, or the operator token), what
//! and on what.
//!
//! An action's name is translated by the key
//! `CONSOLE.AUDIT_ACTION.<NAME>`, the name upper-cased with every other
//! character than a letter or digit made `_` (`account.block` →
//! `CONSOLE.AUDIT_ACTION.ACCOUNT_BLOCK`): other sections add the words
//! for their own actions in their own string files. A name without words
//! is shown as it was recorded.

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{Response, StatusCode};
use axum::routing::get;
use numis_cms::Lang;
use numis_core::audit::{AuditEntry, RETENTION_DAYS};
use serde_json::{Value, json};

use super::{day_time, drawing_url, when};
use crate::routes::account::{PageLang, Stop};
use crate::routes::console::{AUDIT, ConsolePage, Operator, render};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Entries the page shows at most.
const AUDIT_LIMIT: u32 = 300;
/// The actor name the trail records for the operator token.
const TOKEN_ACTOR: &str = "token";
/// Actions whose object is a drawing that may still exist: linked.
const DRAWING_ACTIONS: [&str; 3] = ["block", "unblock", "dismiss"];

/// `/verwaltung/protokoll` and `/en/admin/audit`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(AUDIT.url(lang), get(show));
    }
    router
}

/// The translation key of an action's name.
fn action_key(action: &str) -> String {
    let name: String = action
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("CONSOLE.AUDIT_ACTION.{name}")
}

/// An action in words by `translate` (which answers a key it does not
/// know with the key itself), or as recorded if there are none.
fn action_words(action: &str, translate: impl Fn(&str) -> String) -> String {
    let key = action_key(action);
    let words = translate(&key);
    if words == key {
        action.to_owned()
    } else {
        words
    }
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let site = state.site();
    let (entries, error, status) = match state.audit.recent(AUDIT_LIMIT).await {
        Ok(entries) => (entries, None, StatusCode::OK),
        Err(e) => {
            tracing::error!(error = %e, "audit page: trail not read");
            let text = site.text(lang, "CONSOLE.MODERATION.AUDIT_UNAVAILABLE");
            (Vec::new(), Some(text), StatusCode::SERVICE_UNAVAILABLE)
        }
    };
    let rows: Vec<Value> = entries.iter().map(|e| row(&state, lang, e)).collect();
    let retention = site
        .text(lang, "CONSOLE.MODERATION.AUDIT_RETENTION")
        .replace("{days}", &RETENTION_DAYS.to_string())
        .replace("{years}", &(RETENTION_DAYS / 365).to_string());
    let data = json!({
        "entries": rows,
        "limit": AUDIT_LIMIT,
        "full": u32::try_from(entries.len()).unwrap_or(u32::MAX) >= AUDIT_LIMIT,
        "retention": retention,
        "error": error,
    });
    let page = ConsolePage::new(AUDIT, "audit", "CONSOLE.MODERATION.AUDIT_TITLE", data)
        .with_status(status);
    Ok(render(&state, lang, &operator, page))
}

/// One entry as the page shows it.
fn row(state: &AppState, lang: Lang, entry: &AuditEntry) -> Value {
    let site = state.site();
    let action = action_words(&entry.action, |key| site.text(lang, key));
    let token = entry.actor == TOKEN_ACTOR;
    let actor = if token {
        site.text(lang, "CONSOLE.MODERATION.TOKEN_ACTOR")
    } else {
        entry.actor.clone()
    };
    let object_url = DRAWING_ACTIONS
        .contains(&entry.action.as_str())
        .then(|| drawing_url(lang, &entry.object));
    json!({
        "at": when(day_time(lang, entry.at), entry.at),
        "actor": actor,
        "token": token,
        "action": action,
        "recorded_action": entry.action,
        "object": entry.object,
        "object_url": object_url,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names_become_translation_keys() {
        assert_eq!(action_key("block"), "CONSOLE.AUDIT_ACTION.BLOCK");
        assert_eq!(
            action_key("account.block"),
            "CONSOLE.AUDIT_ACTION.ACCOUNT_BLOCK"
        );
        assert_eq!(action_key("x-y z"), "CONSOLE.AUDIT_ACTION.X_Y_Z");
    }

    #[test]
    fn actions_without_words_are_shown_as_recorded() {
        let translate = |key: &str| match key {
            "CONSOLE.AUDIT_ACTION.BLOCK" => "Zeichnung gesperrt".to_owned(),
            other => other.to_owned(),
        };
        assert_eq!(action_words("block", translate), "Zeichnung gesperrt");
        assert_eq!(action_words("account.block", translate), "account.block");
    }
}
