//! The one job runner (issue 14, point 4; docs/jobs.md). All background work is a `Job`: a name, a
//! schedule (every N minutes, daily at an Iraq time, or when work is queued) and its work. The
//! `Runner` runs what is due under a lease per job (`JobStore`), so that two servers on one database
//! never run a job at once, records every run, and takes up a run whose holder crashed.
//! A new kind of background work (the monthly cycle generation) is one more `Job` and one
//! `Runner::register`.

mod builtin;
mod runner;
mod view;

pub use builtin::{RECONCILE, SCREENING, standard_jobs};
pub use runner::{Ran, Runner};
pub use view::{JobRunView, JobView};

use crate::{Registry, Result};
use std::sync::atomic::{AtomicI64, Ordering};
pub use tamwin_domain::job::{JobOutcome, RunCause, Schedule};

/// What a run came to, as the job tells it (an `Err` is a failure with its text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// Done, with how many items (reminders sent, holds placed…).
    Items(u64),
    /// Nothing to do this time, and why: a code the page has a text for (`job_reason_<code>`).
    Skipped(&'static str),
    /// Stopped part way, to go on next time: a failure with items, and why (a code, as above).
    Stopped { items: u64, why: String },
}

/// Handed to a running job: where it reports progress, which the runner writes to the run's row
/// while it renews the lease.
#[derive(Debug, Default)]
pub struct RunContext {
    done: AtomicI64,
    /// Negative: not known.
    total: AtomicI64,
    /// The queued item this run is for (a screening run's id), for queued jobs.
    pub item: Option<String>,
}

impl RunContext {
    pub(crate) fn new(item: Option<String>) -> Self {
        Self {
            done: AtomicI64::new(0),
            total: AtomicI64::new(-1),
            item,
        }
    }

    /// Items done so far and, when known, of how many.
    pub fn progress(&self, done: u64, total: Option<u64>) {
        self.done.store(done as i64, Ordering::Relaxed);
        self.total
            .store(total.map_or(-1, |t| t as i64), Ordering::Relaxed);
    }

    pub(crate) fn counters(&self) -> (i64, Option<i64>) {
        let total = self.total.load(Ordering::Relaxed);
        (
            self.done.load(Ordering::Relaxed),
            (total >= 0).then_some(total),
        )
    }
}

/// A kind of background work.
#[async_trait::async_trait]
pub trait Job: Send + Sync {
    /// Stable: it names the lease, the runs, the metrics and the catalog's label (`job_<name>`).
    fn name(&self) -> &'static str;
    fn schedule(&self) -> Schedule;
    /// For `Schedule::Queued` jobs: the key of the work waiting, if any.
    async fn queued(&self, _reg: &Registry) -> Result<Option<String>> {
        Ok(None)
    }
    /// Whether staff may ask for an extra run ("run now"): not for queued work, which has its own page.
    fn on_request(&self) -> bool {
        !matches!(self.schedule(), Schedule::Queued)
    }
    async fn run(&self, reg: &Registry, ctx: &RunContext) -> Result<Done>;
}
