//! Configuration: one TOML file (`numis.toml`), every key with a default,
//! `NUMIS_…` environment variables on top (`__` separates sections, so
//! `NUMIS_STATS__RETENTION_DAYS=30` sets `stats.retention_days`).
//!
//! Unknown keys in the file are errors: a typo there would otherwise go
//! unnoticed for good. Unknown `NUMIS_…` variables are only warned about,
//! as martin does: a shell may export variables meant for something else
//! (`NUMIS_TEST_…` belongs to the test suite and is never read here).

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

use crate::external::fetch::Fetcher;
use crate::external::target::{HostRule, TargetRules};

/// Where the server listens. [default: 127.0.0.1:8080]
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
/// Everything the server writes goes here. [default: var]
pub const DEFAULT_DATA_DIR: &str = "var";
/// The Grav `user/`-style site tree. [default: site]
pub const DEFAULT_SITE_DIR: &str = "site";
/// Aggregated statistics are kept this long (two years). [default: 730]
pub const DEFAULT_STATS_RETENTION_DAYS: u32 = 730;
/// Counters are written to the store this often. [default: 10]
pub const DEFAULT_STATS_FLUSH_SECONDS: u64 = 10;
/// Memory for rendered map images. [default: 64]
pub const DEFAULT_RENDER_CACHE_MB: u64 = 64;
/// HSTS max-age when enabled: one year. [default: 31536000]
pub const DEFAULT_HSTS_MAX_AGE: u64 = 31_536_000;
/// Days a drawing is kept after its last change (clause P8).
pub const DEFAULT_DRAWING_RETENTION_DAYS: u32 = numis_core::drawings::DEFAULT_RETENTION_DAYS;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Address and port to listen on. [default: 127.0.0.1:8080]
    pub bind: SocketAddr,
    /// Directory for everything the server writes (database). [default: var]
    pub data_dir: PathBuf,
    /// The site tree: pages, languages, config, templates, assets. [default: site]
    pub site_dir: PathBuf,
    /// Where drawings, accounts, sessions, statistics and the audit trail
    /// are kept.
    pub store: StoreConfig,
    /// Access statistics.
    pub stats: StatsConfig,
    /// HTTP security headers.
    pub security: SecurityConfig,
    /// The map service.
    pub wms: WmsConfig,
    /// Drawings and their share links.
    pub drawings: DrawingsConfig,
    /// The portal's operator: moderation and restricted layers.
    pub operator: OperatorConfig,
    /// "Mein NUMIS": optional pseudonymous accounts.
    pub accounts: AccountsConfig,
    /// Printed maps (PDF).
    pub print: PrintConfig,
    /// Other servers' data loaded for users (external WMS, files by URL).
    pub external: ExternalConfig,
    /// The file this configuration was read from (`--config`,
    /// `NUMIS_CONFIG`), if any. Not a key: set by [`Config::load_reporting`],
    /// so that the console's audit can name the configuration by the
    /// SHA-256 of this file, as `numis audit` does.
    #[serde(skip)]
    pub file: Option<PathBuf>,
}

/// `[store]`: the database. Unset, a SQLite file in the data directory;
/// a `postgres://` URL, a PostgreSQL database that any number of numis
/// instances share (see `deploy/README.md`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// `postgres://user:password@host:port/database` (libpq's URL; a
    /// schema other than `public` with `?options=-c%20search_path%3Dname`),
    /// or `sqlite:///path/to/data-dir`. [default: unset, SQLite in
    /// `data_dir`]
    pub url: Option<String>,
}

impl Config {
    /// Where the store is: `[store] url`, or SQLite in `data_dir`.
    pub fn store_location(&self) -> numis_store::Result<numis_store::StoreLocation> {
        numis_store::StoreLocation::from_setting(self.store.url.as_deref(), &self.data_dir)
    }
}

/// Which other servers numis loads data from for users.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExternalMode {
    /// Any server on a public address, except `deny_hosts`.
    Open,
    /// Only `allow_hosts`.
    Listed,
    /// None: the feature is off.
    Off,
}

