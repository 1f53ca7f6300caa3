-- Screening on the database (issue 6). Mirrors sqlite/0019_screening.sql.
-- A run screens the registry's present members against each other and against the civil registry
-- (deaths, departures, everyone); its findings wait for an auditor. A finding confirmed is a hold
-- that takes effect after the grace period; the citizen may appeal it with a document.

CREATE TABLE screening_runs (
    run_id TEXT PRIMARY KEY,
    started_by TEXT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    -- A run still 'running' when the server starts again was cut short and is run again.
    status TEXT NOT NULL CHECK (status IN ('running', 'done', 'failed')),
    phase TEXT NOT NULL,
    done BIGINT NOT NULL,
    total BIGINT NOT NULL,
    -- Findings written so far: the run writes in batches, each with this count, in one transaction.
    written BIGINT NOT NULL,
    -- The report: pairs compared per linkage, blocks dropped, findings per kind and decision.
    summary TEXT NOT NULL,
    error TEXT
);

-- At most one run at a time.
CREATE UNIQUE INDEX screening_runs_one_running ON screening_runs (status) WHERE status = 'running';

CREATE TABLE screening_findings (
    finding_id TEXT PRIMARY KEY,
    run_id TEXT NOT NULL REFERENCES screening_runs (run_id),
    kind TEXT NOT NULL CHECK (kind IN ('same_id', 'duplicate', 'deceased', 'abroad', 'fictitious')),
    household_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    -- The other member (same_id, duplicate), or the civil registry's person (deceased, abroad).
    other_household_id TEXT,
    other_member_id TEXT,
    other_national_id TEXT,
    -- Who this pair is, the same way every run: a pair found once is never raised again, whatever
    -- was decided on it (a cleared pair stays cleared).
    pair_key TEXT NOT NULL UNIQUE,
    -- The match probability in millionths (for fictitious: one minus the best match).
    score_micros BIGINT NOT NULL,
    -- 'hold': a hold pending review; 'review': a review item (the grey zone).
    decision TEXT NOT NULL CHECK (decision IN ('hold', 'review')),
    explanation TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'in_effect', 'cleared')),
    created_at TEXT NOT NULL,
    decided_at TEXT,
    decided_by TEXT,
    decision_note TEXT,
    -- Confirmed: the end of the grace period, when the hold is placed.
    effective_at TEXT,
    hold_id TEXT
);
CREATE INDEX screening_findings_queue ON screening_findings (status, decision, score_micros);
CREATE INDEX screening_findings_by_household ON screening_findings (household_id);
CREATE INDEX screening_findings_due ON screening_findings (status, effective_at);

CREATE TABLE appeals (
    appeal_id TEXT PRIMARY KEY,
    finding_id TEXT NOT NULL REFERENCES screening_findings (finding_id),
    household_id TEXT NOT NULL,
    submitted_at TEXT NOT NULL,
    statement TEXT NOT NULL,
    document_name TEXT NOT NULL,
    document_type TEXT NOT NULL,
    document BYTEA NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    decided_at TEXT,
    decided_by TEXT,
    decision_note TEXT
);
-- One open appeal per finding.
CREATE UNIQUE INDEX appeals_one_open ON appeals (finding_id) WHERE status = 'open';
CREATE INDEX appeals_queue ON appeals (status, submitted_at);
