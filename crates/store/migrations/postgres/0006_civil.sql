-- The reference civil registry (issue 4): the Interior Ministry's side, played by Tamwin for the demo
-- and the tests, and served on its own by `tamwin hub serve`. Keyed by the unified national ID.

CREATE TABLE civil_persons (
    national_id TEXT PRIMARY KEY,
    given_name TEXT NOT NULL,
    father_name TEXT NOT NULL,
    grandfather_name TEXT NOT NULL,
    family_name TEXT,
    mother_name TEXT NOT NULL,
    birth_date TEXT NOT NULL,
    sex TEXT NOT NULL CHECK (sex IN ('male', 'female')),
    phone TEXT,
    -- No card yet when NULL.
    card_status TEXT CHECK (card_status IN ('valid', 'expired', 'lost', 'replaced')),
    card_expires TEXT,
    -- SHA-256 of the fingerprint template on the card; the template itself never leaves the ministry.
    fingerprint_sha256 TEXT,
    death_date TEXT,
    abroad_since TEXT
);