/// `[external]`: other servers' data, loaded for users through numis so
/// that no citizen's browser contacts them (P3), and only from public
/// addresses (never this machine or its networks).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ExternalConfig {
    /// `open`, `listed` or `off`. [default: open]
    pub mode: ExternalMode,
    /// With `listed`: the host names allowed (subdomains included).
    pub allow_hosts: Vec<String>,
    /// With `open`: host names never contacted (subdomains included).
    pub deny_hosts: Vec<String>,
    /// Ports allowed besides 80 and 443. [default: none]
    pub extra_ports: Vec<u16>,
    /// Seconds to connect. [default: 5]
    pub connect_seconds: u64,
    /// Seconds for a whole request, redirects included. [default: 20]
    pub timeout_seconds: u64,
    /// Requests one client may have numis make per hour on average (0:
    /// no limit), counted in memory under a keyed hash of the address as
    /// drawings are. [default: 600]
    pub requests_per_hour: u32,
    /// Of those, how many at once. [default: 60]
    pub request_burst: u32,
    /// Map images of other servers' WMS one client may have numis fetch
    /// per hour on average (0: no limit); a separate, larger budget,
    /// because a panning user asks for one image per view and layer;
    /// images answered from the cache are not counted. [default: 3600]
    pub map_requests_per_hour: u32,
    /// Of those, how many at once. [default: 120]
    pub map_request_burst: u32,
    /// For the test suite only, which serves a "third party" on this
    /// machine: allow loopback addresses. Never set it in production.
    /// [default: false]
    pub allow_loopback_for_tests: bool,
}

impl Default for ExternalConfig {
    fn default() -> Self {
        Self {
            mode: ExternalMode::Open,
            allow_hosts: Vec::new(),
            deny_hosts: Vec::new(),
            extra_ports: Vec::new(),
            connect_seconds: 5,
            timeout_seconds: 20,
            requests_per_hour: 600,
            request_burst: 60,
            map_requests_per_hour: 3600,
            map_request_burst: 120,
            allow_loopback_for_tests: false,
        }
    }
}

impl ExternalConfig {
    /// The rules of requests made for users.
    pub fn rules(&self) -> TargetRules {
        TargetRules {
            hosts: match self.mode {
                ExternalMode::Open => HostRule::AnyExcept(self.deny_hosts.clone()),
                ExternalMode::Listed => HostRule::Only(self.allow_hosts.clone()),
                ExternalMode::Off => HostRule::Off,
            },
            extra_ports: self.extra_ports.clone(),
            allow_loopback: self.allow_loopback_for_tests,
            admitted: None,
        }
    }

    /// The fetcher for these rules, naming itself numis.
    pub fn fetcher(&self) -> Fetcher {
        Fetcher::new(
            self.rules(),
            format!("numis/{} (geoportal)", env!("CARGO_PKG_VERSION")),
            Duration::from_secs(self.connect_seconds.clamp(1, 60)),
            Duration::from_secs(self.timeout_seconds.clamp(1, 300)),
        )
    }
}

/// `[print]`: printed maps as PDF, made by a bounded pool of workers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrintConfig {
    /// Prints made at the same time. [default: the number of cores]
    pub workers: usize,
    /// Prints waiting for a worker; beyond this a print is refused with
    /// 429. [default: 16]
    pub queue: usize,
    /// The finest resolution a print may ask for. [default: 300]
    pub max_dpi: u32,
    /// Seconds one print may take (fractions allowed, from 0.01 to 3600).
    /// [default: 60]
    pub job_seconds: f64,
    /// Minutes a finished print is kept for its download. [default: 60]
    pub keep_minutes: u64,
    /// Paper sizes anyone may print. [default: ["A5", "A4", "A3"]]
    pub papers: Vec<String>,
    /// Paper sizes for staff: accounts holding `staff_role` (and the
    /// operator). [default: ["A2", "A1", "A0"]]
    pub staff_papers: Vec<String>,
    /// The role that makes an account staff. [default: "staff"]
    pub staff_role: String,
}

