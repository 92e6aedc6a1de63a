//! What every response passes on its way out.
//!
//! - [`access`]: the anonymous access record (route template, status
//!   class, bytes, day; never the client).
//! - [`security`]: security headers, and no cookie on any public answer.
//! - [`compression`]: brotli or gzip for text answers.
//!
//! [`crate::app`] stacks them in this order, compression outermost.

pub mod access;
pub mod compression;
pub mod security;
