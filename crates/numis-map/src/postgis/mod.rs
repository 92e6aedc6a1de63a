//! PostGIS as a layer source. Nothing of the table is held in memory: each
//! map asks the database for what it shows, through the table's spatial
//! index, and gets shapes snapped to a quarter pixel and — for shapes
//! smaller than a pixel — one mark per pixel and colour, aggregated in the
//! database. Feature info asks for the few features around the click; the
//! search indexes the named features once per load.
//!
//! The engine is synchronous; the database client is not. A [`Bridge`]
//! runs the client on a thread of its own, one per catalogue, and the
//! layers of a catalogue that name the same database share one pool of
//! connections. Statements are prepared once per connection (sqlx keeps
//! them), and the database cancels any that runs longer than the layer's
//! `statement_timeout_ms`.

pub(crate) mod bridge;
pub(crate) mod sql;

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use geo::{Geometry, Rect};
use geo_traits::to_geo::ToGeoGeometry;
use serde_json::{Map, Value};
use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions, PgRow};
use sqlx::{Column, ConnectOptions, Executor, Row, TypeInfo};

use crate::config::PostGisConfig;
use crate::crs::Crs;
use crate::data::overview::Mark;
use crate::data::{Dataset, DatasetBuilder, Storage, extents_of};
use crate::style::{Filter, Style};

use bridge::Bridge;
use sql::Source;

/// Longest a layer waits for a free connection of its pool.
const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);
/// Most features one feature-info query reads: a click, not a download.
const MAX_AREA_FEATURES: i64 = 1_000;

/// The connections of one catalogue's PostGIS layers.
#[derive(Default)]
pub struct Connections {
    bridge: Option<Arc<Bridge>>,
    pools: HashMap<String, PgPool>,
}

impl Connections {
    fn bridge(&mut self) -> Result<Arc<Bridge>, String> {
        if let Some(bridge) = &self.bridge {
            return Ok(bridge.clone());
        }
        let bridge = Arc::new(Bridge::new()?);
        self.bridge = Some(bridge.clone());
        Ok(bridge)
    }

    /// The pool for `config`'s database, opened with its first layer.
    fn pool(&mut self, config: &PostGisConfig) -> Result<(Arc<Bridge>, PgPool), String> {
        self.pool_for(
            &config.connection,
            config.max_connections,
            config.statement_timeout_ms,
        )
    }

    /// The pool for the database at `connection` with these limits,
    /// opened by its first user (a layer or a layer's measurements).
    pub(crate) fn pool_for(
        &mut self,
        connection: &str,
        max_connections: u32,
        statement_timeout_ms: u64,
    ) -> Result<(Arc<Bridge>, PgPool), String> {
        let bridge = self.bridge()?;
        let key = format!("{connection}\n{max_connections}\n{statement_timeout_ms}");
        if let Some(pool) = self.pools.get(&key) {
            return Ok((bridge, pool.clone()));
        }
        // The URL may hold a password: errors never repeat it.
        let options = PgConnectOptions::from_str(connection)
            .map_err(|_| "connection is not a PostgreSQL URL (postgresql://user@host/database)")?
            .application_name("numis")
            // A small-scale map groups a few hundred thousand rows: room
            // to do it in memory. A map's query is one of many at once, so
            // parallel workers would only compete with the others.
            .options([
                ("statement_timeout", statement_timeout_ms.to_string()),
                ("work_mem", "64MB".to_owned()),
                ("max_parallel_workers_per_gather", "0".to_owned()),
            ])
            // Slow statements are the monitor's business, not one log
            // line per map.
            .disable_statement_logging();
        let max = max_connections.max(1);
        let pool = bridge.run(async move {
            PgPoolOptions::new()
                .max_connections(max)
                .acquire_timeout(ACQUIRE_TIMEOUT)
                .connect_with(options)
                .await
                .map_err(|e| format!("cannot connect to the database: {}", database_error(&e)))
        })?;
        self.pools.insert(key, pool.clone());
        Ok((bridge, pool))
    }
}

