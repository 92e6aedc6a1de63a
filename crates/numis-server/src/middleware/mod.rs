//! What every response passes on its way out.
//!
//! - [`compression`]: brotli or gzip for text answers.

pub mod compression;
