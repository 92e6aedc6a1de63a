//! Time series measured at a layer's features — an air-quality station's
//! annual means, say — for the charts of feature info and station pages,
//! their downloads and `/api/series`.
//!
//! A source answers "the series of this station, for these parameters,
//! within this period" ([`SeriesSource`]); the CSV table of a layer's
//! `[layer.measurements]` is one, read whole at load; a PostgreSQL table
//! or query ([`database::Database`]) another. An OGC SensorThings API
//! ([`sensorthings::SensorThings`]) is no `SeriesSource`: it is read over
//! the network, which this crate never does, so it only says what to fetch
//! and reads what was fetched. Dates are ISO 8601
//! text (`2011`, `2011-06`, `2011-06-30`, `2011-06-30T12:00:00Z`), which
//! order as text, so a period is a pair of bounds compared by prefix.

pub mod database;
pub mod sensorthings;

use std::collections::HashMap;
use std::path::Path;

use chrono::NaiveDate;

/// One measured value.
#[derive(Debug, Clone, PartialEq)]
pub struct Point {
    /// When (ISO 8601, as the source gives it).
    pub date: String,
    /// The value, in the series' unit.
    pub value: f64,
}

/// One parameter's values at one station, oldest first.
#[derive(Debug, Clone, PartialEq)]
pub struct Series {
    /// Parameter code, e.g. `NO2_annual_mean`.
    pub parameter: String,
    /// Unit, e.g. `µg/m³`.
    pub unit: String,
    /// The values, oldest first.
    pub points: Vec<Point>,
}

impl Series {
    /// The newest value.
    pub fn latest(&self) -> Option<&Point> {
        self.points.last()
    }
}

/// The dates asked for: from and to, both inclusive, each to the precision
/// given (`to = 2010` takes every date of 2010).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Period {
    from: Option<String>,
    to: Option<String>,
}

impl Period {
    /// Every date.
    pub fn all() -> Self {
        Self::default()
    }

    /// Reads `from` and `to` (a year, a month `YYYY-MM` or a day
    /// `YYYY-MM-DD`; either may be missing). The error says which is wrong.
    pub fn parse(from: Option<&str>, to: Option<&str>) -> Result<Self, String> {
        let bound = |name: &str,
                     text: Option<&str>|
         -> Result<Option<(String, NaiveDate)>, String> {
            let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
                return Ok(None);
            };
            first_day(text)
                .map(|day| Some((text.to_owned(), day)))
                .ok_or_else(|| {
                    format!("{name} {text:?} is not a date: give a year (2005), a month (2005-06) or a day (2005-06-30)")
                })
        };
        let (from, to) = (bound("from", from)?, bound("to", to)?);
        if let (Some((f, from_day)), Some((t, to_day))) = (&from, &to) {
            if from_day > to_day {
                return Err(format!("from {f} is after to {t}"));
            }
        }
        Ok(Self {
            from: from.map(|(text, _)| text),
            to: to.map(|(text, _)| text),
        })
    }

    /// Is `date` (ISO 8601) within the period?
    pub fn contains(&self, date: &str) -> bool {
        // Each bound compared at the precision both have: `2010` is
        // within from `2010-06`, `2010-06-15T12:00Z` within to `2010-06-15`.
        let after_from = self.from.as_deref().is_none_or(|from| {
            let n = from.len().min(date.len());
            prefix(date, n) >= prefix(from, n)
        });
        let before_to = self.to.as_deref().is_none_or(|to| {
            let n = to.len().min(date.len());
            prefix(date, n) <= prefix(to, n)
        });
        after_from && before_to
    }

    /// The bounds as given, for the answer.
    pub fn bounds(&self) -> (Option<&str>, Option<&str>) {
        (self.from.as_deref(), self.to.as_deref())
    }
}

/// The first `n` bytes of `text` (all of it when that is not a boundary
/// between characters).
fn prefix(text: &str, n: usize) -> &str {
    text.get(..n).unwrap_or(text)
}

