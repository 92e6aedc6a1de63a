//! A forgotten password: a new one with a recovery code (always), or
//! with a link by mail (when `[accounts.smtp]` is set and the citizen
//! gave an e-mail address in the profile).
//!
//! - `/konto/passwort-vergessen`: the two forms. The mail form answers
//!   the same whether or not a mail goes out, and sends in the
//!   background, so neither the text nor the time of the answer tells
//!   which pseudonyms exist or have an address.
//! - `/konto/passwort-neu?token=…`: the page the mail links to. Opening
//!   it uses up nothing (mail scanners open links in advance); the token
//!   goes into a hidden field of the form only, and the page sends no
//!   `Referer`. Sending the form uses the link.
//!
//! Both end at the login with a fixed notice (`?zurueckgesetzt`).

use axum::body::Body;
use axum::extract::{Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::{Lang, Site};
use numis_core::accounts::{AccountError, ResetMail};
use serde::Deserialize;
use serde_json::{Value, json};

use super::messages::message;
use super::{Guard, LOGIN, Page, PageLang, Place, Stop, render, see_other, status_of};
use crate::state::AppState;

/// The forms for a forgotten password.
pub const FORGOT: Place = Place {
    de: "/konto/passwort-vergessen",
    en: "/en/account/forgot-password",
};
/// The page a reset link opens.
pub const NEW_PASSWORD: Place = Place {
    de: "/konto/passwort-neu",
    en: "/en/account/new-password",
};
/// The query of the login page after a new password was set.
pub const PASSWORD_RESET: &str = "zurueckgesetzt";
/// The query of the forgot page after a link was asked for.
const LINK_ASKED: &str = "gesendet";

/// `/konto/passwort-vergessen`, `/konto/passwort-neu` and their English
/// twins.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router
            .route(FORGOT.url(lang), get(forgot_form).post(forgot))
            .route(
                NEW_PASSWORD.url(lang),
                get(new_password_form).post(new_password),
            );
    }
    router
}

#[derive(Deserialize)]
struct ForgotForm {
    #[serde(default)]
    pseudonym: String,
    /// Present in the recovery-code form only: it tells the two apart.
    code: Option<String>,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_repeat: String,
}

/// Which of the two forms a refusal answers (the form it describes).
#[derive(Debug, Clone, Copy)]
enum Which {
    Code,
    Mail,
}

/// What the forgot template reads; `mail` shows the mail form, and
/// `error_of` names the form the refusal belongs to.
fn forgot_data(
    state: &AppState,
    lang: Lang,
    pseudonym: &str,
    error: Option<(Which, String)>,
) -> Value {
    let (error_of, error) = match error {
        Some((Which::Code, text)) => (Some("code"), Some(text)),
        Some((Which::Mail, text)) => (Some("mail"), Some(text)),
        None => (None, None),
    };
    json!({
        "action": FORGOT.url(lang),
        "login_url": LOGIN.url(lang),
        "mail": state.mailer.is_some(),
        "pseudonym": pseudonym,
        "error": error,
        "error_of": error_of,
    })
}

fn forgot_page(state: &AppState, lang: Lang, data: Value, status: StatusCode) -> Response<Body> {
    let page = Page::new(FORGOT, "recover", "ACCOUNT.RECOVER.TITLE", data).with_status(status);
    render(state, lang, None, page)
}

async fn forgot_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous_page(&state)?;
    let mut data = forgot_data(&state, lang, "", None);
    // After a request for a link: a fixed text, nothing of the query.
    if query.as_deref() == Some(LINK_ASKED) && state.mailer.is_some() {
        data["notice"] = Value::from(state.site().text(lang, "ACCOUNT.RECOVER.MAIL_SENT"));
    }
    Ok(forgot_page(&state, lang, data, StatusCode::OK))
}

async fn forgot(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Form(form): Form<ForgotForm>,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous(&state, &headers)?;
    match &form.code {
        Some(code) => Ok(recover_with_code(&state, lang, &form, code).await),
        None => Ok(ask_for_link(&state, lang, &form.pseudonym).await),
    }
}

