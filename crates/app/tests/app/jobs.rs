//! The job runner (issue 14, point 4) on both backends, with two runners on one database as two
//! servers: a job never runs twice at once and each due run happens once; a crashed holder's lease
//! expires and its run is taken up by the other; a failure is recorded with the next run; an
//! interrupted screening run is finished by the other server without saving a finding twice.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{advance, wired};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tamwin_app::jobs::{Done, Job, JobOutcome, RunContext, Runner, Schedule};
use tamwin_app::*;
use tamwin_domain::Geography;
use tamwin_domain::access::{Area, Role};
use tamwin_store::{FindingFilter, Store, testkit};

const NAME: &str = "test.count";

fn clock_at(at: &str) -> Arc<FixedClock> {
    Arc::new(FixedClock(Mutex::new(at.parse().unwrap())))
}

fn registry(store: Arc<dyn Store>, clock: Arc<FixedClock>) -> Arc<Registry> {
    Arc::new(Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        clock,
        Arc::new(RandomIds),
    ))
}

fn runner(reg: Arc<Registry>, job: Arc<dyn Job>) -> Arc<Runner> {
    let mut r = Runner::new(reg);
    r.register(job);
    Arc::new(r)
}

fn admin() -> Actor {
    Actor::staff("u1", "admin", Role::MinistryAdmin, Area::Nation, "web")
}

/// Counts its runs and how many run at once; each run takes a while, so that racing runners overlap.
#[derive(Default)]
struct Counting {
    fail_first: bool,
    runs: AtomicUsize,
    now: AtomicUsize,
    most: AtomicUsize,
}

#[async_trait::async_trait]
impl Job for Counting {
    fn name(&self) -> &'static str {
        NAME
    }
    fn schedule(&self) -> Schedule {
        Schedule::Every { minutes: 10 }
    }
    async fn run(&self, _reg: &Registry, _ctx: &RunContext) -> Result<Done> {
        let at_once = self.now.fetch_add(1, Ordering::SeqCst) + 1;
        self.most.fetch_max(at_once, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(40)).await;
        self.now.fetch_sub(1, Ordering::SeqCst);
        if self.runs.fetch_add(1, Ordering::SeqCst) == 0 && self.fail_first {
            return Err(AppError::Internal("the first run breaks".into()));
        }
        Ok(Done::Items(1))
    }
}

/// Hangs on its first run (the server dies there), finishes on the next.
#[derive(Default)]
struct Stalls {
    started: tokio::sync::Notify,
    stalled: AtomicBool,
}

#[async_trait::async_trait]
impl Job for Stalls {
    fn name(&self) -> &'static str {
        NAME
    }
    fn schedule(&self) -> Schedule {
        Schedule::Every { minutes: 10 }
    }
    async fn run(&self, _reg: &Registry, ctx: &RunContext) -> Result<Done> {
        ctx.progress(3, Some(7));
        if !self.stalled.swap(true, Ordering::SeqCst) {
            self.started.notify_one();
            std::future::pending::<()>().await;
        }
        Ok(Done::Items(7))
    }
}

tamwin_store::backend_tests! {
    #[multi_thread]
    async fn two_runners_never_run_a_job_at_once_and_each_due_run_happens_once_on_every_backend(
        (backend, one, two) in backend_pairs
    ) {
        let clock = clock_at("2026-11-21T09:03:00Z");
        let job = Arc::new(Counting::default());
        let a = runner(registry(one.clone(), clock.clone()), job.clone());
        let b = runner(registry(two, clock.clone()), job.clone());
        for round in 0..4 {
            // Both servers look at once, twice in the same slot.
            for look in 0..2 {
                let (ra, rb) = tokio::join!(a.run_due(), b.run_due());
                let expected = usize::from(look == 0);
                assert_eq!(
                    ra.len() + rb.len(),
                    expected,
                    "{backend}: round {round}, look {look}: {ra:?} {rb:?}"
                );
            }
            advance(&clock, 10);
        }
        assert_eq!(job.runs.load(Ordering::SeqCst), 4, "{backend}");
        assert_eq!(
            job.most.load(Ordering::SeqCst),
            1,
            "{backend}: never two at once"
        );
        let runs = one.job_runs(NAME, 10).await.unwrap();
        assert_eq!(runs.len(), 4, "{backend}");
        let slots: std::collections::BTreeSet<&str> =
            runs.iter().map(|r| r.slot.as_str()).collect();
        assert_eq!(
            slots.into_iter().collect::<Vec<_>>(),
            [
                "2026-11-21T09:00:00Z",
                "2026-11-21T09:10:00Z",
                "2026-11-21T09:20:00Z",
                "2026-11-21T09:30:00Z"
            ],
            "{backend}: one run per ten-minute slot"
        );
        assert!(
            runs.iter()
                .all(|r| r.outcome == Some(JobOutcome::Ok) && r.items == 1 && r.attempts == 1),
            "{backend}: {runs:?}"
        );
        assert!(
            one.job_leases().await.unwrap().is_empty(),
            "{backend}: leases given back"
        );
    }
}

