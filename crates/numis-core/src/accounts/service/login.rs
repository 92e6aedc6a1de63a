//! Registration, login and sessions: who is logged in, and how one gets
//! there and out again.

use numis_store::{NewAccount, StoredSession};

use super::{AccountService, new_id, taken};
use crate::accounts::{
    AccountError, CsrfToken, Pseudonym, RecoveryCode, Result, SessionToken, ThrottleKey, TotpError,
    TotpSecret, new_session_id,
};

/// An account just registered.
#[derive(Debug)]
pub struct Registered {
    /// The new account's id.
    pub account_id: String,
    /// The recovery codes, to show this once (only their hashes are
    /// stored).
    pub recovery_codes: Vec<RecoveryCode>,
}

/// A login that succeeded: what the server needs for the cookie and the
/// forms.
#[derive(Debug)]
pub struct LoggedIn {
    /// The session token, the cookie's value (only its hash is stored).
    pub token: SessionToken,
    /// The session's CSRF token, for forms and the API header.
    pub csrf: CsrfToken,
    /// The session's public id ("end this session").
    pub public_id: String,
    /// The absolute end of the session, Unix seconds.
    pub expires_at: i64,
    /// "Angemeldet bleiben": the cookie is permanent (`Max-Age` from
    /// [`crate::accounts::SessionPolicy::cookie_max_age`]).
    pub persistent: bool,
}

/// Credentials that were right ([`AccountService::authenticate`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authenticated {
    /// The account's id.
    pub account_id: String,
    /// The account's roles, sorted.
    pub roles: Vec<String>,
}

/// Who a live session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The account's id.
    pub account_id: String,
    /// The pseudonym as shown.
    pub pseudonym: String,
    /// The account's roles, sorted.
    pub roles: Vec<String>,
    /// The session's CSRF token.
    pub csrf: CsrfToken,
    /// The session's public id.
    pub public_id: String,
    /// Whether the cookie is permanent.
    pub persistent: bool,
}

/// One session on the "sessions" page: nothing that could log in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionListing {
    /// The public id, to end it.
    pub public_id: String,
    /// Logged in, Unix seconds.
    pub created_at: i64,
    /// Last used, Unix seconds (to the minute).
    pub last_seen_at: i64,
    /// Absolute end, Unix seconds.
    pub expires_at: i64,
    /// Remembered ("Angemeldet bleiben").
    pub persistent: bool,
    /// The browser family, such as "Firefox on Linux".
    pub client_label: Option<String>,
}

impl AccountService {
    /// Registers a pseudonym with a password. The pseudonym must be free
    /// after normalisation ([`AccountError::PseudonymTaken`]) and the
    /// password must pass the policy. Answers the ten recovery codes,
    /// which are stored only as hashes.
    pub async fn register(&self, pseudonym: &str, password: &str) -> Result<Registered> {
        let parsed = Pseudonym::parse(pseudonym)?;
        let account_id = self.insert_account(&parsed, password).await?;
        let recovery_codes = self.replace_recovery_codes(&account_id).await?;
        Ok(Registered {
            account_id,
            recovery_codes,
        })
    }

    /// Checks the password, hashes it and stores a new account; answers
    /// its id.
    pub(super) async fn insert_account(
        &self,
        pseudonym: &Pseudonym,
        password: &str,
    ) -> Result<String> {
        self.rules.password.check(password, pseudonym)?;
        // Refuse a taken pseudonym before paying for the hash; the store's
        // unique key still decides a race.
        if self
            .accounts
            .account_by_pseudonym_key(pseudonym.key())
            .await?
            .is_some()
        {
            return Err(AccountError::PseudonymTaken);
        }
        let password_hash = self.workers.hash(password.to_owned()).await?;
        let id = new_id()?;
        let account = NewAccount {
            id: id.clone(),
            pseudonym: pseudonym.as_str().to_owned(),
            pseudonym_key: pseudonym.key().to_owned(),
            password_hash,
            created_at: self.now(),
        };
        self.accounts
            .create_account(&account)
            .await
            .map_err(taken)?;
        Ok(id)
    }