impl Default for PrintConfig {
    fn default() -> Self {
        Self {
            workers: std::thread::available_parallelism().map_or(2, usize::from),
            queue: 16,
            max_dpi: 300,
            job_seconds: 60.0,
            keep_minutes: 60,
            papers: ["A5", "A4", "A3"].map(String::from).to_vec(),
            staff_papers: ["A2", "A1", "A0"].map(String::from).to_vec(),
            staff_role: "staff".into(),
        }
    }
}

/// `[operator]`: who may moderate drawings and see restricted layers until
/// accounts with roles exist.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OperatorConfig {
    /// Token that whoever sends `Authorization: Bearer <token>` is the
    /// operator with: moderation of drawings (`/api/admin/…`) and every
    /// restricted layer (`access = "<role>"` in map.toml). Unset: neither
    /// exists for anybody. [default: none]
    pub token: Option<String>,
}

impl Config {
    /// The operator token in force: `[operator] token`, else the deprecated
    /// `[wms] operator_token`; an empty token is no token.
    pub fn operator_token(&self) -> Option<&str> {
        self.operator
            .token
            .as_deref()
            .or(self.wms.operator_token.as_deref())
            .filter(|t| !t.is_empty())
    }
}

/// `[drawings]`: the drawings store (clauses P4, P7–P12).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DrawingsConfig {
    /// Days a drawing is kept after its last change. [default: 365]
    pub retention_days: u32,
    /// Largest upload in bytes. [default: 5242880]
    pub max_upload_bytes: u64,
    /// Most features in one drawing. [default: 10000]
    pub max_features: usize,
    /// Most vertices in one drawing. [default: 500000]
    pub max_vertices: usize,
    /// Drawings one client may create (or copy) per hour on average; 0
    /// switches the limit off. Counted in memory only. [default: 60]
    pub creates_per_hour: u32,
    /// Drawings one client may create at once before the hourly rate
    /// applies. [default: 20]
    pub create_burst: u32,
    /// Behind a reverse proxy: the header carrying the client's address
    /// (e.g. `X-Real-IP`, or `X-Forwarded-For`, whose last entry counts).
    /// Unset: the peer's address. [default: none]
    pub client_address_header: Option<String>,
    /// The proxies whose `client_address_header` is believed, as networks
    /// (`10.0.0.5/32`, `fd00::/8`); a request from any other peer is
    /// counted under the peer's own address, so that a client reaching
    /// an instance directly cannot name itself anybody.
    /// [default: ["127.0.0.0/8", "::1/128"], a proxy on the same machine]
    pub trusted_proxies: Vec<ipnet::IpNet>,
}

/// A proxy on the same machine: the loopback networks.
fn default_trusted_proxies() -> Vec<ipnet::IpNet> {
    ["127.0.0.0/8", "::1/128"]
        .iter()
        .filter_map(|net| net.parse().ok())
        .collect()
}

impl DrawingsConfig {
    /// The rules of the drawings service that this section sets.
    pub fn rules(&self) -> numis_core::drawings::DrawingRules {
        numis_core::drawings::DrawingRules {
            retention_days: self.retention_days,
            limits: numis_formats::Limits {
                max_bytes: self.max_upload_bytes,
                max_features: self.max_features,
                max_vertices: self.max_vertices,
                ..numis_formats::Limits::default()
            },
        }
    }
}

impl Default for DrawingsConfig {
    fn default() -> Self {
        Self {
            retention_days: DEFAULT_DRAWING_RETENTION_DAYS,
            max_upload_bytes: numis_formats::DEFAULT_MAX_BYTES,
            max_features: numis_formats::DEFAULT_MAX_FEATURES,
            max_vertices: numis_formats::DEFAULT_MAX_VERTICES,
            creates_per_hour: 60,
            create_burst: 20,
            client_address_header: None,
            trusted_proxies: default_trusted_proxies(),
        }
    }
}

/// `[wms]`: serving the map.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WmsConfig {
    /// Keep rendered GetMap images for repeated requests; switch off to
    /// measure rendering. [default: true]
    pub render_cache: bool,
    /// Memory for the render cache in MiB. [default: 64]
    pub render_cache_mb: u64,
    /// Memory for built open-data downloads in MiB (0: build every
    /// download anew). [default: 128]
    pub download_cache_mb: u64,
    /// Deprecated: `[operator] token`, which it stands for until the next
    /// release (with a warning). [default: none]
    pub operator_token: Option<String>,
}

