//! Numbers inside Arabic text (issue 13, point 14): the card number is printed one way everywhere
//! (`11-00012345-2`, as `CardNumber::display`), and numbers and dates are isolated left to right
//! and never broken at a dash.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{call, household, nid};
use serde_json::Value;
use std::sync::Arc;

tamwin_store::backend_tests! {
    async fn card_numbers_are_printed_one_way_and_isolated_on_every_backend(backend) {
        // A Saturday at 08:00 in Iraq: KRB-C01 has free slots today.
        let clock = Arc::new(tamwin_app::FixedClock(std::sync::Mutex::new(
            "2026-11-21T05:00:00Z".parse().unwrap(),
        )));
        let (backend, app, reg) = common::app_on_with_clock(backend, clock).await;
        let sys = tamwin_app::Actor::system("t");
        let o = reg
            .create_household(
                &serde_json::from_value(household(&nid(19_000_000_040))).unwrap(),
                &sys,
                None,
            )
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&o.body).unwrap();
        let raw = v["card_number"].as_str().unwrap().to_string();
        let printed = tamwin_domain::CardNumber::parse(&raw).unwrap().display();
        assert_ne!(raw, printed);
        let hid = v["household_id"].as_str().unwrap();
        let req = tamwin_app::appointments::BookingRequest {
            centre: Some("KRB-C01".into()),
            ..Default::default()
        };
        let o = reg
            .book_appointment(&hid.into(), &req, false, &sys, None)
            .await
            .unwrap();
        let id = serde_json::from_str::<Value>(&o.body).unwrap()["appointment_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, b, _) = call(&app, "GET", "/centre?centre=KRB-C01", None, &[]).await;
        assert!(
            b.contains(&format!(">{printed}</a>")),
            "{backend}: the queue: {b}"
        );
        assert!(!b.contains(&raw), "{backend}: the bare number in the queue");
        let (_, b, _) = call(&app, "GET", &format!("/centre/visits/{id}"), None, &[]).await;
        assert!(
            b.contains(&format!(r#"<span class="num">{printed}</span>"#)),
            "{backend}: the visit: {b}"
        );
        // (Point 8 on the visit page too: a made-up text in the link is not shown, a code is.)
        let made_up = "%D8%A7%D8%AA%D8%B5%D9%84%2007801234567";
        let uri = format!("/centre/visits/{id}?message={made_up}&error={made_up}");
        let (_, b, _) = call(&app, "GET", &uri, None, &[]).await;
        assert!(
            !b.contains("07801234567"),
            "{backend}: the visit reflects: {b}"
        );
        let uri = format!("/centre/visits/{id}?message=visit_done&error=attendance_incomplete");
        let (_, b, _) = call(&app, "GET", &uri, None, &[]).await;
        assert!(b.contains("اكتملت المعاملة."), "{backend}");
        assert!(b.contains(r#"id="visit-error""#), "{backend}");
        let (_, b, _) = call(&app, "GET", &format!("/households/{raw}"), None, &[]).await;
        assert!(
            b.contains(&format!(r#"<span class="num">{printed}</span>"#)),
            "{backend}"
        );
        // Dates in the members' table are isolated and kept whole.
        assert!(
            b.contains(r#"<td class="num">1980-05-17</td>"#),
            "{backend}"
        );
        // A mistyped number in the lookup: the catalog's refusal, its number isolated.
        let (_, b, _) = call(&app, "GET", "/?q=123", None, &[]).await;
        assert!(
            b.contains(r#"<bdi dir="ltr" class="ltr">12</bdi>"#),
            "{backend}: {b}"
        );
        let css = include_str!("../../assets/app.css");
        let num = css.lines().find(|l| l.starts_with(".num {")).unwrap();
        assert!(
            num.contains("unicode-bidi: isolate") && num.contains("white-space: nowrap"),
            "{num}"
        );
    }
}
