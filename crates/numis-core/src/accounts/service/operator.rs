//! The operator's functions, for `numis account …` on the command line:
//! accounts by pseudonym, without passwords of the operator's choosing
//! ever passing through arguments (the CLI reads them from the terminal).

use numis_store::{AccountSummary, OwnedDrawings};

use super::AccountService;
use crate::accounts::{AccountError, Pseudonym, Result};

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

    /// Grants `role` to the account of `pseudonym`.
    pub async fn grant(&self, pseudonym: &str, role: &str) -> Result<()> {
        check_role(role)?;
        let account = self.account_by_pseudonym(pseudonym).await?;
        self.accounts.grant_role(&account.id, role).await?;
        Ok(())
    }

    /// Revokes `role`; `false` when the account did not hold it.
    pub async fn revoke(&self, pseudonym: &str, role: &str) -> Result<bool> {
        let account = self.account_by_pseudonym(pseudonym).await?;
        Ok(self.accounts.revoke_role(&account.id, role).await?)
    }

    /// Sets a new password (policy checked) and ends every session.
    pub async fn reset_password(&self, pseudonym: &str, new_password: &str) -> Result<()> {
        let account = self.account_by_pseudonym(pseudonym).await?;
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
        let account = self.account_by_pseudonym(pseudonym).await?;
        self.accounts.set_blocked(&account.id, true).await?;
        self.accounts
            .delete_sessions_of_account(&account.id, None)
            .await?;
        Ok(())
    }

    /// Lets a blocked account log in again.
    pub async fn unblock(&self, pseudonym: &str) -> Result<()> {
        let account = self.account_by_pseudonym(pseudonym).await?;
        self.accounts.set_blocked(&account.id, false).await?;
        Ok(())
    }

    /// Erases the account of `pseudonym`, its drawings as `drawings`
    /// says.
    pub async fn delete_by_operator(&self, pseudonym: &str, drawings: OwnedDrawings) -> Result<()> {
        let account = self.account_by_pseudonym(pseudonym).await?;
        let outcome = self.accounts.delete_account(&account.id, drawings).await;
        if self.erased(outcome, true)? {
            Ok(())
        } else {
            Err(AccountError::NotFound)
        }
    }
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
