//! `/verwaltung/konten/{id}`: one account. `GET` shows it; `POST` takes
//! one action, named by the form's `action` field: `grant` (a role chosen
//! from those the map uses, or typed), `revoke`, `block`, `unblock` or
//! `reset`. Every action but `reset` ends in post/redirect/get with a
//! fixed notice word; `reset` answers the page itself (200, no-store) with
//! the link, which is shown this once and never stored.

use std::collections::BTreeSet;

use axum::Form;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode, header};
use numis_cms::Lang;
use numis_core::accounts::{AccountDetails, AccountError, IssuedReset, valid_role};
use numis_core::audit::Action;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    ACCOUNTS, account_url, audit, day, delete, found, not_recorded, refusal, summary_json,
};
use crate::caller::OPERATOR_ROLE;
use crate::origin::public_base;
use crate::routes::account::{NEW_PASSWORD, PageLang, Stop, see_other};
use crate::routes::console::{ConsolePage, Operator, render};
use crate::session::CurrentSession;
use crate::state::AppState;

/// The notice words after an action, with their texts.
const NOTICES: [(&str, &str); 4] = [
    ("vergeben", "CONSOLE.ACCOUNTS.GRANTED"),
    ("entzogen", "CONSOLE.ACCOUNTS.REVOKED"),
    ("gesperrt", "CONSOLE.ACCOUNTS.BLOCKED_NOW"),
    ("entsperrt", "CONSOLE.ACCOUNTS.UNBLOCKED_NOW"),
];

/// The route of one account in `lang`.
pub(super) fn path(lang: Lang) -> String {
    format!("{}/{{id}}", ACCOUNTS.url(lang))
}

/// What the page shows besides the account: a notice, a refusal, or a
/// reset link just issued.
#[derive(Default)]
struct Extra {
    notice: Option<String>,
    error: Option<String>,
    reset: Option<Value>,
}

pub(super) async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let details = found(&state, lang, &operator, &id).await?;
    let notice = NOTICES
        .iter()
        .find(|(word, _)| query.as_deref() == Some(*word))
        .map(|(_, key)| state.site().text(lang, key));
    let extra = Extra {
        notice,
        ..Extra::default()
    };
    Ok(page(
        &state,
        lang,
        &operator,
        &details,
        extra,
        StatusCode::OK,
    ))
}

#[derive(Deserialize)]
pub(super) struct ActionForm {
    csrf: Option<String>,
    #[serde(default)]
    action: String,
    /// For `grant`: the role chosen from the list …
    #[serde(default)]
    role_choice: String,
    /// … or typed (wins when given); for `revoke`: the role.
    #[serde(default)]
    role: String,
}

