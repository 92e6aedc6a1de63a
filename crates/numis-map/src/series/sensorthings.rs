//! Measured series from an OGC SensorThings API (1.0 or 1.1; FROST-Server
//! is the reference), without doing any IO: this module says which
//! address to fetch next and reads the body it is given, and the server
//! does the fetching, through its safe fetcher. So the protocol is tested
//! here with plain strings, and every request obeys the server's rules on
//! where it may go.
//!
//! A station is a Thing: the one whose `@iot.id` is the station's key, or
//! whose `thing_property` is ([`query::things`]). A parameter is a
//! Datastream of that Thing, its code the text at the configured path
//! (`ObservedProperty/name` unless configured), its unit at
//! `unitOfMeasurement/symbol`; Datastreams with the same code make one
//! series, and series come in the order of their codes. A value is an
//! Observation: its date the start of `phenomenonTime` in UTC
//! ([`page::date_of`]), its value `result` if that is a number or a text
//! that is one (others are left out).
//!
//! A reading ([`Reading`]) asks for the Thing, then its Datastreams, then
//! each Datastream's Observations in the period, oldest first, page by
//! page (`$top`), following `@iot.nextLink` only while it stays on the
//! service's origin. More than `max_observations` Observations in one
//! answer stop the reading with [`SensorThingsError::TooManyObservations`]
//! rather than cut the series short, which would hide its newest values.
//!
//! ```
//! use numis_map::config::SensorThingsConfig;
//! use numis_map::series::Period;
//! use numis_map::series::sensorthings::{SensorThings, Step};
//!
//! let config: SensorThingsConfig =
//!     toml::from_str(r#"url = "https://sta.example.org/v1.1""#).unwrap();
//! let client = SensorThings::new(&config).unwrap();
//! let mut reading = client.series("DENI054", &[], &Period::all());
//! let Step::Fetch(request) = reading.step() else { unreachable!() };
//! assert!(request.url.starts_with("https://sta.example.org/v1.1/Things?"));
//! reading.receive(br#"{"value": []}"#).unwrap(); // no such Thing
//! assert!(matches!(reading.step(), Step::Done(None)));
//! ```

pub mod page;
pub mod query;

use url::Url;

use super::{Period, Series, sort_points};
use crate::config::{SensorThingsConfig, SensorThingsKeyType};
use query::{Literal, MAX_DATASTREAMS};

/// The largest page read, in bytes: a thousand Observations of time and
/// result are some 100 kB, a hundred Datastreams with their
/// ObservedProperty less; the rest is room.
pub const MAX_PAGE_BYTES: u64 = 4 * 1024 * 1024;

/// The content types a page may have (JSON, with parameters such as
/// `;charset=UTF-8`).
pub const CONTENT_TYPES: &[&str] = &["application/json"];

/// Why a reading stopped. The messages say what is wrong and never
/// repeat what the service sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SensorThingsError {
    /// The body is no JSON.
    #[error("the service answered something that is not JSON")]
    NotJson,
    /// JSON, but not what SensorThings answers.
    #[error("the service answered {0}")]
    Unexpected(&'static str),
    /// An `@iot.nextLink` to another origin.
    #[error("the service linked its next page to another server, which is not followed")]
    ForeignLink,
    /// An empty page that links to another.
    #[error("the service sent an empty page with a link to more")]
    EmptyPage,
    /// Several Things have the station's key.
    #[error("more than one Thing has this station's key")]
    AmbiguousThing,
    /// Too many Datastreams for one Thing.
    #[error("the Thing has more than {MAX_DATASTREAMS} Datastreams")]
    TooManyDatastreams,
    /// More Observations than `max_observations`.
    #[error(
        "more than {0} values of this station in the period: ask for a shorter period (from, to) or fewer parameters"
    )]
    TooManyObservations(u32),
}

/// A layer's SensorThings API, its configuration checked. Loading it
/// contacts nothing.
#[derive(Debug, Clone)]
pub struct SensorThings {
    service: Url,
    /// The service's root as configured, without a trailing slash.
    base: String,
    /// `id`, or the Thing's property holding the key.
    thing: String,
    key_type: SensorThingsKeyType,
    parameter: String,
    unit: String,
    page_size: u32,
    max_observations: u32,
    timeout_seconds: u64,
}

