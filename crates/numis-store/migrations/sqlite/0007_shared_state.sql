-- What several numis instances on one store must share beyond drawings,
-- accounts and statistics (on SQLite there is one instance, but the
-- schema is the same on both databases).

-- Print jobs: any instance answers a job's status and serves its PDF.
-- The job's id is the only key to the PDF; like every other secret it is
-- stored as its SHA-256 only. Rows go when their result has been kept
-- `[print] keep_minutes`.
CREATE TABLE print_jobs (
    id_hash      BLOB PRIMARY KEY NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    error        TEXT,
    pdf          BLOB,
    created_at   INTEGER NOT NULL,              -- Unix seconds, UTC
    updated_at   INTEGER NOT NULL,
    finished_at  INTEGER
) STRICT;

CREATE INDEX print_jobs_by_finish ON print_jobs (finished_at);

-- Failed logins per pseudonym (the login throttle), so that several
-- instances behind a load balancer do not each grant an attacker the
-- free tries. The key is the SHA-256 of the normalised pseudonym, which
-- may name no account. Nothing about the client is here.
CREATE TABLE login_failures (
    key_hash       BLOB PRIMARY KEY NOT NULL,
    failures       INTEGER NOT NULL,
    last_at        INTEGER NOT NULL,            -- Unix seconds, UTC
    blocked_until  INTEGER
) STRICT;

CREATE INDEX login_failures_by_last ON login_failures (last_at);

-- The daily purges: which day each last ran for, claimed by one instance.
CREATE TABLE daily_runs (
    job          TEXT PRIMARY KEY NOT NULL,
    day          TEXT NOT NULL,                 -- YYYY-MM-DD (UTC)
    started_at   INTEGER NOT NULL,
    finished_at  INTEGER
) STRICT;
