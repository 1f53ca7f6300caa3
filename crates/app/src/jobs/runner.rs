//! The runner: finds what is due, takes the job's lease, records the run, runs it while renewing the
//! lease, and records how it ended. Two runners on one database (two servers) each try; the lease lets
//! one through, and the run's slot (unique per job) makes each due run happen once. A run left
//! without an outcome by a holder that stopped is taken up by the next holder once the lease expires.

use super::{Done, Job, JobOutcome, RunCause, RunContext};
use crate::{AppError, Registry, Result};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tamwin_store::{JobFinish, JobRequest, JobRun};
use tokio::task::JoinSet;

/// What one job's turn came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ran {
    pub job: &'static str,
    pub run_id: String,
    /// None when the lease was lost before the end (the run is its new holder's).
    pub outcome: Option<JobOutcome>,
    pub items: u64,
    /// 1, or more when the run was taken up after a crash.
    pub attempts: i64,
}

pub struct Runner {
    reg: Arc<Registry>,
    holder: String,
    jobs: Vec<Arc<dyn Job>>,
    /// Jobs this runner is running now: not started twice from here.
    running: Mutex<HashSet<&'static str>>,
    /// How long a lease lasts unless renewed, on the registry's clock.
    pub lease: jiff::SignedDuration,
    /// How often a running job renews its lease and writes its progress (well within `lease`).
    pub renew_every: Duration,
    /// How often the loop looks for due work when nothing wakes it.
    pub tick: Duration,
}

/// What is to be run.
enum Work {
    /// A run whose holder stopped before its end.
    Resume(JobRun),
    New {
        slot: String,
        cause: RunCause,
        request: Option<JobRequest>,
    },
}

/// Takes the job off this runner's list of running jobs however its task ends (even aborted).
struct Running(Arc<Runner>, &'static str);
impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(mut r) = self.0.running.lock() {
            r.remove(self.1);
        }
    }
}

impl Runner {
    /// A runner without jobs; `register` adds them (`Runner::standard` has the registry's own).
    pub fn new(reg: Arc<Registry>) -> Runner {
        let host = std::env::var("HOSTNAME").unwrap_or_else(|_| "tamwin".into());
        let unique = uuid::Uuid::new_v4().simple().to_string();
        Runner {
            reg,
            holder: format!("{host}-{}-{}", std::process::id(), &unique[..8]),
            jobs: Vec::new(),
            running: Mutex::new(HashSet::new()),
            lease: jiff::SignedDuration::from_mins(2),
            renew_every: Duration::from_secs(20),
            tick: Duration::from_secs(30),
        }
    }

    /// Who this runner is in the lease and run rows: host, process and a random part.
    pub fn holder(&self) -> &str {
        &self.holder
    }

    /// Adds a job. A second job of the same name is refused: names key the leases and runs.
    pub fn register(&mut self, job: Arc<dyn Job>) {
        if self.jobs.iter().any(|j| j.name() == job.name()) {
            tracing::error!("job {} registered twice; the second is ignored", job.name());
            return;
        }
        self.jobs.push(job);
    }

    pub fn jobs(&self) -> &[Arc<dyn Job>] {
        &self.jobs
    }

    pub fn registry(&self) -> &Arc<Registry> {
        &self.reg
    }

    /// Runs every job that is due now, each under its lease, and waits for them all.
    pub async fn run_due(self: &Arc<Self>) -> Vec<Ran> {
        let mut set = JoinSet::new();
        self.spawn_due(&mut set).await;
        let mut out = Vec::new();
        while let Some(r) = set.join_next().await {
            if let Ok(Some(ran)) = r {
                out.push(ran);
            }
        }
        out.sort_by_key(|r| r.job);
        out
    }

    /// A server's loop: due work every `tick`, and at once when woken (a screening run queued, a run
    /// now asked). Each job runs in its own task, so a long one holds up no other.
    pub fn start(self: Arc<Self>) -> tokio::task::JoinHandle<()> {
        tracing::info!(
            "job runner {} started with {} jobs",
            self.holder,
            self.jobs.len()
        );
        tokio::spawn(async move {
            let mut set = JoinSet::new();
            loop {
                // Tasks that ended are reaped here, not awaited: a look at an idle job ends at once,
                // and waking on every end would look again and again.
                while set.try_join_next().is_some() {}
                self.spawn_due(&mut set).await;
                tokio::select! {
                    _ = tokio::time::sleep(self.tick) => {}
                    _ = self.reg.jobs_wake.notified() => {}
                }
            }
        })
    }