    /// New recovery codes for the account, replacing the old ones.
    pub(super) async fn replace_recovery_codes(
        &self,
        account_id: &str,
    ) -> Result<Vec<RecoveryCode>> {
        let codes = RecoveryCode::generate_set()?;
        let hashes: Vec<Vec<u8>> = codes.iter().map(|c| c.hash().to_vec()).collect();
        if !self
            .accounts
            .replace_recovery_codes(account_id, &hashes)
            .await?
        {
            return Err(AccountError::NotFound);
        }
        Ok(codes)
    }

    /// Logs in and starts a new session (a new token every time, so a
    /// token planted before the login is never promoted: the server ends
    /// the old session with [`Self::logout`]).
    ///
    /// - Throttled per pseudonym key and per `client_key` (the server's
    ///   keyed hash of the address) before any verification:
    ///   [`AccountError::Throttled`].
    /// - An unknown (or invalid) pseudonym costs one dummy verification
    ///   and answers [`AccountError::WrongCredentials`], exactly as a
    ///   wrong password does.
    /// - A blocked account is refused with [`AccountError::Blocked`], but
    ///   only after its password was verified, so that the answer says
    ///   nothing to someone who does not know the password.
    /// - With the second factor on: no code is
    ///   [`AccountError::SecondFactorRequired`] (the form asks for it and
    ///   sends the password again); a malformed, wrong or replayed code is
    ///   [`AccountError::SecondFactor`] and counts as a failed login. Both
    ///   come only after the right password, so they tell nothing new.
    /// - Success forgets the failures of both keys and, when the stored
    ///   hash was made with other parameters, stores a fresh one.
    pub async fn login(
        &self,
        pseudonym: &str,
        password: &str,
        totp_code: Option<&str>,
        remember: bool,
        client_key: u64,
        client_label: Option<String>,
    ) -> Result<LoggedIn> {
        let account = self
            .verify_login(pseudonym, password, totp_code, client_key)
            .await?;
        self.start_session(&account.id, remember, client_label)
            .await
    }

    /// Checks credentials without starting a session, for HTTP Basic
    /// authentication of WMS clients (which cannot log in with a form):
    /// the same throttle, the same answers and the same timing as
    /// [`Self::login`]. An account with a second factor is refused with
    /// [`AccountError::SecondFactorRequired`]: a password alone must not
    /// open it. Answers the account's id and roles.
    pub async fn authenticate(
        &self,
        pseudonym: &str,
        password: &str,
        client_key: u64,
    ) -> Result<Authenticated> {
        let account = self
            .verify_login(pseudonym, password, None, client_key)
            .await?;
        self.accounts.touch_account(&account.id, self.now()).await?;
        Ok(Authenticated {
            account_id: account.id,
            roles: account.roles,
        })
    }

    /// The login's checks (throttle, password, block, second factor);
    /// answers the account.
    async fn verify_login(
        &self,
        pseudonym: &str,
        password: &str,
        totp_code: Option<&str>,
        client_key: u64,
    ) -> Result<numis_store::StoredAccount> {
        let parsed = Pseudonym::parse(pseudonym).ok();
        let mut keys = vec![ThrottleKey::client(client_key)];
        if let Some(p) = &parsed {
            keys.push(ThrottleKey::pseudonym(p.key()));
        }
        self.throttle_check(&keys).await?;

        let account = match &parsed {
            Some(p) => self.accounts.account_by_pseudonym_key(p.key()).await?,
            None => None,
        };
        let phc = account.as_ref().map(|a| a.password_hash.clone());
        let right = self.workers.verify(password.to_owned(), phc).await?;
        let account = match account {
            Some(account) if right => account,
            _ => {
                self.throttle_failure(&keys).await;
                return Err(AccountError::WrongCredentials);
            }
        };
        if account.blocked {
            return Err(AccountError::Blocked);
        }
        if let Some(secret) = &account.totp_secret {
            let Some(code) = totp_code else {
                return Err(AccountError::SecondFactorRequired);
            };
            if let Err(e) = self
                .check_totp(&account.id, secret, account.totp_last_step, code)
                .await
            {
                if !e.is_failure() {
                    self.throttle_failure(&keys).await;
                }
                return Err(e);
            }
        }
        self.throttle_success(&keys).await;
        if self.workers.hasher().needs_rehash(&account.password_hash) {
            let fresh = self.workers.hash(password.to_owned()).await?;
            self.accounts.set_password_hash(&account.id, &fresh).await?;
        }
        Ok(account)
    }