/// A layer's PostGIS table or query.
pub struct PostGis {
    bridge: Arc<Bridge>,
    pool: PgPool,
    source: Source,
    storage: Storage,
    /// What maps read of each feature: the fields of the style's filters
    /// and labels.
    map_columns: Vec<String>,
    /// What marks are told apart by: the fields of the style's filters.
    filter_columns: Vec<String>,
    /// Every column but geometries and personal fields: what feature info
    /// and the search may read. Personal fields are never even fetched.
    public_columns: Vec<String>,
    /// The data's extent in each CRS numis offers.
    extents: HashMap<Crs, Rect<f64>>,
}

impl std::fmt::Debug for PostGis {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostGis")
            .field("storage", &self.storage)
            .field("public_columns", &self.public_columns)
            .finish_non_exhaustive()
    }
}

/// What one map needs of a PostGIS layer.
#[derive(Debug)]
pub struct Fetched {
    /// The features drawn as shapes (and points).
    pub data: Dataset,
    /// One mark per pixel and filter combination for the shapes smaller
    /// than the layer's `min_pixel_size`.
    pub marks: Vec<Mark>,
}

/// A feature the search indexes.
#[derive(Debug)]
pub struct Named {
    /// Its id.
    pub id: String,
    /// Its public properties.
    pub properties: Map<String, Value>,
    /// A point on it, storage CRS.
    pub at: Option<(f64, f64)>,
    /// Its envelope, storage CRS.
    pub envelope: [f64; 4],
    /// 0 for points.
    pub dimension: i32,
}

