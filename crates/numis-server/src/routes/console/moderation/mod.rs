//! Moderation in the console (clause P12): the drawings, newest or most
//! reported first (`/verwaltung/zeichnungen`); one drawing with its
//! metadata, its reports and a small map, and the actions block, unblock,
//! dismiss reports and delete (`/verwaltung/zeichnungen/{id}`, delete
//! after a confirmation page `…/{id}/loeschen`); and the audit trail of
//! every operator action (`/verwaltung/protokoll`, [`audit`]).
//!
//! The actions are the JSON API's ([`crate::routes::moderation::carry_out`])
//! and are recorded in the audit trail under the operator's pseudonym.
//! Every form answers "post/redirect/get" with a fixed notice word in the
//! query (`?gesperrt`) that the page turns into a fixed text.

mod audit;
mod minimap;

use axum::body::Body;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use numis_cms::Lang;
use numis_core::drawings::{DrawingError, DrawingOrder, Inspected, StoredDrawing, rfc3339};
use numis_map::view::Caller;
use numis_map::view::Node;
use serde::Deserialize;
use serde_json::{Value, json};

use self::minimap::mini_map;
use super::{ConsolePage, DRAWINGS, Operator, render};
use crate::map_service::MapService;
use crate::routes::account::{PageLang, Stop, see_other};
use crate::routes::moderation::{DrawingAction, carry_out};
use crate::session::CurrentSession;
use crate::state::AppState;

/// Drawings the list shows at most.
const LIST_LIMIT: u32 = 200;
/// The value of `sortierung` for the newest first (the default).
const NEWEST: &str = "neueste";
/// The value of `sortierung` for the most reported first.
const REPORTED: &str = "gemeldet";
/// The last part of a drawing's address that asks to confirm its deletion.
const CONFIRM_DE: &str = "loeschen";
const CONFIRM_EN: &str = "delete";

/// The notice words after each action, with their texts.
const NOTICES: [(&str, &str); 4] = [
    ("gesperrt", "CONSOLE.MODERATION.NOTICE_BLOCKED"),
    ("freigegeben", "CONSOLE.MODERATION.NOTICE_UNBLOCKED"),
    ("verworfen", "CONSOLE.MODERATION.NOTICE_DISMISSED"),
    ("geloescht", "CONSOLE.MODERATION.NOTICE_DELETED"),
];

/// The moderation pages and the audit trail, in both languages.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        let base = DRAWINGS.url(lang);
        router = router
            .route(base, get(list))
            .route(&format!("{base}/{{id}}"), get(show).post(act))
            .route(
                &format!("{base}/{{id}}/{}", confirm_word(lang)),
                get(confirm),
            );
    }
    router.merge(audit::router())
}

fn confirm_word(lang: Lang) -> &'static str {
    match lang {
        Lang::De => CONFIRM_DE,
        Lang::En => CONFIRM_EN,
    }
}

/// The console page of the drawing `id`.
fn drawing_url(lang: Lang, id: &str) -> String {
    format!("{}/{id}", DRAWINGS.url(lang))
}

/// The drawing `id` as the public sees it: in the viewer.
fn public_url(lang: Lang, id: &str) -> String {
    format!("{}?drawing={id}", numis_cms::map_url(lang))
}

/// A day as the page's language writes it (UTC).
fn day(lang: Lang, seconds: i64) -> String {
    let Some(time) = chrono::DateTime::from_timestamp(seconds, 0) else {
        return String::new();
    };
    match lang {
        Lang::De => time.format("%d.%m.%Y").to_string(),
        Lang::En => time.format("%-d %b %Y").to_string(),
    }
}

/// A day and time as the page's language writes it (UTC).
fn day_time(lang: Lang, seconds: i64) -> String {
    let Some(time) = chrono::DateTime::from_timestamp(seconds, 0) else {
        return String::new();
    };
    match lang {
        Lang::De => time.format("%d.%m.%Y, %H:%M UTC").to_string(),
        Lang::En => time.format("%-d %b %Y, %H:%M UTC").to_string(),
    }
}

/// A time for the template: its text and its `datetime`.
fn when(text: String, seconds: i64) -> Value {
    json!({ "text": text, "iso": rfc3339(seconds) })
}

