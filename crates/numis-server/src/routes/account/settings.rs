//! Profile, password, recovery codes, second factor and sessions: the
//! settings of a logged-in citizen, one page each (in `settings/`), and
//! their section of the overview ([`overview`]).
//!
//! Every form here answers a success with 303 back to its page and a
//! fixed word in the query ([`Notice`]), which the page turns into a
//! fixed text: nothing the citizen typed is ever reflected from a URL.

mod dates;
mod password;
mod profile;
mod recovery_codes;
mod sessions;
mod two_factor;

use axum::Router;
use axum::body::Body;
use axum::http::{Response, StatusCode};
use numis_cms::{Lang, Site};
use numis_core::accounts::AccountError;
use serde_json::{Value, json};

use super::messages::message;
use super::{Page, Place, render, see_other, status_of};
use crate::session::CurrentSession;
use crate::state::AppState;

/// The voluntary profile.
pub const PROFILE: Place = Place {
    de: "/konto/profil",
    en: "/en/account/profile",
};
/// Change the password.
pub const PASSWORD: Place = Place {
    de: "/konto/passwort",
    en: "/en/account/password",
};
/// New recovery codes.
pub const RECOVERY_CODES: Place = Place {
    de: "/konto/wiederherstellungscodes",
    en: "/en/account/recovery-codes",
};
/// The second factor (TOTP).
pub const TWO_FACTOR: Place = Place {
    de: "/konto/zwei-faktor",
    en: "/en/account/two-factor",
};
/// The account's sessions.
pub const SESSIONS: Place = Place {
    de: "/konto/sitzungen",
    en: "/en/account/sessions",
};

/// The settings pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(profile::router())
        .merge(password::router())
        .merge(recovery_codes::router())
        .merge(two_factor::router())
        .merge(sessions::router())
}

/// What the overview (`/konto`) shows of the settings, as
/// `page.data.security`: a link to each settings page with its state. A
/// state the service cannot tell right now is left out (`null`); the
/// link stays.
pub async fn overview(state: &AppState, lang: Lang, session: &CurrentSession) -> Value {
    let site = state.site();
    let accounts = &state.accounts;
    let id = session.info.account_id.as_str();
    let profile = known(accounts.profile(id).await, "profile");
    let codes_left = known(accounts.recovery_codes_left(id).await, "recovery codes");
    let second_factor = known(accounts.second_factor_on(id).await, "second factor");
    let sessions = known(accounts.sessions(id).await, "sessions").map(|s| s.len());

    let profile_state = profile.map(|profile| {
        let given: Vec<String> = profile::given_fields(&profile)
            .map(|key| site.text(lang, key))
            .collect();
        if given.is_empty() {
            site.text(lang, "ACCOUNT.SECURITY.PROFILE_NONE")
        } else {
            site.text(lang, "ACCOUNT.SECURITY.PROFILE_GIVEN")
                .replace("{fields}", &given.join(", "))
        }
    });
    let codes_state = codes_left.map(|n| {
        counted(
            &site,
            lang,
            n,
            "ACCOUNT.SECURITY.CODES_ONE",
            "ACCOUNT.SECURITY.CODES_MANY",
        )
    });
    let second_factor_state = second_factor.map(|on| {
        site.text(
            lang,
            if on {
                "ACCOUNT.SECURITY.TWO_FACTOR_CARD_ON"
            } else {
                "ACCOUNT.SECURITY.TWO_FACTOR_CARD_OFF"
            },
        )
    });
    let sessions_state = sessions.map(|n| {
        counted(
            &site,
            lang,
            n as u64,
            "ACCOUNT.SECURITY.SESSIONS_ONE",
            "ACCOUNT.SECURITY.SESSIONS_MANY",
        )
    });
    // Few codes left: the overview says so louder, so that the citizen
    // makes new ones before the last is used.
    let codes_low = codes_left.is_some_and(|n| n <= LOW_CODES);
    json!({
        "items": [
            item("profile", &site, lang, PROFILE, "ACCOUNT.PROFILE.TITLE", profile_state, false),
            item("password", &site, lang, PASSWORD, "ACCOUNT.PASSWORD_PAGE.TITLE",
                 Some(site.text(lang, "ACCOUNT.SECURITY.PASSWORD_STATE")), false),
            item("two-factor", &site, lang, TWO_FACTOR, "ACCOUNT.TWO_FACTOR.TITLE",
                 second_factor_state, second_factor == Some(false)),
            item("recovery-codes", &site, lang, RECOVERY_CODES, "ACCOUNT.NEW_CODES.TITLE",
                 codes_state, codes_low),
            item("sessions", &site, lang, SESSIONS, "ACCOUNT.SESSIONS.TITLE", sessions_state, false),
        ],
        "second_factor": second_factor,
        "codes_left": codes_left,
        "sessions": sessions,
    })
}

/// At most this many recovery codes left is "few".
const LOW_CODES: u64 = 3;

