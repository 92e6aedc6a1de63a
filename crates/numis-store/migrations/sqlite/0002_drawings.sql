-- Drawings (clauses P4, P7–P12): anonymous, found by their public id,
-- changed only with the secret edit key, whose SHA-256 alone is stored.
-- No column can hold a client address.
CREATE TABLE drawings (
    id             TEXT PRIMARY KEY NOT NULL,   -- public id, in share links
    edit_key_hash  BLOB NOT NULL,               -- SHA-256 of the edit key
    owner_account  INTEGER,                     -- accounts come later
    title          TEXT NOT NULL DEFAULT '',
    features       TEXT NOT NULL,               -- GeoJSON FeatureCollection
    created_at     INTEGER NOT NULL,            -- Unix seconds, UTC
    changed_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    copied_from    TEXT,                        -- id of the original, if copied
    report_count   INTEGER NOT NULL DEFAULT 0
) STRICT;

CREATE INDEX drawings_by_expiry ON drawings (expires_at);
CREATE INDEX drawings_by_creation ON drawings (created_at);

-- Reasons given with abuse reports (P11), deleted with their drawing.
CREATE TABLE drawing_reports (
    drawing_id  TEXT NOT NULL REFERENCES drawings (id) ON DELETE CASCADE,
    reported_at INTEGER NOT NULL,
    reason      TEXT NOT NULL
) STRICT;

CREATE INDEX drawing_reports_by_drawing ON drawing_reports (drawing_id);
