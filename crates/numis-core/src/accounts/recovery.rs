//! Recovery codes: access without e-mail. At registration numis shows
//! [`CODES_PER_ACCOUNT`] codes like `7kq2-m9xd-4tva-hc3e` to print or save;
//! each one lets its holder in once (the store consumes it).
//!
//! A code is 16 characters of Crockford's base32 alphabet (digits and
//! lower-case letters without `i`, `l`, `o` and `u`): 80 random bits. On
//! input, case, dashes and spaces do not matter, and the letters people
//! misread are read as Crockford says: `o` as `0`, `i` and `l` as `1`.
//!
//! Only a SHA-256 of the normalised code is stored. Not Argon2, as for
//! passwords: a password may be guessable, so its hash must be slow, but
//! a code has 80 random bits, so even a fast hash leaves an offline search
//! of a leaked store at around 2^79 SHA-256 on average per code — out of
//! reach. An unsalted hash also lets the store find a presented code by
//! its hash in one indexed look-up and consume it atomically, which a
//! salted slow hash (ten verifications per attempt) could not.

use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::random::random_bytes;

/// Codes shown at registration (issue 12).
pub const CODES_PER_ACCOUNT: usize = 10;

/// Characters of a code, without its dashes.
const CODE_CHARS: usize = 16;
/// Characters between two dashes when a code is shown.
const GROUP_CHARS: usize = 4;
/// Crockford's base32 alphabet in lower case: no `i`, `l`, `o`, `u`.
const ALPHABET: &[u8; 32] = b"0123456789abcdefghjkmnpqrstvwxyz";
/// Keeps a code hash apart from every other SHA-256 numis stores.
const HASH_CONTEXT: &[u8] = b"numis recovery code\0";

/// Why recovery codes could not be made or a presented one not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RecoveryError {
    /// The input is no recovery code: wrong length or a character outside
    /// the alphabet. Tells nothing about whether any code would match.
    #[error(
        "this is not a recovery code; it has 16 letters and digits, such as 7kq2-m9xd-4tva-hc3e"
    )]
    Malformed,
    /// The operating system gave no randomness for new codes.
    #[error("no randomness for recovery codes: {0}")]
    NoRandomness(getrandom::Error),
}

/// One recovery code, normalised.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCode(String);

impl std::fmt::Debug for RecoveryCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // A code is a credential: it stays out of logs.
        f.write_str("RecoveryCode(…)")
    }
}

impl RecoveryCode {
    /// [`CODES_PER_ACCOUNT`] new, distinct codes for an account.
    pub fn generate_set() -> Result<Vec<Self>, RecoveryError> {
        let mut codes: Vec<Self> = Vec::with_capacity(CODES_PER_ACCOUNT);
        while codes.len() < CODES_PER_ACCOUNT {
            let code = Self::generate()?;
            // Two equal codes out of 2^80 do not happen; if they did, the
            // store would hold one hash twice and the user one code less.
            if !codes.contains(&code) {
                codes.push(code);
            }
        }
        Ok(codes)
    }

    /// One new code.
    pub fn generate() -> Result<Self, RecoveryError> {
        // 10 random bytes are 80 bits, read as 16 groups of five bits:
        // each group picks one of the 32 characters, all equally likely.
        let bytes = random_bytes::<10>().map_err(RecoveryError::NoRandomness)?;
        let bits = bytes
            .iter()
            .fold(0u128, |acc, &b| (acc << 8) | u128::from(b));
        let code = (0..CODE_CHARS)
            .map(|i| {
                let index = (bits >> (5 * (CODE_CHARS - 1 - i))) & 0x1f;
                char::from(ALPHABET[index as usize])
            })
            .collect();
        Ok(Self(code))
    }

    /// Reads a code as a person types it: any case, with or without dashes
    /// and spaces, `o` for `0`, `i` or `l` for `1`.
    ///
    /// ```
    /// use numis_core::accounts::RecoveryCode;
    ///
    /// let code = RecoveryCode::parse("7KQ2 M9XD-4TVA-HC3E").unwrap();
    /// assert_eq!(code.to_string(), "7kq2-m9xd-4tva-hc3e");
    /// assert_eq!(RecoveryCode::parse("7kq2m9xd4tvahc3e").unwrap(), code);
    /// assert!(RecoveryCode::parse("7kq2-m9xd").is_err());
    /// ```
    pub fn parse(input: &str) -> Result<Self, RecoveryError> {
        let mut code = String::with_capacity(CODE_CHARS);
        for c in input.chars() {
            if c == '-' || c.is_whitespace() {
                continue;
            }
            let c = match c.to_ascii_lowercase() {
                'o' => '0',
                'i' | 'l' => '1',
                c if c.is_ascii() && ALPHABET.contains(&(c as u8)) => c,
                _ => return Err(RecoveryError::Malformed),
            };
            code.push(c);
        }
        if code.len() != CODE_CHARS {
            return Err(RecoveryError::Malformed);
        }
        Ok(Self(code))
    }

