//! `/konto/zeichnungen`: the account's drawings. Those saved in the viewer
//! while logged in are bound to the account already; an anonymous one is
//! added with its edit link (the key proves the right to it). The owner
//! deletes one without its key.

use axum::body::Body;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use numis_core::accounts::AccountError;
use numis_core::drawings::{DrawingError, StoredDrawing, rfc3339};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{DRAWINGS, day, drawing_url, notice, with_notice};
use crate::routes::account::messages::message;
use crate::routes::account::{
    Guard, Page, PageLang, Stop, logged_in, render, see_other, status_of,
};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Notice after a deletion.
const DELETED: &str = "geloescht";
/// Notice after a drawing was added.
const ADDED: &str = "hinzugefuegt";
/// Longest id a link may carry; ids are 22 characters.
const MAX_ID_CHARS: usize = 64;

/// `/konto/zeichnungen` and `/en/account/drawings`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(DRAWINGS.url(lang), get(list).post(act));
    }
    router
}

#[derive(Deserialize)]
struct DrawingsForm {
    csrf: Option<String>,
    /// The id of a drawing to delete.
    delete: Option<String>,
    /// An edit link (or share link, or bare id) of a drawing to add.
    claim: Option<String>,
    /// Its edit key, when the link does not carry it.
    key: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(query): RawQuery,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    let known = [
        (DELETED, "ACCOUNT.DRAWINGS.DELETED"),
        (ADDED, "ACCOUNT.DRAWINGS.ADDED"),
    ];
    let shown = Shown {
        notice: notice(&state, lang, query.as_deref(), &known),
        ..Shown::default()
    };
    Ok(page(&state, lang, session, shown, StatusCode::OK).await)
}

/// What the page shows besides the list: the last form's outcome.
#[derive(Default)]
struct Shown {
    notice: Option<String>,
    error: Option<String>,
    /// The link typed into the "add" form, shown again after a refusal.
    claim: String,
}

async fn page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    shown: Shown,
    status: StatusCode,
) -> Response<Body> {
    let (drawings, error) = match state.accounts.my_drawings(&session.info.account_id).await {
        Ok(drawings) => (drawings, shown.error),
        Err(e) => {
            tracing::error!(error = %e, "drawings page: list not read");
            let text = message(&state.site(), lang, &e);
            (Vec::new(), Some(shown.error.unwrap_or(text)))
        }
    };
    let now = chrono::Utc::now().timestamp();
    let rows: Vec<Value> = drawings.iter().map(|d| row(lang, d, now)).collect();
    let data = json!({
        "action": DRAWINGS.url(lang),
        "drawings": rows,
        "claim": shown.claim,
        "notice": shown.notice,
        "error": error,
        "home_url": crate::routes::account::HOME.url(lang),
    });
    let page = Page::new(DRAWINGS, "drawings", "ACCOUNT.DRAWINGS.TITLE", data).with_status(status);
    render(state, lang, Some(session), page)
}

/// One drawing in the table.
fn row(lang: Lang, drawing: &StoredDrawing, now: i64) -> Value {
    json!({
        "id": drawing.id,
        "title": drawing.title,
        "open_url": drawing_url(lang, &drawing.id),
        "changed": day(lang, drawing.changed_at),
        "changed_iso": rfc3339(drawing.changed_at),
        "expires": day(lang, drawing.expires_at),
        "expires_iso": rfc3339(drawing.expires_at),
        "expired": drawing.expires_at <= now,
        "features": feature_count(&drawing.features),
    })
}

/// How many features a stored FeatureCollection holds, without building
/// them (the text is in memory already; skipping it costs little).
fn feature_count(features: &str) -> Option<usize> {
    #[derive(Deserialize)]
    struct Collection {
        features: Vec<serde::de::IgnoredAny>,
    }
    serde_json::from_str::<Collection>(features)
        .ok()
        .map(|c| c.features.len())
}

async fn act(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<DrawingsForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let account = session.info.account_id.as_str();
    if let Some(id) = form.delete.as_deref() {
        return Ok(match delete(&state, account, id).await {
            Ok(()) => see_other(&with_notice(DRAWINGS, lang, DELETED)),
            Err(refusal) => refused(&state, lang, session, refusal, String::new()).await,
        });
    }
    let Some(link) = form.claim else {
        let refusal = Refusal::Fixed(
            "ACCOUNT.DRAWINGS.ERROR.NOTHING",
            StatusCode::UNPROCESSABLE_ENTITY,
        );
        return Ok(refused(&state, lang, session, refusal, String::new()).await);
    };
    match claim(&state, account, &link, form.key.as_deref()).await {
        Ok(()) => Ok(see_other(&with_notice(DRAWINGS, lang, ADDED))),
        Err(refusal) => Ok(refused(&state, lang, session, refusal, link).await),
    }
}

