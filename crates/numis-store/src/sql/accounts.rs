//! [`AccountStore`] on SQL: accounts, roles, recovery codes, sessions,
//! password-reset links, saved views, and erasure.

use async_trait::async_trait;
use sqlx::AnyConnection;
use sqlx::any::AnyRow;
use sqlx::{Executor, Row};

use super::{Backend, SqlStore, flag};
use crate::AccountStore;
use crate::accounts::{
    AccountSummary, NewAccount, OwnedDrawings, PasswordReset, Profile, ProfileField, SavedView,
    StoredAccount, StoredSession,
};
use crate::error::{Result, StoreError};

/// A session's use is written only when the stored one is at least this old
/// (seconds): a write with `synchronous = FULL` waits for the disk, and an
/// authenticated map request must not. The idle limit (hours) does not
/// need a finer clock.
const SESSION_TOUCH_INTERVAL: i64 = 60;

const ACCOUNT_COLUMNS: &str = "id, pseudonym, pseudonym_key, password_hash, created_at, \
    last_seen_at, blocked, totp_secret, totp_last_step, email, name, organisation, \
    postal_address, profile_access";

const SESSION_COLUMNS: &str = "token_hash, public_id, account_id, created_at, last_seen_at, \
    expires_at, persistent, client_label, csrf";

const RESET_COLUMNS: &str = "token_hash, account_id, created_at, expires_at";

const VIEW_COLUMNS: &str = "id, account_id, name, state, created_at, updated_at";

#[async_trait]
impl AccountStore for SqlStore {
    async fn create_account(&self, account: &NewAccount) -> Result<()> {
        sqlx::query(
            "INSERT INTO accounts (id, pseudonym, pseudonym_key, password_hash, created_at, last_seen_at)
             VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(&account.id)
        .bind(&account.pseudonym)
        .bind(&account.pseudonym_key)
        .bind(&account.password_hash)
        .bind(account.created_at)
        .execute(&self.writer)
        .await
        .map_err(pseudonym_or_query("create account"))?;
        Ok(())
    }

    async fn account(&self, id: &str) -> Result<Option<StoredAccount>> {
        self.account_where("id", id).await
    }

    async fn account_by_pseudonym_key(&self, pseudonym_key: &str) -> Result<Option<StoredAccount>> {
        self.account_where("pseudonym_key", pseudonym_key).await
    }

    async fn list_accounts(&self) -> Result<Vec<AccountSummary>> {
        let rows = sqlx::query(
            "SELECT id, pseudonym, created_at, last_seen_at, blocked FROM accounts
             ORDER BY pseudonym_key",
        )
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("list accounts"))?;
        let roles = sqlx::query("SELECT account_id, role FROM account_roles ORDER BY role")
            .fetch_all(&self.reader)
            .await
            .map_err(StoreError::query("list roles"))?;
        Ok(rows
            .iter()
            .map(|row| {
                let id: String = row.get("id");
                let roles = roles
                    .iter()
                    .filter(|role| role.get::<&str, _>("account_id") == id)
                    .map(|role| role.get("role"))
                    .collect();
                AccountSummary {
                    pseudonym: row.get("pseudonym"),
                    created_at: row.get("created_at"),
                    last_seen_at: row.get("last_seen_at"),
                    blocked: flag(row, "blocked"),
                    roles,
                    id,
                }
            })
            .collect())
    }