impl PostGis {
    /// Connects the layer whose source is `config`, drawn with `style`,
    /// with `personal` fields never read: checks that the table, its id
    /// and geometry columns exist, finds the geometries' CRS and the
    /// extent. The error says what is wrong, without the password.
    pub fn connect(
        config: &PostGisConfig,
        style: &Style,
        personal: &[String],
        connections: &mut Connections,
    ) -> Result<Self, String> {
        if config.table.is_some() == config.sql.is_some() {
            return Err("a PostGIS source needs either table or sql".into());
        }
        let (bridge, pool) = connections.pool(config)?;
        let probe = Source::new(config, 0, 0);
        let described = {
            let pool = pool.clone();
            let sql = probe.describe();
            bridge.run(async move {
                let described = pool.describe(&sql).await.map_err(|e| database_error(&e))?;
                Ok(described
                    .columns()
                    .iter()
                    .map(|c| (c.name().to_owned(), c.type_info().name().to_owned()))
                    .collect::<Vec<(String, String)>>())
            })?
        };
        let type_of = |name: &str| {
            described
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, t)| t.to_ascii_lowercase())
        };
        match type_of(&config.geometry).as_deref() {
            Some("geometry") => {}
            Some(other) => {
                return Err(format!(
                    "geometry column {:?} is of type {other}, not geometry",
                    config.geometry
                ));
            }
            None => return Err(format!("no geometry column {:?}", config.geometry)),
        }
        if type_of(&config.id).is_none() {
            return Err(format!("no id column {:?}", config.id));
        }
        let srid: Option<i32> = {
            let pool = pool.clone();
            let sql = probe.srid();
            bridge.run(async move {
                sqlx::query_scalar(&sql)
                    .fetch_optional(&pool)
                    .await
                    .map_err(|e| database_error(&e))
            })?
        };
        // An empty table has no SRID to read; it draws nothing in any.
        let srid = srid.unwrap_or(4326);
        if srid <= 0 {
            return Err(format!(
                "the geometries of {:?} have no SRID; set one (ST_SetSRID)",
                config.geometry
            ));
        }
        let offered = Crs::parse(&format!("EPSG:{srid}"));
        let storage = Storage::for_source(offered);
        let storage_srid = if storage.crs.is_geographic() {
            4326
        } else {
            srid
        };
        let source = Source::new(config, srid, storage_srid);
        let public_columns: Vec<String> = described
            .iter()
            .filter(|(name, kind)| {
                !kind.eq_ignore_ascii_case("geometry")
                    && !kind.eq_ignore_ascii_case("geography")
                    && !personal.contains(name)
            })
            .map(|(name, _)| name.clone())
            .collect();
        let present = |name: &String| public_columns.contains(name);
        let filter_columns: Vec<String> =
            dedup(style.rules.iter().filter_map(|r| match &r.filter {
                Filter::All => None,
                Filter::Equals(field, _) | Filter::In(field, _) | Filter::Range(field, ..) => {
                    Some(field.clone())
                }
            }))
            .into_iter()
            .filter(present)
            .collect();
        let map_columns: Vec<String> = dedup(
            filter_columns.iter().cloned().chain(
                style
                    .rules
                    .iter()
                    .filter_map(|r| r.label.as_ref().map(|l| l.field.clone())),
            ),
        )
        .into_iter()
        .filter(present)
        .collect();
        // The extent only places the layer in the capabilities: a table
        // too slow to measure is served without one.
        let extent = {
            let pool = pool.clone();
            let sql = source.extent();
            bridge
                .run(async move {
                    let row = sqlx::query(&sql)
                        .fetch_one(&pool)
                        .await
                        .map_err(|e| database_error(&e))?;
                    let corner = |i: usize| row.try_get::<Option<f64>, _>(i).ok().flatten();
                    Ok(match (corner(0), corner(1), corner(2), corner(3)) {
                        (Some(a), Some(b), Some(c), Some(d)) => Some(Rect::new(
                            geo::coord! { x: a, y: b },
                            geo::coord! { x: c, y: d },
                        )),
                        _ => None,
                    })
                })
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, "the extent of a PostGIS layer could not be read");
                    None
                })
        };
        Ok(Self {
            bridge,
            pool,
            source,
            storage,
            map_columns,
            filter_columns,
            public_columns,
            extents: extent
                .map(|e| extents_of(storage.crs, e))
                .unwrap_or_default(),
        })
    }

    /// The CRS geometries come in.
    pub fn storage(&self) -> Storage {
        self.storage
    }

    /// The data's extent in `crs`, as it was when the layer loaded.
    pub fn extent(&self, crs: Crs) -> Option<Rect<f64>> {
        self.extents.get(&crs).copied()
    }

    /// What a map of `area` (storage CRS) at `resolution` (storage units
    /// per pixel) draws with `style`: shapes of `mark` pixels and more as
    /// they are, smaller ones as one mark per pixel and colour — unless
    /// `aggregate` is off or `mark` is 0, when every shape comes as it is.
    pub fn fetch_map(
        &self,
        area: Rect<f64>,
        resolution: f64,
        mark: f32,
        aggregate: bool,
        style: &Style,
    ) -> Result<Fetched, String> {
        let aggregate = aggregate && mark > 0.0 && style.filter_mask(&Map::new()).is_some();
        let smallest = if aggregate {
            resolution * f64::from(mark.max(1.0))
        } else {
            0.0
        };
        let grid = resolution / 4.0;
        let features_sql = self.source.map_features(&self.map_columns);
        let marks_sql = aggregate.then(|| self.source.marks(&self.filter_columns));
        let pool = self.pool.clone();
        let corners = corners(area);
        let (rows, cells) = self.bridge.run(async move {
            let features = bind_area(sqlx::query(&features_sql), corners)
                .bind(grid)
                .bind(smallest)
                .fetch_all(&pool);
            let cells = async {
                match &marks_sql {
                    Some(sql) => {
                        bind_area(sqlx::query(sql), corners)
                            .bind(resolution)
                            .bind(smallest)
                            .fetch_all(&pool)
                            .await
                    }
                    None => Ok(Vec::new()),
                }
            };
            let (features, cells) = tokio::join!(features, cells);
            Ok((
                features.map_err(|e| database_error(&e))?,
                cells.map_err(|e| database_error(&e))?,
            ))
        })?;
        let data = self.dataset(&rows)?;
        let mut marks = Vec::with_capacity(cells.len());
        for cell in &cells {
            let properties = json_object(cell, 0)?;
            let (Ok(cx), Ok(cy)) = (cell.try_get::<f64, _>(1), cell.try_get::<f64, _>(2)) else {
                continue;
            };
            if let Some(mask) = style.filter_mask(&properties) {
                marks.push(Mark {
                    x: (cx + 0.5) * resolution,
                    y: (cy + 0.5) * resolution,
                    mask,
                });
            }
        }
        Ok(Fetched { data, marks })
    }

    /// The features meeting `area` (storage CRS) with their public
    /// properties and whole geometries, at most a thousand: what feature
    /// info looks through.
    pub fn fetch_area(&self, area: Rect<f64>) -> Result<Dataset, String> {
        let sql = self.source.area_features(&self.public_columns);
        let pool = self.pool.clone();
        let corners = corners(area);
        let rows = self.bridge.run(async move {
            bind_area(sqlx::query(&sql), corners)
                .bind(MAX_AREA_FEATURES)
                .fetch_all(&pool)
                .await
                .map_err(|e| database_error(&e))
        })?;
        self.dataset(&rows)
    }

    /// Every feature whose `name` field is not empty, with its public
    /// properties, a point on it and its envelope: what the search
    /// indexes. An error when `name` is not a public column.
    pub fn named_features(&self, name: &str) -> Result<Vec<Named>, String> {
        if !self.public_columns.iter().any(|c| c == name) {
            return Err(format!("no column {name:?} to search"));
        }
        let sql = self.source.named_features(name, &self.public_columns);
        let pool = self.pool.clone();
        let rows = self.bridge.run(async move {
            sqlx::query(&sql)
                .fetch_all(&pool)
                .await
                .map_err(|e| database_error(&e))
        })?;
        let mut named = Vec::with_capacity(rows.len());
        for row in &rows {
            let corner = |i: usize| row.try_get::<Option<f64>, _>(i).ok().flatten();
            let (Some(a), Some(b), Some(c), Some(d)) = (corner(3), corner(4), corner(5), corner(6))
            else {
                continue;
            };
            let at = geometry(row, 2)?.and_then(|g| match g {
                Geometry::Point(p) => Some((p.x(), p.y())),
                _ => None,
            });
            named.push(Named {
                id: row
                    .try_get::<Option<String>, _>(0)
                    .ok()
                    .flatten()
                    .unwrap_or_default(),
                properties: json_object(row, 1)?,
                at,
                envelope: [a, b, c, d],
                dimension: row.try_get::<Option<i32>, _>(7).ok().flatten().unwrap_or(2),
            });
        }
        Ok(named)
    }

    /// Rows of (id, properties, WKB) as a dataset.
    fn dataset(&self, rows: &[PgRow]) -> Result<Dataset, String> {
        let mut builder = DatasetBuilder::new(self.storage);
        for (position, row) in rows.iter().enumerate() {
            let Some(geometry) = geometry(row, 2)? else {
                continue;
            };
            let id = row
                .try_get::<Option<String>, _>(0)
                .ok()
                .flatten()
                .unwrap_or_else(|| position.to_string());
            let properties = json_object(row, 1)?;
            builder.push(
                &id,
                properties.into_iter().map(|(k, v)| (k.into(), v)),
                &geometry,
            )?;
        }
        Ok(builder.finish())
    }
}

