//! A layer's measurements from its OGC SensorThings API: the engine's
//! reading ([`numis_map::series::sensorthings`]) says what to fetch and
//! reads the pages; here each is fetched through the safe fetcher
//! ([`super::fetch`]), which admits the configured service's origin but
//! keeps every other rule — public addresses only, pinned, redirects
//! checked, bounded in time and size, nothing of the user's sent — and
//! the whole answer is bounded by the layer's `timeout_seconds`.

use std::time::Duration;

use numis_map::series::Series;
use numis_map::series::sensorthings::{
    CONTENT_TYPES, MAX_PAGE_BYTES, Reading, SensorThings, SensorThingsError, Step,
};

use super::fetch::{Expect, FetchError, Fetcher};

/// Why the service gave no series.
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// A request failed or was refused.
    #[error(transparent)]
    Fetch(#[from] FetchError),
    /// An answer could not be read, or asked for too much.
    #[error(transparent)]
    Protocol(#[from] SensorThingsError),
    /// The whole answer took too long.
    #[error("the service did not answer within {0} s")]
    Timeout(u64),
}

/// Runs `reading` of `service` to its end: the series, or `None` when no
/// Thing has the station's key.
pub async fn read(
    fetcher: &Fetcher,
    service: &SensorThings,
    reading: Reading<'_>,
) -> Result<Option<Vec<Series>>, ServiceError> {
    let seconds = service.timeout_seconds();
    let fetcher = fetcher.admitting(service.service());
    tokio::time::timeout(Duration::from_secs(seconds), drive(&fetcher, reading))
        .await
        .map_err(|_| ServiceError::Timeout(seconds))?
}

async fn drive(
    fetcher: &Fetcher,
    mut reading: Reading<'_>,
) -> Result<Option<Vec<Series>>, ServiceError> {
    let expect = Expect {
        max_bytes: MAX_PAGE_BYTES,
        content_types: CONTENT_TYPES,
    };
    loop {
        match reading.step() {
            Step::Fetch(request) => {
                let page = fetcher.get(&request.url, expect).await?;
                reading.receive(&page.bytes)?;
            }
            Step::Done(found) => return Ok(found),
        }
    }
}
