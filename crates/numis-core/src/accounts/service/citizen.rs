//! What a logged-in citizen does on "Mein NUMIS": password, recovery
//! codes, second factor, profile, saved views, drawings, erasure. Every
//! method takes the account id of a live session ([`super::SessionInfo`]);
//! the server has checked the session and its CSRF token.

use numis_store::{OwnedDrawings, Profile, ProfileField, SavedView, StoredDrawing};

use super::{AccountService, new_id};
use crate::accounts::{AccountError, Pseudonym, RecoveryCode, Result, ThrottleKey, TotpSecret};

/// Longest voluntary profile field, in characters.
pub const MAX_PROFILE_CHARS: usize = 500;
/// Longest name of a saved view, in characters.
pub const MAX_VIEW_NAME_CHARS: usize = 100;
/// Longest map state of a saved view (a permalink's query), in bytes.
pub const MAX_VIEW_STATE_BYTES: usize = 4_096;

/// Everything an account holds about its citizen, for the export of
/// "Mein NUMIS" (Art. 15 and 20 GDPR): no password hash, no secret of the
/// second factor, no recovery code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonalData {
    /// The pseudonym as shown.
    pub pseudonym: String,
    /// The roles an operator granted, sorted.
    pub roles: Vec<String>,
    /// Registered, Unix seconds.
    pub created_at: i64,
    /// Last login or session use, Unix seconds.
    pub last_seen_at: i64,
    /// Whether the second factor is on.
    pub second_factor: bool,
    /// The voluntary profile.
    pub profile: Profile,
}

/// A second factor being set up: shown to the citizen, not yet active
/// until [`AccountService::totp_confirm`] gets a code of it.
#[derive(Debug)]
pub struct TotpSetup {
    /// The secret, for the confirmation form (and typing it by hand).
    pub secret: TotpSecret,
    /// The `otpauth://` URI.
    pub uri: String,
    /// The QR code of the URI, an SVG document.
    pub qr_svg: String,
}

impl AccountService {
    /// Changes the password after checking the old one, then ends every
    /// other session of the account (the one of `keep_token` stays).
    pub async fn change_password(
        &self,
        account_id: &str,
        old: &str,
        new: &str,
        keep_token: &str,
    ) -> Result<()> {
        let account = self.account(account_id).await?;
        self.check_password(&account, old).await?;
        let hash = self.new_password_hash(&account.pseudonym, new).await?;
        self.accounts.set_password_hash(account_id, &hash).await?;
        self.end_other_sessions(account_id, keep_token).await?;
        Ok(())
    }

    /// Sets a new password with one of the account's recovery codes,
    /// which is used up, and ends every session of the account. An
    /// unknown pseudonym, a wrong or used code and a blocked account all
    /// answer [`AccountError::RecoveryCode`]; the new password is checked
    /// and hashed before the account is looked up, so the time does not
    /// tell either. Failures are throttled per pseudonym.
    pub async fn recover(&self, pseudonym: &str, code: &str, new_password: &str) -> Result<()> {
        let parsed = Pseudonym::parse(pseudonym).map_err(|_| AccountError::RecoveryCode)?;
        let key = [ThrottleKey::pseudonym(parsed.key())];
        self.throttle_check(&key).await?;
        self.rules.password.check(new_password, &parsed)?;
        let hash = self.workers.hash(new_password.to_owned()).await?;
        let account = self.accounts.account_by_pseudonym_key(parsed.key()).await?;
        let used = match (&account, RecoveryCode::parse(code)) {
            (Some(account), Ok(code)) if !account.blocked => {
                self.accounts
                    .use_recovery_code(&account.id, &code.hash())
                    .await?
            }
            _ => false,
        };
        let Some(account) = account.filter(|_| used) else {
            self.throttle_failure(&key).await;
            return Err(AccountError::RecoveryCode);
        };
        self.accounts.set_password_hash(&account.id, &hash).await?;
        self.accounts
            .delete_sessions_of_account(&account.id, None)
            .await?;
        self.throttle_success(&key).await;
        Ok(())
    }

