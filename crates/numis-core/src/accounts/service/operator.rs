//! The operator's functions, for `numis account …` on the command line
//! and the console's account pages (`/verwaltung/konten`): accounts by
//! pseudonym or by id (the console's addresses name the id, the command
//! line the pseudonym), without passwords of the operator's choosing ever
//! passing through arguments (the CLI reads them from the terminal), and
//! one-time reset links for an operator to hand over.

use numis_store::{AccountSummary, OwnedDrawings, PasswordReset, Profile, StoredAccount};

use super::AccountService;
use super::reset::ResetToken;
use crate::accounts::pseudonym::search_key;
use crate::accounts::{AccountError, Pseudonym, Result};

/// How long a reset link issued by an operator works, in seconds: a day.
/// Longer than a mailed link ([`super::RESET_VALIDITY_SECONDS`]): the
/// operator hands it over by phone, letter or in person, which takes a
/// while; it still works only once.
pub const OPERATOR_RESET_VALIDITY_SECONDS: i64 = 86_400;

/// One account as the console's account page shows it. The voluntary
/// profile is here; whether the operator sees it is the server's rule
/// (`[accounts] operators_see_profiles`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountDetails {
    /// Id, pseudonym, times, blocked, roles.
    pub summary: AccountSummary,
    /// The voluntary profile.
    pub profile: Profile,
    /// Whether the second factor is on.
    pub second_factor: bool,
    /// How many drawings the account owns.
    pub drawings: usize,
}

/// A reset link an operator issued: the secret to hand over once.
#[derive(Debug)]
pub struct IssuedReset {
    /// The link's token (only its hash is stored).
    pub token: ResetToken,
    /// The link works until just before this time, Unix seconds.
    pub expires_at: i64,
    /// The account's pseudonym.
    pub pseudonym: String,
}

/// Longest role name.
pub const MAX_ROLE_CHARS: usize = 64;

impl AccountService {
    /// Creates an account with roles (the first operator account is made
    /// this way); answers its id. No recovery codes: the operator resets
    /// the password instead.
    pub async fn create_account(
        &self,
        pseudonym: &str,
        password: &str,
        roles: &[&str],
    ) -> Result<String> {
        for role in roles {
            check_role(role)?;
        }
        let parsed = Pseudonym::parse(pseudonym)?;
        let id = self.insert_account(&parsed, password).await?;
        for role in roles {
            if let Err(e) = self.accounts.grant_role(&id, role).await {
                // All or nothing: an operator account without its role
                // would be a surprise later.
                self.accounts
                    .delete_account(&id, OwnedDrawings::Delete)
                    .await?;
                return Err(e.into());
            }
        }
        Ok(id)
    }

    /// Every account: pseudonym, times, blocked, roles; no profile.
    pub async fn list_accounts(&self) -> Result<Vec<AccountSummary>> {
        Ok(self.accounts.list_accounts().await?)
    }

    /// The accounts whose pseudonym contains `query`, compared as
    /// pseudonyms are (caseless, NFKC; see [`Pseudonym::key`]); every
    /// account for an empty query.
    pub async fn search_accounts(&self, query: &str) -> Result<Vec<AccountSummary>> {
        let wanted = search_key(query);
        let mut accounts = self.accounts.list_accounts().await?;
        if !wanted.is_empty() {
            accounts.retain(|a| search_key(&a.pseudonym).contains(&wanted));
        }
        Ok(accounts)
    }

    /// The account named by `who` (its id or pseudonym) for the console:
    /// no password hash, no secret of the second factor.
    pub async fn account_details(&self, who: &str) -> Result<AccountDetails> {
        let account = self.operator_target(who).await?;
        let drawings = self.drawings.drawings_of_owner(&account.id).await?.len();
        Ok(AccountDetails {
            second_factor: account.totp_secret.is_some(),
            profile: account.profile,
            drawings,
            summary: AccountSummary {
                id: account.id,
                pseudonym: account.pseudonym,
                created_at: account.created_at,
                last_seen_at: account.last_seen_at,
                blocked: account.blocked,
                roles: account.roles,
            },
        })
    }