    /// A server stopping: its loop and the runs in progress end here, and its leases are given back,
    /// so that another server (or this one, restarted) takes a cut-short run up at once instead of
    /// after the lease's expiry. The run rows stay unfinished: that is how they are taken up.
    pub async fn stop(&self, handle: tokio::task::JoinHandle<()>) {
        handle.abort();
        let _ = handle.await;
        for job in &self.jobs {
            if let Err(e) = self.reg.store.release_lease(job.name(), &self.holder).await {
                tracing::warn!("job runner stopping: lease of {}: {e}", job.name());
            }
        }
    }

    async fn spawn_due(self: &Arc<Self>, set: &mut JoinSet<Option<Ran>>) {
        let now = self.reg.clock.now();
        // A lease held by a live holder (here or elsewhere): nothing to try, nothing to write.
        let held = match self.reg.store.job_leases().await {
            Ok(l) => l,
            Err(e) => {
                tracing::warn!("job runner: {e}");
                return;
            }
        };
        for job in &self.jobs {
            let name = job.name();
            if held.iter().any(|l| l.job == name && l.expires_at > now) {
                continue;
            }
            if !self.running.lock().is_ok_and(|mut r| r.insert(name)) {
                continue;
            }
            let me = Arc::clone(self);
            let job = Arc::clone(job);
            set.spawn(async move {
                let _running = Running(Arc::clone(&me), name);
                match me.run_job(&job).await {
                    Ok(r) => r,
                    Err(e) => {
                        tracing::warn!("job {name}: {e}");
                        None
                    }
                }
            });
        }
    }

    fn until(&self, now: jiff::Timestamp) -> Result<jiff::Timestamp> {
        now.checked_add(self.lease)
            .map_err(|e| AppError::Internal(e.to_string()))
    }

    async fn run_job(&self, job: &Arc<dyn Job>) -> Result<Option<Ran>> {
        let name = job.name();
        let store = &self.reg.store;
        // Looked at before the lease, so that an idle job costs reads only.
        if self.work(job).await?.is_none() {
            return Ok(None);
        }
        let now = self.reg.clock.now();
        if !store
            .take_lease(name, &self.holder, now, self.until(now)?)
            .await?
        {
            return Ok(None);
        }
        let ran = self.under_lease(job).await;
        // Only ours is deleted: a lease lost meanwhile stays its new holder's.
        store.release_lease(name, &self.holder).await?;
        ran
    }

    /// What the job has to do now, if anything: a run cut short first, then a request, queued work,
    /// and its schedule's slot.
    async fn work(&self, job: &Arc<dyn Job>) -> Result<Option<Work>> {
        let name = job.name();
        let store = &self.reg.store;
        if let Some(run) = store.unfinished_job_run(name).await? {
            return Ok(Some(Work::Resume(run)));
        }
        if job.on_request()
            && let Some(req) = store.job_request(name).await?
        {
            let slot = format!("manual:{}", req.requested_at);
            if store.job_run_for_slot(name, &slot).await?.is_none() {
                return Ok(Some(Work::New {
                    slot,
                    cause: RunCause::Manual,
                    request: Some(req),
                }));
            }
        }
        if let Some(item) = job.queued(&self.reg).await?
            && store.job_run_for_slot(name, &item).await?.is_none()
        {
            return Ok(Some(Work::New {
                slot: item,
                cause: RunCause::Queue,
                request: None,
            }));
        }
        if let Some(slot) = job.schedule().slot_at(self.reg.clock.now()) {
            let slot = slot.to_string();
            if store.job_run_for_slot(name, &slot).await?.is_none() {
                return Ok(Some(Work::New {
                    slot,
                    cause: RunCause::Schedule,
                    request: None,
                }));
            }
        }
        Ok(None)
    }