    /// What the store keeps and looks a presented code up by.
    pub fn hash(&self) -> [u8; 32] {
        Sha256::new()
            .chain_update(HASH_CONTEXT)
            .chain_update(self.0.as_bytes())
            .finalize()
            .into()
    }

    /// Is this the code whose [`Self::hash`] is `stored`? Compared in
    /// constant time.
    pub fn matches(&self, stored: &[u8]) -> bool {
        self.hash().ct_eq(stored).into()
    }
}

impl std::fmt::Display for RecoveryCode {
    /// The code as shown to print: groups of four joined by dashes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, group) in self.0.as_bytes().chunks(GROUP_CHARS).enumerate() {
            if i > 0 {
                f.write_str("-")?;
            }
            // The code is ASCII by construction.
            f.write_str(std::str::from_utf8(group).map_err(|_| std::fmt::Error)?)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_set_is_ten_distinct_codes_of_the_unambiguous_alphabet() {
        let codes = RecoveryCode::generate_set().unwrap();
        assert_eq!(codes.len(), 10);
        for (i, code) in codes.iter().enumerate() {
            let shown = code.to_string();
            assert_eq!(shown.len(), 19, "{shown}");
            assert_eq!(shown.matches('-').count(), 3, "{shown}");
            assert!(
                shown
                    .chars()
                    .all(|c| c == '-' || ALPHABET.contains(&(c as u8))),
                "{shown}"
            );
            assert!(!shown.contains(['i', 'l', 'o', 'u']), "{shown}");
            assert!(codes[i + 1..].iter().all(|other| other != code));
            assert_eq!(
                RecoveryCode::parse(&shown).unwrap(),
                *code,
                "shown codes read back"
            );
        }
    }

    #[test]
    fn every_character_of_the_alphabet_turns_up() {
        let seen: std::collections::HashSet<char> = (0..50)
            .flat_map(|_| {
                RecoveryCode::generate()
                    .unwrap()
                    .0
                    .chars()
                    .collect::<Vec<_>>()
            })
            .collect();
        assert_eq!(seen.len(), 32, "800 draws cover all 32 characters");
    }

    #[test]
    fn case_dashes_spaces_and_misread_letters_do_not_matter() {
        let code = RecoveryCode::parse("1000-abcd-efgh-jkmn").unwrap();
        for typed in [
            "1000abcdefghjkmn",
            "1000 ABCD EFGH JKMN",
            " 1000-abcd-efgh-jkmn\n",
            "l0o0-abcd-efgh-jkmn",
            "iOOO-ABCD-EFGH-JKMN",
        ] {
            assert_eq!(RecoveryCode::parse(typed).unwrap(), code, "{typed:?}");
        }
    }

    #[test]
    fn wrong_lengths_and_foreign_characters_are_no_code() {
        for typed in [
            "",
            "1000-abcd-efgh",
            "1000-abcd-efgh-jkmn-p",
            "1000-abcd-efgh-jkmu",
            "1000-abcd-efgh-jkm!",
            "1000-äbcd-efgh-jkmn",
        ] {
            assert!(
                matches!(RecoveryCode::parse(typed), Err(RecoveryError::Malformed)),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn only_the_code_itself_matches_its_stored_hash() {
        let code = RecoveryCode::generate().unwrap();
        let stored = code.hash();
        assert!(code.matches(&stored));
        assert!(
            RecoveryCode::parse(&code.to_string().to_uppercase())
                .unwrap()
                .matches(&stored)
        );
        assert!(!RecoveryCode::generate().unwrap().matches(&stored));
        assert!(!code.matches(&stored[..31]));
        assert_ne!(
            stored.to_vec(),
            Sha256::digest(code.0.as_bytes()).to_vec(),
            "hashed in context"
        );
    }

    #[test]
    fn a_code_stays_out_of_debug_output() {
        let code = RecoveryCode::parse("1000-abcd-efgh-jkmn").unwrap();
        assert!(!format!("{code:?}").contains("abcd"));
    }
}