    async fn set_pseudonym(&self, id: &str, pseudonym: &str, pseudonym_key: &str) -> Result<bool> {
        let result =
            sqlx::query("UPDATE accounts SET pseudonym = $1, pseudonym_key = $2 WHERE id = $3")
                .bind(pseudonym)
                .bind(pseudonym_key)
                .bind(id)
                .execute(&self.writer)
                .await
                .map_err(pseudonym_or_query("change pseudonym"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn set_password_hash(&self, id: &str, password_hash: &str) -> Result<bool> {
        self.update_account(
            "UPDATE accounts SET password_hash = $1 WHERE id = $2",
            password_hash,
            id,
            "change password",
        )
        .await
    }

    async fn set_blocked(&self, id: &str, blocked: bool) -> Result<bool> {
        self.update_account(
            "UPDATE accounts SET blocked = $1 WHERE id = $2",
            i64::from(blocked),
            id,
            "block account",
        )
        .await
    }

    async fn touch_account(&self, id: &str, now: i64) -> Result<bool> {
        self.update_account(
            "UPDATE accounts SET last_seen_at = CASE WHEN last_seen_at < $1 THEN $1 ELSE last_seen_at END
             WHERE id = $2",
            now,
            id,
            "record account use",
        )
        .await
    }

    async fn set_profile_field(
        &self,
        id: &str,
        field: ProfileField,
        value: Option<&str>,
    ) -> Result<bool> {
        let column = match field {
            ProfileField::Email => "email",
            ProfileField::Name => "name",
            ProfileField::Organisation => "organisation",
            ProfileField::PostalAddress => "postal_address",
        };
        self.update_account(
            &format!("UPDATE accounts SET {column} = $1 WHERE id = $2"),
            value,
            id,
            "change profile",
        )
        .await
    }

    async fn set_profile_access(&self, id: &str, allowed: bool) -> Result<bool> {
        self.update_account(
            "UPDATE accounts SET profile_access = $1 WHERE id = $2",
            i64::from(allowed),
            id,
            "change profile access",
        )
        .await
    }

    async fn set_totp_secret(&self, id: &str, secret: Option<&[u8]>) -> Result<bool> {
        self.update_account(
            "UPDATE accounts SET totp_secret = $1, totp_last_step = NULL WHERE id = $2",
            secret,
            id,
            "change second factor",
        )
        .await
    }

    async fn use_totp_step(&self, id: &str, step: i64) -> Result<bool> {
        // One statement: of two logins with the same code, one wins.
        let result = sqlx::query(
            "UPDATE accounts SET totp_last_step = $1
             WHERE id = $2 AND (totp_last_step IS NULL OR totp_last_step < $1)",
        )
        .bind(step)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("use second factor step"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn grant_role(&self, id: &str, role: &str) -> Result<bool> {
        let result = sqlx::query(
            "INSERT INTO account_roles (account_id, role) SELECT id, $1 FROM accounts WHERE id = $2
             ON CONFLICT DO NOTHING",
        )
        .bind(role)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("grant role"))?;
        if result.rows_affected() == 1 {
            return Ok(true);
        }
        // Nothing inserted: either held already or no such account.
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.writer)
            .await
            .map_err(StoreError::query("grant role"))?;
        Ok(exists.is_some())
    }

    async fn revoke_role(&self, id: &str, role: &str) -> Result<bool> {
        let result = sqlx::query("DELETE FROM account_roles WHERE account_id = $1 AND role = $2")
            .bind(id)
            .bind(role)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("revoke role"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn replace_recovery_codes(&self, id: &str, code_hashes: &[Vec<u8>]) -> Result<bool> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin recovery codes"))?;
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM accounts WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::query("find account for recovery codes"))?;
        if exists.is_none() {
            // Nothing changed; the connection goes back clean.
            tx.rollback()
                .await
                .map_err(StoreError::query("roll back"))?;
            return Ok(false);
        }
        sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("delete old recovery codes"))?;
        for hash in code_hashes {
            sqlx::query(
                "INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)
                 ON CONFLICT DO NOTHING",
            )
            .bind(id)
            .bind(hash)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("save recovery code"))?;
        }
        tx.commit()
            .await
            .map_err(StoreError::query("commit recovery codes"))?;
        Ok(true)
    }

    async fn use_recovery_code(&self, id: &str, code_hash: &[u8]) -> Result<bool> {
        // Deleting is using: of two requests with one code, one deletes it.
        let result =
            sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1 AND code_hash = $2")
                .bind(id)
                .bind(code_hash)
                .execute(&self.writer)
                .await
                .map_err(StoreError::query("use recovery code"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn recovery_codes_left(&self, id: &str) -> Result<u64> {
        let count: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE account_id = $1")
                .bind(id)
                .fetch_one(&self.reader)
                .await
                .map_err(StoreError::query("count recovery codes"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn truncate_log(&self) -> Result<()> {
        self.finish_erasure().await
    }

    async fn delete_account(&self, id: &str, drawings: OwnedDrawings) -> Result<bool> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin account deletion"))?;
        let deleted = erase_account(&mut tx, id, drawings).await?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit account deletion"))?;
        if deleted {
            self.finish_erasure().await?;
        }
        Ok(deleted)
    }

    async fn purge_inactive_accounts(&self, last_seen_before: i64) -> Result<u64> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin account purge"))?;
        let ids: Vec<String> =
            sqlx::query_scalar("SELECT id FROM accounts WHERE last_seen_at < $1")
                .bind(last_seen_before)
                .fetch_all(&mut *tx)
                .await
                .map_err(StoreError::query("find inactive accounts"))?;
        let mut purged = 0;
        for id in &ids {
            if erase_account(&mut tx, id, OwnedDrawings::KeepAnonymous).await? {
                purged += 1;
            }
        }
        tx.commit()
            .await
            .map_err(StoreError::query("commit account purge"))?;
        if purged > 0 {
            self.finish_erasure().await?;
        }
        Ok(purged)
    }

    async fn create_session(&self, session: &StoredSession) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO sessions ({SESSION_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
        ))
        .bind(&session.token_hash)
        .bind(&session.public_id)
        .bind(&session.account_id)
        .bind(session.created_at)
        .bind(session.last_seen_at)
        .bind(session.expires_at)
        .bind(i64::from(session.persistent))
        .bind(&session.client_label)
        .bind(&session.csrf)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("create session"))?;
        Ok(())
    }

    async fn find_session(&self, token_hash: &[u8], now: i64) -> Result<Option<StoredSession>> {
        let Some(session) = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE token_hash = $1"
        ))
        .bind(token_hash)
        .fetch_optional(&self.reader)
        .await
        .map_err(StoreError::query("find session"))?
        .as_ref()
        .map(session_from_row) else {
            return Ok(None);
        };
        if now - session.last_seen_at >= SESSION_TOUCH_INTERVAL {
            self.touch_session(&session, now).await?;
        }
        Ok(Some(session))
    }

    async fn sessions_of_account(&self, account_id: &str) -> Result<Vec<StoredSession>> {
        let rows = sqlx::query(&format!(
            "SELECT {SESSION_COLUMNS} FROM sessions WHERE account_id = $1
             ORDER BY last_seen_at DESC, public_id"
        ))
        .bind(account_id)
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("list sessions"))?;
        Ok(rows.iter().map(session_from_row).collect())
    }

