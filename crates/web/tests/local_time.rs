//! Pages show Iraq's local time (issue 13, point 15): at 22:30 UTC it is already the next day in
//! Baghdad (UTC+3); pages say so, readable to the minute, while the API keeps RFC 3339 in UTC.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{apps_with_clock, call, household, nid};
use serde_json::Value;
use std::sync::Arc;

#[tokio::test]
async fn pages_show_iraqs_local_time_on_every_backend() {
    let clock = Arc::new(tamwin_app::FixedClock(std::sync::Mutex::new(
        "2026-11-21T22:30:00Z".parse().unwrap(),
    )));
    for (backend, app, reg) in apps_with_clock(clock).await {
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
            let runs = reg.store.screening_runs(10).await.unwrap();
            if runs.iter().all(|r| r.status != "running") {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
}
