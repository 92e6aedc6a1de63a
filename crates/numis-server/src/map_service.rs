//! The published map: the catalogue loaded from `map.toml`, its search
//! index, the cache of rendered images and the slots that bound how many
//! renderings run at once. Replaced as a whole when the site's map
//! changes (see [`crate::reload`]).

use std::path::PathBuf;

use axum::body::Bytes;
use numis_map::catalog::Catalog;
use numis_map::render_key::RenderKey;
use numis_map::search::SearchIndex;
use numis_map::service::Answer;
use numis_map::wms::{ExceptionCode, WmsError};
use quick_cache::sync::Cache;
use std::sync::Arc;
use tokio::sync::Semaphore;

use crate::config::WmsConfig;
use crate::open_data::Downloads;

/// The published map and what serving it needs.
pub struct MapService {
    /// Layers and service metadata.
    pub catalog: Catalog,
    /// The viewer's search over the catalogue.
    pub search: SearchIndex,
    /// Open-data files built for downloads, for this map only.
    pub downloads: Downloads,
    cache: Option<Cache<RenderKey, Bytes, ImageWeight>>,
    render_slots: Semaphore,
}

#[derive(Clone)]
struct ImageWeight;

impl quick_cache::Weighter<RenderKey, Bytes> for ImageWeight {
    fn weight(&self, key: &RenderKey, image: &Bytes) -> u64 {
        (key.weight() + image.len()) as u64
    }
}

impl MapService {
    /// Wraps a loaded catalog with a render cache as `[wms]` configures.
    pub fn new(catalog: Catalog, config: &WmsConfig) -> Self {
        let cache = (config.render_cache && config.render_cache_mb > 0).then(|| {
            let bytes = config.render_cache_mb.saturating_mul(1024 * 1024);
            // Typical tiles are 20–80 KB.
            Cache::with_weighter((bytes / 40_000).max(16) as usize, bytes, ImageWeight)
        });
        let cores = std::thread::available_parallelism().map_or(2, std::num::NonZero::get);
        let search = SearchIndex::build(&catalog);
        Self {
            catalog,
            search,
            downloads: Downloads::new(config.download_cache_mb),
            cache,
            render_slots: Semaphore::new(cores),
        }
    }

    /// A rendered image kept for `key`, if any.
    pub fn cached(&self, key: &RenderKey) -> Option<Bytes> {
        self.cache.as_ref().and_then(|c| c.get(key))
    }

    /// Keeps `image` for later requests with the same `key`.
    pub fn remember(&self, key: RenderKey, image: Bytes) {
        if let Some(cache) = &self.cache {
            cache.insert(key, image);
        }
    }

    /// Runs CPU-bound work (rendering, capabilities) on a blocking thread,
    /// at most one per core at a time, so that a burst of maps cannot
    /// starve the threads that answer pages.
    pub async fn render<F>(self: &Arc<Self>, work: F) -> Result<Answer, WmsError>
    where
        F: FnOnce(&MapService) -> Result<Answer, WmsError> + Send + 'static,
    {
        let Ok(_slot) = self.render_slots.acquire().await else {
            return Err(WmsError::new(
                ExceptionCode::NoApplicableCode,
                "the server is shutting down",
            ));
        };
        let map = self.clone();
        tokio::task::spawn_blocking(move || work(&map))
            .await
            .unwrap_or_else(|e| {
                tracing::error!(error = %e, "WMS rendering failed");
                Err(WmsError::new(
                    ExceptionCode::NoApplicableCode,
                    "the request could not be answered",
                ))
            })
    }
}

/// Loads `map.toml` and its data, taking over from `previous` (the map a
/// reload replaces) the data of layers whose files did not change. Problems
/// are logged, each with its place, and the portal serves without a map
/// rather than not at all.
pub async fn load_map(
    site_dir: PathBuf,
    config: &WmsConfig,
    previous: Option<Arc<MapService>>,
) -> Option<MapService> {
    load(site_dir, config, move |dir| {
        Catalog::load_sharing(dir, previous.as_ref().map(|map| &map.catalog))
    })
    .await
}

/// [`load_map`] at start-up, without the layers whose source files are
/// large ([`Catalog::load_small_first`]): what the WMS serves while those
/// load.
pub async fn load_small_first(site_dir: PathBuf, config: &WmsConfig) -> Option<MapService> {
    load(site_dir, config, Catalog::load_small_first).await
}

async fn load(
    site_dir: PathBuf,
    config: &WmsConfig,
    load: impl FnOnce(&std::path::Path) -> Result<Option<Catalog>, Vec<String>> + Send + 'static,
) -> Option<MapService> {
    let started = std::time::Instant::now();
    let root = site_dir.clone();
    let loaded = tokio::task::spawn_blocking(move || load(&site_dir)).await;
    match loaded {
        Ok(Ok(Some(catalog))) => {
            for problem in catalog.source_problems(&root) {
                tracing::error!(problem = %problem, "map layer problem; the rest of the map is served");
            }
            if catalog.pending().is_empty() {
                tracing::info!(
                    layers = catalog.layer_count(),
                    ms = started.elapsed().as_millis() as u64,
                    "map loaded"
                );
            } else {
                tracing::info!(
                    layers = catalog.layer_count(),
                    ms = started.elapsed().as_millis() as u64,
                    waiting = ?catalog.pending(),
                    "map loaded but for its large sources, which load now"
                );
            }
            Some(MapService::new(catalog, config))
        }
        Ok(Ok(None)) => None,
        Ok(Err(problems)) => {
            for problem in problems {
                tracing::error!(problem = %problem, "map problem; the map service is off until it is fixed");
            }
            None
        }
        Err(e) => {
            tracing::error!(error = %e, "map loading failed");
            None
        }
    }
}
