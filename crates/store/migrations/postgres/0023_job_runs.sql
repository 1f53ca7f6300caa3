-- The job runner (issue 14, point 4). Mirrors sqlite/0023_job_runs.sql.
-- One lease row per job says which server runs it and until when; every run of a job is a row, so
-- that the staff page shows the last run and a run cut short by a crash is taken up again.

-- Taken and renewed by one conditional upsert (`JobStore::take_lease`): a holder that stops renewing
-- loses the job when `expires_at` passes. Times are the app clock's, RFC 3339 with six decimals (they
-- sort as text).
CREATE TABLE job_leases (
    job TEXT PRIMARY KEY,
    holder TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    taken_at TEXT NOT NULL
);

CREATE TABLE job_runs (
    run_id TEXT PRIMARY KEY,
    job TEXT NOT NULL,
    -- Which due time (or queued item, or run-now request) this run is for: each happens once.
    slot TEXT NOT NULL,
    cause TEXT NOT NULL CHECK (cause IN ('schedule', 'queue', 'manual')),
    holder TEXT NOT NULL,
    -- 1, and one more each time another holder takes the run up after a crash.
    attempts BIGINT NOT NULL,
    started_at TEXT NOT NULL,
    finished_at TEXT,
    -- NULL while the run is under way (or was cut short and waits to be taken up again).
    outcome TEXT CHECK (outcome IN ('ok', 'failed', 'skipped')),
    items BIGINT NOT NULL,
    error TEXT,
    -- Long jobs count their progress here while they run.
    progress_done BIGINT,
    progress_total BIGINT,
    CONSTRAINT job_runs_slot_once UNIQUE (job, slot)
);

CREATE INDEX job_runs_latest ON job_runs (job, started_at);

-- "Run now" from the staff page: the next holder of the lease runs the job once more.
CREATE TABLE job_requests (
    job TEXT PRIMARY KEY,
    requested_at TEXT NOT NULL,
    requested_by TEXT NOT NULL
);