    async fn delete_session(&self, token_hash: &[u8]) -> Result<bool> {
        let result = sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
            .bind(token_hash)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("end session"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn delete_session_by_public_id(&self, account_id: &str, public_id: &str) -> Result<bool> {
        let result = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND public_id = $2")
            .bind(account_id)
            .bind(public_id)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("end session"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn delete_sessions_of_account(
        &self,
        account_id: &str,
        except: Option<&[u8]>,
    ) -> Result<u64> {
        // `IS DISTINCT FROM` is true against NULL, so `None` keeps no
        // session.
        let result = sqlx::query(
            "DELETE FROM sessions WHERE account_id = $1 AND token_hash IS DISTINCT FROM $2",
        )
        .bind(account_id)
        .bind(except)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("end sessions"))?;
        Ok(result.rows_affected())
    }

    async fn purge_expired_sessions(&self, now: i64, idle_cutoff: i64) -> Result<u64> {
        let result = sqlx::query(
            "DELETE FROM sessions
             WHERE expires_at <= $1 OR (persistent = 0 AND last_seen_at < $2)",
        )
        .bind(now)
        .bind(idle_cutoff)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("purge sessions"))?;
        Ok(result.rows_affected())
    }

    async fn count_sessions(&self) -> Result<u64> {
        let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM sessions")
            .fetch_one(&self.reader)
            .await
            .map_err(StoreError::query("count sessions"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn create_password_reset(&self, reset: &PasswordReset) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO password_resets ({RESET_COLUMNS}) VALUES ($1, $2, $3, $4)"
        ))
        .bind(&reset.token_hash)
        .bind(&reset.account_id)
        .bind(reset.created_at)
        .bind(reset.expires_at)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("create password reset"))?;
        Ok(())
    }

    async fn password_reset(&self, token_hash: &[u8], now: i64) -> Result<Option<PasswordReset>> {
        let row = sqlx::query(&format!(
            "SELECT {RESET_COLUMNS} FROM password_resets WHERE token_hash = $1 AND expires_at > $2"
        ))
        .bind(token_hash)
        .bind(now)
        .fetch_optional(&self.reader)
        .await
        .map_err(StoreError::query("read password reset"))?;
        Ok(row.as_ref().map(reset_from_row))
    }

    async fn take_password_reset(
        &self,
        token_hash: &[u8],
        now: i64,
    ) -> Result<Option<PasswordReset>> {
        // One statement finds and deletes, so two requests with one link
        // cannot both get it; an expired link goes too, unused.
        let row = sqlx::query(&format!(
            "DELETE FROM password_resets WHERE token_hash = $1 RETURNING {RESET_COLUMNS}"
        ))
        .bind(token_hash)
        .fetch_optional(&self.writer)
        .await
        .map_err(StoreError::query("use password reset"))?;
        Ok(row
            .as_ref()
            .map(reset_from_row)
            .filter(|reset| now < reset.expires_at))
    }

    async fn live_password_resets(&self, account_id: &str, now: i64) -> Result<u64> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM password_resets WHERE account_id = $1 AND expires_at > $2",
        )
        .bind(account_id)
        .bind(now)
        .fetch_one(&self.reader)
        .await
        .map_err(StoreError::query("count password resets"))?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    async fn delete_password_resets_of_account(&self, account_id: &str) -> Result<u64> {
        let result = sqlx::query("DELETE FROM password_resets WHERE account_id = $1")
            .bind(account_id)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("delete password resets"))?;
        Ok(result.rows_affected())
    }

    async fn purge_expired_password_resets(&self, now: i64) -> Result<u64> {
        let result = sqlx::query("DELETE FROM password_resets WHERE expires_at <= $1")
            .bind(now)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("purge password resets"))?;
        Ok(result.rows_affected())
    }

    async fn create_view(&self, view: &SavedView) -> Result<()> {
        sqlx::query(&format!(
            "INSERT INTO saved_views ({VIEW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6)"
        ))
        .bind(&view.id)
        .bind(&view.account_id)
        .bind(&view.name)
        .bind(&view.state)
        .bind(view.created_at)
        .bind(view.updated_at)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("save view"))?;
        Ok(())
    }

    async fn view(&self, account_id: &str, id: &str) -> Result<Option<SavedView>> {
        let row = sqlx::query(&format!(
            "SELECT {VIEW_COLUMNS} FROM saved_views WHERE account_id = $1 AND id = $2"
        ))
        .bind(account_id)
        .bind(id)
        .fetch_optional(&self.reader)
        .await
        .map_err(StoreError::query("read view"))?;
        Ok(row.as_ref().map(view_from_row))
    }

    async fn views_of_account(&self, account_id: &str) -> Result<Vec<SavedView>> {
        let rows = sqlx::query(&format!(
            "SELECT {VIEW_COLUMNS} FROM saved_views WHERE account_id = $1 ORDER BY name, id"
        ))
        .bind(account_id)
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("list views"))?;
        Ok(rows.iter().map(view_from_row).collect())
    }

    async fn rename_view(
        &self,
        account_id: &str,
        id: &str,
        name: &str,
        updated_at: i64,
    ) -> Result<bool> {
        let result = sqlx::query(
            "UPDATE saved_views SET name = $1, updated_at = $2 WHERE account_id = $3 AND id = $4",
        )
        .bind(name)
        .bind(updated_at)
        .bind(account_id)
        .bind(id)
        .execute(&self.writer)
        .await
        .map_err(StoreError::query("rename view"))?;
        Ok(result.rows_affected() == 1)
    }

    async fn delete_view(&self, account_id: &str, id: &str) -> Result<bool> {
        let result = sqlx::query("DELETE FROM saved_views WHERE account_id = $1 AND id = $2")
            .bind(account_id)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query("delete view"))?;
        Ok(result.rows_affected() == 1)
    }
}

