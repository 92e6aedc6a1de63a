//! `/konto/anzeige`: language and base map, remembered in this browser
//! only when asked ("in diesem Browser merken") with the cookie
//! `numis_prefs` ([`crate::prefs`]). Anyone may use it, logged in or not;
//! without the box no cookie is set, and the page says so.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use serde::Deserialize;
use serde_json::{Value, json};

use super::{DISPLAY, notice, with_notice};
use crate::caller::RequestCaller;
use crate::prefs::{self, Prefs};
use crate::routes::account::{Guard, HOME, Page, PageLang, Stop, render, see_other};
use crate::session::{self, CurrentSession};
use crate::state::AppState;

/// Notice: the cookie is set.
const SAVED: &str = "gespeichert";
/// Notice: the box was not ticked, no cookie.
const NOT_SAVED: &str = "nicht-gespeichert";
/// Notice: the cookie is removed.
const FORGOTTEN: &str = "vergessen";

/// `/konto/anzeige` and `/en/account/display`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(DISPLAY.url(lang), get(show).post(choose));
    }
    router
}

#[derive(Deserialize)]
struct DisplayForm {
    lang: Option<String>,
    base: Option<String>,
    remember: Option<String>,
    forget: Option<String>,
}

/// The base maps a citizen may choose (id, title), as the viewer offers
/// them to this caller.
fn base_maps(state: &AppState, caller: &RequestCaller, lang: Lang) -> Vec<(String, String)> {
    state.map().map_or_else(Vec::new, |map| {
        crate::routes::catalogue::base_maps(&map, &caller.0, lang.as_str())
    })
}

/// What the form shows.
struct Shown {
    chosen: Prefs,
    stored: bool,
    notice: Option<String>,
    error: Option<String>,
}

fn page(
    state: &AppState,
    lang: Lang,
    session: Option<&CurrentSession>,
    bases: &[(String, String)],
    shown: Shown,
    status: StatusCode,
) -> Response<Body> {
    let site = state.site();
    let chosen_lang = shown.chosen.lang.unwrap_or(lang);
    let langs: Vec<Value> = [Lang::De, Lang::En]
        .iter()
        .map(|l| {
            json!({
                "code": l.as_str(),
                "label": site.text(lang, &format!("ACCOUNT.DISPLAY.LANG_{}", l.as_str().to_uppercase())),
                "checked": *l == chosen_lang,
            })
        })
        .collect();
    let chosen_base = shown.chosen.base.as_deref().unwrap_or_default();
    let bases: Vec<Value> = bases
        .iter()
        .map(|(id, title)| json!({ "id": id, "title": title, "checked": id == chosen_base }))
        .collect();
    let data = json!({
        "action": DISPLAY.url(lang),
        "langs": langs,
        "bases": bases,
        "base_default": chosen_base.is_empty(),
        "stored": shown.stored,
        "notice": shown.notice,
        "error": shown.error,
        "home_url": session.map(|_| HOME.url(lang)),
    });
    let page = Page::new(DISPLAY, "display", "ACCOUNT.DISPLAY.TITLE", data).with_status(status);
    render(state, lang, session, page)
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    caller: RequestCaller,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous_page(&state)?;
    let stored = prefs::read(&headers);
    let known = [
        (SAVED, "ACCOUNT.DISPLAY.SAVED"),
        (NOT_SAVED, "ACCOUNT.DISPLAY.NOT_SAVED"),
        (FORGOTTEN, "ACCOUNT.DISPLAY.FORGOTTEN"),
    ];
    let shown = Shown {
        stored: stored.is_some(),
        chosen: stored.unwrap_or_default(),
        notice: notice(&state, lang, query.as_deref(), &known),
        error: None,
    };
    let bases = base_maps(&state, &caller, lang);
    Ok(page(
        &state,
        lang,
        session.as_ref(),
        &bases,
        shown,
        StatusCode::OK,
    ))
}

async fn choose(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    caller: RequestCaller,
    headers: HeaderMap,
    Form(form): Form<DisplayForm>,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous(&state, &headers)?;
    if form.forget.is_some() {
        let mut answer = see_other(&with_notice(DISPLAY, lang, FORGOTTEN));
        session::set_cookie(&mut answer, prefs::forget_cookie(&state.config));
        return Ok(answer);
    }
    let bases = base_maps(&state, &caller, lang);
    let chosen_lang = match form.lang.as_deref() {
        Some("de") => Some(Lang::De),
        Some("en") => Some(Lang::En),
        _ => None,
    };
    let base = form.base.as_deref().map(str::trim).unwrap_or_default();
    let base_known = base.is_empty() || bases.iter().any(|(id, _)| id == base);
    let chosen = Prefs {
        lang: chosen_lang,
        base: (!base.is_empty() && base_known).then(|| base.to_owned()),
    };
    let Some(to_lang) = chosen_lang.filter(|_| base_known) else {
        let key = if chosen_lang.is_none() {
            "ACCOUNT.DISPLAY.ERROR.LANG"
        } else {
            "ACCOUNT.DISPLAY.ERROR.BASE"
        };
        let shown = Shown {
            chosen,
            stored: prefs::read(&headers).is_some(),
            notice: None,
            error: Some(state.site().text(lang, key)),
        };
        let status = StatusCode::UNPROCESSABLE_ENTITY;
        return Ok(page(&state, lang, session.as_ref(), &bases, shown, status));
    };
    // The answer continues in the chosen language.
    if form.remember.is_none() {
        return Ok(see_other(&with_notice(DISPLAY, to_lang, NOT_SAVED)));
    }
    let mut answer = see_other(&with_notice(DISPLAY, to_lang, SAVED));
    if let Some(cookie) = prefs::keep_cookie(&state.config, &chosen) {
        session::set_cookie(&mut answer, cookie);
    }
    Ok(answer)
}