impl SensorThings {
    /// Checks `config`: an http or https address without user name,
    /// password, query or fragment; paths of letters, digits and `_`
    /// joined by `/`; limits in range. The error says what is wrong.
    pub fn new(config: &SensorThingsConfig) -> Result<Self, String> {
        let text = config.url.trim();
        // Not echoed: an address that does not parse may hold a password.
        let service = Url::parse(text).map_err(|e| format!("url is not an address: {e}"))?;
        if !matches!(service.scheme(), "http" | "https") {
            return Err(format!(
                "url {text:?}: only http and https, not {}",
                service.scheme()
            ));
        }
        if !service.username().is_empty() || service.password().is_some() {
            // Never echoed: it holds a password.
            return Err("url: a user name or password in the address is not sent".into());
        }
        if service.query().is_some() || service.fragment().is_some() {
            return Err(format!(
                "url {text:?}: give the service's root without ?query or #fragment"
            ));
        }
        if service.host_str().is_none_or(str::is_empty) {
            return Err(format!("url {text:?}: no host"));
        }
        let path = |name: &str, value: &str| {
            let ok = value.split('/').all(|segment| {
                !segment.is_empty()
                    && segment
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
            if ok {
                Ok(value.to_owned())
            } else {
                Err(format!(
                    "{name} {value:?} is not a path such as name or properties/code"
                ))
            }
        };
        let thing = match &config.thing_property {
            Some(property) => path("thing_property", property.trim())?,
            None => "id".to_owned(),
        };
        if !(1..=10_000).contains(&config.page_size) {
            return Err(format!(
                "page_size {} is not from 1 to 10000",
                config.page_size
            ));
        }
        if config.max_observations == 0 {
            return Err("max_observations must be at least 1".into());
        }
        if !(1..=300).contains(&config.timeout_seconds) {
            return Err(format!(
                "timeout_seconds {} is not from 1 to 300",
                config.timeout_seconds
            ));
        }
        Ok(Self {
            base: service.as_str().trim_end_matches('/').to_owned(),
            service,
            thing,
            key_type: config.key_type,
            parameter: path("parameter", config.parameter.trim())?,
            unit: path("unit", config.unit.trim())?,
            page_size: config.page_size,
            max_observations: config.max_observations,
            timeout_seconds: config.timeout_seconds,
        })
    }

    /// The service's root: its origin is the one the server may contact
    /// for this layer.
    pub fn service(&self) -> &Url {
        &self.service
    }

    /// The longest one answer may take, every page included, in seconds.
    pub fn timeout_seconds(&self) -> u64 {
        self.timeout_seconds
    }

    /// Reads the series of `station`: every parameter, or those named in
    /// `parameters` (when not empty), each within `period`.
    pub fn series(&self, station: &str, parameters: &[&str], period: &Period) -> Reading<'_> {
        self.reading(
            station,
            Wanted::Series {
                parameters: parameters.iter().map(|p| (*p).to_owned()).collect(),
                period: period.clone(),
            },
        )
    }

    /// Reads the newest value of each parameter of `station`: the series
    /// come with one point each (none for a Datastream without
    /// Observations, or whose newest Observation has no number).
    pub fn latest(&self, station: &str) -> Reading<'_> {
        self.reading(station, Wanted::Latest)
    }

    fn reading(&self, station: &str, wanted: Wanted) -> Reading<'_> {
        let key = match self.key_type {
            SensorThingsKeyType::Text => Some(Literal::Text(station.to_owned())),
            SensorThingsKeyType::Number => station.trim().parse().ok().map(Literal::Number),
        };
        let mut reading = Reading {
            client: self,
            wanted,
            stage: Stage::Thing,
            pending: None,
            datastreams: Vec::new(),
            series: Vec::new(),
            observations: 0,
            done: None,
        };
        match key.filter(|_| !station.is_empty()) {
            Some(key) => reading.pending = Some(query::things(&self.base, &self.thing, &key)),
            // A key that cannot be an id names no Thing: nothing to ask.
            None => reading.done = Some(None),
        }
        reading
    }
}

