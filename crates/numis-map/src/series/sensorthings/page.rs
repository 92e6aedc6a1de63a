//! Reading what a SensorThings service answers: a collection page
//! (`{"@iot.count": …, "value": […], "@iot.nextLink": "…"}`), the ids and
//! members of its entities, and an Observation's time and result as a
//! [`Point`]. Messages say what is wrong without repeating what the
//! service sent.

use chrono::{DateTime, SecondsFormat, Timelike, Utc};
use serde_json::Value;

use super::SensorThingsError;
use super::query::Literal;
use crate::series::Point;

/// One page of a collection.
#[derive(Debug)]
pub struct Page {
    /// The entities of this page.
    pub entries: Vec<Value>,
    /// The address of the next page, as the service wrote it.
    pub next: Option<String>,
}

/// Reads a page from the body of an answer.
pub fn page(body: &[u8]) -> Result<Page, SensorThingsError> {
    let mut json: Value = serde_json::from_slice(body).map_err(|_| SensorThingsError::NotJson)?;
    let Some(Value::Array(entries)) = json.get_mut("value").map(Value::take) else {
        return Err(SensorThingsError::Unexpected(
            "an answer without a value array",
        ));
    };
    let next = match json.get("@iot.nextLink") {
        None | Some(Value::Null) => None,
        Some(Value::String(link)) => Some(link.clone()),
        Some(_) => {
            return Err(SensorThingsError::Unexpected(
                "an @iot.nextLink that is not an address",
            ));
        }
    };
    Ok(Page { entries, next })
}

/// The `@iot.id` of an entity.
pub fn id(entity: &Value) -> Result<Literal, SensorThingsError> {
    match entity.get("@iot.id") {
        Some(Value::String(text)) => Ok(Literal::Text(text.clone())),
        Some(Value::Number(n)) => {
            n.as_i64()
                .map(Literal::Number)
                .ok_or(SensorThingsError::Unexpected(
                    "an @iot.id that is no whole number",
                ))
        }
        _ => Err(SensorThingsError::Unexpected("an entity without @iot.id")),
    }
}

