-- Sign-in throttling (docs/access.md, "Failed sign-ins"): counters of failures per source address,
-- per username and address, and per username, each within a window, and until when a key is refused.
-- Keys carry hashes of usernames and phone numbers, not the names themselves.
CREATE TABLE sign_in_throttle (
    throttle_key TEXT PRIMARY KEY,
    failures BIGINT NOT NULL,
    window_start TEXT NOT NULL,
    blocked_until TEXT
);
CREATE INDEX sign_in_throttle_by_window ON sign_in_throttle (window_start);
