//! "Mein NUMIS", the account pages at `/konto` (English `/en/account`):
//! server-rendered forms in the site's theme that work without
//! JavaScript, over `numis_core::accounts::AccountService`.
//!
//! Every page here follows one pattern:
//! - a [`Place`] names the page's address in both languages;
//! - `GET` renders a template of `site/templates/account/` with [`render`],
//!   which marks the answer `Cache-Control: private, no-store`;
//! - `POST` reads an `application/x-www-form-urlencoded` form, checks that
//!   it came from our origin and (with a session) carries the session's
//!   CSRF token ([`Guard`]), calls the service, and then either redirects
//!   (303, "post/redirect/get") or renders the form again with the
//!   refusal in the page's language ([`messages`]).
//!
//! With `[accounts] enabled = false` none of these pages exist (404).

pub mod messages;

mod export;
mod library;
mod login;
mod recover;
mod settings;

/// The page a reset link opens (the console's one-time links open it too).
pub use recover::NEW_PASSWORD;

use axum::Router;
use axum::body::Body;
use axum::extract::{FromRequestParts, OriginalUri};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use numis_cms::Lang;
use numis_core::accounts::AccountError;
use serde_json::{Value, json};

use crate::session::{self, CurrentSession};
use crate::state::AppState;

/// All account pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(login::router())
        .merge(settings::router())
        .merge(library::router())
        .merge(recover::router())
}

/// One account page's address in German and in English.
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The German address.
    pub de: &'static str,
    /// The English address.
    pub en: &'static str,
}

impl Place {
    /// The address in `lang`.
    pub fn url(self, lang: Lang) -> &'static str {
        match lang {
            Lang::De => self.de,
            Lang::En => self.en,
        }
    }

    /// The address in every language, for the language switch.
    pub fn alternates(self) -> [(Lang, String); 2] {
        [
            (Lang::De, self.de.to_owned()),
            (Lang::En, self.en.to_owned()),
        ]
    }
}

/// The overview: profile, security, drawings, views.
pub const HOME: Place = Place {
    de: "/konto",
    en: "/en/account",
};
/// Log in.
pub const LOGIN: Place = Place {
    de: "/konto/anmelden",
    en: "/en/account/login",
};
/// Register.
pub const REGISTER: Place = Place {
    de: "/konto/registrieren",
    en: "/en/account/register",
};
/// Log out (POST only).
pub const LOGOUT: Place = Place {
    de: "/konto/abmelden",
    en: "/en/account/logout",
};

/// Extractor: the language of an account page, from its address
/// (`/en/…` is English, everything else German).
#[derive(Debug, Clone, Copy)]
pub struct PageLang(pub Lang);

impl<S: Send + Sync> FromRequestParts<S> for PageLang {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let path = parts
            .extensions
            .get::<OriginalUri>()
            .map_or_else(|| parts.uri.path(), |uri| uri.0.path());
        let english = path == "/en" || path.starts_with("/en/");
        Ok(Self(if english { Lang::En } else { Lang::De }))
    }
}

/// An answer that ends a handler early (a redirect to the login, a
/// refusal): handlers return `Result<Response<Body>, Stop>` and use `?`.
#[derive(Debug)]
pub struct Stop(Box<Response<Body>>);

impl From<Response<Body>> for Stop {
    fn from(response: Response<Body>) -> Self {
        Self(Box::new(response))
    }
}

impl IntoResponse for Stop {
    fn into_response(self) -> Response<Body> {
        *self.0
    }
}

/// One account page to render.
#[derive(Debug)]
pub struct Page<'a> {
    /// Its address.
    pub place: Place,
    /// The template under `account/` (or `console/` for the operator
    /// console), without `.html.twig`.
    pub template: &'a str,
    /// The translation key of its title.
    pub title_key: &'a str,
    /// What the template reads as `page.data`.
    pub data: Value,
    /// The answer's status (a form shown again with a refusal: 4xx).
    pub status: StatusCode,
}

impl<'a> Page<'a> {
    /// A page answered with 200.
    pub fn new(place: Place, template: &'a str, title_key: &'a str, data: Value) -> Self {
        Self {
            place,
            template,
            title_key,
            data,
            status: StatusCode::OK,
        }
    }

    /// The same page with another status.
    pub fn with_status(self, status: StatusCode) -> Self {
        Self { status, ..self }
    }
}

