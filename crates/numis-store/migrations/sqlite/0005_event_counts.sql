-- Anonymous event counters (privacy clause P1/P2): one row per day, event
-- name and subject. The subject is only ever an id the operator wrote (a
-- layer id, a format name) or empty; there is deliberately no column that
-- could hold a client address, session, account, raw query or search term.
CREATE TABLE event_counts (
    day      TEXT    NOT NULL,             -- YYYY-MM-DD (UTC)
    event    TEXT    NOT NULL,             -- stable name, e.g. wms.getmap
    subject  TEXT    NOT NULL DEFAULT '',  -- layer id, format name or ''
    count    INTEGER NOT NULL,
    PRIMARY KEY (day, event, subject)
) STRICT;