    async fn under_lease(&self, job: &Arc<dyn Job>) -> Result<Option<Ran>> {
        let name = job.name();
        let store = &self.reg.store;
        // Looked at again: another server may have run it between the first look and the lease.
        let Some(work) = self.work(job).await? else {
            return Ok(None);
        };
        let (run, request) = match work {
            Work::Resume(run) => {
                if !store.resume_job_run(&run.run_id, &self.holder).await? {
                    return Ok(None);
                }
                tracing::warn!(
                    "job {name}: taking up run {} left unfinished by {}",
                    run.run_id,
                    run.holder
                );
                let attempts = run.attempts + 1;
                let holder = self.holder.clone();
                (
                    JobRun {
                        holder,
                        attempts,
                        ..run
                    },
                    None,
                )
            }
            Work::New {
                slot,
                cause,
                request,
            } => {
                let run = JobRun {
                    run_id: self.reg.ids.id(),
                    job: name.to_string(),
                    slot,
                    cause,
                    holder: self.holder.clone(),
                    attempts: 1,
                    started_at: self.reg.clock.now(),
                    finished_at: None,
                    outcome: None,
                    items: 0,
                    error: None,
                    progress_done: None,
                    progress_total: None,
                };
                if !store.start_job_run(&run).await? {
                    return Ok(None);
                }
                (run, request)
            }
        };
        let ctx = RunContext::new((run.cause == RunCause::Queue).then(|| run.slot.clone()));
        let started = Instant::now();
        let Some(result) = self.run_renewing(job, &run, &ctx).await else {
            tracing::warn!(
                "job {name}: lease lost; run {} is its new holder's",
                run.run_id
            );
            metrics::counter!("tamwin_job_runs_total", "job" => name, "outcome" => "lease_lost")
                .increment(1);
            return Ok(Some(Ran {
                job: name,
                run_id: run.run_id,
                outcome: None,
                items: 0,
                attempts: run.attempts,
            }));
        };
        let (outcome, items, error) = match result {
            Ok(Done::Items(n)) => (JobOutcome::Ok, n, None),
            Ok(Done::Skipped(why)) => (JobOutcome::Skipped, 0, Some(why.to_string())),
            Ok(Done::Stopped { items, why }) => (JobOutcome::Failed, items, Some(why)),
            Err(e) => (JobOutcome::Failed, 0, Some(e.to_string())),
        };
        match (&error, outcome) {
            (Some(e), JobOutcome::Failed) => tracing::warn!("job {name} failed: {e}"),
            _ if items > 0 => tracing::info!("job {name}: {items} done"),
            _ => {}
        }
        let (done, total) = ctx.counters();
        if done > 0 || total.is_some() {
            store
                .job_progress(&run.run_id, &self.holder, done, total)
                .await?;
        }
        let finished = store
            .finish_job_run(&JobFinish {
                run_id: &run.run_id,
                holder: &self.holder,
                outcome,
                items: i64::try_from(items).unwrap_or(i64::MAX),
                error: error.as_deref(),
                at: self.reg.clock.now(),
            })
            .await?;
        if let Some(req) = request {
            store.clear_job_request(name, req.requested_at).await?;
        }
        metrics::counter!("tamwin_job_runs_total", "job" => name, "outcome" => outcome.code())
            .increment(1);
        metrics::histogram!("tamwin_job_duration_seconds", "job" => name)
            .record(started.elapsed().as_secs_f64());
        Ok(Some(Ran {
            job: name,
            run_id: run.run_id,
            outcome: finished.then_some(outcome),
            items,
            attempts: run.attempts,
        }))
    }

    /// The job's work, with the lease renewed and progress written every `renew_every`; None when the
    /// lease was lost (the work is dropped: its new holder runs it).
    async fn run_renewing(
        &self,
        job: &Arc<dyn Job>,
        run: &JobRun,
        ctx: &RunContext,
    ) -> Option<Result<Done>> {
        let name = job.name();
        let store = &self.reg.store;
        let work = job.run(&self.reg, ctx);
        // The heartbeat is a future of its own, polled beside the work: awaiting a renewal must never
        // stop the work being polled. (Inline in one loop, a renewal waiting on SQLite's write lock,
        // which the work held, starved the work: a cycle generation never finished.)
        let heartbeat = async {
            let mut beat = tokio::time::interval(self.renew_every);
            beat.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            beat.tick().await;
            loop {
                beat.tick().await;
                let Ok(until) = self.until(self.reg.clock.now()) else {
                    continue;
                };
                match store.renew_lease(name, &self.holder, until).await {
                    Ok(true) => {}
                    Ok(false) => return,
                    // The database is away or busy: the work will likely fail too, or the lease be lost.
                    Err(e) => tracing::warn!("job {name}: lease renewal: {e}"),
                }
                let (done, total) = ctx.counters();
                if (done > 0 || total.is_some())
                    && let Err(e) = store
                        .job_progress(&run.run_id, &self.holder, done, total)
                        .await
                {
                    tracing::warn!("job {name}: progress: {e}");
                }
            }
        };
        tokio::select! {
            r = work => Some(r),
            () = heartbeat => None,
        }
    }
}
