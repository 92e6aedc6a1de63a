//! `/verwaltung/konten` (English `/en/admin/accounts`): the accounts of
//! "Mein NUMIS" for the operator (issue 13).
//!
//! - [`list`]: every account with its roles, the day it registered, the
//!   day it was last active (a day, never a time: the console is no
//!   activity monitor) and whether it is blocked; searchable by a part of
//!   the pseudonym, compared as pseudonyms are (caseless, NFKC).
//! - [`one`]: one account by its id (pseudonyms change and need escaping;
//!   ids do neither): grant and revoke roles, block, unblock, a one-time
//!   reset link to hand over, and the way to [`delete`].
//!
//! Every action is in the audit trail, and takes effect on the account's
//! very next request: the server forgets the sessions it has cached for
//! the account ([`crate::session_cache`]). An operator cannot revoke their
//! own operator role, block or delete themself here (the command line
//! can): a slip must not lock the last operator out.

mod delete;
mod one;

use axum::Router;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{Response, StatusCode};
use axum::routing::get;
use numis_cms::Lang;
use numis_core::accounts::{AccountDetails, AccountError};
use numis_core::audit::Action;
use numis_core::drawings::rfc3339;
use numis_store::AccountSummary;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{ACCOUNTS, ConsolePage, Operator, render};
use crate::routes::account::messages::message;
use crate::routes::account::{PageLang, Stop, status_of};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Most accounts the list shows at once; the rest are counted, and a
/// search narrows them down.
const SHOWN: usize = 100;
/// The notice word of the list after an account was deleted.
const DELETED: &str = "geloescht";

/// `/verwaltung/konten`, one account, its deletion, in both languages.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router
            .route(ACCOUNTS.url(lang), get(list))
            .route(&one::path(lang), get(one::show).post(one::act))
            .route(
                &delete::path(lang),
                get(delete::confirm).post(delete::erase),
            );
    }
    router
}

/// The address of the account `id` in `lang`.
fn account_url(lang: Lang, id: &str) -> String {
    format!("{}/{id}", ACCOUNTS.url(lang))
}

/// A day as the page's language writes it (UTC): `05.03.2026`,
/// `5 Mar 2026`.
fn day(lang: Lang, seconds: i64) -> String {
    let Some(time) = chrono::DateTime::from_timestamp(seconds, 0) else {
        return String::new();
    };
    match lang {
        Lang::De => time.format("%d.%m.%Y").to_string(),
        Lang::En => time.format("%-d %b %Y").to_string(),
    }
}

/// The ISO day for `<time datetime>`.
fn iso_day(seconds: i64) -> String {
    rfc3339(seconds).chars().take(10).collect()
}

/// What the templates show of an account in the list and on its page.
fn summary_json(state: &AppState, lang: Lang, account: &AccountSummary) -> Value {
    let site = state.site();
    json!({
        "id": account.id,
        "url": account_url(lang, &account.id),
        "pseudonym": account.pseudonym,
        "roles": account.roles,
        "registered": day(lang, account.created_at),
        "registered_iso": iso_day(account.created_at),
        "last_seen": day(lang, account.last_seen_at),
        "last_seen_iso": iso_day(account.last_seen_at),
        "blocked": account.blocked,
        "state": site.text(lang, if account.blocked {
            "CONSOLE.ACCOUNTS.BLOCKED"
        } else {
            "CONSOLE.ACCOUNTS.ACTIVE"
        }),
    })
}

/// A refusal of the account service in the page's language, logged when
/// it is a failure of ours.
fn refusal(state: &AppState, lang: Lang, error: &AccountError) -> String {
    if error.is_failure() {
        tracing::error!(%error, "console: account action failed");
    }
    message(&state.site(), lang, error)
}

/// The account `id` (by id only: the console's addresses name ids), or
/// the page that ends the request: 404, or the store's failure.
pub(super) async fn found(
    state: &AppState,
    lang: Lang,
    operator: &Operator<'_>,
    id: &str,
) -> Result<AccountDetails, Stop> {
    let error = match state.accounts.account_details(id).await {
        Ok(details) if details.summary.id == id => return Ok(details),
        Ok(_) => AccountError::NotFound,
        Err(error) => error,
    };
    let (text, status) = match error {
        AccountError::NotFound => (
            state.site().text(lang, "CONSOLE.ACCOUNTS.NOT_FOUND"),
            StatusCode::NOT_FOUND,
        ),
        other => (refusal(state, lang, &other), status_of(&other)),
    };
    let data = json!({ "error": text, "back_url": ACCOUNTS.url(lang) });
    let page =
        ConsolePage::new(ACCOUNTS, "account", "CONSOLE.ACCOUNTS.ACCOUNT", data).with_status(status);
    Err(render(state, lang, operator, page).into())
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    /// A part of a pseudonym.
    suche: Option<String>,
    /// Present after an account was deleted.
    geloescht: Option<String>,
}

/// The list, or the accounts matching `?suche=`.
async fn list(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    Query(query): Query<ListQuery>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let site = state.site();
    let search = query.suche.unwrap_or_default();
    let search = search.trim();
    let mut data = json!({
        "action": ACCOUNTS.url(lang),
        "search": search,
    });
    if query.geloescht.is_some() {
        data["notice"] = Value::from(site.text(lang, "CONSOLE.ACCOUNTS.DELETED"));
    }
    let status = match state.accounts.search_accounts(search).await {
        Ok(accounts) => {
            let rows: Vec<Value> = accounts
                .iter()
                .take(SHOWN)
                .map(|a| summary_json(&state, lang, a))
                .collect();
            data["total"] = Value::from(accounts.len());
            data["more"] = Value::from(accounts.len().saturating_sub(SHOWN));
            data["accounts"] = Value::from(rows);
            StatusCode::OK
        }
        Err(error) => {
            data["error"] = Value::from(refusal(&state, lang, &error));
            StatusCode::SERVICE_UNAVAILABLE
        }
    };
    let page =
        ConsolePage::new(ACCOUNTS, "accounts", "CONSOLE.ACCOUNTS.TITLE", data).with_status(status);
    Ok(render(&state, lang, &operator, page))
}

/// Records an action that was taken in the audit trail; `false` when the
/// trail could not be written. The action stands either way, and the
/// caller tells the operator that its record is missing.
async fn audit(state: &AppState, operator: &Operator<'_>, action: Action, object: &str) -> bool {
    match state.audit.record(&operator.actor(), action, object).await {
        Ok(()) => true,
        Err(error) => {
            tracing::error!(%error, action = action.as_str(), "audit entry not written");
            false
        }
    }
}

/// The text that says an action was taken but not recorded.
fn not_recorded(state: &AppState, lang: Lang) -> String {
    state.site().text(lang, "CONSOLE.MODERATION.NOT_RECORDED")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_are_days_in_utc() {
        assert_eq!(day(Lang::De, 1_772_668_799), "04.03.2026");
        assert_eq!(day(Lang::En, 1_772_668_800), "5 Mar 2026");
        assert_eq!(iso_day(1_772_668_800), "2026-03-05");
    }
}
