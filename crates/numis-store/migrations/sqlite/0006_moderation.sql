-- Moderation (clause P12). A blocked drawing is kept as evidence but no
-- longer shown to the public; it is purged at its normal expiry like any
-- other. NULL: not blocked; otherwise when it was blocked (Unix seconds).
ALTER TABLE drawings ADD COLUMN blocked_at INTEGER;

-- The audit trail of moderation actions: when, who (an operator account's
-- pseudonym, or "token" for the operator token), what, on which object.
-- No client address. Rows are purged two years after `at`.
CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     INTEGER NOT NULL,                     -- Unix seconds, UTC
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL
) STRICT;

CREATE INDEX audit_log_by_time ON audit_log (at);