/// Renders `page` in `lang`. The template also gets `page.csrf`,
/// `page.pseudonym` and `page.roles` of the session, if any.
pub fn render(
    state: &AppState,
    lang: Lang,
    session: Option<&CurrentSession>,
    page: Page<'_>,
) -> Response<Body> {
    let Page {
        place,
        template,
        title_key,
        data,
        status,
    } = page;
    let site = state.site();
    let page = json!({
        "title": site.text(lang, title_key),
        "template": "account",
        "account": true,
        "url": place.url(lang),
        "csrf": session.map(|s| s.info.csrf.as_str().to_owned()),
        "pseudonym": session.map(|s| s.info.pseudonym.clone()),
        "roles": session.map(|s| s.info.roles.clone()),
        "data": data,
    });
    let name = format!("account/{template}.html.twig");
    match site.render_app(lang, &name, page, &place.alternates()) {
        Ok(html) => html_answer(status, html),
        Err(e) => {
            tracing::error!(error = %e, "account page failed");
            let html = site.render_error(lang.as_str(), 500, &site.text(lang, "THEME.ERROR"));
            html_answer(StatusCode::INTERNAL_SERVER_ERROR, html)
        }
    }
}

/// An HTML answer that no cache keeps: account pages show account data.
fn html_answer(status: StatusCode, html: String) -> Response<Body> {
    let mut response = (status, html).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, no-store"),
    );
    response
}

/// 303 See Other to `url` (after a form was handled).
pub fn see_other(url: &str) -> Response<Body> {
    let mut response = StatusCode::SEE_OTHER.into_response();
    if let Ok(value) = HeaderValue::from_str(url) {
        response.headers_mut().insert(header::LOCATION, value);
    }
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// The status a refusal is rendered with.
pub fn status_of(error: &AccountError) -> StatusCode {
    match error {
        e if e.is_failure() => StatusCode::SERVICE_UNAVAILABLE,
        AccountError::WrongCredentials
        | AccountError::SecondFactor(_)
        | AccountError::SecondFactorRequired
        | AccountError::NotLoggedIn => StatusCode::UNAUTHORIZED,
        AccountError::Throttled(_) => StatusCode::TOO_MANY_REQUESTS,
        AccountError::Blocked | AccountError::CsrfMismatch => StatusCode::FORBIDDEN,
        AccountError::PseudonymTaken | AccountError::NotClaimable => StatusCode::CONFLICT,
        AccountError::NotFound | AccountError::NoSuchView => StatusCode::NOT_FOUND,
        _ => StatusCode::UNPROCESSABLE_ENTITY,
    }
}

/// What a form handler checks before it reads anything: accounts are on,
/// the form came from our origin, and, when a session is required, there
/// is one and the form carries its CSRF token.
pub struct Guard;

impl Guard {
    /// For forms used without a session (login, registration,
    /// recovery): on, and from our origin (a forged login would log the
    /// victim into the forger's account).
    pub fn anonymous(state: &AppState, headers: &HeaderMap) -> Result<(), Stop> {
        if !state.config.accounts.enabled {
            return Err(not_found(state).into());
        }
        if !session::same_origin(headers) {
            return Err(forbidden().into());
        }
        Ok(())
    }

    /// For pages anyone may open (the login and registration forms):
    /// only that accounts are on.
    pub fn anonymous_page(state: &AppState) -> Result<(), Stop> {
        if state.config.accounts.enabled {
            Ok(())
        } else {
            Err(not_found(state).into())
        }
    }

    /// For forms of a logged-in citizen: as [`Self::anonymous`], plus a
    /// session (else to the login) whose CSRF token `csrf` is.
    pub fn session<'a>(
        state: &AppState,
        lang: Lang,
        headers: &HeaderMap,
        session: Option<&'a CurrentSession>,
        csrf: Option<&str>,
    ) -> Result<&'a CurrentSession, Stop> {
        Self::anonymous(state, headers)?;
        let Some(session) = session else {
            return Err(see_other(LOGIN.url(lang)).into());
        };
        if !session.csrf_matches(csrf) {
            return Err(forbidden().into());
        }
        Ok(session)
    }
}

/// Pages of a logged-in citizen: the session, or a redirect to the login.
pub fn logged_in<'a>(
    state: &AppState,
    lang: Lang,
    session: Option<&'a CurrentSession>,
) -> Result<&'a CurrentSession, Stop> {
    if !state.config.accounts.enabled {
        return Err(not_found(state).into());
    }
    session.ok_or_else(|| see_other(LOGIN.url(lang)).into())
}

/// 404 in the theme, for account pages while accounts are off.
pub fn not_found(state: &AppState) -> Response<Body> {
    let site = state.site();
    let html = site.render_error(
        site.default_lang(),
        404,
        &site.text(Lang::De, "THEME.NOT_FOUND"),
    );
    html_answer(StatusCode::NOT_FOUND, html)
}

fn forbidden() -> Response<Body> {
    let mut response = (
        StatusCode::FORBIDDEN,
        "This form came from another site or is outdated. Reload the page and send it again.",
    )
        .into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}