impl SqlStore {
    /// The account whose `column` (a constant of this module) is `value`,
    /// with its roles.
    async fn account_where(&self, column: &str, value: &str) -> Result<Option<StoredAccount>> {
        let Some(row) = sqlx::query(&format!(
            "SELECT {ACCOUNT_COLUMNS} FROM accounts WHERE {column} = $1"
        ))
        .bind(value)
        .fetch_optional(&self.reader)
        .await
        .map_err(StoreError::query("read account"))?
        else {
            return Ok(None);
        };
        let mut account = account_from_row(&row);
        account.roles = sqlx::query_scalar(
            "SELECT role FROM account_roles WHERE account_id = $1 ORDER BY role",
        )
        .bind(&account.id)
        .fetch_all(&self.reader)
        .await
        .map_err(StoreError::query("read roles"))?;
        Ok(Some(account))
    }

    /// Runs `sql`, an `UPDATE accounts … WHERE id = ?` with one other
    /// parameter; `true` when the account exists.
    async fn update_account<'q, V>(
        &self,
        sql: &'q str,
        value: V,
        id: &'q str,
        operation: &'static str,
    ) -> Result<bool>
    where
        V: sqlx::Encode<'q, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + 'q,
    {
        let result = sqlx::query(sql)
            .bind(value)
            .bind(id)
            .execute(&self.writer)
            .await
            .map_err(StoreError::query(operation))?;
        Ok(result.rows_affected() == 1)
    }

    /// Records the use of a session and of its account at `now`.
    async fn touch_session(&self, session: &StoredSession, now: i64) -> Result<()> {
        let mut tx = self
            .writer
            .begin()
            .await
            .map_err(StoreError::query("begin session use"))?;
        sqlx::query(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2 AND last_seen_at < $1",
        )
        .bind(now)
        .bind(&session.token_hash)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("record session use"))?;
        sqlx::query("UPDATE accounts SET last_seen_at = CASE WHEN last_seen_at < $1 THEN $1 ELSE last_seen_at END
             WHERE id = $2")
            .bind(now)
            .bind(&session.account_id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("record account use"))?;
        tx.commit()
            .await
            .map_err(StoreError::query("commit session use"))?;
        Ok(())
    }

    /// Makes an erasure final beyond the rows.
    ///
    /// On SQLite: copies the write-ahead log into the database and
    /// truncates it to zero bytes, so the pages that held erased rows
    /// before the deletion (and `secure_delete` zeroed in the database)
    /// are gone from the `-wal` file too. A reader in the middle of a
    /// query can keep the checkpoint from finishing; the busy handler
    /// waits for it (5 s), and a checkpoint left unfinished is an error the
    /// caller can retry.
    ///
    /// On PostgreSQL: vacuums the account tables, so the space of the
    /// erased rows is freed for reuse at once rather than at the next
    /// autovacuum. PostgreSQL does not overwrite freed space, and its
    /// write-ahead log and the operator's backups hold the rows until they
    /// are recycled; `docs/privacy.md` says what that means for clause P3.
    async fn finish_erasure(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => {
                let row = self
                    .writer
                    .fetch_one("PRAGMA wal_checkpoint(TRUNCATE)")
                    .await
                    .map_err(StoreError::query("checkpoint write-ahead log"))?;
                let busy: i64 = row.get(0);
                if busy != 0 {
                    return Err(StoreError::CheckpointBusy);
                }
            }
            Backend::Postgres => {
                self.writer
                    .execute(
                        "VACUUM accounts, account_roles, recovery_codes, sessions, \
                         password_resets, saved_views",
                    )
                    .await
                    .map_err(StoreError::query("vacuum account tables"))?;
            }
        }
        Ok(())
    }
}

