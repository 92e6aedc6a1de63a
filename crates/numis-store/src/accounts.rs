//! The shapes of the "Mein NUMIS" aggregate as stored: accounts with their
//! roles and voluntary profile, sessions, password-reset links and saved
//! map views (clauses P3, P4, P5, L7, L8). The store keeps what it is given: ids, hashes, tokens,
//! normalised pseudonyms and every time are decided by the caller
//! (`numis-core`), which also decides what may be shown to whom.

/// A new account, as registration creates it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAccount {
    /// Random id chosen by the caller; never shown to other citizens.
    pub id: String,
    /// The pseudonym as the citizen typed it, for display.
    pub pseudonym: String,
    /// The normalised pseudonym; unique across all accounts.
    pub pseudonym_key: String,
    /// The password's hash as a PHC string (the password itself is never
    /// stored).
    pub password_hash: String,
    /// Registered, Unix seconds (UTC); also the first "last seen".
    pub created_at: i64,
}

/// The voluntary profile fields. Each may be given, changed or removed on
/// its own; none is ever required.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Profile {
    /// E-mail address (for a password reset by mail, if the operator
    /// configured SMTP).
    pub email: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Organisation.
    pub organisation: Option<String>,
    /// Postal address.
    pub postal_address: Option<String>,
}

/// One of the voluntary [`Profile`] fields, to set or remove it alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProfileField {
    /// [`Profile::email`].
    Email,
    /// [`Profile::name`].
    Name,
    /// [`Profile::organisation`].
    Organisation,
    /// [`Profile::postal_address`].
    PostalAddress,
}

/// An account as stored, with its roles and profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAccount {
    /// The caller's random id.
    pub id: String,
    /// The pseudonym as shown.
    pub pseudonym: String,
    /// The normalised pseudonym (unique).
    pub pseudonym_key: String,
    /// The password hash, a PHC string.
    pub password_hash: String,
    /// Registered, Unix seconds.
    pub created_at: i64,
    /// Last login or session use, Unix seconds (retention, clause L8).
    pub last_seen_at: i64,
    /// Blocked by an operator: may not log in.
    pub blocked: bool,
    /// The TOTP secret when the second factor is on, in the caller's
    /// encoding.
    pub totp_secret: Option<Vec<u8>>,
    /// The last TOTP time step accepted (replay protection).
    pub totp_last_step: Option<i64>,
    /// Roles granted by an operator, sorted.
    pub roles: Vec<String>,
    /// The voluntary profile.
    pub profile: Profile,
    /// Whether an operator account may see other accounts' profile
    /// fields (default off).
    pub profile_access: bool,
}

/// What an operator's account list shows: no password hash, no second
/// factor, no profile fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountSummary {
    /// The caller's random id.
    pub id: String,
    /// The pseudonym as shown.
    pub pseudonym: String,
    /// Registered, Unix seconds.
    pub created_at: i64,
    /// Last seen, Unix seconds.
    pub last_seen_at: i64,
    /// Blocked by an operator.
    pub blocked: bool,
    /// Roles, sorted.
    pub roles: Vec<String>,
}

/// What happens to an account's drawings when the account is deleted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OwnedDrawings {
    /// They stay, anonymous, reachable with their edit links as before.
    KeepAnonymous,
    /// They are deleted with the account.
    Delete,
}

/// A login session. The session token itself is never stored, only its
/// hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredSession {
    /// Hash of the session token (the cookie's value).
    pub token_hash: Vec<u8>,
    /// A separate random id that names the session on the sessions page
    /// ("end this session") without revealing the token hash.
    pub public_id: String,
    /// The account logged in.
    pub account_id: String,
    /// Logged in, Unix seconds.
    pub created_at: i64,
    /// Last used, Unix seconds (updated at most once a minute, see
    /// [`crate::AccountStore::find_session`]).
    pub last_seen_at: i64,
    /// Absolute end, Unix seconds.
    pub expires_at: i64,
    /// "Angemeldet bleiben": a permanent cookie, ended only by
    /// `expires_at`, never by idleness.
    pub persistent: bool,
    /// A short label of the browser family, such as "Firefox on Linux";
    /// never the full user agent.
    pub client_label: Option<String>,
    /// The session's CSRF token, or its hash (the caller decides).
    pub csrf: String,
}

/// A saved map view of an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedView {
    /// Random id chosen by the caller.
    pub id: String,
    /// The owning account.
    pub account_id: String,
    /// The name the citizen gave it.
    pub name: String,
    /// The map state: the permalink's query string.
    pub state: String,
    /// Saved, Unix seconds.
    pub created_at: i64,
    /// Last renamed, Unix seconds.
    pub updated_at: i64,
}

/// A password-reset link sent by mail. The link's token itself is never
/// stored, only its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordReset {
    /// Hash of the token in the link.
    pub token_hash: Vec<u8>,
    /// The account whose password the link resets.
    pub account_id: String,
    /// Sent, Unix seconds.
    pub created_at: i64,
    /// The link works until just before this time, Unix seconds.
    pub expires_at: i64,
}
