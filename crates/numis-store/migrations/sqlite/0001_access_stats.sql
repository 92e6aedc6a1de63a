-- Aggregated access statistics (privacy clause P1/P2): one row per day,
-- route template and status class. There is deliberately no column that
-- could hold a client address, user agent, referrer, query or id.
CREATE TABLE access_stats (
    day          TEXT    NOT NULL,  -- YYYY-MM-DD (UTC)
    route        TEXT    NOT NULL,  -- route template, e.g. /api/drawings/{id}
    status_class INTEGER NOT NULL,  -- 1..5 for 1xx..5xx
    requests     INTEGER NOT NULL,
    bytes        INTEGER NOT NULL,
    PRIMARY KEY (day, route, status_class)
) WITHOUT ROWID;
