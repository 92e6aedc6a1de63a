//! Times for people: "6. Dezember 2026, 14:05" and "6 December 2026,
//! 14:05", in UTC (the pages say so). numis has no time zone database,
//! and one would be a heavy dependency for a table of sessions; the
//! machine-readable `<time datetime>` carries the exact instant.

use chrono::{DateTime, Datelike, Timelike, Utc};
use numis_cms::Lang;
use serde_json::{Value, json};

const MONTHS_DE: [&str; 12] = [
    "Januar",
    "Februar",
    "März",
    "April",
    "Mai",
    "Juni",
    "Juli",
    "August",
    "September",
    "Oktober",
    "November",
    "Dezember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Unix seconds `unix` as a date and time to read in `lang`, in UTC;
/// `None` outside the range of dates.
pub fn human(unix: i64, lang: Lang) -> Option<String> {
    let time = DateTime::<Utc>::from_timestamp(unix, 0)?;
    let month_index = usize::try_from(time.month0()).ok()?;
    let (day, year, hour, minute) = (time.day(), time.year(), time.hour(), time.minute());
    Some(match lang {
        Lang::De => format!(
            "{day}. {} {year}, {hour:02}:{minute:02}",
            MONTHS_DE.get(month_index)?
        ),
        Lang::En => format!(
            "{day} {} {year}, {hour:02}:{minute:02}",
            MONTHS_EN.get(month_index)?
        ),
    })
}

/// Unix seconds as RFC 3339 in UTC, for `<time datetime>`.
pub fn machine(unix: i64) -> Option<String> {
    let time = DateTime::<Utc>::from_timestamp(unix, 0)?;
    Some(time.format("%Y-%m-%dT%H:%MZ").to_string())
}

/// What a template needs to show a time: `{text, datetime}`, or `null`.
pub fn for_template(unix: i64, lang: Lang) -> Value {
    match (human(unix, lang), machine(unix)) {
        (Some(text), Some(datetime)) => json!({ "text": text, "datetime": datetime }),
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-12-06T14:05:42Z.
    const SAINT_NICHOLAS: i64 = 1_796_565_942;

    #[test]
    fn dates_read_as_people_write_them() {
        assert_eq!(
            human(SAINT_NICHOLAS, Lang::De).as_deref(),
            Some("6. Dezember 2026, 14:05")
        );
        assert_eq!(
            human(SAINT_NICHOLAS, Lang::En).as_deref(),
            Some("6 December 2026, 14:05")
        );
        assert_eq!(
            machine(SAINT_NICHOLAS).as_deref(),
            Some("2026-12-06T14:05Z")
        );
    }

    #[test]
    fn hours_and_minutes_have_two_digits_and_umlauts_stay() {
        // 2026-03-01T09:07:00Z
        assert_eq!(
            human(1_772_356_020, Lang::De).as_deref(),
            Some("1. März 2026, 09:07")
        );
        assert_eq!(human(0, Lang::En).as_deref(), Some("1 January 1970, 00:00"));
    }

    #[test]
    fn impossible_times_are_left_out() {
        assert_eq!(human(i64::MAX, Lang::De), None);
        assert_eq!(for_template(i64::MAX, Lang::De), Value::Null);
        assert_eq!(
            for_template(0, Lang::De),
            json!({ "text": "1. Januar 1970, 00:00", "datetime": "1970-01-01T00:00Z" })
        );
    }
}
