//! Pseudonyms: the only thing a citizen must choose to register (clause
//! P4), shown as typed and unique by a normalised [`Pseudonym::key`].
//!
//! The rules, in the order they are applied:
//!
//! 1. Surrounding whitespace is trimmed, the rest is put into Unicode NFC
//!    (so `Mu\u{308}ller` is shown as `Müller`), and runs of spaces inside
//!    are shown as one.
//! 2. Length: 3 to 32 characters ([`MIN_CHARS`], [`MAX_CHARS`]), counted
//!    as Unicode scalar values of that NFC form. Not grapheme clusters:
//!    the bound exists for storage and layout, and after NFC the letters of
//!    the languages a portal in Germany meets (umlauts, accents, ß) are one
//!    character each.
//! 3. Allowed: letters and digits of any script (Unicode `Alphabetic` and
//!    `Numeric`, which includes combining marks that belong to a letter),
//!    the space, `.`, `_` and `-`; at least one letter or digit. Control
//!    characters are refused with their own message, because they are
//!    invisible; so is every other space-like character (no-break space,
//!    ideographic space) and any other punctuation or symbol.
//!
//! The key is Unicode *compatibility caseless* matching (Unicode §3.13,
//! D146) made into a string: NFD, full case folding, NFKD, full case
//! folding again, then NFKC to keep it short. So `Müller`, `MÜLLER` and
//! `Mu\u{308}ller` share a key, and so do full-width and ordinary digits.
//! Full (not simple) case folding maps `ß` and `ẞ` to `ss`: `Straße` and
//! `STRASSE` are one pseudonym, as a German reader would expect, and
//! nobody can register a look-alike of someone else that way. Confusables
//! across scripts (Latin `a` and Cyrillic `а`) are not folded; that needs
//! Unicode's confusables table and is left to moderation.

use caseless::Caseless as _;
use unicode_normalization::UnicodeNormalization as _;

/// Fewest characters of a pseudonym.
pub const MIN_CHARS: usize = 3;
/// Most characters of a pseudonym.
pub const MAX_CHARS: usize = 32;

/// Why a pseudonym was refused. Each message is written for the person
/// who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum PseudonymError {
    /// Fewer than [`MIN_CHARS`] characters after trimming.
    #[error("a pseudonym needs at least {MIN_CHARS} characters")]
    TooShort,
    /// More than [`MAX_CHARS`] characters.
    #[error("a pseudonym has at most {MAX_CHARS} characters")]
    TooLong,
    /// A control character (line break, tab, direction mark …): invisible,
    /// so refused on its own.
    #[error("a pseudonym cannot contain control or invisible characters")]
    ControlCharacter,
    /// A character outside letters, digits, space, `.`, `_` and `-`.
    #[error("{0:?} is not allowed in a pseudonym; use letters, digits, spaces, '.', '_' and '-'")]
    NotAllowed(char),
    /// Only punctuation and spaces, no letter or digit.
    #[error("a pseudonym needs at least one letter or digit")]
    NoLetterOrDigit,
}

/// A valid pseudonym: the form to show and the key that makes it unique.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pseudonym {
    shown: String,
    key: String,
}

impl Pseudonym {
    /// Checks `input` against the rules of the module docs.
    ///
    /// ```
    /// use numis_core::accounts::{Pseudonym, PseudonymError};
    ///
    /// let name = Pseudonym::parse("  Jürgen  Müller ").unwrap();
    /// assert_eq!(name.as_str(), "Jürgen Müller");
    /// assert_eq!(name.key(), Pseudonym::parse("JÜRGEN MÜLLER").unwrap().key());
    /// assert_eq!(Pseudonym::parse("ab"), Err(PseudonymError::TooShort));
    /// ```
    pub fn parse(input: &str) -> Result<Self, PseudonymError> {
        let shown = collapse_spaces(&input.trim().nfc().collect::<String>());
        let chars = shown.chars().count();
        if chars < MIN_CHARS {
            return Err(PseudonymError::TooShort);
        }
        if chars > MAX_CHARS {
            return Err(PseudonymError::TooLong);
        }
        for c in shown.chars() {
            if is_control_or_invisible(c) {
                return Err(PseudonymError::ControlCharacter);
            }
            if !(c.is_alphanumeric() || matches!(c, ' ' | '.' | '_' | '-')) {
                return Err(PseudonymError::NotAllowed(c));
            }
        }
        if !shown.chars().any(char::is_alphanumeric) {
            return Err(PseudonymError::NoLetterOrDigit);
        }
        let key = caseless_key(&shown);
        Ok(Self { shown, key })
    }

    /// The pseudonym as the person typed it (trimmed, NFC): what pages
    /// show.
    pub fn as_str(&self) -> &str {
        &self.shown
    }

    /// The normalised form that must be unique among accounts (the
    /// store's unique column) and by which a login finds its account.
    pub fn key(&self) -> &str {
        &self.key
    }
}

impl std::fmt::Display for Pseudonym {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.shown)
    }
}

/// The form of a search text that finds pseudonyms by substring: the
/// text normalised as a pseudonym is (trimmed, NFC, single spaces, then
/// the caseless key), without the pseudonym rules, so that any part of a
/// name can be searched for. `search_key("müller")` is a substring of
/// the key of `Jürgen MÜLLER`.
pub fn search_key(text: &str) -> String {
    caseless_key(&collapse_spaces(&text.trim().nfc().collect::<String>()))
}

