//! The operator console at `/verwaltung` (English `/en/admin`): the
//! statistics dashboard, moderation of drawings, accounts, the layer
//! monitor, the effective configuration, the privacy audit and the audit
//! trail, as server-rendered pages in the site's theme that work without
//! JavaScript.
//!
//! Every page follows the pattern of the account pages
//! ([`crate::routes::account`]), with a stricter door:
//! - [`Operator::page`] lets in only a session whose account holds the
//!   `operator` role: nobody logged in is sent to the login, a citizen
//!   without the role gets 403, and with accounts switched off the console
//!   does not exist (404). The operator token of `numis.toml` opens the
//!   JSON APIs (`/api/admin/…`), never these pages: a browser console
//!   needs a person to hold the action in the audit trail.
//! - [`Operator::form`] also checks that a form came from our origin and
//!   carries the session's CSRF token.
//! - [`render`] answers `Cache-Control: no-store` and forbids framing
//!   (`frame-ancestors 'none'`, `X-Frame-Options: DENY`): the console must
//!   never be shown inside another page, not even one of ours.

mod accounts;
mod config;
mod dashboard;
mod layers;
mod moderation;
mod privacy_audit;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::response::IntoResponse;
use numis_cms::Lang;
use numis_core::audit::Actor;
use serde_json::{Value, json};

use crate::caller::OPERATOR_ROLE;
use crate::middleware::security::CONTENT_SECURITY_POLICY;
use crate::routes::account::{self, Page, Place, Stop, see_other};
use crate::session::{self, CurrentSession};
use crate::state::AppState;

/// The dashboard (statistics).
pub const DASHBOARD: Place = Place {
    de: "/verwaltung",
    en: "/en/admin",
};
/// Moderation of drawings.
pub const DRAWINGS: Place = Place {
    de: "/verwaltung/zeichnungen",
    en: "/en/admin/drawings",
};
/// Accounts.
pub const ACCOUNTS: Place = Place {
    de: "/verwaltung/konten",
    en: "/en/admin/accounts",
};
/// The layer monitor.
pub const LAYERS: Place = Place {
    de: "/verwaltung/ebenen",
    en: "/en/admin/layers",
};
/// The effective configuration and `numis check`.
pub const CONFIG: Place = Place {
    de: "/verwaltung/konfiguration",
    en: "/en/admin/configuration",
};
/// The privacy audit (`numis audit`): its latest report, and a new run.
pub const PRIVACY_AUDIT: Place = Place {
    de: "/verwaltung/datenschutzpruefung",
    en: "/en/admin/privacy-audit",
};
/// The audit trail.
pub const AUDIT: Place = Place {
    de: "/verwaltung/protokoll",
    en: "/en/admin/audit",
};

/// The console's sections in the order of its navigation, with the
/// translation key of each one's name.
const SECTIONS: [(Place, &str); 7] = [
    (DASHBOARD, "CONSOLE.NAV.DASHBOARD"),
    (DRAWINGS, "CONSOLE.NAV.DRAWINGS"),
    (ACCOUNTS, "CONSOLE.NAV.ACCOUNTS"),
    (LAYERS, "CONSOLE.NAV.LAYERS"),
    (CONFIG, "CONSOLE.NAV.CONFIG"),
    (PRIVACY_AUDIT, "CONSOLE.NAV.PRIVACY_AUDIT"),
    (AUDIT, "CONSOLE.NAV.AUDIT"),
];

/// The policy of console pages: the site's, but no framing at all.
fn console_policy() -> String {
    CONTENT_SECURITY_POLICY.replace("frame-ancestors 'self'", "frame-ancestors 'none'")
}

/// All console pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(dashboard::router())
        .merge(moderation::router())
        .merge(accounts::router())
        .merge(layers::router())
        .merge(config::router())
        .merge(privacy_audit::router())
}

/// An operator in the console: the session, and the name the audit trail
/// records the operator's actions under.
pub struct Operator<'a> {
    /// The operator's session.
    pub session: &'a CurrentSession,
}

