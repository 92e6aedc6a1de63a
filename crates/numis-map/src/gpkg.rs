//! Reading a feature table of a GeoPackage (OGC 12-128r18): the SQLite
//! tables `gpkg_contents`, `gpkg_geometry_columns`, `gpkg_spatial_ref_sys`,
//! and geometry blobs with the `GP` header followed by WKB.
//!
//! Rows are read one at a time in the table's own CRS, known by its EPSG
//! code when the file names one, else from the WKT definition the file
//! carries; [`Table::to_lonlat`] transforms them.

use std::borrow::Cow;
use std::path::Path;
use std::sync::LazyLock;

use geo::{Geometry, MapCoords};
use geo_traits::to_geo::ToGeoGeometry;
use proj4rs::Proj;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags};
use serde_json::Value;

use crate::data::FeatureData;

/// Features and their geometries in longitude/latitude.
pub type Features = (Vec<FeatureData>, Vec<Geometry<f64>>);

/// One row of a feature table: its id, its properties and its geometry in
/// the table's own CRS.
#[derive(Debug)]
pub struct Row<'a> {
    /// The `fid` (or the row's number when the table has none).
    pub id: String,
    /// Column names and values, the geometry column left out.
    pub properties: Vec<(Cow<'a, str>, Value)>,
    /// The geometry, in the table's CRS.
    pub geometry: Geometry<f64>,
}

/// A feature table, open for reading.
pub struct Table {
    db: Connection,
    name: String,
    column: String,
    source: Proj,
    epsg: Option<u16>,
}

