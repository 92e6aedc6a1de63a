//! The `numis` command: serve the portal, check a configuration and site,
//! purge expired data, manage accounts, move the store.
//!
//! Without a subcommand it serves, so `cargo run --release` in a fresh
//! clone starts the demo portal at <http://127.0.0.1:8080>.

use std::io::IsTerminal;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

mod account;
mod store_command;

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use numis_core::drawings::DrawingService;
use numis_server::Config;
use numis_store::Store;
use tracing_subscriber::EnvFilter;

#[derive(Parser)]
#[command(name = "numis", version, about = "Self-hosted environmental geoportal")]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the portal (the default).
    Serve(CommonArgs),
    /// Validate the configuration and the whole site tree; exit 1 on any problem.
    Check(CommonArgs),
    /// Delete data whose retention time has passed, now.
    Purge(CommonArgs),
    /// Manage accounts: create, list, grant, revoke, reset, block, unblock, delete.
    Account(AccountArgs),
    /// Manage the store: copy it into another database (migrate-to).
    Store(StoreArgs),
    /// Check the running portal's privacy and licence promises live and
    /// print the report (docs/audit.md); exit 1 unless every row holds.
    Audit(AuditArgs),
}

#[derive(Args)]
struct AuditArgs {
    /// The portal to audit [default: the local one, at the configured bind address].
    #[arg(long)]
    url: Option<url::Url>,
    /// The report's format.
    #[arg(long, value_enum, default_value_t = ReportFormat::Md)]
    format: ReportFormat,
    /// Write the report to this file instead of standard output.
    #[arg(long)]
    out: Option<PathBuf>,
    /// The server's log file, searched for the audit's markers (clause P1).
    #[arg(long)]
    log: Option<PathBuf>,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Clone, Copy, clap::ValueEnum)]
enum ReportFormat {
    Md,
    Html,
    Json,
}

#[derive(Args)]
struct StoreArgs {
    #[command(subcommand)]
    command: store_command::StoreCommand,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args)]
struct AccountArgs {
    #[command(subcommand)]
    command: account::AccountCommand,
    #[command(flatten)]
    common: CommonArgs,
}

#[derive(Args, Clone, Default)]
struct CommonArgs {
    /// Configuration file (TOML); every key has a default.
    #[arg(long, env = "NUMIS_CONFIG", global = true)]
    config: Option<PathBuf>,
    /// Address and port to listen on [default: 127.0.0.1:8080; env NUMIS_BIND].
    #[arg(long, global = true)]
    bind: Option<SocketAddr>,
    /// Directory for everything the server writes [default: var; env NUMIS_DATA_DIR].
    #[arg(long, global = true)]
    data_dir: Option<PathBuf>,
    /// The site tree (Grav user/ layout) [default: site; env NUMIS_SITE_DIR].
    #[arg(long, global = true)]
    site_dir: Option<PathBuf>,
}

impl CommonArgs {
    fn merged(self, outer: CommonArgs) -> CommonArgs {
        CommonArgs {
            config: self.config.or(outer.config),
            bind: self.bind.or(outer.bind),
            data_dir: self.data_dir.or(outer.data_dir),
            site_dir: self.site_dir.or(outer.site_dir),
        }
    }

    /// The configuration, with its warnings logged.
    fn load(&self) -> anyhow::Result<Config> {
        let (config, warnings) = self.load_reporting()?;
        for warning in &warnings {
            tracing::warn!("{warning}");
        }
        Ok(config)
    }

