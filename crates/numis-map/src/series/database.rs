//! Measured series in PostgreSQL, for operators whose measurements live in
//! a database: a table or query with the columns `<key>, parameter, unit,
//! date, value`, read one station at a time (a prepared statement on the
//! pool the catalogue shares with its PostGIS layers). Dates may be of any
//! type PostgreSQL writes as ISO 8601 text (`date`, `timestamp`,
//! `timestamptz`, ISO `text`); values anything castable to a number.

use std::sync::Arc;

use sqlx::Row;
use sqlx::postgres::PgPool;

use super::{Period, Point, Series, SeriesError, SeriesSource, Table};
use crate::config::SeriesDatabaseConfig;
use crate::postgis::bridge::Bridge;
use crate::postgis::sql::{identifier, qualified};
use crate::postgis::{Connections, database_error};

/// A layer's measurements table or query.
pub struct Database {
    bridge: Arc<Bridge>,
    pool: PgPool,
    /// One station's rows, oldest first per parameter; `$1` is the station.
    query: String,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the connection: it may hold a password.
        f.debug_struct("Database")
            .field("query", &self.query)
            .finish_non_exhaustive()
    }
}

impl Database {
    /// Connects `config` with stations in column `key` and checks that the
    /// columns are there; the error says what is wrong, without the
    /// password.
    pub fn connect(
        config: &SeriesDatabaseConfig,
        key: &str,
        connections: &mut Connections,
    ) -> Result<Self, String> {
        let from = match (&config.table, &config.sql) {
            (Some(table), None) => qualified(table),
            (None, Some(sql)) => format!("({sql})"),
            _ => return Err("give either table or sql".into()),
        };
        let (bridge, pool) = connections.pool_for(
            &config.connection,
            config.max_connections,
            config.statement_timeout_ms,
        )?;
        let query = format!(
            "SELECT parameter::text AS parameter, unit::text AS unit, \
             date::text AS date, value::float8 AS value \
             FROM {from} AS m WHERE {key}::text = $1 \
             ORDER BY parameter, date",
            key = identifier(key)
        );
        let database = Self {
            bridge,
            pool,
            query,
        };
        // Reading no station proves the columns and types.
        database.rows("").map_err(|e| e.0)?;
        Ok(database)
    }

    fn rows(&self, station: &str) -> Result<Vec<(String, String, String, f64)>, SeriesError> {
        let (pool, query, station) = (self.pool.clone(), self.query.clone(), station.to_owned());
        self.bridge
            .run(async move {
                let rows = sqlx::query(&query)
                    .bind(station)
                    .fetch_all(&pool)
                    .await
                    .map_err(|e| database_error(&e))?;
                rows.iter()
                    .map(|row| {
                        let text = |name: &str| {
                            row.try_get::<Option<String>, _>(name)
                                .map(Option::unwrap_or_default)
                                .map_err(|e| database_error(&e))
                        };
                        let value: Option<f64> =
                            row.try_get("value").map_err(|e| database_error(&e))?;
                        Ok((
                            text("parameter")?,
                            text("unit")?,
                            text("date")?,
                            value.unwrap_or(f64::NAN),
                        ))
                    })
                    .collect()
            })
            .map_err(SeriesError)
    }
}

impl SeriesSource for Database {
    fn series(
        &self,
        station: &str,
        parameters: &[&str],
        period: &Period,
    ) -> Result<Option<Vec<Series>>, SeriesError> {
        let rows = self.rows(station)?;
        // One station's rows as a table: the same selection, order and
        // handling of repeated dates as a CSV's. Rows without a value are
        // left out.
        let mut table = Table::default();
        for (parameter, unit, date, value) in rows {
            if value.is_finite() {
                table.push(station, &parameter, &unit, Point { date, value });
            }
        }
        table.sort();
        table.series(station, parameters, period)
    }
}