    /// Verifies a TOTP code now and uses up its step (atomically in the
    /// store, so two logins with one code cannot both pass).
    pub(super) async fn check_totp(
        &self,
        account_id: &str,
        secret: &[u8],
        last_step: Option<i64>,
        code: &str,
    ) -> Result<()> {
        let secret = TotpSecret::from_bytes(secret.to_vec());
        let last = last_step.map(|s| u64::try_from(s).unwrap_or(0));
        let step = secret.verify(code, self.now(), last)?;
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        if self.accounts.use_totp_step(account_id, step).await? {
            Ok(())
        } else {
            Err(TotpError::Replayed.into())
        }
    }

    /// Stores a new session for the account and records the use.
    async fn start_session(
        &self,
        account_id: &str,
        persistent: bool,
        client_label: Option<String>,
    ) -> Result<LoggedIn> {
        let now = self.now();
        let token = SessionToken::generate()?;
        let csrf = CsrfToken::generate()?;
        let public_id = new_session_id()?;
        let expires_at = self.rules.session.expires_at(now, persistent);
        let session = StoredSession {
            token_hash: token.hash().to_vec(),
            public_id: public_id.clone(),
            account_id: account_id.to_owned(),
            created_at: now,
            last_seen_at: now,
            expires_at,
            persistent,
            client_label,
            // The CSRF token is stored as is: the server must put it into
            // every form of the session, and alone it logs nobody in.
            csrf: csrf.as_str().to_owned(),
        };
        self.accounts.create_session(&session).await?;
        self.accounts.touch_account(account_id, now).await?;
        Ok(LoggedIn {
            token,
            csrf,
            public_id,
            expires_at,
            persistent,
        })
    }

    /// The live session of the cookie value `token`, or `None`: for a
    /// malformed or unknown token, an ended session (deleted on the way)
    /// and a blocked or vanished account.
    pub async fn session(&self, token: &str) -> Result<Option<SessionInfo>> {
        let Some(token) = SessionToken::from_cookie(token) else {
            return Ok(None);
        };
        let now = self.now();
        let hash = token.hash();
        let Some(session) = self.accounts.find_session(&hash, now).await? else {
            return Ok(None);
        };
        let policy = &self.rules.session;
        if now >= session.expires_at
            || policy.is_expired(
                session.created_at,
                session.last_seen_at,
                now,
                session.persistent,
            )
        {
            self.accounts.delete_session(&hash).await?;
            return Ok(None);
        }
        let Some(account) = self.accounts.account(&session.account_id).await? else {
            return Ok(None);
        };
        if account.blocked {
            return Ok(None);
        }
        Ok(Some(SessionInfo {
            account_id: account.id,
            pseudonym: account.pseudonym,
            roles: account.roles,
            csrf: CsrfToken::from_stored(session.csrf),
            public_id: session.public_id,
            persistent: session.persistent,
        }))
    }

    /// Ends the session of the cookie value `token` (logout); `false`
    /// when there was none.
    pub async fn logout(&self, token: &str) -> Result<bool> {
        let Some(token) = SessionToken::from_cookie(token) else {
            return Ok(false);
        };
        Ok(self.accounts.delete_session(&token.hash()).await?)
    }

    /// Ends the account's session with this public id; another account's
    /// session is never touched.
    pub async fn end_session(&self, account_id: &str, public_id: &str) -> Result<bool> {
        Ok(self
            .accounts
            .delete_session_by_public_id(account_id, public_id)
            .await?)
    }

    /// Ends every session of the account but the one of `keep_token` (the
    /// cookie of the request; a malformed one keeps none); answers how
    /// many ended.
    pub async fn end_other_sessions(&self, account_id: &str, keep_token: &str) -> Result<u64> {
        let keep = SessionToken::from_cookie(keep_token).map(|t| t.hash());
        Ok(self
            .accounts
            .delete_sessions_of_account(account_id, keep.as_ref().map(|h| h.as_slice()))
            .await?)
    }

    /// The account's sessions, most recently used first.
    pub async fn sessions(&self, account_id: &str) -> Result<Vec<SessionListing>> {
        let sessions = self.accounts.sessions_of_account(account_id).await?;
        Ok(sessions
            .into_iter()
            .map(|s| SessionListing {
                public_id: s.public_id,
                created_at: s.created_at,
                last_seen_at: s.last_seen_at,
                expires_at: s.expires_at,
                persistent: s.persistent,
                client_label: s.client_label,
            })
            .collect())
    }
}