    /// The configuration (file, environment, then flags) and its warnings.
    fn load_reporting(&self) -> anyhow::Result<(Config, Vec<String>)> {
        let (mut config, warnings) = Config::load_reporting(self.config.as_deref())?;
        if let Some(bind) = self.bind {
            config.bind = bind;
        }
        if let Some(dir) = &self.data_dir {
            config.data_dir = dir.clone();
        }
        if let Some(dir) = &self.site_dir {
            config.site_dir = dir.clone();
        }
        Ok((config, warnings))
    }
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let outcome = match cli.command {
        None => serve(cli.common),
        Some(Command::Serve(args)) => serve(args.merged(cli.common)),
        Some(Command::Check(args)) => check(args.merged(cli.common)),
        Some(Command::Purge(args)) => purge(args.merged(cli.common)),
        Some(Command::Account(args)) => {
            let common = args.common.merged(cli.common);
            common.load().and_then(|config| {
                runtime()?.block_on(account::run(args.command, &config.store_location()?))
            })
        }
        Some(Command::Audit(args)) => audit(args, cli.common),
        Some(Command::Store(args)) => {
            let common = args.common.merged(cli.common);
            common.load().and_then(|config| {
                runtime()?.block_on(store_command::run(args.command, &config.store_location()?))
            })
        }
    };
    match outcome {
        Ok(code) => code,
        Err(e) => {
            eprintln!("numis: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")
}

fn serve(args: CommonArgs) -> anyhow::Result<ExitCode> {
    let config = args.load()?;
    runtime()?.block_on(numis_server::serve(config))?;
    Ok(ExitCode::SUCCESS)
}

/// Prints every problem of the configuration, the pages and the map as
/// `file:line: message`; exit status 1 if any.
fn check(args: CommonArgs) -> anyhow::Result<ExitCode> {
    let (config, warnings) = args.load_reporting()?;
    // Warnings do not fail the check: what they name still works.
    for warning in &warnings {
        println!("warning: {warning}");
    }
    let report = numis_server::check::run(&config, warnings)?;
    for problem in &report.problems {
        println!("{problem}");
    }
    println!("{}", report.summary(&config));
    Ok(if report.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Audits the portal and writes the report; exit status 1 unless every
/// row holds (or does not apply).
fn audit(args: AuditArgs, outer: CommonArgs) -> anyhow::Result<ExitCode> {
    let common = args.common.merged(outer);
    let config = common.load()?;
    let url = match args.url {
        Some(url) => url,
        None => numis_server::audit_runs::loopback_url(config.bind)?,
    };
    // The data directory is searched only when the portal runs here.
    let same_machine = match url.host() {
        Some(url::Host::Domain(name)) => name == "localhost",
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    let runtime = runtime()?;
    let last_purge = if same_machine {
        runtime.block_on(last_purge(&config))
    } else {
        numis_server::audit::LastPurge::NotRead
    };
    let local = numis_server::audit::Local {
        same_machine,
        log: args.log,
        last_purge,
    };
    let report = runtime.block_on(numis_server::audit::run(
        &config,
        common.config.as_deref(),
        &url,
        &local,
    ));
    let text = match args.format {
        ReportFormat::Md => report.to_markdown(),
        ReportFormat::Html => report.to_html(),
        ReportFormat::Json => report.to_json(),
    };
    match &args.out {
        Some(path) => std::fs::write(path, &text)
            .with_context(|| format!("cannot write {}", path.display()))?,
        None => print!("{text}"),
    }
    Ok(if report.all_hold() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// The store's record of the daily purge (P8), read beside the running
/// server (the store is shared; reading it changes nothing).
async fn last_purge(config: &numis_server::config::Config) -> numis_server::audit::LastPurge {
    use numis_server::audit::LastPurge;
    // Opening a SQLite store that is not there would create one.
    let sqlite = config.store.url.is_none();
    if sqlite && !config.data_dir.join(numis_store::DATABASE_FILE).exists() {
        return LastPurge::NotRead;
    }
    let Ok(location) = config.store_location() else {
        return LastPurge::NotRead;
    };
    let Ok(store) = numis_store::SqlStore::open(&location).await else {
        return LastPurge::NotRead;
    };
    let last = numis_server::housekeeping::last_purge(&store).await;
    store.close().await;
    last
}

fn purge(args: CommonArgs) -> anyhow::Result<ExitCode> {
    let config = args.load()?;
    runtime()?.block_on(async {
        let store = numis_store::SqlStore::open(&config.store_location()?).await?;
        let today = chrono::Utc::now().date_naive();
        let rows = numis_server::access::purge(&store, today, config.stats.retention_days).await?;
        let drawings = DrawingService::new(Arc::new(store.clone()), config.drawings.rules())
            .purge_expired()
            .await?;
        store.ping().await?;
        store.close().await;
        println!(
            "purged {rows} statistics row(s) older than {} days and {drawings} expired drawing(s)",
            config.stats.retention_days
        );
        Ok(ExitCode::SUCCESS)
    })
}
