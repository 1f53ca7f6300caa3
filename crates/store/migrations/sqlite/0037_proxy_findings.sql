-- The proxy finding kind (issue 17 point 5; docs/proxies.md, "The screening signal"). Mirrored in
-- postgres/0037_proxy_findings.sql.
-- SQLite changes a CHECK by rebuilding the table. Appeals refer to findings, so they are rebuilt with
-- them, each copied whole, and the new tables take the old names (the rename carries the appeals'
-- reference along); the indexes are made again.
CREATE TABLE screening_findings_new (
    finding_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES screening_runs (run_id),
    kind TEXT NOT NULL CHECK (kind IN ('same_id', 'duplicate', 'deceased', 'abroad', 'fictitious', 'proxy')),
    household_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    other_household_id TEXT,
    other_member_id TEXT,
    other_national_id TEXT,
    pair_key TEXT NOT NULL UNIQUE,
    score_micros INTEGER NOT NULL,
    decision TEXT NOT NULL CHECK (decision IN ('hold', 'review')),
    explanation TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'in_effect', 'cleared')),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    decision_note TEXT,
    effective_at TEXT,
    hold_id TEXT
);
INSERT INTO screening_findings_new (finding_id, run_id, kind, household_id, member_id, other_household_id, other_member_id, other_national_id, pair_key, score_micros, decision, explanation, status, created_at, decided_at, decided_by, decision_note, effective_at, hold_id)
    SELECT finding_id, run_id, kind, household_id, member_id, other_household_id, other_member_id, other_national_id, pair_key, score_micros, decision, explanation, status, created_at, decided_at, decided_by, decision_note, effective_at, hold_id FROM screening_findings;
CREATE TABLE appeals_new (
    appeal_id TEXT PRIMARY KEY,
    finding_id TEXT NOT NULL REFERENCES screening_findings_new (finding_id),
    household_id TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    statement TEXT NOT NULL,
    document_name TEXT NOT NULL,
    document_type TEXT NOT NULL,
    document BLOB NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    decided_at TEXT,
    decided_by TEXT,
    decision_note TEXT
);
INSERT INTO appeals_new (appeal_id, finding_id, household_id, submitted_at, statement, document_name, document_type, document, status, decided_at, decided_by, decision_note)
    SELECT appeal_id, finding_id, household_id, submitted_at, statement, document_name, document_type, document, status, decided_at, decided_by, decision_note FROM appeals;
DROP TABLE appeals;
DROP TABLE screening_findings;
ALTER TABLE screening_findings_new RENAME TO screening_findings;
ALTER TABLE appeals_new RENAME TO appeals;
CREATE INDEX screening_findings_queue ON screening_findings (status, decision, score_micros);
CREATE INDEX screening_findings_by_household ON screening_findings (household_id);
CREATE INDEX screening_findings_due ON screening_findings (status, effective_at);
CREATE UNIQUE INDEX appeals_one_open ON appeals (finding_id) WHERE status = 'open';
CREATE INDEX appeals_queue ON appeals (status, submitted_at);