impl Default for WmsConfig {
    fn default() -> Self {
        Self {
            render_cache: true,
            render_cache_mb: DEFAULT_RENDER_CACHE_MB,
            download_cache_mb: crate::open_data::DEFAULT_CACHE_MB,
            operator_token: None,
        }
    }
}

/// `[stats]`: the aggregated, anonymous access statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct StatsConfig {
    /// Days to keep daily counts before they are purged. [default: 730]
    pub retention_days: u32,
    /// Seconds between writes of the in-memory counters. [default: 10]
    pub flush_seconds: u64,
}

/// `[accounts]`: "Mein NUMIS", the optional pseudonymous accounts
/// (clauses P3, P4, P5, L7, L8). Their session cookie is the only cookie
/// numis sets, and only after a login.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AccountsConfig {
    /// Offer registration and login; off: no account pages, no cookies,
    /// restricted layers only with the operator token. [default: true]
    pub enabled: bool,
    /// A session ends after this many minutes without a request.
    /// [default: 120]
    pub idle_minutes: u32,
    /// A session ends this many hours after the login at the latest.
    /// [default: 12]
    pub max_hours: u32,
    /// "Angemeldet bleiben": days a remembered session (the only permanent
    /// cookie) lasts. [default: 30]
    pub remember_days: u32,
    /// Accounts not used for this many days are erased by the daily purge
    /// (clause L8). [default: 730]
    pub inactive_days: u32,
    /// Whether operators see the voluntary profile fields (e-mail, name,
    /// organisation, address) of other accounts in the console. Off, the
    /// console says they are hidden: a pseudonymous account is not to be
    /// tied to a person by whoever runs the portal (clause P4).
    /// [default: false]
    pub operators_see_profiles: bool,
    /// Mail for password-reset links; without a host there is no mail
    /// feature (recovery codes always work).
    pub smtp: SmtpConfig,
}

impl AccountsConfig {
    /// The account service's rules that this section sets.
    pub fn rules(&self) -> numis_core::accounts::AccountRules {
        use std::time::Duration;
        let minutes = |m: u32| Duration::from_secs(u64::from(m.max(1)) * 60);
        numis_core::accounts::AccountRules {
            session: numis_core::accounts::SessionPolicy {
                idle: minutes(self.idle_minutes),
                absolute: minutes(self.max_hours.saturating_mul(60)),
                remember: minutes(self.remember_days.saturating_mul(24 * 60)),
            },
            inactive_days: self.inactive_days.max(1),
            ..numis_core::accounts::AccountRules::default()
        }
    }
}

impl Default for AccountsConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            idle_minutes: 120,
            max_hours: 12,
            remember_days: 30,
            inactive_days: numis_core::accounts::DEFAULT_INACTIVE_DAYS,
            operators_see_profiles: false,
            smtp: SmtpConfig::default(),
        }
    }
}

/// `[accounts.smtp]`: the mail server for password-reset links. With a
/// `host`, `from` and `public_url` are needed too; a setting that cannot
/// send mail (missing or malformed `from`, no http(s) `public_url`, an
/// unknown `security`, `username` without `password`) stops the server at
/// start with a message naming the key (see `crate::mail`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// Host name of the mail server; unset: no mail. [default: none]
    pub host: Option<String>,
    /// Port. [default: 587]
    pub port: u16,
    /// `starttls` (port 587), `tls` (port 465) or `none` (a local relay
    /// only). [default: starttls]
    pub security: String,
    /// Login name at the mail server, if it asks for one. [default: none]
    pub username: Option<String>,
    /// Password at the mail server. [default: none]
    pub password: Option<String>,
    /// The sender, e.g. `NUMIS <noreply@example.org>`. [default: none]
    pub from: Option<String>,
    /// The portal's public address for the link in the mail, e.g.
    /// `https://numis.example.org`. [default: none]
    pub public_url: Option<String>,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            security: "starttls".to_owned(),
            username: None,
            password: None,
            from: None,
            public_url: None,
        }
    }
}

