//! Times as the service keeps them (Unix seconds, UTC) and as it tells
//! them (RFC 3339).

/// Seconds of a day.
pub(crate) const SECONDS_PER_DAY: i64 = 86_400;

/// Where the service reads the time: the system clock, or a fixed clock in
/// tests.
pub type Clock = std::sync::Arc<dyn Fn() -> i64 + Send + Sync>;

/// The system clock, Unix seconds.
pub(crate) fn system_clock() -> Clock {
    std::sync::Arc::new(|| chrono::Utc::now().timestamp())
}

/// `2026-01-01T00:00:00Z` for Unix seconds; empty for a time chrono
/// cannot represent (none that the service writes).
pub fn rfc3339(seconds: i64) -> String {
    chrono::DateTime::from_timestamp(seconds, 0)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_are_told_in_utc_to_the_second() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_767_225_661), "2026-01-01T00:01:01Z");
    }
}