/// The recovery-code form: a new password, then the login.
async fn recover_with_code(
    state: &AppState,
    lang: Lang,
    form: &ForgotForm,
    code: &str,
) -> Response<Body> {
    let site = state.site();
    if form.new_password != form.new_password_repeat {
        let text = site.text(lang, "ACCOUNT.PASSWORDS_DIFFER");
        let data = forgot_data(state, lang, &form.pseudonym, Some((Which::Code, text)));
        return forgot_page(state, lang, data, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let result = state
        .accounts
        .recover(&form.pseudonym, code.trim(), &form.new_password)
        .await;
    match result {
        Ok(()) => see_other(&format!("{}?{PASSWORD_RESET}", LOGIN.url(lang))),
        Err(error) => {
            if error.is_failure() {
                tracing::error!(%error, "recovery with a code failed");
            }
            let text = message(&site, lang, &error);
            let data = forgot_data(state, lang, &form.pseudonym, Some((Which::Code, text)));
            let mut answer = forgot_page(state, lang, data, status_of(&error));
            retry_after(&error, &mut answer);
            answer
        }
    }
}

/// The mail form: a link if the account has an address, and the same
/// answer in every case.
async fn ask_for_link(state: &AppState, lang: Lang, pseudonym: &str) -> Response<Body> {
    let site = state.site();
    let Some(mailer) = &state.mailer else {
        let text = site.text(lang, "ACCOUNT.RECOVER.NO_MAIL");
        let data = forgot_data(state, lang, pseudonym, Some((Which::Mail, text)));
        return forgot_page(state, lang, data, StatusCode::NOT_FOUND);
    };
    match state.accounts.request_reset(pseudonym).await {
        Ok(Some(mail)) => {
            let link = reset_link(mailer.public_url(), lang, &mail);
            let (subject, body) = reset_mail_text(&site, lang, &mail.pseudonym, &link);
            match mailer.message(&mail.to, &subject, body) {
                Ok(message) => mailer.send_in_background(message, "password reset"),
                Err(error) => tracing::warn!(%error, "password-reset mail not sent"),
            }
        }
        Ok(None) => {}
        // Throttled per pseudonym, whether it exists or not: this answer
        // tells nothing either.
        Err(error @ AccountError::Throttled(wait)) => {
            let text = site
                .text(lang, "ACCOUNT.RECOVER.MAIL_THROTTLED")
                .replace("{seconds}", &wait.seconds().to_string());
            let data = forgot_data(state, lang, pseudonym, Some((Which::Mail, text)));
            let mut answer = forgot_page(state, lang, data, status_of(&error));
            retry_after(&error, &mut answer);
            return answer;
        }
        // Answered as if all went well: a different answer would come
        // only for some pseudonyms.
        Err(error) => tracing::error!(%error, "password-reset link not made"),
    }
    see_other(&format!("{}?{LINK_ASKED}", FORGOT.url(lang)))
}

/// The link in the mail: the new-password page in the page's language.
fn reset_link(public_url: &str, lang: Lang, mail: &ResetMail) -> String {
    format!(
        "{public_url}{}?token={}",
        NEW_PASSWORD.url(lang),
        mail.token.as_str()
    )
}

/// Subject and plain-text body of the reset mail, from the theme's
/// strings (a site may override them). A body without `{link}` gets the
/// link appended: a mail without it would be no use.
fn reset_mail_text(site: &Site, lang: Lang, pseudonym: &str, link: &str) -> (String, String) {
    let subject = site.text(lang, "ACCOUNT.RESET.MAIL_SUBJECT");
    let mut body = site.text(lang, "ACCOUNT.RESET.MAIL_BODY");
    if !body.contains("{link}") {
        body.push_str("\n\n{link}\n");
    }
    let body = body
        .replace("{pseudonym}", pseudonym)
        .replace("{link}", link);
    (subject, body)
}

#[derive(Deserialize)]
struct TokenQuery {
    token: Option<String>,
}

#[derive(Deserialize)]
struct NewPasswordForm {
    #[serde(default)]
    token: String,
    #[serde(default)]
    new_password: String,
    #[serde(default)]
    new_password_repeat: String,
}

/// What the new-password template reads: the form with the token, or
/// (`token` None) only the refusal and the way to a new link.
fn new_password_data(lang: Lang, token: Option<&str>, error: Option<String>) -> Value {
    json!({
        "action": NEW_PASSWORD.url(lang),
        "forgot_url": FORGOT.url(lang),
        "token": token,
        "error": error,
    })
}

fn new_password_page(
    state: &AppState,
    lang: Lang,
    data: Value,
    status: StatusCode,
) -> Response<Body> {
    let page =
        Page::new(NEW_PASSWORD, "new_password", "ACCOUNT.RESET.TITLE", data).with_status(status);
    let mut answer = render(state, lang, None, page);
    // The address may carry the token: no request from this page names it.
    answer.headers_mut().insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    answer
}

/// The page the mail links to: the form if the link works.
async fn new_password_form(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Query(query): Query<TokenQuery>,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous_page(&state)?;
    let token = query.token.unwrap_or_default();
    let answer = match state.accounts.reset_link_works(&token).await {
        Ok(true) => {
            let data = new_password_data(lang, Some(&token), None);
            new_password_page(&state, lang, data, StatusCode::OK)
        }
        Ok(false) => {
            let text = message(&state.site(), lang, &AccountError::ResetLink);
            let data = new_password_data(lang, None, Some(text));
            new_password_page(&state, lang, data, StatusCode::NOT_FOUND)
        }
        Err(error) => {
            tracing::error!(%error, "reset link not checked");
            let data = new_password_data(lang, None, Some(message(&state.site(), lang, &error)));
            new_password_page(&state, lang, data, status_of(&error))
        }
    };
    Ok(answer)
}

/// Sets the new password with the link's token, then the login.
async fn new_password(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    Form(form): Form<NewPasswordForm>,
) -> Result<Response<Body>, Stop> {
    Guard::anonymous(&state, &headers)?;
    let site = state.site();
    if form.new_password != form.new_password_repeat {
        let text = site.text(lang, "ACCOUNT.PASSWORDS_DIFFER");
        let data = new_password_data(lang, Some(&form.token), Some(text));
        return Ok(new_password_page(
            &state,
            lang,
            data,
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    }
    let result = state
        .accounts
        .reset_password_by_link(&form.token, &form.new_password)
        .await;
    let error = match result {
        Ok(()) => return Ok(see_other(&format!("{}?{PASSWORD_RESET}", LOGIN.url(lang)))),
        Err(error) => error,
    };
    if error.is_failure() {
        tracing::error!(%error, "password not reset");
    }
    // A refused password keeps the link working: the form again. A link
    // that does not work gets no form, only the way to a new one.
    let token = (!matches!(error, AccountError::ResetLink)).then_some(form.token.as_str());
    let data = new_password_data(lang, token, Some(message(&site, lang, &error)));
    Ok(new_password_page(&state, lang, data, status_of(&error)))
}

/// `Retry-After` on a throttled answer.
fn retry_after(error: &AccountError, answer: &mut Response<Body>) {
    if let AccountError::Throttled(wait) = error {
        answer
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(wait.seconds()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn site() -> Site {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../site");
        Site::load(&dir).expect("the demo site loads")
    }

    #[test]
    fn the_mail_names_the_account_links_the_page_in_its_language_and_says_what_to_do() {
        let site = site();
        let link = "https://numis.example/konto/passwort-neu?token=abc";
        let (subject, body) = reset_mail_text(&site, Lang::De, "Heidschnucke", link);
        assert_eq!(subject, "NUMIS: Passwort zurücksetzen");
        for part in ["„Heidschnucke“", link, "eine Stunde", "ignorieren"] {
            assert!(body.contains(part), "{part} missing in:\n{body}");
        }
        let link = "https://numis.example/en/account/new-password?token=abc";
        let (subject, body) = reset_mail_text(&site, Lang::En, "Heidschnucke", link);
        assert_eq!(subject, "NUMIS: reset your password");
        for part in ["Heidschnucke", link, "one hour", "ignore"] {
            assert!(body.contains(part), "{part} missing in:\n{body}");
        }
        assert!(!body.contains('{'), "every placeholder filled:\n{body}");
    }
}