pub(super) async fn act(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::form(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let details = found(&state, lang, &operator, &id).await?;
    let account = &details.summary;
    let myself = account.id == operator.session.info.account_id;
    let site = state.site();
    let refuse = |key: &str, status: StatusCode| {
        let extra = Extra {
            error: Some(site.text(lang, key)),
            ..Extra::default()
        };
        Ok(page(&state, lang, &operator, &details, extra, status))
    };
    let done = match form.action.as_str() {
        "grant" => {
            let typed = form.role.trim();
            let role = if typed.is_empty() {
                form.role_choice.trim()
            } else {
                typed
            };
            if !valid_role(role) {
                return refuse("ACCOUNT.ERROR.BAD_ROLE", StatusCode::UNPROCESSABLE_ENTITY);
            }
            state.accounts.grant(&account.id, role).await.map(|()| {
                (
                    Action::AccountGrant,
                    format!("{}: {role}", account.pseudonym),
                    "vergeben",
                )
            })
        }
        "revoke" => {
            let role = form.role.trim();
            if myself && role == OPERATOR_ROLE {
                return refuse(
                    "CONSOLE.ACCOUNTS.NOT_YOUR_OPERATOR_ROLE",
                    StatusCode::CONFLICT,
                );
            }
            match state.accounts.revoke(&account.id, role).await {
                Ok(true) => Ok((
                    Action::AccountRevoke,
                    format!("{}: {role}", account.pseudonym),
                    "entzogen",
                )),
                Ok(false) => return refuse("CONSOLE.ACCOUNTS.NO_SUCH_ROLE", StatusCode::NOT_FOUND),
                Err(e) => Err(e),
            }
        }
        "block" => {
            if myself {
                return refuse("CONSOLE.ACCOUNTS.NOT_YOURSELF", StatusCode::CONFLICT);
            }
            state
                .accounts
                .block(&account.id)
                .await
                .map(|()| (Action::AccountBlock, account.pseudonym.clone(), "gesperrt"))
        }
        "unblock" => state.accounts.unblock(&account.id).await.map(|()| {
            (
                Action::AccountUnblock,
                account.pseudonym.clone(),
                "entsperrt",
            )
        }),
        "reset" => return Ok(reset(&state, lang, &headers, &operator, &details).await),
        _ => return refuse("CONSOLE.ACCOUNTS.UNKNOWN_ACTION", StatusCode::BAD_REQUEST),
    };
    match done {
        Ok((action, object, word)) => {
            // The account's next request reads its roles and sessions
            // from the store again.
            state.session_cache.forget_account(&account.id);
            if !audit(&state, &operator, action, &object).await {
                let details = found(&state, lang, &operator, &id).await?;
                let extra = Extra {
                    error: Some(not_recorded(&state, lang)),
                    ..Extra::default()
                };
                let status = StatusCode::SERVICE_UNAVAILABLE;
                return Ok(page(&state, lang, &operator, &details, extra, status));
            }
            Ok(see_other(&format!(
                "{}?{word}",
                account_url(lang, &account.id)
            )))
        }
        Err(error) => {
            let status = crate::routes::account::status_of(&error);
            let extra = Extra {
                error: Some(refusal(&state, lang, &error)),
                ..Extra::default()
            };
            Ok(page(&state, lang, &operator, &details, extra, status))
        }
    }
}

/// Issues a reset link and shows it once.
async fn reset(
    state: &AppState,
    lang: Lang,
    headers: &HeaderMap,
    operator: &Operator<'_>,
    details: &AccountDetails,
) -> Response<Body> {
    match state.accounts.issue_reset(&details.summary.id).await {
        Ok(issued) => {
            // The link is shown even when its record is missing: it
            // exists now, and the operator must know both.
            let recorded = audit(state, operator, Action::AccountReset, &issued.pseudonym).await;
            let extra = Extra {
                reset: Some(reset_json(state, lang, headers, &issued)),
                error: (!recorded).then(|| not_recorded(state, lang)),
                ..Extra::default()
            };
            let mut answer = page(state, lang, operator, details, extra, StatusCode::OK);
            // The page carries a secret: it names it to nobody.
            answer.headers_mut().insert(
                header::REFERRER_POLICY,
                axum::http::HeaderValue::from_static("no-referrer"),
            );
            answer
        }
        Err(AccountError::Blocked) => {
            let extra = Extra {
                error: Some(state.site().text(lang, "CONSOLE.ACCOUNTS.RESET_BLOCKED")),
                ..Extra::default()
            };
            page(state, lang, operator, details, extra, StatusCode::CONFLICT)
        }
        Err(error) => {
            let status = crate::routes::account::status_of(&error);
            let extra = Extra {
                error: Some(refusal(state, lang, &error)),
                ..Extra::default()
            };
            page(state, lang, operator, details, extra, status)
        }
    }
}

/// The link to hand over: on the portal's public address (the mail
/// setting's, else the origin the operator's browser sent the form from).
fn reset_json(state: &AppState, lang: Lang, headers: &HeaderMap, issued: &IssuedReset) -> Value {
    let base = match &state.mailer {
        Some(mailer) => mailer.public_url().to_owned(),
        None => headers
            .get(header::ORIGIN)
            .and_then(|o| o.to_str().ok())
            .filter(|o| {
                (o.starts_with("https://") || o.starts_with("http://"))
                    && o.chars().all(|c| c.is_ascii_graphic())
            })
            .map_or_else(|| public_base(headers), str::to_owned),
    };
    let time = chrono::DateTime::from_timestamp(issued.expires_at, 0);
    json!({
        "link": format!("{base}{}?token={}", NEW_PASSWORD.url(lang), issued.token.as_str()),
        "code": issued.token.as_str(),
        "expires": format!(
            "{} {} UTC",
            day(lang, issued.expires_at),
            time.map(|t| t.format("%H:%M").to_string()).unwrap_or_default()
        ),
        "expires_iso": numis_core::drawings::rfc3339(issued.expires_at),
    })
}

/// The roles the grant form offers: every role a layer of the map is
/// restricted to, and `operator`; those the account holds are left out.
fn offered_roles(state: &AppState, held: &[String]) -> Vec<String> {
    let mut roles: BTreeSet<String> = BTreeSet::new();
    if let Some(map) = state.map() {
        for layer in &map.catalog.config.layers {
            if layer.access != "public" && valid_role(&layer.access) {
                roles.insert(layer.access.clone());
            }
        }
    }
    roles.insert(OPERATOR_ROLE.to_owned());
    roles.into_iter().filter(|r| !held.contains(r)).collect()
}

/// Renders the account page.
fn page(
    state: &AppState,
    lang: Lang,
    operator: &Operator<'_>,
    details: &AccountDetails,
    extra: Extra,
    status: StatusCode,
) -> Response<Body> {
    let account = &details.summary;
    let url = account_url(lang, &account.id);
    let myself = account.id == operator.session.info.account_id;
    let profile = &details.profile;
    let shown = state.config.accounts.operators_see_profiles;
    let fields: Vec<Value> = [
        ("CONSOLE.ACCOUNTS.EMAIL", &profile.email),
        ("CONSOLE.ACCOUNTS.NAME", &profile.name),
        ("CONSOLE.ACCOUNTS.ORGANISATION", &profile.organisation),
        ("CONSOLE.ACCOUNTS.ADDRESS", &profile.postal_address),
    ]
    .into_iter()
    .filter(|_| shown)
    .map(|(key, value)| json!({ "label": state.site().text(lang, key), "value": value }))
    .collect();
    let roles: Vec<Value> = account
        .roles
        .iter()
        .map(|role| {
            json!({
                "name": role,
                "protected": myself && role == OPERATOR_ROLE,
            })
        })
        .collect();
    let data = json!({
        "account": summary_json(state, lang, account),
        "action": url,
        "delete_url": delete::url(lang, &account.id),
        "back_url": ACCOUNTS.url(lang),
        "myself": myself,
        "roles": roles,
        "offered_roles": offered_roles(state, &account.roles),
        "drawings": details.drawings,
        "second_factor": details.second_factor,
        "profile_shown": shown,
        "profile": fields,
        "notice": extra.notice,
        "error": extra.error,
        "reset": extra.reset,
    });
    let page =
        ConsolePage::new(ACCOUNTS, "account", "CONSOLE.ACCOUNTS.ACCOUNT", data).with_status(status);
    render(state, lang, operator, page)
}
