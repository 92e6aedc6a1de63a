//! `/konto/zwei-faktor`: the second factor (TOTP, RFC 6238). Off, the
//! page offers to set it up: numis draws the QR code itself (no image
//! service learns the secret) and shows the secret as text for typing;
//! a code from the app switches it on. On, it can be switched off with
//! the password.
//!
//! While the second factor is on, no new one can be set up over it:
//! whoever holds a session would otherwise replace the citizen's factor
//! without knowing the password. Switch it off first.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::{Lang, escape_html};
use numis_core::accounts::{AccountError, TotpSecret};
use serde::Deserialize;
use serde_json::json;

use super::{INVALID, Notice, TWO_FACTOR, refusal, unavailable};
use crate::routes::account::{Guard, HOME, Page, PageLang, Stop, logged_in, render, status_of};
use crate::session::CurrentSession;
use crate::state::AppState;

const TITLE: &str = "ACCOUNT.TWO_FACTOR.TITLE";

const SWITCHED_ON: Notice = Notice {
    word: "eingeschaltet",
    key: "ACCOUNT.TWO_FACTOR.SWITCHED_ON",
};
const SWITCHED_OFF: Notice = Notice {
    word: "ausgeschaltet",
    key: "ACCOUNT.TWO_FACTOR.SWITCHED_OFF",
};

/// `/konto/zwei-faktor` and `/en/account/two-factor`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(TWO_FACTOR.url(lang), get(show).post(act));
    }
    router
}

#[derive(Deserialize)]
struct TwoFactorForm {
    csrf: Option<String>,
    /// `begin`, `confirm` or `disable`.
    #[serde(default)]
    action: String,
    #[serde(default)]
    secret: String,
    #[serde(default)]
    code: String,
    #[serde(default)]
    password: String,
}

/// The page: the state, and a refusal or notice.
fn state_page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    on: bool,
    error: Option<String>,
    notice: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    let data = json!({
        "action": TWO_FACTOR.url(lang),
        "home_url": HOME.url(lang),
        "on": on,
        "error": error,
        "notice": notice,
    });
    let page = Page::new(TWO_FACTOR, "two_factor", TITLE, data).with_status(status);
    render(state, lang, Some(session), page)
}

/// The set-up page for `secret`: its QR code, the secret as text and the
/// confirmation form.
fn setup_page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    secret: &TotpSecret,
    error: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    let site = state.site();
    let issuer = &state.accounts.rules().totp_issuer;
    let pseudonym = &session.info.pseudonym;
    let qr = match secret.qr_svg(issuer, pseudonym) {
        Ok(svg) => inline_svg(&svg, &site.text(lang, "ACCOUNT.TWO_FACTOR.QR_LABEL")),
        Err(e) => {
            let error = AccountError::from(e);
            tracing::error!(error = %error, "second factor: no QR code");
            let text = refusal(&site, lang, &error);
            return state_page(
                state,
                lang,
                session,
                false,
                Some(text),
                None,
                status_of(&error),
            );
        }
    };
    let base32 = secret.to_base32();
    let data = json!({
        "action": TWO_FACTOR.url(lang),
        "home_url": HOME.url(lang),
        "on": false,
        "setup": {
            "qr_svg": qr,
            "uri": secret.otpauth_uri(issuer, pseudonym),
            "secret": base32,
            "secret_grouped": grouped(&base32),
        },
        "error": error,
    });
    let page = Page::new(TWO_FACTOR, "two_factor", TITLE, data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    let on = match state
        .accounts
        .second_factor_on(&session.info.account_id)
        .await
    {
        Ok(on) => on,
        Err(e) => return Ok(unavailable(&state, lang, session, TWO_FACTOR, TITLE, &e)),
    };
    let notices = [SWITCHED_ON, SWITCHED_OFF];
    let notice = Notice::text(&state.site(), lang, query.as_deref(), &notices);
    Ok(state_page(
        &state,
        lang,
        session,
        on,
        None,
        notice,
        StatusCode::OK,
    ))
}

