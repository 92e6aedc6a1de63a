//! A GeoPackage (OGC 12-128r15, version 1.2) with one feature table in
//! EPSG:25832: the `GPKG` application id, the required tables
//! (`gpkg_spatial_ref_sys` with its three required rows and EPSG:25832,
//! `gpkg_contents` with the extent, `gpkg_geometry_columns`), geometry
//! blobs of the standard `GP` header with envelope followed by
//! little-endian WKB, and the R-tree spatial index extension with the
//! triggers the specification gives, so that GIS software can both read
//! and edit the file.
//!
//! SQLite writes to a file of its own in a temporary folder; the bytes are
//! read back and the folder removed.

use geo::{BoundingRect, Geometry, MultiLineString, MultiPoint, MultiPolygon};
use rusqlite::types::Value as SqlValue;
use rusqlite::{Connection, params_from_iter};
use serde_json::Value;

use super::{ExportError, column_names, geometry_of};
use crate::crs::Crs;
use crate::view::VisibleLayer;

/// `GPKG` as a 32-bit integer (the file's SQLite application id).
const APPLICATION_ID: i32 = 0x4750_4B47;
/// GeoPackage 1.2.
const USER_VERSION: i32 = 10200;
/// The CRS of the feature table.
const SRS_ID: i32 = 25832;
/// The primary key and geometry columns of the feature table.
const FID: &str = "fid";
const GEOMETRY_COLUMN: &str = "geom";

/// EPSG:25832 as OGC WKT (the form GeoPackage 1.2 expects).
const WKT_25832: &str = r#"PROJCS["ETRS89 / UTM zone 32N",GEOGCS["ETRS89",DATUM["European_Terrestrial_Reference_System_1989",SPHEROID["GRS 1980",6378137,298.257222101,AUTHORITY["EPSG","7019"]],TOWGS84[0,0,0,0,0,0,0],AUTHORITY["EPSG","6258"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AUTHORITY["EPSG","4258"]],PROJECTION["Transverse_Mercator"],PARAMETER["latitude_of_origin",0],PARAMETER["central_meridian",9],PARAMETER["scale_factor",0.9996],PARAMETER["false_easting",500000],PARAMETER["false_northing",0],UNIT["metre",1,AUTHORITY["EPSG","9001"]],AXIS["Easting",EAST],AXIS["Northing",NORTH],AUTHORITY["EPSG","25832"]]"#;
/// EPSG:4326, a row every GeoPackage has.
const WKT_4326: &str = r#"GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]"#;

/// The tables every GeoPackage has (requirements 10, 13, 21 and the
/// extensions table of 58), and the SRS rows required (11).
const CORE_TABLES: &str = r"
CREATE TABLE gpkg_spatial_ref_sys (
  srs_name TEXT NOT NULL,
  srs_id INTEGER PRIMARY KEY,
  organization TEXT NOT NULL,
  organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL,
  description TEXT
);
CREATE TABLE gpkg_contents (
  table_name TEXT NOT NULL PRIMARY KEY,
  data_type TEXT NOT NULL,
  identifier TEXT UNIQUE,
  description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE,
  min_y DOUBLE,
  max_x DOUBLE,
  max_y DOUBLE,
  srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id)
);
CREATE TABLE gpkg_geometry_columns (
  table_name TEXT NOT NULL,
  column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL,
  srs_id INTEGER NOT NULL,
  z TINYINT NOT NULL,
  m TINYINT NOT NULL,
  CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id)
);
CREATE TABLE gpkg_extensions (
  table_name TEXT,
  column_name TEXT,
  extension_name TEXT NOT NULL,
  definition TEXT NOT NULL,
  scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name)
);
";

/// Writes `layer` as a GeoPackage and returns the file's bytes.
pub fn write(layer: &VisibleLayer<'_>) -> Result<Vec<u8>, ExportError> {
    let dir = tempfile::tempdir()?;
    let path = dir.path().join("layer.gpkg");
    {
        let mut db = Connection::open(&path)?;
        // A file that only exists until it is read back needs no journal.
        db.execute_batch(&format!(
            "PRAGMA application_id = {APPLICATION_ID}; PRAGMA user_version = {USER_VERSION}; \
             PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"
        ))?;
        let tx = db.transaction()?;
        tx.execute_batch(CORE_TABLES)?;
        insert_srs(&tx)?;
        write_features(&tx, layer)?;
        tx.commit()?;
        db.close().map_err(|(_, e)| e)?;
    }
    Ok(std::fs::read(&path)?)
}

