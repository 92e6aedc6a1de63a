//! The addresses numis asks a SensorThings service for: OData query
//! options written out here, each value percent-encoded, so that exactly
//! what is built here leaves, and a station's key can never add an option
//! of its own.

use chrono::{Datelike, NaiveDate};
use url::Url;

use super::super::{Period, first_day};

/// The most Datastreams one Thing may have (`$top` of the Datastreams):
/// one request for the Observations of each is made per answer.
pub const MAX_DATASTREAMS: usize = 100;

/// Kept as they are in a query value besides letters, digits and `-._~`:
/// OData's punctuation, which servers read either way. Everything else —
/// spaces, `+` (which a servlet reads as a space), `&`, `=`, `#`, `%`, and
/// `'`, which a URL parser encodes in a query anyway — is percent-encoded.
const KEEP_IN_QUERY: &[u8] = b"$(),;:/@*";
/// Kept in a path segment (`Things('…')`): as in a query, but a `/`
/// would start another segment.
const KEEP_IN_PATH: &[u8] = b"$'(),;:@*";

/// `text` percent-encoded but for letters, digits, `-._~` and `keep`.
fn encode(text: &str, keep: &[u8]) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~".contains(&byte) || keep.contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// An id or key written as an OData literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Literal {
    /// A string, written `'…'` with each `'` doubled.
    Text(String),
    /// A whole number, written as it is.
    Number(i64),
}

impl Literal {
    /// The literal as OData writes it.
    fn odata(&self) -> String {
        match self {
            Literal::Text(text) => format!("'{}'", text.replace('\'', "''")),
            Literal::Number(n) => n.to_string(),
        }
    }

    /// The literal as a path segment's key: `('DENI054')`, `(42)`.
    fn key(&self) -> String {
        format!("({})", encode(&self.odata(), KEEP_IN_PATH))
    }
}

/// `base/path?name=value&…`, each value encoded.
fn address(base: &str, path: &str, options: &[(&str, String)]) -> String {
    let query: Vec<String> = options
        .iter()
        .map(|(name, value)| format!("{name}={}", encode(value, KEEP_IN_QUERY)))
        .collect();
    format!("{base}/{path}?{}", query.join("&"))
}

/// The Things whose `property` (`id`, or a path such as
/// `properties/stationId`) equals `key`: their ids only, and at most two,
/// which is enough to tell one from many.
pub fn things(base: &str, property: &str, key: &Literal) -> String {
    address(
        base,
        "Things",
        &[
            ("$filter", format!("{property} eq {}", key.odata())),
            ("$select", "id".into()),
            ("$top", "2".into()),
        ],
    )
}

/// The Datastreams of the Thing `thing`, with their ObservedProperty;
/// only those whose `parameter` path is one of `parameters`, when any are
/// named; with `latest`, each with its newest Observation.
pub fn datastreams(
    base: &str,
    thing: &Literal,
    parameter: &str,
    parameters: &[&str],
    latest: bool,
) -> String {
    let expand = if latest {
        "ObservedProperty,Observations($select=phenomenonTime,result;$orderby=phenomenonTime desc;$top=1)"
    } else {
        "ObservedProperty"
    };
    let mut options = vec![
        ("$expand", expand.to_owned()),
        ("$top", MAX_DATASTREAMS.to_string()),
    ];
    if !parameters.is_empty() {
        let any: Vec<String> = parameters
            .iter()
            .map(|p| format!("{parameter} eq {}", Literal::Text((*p).to_owned()).odata()))
            .collect();
        options.push(("$filter", any.join(" or ")));
    }
    address(
        base,
        &format!("Things{}/Datastreams", thing.key()),
        &options,
    )
}

/// The Observations of the Datastream `datastream` within `period`,
/// oldest first, `top` a page, only their time and result.
pub fn observations(base: &str, datastream: &Literal, period: &Period, top: u32) -> String {
    let mut options = vec![
        ("$select", "phenomenonTime,result".to_owned()),
        ("$orderby", "phenomenonTime asc".to_owned()),
        ("$top", top.to_string()),
    ];
    if let Some(filter) = period_filter(period) {
        options.push(("$filter", filter));
    }
    address(
        base,
        &format!("Datastreams{}/Observations", datastream.key()),
        &options,
    )
}

