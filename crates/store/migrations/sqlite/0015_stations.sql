-- The civil registry's registration sites and mobile stations (issue 4): a mobile station visits care
-- homes, camps and remote areas on a schedule, and the people registered at each visit are kept.

CREATE TABLE registration_sites (
    site_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('office', 'mobile')),
    name TEXT NOT NULL,
    governorate TEXT NOT NULL,
    district TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE station_visits (
    visit_id TEXT PRIMARY KEY,
    site_id TEXT NOT NULL REFERENCES registration_sites (site_id),
    place_kind TEXT NOT NULL CHECK (place_kind IN ('care_home', 'camp', 'remote_area', 'hospital')),
    place_name TEXT NOT NULL,
    district TEXT NOT NULL,
    -- YYYY-MM-DD and HH:MM, Baghdad time.
    visit_date TEXT NOT NULL,
    starts TEXT NOT NULL,
    ends TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('scheduled', 'done', 'cancelled')),
    created_at TEXT NOT NULL,
    CHECK (starts < ends)
);
-- A station is in one place a day (a cancelled visit frees the day).
CREATE UNIQUE INDEX station_visits_one_a_day ON station_visits (site_id, visit_date) WHERE status <> 'cancelled';
CREATE INDEX station_visits_by_date ON station_visits (visit_date, district);

CREATE TABLE visit_registrations (
    visit_id TEXT NOT NULL REFERENCES station_visits (visit_id),
    national_id TEXT NOT NULL,
    registered_at TEXT NOT NULL,
    -- What was done for the person: a card applied for (with home delivery), a record corrected.
    service TEXT NOT NULL,
    PRIMARY KEY (visit_id, national_id)
);
