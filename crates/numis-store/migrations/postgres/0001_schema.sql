-- The schema of numis on PostgreSQL: the same tables, columns and rules as
-- the SQLite migrations 0001–0006 (read their comments for the clauses each
-- serves). Times are Unix seconds (BIGINT), days `YYYY-MM-DD` text, flags
-- the integers 0 and 1, hashes BYTEA. Columns that lists are ordered by use
-- the "C" collation, so that every instance and both databases order them
-- alike whatever the database's locale. No column anywhere can hold a
-- client address, a full user agent, a password, or a token or code other
-- than its hash.

-- Aggregated access statistics (P1, P2).
CREATE TABLE access_stats (
    day          TEXT COLLATE "C" NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
    route        TEXT COLLATE "C" NOT NULL,
    status_class BIGINT NOT NULL,
    requests     BIGINT NOT NULL,
    bytes        BIGINT NOT NULL,
    PRIMARY KEY (day, route, status_class)
);

-- Anonymous event counters (P1, P2).
CREATE TABLE event_counts (
    day      TEXT COLLATE "C" NOT NULL CHECK (day ~ '^\d{4}-\d{2}-\d{2}$'),
    event    TEXT COLLATE "C" NOT NULL,
    subject  TEXT COLLATE "C" NOT NULL DEFAULT '',
    count    BIGINT NOT NULL,
    PRIMARY KEY (day, event, subject)
);

-- "Mein NUMIS" accounts (P3, P4, P5, L7, L8).
CREATE TABLE accounts (
    id              TEXT COLLATE "C" PRIMARY KEY,
    pseudonym       TEXT NOT NULL,
    pseudonym_key   TEXT COLLATE "C" NOT NULL UNIQUE,
    password_hash   TEXT NOT NULL,
    created_at      BIGINT NOT NULL,
    last_seen_at    BIGINT NOT NULL,
    blocked         SMALLINT NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    totp_secret     BYTEA,
    totp_last_step  BIGINT,
    email           TEXT,
    name            TEXT,
    organisation    TEXT,
    postal_address  TEXT,
    profile_access  SMALLINT NOT NULL DEFAULT 0 CHECK (profile_access IN (0, 1))
);

CREATE INDEX accounts_by_last_seen ON accounts (last_seen_at);

CREATE TABLE account_roles (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role        TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (account_id, role)
);

CREATE TABLE recovery_codes (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   BYTEA NOT NULL,
    PRIMARY KEY (account_id, code_hash)
);

CREATE TABLE sessions (
    token_hash    BYTEA PRIMARY KEY,
    public_id     TEXT COLLATE "C" NOT NULL UNIQUE,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    BIGINT NOT NULL,
    last_seen_at  BIGINT NOT NULL,
    expires_at    BIGINT NOT NULL,
    persistent    SMALLINT NOT NULL CHECK (persistent IN (0, 1)),
    client_label  TEXT,
    csrf          TEXT NOT NULL
);

CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

CREATE TABLE password_resets (
    token_hash  BYTEA PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL
);

CREATE INDEX password_resets_by_account ON password_resets (account_id);
CREATE INDEX password_resets_by_expiry ON password_resets (expires_at);

CREATE TABLE saved_views (
    id          TEXT COLLATE "C" PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT COLLATE "C" NOT NULL,
    state       TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

CREATE INDEX saved_views_by_account ON saved_views (account_id);

-- Drawings (P4, P7–P12).
CREATE TABLE drawings (
    id             TEXT COLLATE "C" PRIMARY KEY,
    edit_key_hash  BYTEA NOT NULL,
    owner          TEXT REFERENCES accounts (id) ON DELETE SET NULL,
    title          TEXT NOT NULL DEFAULT '',
    features       TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    changed_at     BIGINT NOT NULL,
    expires_at     BIGINT NOT NULL,
    copied_from    TEXT,
    report_count   BIGINT NOT NULL DEFAULT 0,
    blocked_at     BIGINT
);

CREATE INDEX drawings_by_expiry ON drawings (expires_at);
CREATE INDEX drawings_by_creation ON drawings (created_at);
CREATE INDEX drawings_by_owner ON drawings (owner);

-- Reasons given with abuse reports (P11); `id` keeps their order.
CREATE TABLE drawing_reports (
    id          BIGSERIAL PRIMARY KEY,
    drawing_id  TEXT NOT NULL REFERENCES drawings (id) ON DELETE CASCADE,
    reported_at BIGINT NOT NULL,
    reason      TEXT NOT NULL
);

CREATE INDEX drawing_reports_by_drawing ON drawing_reports (drawing_id);

-- The audit trail of moderation actions (P12).
CREATE TABLE audit_log (
    id     BIGSERIAL PRIMARY KEY,
    at     BIGINT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL
);

CREATE INDEX audit_log_by_time ON audit_log (at);