/// One entry of the overview's list.
fn item(
    id: &str,
    site: &Site,
    lang: Lang,
    place: Place,
    title_key: &str,
    state: Option<String>,
    attention: bool,
) -> Value {
    json!({
        "id": id,
        "url": place.url(lang),
        "title": site.text(lang, title_key),
        "state": state,
        "attention": attention,
    })
}

/// `result`'s value, or `None` with the failure logged (the overview
/// shows what it can).
fn known<T>(result: Result<T, AccountError>, what: &str) -> Option<T> {
    result
        .map_err(|e| tracing::error!(error = %e, what, "account overview: not available"))
        .ok()
}

/// "1 Sitzung", "2 Sitzungen": the text of `one` or `many` with `{n}`.
fn counted(site: &Site, lang: Lang, n: u64, one: &str, many: &str) -> String {
    let key = if n == 1 { one } else { many };
    site.text(lang, key).replace("{n}", &n.to_string())
}

/// A fixed notice after a form was handled: the word in the query of the
/// 303 and the key of its text. Only a known word shows a text; nothing
/// of the query itself is ever shown.
#[derive(Debug, Clone, Copy)]
struct Notice {
    word: &'static str,
    key: &'static str,
}

impl Notice {
    /// 303 to `place` with this notice.
    fn redirect(self, place: Place, lang: Lang) -> Response<Body> {
        see_other(&format!("{}?{}", place.url(lang), self.word))
    }

    /// The text of the notice among `notices` whose word is `query`.
    fn text(site: &Site, lang: Lang, query: Option<&str>, notices: &[Self]) -> Option<String> {
        let query = query?;
        notices
            .iter()
            .find(|n| n.word == query)
            .map(|n| site.text(lang, n.key))
    }
}

/// A refusal in the page's language. A wrong password is the only
/// credential these forms ask for, so it is named as such (the login's
/// "pseudonym or password" would puzzle a citizen already logged in).
fn refusal(site: &Site, lang: Lang, error: &AccountError) -> String {
    match error {
        AccountError::WrongCredentials => site.text(lang, "ACCOUNT.SECURITY.WRONG_PASSWORD"),
        other => message(site, lang, other),
    }
}

/// A settings page whose data the service could not read: the theme's
/// frame with the refusal and nothing to act on (an empty form would
/// look like an empty account).
fn unavailable(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    place: Place,
    title_key: &str,
    error: &AccountError,
) -> Response<Body> {
    let site = state.site();
    let data = json!({ "error": refusal(&site, lang, error) });
    let page = Page::new(place, "layout", title_key, data).with_status(status_of(error));
    render(state, lang, Some(session), page)
}

/// The status of a form shown again because of bad input the handler
/// itself found (not the service).
const INVALID: StatusCode = StatusCode::UNPROCESSABLE_ENTITY;

#[cfg(test)]
mod tests {
    use super::*;
    use numis_store::Profile;

    fn site() -> Site {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../site");
        Site::load(&dir).expect("the demo site loads")
    }

    #[test]
    fn counts_are_worded_in_singular_and_plural() {
        let site = site();
        let one = "ACCOUNT.SECURITY.SESSIONS_ONE";
        let many = "ACCOUNT.SECURITY.SESSIONS_MANY";
        assert_eq!(counted(&site, Lang::De, 1, one, many), "1 Sitzung");
        assert_eq!(counted(&site, Lang::De, 2, one, many), "2 Sitzungen");
        assert_eq!(counted(&site, Lang::En, 0, one, many), "0 sessions");
    }

    #[test]
    fn only_known_notice_words_show_a_text() {
        let site = site();
        let notices = [Notice {
            word: "gespeichert",
            key: "ACCOUNT.PROFILE.SAVED",
        }];
        assert!(Notice::text(&site, Lang::De, Some("gespeichert"), &notices).is_some());
        assert_eq!(
            Notice::text(&site, Lang::De, Some("<script>"), &notices),
            None
        );
        assert_eq!(Notice::text(&site, Lang::De, None, &notices), None);
    }

    #[test]
    fn a_wrong_password_is_named_as_such() {
        let site = site();
        let text = refusal(&site, Lang::De, &AccountError::WrongCredentials);
        assert!(!text.contains("Pseudonym"), "{text}");
        assert!(!text.starts_with("ACCOUNT."), "{text}");
    }

    #[test]
    fn the_given_profile_fields_are_listed_in_order() {
        let profile = Profile {
            email: Some("a@example.org".into()),
            postal_address: Some("Weg 1".into()),
            ..Profile::default()
        };
        assert_eq!(
            profile::given_fields(&profile).collect::<Vec<_>>(),
            ["ACCOUNT.PROFILE.EMAIL", "ACCOUNT.PROFILE.ADDRESS"]
        );
        assert_eq!(profile::given_fields(&Profile::default()).count(), 0);
    }
}