/// `action=begin`, `confirm` or `disable`.
async fn act(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<TwoFactorForm>,
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
    let on = match state.accounts.second_factor_on(id).await {
        Ok(on) => on,
        Err(e) => return Ok(unavailable(&state, lang, session, TWO_FACTOR, TITLE, &e)),
    };
    let refused = |error: &AccountError, on: bool| {
        let text = refusal(&site, lang, error);
        state_page(
            &state,
            lang,
            session,
            on,
            Some(text),
            None,
            status_of(error),
        )
    };
    match form.action.as_str() {
        // Setting up over an active factor is refused (see the module's
        // comment); the page shows it is on.
        "begin" | "confirm" if on => Ok(see_other_page(lang)),
        "begin" => Ok(match state.accounts.totp_begin(id).await {
            Ok(setup) => setup_page(&state, lang, session, &setup.secret, None, StatusCode::OK),
            Err(e) => refused(&e, on),
        }),
        "confirm" => {
            // A secret that is not base32 did not come from our form.
            let secret = match TotpSecret::from_base32(&form.secret) {
                Ok(secret) => secret,
                Err(e) => return Ok(refused(&AccountError::from(e), on)),
            };
            Ok(
                match state
                    .accounts
                    .totp_confirm(id, &form.secret, &form.code)
                    .await
                {
                    Ok(()) => SWITCHED_ON.redirect(TWO_FACTOR, lang),
                    // The same secret again, so that the app's entry
                    // still fits and only the code must be typed anew.
                    Err(e) => {
                        let text = refusal(&site, lang, &e);
                        setup_page(&state, lang, session, &secret, Some(text), status_of(&e))
                    }
                },
            )
        }
        "disable" => Ok(
            match state.accounts.totp_disable(id, &form.password).await {
                Ok(()) => SWITCHED_OFF.redirect(TWO_FACTOR, lang),
                Err(e) => refused(&e, on),
            },
        ),
        _ => {
            let text = site.text(lang, "ACCOUNT.TWO_FACTOR.UNKNOWN_ACTION");
            Ok(state_page(
                &state,
                lang,
                session,
                on,
                Some(text),
                None,
                INVALID,
            ))
        }
    }
}

/// 303 to the page itself, without a notice.
fn see_other_page(lang: Lang) -> Response<Body> {
    crate::routes::account::see_other(TWO_FACTOR.url(lang))
}

/// The QR code's SVG document as an element to put into the page: without
/// the XML declaration, named for screen readers (`role="img"` and
/// `aria-label`). The SVG is numis' own drawing of the URI (paths and
/// fill colours, no style attributes, no text of the citizen), so it may
/// go into the page unescaped.
fn inline_svg(svg: &str, label: &str) -> String {
    let start = svg.find("<svg").unwrap_or(0);
    let element = &svg[start..];
    let rest = element.strip_prefix("<svg").unwrap_or(element);
    format!(
        r#"<svg class="totp-qr" role="img" aria-label="{}" focusable="false"{rest}"#,
        escape_html(label)
    )
}

/// The secret in groups of four for typing: "ABCD EFGH IJKL".
fn grouped(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    chars
        .chunks(4)
        .map(|group| group.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_grouped_in_fours() {
        assert_eq!(grouped("ABCDEFGHIJ"), "ABCD EFGH IJ");
        assert_eq!(grouped("ABCD"), "ABCD");
        assert_eq!(grouped(""), "");
        let secret = TotpSecret::generate().unwrap();
        let typed = grouped(&secret.to_base32());
        assert_eq!(
            TotpSecret::from_base32(&typed).unwrap().as_bytes(),
            secret.as_bytes(),
            "the grouped form is accepted as typed"
        );
    }

    #[test]
    fn the_qr_code_is_an_inline_svg_with_a_name_and_no_style() {
        let secret = TotpSecret::generate().unwrap();
        let svg = secret.qr_svg("numis", "Heidschnucke").unwrap();
        let inline = inline_svg(&svg, "QR-Code \"für\" <die App>");
        assert!(
            inline.starts_with(r#"<svg class="totp-qr" role="img" aria-label="QR-Code &quot;für&quot; &lt;die App&gt;""#),
            "{inline}"
        );
        assert!(!inline.contains("<?xml"));
        assert!(!inline.contains("style="), "the CSP forbids inline styles");
        assert!(!inline.contains("<script"));
        assert!(inline.trim_end().ends_with("</svg>"));
        assert_eq!(inline.matches("<svg").count(), 1);
    }
}
