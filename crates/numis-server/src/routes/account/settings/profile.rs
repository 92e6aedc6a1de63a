//! `/konto/profil`: the four voluntary profile fields (e-mail, name,
//! organisation, postal address). Each may be given, changed or removed;
//! an emptied field is removed. Nothing of the portal needs any of them.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use numis_core::accounts::service::MAX_PROFILE_CHARS;
use numis_store::{Profile, ProfileField};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{INVALID, Notice, PROFILE, refusal, unavailable};
use crate::routes::account::{Guard, HOME, Page, PageLang, Stop, logged_in, render, status_of};
use crate::session::CurrentSession;
use crate::state::AppState;

const TITLE: &str = "ACCOUNT.PROFILE.TITLE";

const SAVED: Notice = Notice {
    word: "gespeichert",
    key: "ACCOUNT.PROFILE.SAVED",
};
const REMOVED: Notice = Notice {
    word: "entfernt",
    key: "ACCOUNT.PROFILE.REMOVED",
};

/// `/konto/profil` and `/en/account/profile`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(PROFILE.url(lang), get(show).post(save));
    }
    router
}

/// How one profile field appears in the form.
struct Field {
    /// The form field's name (and the input's id).
    name: &'static str,
    /// What the store calls it.
    field: ProfileField,
    /// The translation key of its label.
    label: &'static str,
    /// The translation key of its hint.
    hint: &'static str,
    /// The input's type; `None` is a multi-line text.
    input: Option<&'static str>,
    /// Its `autocomplete` token (WCAG 1.3.5).
    autocomplete: &'static str,
}

const FIELDS: [Field; 4] = [
    Field {
        name: "email",
        field: ProfileField::Email,
        label: "ACCOUNT.PROFILE.EMAIL",
        hint: "ACCOUNT.PROFILE.EMAIL_HINT",
        input: Some("email"),
        autocomplete: "email",
    },
    Field {
        name: "name",
        field: ProfileField::Name,
        label: "ACCOUNT.PROFILE.NAME",
        hint: "ACCOUNT.PROFILE.NAME_HINT",
        input: Some("text"),
        autocomplete: "name",
    },
    Field {
        name: "organisation",
        field: ProfileField::Organisation,
        label: "ACCOUNT.PROFILE.ORGANISATION",
        hint: "ACCOUNT.PROFILE.ORGANISATION_HINT",
        input: Some("text"),
        autocomplete: "organization",
    },
    Field {
        name: "address",
        field: ProfileField::PostalAddress,
        label: "ACCOUNT.PROFILE.ADDRESS",
        hint: "ACCOUNT.PROFILE.ADDRESS_HINT",
        input: None,
        autocomplete: "street-address",
    },
];

/// The stored value of `field`.
fn stored(profile: &Profile, field: ProfileField) -> Option<&str> {
    match field {
        ProfileField::Email => profile.email.as_deref(),
        ProfileField::Name => profile.name.as_deref(),
        ProfileField::Organisation => profile.organisation.as_deref(),
        ProfileField::PostalAddress => profile.postal_address.as_deref(),
    }
}

/// The translation keys of the fields `profile` gives, in form order.
pub(super) fn given_fields(profile: &Profile) -> impl Iterator<Item = &'static str> + '_ {
    FIELDS
        .iter()
        .filter(|f| stored(profile, f.field).is_some_and(|v| !v.is_empty()))
        .map(|f| f.label)
}

#[derive(Deserialize)]
struct ProfileForm {
    csrf: Option<String>,
    email: Option<String>,
    name: Option<String>,
    organisation: Option<String>,
    address: Option<String>,
    /// One field to remove (the "remove" buttons), instead of saving.
    remove: Option<String>,
}

impl ProfileForm {
    /// What was typed into the form field `name`; `None` when the form
    /// did not carry it (that field stays as it is).
    fn typed(&self, name: &str) -> Option<&str> {
        match name {
            "email" => self.email.as_deref(),
            "name" => self.name.as_deref(),
            "organisation" => self.organisation.as_deref(),
            "address" => self.address.as_deref(),
            _ => None,
        }
    }
}

/// What the template reads: each field with its label, hint, value
/// (typed, when the form comes back with a refusal, else stored) and
/// whether a value is stored (then it can be removed on its own).
fn data(
    state: &AppState,
    lang: Lang,
    profile: &Profile,
    typed: Option<&ProfileForm>,
    error: Option<String>,
    notice: Option<String>,
) -> Value {
    let site = state.site();
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|f| {
            let saved = stored(profile, f.field);
            let value = typed.and_then(|form| form.typed(f.name)).or(saved);
            json!({
                "name": f.name,
                "label": site.text(lang, f.label),
                "hint": site.text(lang, f.hint),
                "input": f.input,
                "autocomplete": f.autocomplete,
                "value": value.unwrap_or_default(),
                "stored": saved.is_some_and(|v| !v.is_empty()),
            })
        })
        .collect();
    json!({
        "action": PROFILE.url(lang),
        "home_url": HOME.url(lang),
        "fields": fields,
        "max_chars": MAX_PROFILE_CHARS,
        "error": error,
        "notice": notice,
    })
}