/// The first day of a year, month or day written in ISO 8601.
fn first_day(text: &str) -> Option<NaiveDate> {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts: Vec<&str> = text.split('-').collect();
    match parts.as_slice() {
        [y] if y.len() == 4 && digits(y) => NaiveDate::from_ymd_opt(y.parse().ok()?, 1, 1),
        [y, m] if y.len() == 4 && m.len() == 2 && digits(y) && digits(m) => {
            NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, 1)
        }
        [_, _, _] => NaiveDate::parse_from_str(text, "%Y-%m-%d").ok(),
        _ => None,
    }
}

/// Why a source could not answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeriesError(pub String);

impl std::fmt::Display for SeriesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SeriesError {}

/// Where a layer's measured series come from.
pub trait SeriesSource: Send + Sync + std::fmt::Debug {
    /// The series measured at `station`: every parameter, or only those
    /// named in `parameters` (when not empty), each cut to `period`, in
    /// the source's order of parameters. `None` when the source knows no
    /// such station.
    fn series(
        &self,
        station: &str,
        parameters: &[&str],
        period: &Period,
    ) -> Result<Option<Vec<Series>>, SeriesError>;
}

/// A table read whole at load: one row per value with the columns
/// `<key>, parameter, unit, date, value` (a CSV file of the site).
#[derive(Debug, Clone, Default)]
pub struct Table {
    stations: HashMap<String, Vec<Series>>,
}

impl Table {
    /// Reads the CSV file at `path` whose station column is `key`. Errors
    /// name the file and the row.
    pub fn from_csv(path: &Path, key: &str) -> Result<Self, String> {
        let mut reader =
            csv::Reader::from_path(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let headers = reader
            .headers()
            .map_err(|e| format!("{}: {e}", path.display()))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h.trim() == name)
                .ok_or_else(|| format!("{}: no column {name:?}", path.display()))
        };
        let [station, parameter, unit, date, value] =
            [key, "parameter", "unit", "date", "value"].map(column);
        let (station, parameter, unit, date, value) = (station?, parameter?, unit?, date?, value?);
        let mut table = Table::default();
        for (row, record) in reader.records().enumerate() {
            // Row 1 is the header.
            let at = |what: String| format!("{}: row {}: {what}", path.display(), row + 2);
            let record = record.map_err(|e| at(e.to_string()))?;
            let field = |i: usize| record.get(i).unwrap_or_default().trim();
            let number = field(value)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| at(format!("value {:?} is not a number", field(value))))?;
            if first_day(field(date).get(..10).unwrap_or(field(date))).is_none() {
                return Err(at(format!(
                    "date {:?} is not an ISO 8601 date",
                    field(date)
                )));
            }
            table.push(
                field(station),
                field(parameter),
                field(unit),
                Point {
                    date: field(date).to_owned(),
                    value: number,
                },
            );
        }
        table.sort();
        Ok(table)
    }

    fn push(&mut self, station: &str, parameter: &str, unit: &str, point: Point) {
        let series = self.stations.entry(station.to_owned()).or_default();
        match series.iter_mut().find(|s| s.parameter == parameter) {
            Some(known) => known.points.push(point),
            None => series.push(Series {
                parameter: parameter.to_owned(),
                unit: unit.to_owned(),
                points: vec![point],
            }),
        }
    }

    /// Oldest first; a date given twice keeps its last row.
    fn sort(&mut self) {
        for series in self.stations.values_mut().flatten() {
            sort_points(&mut series.points);
        }
    }
}

/// Sorts `points` oldest first; a date given twice keeps its last value.
fn sort_points(points: &mut Vec<Point>) {
    // A stable sort keeps repeated dates in the order given.
    points.sort_by(|a, b| a.date.cmp(&b.date));
    points.dedup_by(|later, earlier| {
        let same = later.date == earlier.date;
        if same {
            earlier.value = later.value;
        }
        same
    });
}

