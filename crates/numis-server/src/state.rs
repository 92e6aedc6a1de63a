//! What every handler can reach.

use crate::ratelimit::CreationLimit;
use std::sync::{Arc, RwLock};

use numis_cms::Site;
use numis_core::drawings::DrawingService;
use numis_store::{DrawingStore, Store};

use crate::access::AccessCounter;
use crate::config::Config;
use crate::map_service::MapService;
use crate::metrics::Metrics;

/// Application state, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    /// The configuration in force.
    pub config: Arc<Config>,
    /// The content site; replaced as a whole when its files change.
    pub site: Arc<RwLock<Arc<Site>>>,
    /// The published map (`map.toml`), if the site has one; replaced as a
    /// whole on reload, which also empties its render cache.
    pub map: Arc<RwLock<Option<Arc<MapService>>>>,
    /// Persistence: health and statistics.
    pub store: Arc<dyn Store>,
    /// The drawings service (its rules over the drawing store).
    pub drawings: Arc<DrawingService>,
    /// Pending access counters.
    pub access: Arc<AccessCounter>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// How many drawings each client may create, counted in memory.
    pub creation_limit: Arc<CreationLimit>,
}

impl AppState {
    /// Builds the state from its parts.
    pub fn new(
        config: Config,
        site: Site,
        map: Option<MapService>,
        store: Arc<dyn Store>,
        drawings: Arc<dyn DrawingStore>,
    ) -> Self {
        Self {
            creation_limit: Arc::new(CreationLimit::new(&config.drawings)),
            drawings: Arc::new(DrawingService::new(drawings, config.drawings.rules())),
            config: Arc::new(config),
            site: Arc::new(RwLock::new(Arc::new(site))),
            map: Arc::new(RwLock::new(map.map(Arc::new))),
            store,
            access: Arc::default(),
            metrics: Arc::default(),
        }
    }

    /// The current site.
    pub fn site(&self) -> Arc<Site> {
        match self.site.read() {
            Ok(site) => site.clone(),
            // A panic while swapping cannot leave a half-written Arc behind.
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// The current map service, if any.
    pub fn map(&self) -> Option<Arc<MapService>> {
        match self.map.read() {
            Ok(map) => map.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Swaps in a freshly loaded map.
    pub fn replace_map(&self, map: Option<MapService>) {
        let map = map.map(Arc::new);
        match self.map.write() {
            Ok(mut slot) => *slot = map,
            Err(poisoned) => *poisoned.into_inner() = map,
        }
    }

    /// Swaps in a freshly loaded site.
    pub fn replace_site(&self, site: Site) {
        let site = Arc::new(site);
        match self.site.write() {
            Ok(mut slot) => *slot = site,
            Err(poisoned) => *poisoned.into_inner() = site,
        }
    }
}