/// `[security]`: headers for deployments behind TLS.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityConfig {
    /// Send `Strict-Transport-Security` (only for TLS deployments). [default: false]
    pub hsts: bool,
    /// `max-age` of HSTS in seconds. [default: 31536000]
    pub hsts_max_age: u64,
    /// Visitors reach numis over HTTPS (through a proxy that terminates
    /// TLS): the session cookie gets `Secure` and the `__Host-` prefix.
    /// [default: false]
    pub tls: bool,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            bind: DEFAULT_BIND
                .parse()
                .unwrap_or_else(|_| SocketAddr::from(([127, 0, 0, 1], 8080))),
            data_dir: DEFAULT_DATA_DIR.into(),
            site_dir: DEFAULT_SITE_DIR.into(),
            store: StoreConfig::default(),
            stats: StatsConfig::default(),
            security: SecurityConfig::default(),
            wms: WmsConfig::default(),
            drawings: DrawingsConfig::default(),
            operator: OperatorConfig::default(),
            accounts: AccountsConfig::default(),
            print: PrintConfig::default(),
            external: ExternalConfig::default(),
            file: None,
        }
    }
}

impl Default for StatsConfig {
    fn default() -> Self {
        Self {
            retention_days: DEFAULT_STATS_RETENTION_DAYS,
            flush_seconds: DEFAULT_STATS_FLUSH_SECONDS,
        }
    }
}

impl Default for SecurityConfig {
    fn default() -> Self {
        Self {
            hsts: false,
            hsts_max_age: DEFAULT_HSTS_MAX_AGE,
            tls: false,
        }
    }
}

/// A configuration that could not be read.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(String);

/// The prefix of the server's environment variables.
const ENV_PREFIX: &str = "NUMIS_";
/// Variables with this prefix belong to the test suite.
const TEST_ENV_PREFIX: &str = "NUMIS_TEST_";
/// `NUMIS_CONFIG` names the file itself, it is not a key.
const CONFIG_FILE_VARIABLE: &str = "NUMIS_CONFIG";

impl Config {
    /// Defaults, then the TOML file `file` (which must exist when given),
    /// then `NUMIS_*` variables from the process environment. Warnings
    /// (unknown variables, deprecated keys) are logged.
    pub fn load(file: Option<&Path>) -> Result<Self, ConfigError> {
        let (config, warnings) = Self::load_reporting(file)?;
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        Ok(config)
    }

    /// As [`Config::load`], with the warnings returned rather than logged,
    /// so that `numis check` can print them.
    pub fn load_reporting(file: Option<&Path>) -> Result<(Self, Vec<String>), ConfigError> {
        let keys = known_keys();
        let env = Env::prefixed(ENV_PREFIX).filter(move |name| {
            keys.iter()
                .any(|key| name.as_str().eq_ignore_ascii_case(key))
        });
        let mut config = Self::load_with_env(file, env)?;
        config.file = file.map(Path::to_path_buf);
        let warnings = config.warnings(std::env::vars_os());
        Ok((config, warnings))
    }

    /// The warnings about this configuration given the process variables
    /// `vars`: unknown `NUMIS_…` variables, then deprecated keys.
    pub fn warnings(&self, vars: impl IntoIterator<Item = (OsString, OsString)>) -> Vec<String> {
        let mut warnings = unknown_variables(vars);
        warnings.extend(self.deprecations());
        warnings
    }