    /// How many unused recovery codes the account has.
    pub async fn recovery_codes_left(&self, account_id: &str) -> Result<u64> {
        Ok(self.accounts.recovery_codes_left(account_id).await?)
    }

    /// Ten new recovery codes after checking the password; the old ones
    /// stop working.
    pub async fn new_recovery_codes(
        &self,
        account_id: &str,
        password: &str,
    ) -> Result<Vec<RecoveryCode>> {
        let account = self.account(account_id).await?;
        self.check_password(&account, password).await?;
        self.replace_recovery_codes(account_id).await
    }

    /// A new second-factor secret with its URI and QR code. Nothing is
    /// stored: the second factor is on only after
    /// [`Self::totp_confirm`].
    pub async fn totp_begin(&self, account_id: &str) -> Result<TotpSetup> {
        let account = self.account(account_id).await?;
        let secret = TotpSecret::generate()?;
        let issuer = &self.rules.totp_issuer;
        let uri = secret.otpauth_uri(issuer, &account.pseudonym);
        let qr_svg = secret.qr_svg(issuer, &account.pseudonym)?;
        Ok(TotpSetup {
            secret,
            uri,
            qr_svg,
        })
    }

    /// Switches the second factor on with `secret` (base32, from
    /// [`Self::totp_begin`]) once `code` proves the app has it. The code
    /// is used up: it cannot log in again.
    pub async fn totp_confirm(&self, account_id: &str, secret: &str, code: &str) -> Result<()> {
        let secret = TotpSecret::from_base32(secret)?;
        secret.verify(code, self.now(), None)?;
        if !self
            .accounts
            .set_totp_secret(account_id, Some(secret.as_bytes()))
            .await?
        {
            return Err(AccountError::NotFound);
        }
        // The code is used up against the new secret; if that fails (the
        // same code raced in twice), the second factor stays off rather
        // than on with a confirmation the citizen never saw.
        if let Err(e) = self
            .check_totp(account_id, secret.as_bytes(), None, code)
            .await
        {
            self.accounts.set_totp_secret(account_id, None).await?;
            return Err(e);
        }
        Ok(())
    }

    /// Whether the account's second factor is on (for the settings
    /// pages, which show it and offer to switch it on or off).
    pub async fn second_factor_on(&self, account_id: &str) -> Result<bool> {
        Ok(self.account(account_id).await?.totp_secret.is_some())
    }

    /// Switches the second factor off after checking the password.
    pub async fn totp_disable(&self, account_id: &str, password: &str) -> Result<()> {
        let account = self.account(account_id).await?;
        self.check_password(&account, password).await?;
        self.accounts.set_totp_secret(account_id, None).await?;
        Ok(())
    }

    /// What the account holds about its citizen, for the export; the
    /// sessions and views come from [`Self::sessions`] and
    /// [`Self::views`].
    pub async fn personal_data(&self, account_id: &str) -> Result<PersonalData> {
        let account = self.account(account_id).await?;
        Ok(PersonalData {
            pseudonym: account.pseudonym,
            roles: account.roles,
            created_at: account.created_at,
            last_seen_at: account.last_seen_at,
            second_factor: account.totp_secret.is_some(),
            profile: account.profile,
        })
    }

    /// The account's voluntary profile.
    pub async fn profile(&self, account_id: &str) -> Result<Profile> {
        Ok(self.account(account_id).await?.profile)
    }

    /// Sets one profile field (trimmed; empty removes it), at most
    /// [`MAX_PROFILE_CHARS`] characters.
    pub async fn set_profile_field(
        &self,
        account_id: &str,
        field: ProfileField,
        value: &str,
    ) -> Result<()> {
        let value = value.trim();
        if value.chars().count() > MAX_PROFILE_CHARS {
            return Err(AccountError::TooLong {
                what: "profile field",
                max: MAX_PROFILE_CHARS,
            });
        }
        let value = (!value.is_empty()).then_some(value);
        self.found(
            self.accounts
                .set_profile_field(account_id, field, value)
                .await?,
        )
    }

