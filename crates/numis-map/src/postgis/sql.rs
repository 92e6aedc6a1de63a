//! The statements a PostGIS layer sends, built once when the layer loads.
//! Values always travel as parameters; names from `map.toml` are quoted
//! as identifiers, so a column called `"; DROP TABLE` is only a column.
//!
//! Every statement finds its rows with `geometry && envelope`, the
//! operator the table's GiST index answers; `$1`–`$4` are the envelope's
//! corners in the layer's storage CRS.

use crate::config::PostGisConfig;

/// A row's envelope's width and height in the storage CRS.
const WIDTH: &str = "(ST_XMax(numis_box) - ST_XMin(numis_box))";
const HEIGHT: &str = "(ST_YMax(numis_box) - ST_YMin(numis_box))";
/// `jsonb_build_object` takes at most 100 arguments: 50 columns.
const COLUMNS_PER_OBJECT: usize = 50;

/// `name` as an SQL identifier.
pub(crate) fn identifier(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

/// `schema.table` or `table`, each part quoted.
pub(crate) fn qualified(table: &str) -> String {
    match table.split_once('.') {
        Some((schema, name)) => format!("{}.{}", identifier(schema), identifier(name)),
        None => identifier(table),
    }
}

/// What the statements read from and how they see its geometry.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// The `FROM` item.
    from: String,
    /// The geometry column as stored: what the index covers.
    column: String,
    /// The geometry in the storage CRS.
    geometry: String,
    /// The envelope `$1`–`$4` in the column's SRID.
    envelope: String,
    /// The id, as text.
    id: String,
    /// The id column's and the geometry column's names.
    id_column: String,
    geometry_column: String,
}

impl Source {
    /// The source of `config` whose geometries have SRID `srid`, read in
    /// `storage_srid`.
    pub(crate) fn new(config: &PostGisConfig, srid: i32, storage_srid: i32) -> Self {
        let from = match (&config.table, &config.sql) {
            (Some(table), _) => qualified(table),
            (None, Some(sql)) => format!("({sql}) AS numis_source"),
            (None, None) => "numis_missing_source".into(),
        };
        let column = identifier(&config.geometry);
        let storage_envelope = format!("ST_MakeEnvelope($1, $2, $3, $4, {storage_srid})");
        let (geometry, envelope) = if srid == storage_srid {
            (column.clone(), storage_envelope)
        } else {
            (
                format!("ST_Transform({column}, {storage_srid})"),
                format!("ST_Transform({storage_envelope}, {srid})"),
            )
        };
        Self {
            from,
            geometry,
            envelope,
            id: format!("{}::text", identifier(&config.id)),
            column,
            id_column: config.id.clone(),
            geometry_column: config.geometry.clone(),
        }
    }

    /// A query for the column names and types only.
    pub(crate) fn describe(&self) -> String {
        format!("SELECT * FROM {} LIMIT 0", self.from)
    }

    /// The SRID of the first geometry.
    pub(crate) fn srid(&self) -> String {
        format!(
            "SELECT ST_SRID({c}) FROM {} WHERE {c} IS NOT NULL LIMIT 1",
            self.from,
            c = self.column
        )
    }

    /// The extent in the storage CRS: corners, or NULLs for no rows.
    pub(crate) fn extent(&self) -> String {
        format!(
            "SELECT ST_XMin(e), ST_YMin(e), ST_XMax(e), ST_YMax(e) FROM \
             (SELECT ST_Extent({}) AS e FROM {}) AS numis_extent",
            self.geometry, self.from
        )
    }

    /// The rows meeting the envelope with `columns` and their envelope in
    /// the storage CRS as `numis_box`, computed once per row (`OFFSET 0`
    /// keeps the planner from folding the subquery, and so from computing
    /// it again for every use). Only the columns named: a whole row would
    /// drag every geometry through the subquery.
    fn boxed_rows(&self, columns: &[String]) -> String {
        let mut names: Vec<&str> = Vec::new();
        for name in columns.iter().map(String::as_str) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let selected: String = names
            .iter()
            .map(|n| format!("{}, ", identifier(n)))
            .collect();
        format!(
            "(SELECT {selected}Box2D({g}) AS numis_box FROM {from} WHERE {c} && {envelope} \
             OFFSET 0) AS numis_rows",
            g = self.geometry,
            from = self.from,
            c = self.column,
            envelope = self.envelope,
        )
    }

    /// The features large enough to draw as shapes, and every point:
    /// id, properties `columns`, geometry snapped to the grid `$5`
    /// (a fraction of a pixel: fewer vertices, none the map would show).
    /// Shapes narrower and lower than `$6` are left to [`Source::marks`].
    pub(crate) fn map_features(&self, columns: &[String]) -> String {
        format!(
            "SELECT {id}, {properties}, ST_AsBinary(ST_SnapToGrid({g}, $5)) FROM {rows} \
             WHERE ({WIDTH} = 0 AND {HEIGHT} = 0) OR {WIDTH} >= $6 OR {HEIGHT} >= $6",
            id = self.id,
            properties = properties(columns),
            g = self.geometry,
            rows = self.boxed_rows(
                &[self.id_column.clone(), self.geometry_column.clone()]
                    .into_iter()
                    .chain(columns.iter().cloned())
                    .collect::<Vec<_>>()
            ),
        )
    }

