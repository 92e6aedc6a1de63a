//! `numis store …`: the operator's tools for the store itself. Today one:
//! `migrate-to`, which copies the configured store (a SQLite file, say)
//! into another, empty one (a PostgreSQL database), so that a portal can
//! grow to several instances, or move back, without losing a drawing or
//! an account.

use std::process::ExitCode;

use clap::Subcommand;
use numis_store::{SqlStore, StoreLocation};

/// What `numis store` does.
#[derive(Subcommand)]
pub enum StoreCommand {
    /// Copy every drawing, account, session, saved view, statistic and
    /// audit entry of the configured store into another, empty store, and
    /// check that every table arrived whole. Stop numis first: what it
    /// writes during the copy would be missing. Afterwards set
    /// `[store] url` to the target.
    MigrateTo {
        /// The target: `postgres://user:password@host:port/database`, or
        /// `sqlite:///path/to/data-dir`.
        url: String,
    },
}

/// Runs `command` with the configured store at `source`.
pub async fn run(command: StoreCommand, source: &StoreLocation) -> anyhow::Result<ExitCode> {
    match command {
        StoreCommand::MigrateTo { url } => {
            let target = StoreLocation::from_setting(Some(&url), std::path::Path::new(""))?;
            if &target == source {
                anyhow::bail!("the target is the configured store itself");
            }
            let from = SqlStore::open(source).await?;
            let to = SqlStore::open(&target).await?;
            let outcome = from.copy_into(&to).await;
            from.close().await;
            to.close().await;
            let report = outcome?;
            println!("copied {} into {}:", source.describe(), target.describe());
            for (table, rows) in &report.tables {
                println!("  {table:<16} {rows:>9} row(s), verified");
            }
            println!("set [store] url (or NUMIS_STORE__URL) to the target and start numis");
            Ok(ExitCode::SUCCESS)
        }
    }
}
