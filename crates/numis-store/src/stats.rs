//! The shape of an aggregated access record and of an event count.

use chrono::NaiveDate;

/// The first digit of an HTTP status: 2 for 2xx and so on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StatusClass(u8);

impl StatusClass {
    /// The class of `status` (100–599; anything else counts as 5xx).
    pub fn of(status: u16) -> Self {
        match status / 100 {
            class @ 1..=5 => Self(class as u8),
            _ => Self(5),
        }
    }

    /// 1 to 5.
    pub fn get(self) -> u8 {
        self.0
    }

    /// `2xx` and so on.
    pub fn label(self) -> String {
        format!("{}xx", self.0)
    }
}

/// Requests and bytes of one day, route template and status class.
///
/// This is all an access record ever is: no address, agent, referrer,
/// query, cookie or id can be put into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessCount {
    /// The day (UTC).
    pub day: NaiveDate,
    /// The route template (`/api/drawings/{id}`), never a raw path with ids.
    pub route: String,
    /// Status class.
    pub status: StatusClass,
    /// Number of requests.
    pub requests: u64,
    /// Response bytes sent.
    pub bytes: u64,
}

/// How often one event happened on one day, per subject.
///
/// Like [`AccessCount`], this can hold nothing about a client: the event
/// is a fixed name (`wms.getmap`), the subject an id the operator wrote
/// (a layer id, a format name) or empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventCount {
    /// The day (UTC).
    pub day: NaiveDate,
    /// The event's stable name, e.g. `wms.getmap`.
    pub event: String,
    /// What the event concerned (layer id, format) or `""`.
    pub subject: String,
    /// How often it happened.
    pub count: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_fall_into_their_class() {
        assert_eq!(StatusClass::of(204).label(), "2xx");
        assert_eq!(StatusClass::of(404).get(), 4);
        assert_eq!(StatusClass::of(999).get(), 5);
    }
}
