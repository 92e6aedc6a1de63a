//! The domain services of numis: the rules of each capability, without
//! HTTP.
//!
//! [`drawings`] owns what a drawing is allowed to be and do: public ids and
//! secret edit keys (stored only as their SHA-256, compared in constant
//! time), titles, expiry, which format an upload is and the limits it is
//! read under, export, copies, abuse reports, moderation and the purge of
//! expired drawings. Persistence is `numis-store`'s, the file formats are
//! `numis-formats`'.
//!
//! [`audit`] owns the audit trail of moderation: who took which action on
//! what, and how long that is kept.
//!
//! [`accounts`] owns the rules of "Mein NUMIS" accounts: pseudonyms and
//! their normalised keys, the password policy and Argon2id hashing off the
//! async runtime, recovery codes, the TOTP second factor, session tokens,
//! CSRF tokens and lifetimes, and login throttling. The account store is
//! `numis-store`'s.
//!
//! Deliberately not here: status codes, headers, bodies, query strings,
//! client addresses and the creation rate limit (which counts clients,
//! an HTTP concern). Each service answers with a typed error
//! ([`drawings::DrawingError`]); `numis-server` maps it to a response.
//! Later services (print jobs, the external-data fetcher) join as modules
//! of this crate.

pub mod accounts;
pub mod audit;
pub mod drawings;