fn dedup(names: impl Iterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for name in names {
        if !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

fn corners(area: Rect<f64>) -> [f64; 4] {
    [area.min().x, area.min().y, area.max().x, area.max().y]
}

type Query<'q> = sqlx::query::Query<'q, sqlx::Postgres, sqlx::postgres::PgArguments>;

fn bind_area(query: Query<'_>, [a, b, c, d]: [f64; 4]) -> Query<'_> {
    query.bind(a).bind(b).bind(c).bind(d)
}

/// Column `i` of `row`, WKB, as a geometry; `None` for NULL or empty.
fn geometry(row: &PgRow, i: usize) -> Result<Option<Geometry<f64>>, String> {
    let Some(bytes) = row
        .try_get::<Option<Vec<u8>>, _>(i)
        .map_err(|e| e.to_string())?
    else {
        return Ok(None);
    };
    let parsed = wkb::reader::read_wkb(&bytes).map_err(|e| format!("invalid WKB: {e}"))?;
    Ok(parsed.try_to_geometry())
}

/// Column `i` of `row`, a JSON object as text, as a map.
fn json_object(row: &PgRow, i: usize) -> Result<Map<String, Value>, String> {
    let text: Option<String> = row.try_get(i).map_err(|e| e.to_string())?;
    match text {
        Some(text) => serde_json::from_str(&text).map_err(|e| e.to_string()),
        None => Ok(Map::new()),
    }
}

/// What went wrong, as the database said it, without the connection's
/// details.
pub(crate) fn database_error(error: &sqlx::Error) -> String {
    match error {
        sqlx::Error::Database(e) => e.message().to_owned(),
        sqlx::Error::PoolTimedOut => "no connection to the database became free in time".into(),
        sqlx::Error::Io(e) => format!("the database cannot be reached ({e})"),
        other => other.to_string(),
    }
}
