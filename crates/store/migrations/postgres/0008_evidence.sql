-- The ration side's record of the hub (issue 4): every call as evidence linked to the member it
-- concerned (it replaces the paper "authenticity confirmation"), and each member's verification state,
-- with the retry queue of checks the hub could not answer.

CREATE TABLE hub_evidence (
    household_id TEXT NOT NULL,
    evidence_id TEXT NOT NULL,
    member_id TEXT,
    service TEXT NOT NULL,
    request_hash TEXT NOT NULL,
    response_hash TEXT NOT NULL,
    at TEXT NOT NULL,
    -- JSON: the envelope's response or error code, as received.
    outcome TEXT NOT NULL,
    PRIMARY KEY (household_id, evidence_id)
);

CREATE TABLE member_verifications (
    household_id TEXT NOT NULL,
    member_id TEXT NOT NULL,
    -- verified, pending, mismatch, deceased, not_found
    status TEXT NOT NULL CHECK (status IN ('verified', 'pending', 'mismatch', 'deceased', 'not_found')),
    attempts BIGINT NOT NULL,
    last_attempt_at TEXT NOT NULL,
    -- When a pending check is tried again; NULL once settled.
    next_attempt_at TEXT,
    evidence_id TEXT,
    PRIMARY KEY (household_id, member_id)
);
CREATE INDEX member_verifications_due ON member_verifications (next_attempt_at);