/// Unicode compatibility caseless form of `text` (see the module docs).
/// Also used to compare a password with its pseudonym.
pub(crate) fn caseless_key(text: &str) -> String {
    text.nfd()
        .default_case_fold()
        .nfkd()
        .default_case_fold()
        .nfkc()
        .collect()
}

fn collapse_spaces(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut previous_space = false;
    for c in text.chars() {
        if c == ' ' && previous_space {
            continue;
        }
        previous_space = c == ' ';
        out.push(c);
    }
    out
}

/// Control characters (Cc) and the format characters (Cf) that change
/// how text looks without being seen: zero-width space and joiners,
/// direction marks and overrides, the BOM, soft hyphen. Also the Hangul
/// fillers: letters to Unicode, but blank, the classic invisible name.
fn is_control_or_invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2064}'
            | '\u{2066}'..='\u{206F}' | '\u{FEFF}'
            | '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(input: &str) -> String {
        Pseudonym::parse(input).unwrap().key().to_owned()
    }

    #[test]
    fn umlauts_in_any_case_or_composition_share_one_key() {
        let composed = key("Müller");
        assert_eq!(key("MÜLLER"), composed);
        assert_eq!(key("Mu\u{308}ller"), composed);
        assert_eq!(key("mÜlLeR"), composed);
        assert_ne!(key("Muller"), composed, "an umlaut is not its base letter");
    }

    #[test]
    fn sharp_s_and_double_s_are_one_pseudonym() {
        assert_eq!(key("Straße"), key("STRASSE"));
        assert_eq!(key("Straße"), key("strasse"));
        assert_eq!(key("STRAẞE"), key("strasse"), "capital sharp s too");
    }

    #[test]
    fn full_width_forms_fold_to_their_ordinary_letters() {
        assert_eq!(key("Ｎｕｍｉｓ１"), key("numis1"));
    }

    #[test]
    fn the_shown_form_is_trimmed_composed_and_keeps_its_case() {
        let name = Pseudonym::parse("\t Mu\u{308}ller   Lüdenscheid \n").unwrap();
        assert_eq!(name.as_str(), "Müller Lüdenscheid");
        assert_eq!(name.to_string(), "Müller Lüdenscheid");
        assert_eq!(name.key(), "müller lüdenscheid");
    }

    #[test]
    fn length_is_counted_in_characters_of_the_composed_form() {
        assert_eq!(Pseudonym::parse("Jo"), Err(PseudonymError::TooShort));
        assert_eq!(Pseudonym::parse("   Jo   "), Err(PseudonymError::TooShort));
        assert!(Pseudonym::parse("Jon").is_ok());
        // Three characters once composed, six bytes.
        assert!(Pseudonym::parse("A\u{308}o\u{308}u\u{308}").is_ok());
        assert!(Pseudonym::parse(&"ä".repeat(MAX_CHARS)).is_ok());
        assert_eq!(
            Pseudonym::parse(&"ä".repeat(MAX_CHARS + 1)),
            Err(PseudonymError::TooLong)
        );
    }

    #[test]
    fn letters_of_other_scripts_and_the_four_marks_are_allowed() {
        for name in [
            "Ærøskøbing",
            "Łódź",
            "Ελένη",
            "Дмитрий",
            "山田太郎",
            "a.b_c-d e",
            "R2-D2",
        ] {
            assert!(Pseudonym::parse(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn control_and_invisible_characters_are_refused_as_such() {
        for name in [
            "Anna\nBerta",
            "Anna\u{0}",
            "An\u{200B}na",
            "Anna\u{202E}ateb",
            "An\u{AD}na",
            "\u{3164}\u{3164}\u{3164}",
            "Anna\u{FFA0}",
        ] {
            assert_eq!(
                Pseudonym::parse(name),
                Err(PseudonymError::ControlCharacter),
                "{name:?}"
            );
        }
    }

    #[test]
    fn symbols_other_punctuation_and_odd_spaces_are_refused() {
        assert_eq!(
            Pseudonym::parse("anna@example"),
            Err(PseudonymError::NotAllowed('@'))
        );
        assert_eq!(
            Pseudonym::parse("<script>"),
            Err(PseudonymError::NotAllowed('<'))
        );
        assert_eq!(
            Pseudonym::parse("Anna\u{A0}Berta"),
            Err(PseudonymError::NotAllowed('\u{A0}'))
        );
        assert_eq!(
            Pseudonym::parse("Anna😀"),
            Err(PseudonymError::NotAllowed('😀'))
        );
    }

    #[test]
    fn punctuation_alone_is_no_pseudonym() {
        assert_eq!(
            Pseudonym::parse("._-"),
            Err(PseudonymError::NoLetterOrDigit)
        );
        assert_eq!(
            Pseudonym::parse("- -"),
            Err(PseudonymError::NoLetterOrDigit)
        );
    }

    #[test]
    fn refusals_tell_the_rule() {
        assert_eq!(
            PseudonymError::NotAllowed('@').to_string(),
            "'@' is not allowed in a pseudonym; use letters, digits, spaces, '.', '_' and '-'"
        );
    }
}
