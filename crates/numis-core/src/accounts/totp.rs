//! The optional second factor: time-based one-time passwords (TOTP,
//! RFC 6238) as every authenticator app speaks them — HMAC-SHA-1, six
//! digits, a new code every 30 seconds.
//!
//! A user switches it on by scanning a QR code of an `otpauth://` URI
//! (drawn here, as SVG; no third party sees the secret) and confirming one
//! code. At login, [`TotpSecret::verify`] accepts the code of the current
//! 30-second step and of one step either side, for clocks that drift and
//! users who type slowly. It answers the step that matched; the service
//! stores it and passes it back as `last_used_step` next time, so a code
//! that was seen once (over a shoulder, in a proxy) cannot be used again.
//!
//! ```
//! use numis_core::accounts::TotpSecret;
//!
//! let secret = TotpSecret::generate().unwrap();
//! let now = 1_767_225_600;
//! let code = secret.code_at(now);
//! let step = secret.verify(&code, now + 20, None).unwrap();
//! assert!(secret.verify(&code, now + 20, Some(step)).is_err(), "used once");
//! assert!(secret.otpauth_uri("numis", "Heidschnucke").starts_with("otpauth://totp/numis:Heidschnucke?"));
//! ```

use data_encoding::BASE32_NOPAD;
use hmac::{Hmac, Mac};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use sha1::Sha1;
use subtle::ConstantTimeEq;

use super::random::random_bytes;

/// The issuer an authenticator app lists the account under, unless the
/// deployment names itself.
pub const DEFAULT_ISSUER: &str = "numis";
/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Seconds of one time step.
pub const STEP_SECONDS: u64 = 30;
/// Steps accepted either side of the current one.
pub const WINDOW_STEPS: u64 = 1;
/// Bytes of a new secret: 160 bits, the length RFC 4226 recommends and
/// the HMAC-SHA-1 block fits.
const SECRET_BYTES: usize = 20;

/// Everything but RFC 3986's unreserved characters is escaped in the URI.
const URI_COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// Why a code was not accepted, or a secret not made or read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TotpError {
    /// The input is not six digits (spaces aside).
    #[error("a code has six digits")]
    Malformed,
    /// Six digits, but not the code of this moment.
    #[error("this code is not valid (check the time on your device)")]
    Wrong,
    /// The code of this moment, but it was already used; the next one
    /// comes within 30 seconds.
    #[error("this code was already used; wait for the next one")]
    Replayed,
    /// A stored secret that is no base32 (a damaged store).
    #[error("a TOTP secret is no base32: {0}")]
    BadSecret(data_encoding::DecodeError),
    /// The URI does not fit a QR code (an issuer or pseudonym far longer
    /// than any allowed).
    #[error("no QR code for this URI: {0}")]
    Qr(qrcode::types::QrError),
    /// The operating system gave no randomness for a secret.
    #[error("no randomness for a TOTP secret: {0}")]
    NoRandomness(getrandom::Error),
}

/// The shared secret of one account's authenticator.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret(Vec<u8>);

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret is a credential: it stays out of logs.
        f.write_str("TotpSecret(…)")
    }
}

impl TotpSecret {
    /// A new random 160-bit secret.
    pub fn generate() -> Result<Self, TotpError> {
        let bytes = random_bytes::<SECRET_BYTES>().map_err(TotpError::NoRandomness)?;
        Ok(Self(bytes.to_vec()))
    }

    /// A secret from its bytes (as the store gave them).
    pub fn from_bytes(bytes: Vec<u8>) -> Self {
        Self(bytes)
    }

    /// The secret's bytes, to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The secret as authenticator apps take it typed in: RFC 4648
    /// base32, upper case, no padding.
    pub fn to_base32(&self) -> String {
        BASE32_NOPAD.encode(&self.0)
    }