/// The period as a `$filter` on `phenomenonTime`: from the first instant
/// of `from` (inclusive) to the first instant after `to` (exclusive), in
/// UTC: `from = 2005, to = 2008` is `phenomenonTime ge
/// 2005-01-01T00:00:00Z and phenomenonTime lt 2009-01-01T00:00:00Z`.
/// `None` for every date.
pub fn period_filter(period: &Period) -> Option<String> {
    let (from, to) = period.bounds();
    let from = from
        .and_then(first_day)
        .and_then(instant)
        .map(|at| format!("phenomenonTime ge {at}"));
    let to = to
        .and_then(day_after)
        .and_then(instant)
        .map(|at| format!("phenomenonTime lt {at}"));
    let both: Vec<String> = from.into_iter().chain(to).collect();
    (!both.is_empty()).then(|| both.join(" and "))
}

/// The first day after a year, month or day (`2008` → 2009-01-01,
/// `2008-12` → 2009-01-01, `2008-06-30` → 2008-07-01).
fn day_after(text: &str) -> Option<NaiveDate> {
    let first = first_day(text)?;
    match text.len() {
        4 => NaiveDate::from_ymd_opt(first.year() + 1, 1, 1),
        7 if first.month() == 12 => NaiveDate::from_ymd_opt(first.year() + 1, 1, 1),
        7 => NaiveDate::from_ymd_opt(first.year(), first.month() + 1, 1),
        _ => first.succ_opt(),
    }
}

/// Midnight UTC of `day`; `None` past year 9999, which has no end to
/// write (the period is then open at that end).
fn instant(day: NaiveDate) -> Option<String> {
    (day.year() <= 9999).then(|| format!("{}T00:00:00Z", day.format("%Y-%m-%d")))
}

