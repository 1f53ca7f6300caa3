//! Leases between servers: a job never runs twice at once, a crashed holder's lease expires, a
//! stopped server gives its leases back, and another server takes a lease only once it expired.

use super::*;

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
