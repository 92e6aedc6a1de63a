-- Password-reset links sent by mail (only when the operator configured
-- SMTP and the citizen gave an e-mail address). As with sessions, the
-- link's token is never stored, only its hash; a row is deleted when the
-- link is used, when it expires (daily purge) and with its account.
CREATE TABLE password_resets (
    token_hash  BLOB PRIMARY KEY NOT NULL,
    account_id  TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  INTEGER NOT NULL,
    expires_at  INTEGER NOT NULL
) STRICT;

CREATE INDEX password_resets_by_account ON password_resets (account_id);
CREATE INDEX password_resets_by_expiry ON password_resets (expires_at);