/// What a reading is for.
#[derive(Debug, Clone)]
enum Wanted {
    Series {
        parameters: Vec<String>,
        period: Period,
    },
    Latest,
}

/// Where a reading is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Finding the Thing.
    Thing,
    /// Reading its Datastreams.
    Datastreams,
    /// Reading the Observations of `datastreams[n]`.
    Observations(usize),
}

/// A Datastream read, by its parameter code.
#[derive(Debug, Clone)]
struct Datastream {
    id: Literal,
    parameter: String,
    unit: String,
}

/// A request to make: GET `url`, expecting one of [`CONTENT_TYPES`] of at
/// most [`MAX_PAGE_BYTES`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// The address, on the service's origin.
    pub url: String,
}

/// What a reading needs next.
#[derive(Debug, PartialEq)]
pub enum Step {
    /// Fetch this and hand the body to [`Reading::receive`].
    Fetch(Request),
    /// The reading is done: the series, or `None` when no Thing has the
    /// station's key.
    Done(Option<Vec<Series>>),
}

/// One answer being read: call [`Reading::step`], fetch what it asks
/// for and hand the body to [`Reading::receive`], until it is
/// [`Step::Done`]. An error from `receive` ends the reading.
#[derive(Debug)]
pub struct Reading<'a> {
    client: &'a SensorThings,
    wanted: Wanted,
    stage: Stage,
    /// The address to fetch next.
    pending: Option<String>,
    /// The Thing's Datastreams, by parameter code.
    datastreams: Vec<Datastream>,
    /// The series read so far, one per parameter code.
    series: Vec<Series>,
    /// Observations read so far, with or without a number.
    observations: u32,
    done: Option<Option<Vec<Series>>>,
}

