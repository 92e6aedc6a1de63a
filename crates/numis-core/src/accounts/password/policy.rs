//! Which passwords an account may choose: long enough, not one of the
//! common ones numis ships, not the pseudonym. Length beats composition
//! rules (NIST SP 800-63B §5.1.1.2), so there are none of those.

use std::sync::LazyLock;

use unicode_normalization::UnicodeNormalization as _;

use super::PasswordError;
use crate::accounts::pseudonym::{Pseudonym, caseless_key};

/// Fewest characters of a password (issue 12).
pub const MIN_CHARS: usize = 10;
/// Most characters of a password; a passphrase is shorter, and the bound
/// keeps what is hashed small.
pub const MAX_CHARS: usize = 1_024;

/// The shipped list: common passwords of at least [`MIN_CHARS`]
/// characters, lower-cased, sorted, one a line after a `#` header. Shorter
/// ones need no list: the length rule refuses them. `data/` says how the
/// list was made.
const COMMON_PASSWORDS: &str = include_str!("../../../data/common-passwords.txt");

/// The list's entries, sorted as the file is (byte order), for a binary
/// search without a copy of any entry.
static COMMON: LazyLock<Vec<&'static str>> = LazyLock::new(|| {
    COMMON_PASSWORDS
        .lines()
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect()
});

/// The password rules. There is nothing to configure yet; the type gives
/// the rules one place and the service one value to hold.
#[derive(Debug, Clone, Default)]
pub struct PasswordPolicy {}

impl PasswordPolicy {
    /// Checks a new password of the account `pseudonym`.
    pub fn check(&self, password: &str, pseudonym: &Pseudonym) -> Result<(), PasswordError> {
        let normalised: String = password.nfkc().collect();
        let chars = normalised.chars().count();
        if chars < MIN_CHARS {
            return Err(PasswordError::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PasswordError::TooLong);
        }
        if is_common(&normalised) {
            return Err(PasswordError::Common);
        }
        if caseless_key(&normalised) == pseudonym.key() {
            return Err(PasswordError::SameAsPseudonym);
        }
        Ok(())
    }
}

/// Is `password` on the shipped list, whatever its case?
fn is_common(password: &str) -> bool {
    COMMON
        .binary_search(&password.to_lowercase().as_str())
        .is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(password: &str) -> Result<(), PasswordError> {
        PasswordPolicy::default().check(password, &Pseudonym::parse("Wattwurm").unwrap())
    }

    #[test]
    fn the_shipped_list_is_long_sorted_lower_case_and_long_enough_to_matter() {
        assert!(COMMON.len() > 5_000, "{} entries", COMMON.len());
        assert!(
            COMMON.windows(2).all(|w| w[0] < w[1]),
            "sorted, no duplicates"
        );
        for entry in COMMON.iter() {
            assert_eq!(entry.to_lowercase(), *entry);
            assert!(entry.chars().count() >= MIN_CHARS, "{entry}");
        }
    }

    #[test]
    fn the_most_common_long_passwords_are_refused_in_any_case() {
        for common in [
            "1234567890",
            "qwertyuiop",
            "QWERTZUIOP",
            "password123",
            "Passwort123",
            "PASSWORT123",
            "iloveyou123",
            "ichliebedich",
            "Schalke04Schalke04",
            "hallo12345",
            "Michael1985",
            "1q2w3e4r5t",
            "P@ssw0rd123",
            "asdfghjklö",
        ] {
            assert_eq!(check(common), Err(PasswordError::Common), "{common}");
        }
    }

    #[test]
    fn a_long_uncommon_password_passes() {
        assert_eq!(check("Moorlilie am Steinhuder Meer"), Ok(()));
        assert_eq!(check("kx7-Fähre-Lühe"), Ok(()));
    }

    #[test]
    fn length_is_counted_in_characters_not_bytes() {
        assert_eq!(
            check("äöüäöüäöü"),
            Err(PasswordError::TooShort),
            "9 characters, 18 bytes"
        );
        assert_eq!(check("äöüäöüäöüß"), Ok(()));
        assert_eq!(check(""), Err(PasswordError::TooShort));
        assert_eq!(
            check(&"x7".repeat(MAX_CHARS / 2 + 1)),
            Err(PasswordError::TooLong)
        );
    }

    #[test]
    fn decomposed_umlauts_count_as_one_character() {
        // Nine characters once composed, though eighteen code points.
        assert_eq!(check(&"a\u{308}".repeat(9)), Err(PasswordError::TooShort));
    }

    #[test]
    fn the_pseudonym_is_no_password_in_any_case() {
        let me = Pseudonym::parse("Straße am Deich").unwrap();
        let policy = PasswordPolicy::default();
        assert_eq!(
            policy.check("Straße am Deich", &me),
            Err(PasswordError::SameAsPseudonym)
        );
        assert_eq!(
            policy.check("STRASSE AM DEICH", &me),
            Err(PasswordError::SameAsPseudonym)
        );
        assert_eq!(policy.check("Straße am Deich 2", &me), Ok(()));
    }
}