fn insert_srs(db: &Connection) -> Result<(), ExportError> {
    let rows: [(&str, i32, &str, i32, &str, &str); 4] = [
        (
            "Undefined cartesian SRS",
            -1,
            "NONE",
            -1,
            "undefined",
            "undefined cartesian coordinate reference system",
        ),
        (
            "Undefined geographic SRS",
            0,
            "NONE",
            0,
            "undefined",
            "undefined geographic coordinate reference system",
        ),
        (
            "WGS 84 geodetic",
            4326,
            "EPSG",
            4326,
            WKT_4326,
            "longitude/latitude coordinates in decimal degrees on the WGS 84 spheroid",
        ),
        (
            "ETRS89 / UTM zone 32N",
            SRS_ID,
            "EPSG",
            SRS_ID,
            WKT_25832,
            "ETRS89 / UTM zone 32N, the CRS of German official maps",
        ),
    ];
    let mut insert = db.prepare(
        "INSERT INTO gpkg_spatial_ref_sys (srs_name, srs_id, organization, organization_coordsys_id, definition, description) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for row in rows {
        insert.execute(rusqlite::params![row.0, row.1, row.2, row.3, row.4, row.5])?;
    }
    Ok(())
}

/// How a property's values are stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ColumnType {
    Integer,
    Real,
    Boolean,
    Text,
}

impl ColumnType {
    fn sql(self) -> &'static str {
        match self {
            Self::Integer => "INTEGER",
            Self::Real => "REAL",
            Self::Boolean => "BOOLEAN",
            Self::Text => "TEXT",
        }
    }

    /// The narrowest type that holds both.
    fn join(self, other: Self) -> Self {
        match (self, other) {
            (a, b) if a == b => a,
            (Self::Integer, Self::Real) | (Self::Real, Self::Integer) => Self::Real,
            _ => Self::Text,
        }
    }

    fn of(value: &Value) -> Option<Self> {
        match value {
            Value::Null => None,
            Value::Bool(_) => Some(Self::Boolean),
            Value::Number(n) if n.is_i64() => Some(Self::Integer),
            Value::Number(_) => Some(Self::Real),
            _ => Some(Self::Text),
        }
    }

    fn value(self, value: Option<&Value>) -> SqlValue {
        match (self, value) {
            (_, None | Some(Value::Null)) => SqlValue::Null,
            (Self::Integer, Some(Value::Number(n))) => {
                n.as_i64().map_or(SqlValue::Null, SqlValue::Integer)
            }
            (Self::Real, Some(Value::Number(n))) => {
                n.as_f64().map_or(SqlValue::Null, SqlValue::Real)
            }
            (Self::Boolean, Some(Value::Bool(b))) => SqlValue::Integer(i64::from(*b)),
            (_, Some(other)) => SqlValue::Text(super::value_text(other)),
        }
    }
}

/// The geometry type the table declares: one type for all, promoted to
/// its multi form when single and multi mix, else GEOMETRY.
fn table_geometry_type(geometries: &[Geometry<f64>]) -> &'static str {
    let name = |g: &Geometry<f64>| match g {
        Geometry::Point(_) => "POINT",
        Geometry::MultiPoint(_) => "MULTIPOINT",
        Geometry::LineString(_) | Geometry::Line(_) => "LINESTRING",
        Geometry::MultiLineString(_) => "MULTILINESTRING",
        Geometry::Polygon(_) | Geometry::Rect(_) | Geometry::Triangle(_) => "POLYGON",
        Geometry::MultiPolygon(_) => "MULTIPOLYGON",
        Geometry::GeometryCollection(_) => "GEOMETRYCOLLECTION",
    };
    let mut names: Vec<&'static str> = geometries.iter().map(name).collect();
    names.sort_unstable();
    names.dedup();
    match names.as_slice() {
        [one] => one,
        ["MULTIPOINT", "POINT"] => "MULTIPOINT",
        ["LINESTRING", "MULTILINESTRING"] => "MULTILINESTRING",
        ["MULTIPOLYGON", "POLYGON"] => "MULTIPOLYGON",
        _ => "GEOMETRY",
    }
}

/// `geometry` as the table's type asks: single parts wrapped into their
/// multi form where the table is a multi type.
fn as_table_type(geometry: &Geometry<f64>, table_type: &str) -> Geometry<f64> {
    match (table_type, geometry) {
        ("MULTIPOINT", Geometry::Point(p)) => Geometry::MultiPoint(MultiPoint(vec![*p])),
        ("MULTILINESTRING", Geometry::LineString(l)) => {
            Geometry::MultiLineString(MultiLineString(vec![l.clone()]))
        }
        ("MULTIPOLYGON", Geometry::Polygon(p)) => {
            Geometry::MultiPolygon(MultiPolygon(vec![p.clone()]))
        }
        _ => geometry.clone(),
    }
}

