//! What the operator's layer monitor knows of each layer of `map.toml`:
//! its source (type and file, never credentials), features, extent, data
//! date, licence, access role, when and how fast its source was loaded or
//! why it could not be, and what the render path counted since the
//! server started ([`crate::layer_monitor`]). One reading for both the
//! JSON API (`/api/admin/layers`) and the console's page, so that they
//! cannot disagree.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

use numis_map::Crs;
use numis_map::catalog::SourceReport;
use numis_map::config::{SourceConfig, Text};

use crate::layer_monitor::{LayerMonitor, LayerStats};
use crate::state::AppState;

/// The access value of a layer anyone may see.
pub const PUBLIC: &str = "public";

/// One configured layer as the monitor shows it.
#[derive(Debug, Clone)]
pub struct LayerReport {
    /// The layer's WMS name.
    pub id: String,
    /// Its title in German and English.
    pub title: Text,
    /// Why its source could not be loaded (the layer is then not served).
    pub error: Option<String>,
    /// Where its features come from.
    pub source: Source,
    /// How many features were loaded; `None` after an error.
    pub features: Option<usize>,
    /// Extent in the map's native CRS (`min x, min y, max x, max y`).
    pub extent_native: Option<[f64; 4]>,
    /// Extent in longitude/latitude (WGS84).
    pub extent_wgs84: Option<[f64; 4]>,
    /// The data's date ("Stand") as configured, possibly empty.
    pub data_date: String,
    /// SPDX id of the licence, possibly empty.
    pub licence_id: String,
    /// Link to the licence text, possibly empty.
    pub licence_url: String,
    /// `public` ([`PUBLIC`]) or the role a caller needs.
    pub access: String,
    /// When loading its source began, in seconds since 1970 (UTC).
    pub loaded_at: i64,
    /// How long loading took.
    pub load_time: Duration,
    /// What the render path counted since the server started.
    pub stats: LayerStats,
}

/// A layer's source: its kind, its file (relative to the site folder, as
/// configured) and, in a GeoPackage, its table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// `geojson` or `geopackage`.
    pub kind: &'static str,
    /// The file as configured.
    pub path: String,
    /// The table of a GeoPackage.
    pub table: Option<String>,
}

/// The map's native CRS, in which the monitor shows extents.
pub const NATIVE_CRS: Crs = Crs::Utm32;

/// Every configured layer in the order of `map.toml`; `None` when the
/// site publishes no map.
pub fn layer_reports(state: &AppState) -> Option<Vec<LayerReport>> {
    let map = state.map()?;
    Some(
        map.catalog
            .source_reports()
            .iter()
            .map(|report| LayerReport::new(report, &state.layer_monitor))
            .collect(),
    )
}

impl LayerReport {
    /// Reads one layer's load `report` and its counters in `monitor`.
    pub fn new(report: &SourceReport<'_>, monitor: &LayerMonitor) -> Self {
        let config = report.config;
        let (features, extent_native, extent_wgs84, error) = match report.outcome {
            Ok(layer) => {
                let extent = |crs: Crs| {
                    match &layer.postgis {
                        Some(postgis) => postgis.extent(crs),
                        None => layer.data.extent(crs),
                    }
                    .map(|r| [r.min().x, r.min().y, r.max().x, r.max().y])
                };
                (
                    // A database's features are counted by the database.
                    layer.postgis.is_none().then(|| layer.data.len()),
                    extent(NATIVE_CRS),
                    extent(Crs::Crs84),
                    None,
                )
            }
            Err(error) => (None, None, None, Some(error.to_owned())),
        };
        Self {
            id: config.id.clone(),
            title: config.title.clone(),
            error,
            source: Source::of(&config.source),
            features,
            extent_native,
            extent_wgs84,
            data_date: config.data_date.clone(),
            licence_id: config.licence.id.clone(),
            licence_url: config.licence.url.clone(),
            access: config.access.clone(),
            loaded_at: unix_seconds(report.loaded_at),
            load_time: report.load_time,
            stats: monitor.stats(&config.id),
        }
    }

    /// Whether anyone may see the layer.
    pub fn is_public(&self) -> bool {
        self.access == PUBLIC
    }
}

impl Source {
    fn of(source: &SourceConfig) -> Self {
        match source {
            SourceConfig::Geojson { path } => Self {
                kind: "geojson",
                path: path.display().to_string(),
                table: None,
            },
            SourceConfig::Geopackage { path, layer } => Self {
                kind: "geopackage",
                path: path.display().to_string(),
                table: layer.clone(),
            },
            // The connection holds credentials: only the table is shown.
            SourceConfig::Postgis(postgis) => Self {
                kind: "postgis",
                path: String::new(),
                table: Some(postgis.table.clone().unwrap_or_else(|| "(SQL)".to_owned())),
            },
        }
    }
}

/// A duration in milliseconds, with fractions.
pub fn millis(duration: Duration) -> f64 {
    duration.as_secs_f64() * 1000.0
}

/// Seconds since 1970 (UTC); 0 before it.
pub fn unix_seconds(time: SystemTime) -> i64 {
    time.duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}
