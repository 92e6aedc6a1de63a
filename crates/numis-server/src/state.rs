//! What every handler can reach.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};

use numis_cms::Site;
use numis_core::accounts::{AccountService, PasswordHasher, PasswordWorkers};
use numis_core::audit::AuditLog;
use numis_core::drawings::DrawingService;
use numis_store::{
    AccountStore, AuditStore, DrawingStore, LoginFailureStore, PrintJobStore, Store,
};

use crate::access::AccessCounter;
use crate::audit_runs::AuditRuns;
use crate::basic_auth::BasicAuth;
use crate::client::ClientKeys;
use crate::config::Config;
use crate::events::EventCounter;
use crate::external::fetch::Fetcher;
use crate::external::wms_proxy::WmsProxy;
use crate::layer_monitor::LayerMonitor;
use crate::mail::{MailConfigError, Mailer};
use crate::map_service::MapService;
use crate::metrics::Metrics;
use crate::print::jobs::PrintJobs;
use crate::ratelimit::ClientLimit;
use crate::session_cache::SessionCache;

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
    /// Set while the map loads at start-up: the server listens at once and
    /// says "loading" (`/healthz` 503) until the map serves.
    pub map_loading: Arc<AtomicBool>,
    /// While the map loads: the map without its large sources, which the
    /// WMS already draws from (see [`AppState::early_map`]).
    pub early_map: Arc<RwLock<Option<Arc<MapService>>>>,
    /// Persistence: health and statistics.
    pub store: Arc<dyn Store>,
    /// The drawings service (its rules over the drawing store).
    pub drawings: Arc<DrawingService>,
    /// The audit trail of moderation actions.
    pub audit: Arc<AuditLog>,
    /// The privacy audit (`numis audit`) as the console runs it.
    pub audit_runs: Arc<AuditRuns>,
    /// Pending access counters.
    pub access: Arc<AccessCounter>,
    /// Pending anonymous event counts.
    pub events: Arc<EventCounter>,
    /// Prometheus metrics.
    pub metrics: Arc<Metrics>,
    /// Per-layer GetMap counts and drawing times since start.
    pub layer_monitor: Arc<LayerMonitor>,
    /// How many drawings each client may create, counted in memory.
    pub creation_limit: Arc<ClientLimit>,
    /// "Mein NUMIS": accounts, sessions, roles.
    pub accounts: Arc<AccountService>,
    /// Keyed hashes of client addresses for the in-memory limits.
    pub clients: Arc<ClientKeys>,
    /// HTTP Basic credentials of WMS clients that were right lately.
    pub basic_auth: Arc<BasicAuth>,
    /// Live sessions looked up in the last seconds.
    pub session_cache: Arc<SessionCache>,
    /// Mail for password-reset links; `None` without `[accounts.smtp]
    /// host` (then the pages offer no mail).
    pub mailer: Option<Arc<Mailer>>,
    /// Printed maps being made or waiting for their download.
    pub print_jobs: Arc<PrintJobs>,
    /// Requests to other servers made for users (`[external]`).
    pub fetcher: Arc<Fetcher>,
    /// How many of them one client may ask for.
    pub external_limit: Arc<ClientLimit>,
    /// How many map images of other servers' WMS one client may ask for
    /// (a budget of its own: panning asks for many).
    pub external_map_limit: Arc<ClientLimit>,
    /// Other servers' WMS capabilities and images, kept for a while.
    pub wms_proxy: Arc<WmsProxy>,
}

impl AppState {
    /// Builds the state from its parts; `store` keeps statistics,
    /// drawings and accounts. Fails only when accounts are on and
    /// `[accounts.smtp]` names a host but cannot send mail (see
    /// [`crate::mail`]).
    pub fn new<S>(
        config: Config,
        site: Site,
        map: Option<MapService>,
        store: Arc<S>,
    ) -> Result<Self, MailConfigError>
    where
        S: Store
            + DrawingStore
            + AccountStore
            + AuditStore
            + PrintJobStore
            + LoginFailureStore
            + 'static,
    {
        // Without accounts nothing is ever mailed; the setting is not read.
        let mailer = if config.accounts.enabled {
            Mailer::from_config(&config.accounts.smtp)?.map(Arc::new)
        } else {
            None
        };
        let clients = Arc::new(ClientKeys::new(
            config.drawings.client_address_header.as_deref(),
            &config.drawings.trusted_proxies,
        ));
        // Failed logins per pseudonym are counted in the store, so that
        // instances sharing it share the count (see `deploy/README.md`).
        let accounts = AccountService::new(
            store.clone(),
            PasswordWorkers::new(PasswordHasher::new()),
            config.accounts.rules(),
        )
        .with_shared_failures(store.clone());
        let drawings: Arc<dyn DrawingStore> = store.clone();
        let audit: Arc<dyn AuditStore> = store.clone();
        Ok(Self {
            creation_limit: Arc::new(ClientLimit::creation(&config.drawings, clients.clone())),
            print_jobs: Arc::new(PrintJobs::new(&config.print, store.clone())),
            fetcher: Arc::new(config.external.fetcher()),
            external_limit: Arc::new(ClientLimit::per_hour(
                config.external.requests_per_hour,
                config.external.request_burst,
                clients.clone(),
            )),
            external_map_limit: Arc::new(ClientLimit::per_hour(
                config.external.map_requests_per_hour,
                config.external.map_request_burst,
                clients.clone(),
            )),
            wms_proxy: Arc::default(),
            drawings: Arc::new(DrawingService::new(drawings, config.drawings.rules())),
            audit: Arc::new(AuditLog::new(audit)),
            audit_runs: Arc::default(),
            accounts: Arc::new(accounts),
            clients,
            basic_auth: Arc::default(),
            session_cache: Arc::default(),
            config: Arc::new(config),
            site: Arc::new(RwLock::new(Arc::new(site))),
            map: Arc::new(RwLock::new(map.map(Arc::new))),
            map_loading: Arc::default(),
            early_map: Arc::default(),
            store: store as Arc<dyn Store>,
            access: Arc::default(),
            events: Arc::default(),
            metrics: Arc::default(),
            layer_monitor: Arc::default(),
            mailer,
        })
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

    /// Is the map still loading (start-up)?
    pub fn map_loading(&self) -> bool {
        self.map_loading.load(Ordering::Acquire)
    }

    /// Marks the map as loading: `/healthz` and the map services say so
    /// until [`AppState::map_loaded`].
    pub fn start_loading_map(&self) {
        self.map_loading.store(true, Ordering::Release);
    }

    /// Swaps in the map loaded at start-up and ends the loading state.
    pub fn map_loaded(&self, map: Option<MapService>) {
        self.replace_map(map);
        self.map_loading.store(false, Ordering::Release);
        self.set_early_map(None);
    }

    /// The map without its large sources, while they load at start-up:
    /// the WMS draws and queries its layers; everything that describes the
    /// whole map (capabilities, the viewer's catalogue) waits for it.
    pub fn early_map(&self) -> Option<Arc<MapService>> {
        if !self.map_loading() {
            return None;
        }
        match self.early_map.read() {
            Ok(map) => map.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Offers `map` (see [`AppState::early_map`]) until the whole map is
    /// loaded.
    pub fn set_early_map(&self, map: Option<Arc<MapService>>) {
        match self.early_map.write() {
            Ok(mut slot) => *slot = map,
            Err(poisoned) => *poisoned.into_inner() = map,
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