impl<'a> Operator<'a> {
    /// For a console page: an operator's session, or the answer that ends
    /// the request (404 with accounts off, the login without a session,
    /// 403 without the role).
    pub fn page(
        state: &AppState,
        lang: Lang,
        session: Option<&'a CurrentSession>,
    ) -> Result<Self, Stop> {
        if !state.config.accounts.enabled {
            return Err(account::not_found(state).into());
        }
        let Some(session) = session else {
            return Err(see_other(account::LOGIN.url(lang)).into());
        };
        if !session.info.roles.iter().any(|r| r == OPERATOR_ROLE) {
            return Err(forbidden(state, lang).into());
        }
        Ok(Self { session })
    }

    /// For a console form: as [`Self::page`], plus the form came from our
    /// origin and carries the session's CSRF token `csrf`.
    pub fn form(
        state: &AppState,
        lang: Lang,
        headers: &HeaderMap,
        session: Option<&'a CurrentSession>,
        csrf: Option<&str>,
    ) -> Result<Self, Stop> {
        let operator = Self::page(state, lang, session)?;
        if !session::same_origin(headers) || !operator.session.csrf_matches(csrf) {
            return Err(stale_form().into());
        }
        Ok(operator)
    }

    /// Who the audit trail says acted.
    pub fn actor(&self) -> Actor {
        Actor::Account(self.session.info.pseudonym.clone())
    }
}

/// One console page to render: the account pages' [`Page`], whose
/// template is looked up under `console/`.
pub type ConsolePage<'a> = Page<'a>;

/// Renders a console page in `lang` for `operator`. The template gets
/// `page.csrf`, `page.pseudonym`, `page.nav` (the sections, the current
/// one marked) and `page.data`.
pub fn render(
    state: &AppState,
    lang: Lang,
    operator: &Operator<'_>,
    page: ConsolePage<'_>,
) -> Response<Body> {
    let Page {
        place,
        template,
        title_key,
        data,
        status,
    } = page;
    let site = state.site();
    let nav: Vec<Value> = SECTIONS
        .iter()
        .map(|(section, key)| {
            json!({
                "title": site.text(lang, key),
                "url": section.url(lang),
                "current": section.de == place.de
                    || (section.de != DASHBOARD.de && place.de.starts_with(section.de)),
            })
        })
        .collect();
    let page = json!({
        "title": site.text(lang, title_key),
        "template": "console",
        "account": false,
        "url": place.url(lang),
        "csrf": operator.session.info.csrf.as_str(),
        "pseudonym": operator.session.info.pseudonym,
        "roles": operator.session.info.roles,
        "nav": nav,
        "data": data,
    });
    let name = format!("console/{template}.html.twig");
    match site.render_app(lang, &name, page, &place.alternates()) {
        Ok(html) => console_answer(status, html, "text/html; charset=utf-8"),
        Err(e) => {
            tracing::error!(error = %e, "console page failed");
            let html = site.render_error(lang.as_str(), 500, &site.text(lang, "THEME.ERROR"));
            console_answer(
                StatusCode::INTERNAL_SERVER_ERROR,
                html,
                "text/html; charset=utf-8",
            )
        }
    }
}

/// A console answer of any type (pages, CSV): never cached, never framed.
pub fn console_answer(
    status: StatusCode,
    body: impl Into<Body>,
    content_type: &'static str,
) -> Response<Body> {
    let mut response = Response::new(body.into());
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(policy) = HeaderValue::from_str(&console_policy()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, policy);
    }
    response
}

/// 403 in the theme, for a logged-in citizen without the operator role.
fn forbidden(state: &AppState, lang: Lang) -> Response<Body> {
    let site = state.site();
    let html = site.render_error(lang.as_str(), 403, &site.text(lang, "CONSOLE.FORBIDDEN"));
    console_answer(StatusCode::FORBIDDEN, html, "text/html; charset=utf-8")
}

/// 403 for a form from another site or an old page.
fn stale_form() -> Response<Body> {
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
