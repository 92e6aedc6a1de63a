//! CSV of a point layer: `x`, `y` in EPSG:25832 (to the centimetre),
//! `lon`, `lat` in degrees (seven decimals), then every public property.
//! UTF-8, comma-separated, one row per feature, as spreadsheets and GDAL
//! read it.

use geo::Geometry;

use super::{ExportError, column_names, geometry_of, is_point_layer, value_text};
use crate::crs::Crs;
use crate::view::VisibleLayer;

/// The coordinate columns, first in every row.
const COORDINATE_COLUMNS: [&str; 4] = ["x", "y", "lon", "lat"];

/// Writes `layer` as CSV; only point layers have one.
pub fn write(layer: &VisibleLayer<'_>) -> Result<Vec<u8>, ExportError> {
    if !is_point_layer(layer) {
        return Err(ExportError::NotOffered { format: "CSV" });
    }
    let properties = layer.property_names();
    let mut writer = ::csv::Writer::from_writer(Vec::new());
    let header: Vec<String> = COORDINATE_COLUMNS
        .iter()
        .map(|c| (*c).to_owned())
        .chain(column_names(&COORDINATE_COLUMNS, &properties))
        .collect();
    writer.write_record(&header)?;
    for feature in layer.data_features() {
        let (Geometry::Point(utm), Geometry::Point(lonlat)) = (
            geometry_of(layer, Crs::Utm32, feature.index)?,
            geometry_of(layer, Crs::Crs84, feature.index)?,
        ) else {
            return Err(ExportError::NotOffered { format: "CSV" });
        };
        let mut row = vec![
            format!("{:.2}", utm.x()),
            format!("{:.2}", utm.y()),
            format!("{:.7}", lonlat.x()),
            format!("{:.7}", lonlat.y()),
        ];
        row.extend(
            properties
                .iter()
                .map(|name| feature.property(name).map(value_text).unwrap_or_default()),
        );
        writer.write_record(&row)?;
    }
    writer
        .into_inner()
        .map_err(|e| ExportError::Csv(::csv::Error::from(e.into_error())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::with_catalog;

    #[test]
    fn a_row_per_point_with_both_coordinate_pairs() {
        with_catalog(|layer| {
            let text = String::from_utf8(write(&layer).unwrap()).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            assert_eq!(lines[0], "x,y,lon,lat,name");
            assert_eq!(lines.len(), 2);
            let cells: Vec<&str> = lines[1].split(',').collect();
            let x: f64 = cells[0].parse().unwrap();
            assert!((540_000.0..560_000.0).contains(&x), "{x}");
            assert_eq!(cells[2], "9.7300000");
            assert_eq!(cells[4], "Hannover");
            assert!(!text.contains("Erika"));
        });
    }
}
