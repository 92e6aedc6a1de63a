//! Password reset by a link in a mail: for citizens who forgot their
//! password, gave an e-mail address in their profile, and whose portal
//! can send mail. (Recovery codes, [`AccountService::recover`], always
//! work and need no mail.)
//!
//! - [`AccountService::request_reset`] makes a link's token and answers
//!   what to mail, or `None`: the page says the same whether or not a
//!   mail goes out, so it tells nobody which pseudonyms exist or have an
//!   address. Every request is throttled per pseudonym, and an account
//!   never has more than [`MAX_LIVE_RESETS`] working links, so nobody can
//!   flood a citizen's mailbox.
//! - [`AccountService::reset_link_works`] checks a link without using it
//!   (the page the link opens; mail scanners that open links in advance
//!   use up nothing).
//! - [`AccountService::reset_password_by_link`] uses the link once, sets
//!   the new password and ends every session of the account. (The
//!   operator's `reset_password` by pseudonym is another thing.)
//!
//! The token is 256 random bits (URL-safe base64), stored only as its
//! SHA-256: a copy of the store resets nothing.

use numis_store::PasswordReset;

use super::AccountService;
use crate::accounts::{AccountError, Pseudonym, Result, SessionToken, ThrottleKey};

/// How long a reset link works, in seconds: one hour.
pub const RESET_VALIDITY_SECONDS: i64 = 3_600;

/// Most working reset links per account. Links expire after
/// [`RESET_VALIDITY_SECONDS`], so an account gets at most this many mails
/// an hour, however often its pseudonym is asked for.
pub const MAX_LIVE_RESETS: u64 = 3;

/// The secret of a reset link.
#[derive(Clone, PartialEq, Eq)]
pub struct ResetToken(SessionToken);

impl std::fmt::Debug for ResetToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The token resets a password: it stays out of logs.
        f.write_str("ResetToken(…)")
    }
}

impl ResetToken {
    /// A new token: as a session token, 256 random bits.
    pub(super) fn generate() -> Result<Self> {
        Ok(Self(SessionToken::generate()?))
    }

    /// The token of a link's `token` parameter, if it has a token's
    /// shape; anything else is no link and needs no look-up.
    pub fn parse(value: &str) -> Option<Self> {
        SessionToken::from_cookie(value).map(Self)
    }

    /// The value for the link.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// What the store keeps and finds the link by.
    pub(super) fn hash(&self) -> [u8; 32] {
        self.0.hash()
    }
}

/// A reset link to mail.
#[derive(Debug)]
pub struct ResetMail {
    /// The account's e-mail address.
    pub to: String,
    /// The link's token (only its hash is stored).
    pub token: ResetToken,
    /// The pseudonym, to greet the citizen with.
    pub pseudonym: String,
}

impl AccountService {
    /// A reset link for the account with this pseudonym, to mail to its
    /// profile's e-mail address; `None` when there is no such account, it
    /// has no address, it is blocked or it has [`MAX_LIVE_RESETS`] working
    /// links already. The caller answers the same in every case.
    ///
    /// Every request counts as a failure for the pseudonym in the login
    /// throttle, whatever happens next, so [`AccountError::Throttled`]
    /// comes for any pseudonym asked for too often, existing or not. A
    /// login with the right password forgets the count.
    pub async fn request_reset(&self, pseudonym: &str) -> Result<Option<ResetMail>> {
        let Ok(parsed) = Pseudonym::parse(pseudonym) else {
            // No account can have it.
            return Ok(None);
        };
        let key = [ThrottleKey::pseudonym(parsed.key())];
        self.throttle_check(&key).await?;
        self.throttle_failure(&key).await;

        let Some(account) = self.accounts.account_by_pseudonym_key(parsed.key()).await? else {
            return Ok(None);
        };
        let email = account.profile.email.as_deref().map(str::trim);
        let Some(email) = email.filter(|e| !e.is_empty() && !account.blocked) else {
            return Ok(None);
        };
        let now = self.now();
        if self.accounts.live_password_resets(&account.id, now).await? >= MAX_LIVE_RESETS {
            return Ok(None);
        }
        let token = ResetToken::generate()?;
        self.accounts
            .create_password_reset(&PasswordReset {
                token_hash: token.hash().to_vec(),
                account_id: account.id.clone(),
                created_at: now,
                expires_at: now.saturating_add(RESET_VALIDITY_SECONDS),
            })
            .await?;
        Ok(Some(ResetMail {
            to: email.to_owned(),
            token,
            pseudonym: account.pseudonym,
        }))
    }

    /// Would the link with `token` reset a password now? Uses up nothing.
    pub async fn reset_link_works(&self, token: &str) -> Result<bool> {
        Ok(self.reset_account(token).await?.is_some())
    }

    /// Sets `new_password` with the reset link's `token`, which is used
    /// up, then ends every session of the account and voids its other
    /// links. A malformed, unknown, used or expired link, and one of a
    /// blocked account, is [`AccountError::ResetLink`]. A password the
    /// policy refuses leaves the link working, so the citizen can try
    /// another one.
    pub async fn reset_password_by_link(&self, token: &str, new_password: &str) -> Result<()> {
        // The policy needs the pseudonym (the password must not be it), so
        // the link is looked at first and used only once the password
        // passed: a refused password does not cost the link.
        let Some((token, account)) = self.reset_account(token).await? else {
            return Err(AccountError::ResetLink);
        };
        let hash = self
            .new_password_hash(&account.pseudonym, new_password)
            .await?;
        let taken = self
            .accounts
            .take_password_reset(&token.hash(), self.now())
            .await?;
        if taken.is_none_or(|reset| reset.account_id != account.id) {
            // Used or expired while the password was hashed.
            return Err(AccountError::ResetLink);
        }
        self.accounts.set_password_hash(&account.id, &hash).await?;
        self.accounts
            .delete_sessions_of_account(&account.id, None)
            .await?;
        self.accounts
            .delete_password_resets_of_account(&account.id)
            .await?;
        Ok(())
    }

    /// The token and the account of a link that works now, without using
    /// it up.
    async fn reset_account(
        &self,
        token: &str,
    ) -> Result<Option<(ResetToken, numis_store::StoredAccount)>> {
        let Some(token) = ResetToken::parse(token) else {
            return Ok(None);
        };
        let Some(reset) = self
            .accounts
            .password_reset(&token.hash(), self.now())
            .await?
        else {
            return Ok(None);
        };
        let account = self.accounts.account(&reset.account_id).await?;
        Ok(account
            .filter(|account| !account.blocked)
            .map(|account| (token, account)))
    }
}
