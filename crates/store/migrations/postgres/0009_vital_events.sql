-- Vital events received from the civil registry (issue 4): deaths, births, exits and entries. Kept by
-- their event id so a second delivery is recognised; applied to the ration registry when the person is
-- in it (an event about a person not registered yet waits, and is applied after registration).

CREATE TABLE vital_events (
    event_id TEXT PRIMARY KEY,
    national_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('death', 'birth', 'exit', 'entry')),
    event_date TEXT NOT NULL,
    received_at TEXT NOT NULL,
    applied_at TEXT,
    details TEXT NOT NULL
);
CREATE INDEX vital_events_by_person ON vital_events (national_id, event_date);
CREATE INDEX vital_events_pending ON vital_events (applied_at, received_at);