/// Why a form was refused, before it is put into words.
enum Refusal {
    Drawing(DrawingError),
    Account(AccountError),
    /// The key of a fixed text, and the status.
    Fixed(&'static str, StatusCode),
}

async fn refused(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    refusal: Refusal,
    claim: String,
) -> Response<Body> {
    let site = state.site();
    let (text, status) = match refusal {
        Refusal::Account(e) => {
            if e.is_failure() {
                tracing::error!(error = %e, "drawings page");
            }
            (message(&site, lang, &e), status_of(&e))
        }
        Refusal::Drawing(e) => {
            if e.is_failure() {
                tracing::error!(error = %e, "drawings page");
            }
            let (key, status) = drawing_refusal(&e);
            (site.text(lang, key), status)
        }
        Refusal::Fixed(key, status) => (site.text(lang, key), status),
    };
    let shown = Shown {
        notice: None,
        error: Some(text),
        claim,
    };
    page(state, lang, session, shown, status).await
}

/// The text key and status of a refused drawing.
fn drawing_refusal(error: &DrawingError) -> (&'static str, StatusCode) {
    match error {
        e if e.is_failure() => ("ACCOUNT.ERROR.FAILURE", StatusCode::SERVICE_UNAVAILABLE),
        DrawingError::NotFound => ("ACCOUNT.DRAWINGS.ERROR.NOT_FOUND", StatusCode::NOT_FOUND),
        DrawingError::Expired { .. } => ("ACCOUNT.DRAWINGS.ERROR.EXPIRED", StatusCode::GONE),
        DrawingError::Forbidden => ("ACCOUNT.DRAWINGS.ERROR.WRONG_KEY", StatusCode::FORBIDDEN),
        _ => (
            "ACCOUNT.DRAWINGS.ERROR.NOT_FOUND",
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
    }
}

/// Deletes the account's drawing `id` (no key: it is the owner's).
async fn delete(state: &AppState, account: &str, id: &str) -> Result<(), Refusal> {
    let editable = state
        .drawings
        .editable_by_owner(id, account)
        .await
        .map_err(|e| match e {
            // Somebody else's drawing, or an anonymous one.
            DrawingError::Forbidden => {
                Refusal::Fixed("ACCOUNT.DRAWINGS.ERROR.NOT_YOURS", StatusCode::FORBIDDEN)
            }
            e => Refusal::Drawing(e),
        })?;
    state
        .drawings
        .delete(editable)
        .await
        .map_err(Refusal::Drawing)
}

/// Binds the drawing of `link` to the account once its edit key (from
/// `key`, else from the link) proves the right to it.
async fn claim(
    state: &AppState,
    account: &str,
    link: &str,
    key: Option<&str>,
) -> Result<(), Refusal> {
    let Some(link) = EditLink::parse(link) else {
        return Err(Refusal::Fixed(
            "ACCOUNT.DRAWINGS.ERROR.NOT_A_LINK",
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let key = key
        .map(str::trim)
        .filter(|k| !k.is_empty())
        .or(link.key.as_deref());
    let Some(key) = key else {
        return Err(Refusal::Fixed(
            "ACCOUNT.DRAWINGS.ERROR.KEY_MISSING",
            StatusCode::UNPROCESSABLE_ENTITY,
        ));
    };
    let editable = state
        .drawings
        .editable(&link.id, Some(key))
        .await
        .map_err(Refusal::Drawing)?;
    state
        .accounts
        .claim_drawing(account, &editable.drawing().id)
        .await
        .map_err(Refusal::Account)
}

/// A drawing's id and, if given, its edit key, read from what a citizen
/// pasted: the edit link (`…/karte?drawing=<id>#edit=<key>`), the share
/// link, or the bare id.
#[derive(Debug, PartialEq, Eq)]
struct EditLink {
    id: String,
    key: Option<String>,
}

impl EditLink {
    fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        let (address, fragment) = match text.split_once('#') {
            Some((address, fragment)) => (address, Some(fragment)),
            None => (text, None),
        };
        let id = match address.split_once('?') {
            Some((_, query)) => first_value(query, "drawing")?,
            // No query: the bare id (or the last segment of a path).
            None => address.rsplit('/').next()?.to_owned(),
        };
        let valid = !id.is_empty()
            && id.len() <= MAX_ID_CHARS
            && id
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        if !valid {
            return None;
        }
        let key = fragment
            .and_then(|f| first_value(f, "edit"))
            .filter(|k| !k.is_empty());
        Some(Self { id, key })
    }
}

/// The first value of `name` in the query `query`.
fn first_value(query: &str, name: &str) -> Option<String> {
    form_urlencoded::parse(query.as_bytes())
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parsed(text: &str) -> Option<(String, Option<String>)> {
        EditLink::parse(text).map(|l| (l.id, l.key))
    }

    #[test]
    fn edit_links_share_links_and_bare_ids_are_understood() {
        let id = "AbCdEfGhIjKlMnOpQrStUv";
        let key = "k3y_-k3y";
        let both = Some((id.to_owned(), Some(key.to_owned())));
        assert_eq!(
            parsed(&format!(
                "https://geo.example/karte?drawing={id}#edit={key}"
            )),
            both
        );
        assert_eq!(
            parsed(&format!(" /en/karte?lang=en&drawing={id}#edit={key} ")),
            both
        );
        assert_eq!(
            parsed(&format!("https://geo.example/karte?drawing={id}")),
            Some((id.to_owned(), None))
        );
        assert_eq!(parsed(id), Some((id.to_owned(), None)));
        assert_eq!(parsed("https://geo.example/karte?center=1,2"), None);
        assert_eq!(parsed("<script>"), None);
        assert_eq!(parsed(""), None);
    }

    #[test]
    fn features_are_counted_without_building_them() {
        let two =
            r#"{"type":"FeatureCollection","features":[{"type":"Feature"},{"type":"Feature"}]}"#;
        assert_eq!(feature_count(two), Some(2));
        assert_eq!(feature_count("not json"), None);
    }
}