    /// Removes one profile field.
    pub async fn remove_profile_field(&self, account_id: &str, field: ProfileField) -> Result<()> {
        self.found(
            self.accounts
                .set_profile_field(account_id, field, None)
                .await?,
        )
    }

    fn found(&self, changed: bool) -> Result<()> {
        if changed {
            Ok(())
        } else {
            Err(AccountError::NotFound)
        }
    }

    /// Saves a map view: `name` (trimmed, 1 to [`MAX_VIEW_NAME_CHARS`]
    /// characters) and `state`, the permalink's query string.
    pub async fn create_view(
        &self,
        account_id: &str,
        name: &str,
        state: &str,
    ) -> Result<SavedView> {
        let name = view_name(name)?;
        if state.len() > MAX_VIEW_STATE_BYTES {
            return Err(AccountError::TooLong {
                what: "map state",
                max: MAX_VIEW_STATE_BYTES,
            });
        }
        let now = self.now();
        let view = SavedView {
            id: new_id()?,
            account_id: account_id.to_owned(),
            name,
            state: state.to_owned(),
            created_at: now,
            updated_at: now,
        };
        self.accounts.create_view(&view).await?;
        Ok(view)
    }

    /// The account's views, by name.
    pub async fn views(&self, account_id: &str) -> Result<Vec<SavedView>> {
        Ok(self.accounts.views_of_account(account_id).await?)
    }

    /// The account's view `id`; another account's is
    /// [`AccountError::NoSuchView`].
    pub async fn view(&self, account_id: &str, id: &str) -> Result<SavedView> {
        self.accounts
            .view(account_id, id)
            .await?
            .ok_or(AccountError::NoSuchView)
    }

    /// Renames the account's view.
    pub async fn rename_view(&self, account_id: &str, id: &str, name: &str) -> Result<()> {
        let name = view_name(name)?;
        if self
            .accounts
            .rename_view(account_id, id, &name, self.now())
            .await?
        {
            Ok(())
        } else {
            Err(AccountError::NoSuchView)
        }
    }

    /// Deletes the account's view.
    pub async fn delete_view(&self, account_id: &str, id: &str) -> Result<()> {
        if self.accounts.delete_view(account_id, id).await? {
            Ok(())
        } else {
            Err(AccountError::NoSuchView)
        }
    }

    /// The account's drawings, newest first (expired ones included until
    /// the purge; the caller shows their expiry).
    pub async fn my_drawings(&self, account_id: &str) -> Result<Vec<StoredDrawing>> {
        Ok(self.drawings.drawings_of_owner(account_id).await?)
    }

    /// Binds drawing `drawing_id` to the account. The caller must have
    /// checked the drawing's edit key first
    /// ([`crate::drawings::DrawingService::editable`]): this method does
    /// not, it only refuses a drawing that is missing or owned by another
    /// account ([`AccountError::NotClaimable`]).
    pub async fn claim_drawing(&self, account_id: &str, drawing_id: &str) -> Result<()> {
        if self.drawings.claim_drawing(drawing_id, account_id).await? {
            Ok(())
        } else {
            Err(AccountError::NotClaimable)
        }
    }

    /// Erases the account after checking its password: every row of it,
    /// and its drawings as `drawings` says.
    pub async fn delete_account(
        &self,
        account_id: &str,
        password: &str,
        drawings: OwnedDrawings,
    ) -> Result<()> {
        let account = self.account(account_id).await?;
        self.check_password(&account, password).await?;
        let deleted = self.erased(
            self.accounts.delete_account(account_id, drawings).await,
            true,
        )?;
        self.found(deleted)
    }
}

/// A view name, trimmed, or why not.
fn view_name(name: &str) -> Result<String> {
    let name = name.trim();
    if name.is_empty() {
        return Err(AccountError::EmptyName);
    }
    if name.chars().count() > MAX_VIEW_NAME_CHARS {
        return Err(AccountError::TooLong {
            what: "view name",
            max: MAX_VIEW_NAME_CHARS,
        });
    }
    Ok(name.to_owned())
}
