//! Values measured at a layer's features — an air quality station's annual
//! means, say — from the source of its `[layer.measurements]`. The
//! viewer's feature info shows the latest value of every parameter, the
//! charts and `/api/series` the series ([`crate::series`]).
//!
//! A source is read here (a CSV table, a PostgreSQL database: [`Source::Local`])
//! or by the server over the network (an OGC SensorThings API:
//! [`Source::SensorThings`], of which this crate only builds the requests
//! and reads the answers). [`Measurements::source`] tells which, so a
//! caller has one branch to make.

use std::path::Path;
use std::sync::Arc;

use crate::config::MeasurementsConfig;
use crate::postgis::Connections;
use crate::series::database::Database;
use crate::series::sensorthings::SensorThings;
use crate::series::{Series, SeriesSource, Table};

/// One parameter's latest value at one feature.
#[derive(Debug, Clone, PartialEq)]
pub struct Latest {
    /// Parameter code, e.g. `NO2_annual_mean`.
    pub parameter: String,
    /// Unit, e.g. `µg/m³`.
    pub unit: String,
    /// Date of the value (ISO 8601, as in the table).
    pub date: String,
    /// The value.
    pub value: f64,
}

/// Where a layer's measurements are read. Cheap to clone, so a caller can
/// take it out of the catalogue and read it on another thread or task.
#[derive(Debug, Clone)]
pub enum Source {
    /// Read in this process: a CSV table or a PostgreSQL database, whose
    /// `series` may wait for the database (call it off the async
    /// runtime's threads).
    Local(Arc<dyn SeriesSource>),
    /// An OGC SensorThings API: the requests to make and how to read the
    /// answers; the caller fetches.
    SensorThings(Arc<SensorThings>),
}

/// A layer's measurements.
#[derive(Debug)]
pub struct Measurements {
    source: Source,
}

impl Measurements {
    /// Reads the CSV table of `config` (relative to `site_dir`), connects
    /// its database (through the catalogue's `connections`), or checks its
    /// SensorThings API's settings (contacting nothing). Errors name the
    /// file and the row, say what the database lacks, or which setting is
    /// wrong.
    pub fn load(
        config: &MeasurementsConfig,
        site_dir: &Path,
        connections: &mut Connections,
    ) -> Result<Self, String> {
        let source = match (&config.path, &config.database, &config.sensorthings) {
            (Some(path), None, None) => Source::Local(Arc::new(Table::from_csv(
                &site_dir.join(path),
                &config.key,
            )?)),
            (None, Some(database), None) => Source::Local(Arc::new(Database::connect(
                database,
                &config.key,
                connections,
            )?)),
            (None, None, Some(sensorthings)) => Source::SensorThings(Arc::new(
                SensorThings::new(sensorthings).map_err(|e| format!("sensorthings: {e}"))?,
            )),
            (None, None, None) => {
                return Err("give one source: path (a CSV file), database or sensorthings".into());
            }
            _ => {
                return Err(
                    "give only one source: path (a CSV file), database or sensorthings".into(),
                );
            }
        };
        Ok(Self { source })
    }

    /// Where the measurements are read.
    pub fn source(&self) -> &Source {
        &self.source
    }
}

/// The latest value of each series, in their order; a series without
/// values has none.
pub fn latest_of(series: &[Series]) -> Vec<Latest> {
    series
        .iter()
        .filter_map(|s| {
            s.latest().map(|p| Latest {
                parameter: s.parameter.clone(),
                unit: s.unit.clone(),
                date: p.date.clone(),
                value: p.value,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::series::Period;

    fn load(csv: &str) -> Result<Measurements, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.csv"), csv).unwrap();
        let config = MeasurementsConfig {
            path: Some("m.csv".into()),
            database: None,
            sensorthings: None,
            key: "station_id".into(),
            parameters: Default::default(),
            limits: Default::default(),
        };
        Measurements::load(&config, dir.path(), &mut Connections::default())
    }

    fn latest(m: &Measurements, key: &str) -> Option<Vec<Latest>> {
        let Source::Local(source) = m.source() else {
            panic!("a table is read here")
        };
        source
            .series(key, &[], &Period::all())
            .unwrap()
            .map(|s| latest_of(&s))
    }

    #[test]
    fn the_latest_value_of_each_parameter_wins() {
        let m = load(
            "station_id,parameter,unit,date,value\n\
             DENI1,NO2,µg/m³,2010-01-01,30\n\
             DENI1,NO2,µg/m³,2011-01-01,27.5\n\
             DENI1,PM10,µg/m³,2011-01-01,20\n\
             DENI1,NO2,µg/m³,2009-01-01,35\n\
             DENI2,NO2,µg/m³,2005-01-01,40\n",
        )
        .unwrap();
        let values = latest(&m, "DENI1").unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(values[0].value, 27.5);
        assert_eq!(values[0].date, "2011-01-01");
        assert_eq!(values[1].parameter, "PM10");
        assert_eq!(latest(&m, "DENI2").unwrap()[0].value, 40.0);
        assert!(latest(&m, "DENI3").is_none());
    }

    fn load_toml(toml: &str) -> Result<Measurements, String> {
        let config: MeasurementsConfig = toml::from_str(toml).unwrap();
        Measurements::load(&config, Path::new("."), &mut Connections::default())
    }

    #[test]
    fn a_source_is_a_file_a_database_or_a_sensorthings_api_exactly_one() {
        let e = load_toml(
            "key = \"station_id\"\npath = \"m.csv\"\n\
             database = { connection = \"postgresql://localhost/x\", table = \"t\" }",
        )
        .unwrap_err();
        assert!(e.contains("only one source"), "{e}");
        let e = load_toml(
            "key = \"station_id\"\npath = \"m.csv\"\n\
             sensorthings = { url = \"https://sta.example.org/v1.1\" }",
        )
        .unwrap_err();
        assert!(e.contains("only one source"), "{e}");
        let e = load_toml("key = \"station_id\"").unwrap_err();
        assert!(e.contains("give one source"), "{e}");
    }

    #[test]
    fn a_sensorthings_api_is_checked_at_load_without_contacting_it() {
        // `.invalid` never resolves: loading must not try.
        let m = load_toml(
            "key = \"station_id\"\n\
             sensorthings = { url = \"https://sta.invalid/FROST-Server/v1.1\" }",
        )
        .unwrap();
        let Source::SensorThings(client) = m.source() else {
            panic!("a SensorThings API is read by the caller")
        };
        assert_eq!(client.service().host_str(), Some("sta.invalid"));
        let e = load_toml(
            "key = \"station_id\"\n\
             sensorthings = { url = \"gopher://sta.example.org/v1.1\" }",
        )
        .unwrap_err();
        assert!(e.starts_with("sensorthings: url"), "{e}");
    }
}