/// Opens table `table` (or the file's only feature table) of a GeoPackage.
pub fn open(path: &Path, table: Option<&str>) -> Result<Table, String> {
    let db = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(|e| format!("cannot open as SQLite: {e}"))?;
    let tables = feature_tables(&db)?;
    let name = match (table, tables.as_slice()) {
        (Some(wanted), _) if tables.iter().any(|t| t == wanted) => wanted.to_owned(),
        (Some(wanted), _) => {
            return Err(format!(
                "no feature table {wanted:?}; the file has {tables:?}"
            ));
        }
        (None, [only]) => only.clone(),
        (None, []) => return Err("the GeoPackage has no feature table".into()),
        (None, many) => {
            return Err(format!(
                "several feature tables {many:?}: name one with `layer`"
            ));
        }
    };
    let (column, srs_id): (String, i64) = db
        .query_row(
            "SELECT column_name, srs_id FROM gpkg_geometry_columns WHERE table_name = ?1",
            [&name],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .map_err(|e| format!("table {name:?} has no entry in gpkg_geometry_columns: {e}"))?;
    let (source, epsg) = projection(&db, srs_id)?;
    Ok(Table {
        db,
        name,
        column,
        source,
        epsg,
    })
}

/// Reads table `table` (or the file's only feature table) of a GeoPackage
/// whole, in longitude/latitude. Rows with NULL or empty geometry are
/// skipped; anything else that is not a valid GeoPackage geometry is an
/// error naming the row.
pub fn read(path: &Path, table: Option<&str>) -> Result<Features, String> {
    let table = open(path, table)?;
    let (mut features, mut geometries) = (Vec::new(), Vec::new());
    table.rows(|row| {
        let geometry = table.to_lonlat(&row.geometry)?;
        features.push(FeatureData {
            id: row.id,
            properties: row
                .properties
                .into_iter()
                .map(|(n, v)| (n.into_owned(), v))
                .collect(),
        });
        geometries.push(geometry);
        Ok(())
    })?;
    Ok((features, geometries))
}

impl Table {
    /// The table's EPSG code, when the file names one.
    pub fn epsg(&self) -> Option<u16> {
        self.epsg
    }

    fn point_to_lonlat(&self, x: f64, y: f64) -> Result<(f64, f64), String> {
        let target = LONLAT.as_ref().ok_or("no longitude/latitude projection")?;
        let mut point = if self.source.is_latlong() {
            (x.to_radians(), y.to_radians(), 0.0)
        } else {
            (x, y, 0.0)
        };
        proj4rs::transform::transform(&self.source, target, &mut point)
            .map_err(|e| e.to_string())?;
        Ok((point.0.to_degrees(), point.1.to_degrees()))
    }

    /// `geometry` (in the table's CRS) in longitude/latitude.
    pub fn to_lonlat(&self, geometry: &Geometry<f64>) -> Result<Geometry<f64>, String> {
        geometry.try_map_coords(|c| {
            let (x, y) = self.point_to_lonlat(c.x, c.y)?;
            Ok::<_, String>(geo::coord! { x: x, y: y })
        })
    }

    /// Calls `each` with every row, in table order. Rows with NULL or empty
    /// geometry are skipped; anything else that is not a valid GeoPackage
    /// geometry is an error naming the row.
    pub fn rows(&self, mut each: impl FnMut(Row<'_>) -> Result<(), String>) -> Result<(), String> {
        let table = &self.name;
        let mut statement = self
            .db
            .prepare(&format!("SELECT * FROM \"{}\"", table.replace('"', "\"\"")))
            .map_err(|e| format!("cannot read table {table:?}: {e}"))?;
        let names: Vec<String> = statement
            .column_names()
            .into_iter()
            .map(str::to_owned)
            .collect();
        let geometry_index = names
            .iter()
            .position(|n| n.eq_ignore_ascii_case(&self.column))
            .ok_or_else(|| format!("geometry column {:?} missing in {table:?}", self.column))?;
        let mut rows = statement.query([]).map_err(|e| e.to_string())?;
        let mut row_number = 0usize;
        while let Some(row) = rows
            .next()
            .map_err(|e| format!("row {}: {e}", row_number + 1))?
        {
            row_number += 1;
            let blob = match row.get_ref(geometry_index).map_err(|e| e.to_string())? {
                ValueRef::Blob(blob) => blob,
                ValueRef::Null => continue,
                other => {
                    return Err(format!(
                        "row {row_number}: geometry is {:?}, not a blob",
                        other.data_type()
                    ));
                }
            };
            let Some(geometry) = decode(blob).map_err(|e| format!("row {row_number}: {e}"))? else {
                continue;
            };
            let mut properties = Vec::with_capacity(names.len());
            let mut id = row_number.to_string();
            for (i, name) in names.iter().enumerate() {
                if i == geometry_index {
                    continue;
                }
                let value = match row.get_ref(i).map_err(|e| e.to_string())? {
                    ValueRef::Null => Value::Null,
                    ValueRef::Integer(n) => Value::from(n),
                    ValueRef::Real(x) => {
                        serde_json::Number::from_f64(x).map_or(Value::Null, Value::Number)
                    }
                    ValueRef::Text(t) => Value::String(String::from_utf8_lossy(t).into_owned()),
                    ValueRef::Blob(_) => continue,
                };
                if i == 0 && name.eq_ignore_ascii_case("fid") {
                    id = value.to_string();
                }
                properties.push((Cow::Borrowed(name.as_str()), value));
            }
            each(Row {
                id,
                properties,
                geometry,
            })
            .map_err(|e| format!("row {row_number}: {e}"))?;
        }
        Ok(())
    }
}

static LONLAT: LazyLock<Option<Proj>> =
    LazyLock::new(|| Proj::from_proj_string("+proj=longlat +datum=WGS84 +no_defs").ok());

fn feature_tables(db: &Connection) -> Result<Vec<String>, String> {
    let mut statement = db
        .prepare(
            "SELECT table_name FROM gpkg_contents WHERE data_type = 'features' ORDER BY table_name",
        )
        .map_err(|e| format!("not a GeoPackage (gpkg_contents: {e})"))?;
    let tables = statement
        .query_map([], |row| row.get::<_, String>(0))
        .and_then(Iterator::collect::<Result<Vec<_>, _>>)
        .map_err(|e| format!("not a GeoPackage (gpkg_contents: {e})"))?;
    Ok(tables)
}

/// The projection of `srs_id`: from its EPSG code, else from its WKT;
/// with the EPSG code when the file names one.
fn projection(db: &Connection, srs_id: i64) -> Result<(Proj, Option<u16>), String> {
    let (organization, code, definition): (String, i64, String) = db
        .query_row(
            "SELECT organization, organization_coordsys_id, definition FROM gpkg_spatial_ref_sys WHERE srs_id = ?1",
            [srs_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)),
        )
        .map_err(|e| format!("srs_id {srs_id} missing in gpkg_spatial_ref_sys: {e}"))?;
    if organization.eq_ignore_ascii_case("EPSG")
        && let Ok(code) = u16::try_from(code)
        && let Ok(proj) = Proj::from_epsg_code(code)
    {
        return Ok((proj, Some(code)));
    }
    let proj_string = proj4wkt::wkt_to_projstring(&definition).map_err(|e| {
        format!("srs_id {srs_id} ({organization}:{code}): cannot read its definition: {e}")
    })?;
    Proj::from_proj_string(&proj_string)
        .map(|proj| (proj, None))
        .map_err(|e| format!("srs_id {srs_id} ({organization}:{code}): {e}"))
}

/// A GeoPackage geometry blob: `GP`, version, flags, srs id, optional
/// envelope, then WKB. `Ok(None)` for the empty geometry.
fn decode(blob: &[u8]) -> Result<Option<Geometry<f64>>, String> {
    if blob.len() < 8 || &blob[..2] != b"GP" {
        let start: Vec<String> = blob.iter().take(2).map(|b| format!("{b:02x}")).collect();
        return Err(format!(
            "geometry is not a GeoPackage binary (starts with {}, not the 'GP' header)",
            start.join(" ")
        ));
    }
    let flags = blob[3];
    if flags & 0b0010_0000 != 0 {
        return Err("extended GeoPackage geometries are not supported".into());
    }
    let empty = flags & 0b0001_0000 != 0;
    let envelope_len = match (flags >> 1) & 0b111 {
        0 => 0,
        1 => 32,
        2 | 3 => 48,
        4 => 64,
        other => return Err(format!("invalid envelope code {other}")),
    };
    if empty {
        return Ok(None);
    }
    let wkb_start = 8 + envelope_len;
    let wkb = blob
        .get(wkb_start..)
        .ok_or("geometry blob ends inside its header")?;
    let parsed = wkb::reader::read_wkb(wkb).map_err(|e| format!("invalid WKB: {e}"))?;
    Ok(parsed.try_to_geometry())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn corpus(name: &str) -> Option<std::path::PathBuf> {
        let shared = std::env::var_os("NUMIS_TEST_SHARED_DIR")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared"));
        let path = shared.join("corpus/gpkg").join(name);
        if path.exists() {
            return Some(path);
        }
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "corpus file missing in CI: {}",
            path.display()
        );
        eprintln!(
            "SKIPPED: {} not found (set NUMIS_TEST_SHARED_DIR)",
            path.display()
        );
        None
    }

    fn lonlat_of_first(features: &Features) -> (f64, f64) {
        use geo::Centroid;
        let c = features.1[0].centroid().unwrap();
        (c.x(), c.y())
    }

    #[test]
    fn etrs89_utm32_tiles_of_bremen_land_in_bremen() {
        let Some(path) = corpus("mundialis_bremen_dgm1_tileindex_25832.gpkg") else {
            return;
        };
        let features = read(&path, None).unwrap();
        assert_eq!(features.0.len(), 583);
        let (lon, lat) = lonlat_of_first(&features);
        assert!(
            (8.4..9.1).contains(&lon) && (52.9..53.7).contains(&lat),
            "{lon} {lat}"
        );
        assert!(features.0[0].properties.contains_key("location"));
    }

    #[test]
    fn a_crs_known_only_by_its_definition_is_read_from_the_file() {
        let Some(path) = corpus("mapserver_popplace_3978.gpkg") else {
            return;
        };
        let features = read(&path, None).unwrap();
        assert_eq!(features.0.len(), 28);
        let (lon, lat) = lonlat_of_first(&features);
        assert!(
            (-141.0..-52.0).contains(&lon) && (41.0..84.0).contains(&lat),
            "Canada: {lon} {lat}"
        );
    }

    #[test]
    fn null_and_empty_geometries_are_skipped() {
        let Some(path) = corpus("pdok_empty_point_geometries_28992.gpkg") else {
            return;
        };
        assert_eq!(read(&path, None).unwrap().0.len(), 0);
        let Some(path) = corpus("pdok_null_geometries_28992.gpkg") else {
            return;
        };
        assert_eq!(read(&path, None).unwrap().0.len(), 0);
    }

    #[test]
    fn broken_files_say_what_is_wrong() {
        let Some(path) = corpus("pdok_broken_no_contents.gpkg") else {
            return;
        };
        assert!(read(&path, None).unwrap_err().contains("gpkg_contents"));
        let Some(path) = corpus("pdok_spatialite_blob_28992.gpkg") else {
            return;
        };
        let error = read(&path, None).unwrap_err();
        assert!(
            error.contains("row 1") && error.contains("'GP' header"),
            "{error}"
        );
        let Some(path) = corpus("inspire_addresses_template_25832.gpkg") else {
            return;
        };
        assert!(
            read(&path, None)
                .unwrap_err()
                .contains("several feature tables")
        );
        assert!(
            read(&path, Some("nothing"))
                .unwrap_err()
                .contains("no feature table")
        );
    }

    #[test]
    fn the_field_types_of_a_row_become_properties() {
        let Some(path) = corpus("mapserver_field_types_4326.gpkg") else {
            return;
        };
        let features = read(&path, None).unwrap();
        assert_eq!(features.0.len(), 1);
        assert!(
            features.0[0].properties.len() >= 5,
            "{:?}",
            features.0[0].properties
        );
    }
}