    /// Defaults, the file, then the environment provider given (tests use
    /// figment's `Jail` or a differently prefixed provider).
    pub fn load_with_env(file: Option<&Path>, env: Env) -> Result<Self, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.is_file() {
                return Err(ConfigError(format!(
                    "{}: configuration file not found",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file_exact(file));
        }
        figment = figment.merge(env.ignore(&["config"]).split("__"));
        figment
            .extract()
            .map_err(|e| ConfigError(describe(&e, file)))
    }

    /// Keys that still work but will go.
    fn deprecations(&self) -> Vec<String> {
        let mut warnings = Vec::new();
        if self.wms.operator_token.is_some() {
            warnings.push(
                "`[wms] operator_token` (NUMIS_WMS__OPERATOR_TOKEN) is deprecated and will be \
                 removed in the next release: use `[operator] token` (NUMIS_OPERATOR__TOKEN)"
                    .to_owned(),
            );
            if self.operator.token.is_some() {
                warnings.push(
                    "both `[operator] token` and the deprecated `[wms] operator_token` are set; \
                     `[operator] token` counts"
                        .to_owned(),
                );
            }
        }
        warnings
    }
}

/// A warning for every `NUMIS_…` variable that names no configuration key
/// (the value is never repeated: it may be a secret).
fn unknown_variables(vars: impl IntoIterator<Item = (OsString, OsString)>) -> Vec<String> {
    let keys = known_keys();
    let mut warnings: Vec<String> = vars
        .into_iter()
        .filter_map(|(name, _)| name.into_string().ok())
        .filter(|name| {
            let upper = name.to_ascii_uppercase();
            upper.starts_with(ENV_PREFIX)
                && !upper.starts_with(TEST_ENV_PREFIX)
                && upper != CONFIG_FILE_VARIABLE
                && !keys
                    .iter()
                    .any(|key| upper[ENV_PREFIX.len()..].eq_ignore_ascii_case(key))
        })
        .map(|name| format!("environment variable {name} is not a numis setting; ignored"))
        .collect();
    warnings.sort();
    warnings
}

/// Every key of the configuration as its variable names it after the
/// prefix (`drawings__max_features`), read off the defaults so that a new
/// key needs no second list.
fn known_keys() -> Vec<String> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<String>) {
        match value {
            serde_json::Value::Object(map) => {
                for (name, inner) in map {
                    let key = if prefix.is_empty() {
                        name.clone()
                    } else {
                        format!("{prefix}__{name}")
                    };
                    walk(&key, inner, out);
                }
            }
            _ => out.push(prefix.to_owned()),
        }
    }
    let mut keys = Vec::new();
    if let Ok(defaults) = serde_json::to_value(Config::default()) {
        walk("", &defaults, &mut keys);
    }
    keys
}

fn describe(error: &figment::Error, file: Option<&Path>) -> String {
    let mut text = String::new();
    for e in error.clone() {
        let place = match (&e.metadata, file) {
            (Some(meta), Some(file)) if meta.name.contains("TOML") => {
                format!("{}: ", file.display())
            }
            (Some(meta), _) => format!("{}: ", meta.name),
            _ => String::new(),
        };
        let key = if e.path.is_empty() {
            String::new()
        } else {
            format!("key `{}`: ", e.path.join("."))
        };
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(&format!("{place}{key}{}", e.kind));
    }
    text
}

#[cfg(test)]
#[allow(
    clippy::result_large_err,
    reason = "figment's Jail API returns its large error type"
)]
mod tests {
    use super::*;

    #[test]
    fn defaults_need_no_file() {
        let config = Config::load_with_env(None, Env::prefixed("NUMIS_TEST_NONE_")).unwrap();
        assert_eq!(config.bind.to_string(), DEFAULT_BIND);
        assert_eq!(config.stats.retention_days, 730);
    }

    #[test]
    fn the_documented_example_states_the_defaults() {
        let example = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/numis.example.toml");
        let config =
            Config::load_with_env(Some(&example), Env::prefixed("NUMIS_TEST_NONE_")).unwrap();
        assert_eq!(config, Config::default());
    }

