//! Printed maps over HTTP: `POST /api/print` takes a print spec (JSON, at
//! most 1 MB) and queues a job; `GET /api/print/{id}` tells how it stands;
//! `GET /api/print/{id}/pdf` downloads the PDF once it is made. The job's
//! random id is the only key to its PDF, which is kept
//! `[print] keep_minutes` and then forgotten; nothing of a print is
//! stored on disk.

use std::sync::Arc;
use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderValue, Response, StatusCode, header};
use axum::routing::get;
use numis_map::view::Caller;
use numis_print::{Layout, Orientation, Paper};
use serde::de::DeserializeOwned;
use serde_json::json;

use crate::caller::{self, OPERATOR_ROLE};
use crate::config::PrintConfig;
use crate::download::private_download;
use crate::error::ApiError;
use crate::events::Event;
use crate::json::{self, Caching};
use crate::map_service::MapService;
use crate::origin::public_base;
use crate::print::content::Content;
use crate::print::jobs::{JobState, Refused};
use crate::print::render::{Imprint, check_size, make_pdf};
use crate::print::spec::{self, PrintRequest};
use crate::routes::drawings::bounded;
use crate::session::CurrentSession;
use crate::state::AppState;

/// The largest print spec read.
pub const MAX_SPEC_BYTES: usize = 1024 * 1024;

/// `/api/print` and its jobs.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api/print", get(offer).post(submit))
        .route("/api/print/{id}", get(status))
        .route("/api/print/{id}/pdf", get(pdf))
}

/// May `caller` print the staff's papers?
fn is_staff(print: &PrintConfig, caller: &Caller) -> bool {
    caller.operator
        || caller
            .roles
            .iter()
            .any(|r| r == &print.staff_role || r == OPERATOR_ROLE)
}

/// The resolutions the dialog offers: the usual two, within the maximum.
const OFFERED_DPI: [u32; 2] = [150, 300];

/// What the caller may print: papers, resolutions, and the size of the
/// map on each sheet, so that the viewer's frame shows exactly what will
/// be printed.
async fn offer(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
) -> Response<Body> {
    let caller = caller::of_request(&state.config, &headers, session.as_ref());
    let print = &state.config.print;
    let mut names = print.papers.clone();
    if is_staff(print, &caller) {
        names.extend(print.staff_papers.iter().cloned());
    }
    let mut papers: Vec<Paper> = names.iter().filter_map(|n| Paper::parse(n)).collect();
    papers.dedup();
    let mut dpis: Vec<u32> = OFFERED_DPI
        .into_iter()
        .filter(|dpi| *dpi <= print.max_dpi)
        .collect();
    if dpis.is_empty() {
        dpis.push(print.max_dpi.max(spec::MIN_DPI));
    }
    let mut layouts = Vec::new();
    for &paper in &papers {
        for orientation in [Orientation::Portrait, Orientation::Landscape] {
            for legend in [true, false] {
                for comment in [false, true] {
                    let map = Layout::new(paper, orientation, comment, legend).map;
                    layouts.push(json!({
                        "paper": paper.name(),
                        "orientation": orientation.name(),
                        "legend": legend,
                        "comment": comment,
                        "map_mm": [round_mm(map.w), round_mm(map.h)],
                    }));
                }
            }
        }
    }
    let papers: Vec<&str> = papers.iter().map(|p| p.name()).collect();
    json::answer(
        StatusCode::OK,
        &json!({
            "papers": papers,
            "dpis": dpis,
            "max_dpi": print.max_dpi,
            "min_scale": spec::MIN_SCALE,
            "max_scale": spec::MAX_SCALE,
            "layouts": layouts,
        }),
        Caching::Never,
    )
}

/// Reads a JSON request of at most [`MAX_SPEC_BYTES`]; `what` names it
/// in the errors.
pub(crate) async fn read_request<T: DeserializeOwned>(
    body: Body,
    what: &str,
) -> Result<T, ApiError> {
    let bytes = bounded(body, MAX_SPEC_BYTES as u64).await.ok_or_else(|| {
        ApiError::payload_too_large(format!(
            "the {what} is larger than {MAX_SPEC_BYTES} bytes or was cut off"
        ))
    })?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::bad_request(format!("the {what} is not valid: {e}")))
}