/// The text at `path` (`name`, `properties/code`,
/// `ObservedProperty/name`) of an entity; `id` is its `@iot.id`. A number
/// is written as JSON writes it; anything else is no text.
pub fn text_at(entity: &Value, path: &str) -> Option<String> {
    let mut at = entity;
    for segment in path.split('/') {
        at = match at.get(segment) {
            Some(found) => found,
            None if segment == "id" => at.get("@iot.id")?,
            None => return None,
        };
    }
    match at {
        Value::String(text) => Some(text.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An Observation as a point: its date from `phenomenonTime` (see
/// [`date_of`]) and its value from `result`, a number or a text that is
/// one. `None` for an Observation whose result is no finite number
/// (`null`, `"n/a"`, an object), which is left out; an error for one
/// without a time.
pub fn point(observation: &Value) -> Result<Option<Point>, SensorThingsError> {
    let date = observation
        .get("phenomenonTime")
        .and_then(Value::as_str)
        .and_then(date_of)
        .ok_or(SensorThingsError::Unexpected(
            "an Observation without a phenomenonTime in ISO 8601",
        ))?;
    let value = match observation.get("result") {
        Some(Value::Number(n)) => n.as_f64(),
        Some(Value::String(text)) => text.trim().parse::<f64>().ok(),
        _ => None,
    };
    Ok(value
        .filter(|v| v.is_finite())
        .map(|value| Point { date, value }))
}

/// The date of a `phenomenonTime`: an instant, or the start of an
/// interval `start/end` (an annual mean's year begins its interval), in
/// UTC. Midnight UTC is written as the day alone (`2005-01-01`, as in a
/// table of daily or annual values); any other instant to the second,
/// with fractions only when it has them (`2005-06-30T12:00:00Z`).
pub fn date_of(time: &str) -> Option<String> {
    let start = time.split('/').next()?.trim();
    let instant = DateTime::parse_from_rfc3339(start)
        .ok()?
        .with_timezone(&Utc);
    if instant.num_seconds_from_midnight() == 0 && instant.nanosecond() == 0 {
        Some(instant.format("%Y-%m-%d").to_string())
    } else {
        Some(instant.to_rfc3339_opts(SecondsFormat::AutoSi, true))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_frost_page_gives_its_entries_and_the_next_link() {
        let body = br#"{
            "@iot.count": 11,
            "@iot.nextLink": "https://sta.example.org/FROST-Server/v1.1/Datastreams(1)/Observations?$top=6&$skip=6",
            "value": [
                {"phenomenonTime": "2001-01-01T00:00:00Z/2002-01-01T00:00:00Z", "result": 26, "resultTime": "2002-03-01T00:00:00Z"},
                {"phenomenonTime": "2002-01-01T00:00:00.000Z", "result": 24.7, "resultTime": null}
            ]
        }"#;
        let first = page(body).unwrap();
        assert_eq!(first.entries.len(), 2);
        assert!(first.next.unwrap().ends_with("$skip=6"));
        let last = page(br#"{"value": []}"#).unwrap();
        assert!(last.entries.is_empty() && last.next.is_none());
    }

    #[test]
    fn what_is_not_a_page_says_so_without_repeating_it() {
        assert_eq!(
            page(b"<html>Service Unavailable</html>").unwrap_err(),
            SensorThingsError::NotJson
        );
        assert_eq!(
            page(br#"{"value": [1, "#).unwrap_err(),
            SensorThingsError::NotJson
        );
        let e = page(br#"{"code": 400, "message": "secret detail"}"#).unwrap_err();
        assert!(!e.to_string().contains("secret"), "{e}");
        assert!(matches!(e, SensorThingsError::Unexpected(_)));
        assert!(page(br#"{"value": [], "@iot.nextLink": 5}"#).is_err());
    }

    #[test]
    fn ids_are_text_or_whole_numbers() {
        assert_eq!(
            id(&json!({"@iot.id": "DENI054"})).unwrap(),
            Literal::Text("DENI054".into())
        );
        assert_eq!(id(&json!({"@iot.id": 42})).unwrap(), Literal::Number(42));
        assert!(id(&json!({"@iot.id": 4.2})).is_err());
        assert!(id(&json!({"name": "x"})).is_err());
    }

    #[test]
    fn members_are_found_by_path() {
        let datastream = json!({
            "@iot.id": 1,
            "name": "NO2 annual mean, DENI054",
            "unitOfMeasurement": {"name": "microgram per cubic metre", "symbol": "µg/m³", "definition": "http://qudt.org/vocab/unit/MicroGM-PER-M3"},
            "properties": {"parameter": "NO2_annual_mean", "eionet": 8},
            "ObservedProperty": {"name": "NO2", "definition": "http://dd.eionet.europa.eu/vocabulary/aq/pollutant/8", "description": "Nitrogen dioxide"}
        });
        let at = |path: &str| text_at(&datastream, path);
        assert_eq!(at("ObservedProperty/name").as_deref(), Some("NO2"));
        assert_eq!(at("name").as_deref(), Some("NO2 annual mean, DENI054"));
        assert_eq!(
            at("properties/parameter").as_deref(),
            Some("NO2_annual_mean")
        );
        assert_eq!(at("properties/eionet").as_deref(), Some("8"));
        assert_eq!(at("unitOfMeasurement/symbol").as_deref(), Some("µg/m³"));
        assert_eq!(at("id").as_deref(), Some("1"));
        assert_eq!(at("properties"), None);
        assert_eq!(at("properties/missing"), None);
    }

    #[test]
    fn an_observation_is_a_point_at_the_start_of_its_time_in_utc() {
        let p = |o: Value| point(&o).unwrap();
        assert_eq!(
            p(json!({"phenomenonTime": "2001-01-01T00:00:00Z/2002-01-01T00:00:00Z", "result": 26})),
            Some(Point {
                date: "2001-01-01".into(),
                value: 26.0
            })
        );
        assert_eq!(
            p(json!({"phenomenonTime": "2005-01-01T01:00:00+01:00", "result": "27.5"})),
            Some(Point {
                date: "2005-01-01".into(),
                value: 27.5
            })
        );
        assert_eq!(
            p(json!({"phenomenonTime": "2011-06-30T14:00:00.000+02:00", "result": 3})),
            Some(Point {
                date: "2011-06-30T12:00:00Z".into(),
                value: 3.0
            })
        );
        assert_eq!(
            p(json!({"phenomenonTime": "2011-06-30T12:00:00.250Z", "result": 3})),
            Some(Point {
                date: "2011-06-30T12:00:00.250Z".into(),
                value: 3.0
            })
        );
    }

    #[test]
    fn an_observation_without_a_number_is_left_out_and_one_without_a_time_is_an_error() {
        for result in [
            json!(null),
            json!("n/a"),
            json!({"value": 3}),
            json!(true),
            json!("NaN"),
        ] {
            let o = json!({"phenomenonTime": "2001-01-01T00:00:00Z", "result": result});
            assert_eq!(point(&o).unwrap(), None, "{o}");
        }
        assert_eq!(
            point(&json!({"phenomenonTime": "2001-01-01T00:00:00Z"})).unwrap(),
            None
        );
        for time in [
            json!(null),
            json!("2001"),
            json!("gestern"),
            json!(20010101),
        ] {
            let o = json!({"phenomenonTime": time, "result": 1});
            assert!(point(&o).is_err(), "{o}");
        }
    }
}