/// A GeoPackage geometry blob: `GP`, version 0, flags (little-endian,
/// envelope `[minx, maxx, miny, maxy]`), the SRS id, the envelope, WKB.
fn geometry_blob(geometry: &Geometry<f64>) -> Result<Vec<u8>, ExportError> {
    let mut blob = Vec::with_capacity(64);
    blob.extend_from_slice(b"GP");
    blob.push(0);
    let envelope = geometry.bounding_rect();
    // Bit 0: little-endian; bits 1–3: envelope code 1 (x and y), or 0
    // without one; bit 4: empty geometry.
    let flags = match envelope {
        Some(_) => 0b0000_0011,
        None => 0b0001_0001,
    };
    blob.push(flags);
    blob.extend_from_slice(&SRS_ID.to_le_bytes());
    if let Some(e) = envelope {
        for v in [e.min().x, e.max().x, e.min().y, e.max().y] {
            blob.extend_from_slice(&v.to_le_bytes());
        }
    }
    let options = wkb::writer::WriteOptions {
        endianness: wkb::Endianness::LittleEndian,
    };
    wkb::writer::write_geometry(&mut blob, geometry, &options)
        .map_err(|e| ExportError::Wkb(e.to_string()))?;
    Ok(blob)
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

fn write_features(db: &Connection, layer: &VisibleLayer<'_>) -> Result<(), ExportError> {
    // Table names starting with `gpkg_` are reserved for the standard.
    let table = if layer.id().to_ascii_lowercase().starts_with("gpkg_") {
        format!("layer_{}", layer.id())
    } else {
        layer.id().to_owned()
    };
    let properties = layer.property_names();
    let columns = column_names(&[FID, GEOMETRY_COLUMN], &properties);
    let mut types: Vec<Option<ColumnType>> = vec![None; properties.len()];
    let mut geometries = Vec::with_capacity(layer.feature_count());
    for feature in layer.data_features() {
        geometries.push(geometry_of(layer, Crs::Utm32, feature.index)?);
        for (slot, name) in types.iter_mut().zip(&properties) {
            if let Some(kind) = feature.property(name).and_then(ColumnType::of) {
                *slot = Some(slot.map_or(kind, |t| t.join(kind)));
            }
        }
    }
    let types: Vec<ColumnType> = types
        .into_iter()
        .map(|t| t.unwrap_or(ColumnType::Text))
        .collect();
    let geometry_type = table_geometry_type(&geometries);
    let mut definition = format!(
        "CREATE TABLE {} ({FID} INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, {GEOMETRY_COLUMN} {geometry_type}",
        quoted(&table)
    );
    for (name, kind) in columns.iter().zip(&types) {
        definition.push_str(&format!(", {} {}", quoted(name), kind.sql()));
    }
    definition.push(')');
    db.execute_batch(&definition)?;

    let extent = layer.extent(Crs::Utm32);
    db.execute(
        "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, min_x, min_y, max_x, max_y, srs_id) VALUES (?1, 'features', ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        rusqlite::params![
            table,
            layer.id(),
            layer.title().get("de"),
            extent.map(|e| e.min().x),
            extent.map(|e| e.min().y),
            extent.map(|e| e.max().x),
            extent.map(|e| e.max().y),
            SRS_ID
        ],
    )?;
    db.execute(
        "INSERT INTO gpkg_geometry_columns (table_name, column_name, geometry_type_name, srs_id, z, m) VALUES (?1, ?2, ?3, ?4, 0, 0)",
        rusqlite::params![table, GEOMETRY_COLUMN, geometry_type, SRS_ID],
    )?;

    let rtree = quoted(&format!("rtree_{table}_{GEOMETRY_COLUMN}"));
    db.execute_batch(&format!(
        "CREATE VIRTUAL TABLE {rtree} USING rtree(id, minx, maxx, miny, maxy)"
    ))?;
    let placeholders: Vec<String> = (1..=columns.len() + 2).map(|i| format!("?{i}")).collect();
    let mut insert = db.prepare(&format!(
        "INSERT INTO {} ({FID}, {GEOMETRY_COLUMN}{}) VALUES ({})",
        quoted(&table),
        columns
            .iter()
            .map(|c| format!(", {}", quoted(c)))
            .collect::<String>(),
        placeholders.join(", ")
    ))?;
    let mut index = db.prepare(&format!("INSERT INTO {rtree} VALUES (?1, ?2, ?3, ?4, ?5)"))?;
    for (row, feature) in layer.data_features().enumerate() {
        let fid = i64::try_from(row + 1).unwrap_or(i64::MAX);
        let geometry = as_table_type(&geometries[row], geometry_type);
        let mut values = vec![
            SqlValue::Integer(fid),
            SqlValue::Blob(geometry_blob(&geometry)?),
        ];
        values.extend(
            properties
                .iter()
                .zip(&types)
                .map(|(name, kind)| kind.value(feature.property(name))),
        );
        insert.execute(params_from_iter(values))?;
        if let Some(e) = geometry.bounding_rect() {
            index.execute(rusqlite::params![
                fid,
                e.min().x,
                e.max().x,
                e.min().y,
                e.max().y
            ])?;
        }
    }
    db.execute(
        "INSERT INTO gpkg_extensions (table_name, column_name, extension_name, definition, scope) VALUES (?1, ?2, 'gpkg_rtree_index', 'http://www.geopackage.org/spec120/#extension_rtree', 'write-only')",
        rusqlite::params![table, GEOMETRY_COLUMN],
    )?;
    // The triggers keep the index right when someone edits the file. They
    // call functions GIS software provides (ST_IsEmpty …), so they are
    // created last: the rows above were indexed by hand.
    db.execute_batch(&rtree_triggers(&table))?;
    Ok(())
}