/// The map `content` is drawn from, once every layer it names exists for
/// `caller`: a name that does not is refused before a worker is taken
/// (and never counted: it is user input).
pub(crate) fn map_drawing(
    state: &AppState,
    caller: &Caller,
    content: &Content,
) -> Result<Arc<MapService>, ApiError> {
    let map = state
        .map()
        .ok_or_else(|| ApiError::not_found("this portal publishes no map"))?;
    map.catalog
        .view(caller)
        .resolve(&content.layer_ids())
        .map_err(|numis_map::view::ResolveError::NotDefined(name)| {
            ApiError::bad_request(format!("layer {name:?} does not exist"))
        })?;
    Ok(map)
}

/// The answer when the print workers take no more work.
pub(crate) fn refused(refused: Refused) -> ApiError {
    match refused {
        Refused::QueueFull => ApiError::too_many_requests(
            "every print worker is busy and the queue is full; try again in a minute",
            30,
        ),
        Refused::NoId => ApiError::unavailable(
            "the print could not be queued",
            "the system gave no randomness for the job's id",
        ),
        Refused::Store => ApiError::unavailable(
            "the print could not be queued",
            "the store did not take the job",
        ),
    }
}

/// Millimetres to a hundredth: more than any printer resolves.
fn round_mm(mm: f64) -> f64 {
    (mm * 100.0).round() / 100.0
}

async fn submit(
    State(state): State<AppState>,
    headers: HeaderMap,
    session: Option<CurrentSession>,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    let request: PrintRequest = read_request(body, "print spec").await?;
    let caller = caller::of_request(&state.config, &headers, session.as_ref());
    let print = &state.config.print;
    let staff = is_staff(print, &caller);
    let limits = state.config.drawings.rules().limits;
    let spec = request
        .check(print, staff, &limits)
        .map_err(ApiError::bad_request)?;
    check_size(&spec).map_err(ApiError::bad_request)?;
    let map = map_drawing(&state, &caller, &spec.content)?;
    let imprint = Imprint {
        portal: state.site().config().title.clone(),
        base_url: public_base(&headers),
        date: crate::print::today(spec.lang),
    };
    let paper = spec.paper.name();
    let id = state
        .print_jobs
        .submit(move |deadline: Instant| make_pdf(&map, &caller, &spec, &imprint, deadline))
        .await
        .map_err(refused)?;
    state.events.count(Event::Print, Some(paper));
    let mut response = json::answer(
        StatusCode::ACCEPTED,
        &json!({
            "id": id,
            "status": "queued",
            "status_url": format!("/api/print/{id}"),
            "pdf_url": format!("/api/print/{id}/pdf"),
        }),
        Caching::Never,
    );
    if let Ok(location) = HeaderValue::from_str(&format!("/api/print/{id}")) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    Ok(response)
}

async fn status(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response<Body>, ApiError> {
    let job = job_state(&state, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("no such print (prints are kept one hour)"))?;
    let body = match job {
        JobState::Queued => json!({ "id": id, "status": "queued" }),
        JobState::Running => json!({ "id": id, "status": "running" }),
        JobState::Done(pdf) => json!({
            "id": id,
            "status": "done",
            "bytes": pdf.len(),
            "pdf_url": format!("/api/print/{id}/pdf"),
        }),
        JobState::Failed(reason) => json!({ "id": id, "status": "failed", "error": reason }),
    };
    Ok(json::answer(StatusCode::OK, &body, Caching::Never))
}

async fn pdf(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response<Body>, ApiError> {
    match job_state(&state, &id).await? {
        Some(JobState::Done(pdf)) => Ok(private_download(pdf, "application/pdf", "karte.pdf")),
        Some(JobState::Failed(reason)) => Err(ApiError::new(StatusCode::CONFLICT, reason)),
        Some(_) => Err(ApiError::new(
            StatusCode::CONFLICT,
            "the print is not made yet; ask /api/print/{id} until it is done",
        )),
        None => Err(ApiError::not_found(
            "no such print (prints are kept one hour)",
        )),
    }
}

/// The state of print job `id`; 503 when the store cannot be asked.
async fn job_state(state: &AppState, id: &str) -> Result<Option<JobState>, ApiError> {
    state.print_jobs.state(id).await.map_err(|e| {
        tracing::warn!(error = %e, "print job state not read");
        ApiError::unavailable(
            "the print's state cannot be read",
            "the store is unreachable",
        )
    })
}
