//! `/konto/export`: everything the account holds, as one ZIP file to take
//! away (Art. 15 and 20 GDPR):
//!
//! - `konto.json`: pseudonym, roles, registered and last seen, whether the
//!   second factor is on, the voluntary profile, the sessions (no token,
//!   nothing that could log in) and the list of drawings;
//! - `zeichnungen/<id>.geojson` and `zeichnungen/<id>.kml`: every drawing
//!   of the account, expired ones included until the purge;
//! - `ansichten.json`: the saved views;
//! - `LIESMICH.txt`: what these files are, in the page's language.
//!
//! No password hash, second-factor secret or recovery code is ever in it.

use std::io::{Cursor, Write};

use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, Response, StatusCode};
use axum::routing::get;
use axum::{Form, Router};
use chrono::{Datelike, Timelike};
use numis_cms::Lang;
use numis_core::accounts::{AccountError, PersonalData, SessionListing};
use numis_core::drawings::{DrawingService, ExportFormat, StoredDrawing, rfc3339};
use numis_store::SavedView;
use serde::Deserialize;
use serde_json::{Value, json};
use zip::write::SimpleFileOptions;

use super::messages::message;
use super::{Guard, HOME, Page, PageLang, Place, Stop, logged_in, render};
use crate::download::private_download;
use crate::session::CurrentSession;
use crate::state::AppState;

/// The export.
pub const EXPORT: Place = Place {
    de: "/konto/export",
    en: "/en/account/export",
};

/// The formats each drawing is written in.
const DRAWING_FORMATS: [ExportFormat; 2] = [ExportFormat::GeoJson, ExportFormat::Kml];

/// `/konto/export` and `/en/account/export`.
pub fn router() -> Router<AppState> {
    let mut router = Router::new();
    for lang in [Lang::De, Lang::En] {
        router = router.route(EXPORT.url(lang), get(show).post(download));
    }
    router
}

fn page(
    state: &AppState,
    lang: Lang,
    session: &CurrentSession,
    error: Option<String>,
    status: StatusCode,
) -> Response<Body> {
    let data = json!({
        "action": EXPORT.url(lang),
        "error": error,
        "home_url": HOME.url(lang),
    });
    let page = Page::new(EXPORT, "export", "ACCOUNT.EXPORT.TITLE", data).with_status(status);
    render(state, lang, Some(session), page)
}

async fn show(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    session: Option<CurrentSession>,
) -> Result<Response<Body>, Stop> {
    let session = logged_in(&state, lang, session.as_ref())?;
    Ok(page(&state, lang, session, None, StatusCode::OK))
}

#[derive(Deserialize)]
struct ExportForm {
    csrf: Option<String>,
}

async fn download(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    Form(form): Form<ExportForm>,
) -> Result<Response<Body>, Stop> {
    let session = Guard::session(
        &state,
        lang,
        &headers,
        session.as_ref(),
        form.csrf.as_deref(),
    )?;
    let contents = match gather(&state, session).await {
        Ok(contents) => contents,
        Err(error) => {
            tracing::error!(error = %error, "export: account not read");
            let text = message(&state.site(), lang, &error);
            return Ok(page(
                &state,
                lang,
                session,
                Some(text),
                super::status_of(&error),
            ));
        }
    };
    let now = chrono::Utc::now();
    let readme = state.site().text(lang, "ACCOUNT.EXPORT.README");
    // Deflating many large drawings is work for a blocking thread.
    let built = tokio::task::spawn_blocking(move || contents.zip(&readme, now)).await;
    let bytes = match built {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Ok(failed(&state, lang, session, &e.to_string())),
        Err(e) => return Ok(failed(&state, lang, session, &e.to_string())),
    };
    let name = format!("mein-numis-{}.zip", now.format("%Y-%m-%d"));
    Ok(private_download(bytes, "application/zip", &name))
}

/// The export page again, saying that it failed on our side.
fn failed(state: &AppState, lang: Lang, session: &CurrentSession, error: &str) -> Response<Body> {
    tracing::error!(error, "export: archive not written");
    let text = state.site().text(lang, "ACCOUNT.ERROR.FAILURE");
    page(
        state,
        lang,
        session,
        Some(text),
        StatusCode::INTERNAL_SERVER_ERROR,
    )
}

/// Everything the ZIP holds, read from the services.
struct Contents {
    data: PersonalData,
    sessions: Vec<SessionListing>,
    current_session: String,
    drawings: Vec<StoredDrawing>,
    views: Vec<SavedView>,
}