    /// A secret from its base32 form (any case, spaces ignored).
    pub fn from_base32(text: &str) -> Result<Self, TotpError> {
        let cleaned: String = text
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '=')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        BASE32_NOPAD
            .decode(cleaned.as_bytes())
            .map(Self)
            .map_err(TotpError::BadSecret)
    }

    /// The `otpauth://` URI of Google's key URI format that apps read from
    /// the QR code: `issuer` (for example [`DEFAULT_ISSUER`] or the
    /// portal's name) and the pseudonym label the entry.
    pub fn otpauth_uri(&self, issuer: &str, account: &str) -> String {
        let issuer = utf8_percent_encode(issuer, URI_COMPONENT);
        let account = utf8_percent_encode(account, URI_COMPONENT);
        format!(
            "otpauth://totp/{issuer}:{account}?secret={}&issuer={issuer}&algorithm=SHA1&digits={DIGITS}&period={STEP_SECONDS}",
            self.to_base32()
        )
    }

    /// The QR code of [`Self::otpauth_uri`] as an SVG document.
    pub fn qr_svg(&self, issuer: &str, account: &str) -> Result<String, TotpError> {
        let uri = self.otpauth_uri(issuer, account);
        let code = qrcode::QrCode::with_error_correction_level(uri.as_bytes(), qrcode::EcLevel::M)
            .map_err(TotpError::Qr)?;
        Ok(code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(200, 200)
            .quiet_zone(true)
            .build())
    }

    /// The code at Unix time `unix_seconds`.
    pub fn code_at(&self, unix_seconds: i64) -> String {
        self.code_of_step(step_of(unix_seconds))
    }

    /// Checks a typed `code` at Unix time `now`. Accepts the current step
    /// and [`WINDOW_STEPS`] either side, but none at or before
    /// `last_used_step`. Answers the step that matched, for the service to
    /// store as the new `last_used_step`.
    pub fn verify(
        &self,
        code: &str,
        now: i64,
        last_used_step: Option<u64>,
    ) -> Result<u64, TotpError> {
        let typed: String = code.chars().filter(|c| !c.is_whitespace()).collect();
        if typed.len() != DIGITS as usize || !typed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(TotpError::Malformed);
        }
        let current = step_of(now);
        let mut matched = None;
        // Every step of the window is computed and compared, matched or
        // not, so the time taken does not say which one matched.
        for step in current.saturating_sub(WINDOW_STEPS)..=current.saturating_add(WINDOW_STEPS) {
            let expected = self.code_of_step(step);
            if bool::from(expected.as_bytes().ct_eq(typed.as_bytes())) && matched.is_none() {
                matched = Some(step);
            }
        }
        match matched {
            None => Err(TotpError::Wrong),
            Some(step) if last_used_step.is_some_and(|used| step <= used) => {
                Err(TotpError::Replayed)
            }
            Some(step) => Ok(step),
        }
    }

    fn code_of_step(&self, step: u64) -> String {
        let code = hotp(&self.0, step, DIGITS);
        format!("{code:0width$}", width = DIGITS as usize)
    }
}

/// The time step of a Unix time; times before 1970 are step 0.
fn step_of(unix_seconds: i64) -> u64 {
    u64::try_from(unix_seconds).unwrap_or(0) / STEP_SECONDS
}