tamwin_store::backend_tests! {
    #[multi_thread]
    async fn a_crashed_holders_lease_expires_and_the_other_server_takes_its_run_up_on_every_backend(
        (backend, one, two) in backend_pairs
    ) {
        let clock = clock_at("2026-11-21T09:03:00Z");
        let job = Arc::new(Stalls::default());
        let a = runner(registry(one.clone(), clock.clone()), job.clone());
        let b = runner(registry(two, clock.clone()), job.clone());
        // Server A starts the run and dies in the middle of it.
        let crashed = tokio::spawn({
            let a = a.clone();
            async move { a.run_due().await }
        });
        tokio::time::timeout(Duration::from_secs(20), job.started.notified())
            .await
            .expect("the run starts");
        crashed.abort();
        assert!(crashed.await.unwrap_err().is_cancelled());
        let left = one.unfinished_job_run(NAME).await.unwrap().unwrap();
        assert_eq!(
            (left.holder.as_str(), left.attempts),
            (a.holder(), 1),
            "{backend}"
        );

        // Its lease still holds for B: nothing runs twice.
        assert!(b.run_due().await.is_empty(), "{backend}: the lease is A's");
        advance(&clock, 1);
        assert!(b.run_due().await.is_empty(), "{backend}: not yet expired");
        // Two minutes without renewal: the lease has expired, B takes the same run up.
        advance(&clock, 2);
        let ran = b.run_due().await;
        assert_eq!(ran.len(), 1, "{backend}");
        assert_eq!(ran[0].run_id, left.run_id, "{backend}: the same run");
        assert_eq!(
            (ran[0].outcome, ran[0].attempts, ran[0].items),
            (Some(JobOutcome::Ok), 2, 7),
            "{backend}"
        );
        let runs = one.job_runs(NAME, 10).await.unwrap();
        assert_eq!(runs.len(), 1, "{backend}: {runs:?}");
        assert_eq!(runs[0].holder, b.holder(), "{backend}");
        assert_eq!(
            (runs[0].progress_done, runs[0].progress_total),
            (Some(3), Some(7)),
            "{backend}: progress counters kept"
        );
        // The slot is done: A, back, finds nothing to do.
        assert!(a.run_due().await.is_empty(), "{backend}");
    }
}

tamwin_store::backend_tests! {
    #[multi_thread]
    async fn a_stopped_server_gives_its_leases_back_and_the_other_takes_its_run_up_at_once_on_every_backend(
        (backend, one, two) in backend_pairs
    ) {
        let clock = clock_at("2026-11-21T09:03:00Z");
        let job = Arc::new(Stalls::default());
        let a = runner(registry(one.clone(), clock.clone()), job.clone());
        let b = runner(registry(two, clock.clone()), job.clone());
        // Server A's loop starts the run; A is stopped (Ctrl-C) in the middle of it.
        let handle = a.clone().start();
        tokio::time::timeout(Duration::from_secs(20), job.started.notified())
            .await
            .expect("the run starts");
        a.stop(handle).await;
        assert!(
            one.job_leases().await.unwrap().is_empty(),
            "{backend}: no lease left"
        );
        // No waiting for an expiry: B takes the same run up at once.
        let left = one.unfinished_job_run(NAME).await.unwrap().unwrap();
        let ran = b.run_due().await;
        assert_eq!(ran.len(), 1, "{backend}");
        assert_eq!(
            (ran[0].run_id.as_str(), ran[0].outcome, ran[0].attempts),
            (left.run_id.as_str(), Some(JobOutcome::Ok), 2),
            "{backend}"
        );
    }
}

