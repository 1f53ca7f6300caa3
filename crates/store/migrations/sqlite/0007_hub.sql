-- The identity hub (issue 4): member organisations' public keys with validity periods (rotation), and
-- the nonces of signed requests, kept while their timestamps are acceptable, so none is replayed.

CREATE TABLE hub_member_keys (
    member TEXT NOT NULL,
    key_id TEXT NOT NULL,
    public_key TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_until TEXT,
    PRIMARY KEY (member, key_id)
);

CREATE TABLE hub_nonces (
    client TEXT NOT NULL,
    nonce TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (client, nonce)
);
CREATE INDEX hub_nonces_by_time ON hub_nonces (at);