/// Deletes every row of account `id` inside `tx`; `false` when there was
/// no such account. The tables cascade from `accounts`, but each is named
/// here so the erasure does not depend on the connection's foreign-key
/// setting, and so a reader sees what goes.
async fn erase_account(tx: &mut AnyConnection, id: &str, drawings: OwnedDrawings) -> Result<bool> {
    let drawings_sql = match drawings {
        OwnedDrawings::KeepAnonymous => "UPDATE drawings SET owner = NULL WHERE owner = $1",
        OwnedDrawings::Delete => "DELETE FROM drawings WHERE owner = $1",
    };
    for sql in [
        drawings_sql,
        "DELETE FROM sessions WHERE account_id = $1",
        "DELETE FROM recovery_codes WHERE account_id = $1",
        "DELETE FROM password_resets WHERE account_id = $1",
        "DELETE FROM saved_views WHERE account_id = $1",
        "DELETE FROM account_roles WHERE account_id = $1",
    ] {
        sqlx::query(sql)
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(StoreError::query("delete account data"))?;
    }
    let result = sqlx::query("DELETE FROM accounts WHERE id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(StoreError::query("delete account"))?;
    Ok(result.rows_affected() == 1)
}

/// Maps a unique violation of the pseudonym key to
/// [`StoreError::PseudonymTaken`], anything else to a query error.
fn pseudonym_or_query(operation: &'static str) -> impl FnOnce(sqlx::Error) -> StoreError {
    move |source| {
        let taken = source.as_database_error().is_some_and(|error| {
            // SQLite names the column, PostgreSQL the constraint.
            error.is_unique_violation()
                && (error.message().contains("accounts.pseudonym_key")
                    || error
                        .constraint()
                        .is_some_and(|name| name.contains("pseudonym_key")))
        });
        if taken {
            StoreError::PseudonymTaken
        } else {
            StoreError::Query { operation, source }
        }
    }
}

fn account_from_row(row: &AnyRow) -> StoredAccount {
    StoredAccount {
        id: row.get("id"),
        pseudonym: row.get("pseudonym"),
        pseudonym_key: row.get("pseudonym_key"),
        password_hash: row.get("password_hash"),
        created_at: row.get("created_at"),
        last_seen_at: row.get("last_seen_at"),
        blocked: flag(row, "blocked"),
        totp_secret: row.get("totp_secret"),
        totp_last_step: row.get("totp_last_step"),
        roles: Vec::new(),
        profile: Profile {
            email: row.get("email"),
            name: row.get("name"),
            organisation: row.get("organisation"),
            postal_address: row.get("postal_address"),
        },
        profile_access: flag(row, "profile_access"),
    }
}

fn session_from_row(row: &AnyRow) -> StoredSession {
    StoredSession {
        token_hash: row.get("token_hash"),
        public_id: row.get("public_id"),
        account_id: row.get("account_id"),
        created_at: row.get("created_at"),
        last_seen_at: row.get("last_seen_at"),
        expires_at: row.get("expires_at"),
        persistent: flag(row, "persistent"),
        client_label: row.get("client_label"),
        csrf: row.get("csrf"),
    }
}

fn reset_from_row(row: &AnyRow) -> PasswordReset {
    PasswordReset {
        token_hash: row.get("token_hash"),
        account_id: row.get("account_id"),
        created_at: row.get("created_at"),
        expires_at: row.get("expires_at"),
    }
}

fn view_from_row(row: &AnyRow) -> SavedView {
    SavedView {
        id: row.get("id"),
        account_id: row.get("account_id"),
        name: row.get("name"),
        state: row.get("state"),
        created_at: row.get("created_at"),
        updated_at: row.get("updated_at"),
    }
}

#[cfg(test)]
mod tests;