tamwin_store::backend_tests! {
    async fn a_failed_run_is_recorded_and_the_job_runs_at_its_next_slot_on_every_backend(
        (backend, store) in backends
    ) {
        let clock = clock_at("2026-11-21T09:03:00Z");
        let job = Arc::new(Counting {
            fail_first: true,
            ..Default::default()
        });
        let r = runner(registry(store.clone(), clock.clone()), job.clone());
        let ran = r.run_due().await;
        assert_eq!(ran[0].outcome, Some(JobOutcome::Failed), "{backend}");
        let run = store.job_runs(NAME, 1).await.unwrap().remove(0);
        assert_eq!(run.outcome, Some(JobOutcome::Failed), "{backend}");
        assert!(
            run.error
                .as_deref()
                .unwrap_or("")
                .contains("the first run breaks"),
            "{backend}: {run:?}"
        );
        assert!(run.finished_at.is_some(), "{backend}");
        // Not again within its slot: the next run is the next slot's.
        advance(&clock, 5);
        assert!(r.run_due().await.is_empty(), "{backend}");
        advance(&clock, 5);
        let ran = r.run_due().await;
        assert_eq!(ran[0].outcome, Some(JobOutcome::Ok), "{backend}");
        assert_eq!(job.runs.load(Ordering::SeqCst), 2, "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn the_nightly_reconciliation_is_scheduled_in_iraq_time_and_its_failure_shown_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, clock, transport) = wired(store.clone()).await;
        let reg = Arc::new(reg);
        let m = serde_json::json!({"national_id": tamwin_domain::NationalId::from_payload(62_000_000_011).unwrap().to_string(),
            "given_name": "سلمان", "father_name": "داود", "grandfather_name": "سلمان",
            "mother_name": "نجلاء علي حسن", "birth_date": "1950-01-01", "sex": "male", "relation": "head"});
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[common::civil(&m, None)])
            .await
            .unwrap();
        let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101", "address": "دار 3", "members": [m]})).unwrap();
        reg.create_household(&h, &Actor::system("t"), None)
            .await
            .unwrap();
        let nightly = Arc::new(Runner::only(reg.clone(), &[jobs::RECONCILE]));
        // 12:00 in Baghdad: last night's run is too far back to catch up; tonight's is at 02:00.
        assert!(nightly.run_due().await.is_empty(), "{backend}");
        let view = |name: &'static str| {
            let reg = reg.clone();
            async move {
                reg.jobs_overview(&admin())
                    .await
                    .unwrap()
                    .into_iter()
                    .find(|j| j.name == name)
                    .unwrap()
            }
        };
        let j = view(jobs::RECONCILE).await;
        assert_eq!(j.schedule, "daily", "{backend}");
        assert_eq!(j.daily_at.as_deref(), Some("02:00"), "{backend}");
        assert_eq!(
            j.next_run.as_deref(),
            Some("2026-11-21T23:00:00Z"),
            "{backend}"
        );
        assert!(j.last_run.is_none(), "{backend}");

        // 02:30 in Baghdad, the hub down: the run fails, and waits for the next night.
        *clock.0.lock().unwrap() = "2026-11-21T23:30:00Z".parse().unwrap();
        transport.set_down(true);
        let ran = nightly.run_due().await;
        assert_eq!(
            ran[0].outcome,
            Some(JobOutcome::Failed),
            "{backend}: {ran:?}"
        );
        let j = view(jobs::RECONCILE).await;
        let last = j.last_run.unwrap();
        assert_eq!(last.outcome.as_deref(), Some("failed"), "{backend}");
        assert!(last.error.unwrap().contains("hub"), "{backend}");
        assert_eq!(last.duration_seconds, Some(0.0), "{backend}");
        assert_eq!(
            j.next_run.as_deref(),
            Some("2026-11-22T23:00:00Z"),
            "{backend}"
        );
        transport.set_down(false);
        assert!(
            nightly.run_due().await.is_empty(),
            "{backend}: once a night"
        );
        advance(&clock, 24 * 60);
        let ran = nightly.run_due().await;
        assert_eq!(
            (ran[0].outcome, ran[0].items),
            (Some(JobOutcome::Ok), 1),
            "{backend}"
        );

        // A job never run is due now; screening runs have no next run until one is started.
        let j = view("appointments.reminders").await;
        assert_eq!(
            (j.schedule.as_str(), j.every_minutes),
            ("every", Some(10)),
            "{backend}"
        );
        assert_eq!(
            j.next_run.as_deref(),
            Some("2026-11-22T23:30:00Z"),
            "{backend}"
        );
        let j = view(jobs::SCREENING).await;
        assert_eq!((j.next_run, j.on_request), (None, false), "{backend}");
        // Only staff who administer see the jobs.
        let officer = Actor::staff("u2", "o", Role::CentreOfficer, Area::Nation, "web");
        assert!(matches!(
            reg.jobs_overview(&officer).await,
            Err(AppError::Forbidden)
        ));
    }
}