async fn gather(state: &AppState, session: &CurrentSession) -> Result<Contents, AccountError> {
    let account = &session.info.account_id;
    Ok(Contents {
        data: state.accounts.personal_data(account).await?,
        sessions: state.accounts.sessions(account).await?,
        current_session: session.info.public_id.clone(),
        drawings: state.accounts.my_drawings(account).await?,
        views: state.accounts.views(account).await?,
    })
}

/// The archive path of a drawing in `format`.
fn drawing_path(id: &str, format: ExportFormat) -> String {
    format!("zeichnungen/{id}.{}", format.extension())
}

impl Contents {
    /// The ZIP file, its entries dated `now`.
    fn zip(
        &self,
        readme: &str,
        now: chrono::DateTime<chrono::Utc>,
    ) -> zip::result::ZipResult<Vec<u8>> {
        let options = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .last_modified_time(zip_time(now));
        let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let mut written = Vec::with_capacity(self.drawings.len());
        for drawing in &self.drawings {
            let mut files = Vec::new();
            for format in DRAWING_FORMATS {
                match DrawingService::export_stored(drawing, format) {
                    Ok(text) => {
                        let path = drawing_path(&drawing.id, format);
                        zip.start_file(path.as_str(), options)?;
                        zip.write_all(text.as_bytes())?;
                        files.push(path);
                    }
                    // Ours to fix; the rest of the export is still theirs.
                    Err(e) => tracing::error!(error = %e, "export: a drawing not written"),
                }
            }
            written.push(files);
        }
        zip.start_file("konto.json", options)?;
        zip.write_all(&pretty(&self.account_json(&written, now)))?;
        zip.start_file("ansichten.json", options)?;
        zip.write_all(&pretty(&self.views_json()))?;
        zip.start_file("LIESMICH.txt", options)?;
        zip.write_all(readme.replace('\n', "\r\n").as_bytes())?;
        Ok(zip.finish()?.into_inner())
    }

    /// `konto.json`; `files` are the archive paths of each drawing.
    fn account_json(&self, files: &[Vec<String>], now: chrono::DateTime<chrono::Utc>) -> Value {
        let data = &self.data;
        let profile = &data.profile;
        let sessions: Vec<Value> = self
            .sessions
            .iter()
            .map(|s| {
                json!({
                    "created_at": rfc3339(s.created_at),
                    "last_seen_at": rfc3339(s.last_seen_at),
                    "expires_at": rfc3339(s.expires_at),
                    "remembered": s.persistent,
                    "browser": s.client_label,
                    "this_session": s.public_id == self.current_session,
                })
            })
            .collect();
        let drawings: Vec<Value> = self
            .drawings
            .iter()
            .zip(files)
            .map(|(d, files)| {
                json!({
                    "id": d.id,
                    "title": d.title,
                    "created_at": rfc3339(d.created_at),
                    "changed_at": rfc3339(d.changed_at),
                    "expires_at": rfc3339(d.expires_at),
                    "copied_from": d.copied_from,
                    "files": files,
                })
            })
            .collect();
        json!({
            "exported_at": rfc3339(now.timestamp()),
            "pseudonym": data.pseudonym,
            "roles": data.roles,
            "created_at": rfc3339(data.created_at),
            "last_seen_at": rfc3339(data.last_seen_at),
            "second_factor": data.second_factor,
            "profile": {
                "email": profile.email,
                "name": profile.name,
                "organisation": profile.organisation,
                "postal_address": profile.postal_address,
            },
            "sessions": sessions,
            "drawings": drawings,
        })
    }

    /// `ansichten.json`.
    fn views_json(&self) -> Value {
        let views: Vec<Value> = self
            .views
            .iter()
            .map(|v| {
                json!({
                    "id": v.id,
                    "name": v.name,
                    "state": v.state,
                    "created_at": rfc3339(v.created_at),
                    "updated_at": rfc3339(v.updated_at),
                })
            })
            .collect();
        json!({ "views": views })
    }
}

/// JSON indented for people reading it, with a final line break.
fn pretty(value: &Value) -> Vec<u8> {
    let mut bytes = serde_json::to_vec_pretty(value).unwrap_or_default();
    bytes.push(b'\n');
    bytes
}

/// `now` as a ZIP entry's time (1980 to 2107; outside, 1980).
fn zip_time(now: chrono::DateTime<chrono::Utc>) -> zip::DateTime {
    let part = |v: u32| u8::try_from(v).unwrap_or_default();
    u16::try_from(now.year())
        .ok()
        .and_then(|year| {
            zip::DateTime::from_date_and_time(
                year,
                part(now.month()),
                part(now.day()),
                part(now.hour()),
                part(now.minute()),
                part(now.second()),
            )
            .ok()
        })
        .unwrap_or_default()
}
