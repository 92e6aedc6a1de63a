-- "Mein NUMIS" accounts (clauses P3, P4, P5, L7, L8): pseudonymous, with
-- voluntary profile fields only. Passwords, session tokens and recovery
-- codes are stored only as hashes. No column can hold a client address or
-- a full user agent. Every table that belongs to an account cascades from
-- it, so deleting the account row deletes all of it.
CREATE TABLE accounts (
    id              TEXT PRIMARY KEY NOT NULL,  -- random, chosen by the caller
    pseudonym       TEXT NOT NULL,              -- as shown
    pseudonym_key   TEXT NOT NULL UNIQUE,       -- normalised by the caller
    password_hash   TEXT NOT NULL,              -- PHC string (Argon2id)
    created_at      INTEGER NOT NULL,           -- Unix seconds, UTC
    last_seen_at    INTEGER NOT NULL,           -- retention (L8)
    blocked         INTEGER NOT NULL DEFAULT 0 CHECK (blocked IN (0, 1)),
    totp_secret     BLOB,                       -- second factor, when on
    totp_last_step  INTEGER,                    -- last TOTP step accepted
    email           TEXT,                       -- voluntary
    name            TEXT,                       -- voluntary
    organisation    TEXT,                       -- voluntary
    postal_address  TEXT,                       -- voluntary
    profile_access  INTEGER NOT NULL DEFAULT 0 CHECK (profile_access IN (0, 1))
) STRICT;

CREATE INDEX accounts_by_last_seen ON accounts (last_seen_at);

-- Roles granted by an operator (L7); a table rather than a column so that
-- "who holds role x" and grant/revoke are plain row operations.
CREATE TABLE account_roles (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role        TEXT NOT NULL,
    PRIMARY KEY (account_id, role)
) STRICT, WITHOUT ROWID;

-- One-time recovery codes, as hashes; using one deletes its row.
CREATE TABLE recovery_codes (
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash   BLOB NOT NULL,
    PRIMARY KEY (account_id, code_hash)
) STRICT, WITHOUT ROWID;

-- Login sessions: the token's hash is the key; the token never is stored.
CREATE TABLE sessions (
    token_hash    BLOB PRIMARY KEY NOT NULL,
    public_id     TEXT NOT NULL UNIQUE,         -- names it on the sessions page
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at    INTEGER NOT NULL,
    last_seen_at  INTEGER NOT NULL,
    expires_at    INTEGER NOT NULL,             -- absolute end
    persistent    INTEGER NOT NULL CHECK (persistent IN (0, 1)),
    client_label  TEXT,                         -- "Firefox on Linux", never the UA
    csrf          TEXT NOT NULL
) STRICT;

CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

-- Saved map views: a name and the permalink's query.
CREATE TABLE saved_views (
    id          TEXT PRIMARY KEY NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    state       TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX saved_views_by_account ON saved_views (account_id);

-- Drawings get their owner. The placeholder `owner_account INTEGER` of
-- 0002 was never written (there were no accounts) and cannot hold the
-- text ids of accounts in a STRICT table, so it gives way to `owner`.
-- Deleting an account keeps its drawings anonymously unless the caller
-- deletes them first.
ALTER TABLE drawings DROP COLUMN owner_account;
ALTER TABLE drawings ADD COLUMN owner TEXT REFERENCES accounts (id) ON DELETE SET NULL;
CREATE INDEX drawings_by_owner ON drawings (owner);
