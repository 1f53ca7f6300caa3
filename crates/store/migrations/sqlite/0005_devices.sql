-- Device keys (issue 3): outlet devices and other ministries' systems sign each request with their own
-- Ed25519 key; the registry keeps the public key, the role and area it acts with, and each request's
-- nonce for as long as its timestamp is acceptable, so that a captured request cannot be replayed.

CREATE TABLE device_keys (
    device_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    area TEXT NOT NULL,
    public_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE device_nonces (
    device_id TEXT NOT NULL REFERENCES device_keys (device_id),
    nonce TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (device_id, nonce)
);
CREATE INDEX device_nonces_by_time ON device_nonces (at);
