-- Complaints about outlets (issue 16 point 7; docs/outlets.md, "Complaints"). Mirrored in
-- postgres/0031_complaints.sql. A citizen complains about an outlet, naming the collection (its
-- receipt) it concerns where there is one; the governorate's supervisors assign and resolve it with a
-- reply the citizen reads; the times kept give the time to resolution. A collection the family says it
-- did not make is marked on the collection itself, for auditors.
CREATE TABLE complaints (
    household_id TEXT NOT NULL,
    complaint_id TEXT NOT NULL,
    outlet_code TEXT NOT NULL REFERENCES outlets (code),
    governorate_code TEXT NOT NULL REFERENCES governorates (code),
    kind TEXT NOT NULL CHECK (kind IN ('short_weight', 'refused_service', 'asked_money', 'closed_in_hours', 'collection_not_made')),
    redemption_id TEXT,
    statement TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'resolved')),
    created_at TEXT NOT NULL,
    assigned_to TEXT,
    assigned_at TEXT,
    resolved_by TEXT,
    resolved_at TEXT,
    reply TEXT,
    PRIMARY KEY (household_id, complaint_id),
    CONSTRAINT complaints_receipt CHECK (kind <> 'collection_not_made' OR redemption_id IS NOT NULL),
    CONSTRAINT complaints_resolved CHECK ((status = 'resolved') = (resolved_at IS NOT NULL AND reply IS NOT NULL)),
    CONSTRAINT complaints_assigned CHECK (status = 'open' OR assigned_to IS NOT NULL)
);
-- Supervisors name a complaint by its id alone.
CREATE UNIQUE INDEX complaints_by_id ON complaints (complaint_id);
CREATE INDEX complaints_by_governorate ON complaints (governorate_code, status, created_at);
-- One complaint of a kind about one collection.
CREATE UNIQUE INDEX complaints_one_per_receipt ON complaints (household_id, redemption_id, kind) WHERE redemption_id IS NOT NULL;

ALTER TABLE redemptions ADD COLUMN disputed_by TEXT;
CREATE INDEX redemptions_disputed ON redemptions (outlet_code) WHERE disputed_by IS NOT NULL;
