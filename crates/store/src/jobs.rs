//! What the job runner keeps (issue 14, point 4): a lease per job, so that two servers on one database
//! never run the same job at once, a row per run (its holder, outcome, items and progress), the
//! "run now" requests of staff, and where a long job stopped (`job_cursors`). SQL in `sql_jobs.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::job::{JobOutcome, RunCause};

/// One run of a job. `outcome` is None while it runs, and stays None when its holder crashed: the next
/// holder of the lease takes it up again (`resume_job_run`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRun {
    pub run_id: String,
    pub job: String,
    /// Which due time, queued item or request the run is for; a job runs each slot once.
    pub slot: String,
    pub cause: RunCause,
    pub holder: String,
    pub attempts: i64,
    pub started_at: Timestamp,
    pub finished_at: Option<Timestamp>,
    pub outcome: Option<JobOutcome>,
    pub items: i64,
    pub error: Option<String>,
    pub progress_done: Option<i64>,
    pub progress_total: Option<i64>,
}

/// Who holds a job and until when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobLease {
    pub job: String,
    pub holder: String,
    pub expires_at: Timestamp,
    pub taken_at: Timestamp,
}

/// A member of staff's "run now".
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobRequest {
    pub job: String,
    pub requested_at: Timestamp,
    pub requested_by: String,
}

/// How a run ended, as the holder reports it.
pub struct JobFinish<'a> {
    pub run_id: &'a str,
    pub holder: &'a str,
    pub outcome: JobOutcome,
    pub items: i64,
    pub error: Option<&'a str>,
    pub at: Timestamp,
}

#[async_trait]
pub trait JobStore: Send + Sync {
    /// Takes the job's lease for `holder` until `until`, in one conditional statement: only when nobody
    /// holds it or the holder's lease has expired at `now`. True when taken.
    async fn take_lease(
        &self,
        job: &str,
        holder: &str,
        now: Timestamp,
        until: Timestamp,
    ) -> Result<bool>;
    /// Extends the lease while `holder` still holds it; false when it was lost (expired and taken).
    async fn renew_lease(&self, job: &str, holder: &str, until: Timestamp) -> Result<bool>;
    /// Gives the lease up (only the holder's own).
    async fn release_lease(&self, job: &str, holder: &str) -> Result<()>;
    async fn job_leases(&self) -> Result<Vec<JobLease>>;

    /// Records a new run; false when its slot has one already (another server ran it).
    async fn start_job_run(&self, run: &JobRun) -> Result<bool>;
    /// Takes an unfinished run up for a new holder (one more attempt); false when it had finished.
    async fn resume_job_run(&self, run_id: &str, holder: &str) -> Result<bool>;
    /// A long job's counters, written while it runs.
    async fn job_progress(
        &self,
        run_id: &str,
        holder: &str,
        done: i64,
        total: Option<i64>,
    ) -> Result<()>;
    /// Closes the run; false when another holder has taken it over meanwhile.
    async fn finish_job_run(&self, f: &JobFinish<'_>) -> Result<bool>;
    /// The run of a slot, if there is one.
    async fn job_run_for_slot(&self, job: &str, slot: &str) -> Result<Option<JobRun>>;
    /// The job's run without an outcome (at most one: runs are under the lease).
    async fn unfinished_job_run(&self, job: &str) -> Result<Option<JobRun>>;
    /// The job's latest runs, newest first.
    async fn job_runs(&self, job: &str, limit: u32) -> Result<Vec<JobRun>>;
    /// Deletes finished runs started before `before`; returns how many.
    async fn prune_job_runs(&self, before: Timestamp) -> Result<u64>;
    /// The latest scheduled run of the job (for its next slot).
    async fn last_scheduled_run(&self, job: &str) -> Result<Option<JobRun>>;

    /// Asks for a run of the job at the next chance, with its audit entry; a request already waiting
    /// is replaced.
    async fn request_job_run(&self, r: &JobRequest, log: &ChangeLog) -> Result<()>;
    async fn job_request(&self, job: &str) -> Result<Option<JobRequest>>;
    /// Drops the request answered by a run (one made later stays).
    async fn clear_job_request(&self, job: &str, requested_at: Timestamp) -> Result<()>;

    /// Where a long job stopped (None: from the start).
    async fn job_cursor(&self, job: &str) -> Result<Option<String>>;
    async fn save_job_cursor(&self, job: &str, cursor: Option<&str>, at: Timestamp) -> Result<()>;
}