/// The next page's address, `link` read against `current`, if it stays on
/// the origin (scheme, host and port) of `service`; `None` otherwise.
pub fn next_page(service: &Url, current: &str, link: &str) -> Option<String> {
    let next = Url::parse(current).ok()?.join(link).ok()?;
    (next.origin() == service.origin()).then(|| next.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: &str = "https://sta.example.org/FROST-Server/v1.1";

    #[test]
    fn a_period_becomes_a_filter_from_its_first_instant_to_the_end_of_its_last_day() {
        let filter =
            |from: Option<&str>, to: Option<&str>| period_filter(&Period::parse(from, to).unwrap());
        assert_eq!(
            filter(Some("2005"), Some("2008")).as_deref(),
            Some(
                "phenomenonTime ge 2005-01-01T00:00:00Z and phenomenonTime lt 2009-01-01T00:00:00Z"
            )
        );
        assert_eq!(
            filter(Some("2008-06"), Some("2008-12")).as_deref(),
            Some(
                "phenomenonTime ge 2008-06-01T00:00:00Z and phenomenonTime lt 2009-01-01T00:00:00Z"
            )
        );
        assert_eq!(
            filter(None, Some("2008-02")).as_deref(),
            Some("phenomenonTime lt 2008-03-01T00:00:00Z")
        );
        assert_eq!(
            filter(Some("2008-02-29"), Some("2008-02-29")).as_deref(),
            Some(
                "phenomenonTime ge 2008-02-29T00:00:00Z and phenomenonTime lt 2008-03-01T00:00:00Z"
            )
        );
        assert_eq!(
            filter(Some("2010-12-31"), None).as_deref(),
            Some("phenomenonTime ge 2010-12-31T00:00:00Z")
        );
        // The last year has no end to write: open at that end.
        assert_eq!(filter(None, Some("9999")), None);
        assert_eq!(filter(None, None), None);
    }

    #[test]
    fn observations_are_asked_oldest_first_a_page_at_a_time_with_the_filter_encoded() {
        let period = Period::parse(Some("2005"), Some("2008")).unwrap();
        assert_eq!(
            observations(BASE, &Literal::Number(7), &period, 1000),
            "https://sta.example.org/FROST-Server/v1.1/Datastreams(7)/Observations\
             ?$select=phenomenonTime,result&$orderby=phenomenonTime%20asc&$top=1000\
             &$filter=phenomenonTime%20ge%202005-01-01T00:00:00Z%20and%20phenomenonTime%20lt%202009-01-01T00:00:00Z"
        );
        assert_eq!(
            observations(
                BASE,
                &Literal::Text("no2-DENI054".into()),
                &Period::all(),
                6
            ),
            "https://sta.example.org/FROST-Server/v1.1/Datastreams('no2-DENI054')/Observations\
             ?$select=phenomenonTime,result&$orderby=phenomenonTime%20asc&$top=6"
        );
    }

    #[test]
    fn a_key_is_a_quoted_literal_and_never_an_option_of_its_own() {
        assert_eq!(
            things(BASE, "id", &Literal::Text("DENI054".into())),
            "https://sta.example.org/FROST-Server/v1.1/Things?$filter=id%20eq%20%27DENI054%27&$select=id&$top=2"
        );
        assert_eq!(
            things(BASE, "properties/stationId", &Literal::Number(54)),
            "https://sta.example.org/FROST-Server/v1.1/Things?$filter=properties/stationId%20eq%2054&$select=id&$top=2"
        );
        let sneaky = things(
            BASE,
            "name",
            &Literal::Text("x' or name ne 'y&$top=9999#+%".into()),
        );
        assert_eq!(
            sneaky,
            "https://sta.example.org/FROST-Server/v1.1/Things?$filter=name%20eq%20\
             %27x%27%27%20or%20name%20ne%20%27%27y%26$top%3D9999%23%2B%25%27&$select=id&$top=2"
        );
        let parsed = Url::parse(&sneaky).unwrap();
        let options: Vec<(String, String)> = parsed.query_pairs().into_owned().collect();
        assert_eq!(options.len(), 3, "{options:?}");
        assert_eq!(options[0].1, "name eq 'x'' or name ne ''y&$top=9999#+%'");
        // A path segment keeps its slash encoded.
        assert!(
            datastreams(BASE, &Literal::Text("a/b".into()), "name", &[], false)
                .contains("/Things('a%2Fb')/Datastreams?")
        );
    }

    #[test]
    fn datastreams_come_with_their_observed_property_and_for_the_latest_their_newest_observation() {
        let thing = Literal::Text("DENI054".into());
        assert_eq!(
            datastreams(BASE, &thing, "ObservedProperty/name", &[], false),
            "https://sta.example.org/FROST-Server/v1.1/Things('DENI054')/Datastreams?$expand=ObservedProperty&$top=100"
        );
        assert_eq!(
            datastreams(
                BASE,
                &thing,
                "properties/parameter",
                &["NO2_annual_mean", "PM10"],
                true
            ),
            "https://sta.example.org/FROST-Server/v1.1/Things('DENI054')/Datastreams\
             ?$expand=ObservedProperty,Observations($select%3DphenomenonTime,result;$orderby%3DphenomenonTime%20desc;$top%3D1)\
             &$top=100&$filter=properties/parameter%20eq%20%27NO2_annual_mean%27%20or%20properties/parameter%20eq%20%27PM10%27"
        );
    }

    #[test]
    fn a_next_page_must_stay_on_the_service_origin() {
        let service = Url::parse(BASE).unwrap();
        let current = format!("{BASE}/Datastreams(7)/Observations?$top=6");
        assert_eq!(
            next_page(
                &service,
                &current,
                "https://sta.example.org/FROST-Server/v1.1/Datastreams(7)/Observations?$top=6&$skip=6"
            )
            .as_deref(),
            Some(
                "https://sta.example.org/FROST-Server/v1.1/Datastreams(7)/Observations?$top=6&$skip=6"
            )
        );
        // Relative links are read against the page that carried them.
        assert_eq!(
            next_page(&service, &current, "Observations?$skip=6").as_deref(),
            Some("https://sta.example.org/FROST-Server/v1.1/Datastreams(7)/Observations?$skip=6")
        );
        for foreign in [
            "http://sta.example.org/FROST-Server/v1.1/Datastreams(7)/Observations?$skip=6",
            "https://sta.example.org:8443/FROST-Server/v1.1/Datastreams(7)/Observations",
            "https://evil.example.net/FROST-Server/v1.1/Datastreams(7)/Observations",
            "https://sta.example.org.evil.example.net/v1.1/Datastreams(7)/Observations",
            "//evil.example.net/steal",
            "file:///etc/passwd",
        ] {
            assert_eq!(next_page(&service, &current, foreign), None, "{foreign}");
        }
        // The default port is the same origin written out.
        assert!(
            next_page(
                &service,
                &current,
                "https://sta.example.org:443/FROST-Server/v1.1/x"
            )
            .is_some()
        );
    }
}
