-- Where long jobs stopped (issue 4: the nightly reconciliation with the civil registry), so that a run
-- cut short goes on from there instead of starting over.

CREATE TABLE job_cursors (
    job TEXT PRIMARY KEY,
    cursor_value TEXT,
    updated_at TEXT NOT NULL
);
