-- Pre-registration, appointments at update centres, home visits by mobile teams and temporary cards
-- (issue 5). Mirrors postgres/0016_appointments.sql. Times of day are local (Iraq, UTC+3) text:
-- `YYYY-MM-DDTHH:MM` for a centre slot, `YYYY-MM-DD` for a mobile team's day.

-- A centre's slot, or a team's day, made on its first booking with the capacity of that moment. The
-- check is the invariant "never more bookings than capacity"; booking increments `booked` only where
-- it is still below capacity, so concurrent bookings queue on the row instead of overbooking.
CREATE TABLE centre_slots (
    centre_code TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    capacity INTEGER NOT NULL CHECK (capacity >= 0),
    booked INTEGER NOT NULL DEFAULT 0 CHECK (booked >= 0),
    no_shows INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (centre_code, starts_at),
    CONSTRAINT centre_slots_capacity CHECK (booked <= capacity)
);

-- Days a centre does not open; centre_code '*' closes every centre (a national holiday).
CREATE TABLE centre_holidays (
    centre_code TEXT NOT NULL,
    day TEXT NOT NULL,
    name TEXT NOT NULL,
    PRIMARY KEY (centre_code, day)
);

CREATE TABLE mobile_teams (
    team_code TEXT PRIMARY KEY,
    district_code TEXT NOT NULL REFERENCES districts (code),
    name_ar TEXT NOT NULL,
    visits_per_day INTEGER NOT NULL CHECK (visits_per_day > 0)
);

CREATE TABLE appointments (
    household_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    -- 'centre': at an update centre (centre_code); 'home': a mobile team's visit (centre_code is the team).
    kind TEXT NOT NULL CHECK (kind IN ('centre', 'home')),
    centre_code TEXT NOT NULL,
    starts_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('booked', 'checked_in', 'completed', 'cancelled', 'rescheduled', 'no_show')),
    booked_at TEXT NOT NULL,
    booked_by TEXT NOT NULL,
    -- Why a home visit: elderly, sick or disabled.
    reason TEXT,
    checked_in_at TEXT,
    completed_at TEXT,
    closed_at TEXT,
    reminded_at TEXT,
    -- From booking to check-in, and from check-in to completion: the progress figures read these.
    waited_minutes INTEGER,
    visit_seconds INTEGER,
    PRIMARY KEY (household_id, appointment_id)
);
-- A household has at most one open appointment of each kind.
CREATE UNIQUE INDEX appointments_one_open ON appointments (household_id, kind) WHERE status IN ('booked', 'checked_in');
CREATE UNIQUE INDEX appointments_by_id ON appointments (appointment_id);
CREATE INDEX appointments_by_slot ON appointments (centre_code, starts_at);
CREATE INDEX appointments_by_status ON appointments (status, starts_at);

CREATE TABLE appointment_members (
    household_id TEXT NOT NULL,
    appointment_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    required INTEGER NOT NULL,
    -- Documents the household said the member holds, and those the officer saw (comma-separated codes).
    declared_documents TEXT NOT NULL,
    attendance TEXT NOT NULL CHECK (attendance IN ('expected', 'present', 'absent')),
    documents_seen TEXT NOT NULL DEFAULT '',
    note TEXT,
    PRIMARY KEY (household_id, appointment_id, member_id)
);

-- A household's pre-registration: submitted online (or by an officer), verified in person.
CREATE TABLE household_registrations (
    household_id TEXT PRIMARY KEY,
    submitted_at TEXT NOT NULL,
    verified_at TEXT
);

CREATE TABLE temporary_cards (
    household_id TEXT NOT NULL,
    card_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    issued_at TEXT NOT NULL,
    issued_by TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('active', 'converted', 'expired')),
    closed_at TEXT,
    -- The unified national ID that replaced it.
    national_id TEXT,
    PRIMARY KEY (household_id, card_id)
);
CREATE UNIQUE INDEX temporary_cards_one_active ON temporary_cards (member_id) WHERE status = 'active';
CREATE INDEX temporary_cards_by_expiry ON temporary_cards (status, expires_at);
