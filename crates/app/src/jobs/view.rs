//! The jobs as staff see them (page `/jobs`, `GET /api/v1/jobs`): each job with its schedule, last run
//! (duration, outcome, items, error), next run and whether it is running now; and "run now".

use super::{Job, Schedule, builtin};
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use std::sync::Arc;
use tamwin_domain::access::Permission;
use tamwin_store::{JobRequest, JobRun};

/// Runs of a job shown with it.
const RECENT_RUNS: u32 = 5;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobRunView {
    pub run_id: String,
    /// `schedule`, `queue` (a screening run started) or `manual` ("run now").
    pub cause: String,
    /// The server that ran it (host, process, random part).
    pub holder: String,
    /// More than 1 when the run was taken up again after its server stopped.
    pub attempts: i64,
    pub started_at: String,
    pub finished_at: Option<String>,
    pub duration_seconds: Option<f64>,
    /// `ok`, `failed`, `skipped`; absent while it runs (or waits to be taken up again).
    pub outcome: Option<String>,
    pub items: i64,
    /// Why it failed or was skipped.
    pub error: Option<String>,
    pub progress_done: Option<i64>,
    pub progress_total: Option<i64>,
}

impl From<&JobRun> for JobRunView {
    fn from(r: &JobRun) -> Self {
        JobRunView {
            run_id: r.run_id.clone(),
            cause: r.cause.code().to_string(),
            holder: r.holder.clone(),
            attempts: r.attempts,
            started_at: r.started_at.to_string(),
            finished_at: r.finished_at.map(|t| t.to_string()),
            duration_seconds: r
                .finished_at
                .map(|f| (f.duration_since(r.started_at).as_millis() as f64 / 1000.0).max(0.0)),
            outcome: r.outcome.map(|o| o.code().to_string()),
            items: r.items,
            error: r.error.clone(),
            progress_done: r.progress_done,
            progress_total: r.progress_total,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct JobView {
    pub name: String,
    /// `every`, `daily` (at `daily_at`, Iraq time) or `queued` (when work is queued).
    pub schedule: String,
    pub every_minutes: Option<i64>,
    /// `HH:MM` in Iraq (UTC+3).
    pub daily_at: Option<String>,
    /// A run is under way now (its server holds the lease).
    pub running: bool,
    /// The last run (the one under way, if any).
    pub last_run: Option<JobRunView>,
    /// The latest runs, newest first (the last run among them).
    pub recent_runs: Vec<JobRunView>,
    /// When the next run is due (RFC 3339, UTC); absent for queued work.
    pub next_run: Option<String>,
    /// A "run now" waits, asked by this member of staff.
    pub requested_by: Option<String>,
    /// Whether "run now" may be asked for this job.
    pub on_request: bool,
}

fn schedule_fields(s: Schedule) -> (&'static str, Option<i64>, Option<String>) {
    match s {
        Schedule::Every { minutes } => ("every", Some(minutes), None),
        Schedule::DailyAt { hour, minute, .. } => {
            ("daily", None, Some(format!("{hour:02}:{minute:02}")))
        }
        Schedule::Queued => ("queued", None, None),
    }
}

impl Registry {
    /// Every job of this registry with its last and next run; for staff who administer.
    pub async fn jobs_overview(&self, actor: &Actor) -> Result<Vec<JobView>> {
        actor.require(Permission::ViewJobs)?;
        let now = self.clock.now();
        let leases = self.store.job_leases().await?;
        let mut out = Vec::new();
        for job in builtin::standard_jobs(self.hub.is_some()) {
            let name = job.name();
            let runs = self.store.job_runs(name, RECENT_RUNS).await?;
            let last_slot = self
                .store
                .last_scheduled_run(name)
                .await?
                .and_then(|r| r.slot.parse::<jiff::Timestamp>().ok());
            let request = self.store.job_request(name).await?;
            let running = runs.first().is_some_and(|r| r.outcome.is_none())
                && leases.iter().any(|l| l.job == name && l.expires_at > now);
            let next = match &request {
                Some(r) => Some(r.requested_at),
                None => job.schedule().next_run(now, last_slot),
            };
            let (schedule, every_minutes, daily_at) = schedule_fields(job.schedule());
            let recent: Vec<JobRunView> = runs.iter().map(JobRunView::from).collect();
            out.push(JobView {
                name: name.to_string(),
                schedule: schedule.to_string(),
                every_minutes,
                daily_at,
                running,
                last_run: recent.first().cloned(),
                recent_runs: recent,
                next_run: next.map(|t| t.to_string()),
                requested_by: request.map(|r| r.requested_by),
                on_request: job.on_request(),
            });
        }
        Ok(out)
    }

    /// "Run now": the job runs at the runner's next look (within its tick, at once on this server),
    /// once, whatever its schedule. Audited.
    pub async fn request_job_run(&self, name: &str, actor: &Actor) -> Result<()> {
        actor.require(Permission::RunJobs)?;
        let job: Arc<dyn Job> = builtin::standard_jobs(self.hub.is_some())
            .into_iter()
            .find(|j| j.name() == name)
            .ok_or(AppError::NotFound)?;
        if !job.on_request() {
            return Err(AppError::rule("job_not_on_request"));
        }
        let log = self.log(
            "job_requested",
            None,
            None,
            actor,
            serde_json::json!({ "job": job.name() }),
        );
        self.store
            .request_job_run(
                &JobRequest {
                    job: job.name().to_string(),
                    requested_at: self.clock.now(),
                    requested_by: actor.name.clone(),
                },
                &log,
            )
            .await?;
        self.jobs_wake.notify_one();
        Ok(())
    }
}