/// The R-tree triggers of GeoPackage 1.2, annex F.3.
fn rtree_triggers(table: &str) -> String {
    let t = quoted(table);
    let c = quoted(GEOMETRY_COLUMN);
    let i = quoted(FID);
    let r = quoted(&format!("rtree_{table}_{GEOMETRY_COLUMN}"));
    let name = |suffix: &str| quoted(&format!("rtree_{table}_{GEOMETRY_COLUMN}_{suffix}"));
    let upsert = format!(
        "INSERT OR REPLACE INTO {r} VALUES (NEW.{i}, ST_MinX(NEW.{c}), ST_MaxX(NEW.{c}), ST_MinY(NEW.{c}), ST_MaxY(NEW.{c}));"
    );
    [
        format!(
            "CREATE TRIGGER {} AFTER INSERT ON {t} WHEN (new.{c} NOT NULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN {upsert} END;",
            name("insert")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN {upsert} END;",
            name("update1")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE OF {c} ON {t} WHEN OLD.{i} = NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;",
            name("update2")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} NOTNULL AND NOT ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id = OLD.{i}; {upsert} END;",
            name("update3")
        ),
        format!(
            "CREATE TRIGGER {} AFTER UPDATE ON {t} WHEN OLD.{i} != NEW.{i} AND (NEW.{c} ISNULL OR ST_IsEmpty(NEW.{c})) BEGIN DELETE FROM {r} WHERE id IN (OLD.{i}, NEW.{i}); END;",
            name("update4")
        ),
        format!(
            "CREATE TRIGGER {} AFTER DELETE ON {t} WHEN old.{c} NOT NULL BEGIN DELETE FROM {r} WHERE id = OLD.{i}; END;",
            name("delete")
        ),
    ]
    .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::tests::with_catalog;

    #[test]
    fn the_file_is_a_geopackage_in_utm_that_the_reader_reads_back() {
        with_catalog(|layer| {
            let bytes = write(&layer).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("back.gpkg");
            std::fs::write(&path, &bytes).unwrap();
            let db = Connection::open(&path).unwrap();
            let app: i32 = db
                .query_row("PRAGMA application_id", [], |r| r.get(0))
                .unwrap();
            assert_eq!(app, APPLICATION_ID);
            let (kind, srs): (String, i32) = db
                .query_row(
                    "SELECT geometry_type_name, srs_id FROM gpkg_geometry_columns WHERE table_name = 'orte'",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .unwrap();
            assert_eq!((kind.as_str(), srs), ("POINT", 25832));
            let indexed: i64 = db
                .query_row("SELECT count(*) FROM rtree_orte_geom", [], |r| r.get(0))
                .unwrap();
            assert_eq!(indexed, 1);
            let (features, geometries) = crate::gpkg::read(&path, None).unwrap();
            assert_eq!(features.len(), 1);
            assert_eq!(features[0].properties["name"], "Hannover");
            assert!(!features[0].properties.contains_key("owner"));
            let Geometry::Point(p) = geometries[0] else {
                panic!("a point");
            };
            assert!((p.x() - 9.73).abs() < 1e-6 && (p.y() - 52.37).abs() < 1e-6);
        });
    }

    #[test]
    fn mixed_single_and_multi_parts_make_a_multi_table() {
        use geo::line_string;
        let point = Geometry::Point(geo::point!(x: 1.0, y: 2.0));
        let multi = Geometry::MultiPoint(MultiPoint(vec![geo::point!(x: 1.0, y: 2.0)]));
        assert_eq!(table_geometry_type(&[point.clone(), multi]), "MULTIPOINT");
        assert_eq!(table_geometry_type(std::slice::from_ref(&point)), "POINT");
        let line = Geometry::LineString(line_string![(x: 0., y: 0.), (x: 1., y: 1.)]);
        assert_eq!(table_geometry_type(&[point.clone(), line]), "GEOMETRY");
        assert!(matches!(
            as_table_type(&point, "MULTIPOINT"),
            Geometry::MultiPoint(_)
        ));
    }
}
