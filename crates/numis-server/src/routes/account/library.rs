//! My drawings, saved views, the export of everything, and erasure: the
//! citizen's "library" of "Mein NUMIS", one page per job.
//!
//! - [`drawings`]: `/konto/zeichnungen` — the account's drawings; delete
//!   one, add an anonymous one with its edit link.
//! - [`views`]: `/konto/ansichten` — saved map views; rename, delete.
//! - [`erase`]: `/konto/loeschen` — delete the account.
//! - [`display`]: `/konto/anzeige` — the opt-in display preferences
//!   cookie, for anyone, logged in or not.
//! - The export (`/konto/export`) is [`super::export`].
//!
//! Every form answers "post/redirect/get": success is a 303 to the page
//! with a fixed notice word as its query (`?geloescht`), which the page
//! turns into a fixed text; nothing of the query is ever shown.

mod display;
mod drawings;
mod erase;
mod views;

use axum::Router;
use numis_cms::Lang;
use numis_store::{SavedView, StoredDrawing};
use serde_json::{Value, json};

use super::Place;
use crate::session::CurrentSession;
use crate::state::AppState;

/// My drawings.
pub const DRAWINGS: Place = Place {
    de: "/konto/zeichnungen",
    en: "/en/account/drawings",
};
/// Saved views.
pub const VIEWS: Place = Place {
    de: "/konto/ansichten",
    en: "/en/account/views",
};
/// Delete the account.
pub const DELETE: Place = Place {
    de: "/konto/loeschen",
    en: "/en/account/delete",
};
/// Display preferences.
pub const DISPLAY: Place = Place {
    de: "/konto/anzeige",
    en: "/en/account/display",
};

/// How many drawings and views the overview shows.
const OVERVIEW_ITEMS: usize = 3;

/// The library pages.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(drawings::router())
        .merge(views::router())
        .merge(erase::router())
        .merge(display::router())
        .merge(super::export::router())
}

/// What the overview (`/konto`) shows of the library, as
/// `page.data.library`: counts, the latest drawings and views, and the
/// links to every library page.
pub async fn overview(state: &AppState, lang: Lang, session: &CurrentSession) -> Value {
    let account = &session.info.account_id;
    let mut data = json!({
        "drawings_url": DRAWINGS.url(lang),
        "views_url": VIEWS.url(lang),
        "export_url": super::export::EXPORT.url(lang),
        "delete_url": DELETE.url(lang),
        "display_url": DISPLAY.url(lang),
    });
    match state.accounts.my_drawings(account).await {
        Ok(drawings) => {
            let now = chrono::Utc::now().timestamp();
            let live: Vec<&StoredDrawing> =
                drawings.iter().filter(|d| d.expires_at > now).collect();
            data["drawings_count"] = Value::from(live.len());
            data["drawings"] = live
                .iter()
                .take(OVERVIEW_ITEMS)
                .map(|d| drawing_summary(lang, d))
                .collect();
        }
        Err(e) => tracing::error!(error = %e, "overview: drawings not read"),
    }
    match state.accounts.views(account).await {
        Ok(mut views) => {
            data["views_count"] = Value::from(views.len());
            // The store lists them by name; the overview shows the newest.
            views.sort_by_key(|v| std::cmp::Reverse(v.created_at));
            data["views"] = views
                .iter()
                .take(OVERVIEW_ITEMS)
                .map(|v| view_summary(lang, v))
                .collect();
        }
        Err(e) => tracing::error!(error = %e, "overview: views not read"),
    }
    data
}

/// A drawing as the overview lists it.
fn drawing_summary(lang: Lang, drawing: &StoredDrawing) -> Value {
    json!({
        "title": drawing.title,
        "open_url": drawing_url(lang, &drawing.id),
        "changed": day(lang, drawing.changed_at),
        "changed_iso": numis_core::drawings::rfc3339(drawing.changed_at),
    })
}

/// A view as the overview lists it.
fn view_summary(lang: Lang, view: &SavedView) -> Value {
    json!({
        "name": view.name,
        "open_url": view_url(lang, &view.state),
    })
}

/// The drawing `id` in the viewer of `lang`, as its share link opens it.
fn drawing_url(lang: Lang, id: &str) -> String {
    format!("{}?drawing={id}", numis_cms::map_url(lang))
}

/// A saved view in the viewer of `lang`: always the viewer's own address
/// with the stored permalink query after it, so whatever was stored can
/// only ever be a query of `/karte` (no other page, no `javascript:`);
/// the templates escape it like any text.
fn view_url(lang: Lang, state: &str) -> String {
    format!(
        "{}?{}",
        numis_cms::map_url(lang),
        state.strip_prefix('?').unwrap_or(state)
    )
}

/// A day as the page's language writes it (UTC): `05.03.2026`,
/// `5 Mar 2026`.
fn day(lang: Lang, seconds: i64) -> String {
    let Some(time) = chrono::DateTime::from_timestamp(seconds, 0) else {
        return String::new();
    };
    match lang {
        Lang::De => time.format("%d.%m.%Y").to_string(),
        Lang::En => time.format("%-d %b %Y").to_string(),
    }
}

/// The fixed text of a notice word in the query (`?geloescht`), if it is
/// one of `known` (word, translation key).
fn notice(
    state: &AppState,
    lang: Lang,
    query: Option<&str>,
    known: &[(&str, &str)],
) -> Option<String> {
    let query = query?;
    known
        .iter()
        .find(|(word, _)| *word == query)
        .map(|(_, key)| state.site().text(lang, key))
}

/// `place` in `lang` with the notice word `word`.
fn with_notice(place: Place, lang: Lang, word: &str) -> String {
    format!("{}?{word}", place.url(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_opens_the_viewer_whatever_was_stored() {
        assert_eq!(
            view_url(Lang::De, "center=1,2&scale=5000"),
            "/karte?center=1,2&scale=5000"
        );
        assert_eq!(view_url(Lang::En, "?base=x"), "/en/karte?base=x");
        assert!(view_url(Lang::De, "javascript:alert(1)").starts_with("/karte?"));
    }

    #[test]
    fn days_are_written_in_the_page_language() {
        assert_eq!(day(Lang::De, 1_772_668_800), "05.03.2026");
        assert_eq!(day(Lang::En, 1_772_668_800), "5 Mar 2026");
    }
}