/// HOTP (RFC 4226 §5.3): HMAC-SHA-1 of the counter, dynamically
/// truncated to `digits` decimal digits.
fn hotp(key: &[u8], counter: u64, digits: u32) -> u32 {
    // HMAC takes a key of any length; `new_from_slice` cannot fail for it.
    let Ok(mut mac) = Hmac::<Sha1>::new_from_slice(key) else {
        unreachable!("HMAC accepts keys of every length")
    };
    mac.update(&counter.to_be_bytes());
    let digest = mac.finalize().into_bytes();
    let offset = usize::from(digest[19] & 0x0f);
    let binary = u32::from_be_bytes([
        digest[offset] & 0x7f,
        digest[offset + 1],
        digest[offset + 2],
        digest[offset + 3],
    ]);
    binary % 10u32.pow(digits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The key of the RFC 4226 and RFC 6238 SHA-1 test vectors.
    const RFC_KEY: &[u8] = b"12345678901234567890";

    #[test]
    fn hotp_gives_the_rfc_4226_test_values() {
        let expected = [
            755224, 287082, 359152, 969429, 338314, 254676, 287922, 162583, 399871, 520489,
        ];
        for (counter, value) in expected.into_iter().enumerate() {
            assert_eq!(hotp(RFC_KEY, counter as u64, 6), value, "counter {counter}");
        }
    }

    #[test]
    fn totp_gives_the_rfc_6238_sha1_test_values() {
        // RFC 6238 appendix B, SHA-1 rows: eight digits, 30-second steps.
        for (time, value) in [
            (59_i64, 94287082),
            (1_111_111_109, 7081804),
            (1_111_111_111, 14050471),
            (1_234_567_890, 89005924),
            (2_000_000_000, 69279037),
            (20_000_000_000, 65353130),
        ] {
            assert_eq!(hotp(RFC_KEY, step_of(time), 8), value, "time {time}");
        }
        // Six digits are the last six of those.
        let secret = TotpSecret::from_bytes(RFC_KEY.to_vec());
        assert_eq!(secret.code_at(59), "287082");
        assert_eq!(secret.code_at(1_111_111_109), "081804", "leading zero kept");
        assert_eq!(secret.code_at(1_234_567_890), "005924");
    }

    #[test]
    fn codes_of_one_step_either_side_are_accepted_and_name_their_step() {
        let secret = TotpSecret::from_bytes(RFC_KEY.to_vec());
        let now = 1_234_567_890; // step 41152263
        let current = step_of(now);
        assert_eq!(secret.verify("005924", now, None).unwrap(), current);
        let earlier = secret.code_of_step(current - 1);
        let later = secret.code_of_step(current + 1);
        assert_eq!(secret.verify(&earlier, now, None).unwrap(), current - 1);
        assert_eq!(secret.verify(&later, now, None).unwrap(), current + 1);
        let too_old = secret.code_of_step(current - 2);
        assert!(matches!(
            secret.verify(&too_old, now, None),
            Err(TotpError::Wrong)
        ));
    }

    #[test]
    fn a_used_code_and_every_older_one_are_refused_as_replays() {
        let secret = TotpSecret::generate().unwrap();
        let now = 1_767_225_600;
        let code = secret.code_at(now);
        let step = secret.verify(&code, now, None).unwrap();
        assert!(matches!(
            secret.verify(&code, now, Some(step)),
            Err(TotpError::Replayed)
        ));
        let previous = secret.code_at(now - 30);
        assert!(matches!(
            secret.verify(&previous, now, Some(step)),
            Err(TotpError::Replayed)
        ));
        // The next step's code still works once.
        let next = secret.code_at(now + 30);
        assert_eq!(
            secret.verify(&next, now + 30, Some(step)).unwrap(),
            step + 1
        );
    }

    #[test]
    fn spaces_are_ignored_and_anything_but_six_digits_is_malformed() {
        let secret = TotpSecret::from_bytes(RFC_KEY.to_vec());
        assert!(secret.verify("005 924", 1_234_567_890, None).is_ok());
        for typed in ["", "05924", "0059240", "00592a", "００５９２４"] {
            assert!(
                matches!(
                    secret.verify(typed, 1_234_567_890, None),
                    Err(TotpError::Malformed)
                ),
                "{typed:?}"
            );
        }
    }

    #[test]
    fn secrets_are_160_random_bits_and_round_trip_through_base32() {
        let secret = TotpSecret::generate().unwrap();
        assert_eq!(secret.as_bytes().len(), 20);
        assert_ne!(TotpSecret::generate().unwrap(), secret);
        assert_eq!(secret.to_base32().len(), 32);
        assert_eq!(
            TotpSecret::from_base32(&secret.to_base32()).unwrap(),
            secret
        );
        let rfc = TotpSecret::from_bytes(RFC_KEY.to_vec());
        assert_eq!(rfc.to_base32(), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            TotpSecret::from_base32("gezd gnbv gy3t qojq gezd gnbv gy3t qojq").unwrap(),
            rfc
        );
        assert!(matches!(
            TotpSecret::from_base32("not base32!"),
            Err(TotpError::BadSecret(_))
        ));
    }

    #[test]
    fn the_uri_names_issuer_account_and_parameters_escaped() {
        let secret = TotpSecret::from_bytes(RFC_KEY.to_vec());
        assert_eq!(
            secret.otpauth_uri("numis", "Jürgen Müller"),
            "otpauth://totp/numis:J%C3%BCrgen%20M%C3%BCller?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ\
             &issuer=numis&algorithm=SHA1&digits=6&period=30"
        );
        let uri = secret.otpauth_uri("Umweltkarte Niedersachsen", "a&b");
        assert!(
            uri.starts_with("otpauth://totp/Umweltkarte%20Niedersachsen:a%26b?"),
            "{uri}"
        );
        assert!(
            uri.contains("&issuer=Umweltkarte%20Niedersachsen&"),
            "{uri}"
        );
    }

    #[test]
    fn the_qr_code_is_an_svg_drawn_here() {
        let secret = TotpSecret::generate().unwrap();
        let svg = secret.qr_svg(DEFAULT_ISSUER, "Heidschnucke").unwrap();
        assert!(svg.starts_with("<?xml"), "{}", &svg[..40]);
        assert!(svg.contains("<svg"));
        assert!(svg.contains("<path"), "modules drawn as a path");
        assert!(
            !svg.contains("href") && !svg.contains("<image"),
            "nothing loaded from elsewhere"
        );
        assert!(matches!(
            secret.qr_svg(&"x".repeat(4_000), "a"),
            Err(TotpError::Qr(_))
        ));
    }

    #[test]
    fn the_secret_stays_out_of_debug_output() {
        let secret = TotpSecret::from_bytes(RFC_KEY.to_vec());
        assert!(!format!("{secret:?}").contains("GEZD"));
        assert!(!format!("{secret:?}").contains("1234"));
    }
}