    #[test]
    fn a_file_and_the_environment_override_defaults() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "numis.toml",
                "data_dir = \"/srv/numis\"\n[stats]\nretention_days = 30\n",
            )?;
            jail.set_env("NUMIS_BIND", "0.0.0.0:9000");
            jail.set_env("NUMIS_STATS__FLUSH_SECONDS", "2");
            jail.set_env("NUMIS_CONFIG", "numis.toml");
            let config = Config::load(Some(Path::new("numis.toml"))).unwrap();
            assert_eq!(config.bind.to_string(), "0.0.0.0:9000");
            assert_eq!(config.data_dir, PathBuf::from("/srv/numis"));
            assert_eq!(config.stats.retention_days, 30);
            assert_eq!(config.stats.flush_seconds, 2);
            Ok(())
        });
    }

    #[test]
    fn trusted_proxies_are_networks_and_a_bad_one_is_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file(
                "numis.toml",
                "[drawings]\ntrusted_proxies = [\"10.0.0.5/32\", \"fd00::/8\"]\n",
            )?;
            let config = Config::load(Some(Path::new("numis.toml"))).unwrap();
            let nets: Vec<String> = config
                .drawings
                .trusted_proxies
                .iter()
                .map(ToString::to_string)
                .collect();
            assert_eq!(nets, ["10.0.0.5/32", "fd00::/8"]);
            jail.create_file("numis.toml", "[drawings]\ntrusted_proxies = [\"nginx\"]\n")?;
            let error = Config::load(Some(Path::new("numis.toml")))
                .unwrap_err()
                .to_string();
            assert!(error.contains("trusted_proxies"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn unknown_keys_and_bad_values_are_named() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("numis.toml", "[stats]\nretention_dayz = 3\n")?;
            let error = Config::load(Some(Path::new("numis.toml")))
                .unwrap_err()
                .to_string();
            assert!(error.contains("retention_dayz"), "{error}");
            jail.create_file("numis.toml", "bind = \"nowhere\"\n")?;
            let error = Config::load(Some(Path::new("numis.toml")))
                .unwrap_err()
                .to_string();
            assert!(error.contains("bind"), "{error}");
            Ok(())
        });
    }

    #[test]
    fn unknown_variables_are_warned_about_and_do_not_stop_the_server() {
        figment::Jail::expect_with(|jail| {
            jail.set_env("NUMIS_SHARED_DIR", "/elsewhere");
            jail.set_env("NUMIS_TEST_SHARED_DIR", "/elsewhere");
            jail.set_env("NUMIS_STATS__RETENTION_DAYS", "9");
            let (config, warnings) = Config::load_reporting(None).unwrap();
            assert_eq!(config.stats.retention_days, 9);
            assert_eq!(
                warnings,
                ["environment variable NUMIS_SHARED_DIR is not a numis setting; ignored"],
                "the test suite's own NUMIS_TEST_ variables are not mentioned"
            );
            Ok(())
        });
    }

    #[test]
    fn the_operator_token_moved_to_its_own_section_and_the_old_key_still_works() {
        figment::Jail::expect_with(|jail| {
            jail.create_file("new.toml", "[operator]\ntoken = \"geheim\"\n")?;
            let (config, warnings) = Config::load_reporting(Some(Path::new("new.toml"))).unwrap();
            assert_eq!(config.operator_token(), Some("geheim"));
            assert!(warnings.is_empty(), "{warnings:?}");
            assert_eq!(config.file.as_deref(), Some(Path::new("new.toml")));

            jail.create_file("old.toml", "[wms]\noperator_token = \"alt\"\n")?;
            let (config, warnings) = Config::load_reporting(Some(Path::new("old.toml"))).unwrap();
            assert_eq!(config.operator_token(), Some("alt"));
            assert_eq!(warnings.len(), 1, "{warnings:?}");
            assert!(warnings[0].contains("deprecated"), "{warnings:?}");

            jail.set_env("NUMIS_OPERATOR__TOKEN", "neu");
            let (config, warnings) = Config::load_reporting(Some(Path::new("old.toml"))).unwrap();
            assert_eq!(config.operator_token(), Some("neu"), "the new key counts");
            assert_eq!(warnings.len(), 2, "{warnings:?}");

            jail.set_env("NUMIS_OPERATOR__TOKEN", "");
            jail.create_file("empty.toml", "")?;
            let (config, _) = Config::load_reporting(Some(Path::new("empty.toml"))).unwrap();
            assert_eq!(config.operator_token(), None, "an empty token is no token");
            Ok(())
        });
    }
}