impl SeriesSource for Table {
    fn series(
        &self,
        station: &str,
        parameters: &[&str],
        period: &Period,
    ) -> Result<Option<Vec<Series>>, SeriesError> {
        let Some(all) = self.stations.get(station) else {
            return Ok(None);
        };
        Ok(Some(
            all.iter()
                .filter(|s| parameters.is_empty() || parameters.contains(&s.parameter.as_str()))
                .map(|s| Series {
                    parameter: s.parameter.clone(),
                    unit: s.unit.clone(),
                    points: s
                        .points
                        .iter()
                        .filter(|p| period.contains(&p.date))
                        .cloned()
                        .collect(),
                })
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Result<Table, String> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.csv");
        std::fs::write(&path, csv).unwrap();
        Table::from_csv(&path, "station_id")
    }

    const VALUES: &str = "station_id,parameter,unit,date,value\n\
        DENI1,NO2,µg/m³,2010-01-01,30\n\
        DENI1,NO2,µg/m³,2011-01-01,27.5\n\
        DENI1,PM10,µg/m³,2011-01-01,20\n\
        DENI1,NO2,µg/m³,2009-01-01,35\n\
        DENI2,NO2,µg/m³,2005-01-01,40\n";

    #[test]
    fn series_come_oldest_first_per_parameter() {
        let t = table(VALUES).unwrap();
        let all = t.series("DENI1", &[], &Period::all()).unwrap().unwrap();
        assert_eq!(all.len(), 2);
        assert_eq!(all[0].parameter, "NO2");
        let dates: Vec<&str> = all[0].points.iter().map(|p| p.date.as_str()).collect();
        assert_eq!(dates, ["2009-01-01", "2010-01-01", "2011-01-01"]);
        assert_eq!(all[0].latest().unwrap().value, 27.5);
        let pm = t
            .series("DENI1", &["PM10"], &Period::all())
            .unwrap()
            .unwrap();
        assert_eq!(pm.len(), 1);
        assert_eq!(pm[0].unit, "µg/m³");
        assert!(t.series("DENI3", &[], &Period::all()).unwrap().is_none());
        assert_eq!(
            t.series("DENI1", &["O3"], &Period::all()).unwrap(),
            Some(vec![])
        );
    }

    #[test]
    fn a_period_takes_whole_years_and_months_at_both_ends() {
        let t = table(VALUES).unwrap();
        let period = Period::parse(Some("2010"), Some("2010")).unwrap();
        let no2 = &t.series("DENI1", &["NO2"], &period).unwrap().unwrap()[0];
        assert_eq!(no2.points.len(), 1);
        assert_eq!(no2.points[0].value, 30.0);
        let p = Period::parse(Some("2010-06"), None).unwrap();
        assert!(!p.contains("2010-01-01") && p.contains("2010-06-30") && p.contains("2011"));
        let p = Period::parse(None, Some("2010-06-15")).unwrap();
        assert!(p.contains("2010-06-15T23:00:00Z") && !p.contains("2010-06-16"));
        assert!(p.contains("2009"));
    }

    #[test]
    fn a_bad_period_says_what_is_wrong() {
        let e = Period::parse(Some("last year"), None).unwrap_err();
        assert!(e.contains("from") && e.contains("last year"), "{e}");
        let e = Period::parse(Some("2011"), Some("2010-12-31")).unwrap_err();
        assert!(e.contains("after"), "{e}");
        assert!(Period::parse(Some("2010-13"), None).is_err());
        assert!(Period::parse(Some("2010-02-30"), None).is_err());
        assert_eq!(Period::parse(Some(" "), None).unwrap(), Period::all());
    }

    #[test]
    fn a_broken_table_names_file_and_row() {
        let e = table("station_id,parameter,unit,date,value\nDENI1,NO2,x,2010,abc\n").unwrap_err();
        assert!(e.contains("m.csv") && e.contains("row 2"), "{e}");
        let e = table("station_id,parameter,unit,date,value\nDENI1,NO2,x,someday,1\n").unwrap_err();
        assert!(e.contains("row 2") && e.contains("someday"), "{e}");
        let e = table("id,parameter,unit,date,value\n").unwrap_err();
        assert!(e.contains("no column \"station_id\""), "{e}");
    }
}
