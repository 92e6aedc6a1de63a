-- What several numis instances must share beyond drawings, accounts and
-- statistics; the same as the SQLite migration 0007 (read it for why).

CREATE TABLE print_jobs (
    id_hash      BYTEA PRIMARY KEY,
    status       TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed')),
    error        TEXT,
    pdf          BYTEA,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    finished_at  BIGINT
);

CREATE INDEX print_jobs_by_finish ON print_jobs (finished_at);

CREATE TABLE login_failures (
    key_hash       BYTEA PRIMARY KEY,
    failures       BIGINT NOT NULL,
    last_at        BIGINT NOT NULL,
    blocked_until  BIGINT
);

CREATE INDEX login_failures_by_last ON login_failures (last_at);

CREATE TABLE daily_runs (
    job          TEXT COLLATE "C" PRIMARY KEY,
    day          TEXT COLLATE "C" NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
    started_at   BIGINT NOT NULL,
    finished_at  BIGINT
);
