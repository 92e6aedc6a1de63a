//! `/konto/sitzungen`: where the account is logged in, and ending those
//! sessions: one (`end=<public id>`) or all but this one
//! (`end=others`). A session is named by its public id, never by
//! anything that could log in.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use numis_core::accounts::{SessionListing, SessionPolicy};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{Notice, SESSIONS, dates, refusal, unavailable};
use crate::routes::account::{
    Guard, HOME, LOGIN, Page, PageLang, Stop, logged_in, render, see_other, status_of,
};
use crate::session::{self, CurrentSession};
use crate::state::AppState;

const TITLE: &str = "ACCOUNT.SESSIONS.TITLE";

const ENDED: Notice = Notice {
    word: "beendet",
    key: "ACCOUNT.SESSIONS.ENDED",
};
const OTHERS_ENDED: Notice = Notice {
    word: "andere-beendet",
    key: "ACCOUNT.SESSIONS.OTHERS_ENDED",
};

/// The value of `end` that ends every session but this one.
const OTHERS: &str = "others";

/// `/konto/sitzungen` and `/en/account/sessions`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(SESSIONS.url(lang), get(show).post(end));
    }
    router
}

#[derive(Deserialize)]
struct EndForm {
    csrf: Option<String>,
    #[serde(default)]
    end: String,
}

/// When `session` ends if it is not used again: a remembered one at its
/// absolute end, any other after its idle time, at the absolute end at
/// the latest.
fn ends_at(session: &SessionListing, policy: &SessionPolicy) -> i64 {
    if session.persistent {
        return session.expires_at;
    }
    let idle = i64::try_from(policy.idle.as_secs()).unwrap_or(i64::MAX);
    session
        .expires_at
        .min(session.last_seen_at.saturating_add(idle))
}

/// One row of the table.
fn row(state: &AppState, lang: Lang, listing: &SessionListing, current: &CurrentSession) -> Value {
    let site = state.site();
    let policy = &state.accounts.rules().session;
    let label = listing
        .client_label
        .clone()
        .unwrap_or_else(|| site.text(lang, "ACCOUNT.SESSIONS.UNKNOWN_BROWSER"));
    json!({
        "id": listing.public_id,
        "label": label,
        "created": dates::for_template(listing.created_at, lang),
        "last_seen": dates::for_template(listing.last_seen_at, lang),
        "ends": dates::for_template(ends_at(listing, policy), lang),
        "remembered": listing.persistent,
        "current": listing.public_id == current.info.public_id,
    })
}

/// The list, with a refusal or notice.
async fn list_page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    error: Option<(String, StatusCode)>,
    notice: Option<String>,
) -> Response<Body> {
    let listings = match state.accounts.sessions(&session.info.account_id).await {
        Ok(listings) => listings,
        Err(e) => return unavailable(state, lang, session, SESSIONS, TITLE, &e),
    };
    let rows: Vec<Value> = listings
        .iter()
        .map(|listing| row(state, lang, listing, session))
        .collect();
    let others = listings
        .iter()
        .filter(|l| l.public_id != session.info.public_id)
        .count();
    let status = error.as_ref().map_or(StatusCode::OK, |(_, s)| *s);
    let data = json!({
        "action": SESSIONS.url(lang),
        "home_url": HOME.url(lang),
        "sessions": rows,
        "others": others,
        "error": error.map(|(text, _)| text),
        "notice": notice,
    });
    let page = Page::new(SESSIONS, "sessions", TITLE, data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    let notices = [ENDED, OTHERS_ENDED];
    let notice = Notice::text(&state.site(), lang, query.as_deref(), &notices);
    Ok(list_page(&state, lang, session, None, notice).await)
}

/// Ends one session or all others.
async fn end(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<EndForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let id = session.info.account_id.as_str();
    let site = state.site();
    if form.end == OTHERS {
        return Ok(
            match state.accounts.end_other_sessions(id, &session.token).await {
                Ok(_) => OTHERS_ENDED.redirect(SESSIONS, lang),
                Err(e) => {
                    let text = refusal(&site, lang, &e);
                    list_page(&state, lang, session, Some((text, status_of(&e))), None).await
                }
            },
        );
    }
    let this_one = form.end == session.info.public_id;
    match state.accounts.end_session(id, &form.end).await {
        // Ending this very session is a logout: the browser forgets the
        // cookie too.
        Ok(true) if this_one => {
            let mut answer = see_other(LOGIN.url(lang));
            session::set_cookie(&mut answer, session::end_cookie(&state.config));
            Ok(answer)
        }
        Ok(true) => Ok(ENDED.redirect(SESSIONS, lang)),
        // Not (or no longer) a session of this account: it may have
        // ended on its own meanwhile.
        Ok(false) => {
            let text = site.text(lang, "ACCOUNT.SESSIONS.NO_SUCH_SESSION");
            let error = Some((text, StatusCode::NOT_FOUND));
            Ok(list_page(&state, lang, session, error, None).await)
        }
        Err(e) => {
            let text = refusal(&site, lang, &e);
            Ok(list_page(&state, lang, session, Some((text, status_of(&e))), None).await)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGIN_AT: i64 = 1_767_225_600;
    const HOUR: i64 = 3_600;

    fn listing(persistent: bool, last_seen: i64) -> SessionListing {
        let policy = SessionPolicy::default();
        SessionListing {
            public_id: "id".into(),
            created_at: LOGIN_AT,
            last_seen_at: last_seen,
            expires_at: policy.expires_at(LOGIN_AT, persistent),
            persistent,
            client_label: None,
        }
    }

    #[test]
    fn a_session_ends_after_its_idle_time_but_never_after_its_absolute_end() {
        let policy = SessionPolicy::default();
        assert_eq!(
            ends_at(&listing(false, LOGIN_AT), &policy),
            LOGIN_AT + 2 * HOUR
        );
        assert_eq!(
            ends_at(&listing(false, LOGIN_AT + 11 * HOUR), &policy),
            LOGIN_AT + 12 * HOUR
        );
    }

    #[test]
    fn a_remembered_session_ends_thirty_days_after_login() {
        let policy = SessionPolicy::default();
        assert_eq!(
            ends_at(&listing(true, LOGIN_AT + HOUR), &policy),
            LOGIN_AT + 30 * 24 * HOUR
        );
    }
}