/// The fixed text of the notice word in `query`, if it is one.
fn notice(state: &AppState, lang: Lang, query: Option<&str>) -> Option<String> {
    let query = query?;
    NOTICES
        .iter()
        .find(|(word, _)| *word == query)
        .map(|(_, key)| state.site().text(lang, key))
}

/// A drawing's title, or the words for none.
fn title(state: &AppState, lang: Lang, drawing: &StoredDrawing) -> String {
    if drawing.title.trim().is_empty() {
        state.site().text(lang, "CONSOLE.MODERATION.UNTITLED")
    } else {
        drawing.title.clone()
    }
}

/// The text of a refusal or failure of the drawings service, and the
/// status it is shown with.
fn refusal(state: &AppState, lang: Lang, error: &DrawingError) -> (String, StatusCode) {
    let (key, status) = match error {
        DrawingError::NotFound => ("CONSOLE.MODERATION.NOT_FOUND", StatusCode::NOT_FOUND),
        e => {
            tracing::error!(error = %e, "moderation page");
            (
                "CONSOLE.MODERATION.UNAVAILABLE",
                StatusCode::SERVICE_UNAVAILABLE,
            )
        }
    };
    (state.site().text(lang, key), status)
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    /// `neueste` or `gemeldet`.
    sortierung: Option<String>,
}

async fn list(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    RawQuery(raw): RawQuery,
    Query(query): Query<ListQuery>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let shown = notice(&state, lang, raw.as_deref());
    Ok(list_page(
        &state,
        lang,
        &operator,
        query.sortierung.as_deref(),
        shown,
        None,
    )
    .await)
}

/// The list of drawings in `order` (`neueste`, the default, or
/// `gemeldet`).
async fn list_page(
    state: &AppState,
    lang: Lang,
    operator: &Operator<'_>,
    order: Option<&str>,
    notice: Option<String>,
    error: Option<String>,
) -> Response<Body> {
    let site = state.site();
    let reported = order == Some(REPORTED);
    let order = if reported {
        DrawingOrder::MostReported
    } else {
        DrawingOrder::Newest
    };
    let (rows, error, status) = match list_rows(state, lang, order).await {
        Ok(rows) => (rows, error, StatusCode::OK),
        Err(e) => {
            let (text, status) = refusal(state, lang, &e);
            (Vec::new(), Some(error.unwrap_or(text)), status)
        }
    };
    let orders: Vec<Value> = [
        (NEWEST, "CONSOLE.MODERATION.ORDER_NEWEST", !reported),
        (REPORTED, "CONSOLE.MODERATION.ORDER_REPORTED", reported),
    ]
    .iter()
    .map(|(value, key, current)| {
        json!({
            "url": format!("{}?sortierung={value}", DRAWINGS.url(lang)),
            "label": site.text(lang, key),
            "current": current,
        })
    })
    .collect();
    let caption_key = if reported {
        "CONSOLE.MODERATION.CAPTION_REPORTED"
    } else {
        "CONSOLE.MODERATION.CAPTION_NEWEST"
    };
    let data = json!({
        "drawings": rows,
        "orders": orders,
        "caption": site.text(lang, caption_key),
        "limit": LIST_LIMIT,
        "notice": notice,
        "error": error,
    });
    let page = ConsolePage::new(DRAWINGS, "drawings", "CONSOLE.MODERATION.TITLE", data)
        .with_status(status);
    render(state, lang, operator, page)
}

async fn list_rows(
    state: &AppState,
    lang: Lang,
    order: DrawingOrder,
) -> Result<Vec<Value>, DrawingError> {
    let drawings = state
        .drawings
        .list_for_moderation(order, LIST_LIMIT)
        .await?;
    let owners = state.drawings.owner_pseudonyms(&drawings).await?;
    let now = chrono::Utc::now().timestamp();
    Ok(drawings
        .iter()
        .map(|d| {
            json!({
                "id": d.id,
                "title": title(state, lang, d),
                "untitled": d.title.trim().is_empty(),
                "url": drawing_url(lang, &d.id),
                "created": when(day(lang, d.created_at), d.created_at),
                "changed": when(day(lang, d.changed_at), d.changed_at),
                "expires": when(day(lang, d.expires_at), d.expires_at),
                "expired": d.expires_at <= now,
                "reports": d.report_count,
                "blocked": d.blocked_at.is_some(),
                "owner": owners.get(&d.id),
            })
        })
        .collect())
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let shown = notice(&state, lang, raw.as_deref());
    Ok(drawing_page(&state, lang, &operator, &id, shown, None).await)
}

