//! A server's runner: it looks for work once a tick and when woken, and counts every run by job and
//! outcome with its duration.

use super::*;

/// Counts how often the runner looks whether it has work.
#[derive(Default)]
struct Idle {
    looks: AtomicUsize,
}

#[async_trait::async_trait]
impl Job for Idle {
    fn name(&self) -> &'static str {
        NAME
    }
    fn schedule(&self) -> Schedule {
        Schedule::Queued
    }
    async fn queued(&self, _reg: &Registry) -> Result<Option<String>> {
        self.looks.fetch_add(1, Ordering::SeqCst);
        Ok(None)
    }
    async fn run(&self, _reg: &Registry, _ctx: &RunContext) -> Result<Done> {
        Ok(Done::Skipped("nothing_queued"))
    }
}

#[tokio::test]
async fn a_server_runner_looks_once_a_tick_and_when_woken() {
    let store = testkit::sqlite().await;
    let reg = registry(store, clock_at("2026-11-21T09:03:00Z"));
    let job = Arc::new(Idle::default());
    let loop_ = runner(reg.clone(), job.clone());
    let handle = Arc::clone(&loop_).start();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        job.looks.load(Ordering::SeqCst),
        1,
        "one look, then the tick's wait"
    );
    reg.jobs_wake().notify_one();
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(job.looks.load(Ordering::SeqCst), 2, "woken: one more look");
    handle.abort();
}

#[tokio::test]
async fn every_run_is_counted_by_job_and_outcome_with_its_duration() {
    let tallies = Arc::new(common::recorder::Tallies::default());
    // The only test of this binary that installs a recorder (one per process).
    metrics::set_global_recorder(common::recorder::Recorder(tallies.clone())).unwrap();
    let store = testkit::sqlite().await;
    let reg = registry(store, clock_at("2026-11-21T09:03:00Z"));
    reg.prepare().await.unwrap();
    let r = Arc::new(Runner::only(reg, &["appointments.reminders"]));
    assert_eq!(r.run_due().await.len(), 1);
    assert_eq!(
        tallies.get("tamwin_job_runs_total{job=appointments.reminders,outcome=ok}"),
        1
    );
    assert_eq!(
        tallies.get("tamwin_job_duration_seconds{job=appointments.reminders}"),
        1
    );
}