    /// A one-time reset link for the account named by `who` (id or
    /// pseudonym), for an operator to hand over when the citizen has no
    /// e-mail address or recovery code left. It opens the same page as a
    /// mailed link, works once and for [`OPERATOR_RESET_VALIDITY_SECONDS`];
    /// the password stays as it is until the citizen sets a new one. A
    /// blocked account gets none ([`AccountError::Blocked`]): its links
    /// would not work.
    pub async fn issue_reset(&self, who: &str) -> Result<IssuedReset> {
        let account = self.operator_target(who).await?;
        if account.blocked {
            return Err(AccountError::Blocked);
        }
        let token = ResetToken::generate()?;
        let now = self.now();
        let expires_at = now.saturating_add(OPERATOR_RESET_VALIDITY_SECONDS);
        self.accounts
            .create_password_reset(&PasswordReset {
                token_hash: token.hash().to_vec(),
                account_id: account.id,
                created_at: now,
                expires_at,
            })
            .await?;
        Ok(IssuedReset {
            token,
            expires_at,
            pseudonym: account.pseudonym,
        })
    }

    /// Grants `role` to the account of `pseudonym` (or id).
    pub async fn grant(&self, pseudonym: &str, role: &str) -> Result<()> {
        check_role(role)?;
        let account = self.operator_target(pseudonym).await?;
        self.accounts.grant_role(&account.id, role).await?;
        Ok(())
    }

    /// Revokes `role`; `false` when the account did not hold it.
    pub async fn revoke(&self, pseudonym: &str, role: &str) -> Result<bool> {
        let account = self.operator_target(pseudonym).await?;
        Ok(self.accounts.revoke_role(&account.id, role).await?)
    }

    /// Sets a new password (policy checked) and ends every session.
    pub async fn reset_password(&self, pseudonym: &str, new_password: &str) -> Result<()> {
        let account = self.operator_target(pseudonym).await?;
        let hash = self
            .new_password_hash(&account.pseudonym, new_password)
            .await?;
        self.accounts.set_password_hash(&account.id, &hash).await?;
        self.accounts
            .delete_sessions_of_account(&account.id, None)
            .await?;
        Ok(())
    }

    /// Blocks the account and ends its sessions.
    pub async fn block(&self, pseudonym: &str) -> Result<()> {
        let account = self.operator_target(pseudonym).await?;
        self.accounts.set_blocked(&account.id, true).await?;
        self.accounts
            .delete_sessions_of_account(&account.id, None)
            .await?;
        Ok(())
    }

    /// Lets a blocked account log in again.
    pub async fn unblock(&self, pseudonym: &str) -> Result<()> {
        let account = self.operator_target(pseudonym).await?;
        self.accounts.set_blocked(&account.id, false).await?;
        Ok(())
    }

    /// Erases the account of `pseudonym`, its drawings as `drawings`
    /// says.
    pub async fn delete_by_operator(&self, pseudonym: &str, drawings: OwnedDrawings) -> Result<()> {
        let account = self.operator_target(pseudonym).await?;
        let outcome = self.accounts.delete_account(&account.id, drawings).await;
        if self.erased(outcome, true)? {
            Ok(())
        } else {
            Err(AccountError::NotFound)
        }
    }
}

impl AccountService {
    /// The account named by `who`: the id the console's addresses carry,
    /// else a pseudonym as typed on the command line. (Ids are 22 random
    /// characters never shown to citizens, so a pseudonym cannot name
    /// another account by accident.)
    async fn operator_target(&self, who: &str) -> Result<StoredAccount> {
        if let Some(account) = self.accounts.account(who).await? {
            return Ok(account);
        }
        self.account_by_pseudonym(who).await
    }
}

/// Whether `role` is a valid role name (see [`check_role`]), for forms
/// that offer to type one.
pub fn valid_role(role: &str) -> bool {
    check_role(role).is_ok()
}

/// A role is 1 to [`MAX_ROLE_CHARS`] ASCII letters, digits, `-` or `_`,
/// as `map.toml` names it.
fn check_role(role: &str) -> Result<()> {
    let ok = !role.is_empty()
        && role.len() <= MAX_ROLE_CHARS
        && role
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if ok {
        Ok(())
    } else {
        Err(AccountError::BadRole)
    }
}
