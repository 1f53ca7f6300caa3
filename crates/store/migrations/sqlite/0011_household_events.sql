-- What vital events lead to beyond holds (issue 4): a birth becomes a suggested change that the head of
-- the household confirms or declines; an exemption keeps a member abroad for an accepted reason (study,
-- treatment, an official mission) from the "abroad" hold until it ends.

CREATE TABLE household_suggestions (
    suggestion_id TEXT PRIMARY KEY,
    household_id TEXT NOT NULL REFERENCES households (household_id),
    kind TEXT NOT NULL CHECK (kind IN ('add_newborn')),
    -- One suggestion per event, however often the event is delivered or applied.
    event_id TEXT NOT NULL UNIQUE,
    -- The person to add.
    national_id TEXT NOT NULL,
    -- JSON: the member as the civil registry records them, and the relation proposed.
    details TEXT NOT NULL,
    -- `confirming`: claimed by the head's confirmation while the child is added.
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirming', 'confirmed', 'declined')),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT
);
CREATE INDEX household_suggestions_by_household ON household_suggestions (household_id, created_at);

CREATE TABLE abroad_exemptions (
    exemption_id TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (reason IN ('study', 'medical_treatment', 'official_mission', 'pilgrimage')),
    -- Dates (YYYY-MM-DD), both inclusive.
    valid_from TEXT NOT NULL,
    valid_until TEXT NOT NULL,
    evidence TEXT NOT NULL,
    granted_by TEXT NOT NULL,
    granted_at TEXT NOT NULL,
    CHECK (valid_from <= valid_until)
);
CREATE INDEX abroad_exemptions_by_person ON abroad_exemptions (national_id, valid_until);
