//! Values measured at a layer's features — an air quality station's annual
//! means, say — from the source of its `[layer.measurements]`. The
//! viewer's feature info shows the latest value of every parameter, the
//! charts and `/api/series` the series ([`crate::series`]).

use std::path::Path;

use crate::config::MeasurementsConfig;
use crate::postgis::Connections;
use crate::series::database::Database;
use crate::series::{Period, Series, SeriesError, SeriesSource, Table};

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

/// A layer's measurements.
#[derive(Debug)]
pub struct Measurements {
    source: Box<dyn SeriesSource>,
}

impl Measurements {
    /// Reads the CSV table of `config` (relative to `site_dir`), or
    /// connects its database (through the catalogue's `connections`).
    /// Errors name the file and the row, or say what the database lacks.
    pub fn load(
        config: &MeasurementsConfig,
        site_dir: &Path,
        connections: &mut Connections,
    ) -> Result<Self, String> {
        let source: Box<dyn SeriesSource> = match (&config.path, &config.database) {
            (Some(path), None) => Box::new(Table::from_csv(&site_dir.join(path), &config.key)?),
            (None, Some(database)) => {
                Box::new(Database::connect(database, &config.key, connections)?)
            }
            _ => return Err("give either path (a CSV file) or database".into()),
        };
        Ok(Self { source })
    }

    /// The latest value of each parameter at the feature with this key,
    /// in the source's order; `None` when it has none.
    pub fn latest(&self, key: &str) -> Result<Option<Vec<Latest>>, SeriesError> {
        let Some(series) = self.source.series(key, &[], &Period::all())? else {
            return Ok(None);
        };
        Ok(Some(
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
                .collect(),
        ))
    }

    /// The series at the feature with this key (see
    /// [`SeriesSource::series`]).
    pub fn series(
        &self,
        key: &str,
        parameters: &[&str],
        period: &Period,
    ) -> Result<Option<Vec<Series>>, SeriesError> {
        self.source.series(key, parameters, period)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(csv: &str) -> Result<Measurements, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.csv"), csv).unwrap();
        let config = MeasurementsConfig {
            path: Some("m.csv".into()),
            database: None,
            key: "station_id".into(),
            parameters: Default::default(),
            limits: Default::default(),
        };
        Measurements::load(&config, dir.path(), &mut Connections::default())
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
        let values = m.latest("DENI1").unwrap().unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(values[0].value, 27.5);
        assert_eq!(values[0].date, "2011-01-01");
        assert_eq!(values[1].parameter, "PM10");
        assert_eq!(m.latest("DENI2").unwrap().unwrap()[0].value, 40.0);
        assert!(m.latest("DENI3").unwrap().is_none());
    }

    #[test]
    fn a_source_is_a_file_or_a_database_not_both_nor_none() {
        let config: MeasurementsConfig = toml::from_str(
            "key = \"station_id\"\npath = \"m.csv\"\n\
             database = { connection = \"postgresql://localhost/x\", table = \"t\" }",
        )
        .unwrap();
        let e =
            Measurements::load(&config, Path::new("."), &mut Connections::default()).unwrap_err();
        assert!(e.contains("either path"), "{e}");
        let config: MeasurementsConfig = toml::from_str("key = \"station_id\"").unwrap();
        assert!(Measurements::load(&config, Path::new("."), &mut Connections::default()).is_err());
    }
}
