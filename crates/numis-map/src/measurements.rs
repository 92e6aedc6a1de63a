//! Values measured at a layer's features — an air quality station's annual
//! means, say — read from a CSV table at load. The viewer's feature info
//! shows the latest value of every parameter.

use std::collections::HashMap;
use std::path::Path;

use crate::config::MeasurementsConfig;

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

/// The latest values per feature key.
#[derive(Debug, Clone, Default)]
pub struct Measurements {
    latest: HashMap<String, Vec<Latest>>,
}

impl Measurements {
    /// Reads the table of `config` (relative to `site_dir`). Errors name
    /// the file and the row.
    pub fn load(config: &MeasurementsConfig, site_dir: &Path) -> Result<Self, String> {
        let path = site_dir.join(&config.path);
        let mut reader =
            csv::Reader::from_path(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let headers = reader
            .headers()
            .map_err(|e| format!("{}: {e}", path.display()))?
            .clone();
        let column = |name: &str| {
            headers
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| format!("{}: no column {name:?}", path.display()))
        };
        let [key, parameter, unit, date, value] =
            [config.key.as_str(), "parameter", "unit", "date", "value"].map(column);
        let (key, parameter, unit, date, value) = (key?, parameter?, unit?, date?, value?);
        let mut latest: HashMap<String, Vec<Latest>> = HashMap::new();
        for (row, record) in reader.records().enumerate() {
            let record = record.map_err(|e| format!("{}: {e}", path.display()))?;
            let field = |i: usize| record.get(i).unwrap_or_default().trim();
            let Ok(number) = field(value).parse::<f64>() else {
                // Row 1 is the header.
                return Err(format!(
                    "{}: row {}: value {:?} is not a number",
                    path.display(),
                    row + 2,
                    field(value)
                ));
            };
            let entry = Latest {
                parameter: field(parameter).to_owned(),
                unit: field(unit).to_owned(),
                date: field(date).to_owned(),
                value: number,
            };
            let values = latest.entry(field(key).to_owned()).or_default();
            match values.iter_mut().find(|v| v.parameter == entry.parameter) {
                // ISO dates order as text.
                Some(known) if known.date < entry.date => *known = entry,
                Some(_) => {}
                None => values.push(entry),
            }
        }
        Ok(Self { latest })
    }

    /// The latest values at the feature with this key, in table order.
    pub fn latest(&self, key: &str) -> Option<&[Latest]> {
        self.latest.get(key).map(Vec::as_slice)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(csv: &str) -> Result<Measurements, String> {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("m.csv"), csv).unwrap();
        let config = MeasurementsConfig {
            path: "m.csv".into(),
            key: "station_id".into(),
            parameters: Default::default(),
        };
        Measurements::load(&config, dir.path())
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
        let values = m.latest("DENI1").unwrap();
        assert_eq!(values.len(), 2);
        assert_eq!(values[0].value, 27.5);
        assert_eq!(values[0].date, "2011-01-01");
        assert_eq!(values[1].parameter, "PM10");
        assert_eq!(m.latest("DENI2").unwrap()[0].value, 40.0);
        assert!(m.latest("DENI3").is_none());
    }

    #[test]
    fn a_broken_table_names_file_and_row() {
        let e = load("station_id,parameter,unit,date,value\nDENI1,NO2,x,2010,abc\n").unwrap_err();
        assert!(e.contains("m.csv") && e.contains("row 2"), "{e}");
        let e = load("id,parameter,unit,date,value\n").unwrap_err();
        assert!(e.contains("no column \"station_id\""), "{e}");
    }
}
