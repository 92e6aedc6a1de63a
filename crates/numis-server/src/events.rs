//! Anonymous event counters (clauses P1, P2): how often something happened
//! on a day, per subject, and nothing else. The subject is only ever an id
//! the operator wrote (a layer or group id from the catalogue, a format
//! name), never user input: no client, session, account, raw query or
//! search term can reach a counter. Kept in memory like the access
//! counters ([`crate::access`]) and written with them by housekeeping.
//!
//! Page views are counted twice on purpose: as access counts under the
//! page's canonical route (with status class and bytes, like every
//! route), and as `page.view` events about that route, so that the
//! dashboard ranks pages without guessing which routes are pages.

use std::collections::HashMap;
use std::sync::Mutex;

use chrono::{NaiveDate, Utc};
use numis_store::{EventCount, Store};

/// What can be counted. The names ([`Event::name`]) are stable: they are
/// the keys in the store and in the operator's statistics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Event {
    /// A content page was shown, about its canonical route.
    PageView,
    /// The full viewer was loaded (`/karte`, `/en/karte`).
    MapView,
    /// The embeddable viewer was loaded.
    EmbedView,
    /// A WMS request, once per request, about its operation
    /// (`GetMap`); the per-layer events below count its layers.
    WmsRequest,
    /// WMS GetCapabilities.
    GetCapabilities,
    /// WMS GetMap, once per requested layer or group.
    GetMap,
    /// WMS GetFeatureInfo, once per queried layer or group.
    GetFeatureInfo,
    /// WMS GetLegendGraphic, per layer.
    GetLegendGraphic,
    /// A WMS request named a layer that does not exist for the caller
    /// (never with a subject: the name is user input).
    UnknownLayer,
    /// A search (count only, never the term).
    Search,
    /// A drawing was created.
    DrawingCreate,
    /// A drawing was copied.
    DrawingCopy,
    /// A drawing was changed.
    DrawingUpdate,
    /// A drawing was deleted.
    DrawingDelete,
    /// A drawing was reported.
    DrawingReport,
    /// A drawing was exported, per format.
    DrawingExport,
    /// A file was converted, per target format.
    DrawingConvert,
    /// A file was read for import or conversion, per its own format
    /// (`kml`, `kmz`, `gpx`, `geojson`).
    Import,
    /// A map was queued for printing, per paper size.
    Print,
    /// An open-data file was downloaded, about `layer/format` (the
    /// operator's layer id and a fixed format id).
    DataDownload,
    /// A successful login.
    AccountLogin,
    /// A successful registration.
    AccountRegister,
    /// Another authority's WMS capabilities were shown (never with a
    /// subject: the service's address is user input).
    ExternalCapabilities,
    /// A map image of another authority's WMS was passed on (no subject).
    ExternalMap,
    /// A legend of another authority's WMS was passed on (no subject).
    ExternalLegend,
    /// An OGC API – Features resource was read, about its kind (`landing`,
    /// `conformance`, `api`, `collections`, `collection`).
    OgcApiRequest,
    /// An OGC API collection's description was read, per collection id.
    OgcApiCollection,
    /// A page of an OGC API collection's features, per collection id.
    OgcApiItems,
    /// One OGC API feature, per collection id.
    OgcApiFeature,
}

impl Event {
    /// The stable name stored for this event.
    pub fn name(self) -> &'static str {
        match self {
            Self::PageView => "page.view",
            Self::MapView => "map.view",
            Self::EmbedView => "embed.view",
            Self::WmsRequest => "wms.request",
            Self::GetCapabilities => "wms.getcapabilities",
            Self::GetMap => "wms.getmap",
            Self::GetFeatureInfo => "wms.getfeatureinfo",
            Self::GetLegendGraphic => "wms.getlegendgraphic",
            Self::UnknownLayer => "wms.unknown_layer",
            Self::Search => "search",
            Self::DrawingCreate => "drawing.create",
            Self::DrawingCopy => "drawing.copy",
            Self::DrawingUpdate => "drawing.update",
            Self::DrawingDelete => "drawing.delete",
            Self::DrawingReport => "drawing.report",
            Self::DrawingExport => "drawing.export",
            Self::DrawingConvert => "drawing.convert",
            Self::Import => "file.import",
            Self::Print => "print",
            Self::DataDownload => "data.download",
            Self::AccountLogin => "account.login",
            Self::AccountRegister => "account.register",
            Self::ExternalCapabilities => "external.capabilities",
            Self::ExternalMap => "external.map",
            Self::ExternalLegend => "external.legend",
            Self::OgcApiRequest => "ogcapi.request",
            Self::OgcApiCollection => "ogcapi.collection",
            Self::OgcApiItems => "ogcapi.items",
            Self::OgcApiFeature => "ogcapi.feature",
        }
    }
}

type Key = (NaiveDate, Event, String);

/// Event counts not yet written to the store.
#[derive(Debug, Default)]
pub struct EventCounter {
    pending: Mutex<HashMap<Key, u64>>,
}

impl EventCounter {
    /// Counts one `event` about `subject`, which must be an id the
    /// operator wrote (or a fixed format name), never user input.
    pub fn count(&self, event: Event, subject: Option<&str>) {
        let key = (
            Utc::now().date_naive(),
            event,
            subject.unwrap_or_default().to_owned(),
        );
        if let Ok(mut pending) = self.pending.lock() {
            *pending.entry(key).or_default() += 1;
        }
    }

    /// Writes the pending counts to `store`. On failure they are kept for
    /// the next attempt, not lost.
    pub async fn flush(&self, store: &dyn Store) -> numis_store::Result<usize> {
        let taken: Vec<(Key, u64)> = match self.pending.lock() {
            Ok(mut pending) => pending.drain().collect(),
            Err(_) => return Ok(0),
        };
        if taken.is_empty() {
            return Ok(0);
        }
        let counts: Vec<EventCount> = taken
            .iter()
            .map(|((day, event, subject), count)| EventCount {
                day: *day,
                event: event.name().to_owned(),
                subject: subject.clone(),
                count: *count,
            })
            .collect();
        match store.add_event_counts(&counts).await {
            Ok(()) => Ok(counts.len()),
            Err(e) => {
                if let Ok(mut pending) = self.pending.lock() {
                    for (key, count) in taken {
                        *pending.entry(key).or_default() += count;
                    }
                }
                Err(e)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::full_disk::FullDisk;

    #[tokio::test]
    async fn event_counts_survive_a_failed_write_and_arrive_later() {
        let counter = EventCounter::default();
        counter.count(Event::GetMap, Some("orthofoto"));
        counter.count(Event::GetMap, Some("orthofoto"));
        counter.count(Event::Search, None);
        assert!(counter.flush(&FullDisk).await.is_err());
        counter.count(Event::GetMap, Some("orthofoto"));
        let dir = tempfile::tempdir().unwrap();
        let store = numis_store::SqlStore::open_sqlite(dir.path())
            .await
            .unwrap();
        assert_eq!(counter.flush(&store).await.unwrap(), 2);
        let today = Utc::now().date_naive();
        let counts = store.event_counts(today, today).await.unwrap();
        let found: Vec<(&str, &str, u64)> = counts
            .iter()
            .map(|c| (c.event.as_str(), c.subject.as_str(), c.count))
            .collect();
        assert_eq!(
            found,
            vec![("search", "", 1), ("wms.getmap", "orthofoto", 3)]
        );
        assert_eq!(counter.flush(&store).await.unwrap(), 0);
    }
}
