-- A proxy at the outlet (issue 17 points 2 and 4; docs/proxies.md, "At the outlet"). Mirrored in
-- postgres/0036_proxy_outlets.sql.

-- The licensee who runs the outlet, by national ID: an outlet's operator is never a proxy at their own
-- outlet. Empty for outlets whose licensee is not on file yet.
ALTER TABLE outlets ADD COLUMN licensee_national_id TEXT;
CREATE INDEX outlets_by_licensee ON outlets (licensee_national_id) WHERE licensee_national_id IS NOT NULL;

-- A proxy without their own card collects with a one-time code the civil registry sends to their
-- phone: the registry's challenge is kept here bound to the grant and the outlet that asked for it, so
-- that a code asked for at one outlet is worthless at another. The registry checks the code itself
-- (expiry, tries, single use).
CREATE TABLE proxy_collection_codes (
    challenge_id TEXT PRIMARY KEY,
    grant_id TEXT NOT NULL,
    household_id TEXT NOT NULL,
    outlet_code TEXT NOT NULL REFERENCES outlets (code),
    national_id TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX proxy_collection_codes_by_proxy ON proxy_collection_codes (national_id, outlet_code, created_at);

-- The civil registry's codes gain the purpose `collection`: SQLite changes a CHECK by rebuilding the
-- table (nothing refers to it).
CREATE TABLE civil_otps_new (
    challenge_id TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    client TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('citizen', 'proxy', 'collection')),
    code_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    used_at TEXT
);
INSERT INTO civil_otps_new (challenge_id, national_id, client, purpose, code_hash, created_at, expires_at, attempts, used_at)
    SELECT challenge_id, national_id, client, purpose, code_hash, created_at, expires_at, attempts, used_at FROM civil_otps;
DROP TABLE civil_otps;
ALTER TABLE civil_otps_new RENAME TO civil_otps;
CREATE INDEX civil_otps_by_person ON civil_otps (national_id, created_at);