impl Reading<'_> {
    /// What to do next.
    pub fn step(&mut self) -> Step {
        match (self.done.take(), &self.pending) {
            (Some(found), _) => Step::Done(found),
            (None, Some(url)) => Step::Fetch(Request { url: url.clone() }),
            // Only after an error: nothing more to read.
            (None, None) => Step::Done(None),
        }
    }

    /// Reads `body`, the answer to the last [`Step::Fetch`].
    pub fn receive(&mut self, body: &[u8]) -> Result<(), SensorThingsError> {
        let current = self.pending.take().unwrap_or_default();
        let page = page::page(body)?;
        let next = match &page.next {
            Some(link) => {
                if page.entries.is_empty() {
                    return Err(SensorThingsError::EmptyPage);
                }
                Some(
                    query::next_page(&self.client.service, &current, link)
                        .ok_or(SensorThingsError::ForeignLink)?,
                )
            }
            None => None,
        };
        match self.stage {
            Stage::Thing => self.thing(&page.entries, next.is_some()),
            Stage::Datastreams => self.datastreams(&page.entries, next),
            Stage::Observations(n) => self.observations(n, &page.entries, next),
        }
    }

    /// The Things with the key: none, one, or too many.
    fn thing(&mut self, things: &[serde_json::Value], more: bool) -> Result<(), SensorThingsError> {
        let thing = match things {
            [] => {
                self.done = Some(None);
                return Ok(());
            }
            [thing] if !more => page::id(thing)?,
            _ => return Err(SensorThingsError::AmbiguousThing),
        };
        let client = self.client;
        let (parameters, latest) = match &self.wanted {
            Wanted::Series { parameters, .. } => (parameters.as_slice(), false),
            Wanted::Latest => (&[][..], true),
        };
        let parameters: Vec<&str> = parameters.iter().map(String::as_str).collect();
        self.pending = Some(query::datastreams(
            &client.base,
            &thing,
            &client.parameter,
            &parameters,
            latest,
        ));
        self.stage = Stage::Datastreams;
        Ok(())
    }

    /// A page of the Thing's Datastreams. A Datastream without text at
    /// the parameter path is left out.
    fn datastreams(
        &mut self,
        entries: &[serde_json::Value],
        next: Option<String>,
    ) -> Result<(), SensorThingsError> {
        for entry in entries {
            let id = page::id(entry)?;
            let Some(parameter) = page::text_at(entry, &self.client.parameter) else {
                continue;
            };
            if let Wanted::Series { parameters, .. } = &self.wanted {
                // The service filtered them already; a service that
                // ignores `$filter` is filtered here.
                if !parameters.is_empty() && !parameters.contains(&parameter) {
                    continue;
                }
            }
            let unit = page::text_at(entry, &self.client.unit).unwrap_or_default();
            let latest = matches!(self.wanted, Wanted::Latest);
            // Every parameter has its series, values or not.
            let series = self.series_of(&parameter, &unit);
            if latest {
                let newest = entry
                    .get("Observations")
                    .and_then(serde_json::Value::as_array)
                    .and_then(|o| o.first());
                if let Some(point) = newest.map(page::point).transpose()?.flatten() {
                    series.points.push(point);
                }
            }
            self.datastreams.push(Datastream {
                id,
                parameter,
                unit,
            });
            if self.datastreams.len() > MAX_DATASTREAMS {
                return Err(SensorThingsError::TooManyDatastreams);
            }
        }
        if next.is_some() {
            self.pending = next;
            return Ok(());
        }
        // In the order of their codes, as a database's rows come.
        self.datastreams
            .sort_by(|a, b| a.parameter.cmp(&b.parameter));
        match &self.wanted {
            Wanted::Latest => self.finish(),
            Wanted::Series { .. } => self.observe(0),
        }
        Ok(())
    }

    /// A page of the Observations of `datastreams[n]`.
    fn observations(
        &mut self,
        n: usize,
        entries: &[serde_json::Value],
        next: Option<String>,
    ) -> Result<(), SensorThingsError> {
        let max = self.client.max_observations;
        let Some(Datastream {
            parameter, unit, ..
        }) = self.datastreams.get(n).cloned()
        else {
            return Err(SensorThingsError::Unexpected("more pages than asked for"));
        };
        for entry in entries {
            self.observations += 1;
            if self.observations > max {
                return Err(SensorThingsError::TooManyObservations(max));
            }
            let Some(point) = page::point(entry)? else {
                continue;
            };
            // The service's `$filter` compares intervals by its own rule;
            // the period is about the date shown, the interval's start.
            let within = match &self.wanted {
                Wanted::Series { period, .. } => period.contains(&point.date),
                Wanted::Latest => true,
            };
            if within {
                self.series_of(&parameter, &unit).points.push(point);
            }
        }
        match next {
            Some(next) => self.pending = Some(next),
            None => self.observe(n + 1),
        }
        Ok(())
    }

    /// Asks for the Observations of `datastreams[n]`, or finishes after
    /// the last.
    fn observe(&mut self, n: usize) {
        let Wanted::Series { period, .. } = &self.wanted else {
            return self.finish();
        };
        match self.datastreams.get(n) {
            Some(datastream) => {
                self.pending = Some(query::observations(
                    &self.client.base,
                    &datastream.id,
                    period,
                    self.client.page_size,
                ));
                self.stage = Stage::Observations(n);
            }
            None => self.finish(),
        }
    }

    /// The series of `parameter`, made on first use (with the unit of its
    /// first Datastream).
    fn series_of(&mut self, parameter: &str, unit: &str) -> &mut Series {
        let at = match self.series.iter().position(|s| s.parameter == parameter) {
            Some(at) => at,
            None => {
                self.series.push(Series {
                    parameter: parameter.to_owned(),
                    unit: unit.to_owned(),
                    points: Vec::new(),
                });
                self.series.len() - 1
            }
        };
        &mut self.series[at]
    }

    fn finish(&mut self) {
        let mut series = std::mem::take(&mut self.series);
        series.sort_by(|a, b| a.parameter.cmp(&b.parameter));
        for s in &mut series {
            sort_points(&mut s.points);
        }
        self.pending = None;
        self.done = Some(Some(series));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Point;
    use serde_json::{Value, json};

    const BASE: &str = "https://sta.example.org/FROST-Server/v1.1";

    fn client(extra: &str) -> SensorThings {
        let config: SensorThingsConfig =
            toml::from_str(&format!("url = \"{BASE}\"\n{extra}")).unwrap();
        SensorThings::new(&config).unwrap()
    }

    fn thing(id: Value) -> Vec<u8> {
        json!({"value": [{"@iot.id": id}]}).to_string().into_bytes()
    }

    /// FROST-Server's Datastream with its ObservedProperty expanded.
    fn datastream(id: i64, observed: &str, code: &str, symbol: &str) -> Value {
        json!({
            "@iot.id": id,
            "@iot.selfLink": format!("{BASE}/Datastreams({id})"),
            "name": format!("{code} at DENI054"),
            "description": "Annual values",
            "observationType": "http://www.opengis.net/def/observationType/OGC-OM/2.0/OM_Measurement",
            "unitOfMeasurement": {"name": "unit", "symbol": symbol, "definition": "http://qudt.org/vocab/unit/"},
            "properties": {"parameter": code},
            "ObservedProperty": {
                "@iot.id": id + 100,
                "name": observed,
                "definition": "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/8",
                "description": "Observed property"
            }
        })
    }

    fn page_of(entries: Vec<Value>, next: Option<&str>) -> Vec<u8> {
        let mut page = json!({"@iot.count": entries.len(), "value": entries});
        if let Some(next) = next {
            page["@iot.nextLink"] = json!(next);
        }
        page.to_string().into_bytes()
    }

    fn observation(time: &str, result: Value) -> Value {
        json!({"phenomenonTime": time, "result": result, "resultTime": null})
    }

    /// Runs `reading` against `answers` (by address), returning the
    /// addresses asked and the outcome.
    fn run(
        mut reading: Reading<'_>,
        answer: impl Fn(&str) -> Vec<u8>,
    ) -> (Vec<String>, Result<Option<Vec<Series>>, SensorThingsError>) {
        let mut asked = Vec::new();
        loop {
            match reading.step() {
                Step::Fetch(request) => {
                    let body = answer(&request.url);
                    asked.push(request.url);
                    if let Err(e) = reading.receive(&body) {
                        return (asked, Err(e));
                    }
                }
                Step::Done(found) => return (asked, Ok(found)),
            }
            assert!(asked.len() < 100, "a reading that never ends");
        }
    }

    #[test]
    fn a_station_is_its_thing_its_parameters_datastreams_followed_page_by_page() {
        let client = client("parameter = \"properties/parameter\"\npage_size = 2");
        let period = Period::parse(Some("2001"), Some("2003")).unwrap();
        let (asked, found) = run(client.series("DENI054", &[], &period), |url| {
            if url.contains("/Things?") {
                thing(json!("DENI054"))
            } else if url.contains("/Datastreams?") {
                // PM10 first: series come in the order of their codes.
                page_of(
                    vec![
                        datastream(2, "PM10", "PM10_annual_mean", "µg/m³"),
                        datastream(1, "NO2", "NO2_annual_mean", "µg/m³"),
                    ],
                    None,
                )
            } else if url.contains("Datastreams(1)/Observations") && !url.contains("skip") {
                page_of(
                    vec![
                        observation("2001-01-01T00:00:00Z/2002-01-01T00:00:00Z", json!(26)),
                        observation("2002-01-01T00:00:00Z/2003-01-01T00:00:00Z", json!(null)),
                    ],
                    Some(&format!(
                        "{BASE}/Datastreams(1)/Observations?$top=2&$skip=2"
                    )),
                )
            } else if url.contains("Datastreams(1)/Observations") {
                page_of(
                    vec![observation("2003-01-01T00:00:00.000Z", json!("29.4"))],
                    None,
                )
            } else {
                page_of(vec![], None)
            }
        });
        let found = found.unwrap().unwrap();
        assert_eq!(
            asked,
            [
                format!("{BASE}/Things?$filter=id%20eq%20%27DENI054%27&$select=id&$top=2"),
                format!("{BASE}/Things('DENI054')/Datastreams?$expand=ObservedProperty&$top=100"),
                format!(
                    "{BASE}/Datastreams(1)/Observations?$select=phenomenonTime,result\
                     &$orderby=phenomenonTime%20asc&$top=2\
                     &$filter=phenomenonTime%20ge%202001-01-01T00:00:00Z%20and%20phenomenonTime%20lt%202004-01-01T00:00:00Z"
                ),
                format!("{BASE}/Datastreams(1)/Observations?$top=2&$skip=2"),
                format!(
                    "{BASE}/Datastreams(2)/Observations?$select=phenomenonTime,result\
                     &$orderby=phenomenonTime%20asc&$top=2\
                     &$filter=phenomenonTime%20ge%202001-01-01T00:00:00Z%20and%20phenomenonTime%20lt%202004-01-01T00:00:00Z"
                ),
            ]
        );
        assert_eq!(
            found,
            [
                Series {
                    parameter: "NO2_annual_mean".into(),
                    unit: "µg/m³".into(),
                    points: vec![
                        Point {
                            date: "2001-01-01".into(),
                            value: 26.0
                        },
                        Point {
                            date: "2003-01-01".into(),
                            value: 29.4
                        },
                    ],
                },
                // A parameter without values in the period is an empty
                // series, as a table's is.
                Series {
                    parameter: "PM10_annual_mean".into(),
                    unit: "µg/m³".into(),
                    points: vec![],
                },
            ]
        );
    }

    #[test]
    fn the_default_mapping_takes_the_observed_property_name_and_the_unit_symbol() {
        let client = client("");
        let (_, found) = run(client.series("DENI054", &["NO2"], &Period::all()), |url| {
            if url.contains("/Things?") {
                thing(json!(54))
            } else if url.contains("/Datastreams?") {
                assert!(url.contains("/Things(54)/"), "{url}");
                assert!(
                    url.ends_with("&$filter=ObservedProperty/name%20eq%20%27NO2%27"),
                    "{url}"
                );
                // A service that ignores the filter sends both.
                page_of(
                    vec![
                        datastream(1, "NO2", "x", "µg/m³"),
                        datastream(2, "PM10", "y", "µg/m³"),
                    ],
                    None,
                )
            } else {
                assert!(url.contains("Datastreams(1)/Observations"), "{url}");
                page_of(
                    vec![
                        observation("2002-01-01T00:00:00Z", json!(2)),
                        observation("2001-01-01T00:00:00Z", json!(1)),
                    ],
                    None,
                )
            }
        });
        let found = found.unwrap().unwrap();
        assert_eq!(found.len(), 1);
        assert_eq!(
            (found[0].parameter.as_str(), found[0].unit.as_str()),
            ("NO2", "µg/m³")
        );
        // Oldest first, whatever order the service sent.
        let dates: Vec<&str> = found[0].points.iter().map(|p| p.date.as_str()).collect();
        assert_eq!(dates, ["2001-01-01", "2002-01-01"]);
    }

    #[test]
    fn an_unknown_station_is_no_thing_and_a_key_that_cannot_be_one_asks_nothing() {
        let client = client("thing_property = \"properties/stationId\"");
        let (asked, found) = run(client.series("DENI999", &[], &Period::all()), |_| {
            page_of(vec![], None)
        });
        assert_eq!(
            asked,
            [format!(
                "{BASE}/Things?$filter=properties/stationId%20eq%20%27DENI999%27&$select=id&$top=2"
            )]
        );
        assert_eq!(found.unwrap(), None);
        let numbers = client_with_numbers();
        let (asked, found) = run(numbers.series("DENI054", &[], &Period::all()), |_| {
            panic!("nothing is asked")
        });
        assert!(asked.is_empty());
        assert_eq!(found.unwrap(), None);
        let (asked, _) = run(numbers.latest(" 54 "), |_| page_of(vec![], None));
        assert!(asked[0].contains("$filter=id%20eq%2054&"), "{asked:?}");
    }

    fn client_with_numbers() -> SensorThings {
        client("key_type = \"number\"")
    }

    #[test]
    fn two_things_with_one_key_are_an_error() {
        let client = client("thing_property = \"name\"");
        let (_, found) = run(client.latest("Hannover"), |_| {
            json!({"value": [{"@iot.id": 1}, {"@iot.id": 2}]})
                .to_string()
                .into_bytes()
        });
        assert_eq!(found.unwrap_err(), SensorThingsError::AmbiguousThing);
    }

    #[test]
    fn the_latest_values_come_with_the_datastreams_in_one_request() {
        let client = client("parameter = \"properties/parameter\"");
        let (asked, found) = run(client.latest("DENI054"), |url| {
            if url.contains("/Things?") {
                return thing(json!("DENI054"));
            }
            let mut no2 = datastream(1, "NO2", "NO2_annual_mean", "µg/m³");
            no2["Observations"] = json!([observation(
                "2011-01-01T00:00:00Z/2012-01-01T00:00:00Z",
                json!(19)
            )]);
            let mut days = datastream(3, "PM10", "PM10_days_over_50", "d");
            days["Observations"] = json!([]);
            let mut pm10 = datastream(2, "PM10", "PM10_annual_mean", "µg/m³");
            pm10["Observations"] = json!([observation("2011-01-01T00:00:00Z", json!(null))]);
            page_of(vec![days, pm10, no2], None)
        });
        assert_eq!(asked.len(), 2);
        assert!(
            asked[1].contains(
                "$expand=ObservedProperty,Observations($select%3DphenomenonTime,result;$orderby%3DphenomenonTime%20desc;$top%3D1)"
            ),
            "{}",
            asked[1]
        );
        let found = found.unwrap().unwrap();
        let latest: Vec<(&str, Option<&Point>)> = found
            .iter()
            .map(|s| (s.parameter.as_str(), s.latest()))
            .collect();
        assert_eq!(
            latest,
            [
                (
                    "NO2_annual_mean",
                    Some(&Point {
                        date: "2011-01-01".into(),
                        value: 19.0
                    })
                ),
                ("PM10_annual_mean", None),
                ("PM10_days_over_50", None),
            ]
        );
    }

    #[test]
    fn a_next_link_to_another_origin_is_refused_and_not_asked() {
        let client = client("");
        let (asked, found) = run(client.series("DENI054", &[], &Period::all()), |url| {
            if url.contains("/Things?") {
                thing(json!("DENI054"))
            } else if url.contains("/Datastreams?") {
                page_of(vec![datastream(1, "NO2", "x", "µg/m³")], None)
            } else {
                page_of(
                    vec![observation("2001-01-01T00:00:00Z", json!(1))],
                    Some(
                        "https://collector.example.net/FROST-Server/v1.1/Datastreams(1)/Observations?$skip=1",
                    ),
                )
            }
        });
        assert_eq!(found.unwrap_err(), SensorThingsError::ForeignLink);
        assert!(asked.iter().all(|a| a.starts_with(BASE)), "{asked:?}");
        // Datastreams too.
        let (_, found) = run(client.latest("DENI054"), |url| {
            if url.contains("/Things?") {
                thing(json!("DENI054"))
            } else {
                page_of(
                    vec![datastream(1, "NO2", "x", "µg/m³")],
                    Some("http://sta.example.org/FROST-Server/v1.1/Datastreams?$skip=1"),
                )
            }
        });
        assert_eq!(found.unwrap_err(), SensorThingsError::ForeignLink);
    }

    #[test]
    fn more_observations_than_allowed_stop_the_reading() {
        let client = client("max_observations = 5\npage_size = 2");
        let (asked, found) = run(client.series("DENI054", &[], &Period::all()), |url| {
            if url.contains("/Things?") {
                thing(json!("DENI054"))
            } else if url.contains("/Datastreams?") {
                page_of(
                    vec![
                        datastream(1, "NO2", "x", "µg/m³"),
                        datastream(2, "PM10", "y", "µg/m³"),
                    ],
                    None,
                )
            } else {
                // Two a page, forever: nulls count too.
                page_of(
                    vec![
                        observation("2001-01-01T00:00:00Z", json!(1)),
                        observation("2002-01-01T00:00:00Z", json!(null)),
                    ],
                    Some(&format!("{BASE}/Datastreams(1)/Observations?$skip=2")),
                )
            }
        });
        assert_eq!(
            found.unwrap_err(),
            SensorThingsError::TooManyObservations(5)
        );
        // Things, Datastreams, three pages: the sixth Observation stops it.
        assert_eq!(asked.len(), 5, "{asked:?}");
        let e = SensorThingsError::TooManyObservations(5).to_string();
        assert!(e.contains("shorter period"), "{e}");
        // Exactly as many as allowed is fine.
        let client = self::client("max_observations = 2");
        let (_, found) = run(client.series("DENI054", &[], &Period::all()), |url| {
            if url.contains("/Things?") {
                thing(json!("DENI054"))
            } else if url.contains("/Datastreams?") {
                page_of(vec![datastream(1, "NO2", "x", "µg/m³")], None)
            } else {
                page_of(
                    vec![
                        observation("2001-01-01T00:00:00Z", json!(1)),
                        observation("2002-01-01T00:00:00Z", json!(2)),
                    ],
                    None,
                )
            }
        });
        assert_eq!(found.unwrap().unwrap()[0].points.len(), 2);
    }

    #[test]
    fn an_empty_page_with_a_link_and_garbage_end_the_reading() {
        let client = client("");
        let (_, found) = run(client.series("DENI054", &[], &Period::all()), |url| {
            if url.contains("/Things?") {
                thing(json!("DENI054"))
            } else {
                page_of(vec![], Some(&format!("{BASE}/Datastreams?$skip=0")))
            }
        });
        assert_eq!(found.unwrap_err(), SensorThingsError::EmptyPage);
        let (_, found) = run(client.latest("DENI054"), |_| {
            b"Internal Server Error".to_vec()
        });
        assert_eq!(found.unwrap_err(), SensorThingsError::NotJson);
        let (_, found) = run(client.latest("DENI054"), |_| {
            br#"{"value": [{"name": "no id"}]}"#.to_vec()
        });
        assert!(matches!(found, Err(SensorThingsError::Unexpected(_))));
    }

    #[test]
    fn a_bad_configuration_says_what_is_wrong() {
        let load = |toml: &str| {
            let config: SensorThingsConfig = toml::from_str(toml).unwrap();
            SensorThings::new(&config)
        };
        for (toml, says) in [
            ("url = \"ftp://sta.example.org/v1.1\"", "http and https"),
            ("url = \"sta.example.org/v1.1\"", "url"),
            (
                "url = \"https://user:geheim@sta.example.org/v1.1\"",
                "password",
            ),
            ("url = \"https://sta.example.org/v1.1?x=1\"", "query"),
            (
                "url = \"https://sta.example.org/v1.1\"\nparameter = \"name eq 'x'\"",
                "parameter",
            ),
            (
                "url = \"https://sta.example.org/v1.1\"\nthing_property = \"properties//id\"",
                "thing_property",
            ),
            (
                "url = \"https://sta.example.org/v1.1\"\nunit = \"\"",
                "unit",
            ),
            (
                "url = \"https://sta.example.org/v1.1\"\npage_size = 0",
                "page_size",
            ),
            (
                "url = \"https://sta.example.org/v1.1\"\nmax_observations = 0",
                "max_observations",
            ),
            (
                "url = \"https://sta.example.org/v1.1\"\ntimeout_seconds = 0",
                "timeout_seconds",
            ),
        ] {
            let e = load(toml).unwrap_err();
            assert!(e.contains(says), "{toml}: {e}");
            assert!(!e.contains("geheim"), "{e}");
        }
        let ok = load("url = \"https://sta.example.org:8443/FROST-Server/v1.1/\"").unwrap();
        assert_eq!(ok.base, "https://sta.example.org:8443/FROST-Server/v1.1");
        assert_eq!(ok.timeout_seconds(), 20);
        assert!(
            toml::from_str::<SensorThingsConfig>("url = \"https://x\"\nkey_type = \"uuid\"")
                .is_err()
        );
    }
}