    /// The shapes narrower and lower than `$6`, one row per cell of the
    /// grid `$5` (a pixel) and combination of the values of `columns` (the
    /// fields the style's filters read): the database sends at most one
    /// mark per pixel and colour, not a million tiny polygons. Within a
    /// cell the combination covering most comes last, so that it is drawn
    /// on top, as a file layer's overview draws it. The values become JSON
    /// only once grouped.
    pub(crate) fn marks(&self, columns: &[String]) -> String {
        let grouped: String = columns
            .iter()
            .map(|c| format!("{}, ", identifier(c)))
            .collect();
        format!(
            "SELECT {properties}, cx, cy, covered FROM (SELECT {grouped}\
             floor((ST_XMin(numis_box) + ST_XMax(numis_box)) / (2 * $5)) AS cx, \
             floor((ST_YMin(numis_box) + ST_YMax(numis_box)) / (2 * $5)) AS cy, \
             sum({WIDTH} * {HEIGHT}) AS covered FROM {rows} \
             WHERE {WIDTH} < $6 AND {HEIGHT} < $6 AND {WIDTH} + {HEIGHT} > 0 \
             GROUP BY {grouped}cx, cy) AS numis_cells ORDER BY cy, cx, covered",
            properties = properties(columns),
            rows = self.boxed_rows(columns),
        )
    }

    /// Every feature meeting the envelope with `columns` and its whole
    /// geometry, at most `$5`: what feature info looks through.
    pub(crate) fn area_features(&self, columns: &[String]) -> String {
        format!(
            "SELECT {id}, {properties}, ST_AsBinary({g}) FROM {from} \
             WHERE {c} && {envelope} LIMIT $5",
            id = self.id,
            properties = properties(columns),
            g = self.geometry,
            c = self.column,
            from = self.from,
            envelope = self.envelope,
        )
    }

    /// Every feature whose `name` column is not empty, with `columns`, a
    /// point on it and its envelope, in the storage CRS: what the search
    /// indexes.
    pub(crate) fn named_features(&self, name: &str, columns: &[String]) -> String {
        format!(
            "SELECT {id}, {properties}, ST_AsBinary(ST_PointOnSurface({g})), \
             ST_XMin({g}), ST_YMin({g}), ST_XMax({g}), ST_YMax({g}), ST_Dimension({g}) \
             FROM {from} WHERE {c} IS NOT NULL AND NOT ST_IsEmpty({c}) \
             AND coalesce({name}::text, '') <> ''",
            id = self.id,
            properties = properties(columns),
            g = self.geometry,
            c = self.column,
            from = self.from,
            name = identifier(name),
        )
    }
}

/// `columns` as one JSON object, as text (`'{}'` for none).
fn properties(columns: &[String]) -> String {
    if columns.is_empty() {
        return "'{}'".into();
    }
    let objects: Vec<String> = columns
        .chunks(COLUMNS_PER_OBJECT)
        .map(|chunk| {
            let pairs: Vec<String> = chunk
                .iter()
                .map(|c| format!("'{}', {}", c.replace('\'', "''"), identifier(c)))
                .collect();
            format!("jsonb_build_object({})", pairs.join(", "))
        })
        .collect();
    format!("({})::text", objects.join(" || "))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(toml_text: &str) -> PostGisConfig {
        toml::from_str(toml_text).unwrap()
    }

    #[test]
    fn names_are_quoted_and_cannot_end_the_statement() {
        assert_eq!(identifier("kind"), "\"kind\"");
        assert_eq!(
            identifier("a\"; DROP TABLE x; --"),
            "\"a\"\"; DROP TABLE x; --\""
        );
        assert_eq!(qualified("public.gebaeude"), "\"public\".\"gebaeude\"");
        let sql = properties(&["it's".into()]);
        assert_eq!(sql, "(jsonb_build_object('it''s', \"it's\"))::text");
    }

    #[test]
    fn a_table_in_the_storage_crs_is_searched_through_its_own_column() {
        let source = Source::new(
            &config("connection = \"postgresql://x/y\"\ntable = \"public.gebaeude\""),
            25832,
            25832,
        );
        let sql = source.map_features(&["kind".into()]);
        assert!(
            sql.contains("WHERE \"geom\" && ST_MakeEnvelope($1, $2, $3, $4, 25832)"),
            "{sql}"
        );
        assert!(sql.contains("FROM \"public\".\"gebaeude\""), "{sql}");
        assert!(sql.contains("ST_SnapToGrid(\"geom\", $5)"), "{sql}");
        let marks = source.marks(&["kind".into()]);
        assert!(marks.contains("GROUP BY \"kind\", cx, cy"), "{marks}");
        assert!(source.marks(&[]).contains("GROUP BY cx, cy"));
    }

    #[test]
    fn another_crs_is_transformed_but_the_index_still_answers() {
        let source = Source::new(
            &config(
                "connection = \"postgresql://x/y\"\nsql = \"SELECT * FROM t\"\ngeometry = \"shape\"",
            ),
            3035,
            4326,
        );
        let sql = source.area_features(&[]);
        // The envelope goes to the column's SRID, not the column to the
        // envelope's: `&&` on the bare column uses the index.
        assert!(
            sql.contains(
                "WHERE \"shape\" && ST_Transform(ST_MakeEnvelope($1, $2, $3, $4, 4326), 3035)"
            ),
            "{sql}"
        );
        assert!(
            sql.contains("ST_AsBinary(ST_Transform(\"shape\", 4326))"),
            "{sql}"
        );
        assert!(
            sql.contains("FROM (SELECT * FROM t) AS numis_source"),
            "{sql}"
        );
    }

    #[test]
    fn many_columns_are_split_over_several_objects() {
        let columns: Vec<String> = (0..120).map(|i| format!("c{i}")).collect();
        let sql = properties(&columns);
        assert_eq!(sql.matches("jsonb_build_object(").count(), 3);
        assert!(sql.contains("'c119', \"c119\""));
    }
}
