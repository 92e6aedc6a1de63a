//! Refusals of the account service in the page's language. The service
//! speaks English to logs and the JSON API; the pages say the same in
//! German or English from the theme's strings (`ACCOUNT.ERROR.*` in
//! `theme/languages/account.*.yaml`), which a site may override.

use numis_cms::{Lang, Site};
use numis_core::accounts::{AccountError, PasswordError, PseudonymError, TotpError};

/// The refusal `error` as the citizen reads it in `lang`.
pub fn message(site: &Site, lang: Lang, error: &AccountError) -> String {
    let key = key_of(error);
    let text = site.text(lang, &format!("ACCOUNT.ERROR.{key}"));
    match error {
        AccountError::Throttled(wait) => text.replace("{seconds}", &wait.seconds().to_string()),
        AccountError::Pseudonym(PseudonymError::NotAllowed(c)) => {
            text.replace("{char}", &c.to_string())
        }
        AccountError::TooLong { max, .. } => text.replace("{max}", &max.to_string()),
        _ => text,
    }
}

/// The translation key of a refusal (after `ACCOUNT.ERROR.`).
fn key_of(error: &AccountError) -> &'static str {
    match error {
        e if e.is_failure() => "FAILURE",
        AccountError::Pseudonym(e) => match e {
            PseudonymError::TooShort => "PSEUDONYM_TOO_SHORT",
            PseudonymError::TooLong => "PSEUDONYM_TOO_LONG",
            PseudonymError::ControlCharacter => "PSEUDONYM_CONTROL",
            PseudonymError::NotAllowed(_) => "PSEUDONYM_NOT_ALLOWED",
            _ => "PSEUDONYM_NO_LETTER",
        },
        AccountError::PseudonymTaken => "PSEUDONYM_TAKEN",
        AccountError::Password(e) => match e {
            PasswordError::TooShort => "PASSWORD_TOO_SHORT",
            PasswordError::TooLong => "PASSWORD_TOO_LONG",
            PasswordError::Common => "PASSWORD_COMMON",
            PasswordError::SameAsPseudonym => "PASSWORD_SAME_AS_PSEUDONYM",
            _ => "FAILURE",
        },
        AccountError::WrongCredentials => "WRONG_CREDENTIALS",
        AccountError::Blocked => "BLOCKED",
        AccountError::Throttled(_) => "THROTTLED",
        AccountError::SecondFactorRequired => "SECOND_FACTOR_REQUIRED",
        AccountError::SecondFactor(e) => match e {
            TotpError::Malformed => "CODE_MALFORMED",
            TotpError::Replayed => "CODE_REPLAYED",
            _ => "CODE_WRONG",
        },
        AccountError::RecoveryCode => "RECOVERY_CODE",
        AccountError::ResetLink => "RESET_LINK",
        AccountError::NotLoggedIn => "NOT_LOGGED_IN",
        AccountError::CsrfMismatch => "CSRF",
        AccountError::TooLong { .. } => "TOO_LONG",
        AccountError::EmptyName => "EMPTY_NAME",
        AccountError::NoSuchView => "NO_SUCH_VIEW",
        AccountError::NotClaimable => "NOT_CLAIMABLE",
        AccountError::BadRole => "BAD_ROLE",
        _ => "NOT_FOUND",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    use numis_core::accounts::RetryAfter;

    fn site() -> Site {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../site");
        Site::load(&dir).expect("the demo site loads")
    }

    #[test]
    fn every_refusal_has_a_text_in_both_languages() {
        let site = site();
        let refusals = [
            AccountError::from(PseudonymError::TooShort),
            AccountError::from(PseudonymError::TooLong),
            AccountError::from(PseudonymError::ControlCharacter),
            AccountError::from(PseudonymError::NotAllowed('<')),
            AccountError::from(PseudonymError::NoLetterOrDigit),
            AccountError::PseudonymTaken,
            AccountError::from(PasswordError::TooShort),
            AccountError::from(PasswordError::TooLong),
            AccountError::from(PasswordError::Common),
            AccountError::from(PasswordError::SameAsPseudonym),
            AccountError::from(PasswordError::Worker("gone".into())),
            AccountError::WrongCredentials,
            AccountError::Blocked,
            AccountError::from(RetryAfter(Duration::from_secs(8))),
            AccountError::SecondFactorRequired,
            AccountError::from(TotpError::Malformed),
            AccountError::from(TotpError::Wrong),
            AccountError::from(TotpError::Replayed),
            AccountError::RecoveryCode,
            AccountError::ResetLink,
            AccountError::NotLoggedIn,
            AccountError::CsrfMismatch,
            AccountError::TooLong {
                what: "view name",
                max: 100,
            },
            AccountError::EmptyName,
            AccountError::NoSuchView,
            AccountError::NotClaimable,
            AccountError::BadRole,
            AccountError::NotFound,
        ];
        for lang in [Lang::De, Lang::En] {
            for error in &refusals {
                let text = message(&site, lang, error);
                assert!(
                    !text.starts_with("ACCOUNT.") && !text.contains('{'),
                    "{lang:?} {error:?}: {text}"
                );
            }
        }
        assert!(
            message(
                &site,
                Lang::De,
                &AccountError::from(RetryAfter(Duration::from_secs(8)))
            )
            .contains('8')
        );
        assert!(
            message(
                &site,
                Lang::En,
                &AccountError::from(PseudonymError::NotAllowed('<'))
            )
            .contains('<')
        );
    }
}
