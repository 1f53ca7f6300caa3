//! Pages show Iraq's local time (issue 13, point 15): at 22:30 UTC it is already the next day in
//! Baghdad (UTC+3); pages say so, readable to the minute, while the API keeps RFC 3339 in UTC.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{call, household, nid};
use serde_json::Value;
use std::sync::Arc;

tamwin_store::backend_tests! {
    async fn pages_show_iraqs_local_time_on_every_backend(backend) {
        let clock = Arc::new(tamwin_app::FixedClock(std::sync::Mutex::new(
            "2026-11-21T22:30:00Z".parse().unwrap(),
        )));
        let (backend, app, reg) = common::app_on_with_clock(backend, clock).await;
        // The hold on a member without a national ID is placed now: on the 22nd in Iraq.
        let o = reg
            .create_household(
                &serde_json::from_value(household(&nid(19_000_000_030))).unwrap(),
                &tamwin_app::Actor::system("t"),
                None,
            )
            .await
            .unwrap();
        let card = serde_json::from_str::<Value>(&o.body).unwrap()["card_number"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, b, _) = call(&app, "GET", &format!("/households/{card}"), None, &[]).await;
        assert!(
            b.contains(r#"<span class="num">2026-11-22</span>"#),
            "{backend}: the hold's day in Iraq: {b}"
        );
        assert!(!b.contains("2026-11-21"), "{backend}: not the UTC day");
        // A screening run started now: 01:30 on the 22nd on the page, RFC 3339 UTC in the API.
        let admin = reg
            .staff_session("admin", "admin password 1")
            .await
            .unwrap();
        reg.start_screening(&admin.actor).await.unwrap();
        let (_, b, _) = call(&app, "GET", "/screening", None, &[]).await;
        assert!(
            b.contains(r#"<span class="num">2026-11-22 01:30</span>"#),
            "{backend}: the run's start in Iraq: {b}"
        );
        assert!(
            !b.contains("2026-11-21T22:30"),
            "{backend}: no raw RFC 3339"
        );
        let (_, j, _) = call(&app, "GET", "/api/v1/screening/runs", None, &[]).await;
        assert!(j.contains("2026-11-21T22:30:00Z"), "{backend}: {j}");
        // Let the run finish before the next backend: the job runner runs it, as a server's would.
        std::sync::Arc::new(tamwin_app::jobs::Runner::only(
            reg.clone(),
            &[tamwin_app::jobs::SCREENING],
        ))
        .run_due()
        .await;
        for _ in 0..600 {
            let runs = reg.store().screening_runs(10).await.unwrap();
            if runs.iter().all(|r| r.status != "running") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}

tamwin_store::backend_tests! {
    /// The jobs page (issue 14, point 4): last and next run in Iraq time on the page, UTC in the API; the
    /// administrator's "run now" is CSRF-checked and shown as asked for.
    async fn the_jobs_page_shows_runs_in_iraq_time_and_takes_run_now_on_every_backend(backend) {
        let clock = Arc::new(tamwin_app::FixedClock(std::sync::Mutex::new(
            "2026-11-21T22:33:00Z".parse().unwrap(),
        )));
        let (backend, app, reg) = common::app_on_with_clock(backend, clock).await;
        let runner = Arc::new(tamwin_app::jobs::Runner::only(
            reg.clone(),
            &["sign_in.throttles"],
        ));
        assert_eq!(runner.run_due().await.len(), 1, "{backend}");
        let (s, b, _) = call(&app, "GET", "/jobs", None, &[]).await;
        assert_eq!(s.as_u16(), 200, "{backend}: {b}");
        assert!(
            b.contains("dir=\"rtl\"") && b.contains("المهام الخلفية"),
            "{backend}"
        );
        assert!(
            b.contains(r#"<tr class="job" data-job="sign_in.throttles" data-outcome="ok">"#),
            "{backend}: {b}"
        );
        // Last run at 01:33 on the 22nd in Baghdad, the next at 01:40; not yet run: now's slot.
        assert!(
            b.contains(r#"<span class="num">2026-11-22 01:33</span>"#),
            "{backend}"
        );
        assert!(
            b.contains(r#"<span class="num">2026-11-22 01:40</span>"#),
            "{backend}"
        );
        assert!(
            b.contains(r#"<span class="num">2026-11-22 01:30</span>"#),
            "{backend}"
        );
        assert!(
            b.contains("كل <span class=\"num\">10</span> دقائق"),
            "{backend}"
        );
        let (_, j, _) = call(&app, "GET", "/api/v1/jobs", None, &[]).await;
        let jobs: Value = serde_json::from_str(&j).unwrap();
        let throttles = jobs
            .as_array()
            .unwrap()
            .iter()
            .find(|j| j["name"] == "sign_in.throttles")
            .unwrap();
        assert_eq!(throttles["next_run"], "2026-11-21T22:40:00Z", "{backend}");
        assert_eq!(throttles["last_run"]["outcome"], "ok", "{backend}");

        let (s, _) = post_form(&app, "/jobs/sign_in.throttles/run", "csrf=forged").await;
        assert_eq!(s, 403, "{backend}: the CSRF token is checked");
        let body = format!("csrf={}", app.csrf);
        let (s, to) = post_form(&app, "/jobs/sign_in.throttles/run", &body).await;
        assert_eq!(s, 303, "{backend}");
        assert!(to.contains("message=job_requested"), "{backend}: {to}");
        let (_, b, _) = call(&app, "GET", &to, None, &[]).await;
        assert!(b.contains("ستعمل المهمة في أقرب فرصة."), "{backend}: {b}");
        assert!(b.contains("طلبها <bdi>admin</bdi>"), "{backend}");
        // Screening runs start from their own page.
        let (_, to) = post_form(&app, "/jobs/screening.run/run", &body).await;
        assert!(to.contains("error=job_not_on_request"), "{backend}: {to}");
        let (_, b, _) = call(&app, "GET", &to, None, &[]).await;
        assert!(b.contains("لا تُشغَّل هذه المهمة يدوياً"), "{backend}");
        let (_, b, _) = call(&app, "GET", "/jobs?lang=en", None, &[]).await;
        assert!(
            b.contains("Background jobs") && !b.contains("المهام الخلفية"),
            "{backend}"
        );
        assert_eq!(runner.run_due().await.len(), 1, "{backend}: run once more");
    }
}

/// A form posted with the administrator's session: the status and where it sends the browser.
async fn post_form(app: &common::TestApp, path: &str, body: &str) -> (u16, String) {
    let headers = [
        ("content-type", "application/x-www-form-urlencoded"),
        ("cookie", app.cookie.as_str()),
    ];
    let (s, _, h) = call(app, "POST", path, Some(body), &headers).await;
    let to = h
        .get("location")
        .and_then(|l| l.to_str().ok())
        .unwrap_or_default();
    (s.as_u16(), to.to_string())
}
