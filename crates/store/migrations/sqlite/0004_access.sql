-- Access (issue 3): the household's mobile number for citizen sign-in, sessions, one-time codes, the
-- notification outbox and API tokens. Secrets are never stored: sessions, codes and tokens as SHA-256.

ALTER TABLE households ADD COLUMN phone TEXT;
-- One open household per number: a number signs in to exactly one household.
CREATE UNIQUE INDEX households_by_phone ON households (phone) WHERE phone IS NOT NULL AND state <> 'closed';

CREATE TABLE sessions (
    session_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('staff', 'citizen')),
    -- The staff account, or the household the citizen signed in to.
    subject_id TEXT NOT NULL,
    -- Username, or the phone number used.
    subject_name TEXT NOT NULL,
    csrf_token TEXT NOT NULL,
    created_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    ended_at TEXT
);
CREATE INDEX sessions_by_subject ON sessions (subject_id);

CREATE TABLE otp_challenges (
    challenge_id TEXT PRIMARY KEY,
    phone TEXT NOT NULL,
    -- None for a number no open household has: the request is stored (and throttled) the same way,
    -- so the answer never tells whether a number is registered; no message is sent.
    household_id TEXT REFERENCES households (household_id),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    used_at TEXT
);
CREATE INDEX otp_by_phone ON otp_challenges (phone, created_at);

-- Messages to citizens, written in the same transaction as what caused them; a gateway delivers them.
CREATE TABLE outbox (
    message_id TEXT PRIMARY KEY,
    channel TEXT NOT NULL CHECK (channel IN ('sms')),
    recipient TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TEXT NOT NULL,
    delivered_at TEXT
);
CREATE INDEX outbox_by_time ON outbox (created_at);

CREATE TABLE api_tokens (
    token_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    area TEXT NOT NULL,
    secret_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);