/// The page of the drawing `id`; a page that says it is gone (404) when
/// there is no such drawing.
async fn drawing_page(
    state: &AppState,
    lang: Lang,
    operator: &Operator<'_>,
    id: &str,
    notice: Option<String>,
    error: Option<String>,
) -> Response<Body> {
    let (data, status) = match state.drawings.inspect(id).await {
        Ok(inspected) => {
            let mut data = drawing_data(state, lang, &inspected);
            data["notice"] = json!(notice);
            data["error"] = json!(error);
            (data, StatusCode::OK)
        }
        Err(e) => {
            let (text, status) = refusal(state, lang, &e);
            let data = json!({
                "missing": true,
                "error": error.unwrap_or(text),
                "list_url": DRAWINGS.url(lang),
            });
            (data, status)
        }
    };
    let page = ConsolePage::new(
        DRAWINGS,
        "drawing",
        "CONSOLE.MODERATION.DRAWING_TITLE",
        data,
    )
    .with_status(status);
    render(state, lang, operator, page)
}

/// What the drawing page shows of `inspected`.
fn drawing_data(state: &AppState, lang: Lang, inspected: &Inspected) -> Value {
    let site = state.site();
    let d = &inspected.drawing;
    let now = chrono::Utc::now().timestamp();
    let title = title(state, lang, d);
    let reports: Vec<Value> = inspected
        .reports
        .iter()
        .map(|r| {
            json!({
                "at": when(day_time(lang, r.reported_at), r.reported_at),
                "reason": r.reason,
            })
        })
        .collect();
    let label = site
        .text(lang, "CONSOLE.MODERATION.MAP_LABEL")
        .replace("{title}", &title);
    let (map, map_note) = match state.map() {
        None => (
            None,
            Some(site.text(lang, "CONSOLE.MODERATION.NO_SITE_MAP")),
        ),
        Some(service) => {
            let base = base_layer(&service);
            match mini_map(&d.features, base.as_deref(), &label) {
                None => (
                    None,
                    Some(site.text(lang, "CONSOLE.MODERATION.NOTHING_TO_DRAW")),
                ),
                Some(map) => {
                    let note = base
                        .is_none()
                        .then(|| site.text(lang, "CONSOLE.MODERATION.NO_BASE_MAP"));
                    (Some(map), note)
                }
            }
        }
    };
    json!({
        "id": d.id,
        "title": title,
        "untitled": d.title.trim().is_empty(),
        "created": when(day_time(lang, d.created_at), d.created_at),
        "changed": when(day_time(lang, d.changed_at), d.changed_at),
        "expires": when(day_time(lang, d.expires_at), d.expires_at),
        "expired": d.expires_at <= now,
        "copied_from": d.copied_from.as_ref().map(|from| json!({
            "id": from,
            "url": drawing_url(lang, from),
        })),
        "owner": inspected.owner_pseudonym,
        "blocked": d.blocked_at.map(|at| when(day_time(lang, at), at)),
        "report_count": d.report_count,
        "reports": reports,
        "map_svg": map.as_ref().map(|m| m.svg.as_str()),
        "map_features": map.as_ref().map(|m| m.features),
        "map_note": map_note,
        "public_url": public_url(lang, &d.id),
        "action": drawing_url(lang, &d.id),
        "confirm_url": format!("{}/{}", drawing_url(lang, &d.id), confirm_word(lang)),
        "list_url": DRAWINGS.url(lang),
    })
}

/// The base map the viewer starts with, as a layer or group of our WMS
/// that everyone sees (the image is the portal's public base map).
fn base_layer(service: &MapService) -> Option<String> {
    let caller = Caller::default();
    let view = service.catalog.view(&caller);
    let viewer = &service.catalog.config.viewer;
    let nodes = view.tree(viewer.basemaps.iter().map(String::as_str));
    nodes.first().map(|node| match node {
        Node::Layer(layer) => layer.id().to_owned(),
        Node::Group { group, .. } => group.id.clone(),
    })
}

