//! Schedules: a failed run recorded with the next slot, the nightly reconciliation in Iraq time with
//! its failure shown, and a run asked for now (by an administrator only).

use super::*;

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