fn page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    data: Value,
    status: StatusCode,
) -> Response<Body> {
    let page = Page::new(PROFILE, "profile", TITLE, data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    let profile = match state.accounts.profile(&session.info.account_id).await {
        Ok(profile) => profile,
        Err(e) => return Ok(unavailable(&state, lang, session, PROFILE, TITLE, &e)),
    };
    let notice = Notice::text(&state.site(), lang, query.as_deref(), &[SAVED, REMOVED]);
    let data = data(&state, lang, &profile, None, None, notice);
    Ok(page(&state, lang, session, data, StatusCode::OK))
}

/// Saves the fields the form carries (an empty one is removed), or
/// removes the one field named by `remove`.
async fn save(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<ProfileForm>,
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
    if let Some(name) = form.remove.as_deref() {
        let Some(field) = FIELDS.iter().find(|f| f.name == name) else {
            let text = site.text(lang, "ACCOUNT.PROFILE.UNKNOWN_FIELD");
            return Ok(refused(&state, lang, session, None, text, INVALID).await);
        };
        return Ok(
            match state.accounts.remove_profile_field(id, field.field).await {
                Ok(()) => REMOVED.redirect(PROFILE, lang),
                Err(e) => {
                    let text = refusal(&site, lang, &e);
                    refused(&state, lang, session, None, text, status_of(&e)).await
                }
            },
        );
    }

    // Every field is checked before any is written: a refusal changes
    // nothing, and the form comes back as typed.
    for field in &FIELDS {
        let Some(value) = form.typed(field.name) else {
            continue;
        };
        if let Some(key) = invalid(field.field, value) {
            let text = site
                .text(lang, key)
                .replace("{field}", &site.text(lang, field.label))
                .replace("{max}", &MAX_PROFILE_CHARS.to_string());
            return Ok(refused(&state, lang, session, Some(&form), text, INVALID).await);
        }
    }
    for field in &FIELDS {
        let Some(value) = form.typed(field.name) else {
            continue;
        };
        let written = if value.trim().is_empty() {
            state.accounts.remove_profile_field(id, field.field).await
        } else {
            state
                .accounts
                .set_profile_field(id, field.field, value)
                .await
        };
        if let Err(e) = written {
            let text = refusal(&site, lang, &e);
            return Ok(refused(&state, lang, session, Some(&form), text, status_of(&e)).await);
        }
    }
    Ok(SAVED.redirect(PROFILE, lang))
}

/// The form again with a refusal: `typed` as typed, if given.
async fn refused(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    typed: Option<&ProfileForm>,
    text: String,
    status: StatusCode,
) -> Response<Body> {
    // The stored values tell which fields can be removed; if they cannot
    // be read, none is offered.
    let profile = state
        .accounts
        .profile(&session.info.account_id)
        .await
        .unwrap_or_default();
    let data = data(state, lang, &profile, typed, Some(text), None);
    page(state, lang, session, data, status)
}

/// Why `value` cannot be stored in `field`, as the key of the refusal's
/// text (with `{field}` and `{max}`); `None` when it can. An empty value
/// is fine: it removes the field.
fn invalid(field: ProfileField, value: &str) -> Option<&'static str> {
    let value = value.trim();
    if value.chars().count() > MAX_PROFILE_CHARS {
        return Some("ACCOUNT.PROFILE.TOO_LONG");
    }
    if field == ProfileField::Email && !value.is_empty() && !plausible_email(value) {
        return Some("ACCOUNT.PROFILE.EMAIL_INVALID");
    }
    None
}

/// A plausible e-mail address: one `@` with something on either side and
/// a dot in the domain, no spaces or control characters. Whether it
/// exists only a mail could tell; this catches typing slips (a reset
/// link sent to "anna.example.org" would never arrive).
fn plausible_email(value: &str) -> bool {
    let Some((local, domain)) = value.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.contains('@')
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn e_mail_addresses_are_checked_for_typing_slips_only() {
        assert!(plausible_email("anna@example.org"));
        assert!(plausible_email("a.b+c@sub.example.de"));
        assert!(!plausible_email("anna.example.org"));
        assert!(!plausible_email("@example.org"));
        assert!(!plausible_email("anna@example"));
        assert!(!plausible_email("anna@@example.org"));
        assert!(!plausible_email("anna @example.org"));
        assert!(!plausible_email("anna@example.org."));
    }

    #[test]
    fn empty_values_remove_and_long_ones_are_refused() {
        assert_eq!(invalid(ProfileField::Email, "  "), None);
        assert_eq!(invalid(ProfileField::Name, "Anna"), None);
        assert_eq!(
            invalid(ProfileField::Email, "anna"),
            Some("ACCOUNT.PROFILE.EMAIL_INVALID")
        );
        assert_eq!(
            invalid(ProfileField::Name, &"ä".repeat(MAX_PROFILE_CHARS + 1)),
            Some("ACCOUNT.PROFILE.TOO_LONG")
        );
        assert_eq!(
            invalid(ProfileField::Name, &"ä".repeat(MAX_PROFILE_CHARS)),
            None
        );
    }

    #[test]
    fn every_field_has_a_store_field_of_its_own() {
        for (i, a) in FIELDS.iter().enumerate() {
            for b in &FIELDS[i + 1..] {
                assert_ne!(a.field, b.field);
                assert_ne!(a.name, b.name);
            }
        }
    }
}
