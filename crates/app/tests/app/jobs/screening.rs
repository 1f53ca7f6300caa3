//! An interrupted screening run finished by the other server without saving a finding twice.

use super::*;

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