/// The form of every action on a drawing.
#[derive(Debug, Deserialize)]
struct ActionForm {
    csrf: Option<String>,
    /// `block`, `unblock`, `dismiss` or `delete`.
    action: Option<String>,
}

/// The action a form names, and the notice word after it.
fn action_of(name: Option<&str>) -> Option<(DrawingAction, &'static str)> {
    let action = DrawingAction::from_name(name?)?;
    let word = match action {
        DrawingAction::Block => "gesperrt",
        DrawingAction::Unblock => "freigegeben",
        DrawingAction::Dismiss => "verworfen",
        DrawingAction::Delete => "geloescht",
    };
    Some((action, word))
}

async fn act(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
    Form(form): Form<ActionForm>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::form(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let site = state.site();
    let Some((action, word)) = action_of(form.action.as_deref()) else {
        let text = site.text(lang, "CONSOLE.MODERATION.UNKNOWN_ACTION");
        let page = drawing_page(&state, lang, &operator, &id, None, Some(text)).await;
        return Ok(with_status(page, StatusCode::UNPROCESSABLE_ENTITY));
    };
    if let Err(e) = carry_out(&state, action, &id).await {
        let (text, status) = refusal(&state, lang, &e);
        let page = drawing_page(&state, lang, &operator, &id, None, Some(text)).await;
        return Ok(with_status(page, status));
    }
    let back_to_list = action == DrawingAction::Delete;
    if let Err(e) = state
        .audit
        .record(&operator.actor(), action.audited(), &id)
        .await
    {
        // The action stands; the operator must know its record is missing.
        tracing::error!(error = %e, "moderation: the audit record was not written");
        let text = site.text(lang, "CONSOLE.MODERATION.NOT_RECORDED");
        let page = if back_to_list {
            list_page(&state, lang, &operator, None, None, Some(text)).await
        } else {
            drawing_page(&state, lang, &operator, &id, None, Some(text)).await
        };
        return Ok(with_status(page, StatusCode::SERVICE_UNAVAILABLE));
    }
    let target = if back_to_list {
        DRAWINGS.url(lang).to_owned()
    } else {
        drawing_url(lang, &id)
    };
    Ok(see_other(&format!("{target}?{word}")))
}

fn with_status(mut response: Response<Body>, status: StatusCode) -> Response<Body> {
    *response.status_mut() = status;
    response
}

async fn confirm(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
    Path(id): Path<String>,
) -> Result<Response<Body>, Stop> {
    let operator = Operator::page(&state, lang, session.as_ref())?;
    let (data, status) = match state.drawings.inspect(&id).await {
        Ok(inspected) => {
            let d = &inspected.drawing;
            let data = json!({
                "id": d.id,
                "title": title(&state, lang, d),
                "report_count": d.report_count,
                "blocked": d.blocked_at.is_some(),
                "action": drawing_url(lang, &d.id),
                "cancel_url": drawing_url(lang, &d.id),
            });
            (data, StatusCode::OK)
        }
        Err(e) => {
            let (text, status) = refusal(&state, lang, &e);
            let data = json!({
                "missing": true,
                "error": text,
                "list_url": DRAWINGS.url(lang),
            });
            (data, status)
        }
    };
    let page = ConsolePage::new(
        DRAWINGS,
        "confirm",
        "CONSOLE.MODERATION.CONFIRM_TITLE",
        data,
    )
    .with_status(status);
    Ok(render(&state, lang, &operator, page))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_name_the_four_actions_and_nothing_else() {
        assert_eq!(
            action_of(Some("block")),
            Some((DrawingAction::Block, "gesperrt"))
        );
        assert_eq!(
            action_of(Some("delete")),
            Some((DrawingAction::Delete, "geloescht"))
        );
        assert_eq!(action_of(Some("purge")), None);
        assert_eq!(action_of(None), None);
        for (_, word) in ["block", "unblock", "dismiss", "delete"]
            .into_iter()
            .filter_map(|a| action_of(Some(a)))
        {
            assert!(NOTICES.iter().any(|(w, _)| *w == word), "{word}");
        }
    }

    #[test]
    fn times_are_written_in_the_page_language_in_utc() {
        assert_eq!(day(Lang::De, 1_772_668_800), "05.03.2026");
        assert_eq!(
            day_time(Lang::En, 1_772_668_800 + 3_660),
            "5 Mar 2026, 01:01 UTC"
        );
    }
}