tamwin_store::backend_tests! {
    async fn run_now_runs_a_job_once_more_and_only_an_administrator_asks_on_every_backend(
        (backend, store) in backends
    ) {
        let clock = clock_at("2026-11-21T09:03:00Z");
        let reg = registry(store.clone(), clock.clone());
        reg.prepare().await.unwrap();
        let r = Arc::new(Runner::only(reg.clone(), &["sign_in.throttles"]));
        assert_eq!(r.run_due().await.len(), 1, "{backend}");
        assert!(r.run_due().await.is_empty(), "{backend}");
        let supervisor = Actor::staff(
            "u3",
            "s",
            Role::GovernorateSupervisor,
            Area::Governorate("11".into()),
            "web",
        );
        assert!(matches!(
            reg.request_job_run("sign_in.throttles", &supervisor).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            reg.request_job_run("no.such.job", &admin()).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(
            reg.request_job_run(jobs::SCREENING, &admin())
                .await
                .unwrap_err()
                .code(),
            "job_not_on_request"
        );
        reg.request_job_run("sign_in.throttles", &admin())
            .await
            .unwrap();
        let j = reg.jobs_overview(&supervisor).await.unwrap();
        let j = j.iter().find(|j| j.name == "sign_in.throttles").unwrap();
        assert_eq!(j.requested_by.as_deref(), Some("admin"), "{backend}");
        let ran = r.run_due().await;
        assert_eq!(ran.len(), 1, "{backend}: the extra run");
        let runs = store.job_runs("sign_in.throttles", 5).await.unwrap();
        assert_eq!(
            runs[0].cause,
            tamwin_domain::job::RunCause::Manual,
            "{backend}"
        );
        assert!(
            store
                .job_request("sign_in.throttles")
                .await
                .unwrap()
                .is_none()
        );
        assert!(r.run_due().await.is_empty(), "{backend}: once");
    }
}

async fn findings(store: &Arc<dyn Store>) -> usize {
    store
        .findings(&FindingFilter {
            limit: 100_000,
            ..Default::default()
        })
        .await
        .unwrap()
        .len()
}

tamwin_store::backend_tests! {
    #[multi_thread]
    async fn an_interrupted_screening_run_is_finished_by_the_other_server_on_every_backend(
        (backend, one, two) in backend_pairs
    ) {
        // Both servers ask the reference civil registry through the hub, in-process.
        let (wa, clock, _) = wired(one.clone()).await;
        *clock.0.lock().unwrap() = "2026-11-21T09:03:00Z".parse().unwrap();
        let mut wb = Registry::new(
            two.clone(),
            Arc::new(Geography::builtin().unwrap()),
            clock.clone(),
            Arc::new(RandomIds),
        );
        if let Some(hub) = wa.hub_client() {
            wb.set_hub(hub.clone());
        }
        let (a, b) = (Arc::new(wa), Arc::new(wb));
        let dir =
            std::env::temp_dir().join(format!("tamwin-jobs-{backend}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        common::populate(&a, &dir, 200).await;
        let auditor = Actor::staff("u4", "auditor", Role::Auditor, Area::Nation, "web");
        // Started from the page: queued, nothing runs it until a runner looks.
        let started = a.start_screening(&auditor).await.unwrap();
        let ra = Arc::new(Runner::only(a.clone(), &[jobs::SCREENING]));
        let ran = ra.run_due().await;
        assert_eq!(ran[0].outcome, Some(JobOutcome::Ok), "{backend}: {ran:?}");
        let total = findings(&one).await;
        assert!(total >= 4, "{backend}: {total} findings");

        // What a crash of server A after saving the first half of the findings leaves: the run
        // still running, half its findings saved, A's lease not yet expired.
        let half = total / 2;
        for sql in [
            format!(
                "UPDATE screening_runs SET status = 'running', finished_at = NULL, summary = '' WHERE run_id = '{}'",
                started.run_id
            ),
            "UPDATE job_runs SET outcome = NULL, finished_at = NULL".to_string(),
            format!(
                "DELETE FROM screening_findings WHERE finding_id IN (SELECT finding_id FROM screening_findings ORDER BY finding_id LIMIT {half})"
            ),
        ] {
            one.execute_unchecked(&sql).await.unwrap();
        }
        let now = clock.now();
        let until = now.checked_add(jiff::SignedDuration::from_mins(2)).unwrap();
        assert!(
            one.take_lease(jobs::SCREENING, ra.holder(), now, until)
                .await
                .unwrap()
        );

        let rb = Arc::new(Runner::only(b.clone(), &[jobs::SCREENING]));
        assert!(rb.run_due().await.is_empty(), "{backend}: A's lease holds");
        advance(&clock, 3);
        let ran = rb.run_due().await;
        assert_eq!(ran.len(), 1, "{backend}");
        assert_eq!(
            (ran[0].outcome, ran[0].attempts),
            (Some(JobOutcome::Ok), 2),
            "{backend}"
        );
        let run = two.screening_run(&started.run_id).await.unwrap().unwrap();
        assert_eq!(run.status, "done", "{backend}: {:?}", run.error);
        assert!(
            run.summary
                .contains(&format!("{total} findings, {half} new")),
            "{backend}: the saved half skipped: {}",
            run.summary
        );
        assert_eq!(findings(&one).await, total, "{backend}: none twice");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

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

tamwin_store::backend_tests! {
    #[multi_thread]
    async fn one_of_many_servers_takes_a_lease_and_another_only_once_it_expired_on_every_backend(
        (backend, one, two) in backend_pairs
    ) {
        let at = |s: &str| s.parse::<jiff::Timestamp>().unwrap();
        let (now, until) = (at("2026-11-21T09:00:00Z"), at("2026-11-21T09:02:00Z"));
        // Sixteen holders on two pools ask at the same instant.
        let tries: Vec<_> = (0..16)
            .map(|i| {
                let s = if i % 2 == 0 { one.clone() } else { two.clone() };
                tokio::spawn(async move {
                    let holder = format!("h{i}");
                    s.take_lease("race", &holder, now, until)
                        .await
                        .unwrap()
                        .then_some(holder)
                })
            })
            .collect();
        let mut won = Vec::new();
        for t in tries {
            won.extend(t.await.unwrap());
        }
        assert_eq!(won.len(), 1, "{backend}: {won:?}");
        let holder = won.remove(0);
        let later = at("2026-11-21T09:01:59Z");
        assert!(
            !two.take_lease("race", "other", later, at("2026-11-21T09:03:59Z"))
                .await
                .unwrap(),
            "{backend}"
        );
        // Expired: another takes it, and the old holder's renewal says it is lost.
        let expired = at("2026-11-21T09:02:00Z");
        assert!(
            two.take_lease("race", "other", expired, at("2026-11-21T09:04:00Z"))
                .await
                .unwrap(),
            "{backend}"
        );
        assert!(
            !one.renew_lease("race", &holder, at("2026-11-21T09:05:00Z"))
                .await
                .unwrap(),
            "{backend}"
        );
        assert!(
            one.renew_lease("race", "other", at("2026-11-21T09:05:00Z"))
                .await
                .unwrap(),
            "{backend}"
        );
        // Giving it back deletes only one's own.
        one.release_lease("race", &holder).await.unwrap();
        assert_eq!(
            one.job_leases().await.unwrap()[0].holder,
            "other",
            "{backend}"
        );
    }
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
