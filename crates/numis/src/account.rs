//! `numis account …`: the operator's accounts on the command line. The
//! first operator account is made here, and roles that unlock restricted
//! layers are granted here.
//!
//! Passwords are never taken from arguments (they would end up in shell
//! histories and process lists): they are read from the terminal without
//! echo, or with `--password-stdin` as the first line of standard input
//! (for scripts). The operator sees pseudonyms, roles and dates, never
//! passwords or the voluntary profile fields.

use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context;
use clap::{Args, Subcommand, ValueEnum};
use numis_core::accounts::{AccountRules, AccountService, PasswordHasher, PasswordWorkers};
use numis_store::{OwnedDrawings, SqlStore, StoreLocation};

/// What `numis account` does.
#[derive(Subcommand)]
pub enum AccountCommand {
    /// Create an account (the password is asked for).
    Create {
        /// The pseudonym.
        pseudonym: String,
        /// A role to grant, e.g. `operator` or a layer's `access` role (repeatable).
        #[arg(long = "role")]
        roles: Vec<String>,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// List every account: pseudonym, roles, registered, last seen, blocked.
    List,
    /// Grant a role.
    Grant {
        /// The pseudonym.
        pseudonym: String,
        /// The role.
        role: String,
    },
    /// Take a role away.
    Revoke {
        /// The pseudonym.
        pseudonym: String,
        /// The role.
        role: String,
    },
    /// Set a new password (asked for) and end every session of the account.
    Reset {
        /// The pseudonym.
        pseudonym: String,
        #[command(flatten)]
        password: PasswordSource,
    },
    /// Block an account: it cannot log in, its sessions end.
    Block {
        /// The pseudonym.
        pseudonym: String,
    },
    /// Let a blocked account log in again.
    Unblock {
        /// The pseudonym.
        pseudonym: String,
    },
    /// Erase an account and every row that belongs to it.
    Delete {
        /// The pseudonym.
        pseudonym: String,
        /// What happens to the account's drawings.
        #[arg(long, value_enum)]
        drawings: DrawingsChoice,
    },
}

/// Where a new password comes from.
#[derive(Args)]
pub struct PasswordSource {
    /// Read the password from the first line of standard input instead of
    /// asking on the terminal.
    #[arg(long)]
    password_stdin: bool,
}

/// The fate of a deleted account's drawings.
#[derive(Clone, Copy, ValueEnum)]
pub enum DrawingsChoice {
    /// They stay, anonymous, editable with their edit links.
    Keep,
    /// They are deleted with the account.
    Delete,
}

/// Runs `command` against the store at `location`.
pub async fn run(command: AccountCommand, location: &StoreLocation) -> anyhow::Result<ExitCode> {
    let store = Arc::new(SqlStore::open(location).await?);
    let service = AccountService::new(
        store.clone(),
        PasswordWorkers::new(PasswordHasher::new()),
        AccountRules::default(),
    );
    let outcome = execute(&service, command).await;
    store.close().await;
    outcome?;
    Ok(ExitCode::SUCCESS)
}

async fn execute(service: &AccountService, command: AccountCommand) -> anyhow::Result<()> {
    match command {
        AccountCommand::Create {
            pseudonym,
            roles,
            password,
        } => {
            let secret = password.read("password for the new account")?;
            let roles: Vec<&str> = roles.iter().map(String::as_str).collect();
            service
                .create_account(&pseudonym, &secret, &roles)
                .await
                .with_context(|| format!("account {pseudonym:?} not created"))?;
            println!("created account {pseudonym} ({})", roles_text(&roles));
        }
        AccountCommand::List => {
            let accounts = service.list_accounts().await?;
            println!("pseudonym\troles\tregistered\tlast seen\tblocked");
            for account in &accounts {
                let roles: Vec<&str> = account.roles.iter().map(String::as_str).collect();
                println!(
                    "{}\t{}\t{}\t{}\t{}",
                    account.pseudonym,
                    roles_text(&roles),
                    day(account.created_at),
                    day(account.last_seen_at),
                    if account.blocked { "yes" } else { "no" }
                );
            }
            println!("{} account(s)", accounts.len());
        }
        AccountCommand::Grant { pseudonym, role } => {
            service.grant(&pseudonym, &role).await?;
            println!("{pseudonym} now holds the role {role}");
        }
        AccountCommand::Revoke { pseudonym, role } => {
            if service.revoke(&pseudonym, &role).await? {
                println!("{pseudonym} no longer holds the role {role}");
            } else {
                println!("{pseudonym} did not hold the role {role}");
            }
        }
        AccountCommand::Reset {
            pseudonym,
            password,
        } => {
            let secret = password.read("new password")?;
            service.reset_password(&pseudonym, &secret).await?;
            println!("new password set for {pseudonym}; every session of the account ended");
        }
        AccountCommand::Block { pseudonym } => {
            service.block(&pseudonym).await?;
            println!("{pseudonym} is blocked; every session of the account ended");
        }
        AccountCommand::Unblock { pseudonym } => {
            service.unblock(&pseudonym).await?;
            println!("{pseudonym} may log in again");
        }
        AccountCommand::Delete {
            pseudonym,
            drawings,
        } => {
            let owned = match drawings {
                DrawingsChoice::Keep => OwnedDrawings::KeepAnonymous,
                DrawingsChoice::Delete => OwnedDrawings::Delete,
            };
            service.delete_by_operator(&pseudonym, owned).await?;
            println!("{pseudonym} is erased");
        }
    }
    Ok(())
}

impl PasswordSource {
    /// The password, from the terminal (asked twice, no echo) or from the
    /// first line of standard input.
    fn read(&self, what: &str) -> anyhow::Result<String> {
        if self.password_stdin || !std::io::stdin().is_terminal() {
            if !self.password_stdin {
                anyhow::bail!("no terminal to ask for the {what}: pass --password-stdin");
            }
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            return Ok(line.trim_end_matches(['\r', '\n']).to_owned());
        }
        let first = rpassword::prompt_password(format!("{what}: "))?;
        let second = rpassword::prompt_password("again: ")?;
        std::io::stderr().flush()?;
        if first != second {
            anyhow::bail!("the two entries differ");
        }
        Ok(first)
    }
}

fn roles_text(roles: &[&str]) -> String {
    if roles.is_empty() {
        "no roles".to_owned()
    } else {
        roles.join(", ")
    }
}

/// `2026-12-06` for Unix seconds.
fn day(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map_or_else(|| "-".to_owned(), |t| t.date_naive().to_string())
}
