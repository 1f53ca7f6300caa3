//! Screening over HTTP on both backends: the shapes of the queue (identities, counts, keyset cursor),
//! of a finding whose match lies outside the caller's area (said, not shown), of the appeals inbox and
//! of the citizen's findings (the outcome's reason and what to do next); the role checked before the
//! body, whatever its faults.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{ANON, TestApp, call, nid};
use serde_json::{Value, json};
use std::sync::Arc;
use tamwin_app::{Actor, Registry};
use tamwin_store::{ChangeLog, ScreeningFinding, ScreeningRun};

struct Card {
    card: String,
    household_id: String,
    member_id: String,
}

async fn create(reg: &Registry, district: &str, id: u64, given: &str, phone: Option<&str>) -> Card {
    let h = json!({
        "governorate": &district[..2], "district": district, "address": "دار 1", "phone": phone,
        "members": [{"national_id": nid(id), "given_name": given, "father_name": "جواد", "grandfather_name": "مهدي",
            "family_name": "الحسيني", "mother_name": "زهراء علي حسن", "birth_date": "1970-01-01", "sex": "male",
            "relation": "head"}]
    });
    let o = reg
        .create_household(
            &serde_json::from_value(h).unwrap(),
            &Actor::system("t"),
            None,
        )
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&o.body).unwrap();
    let card = v["card_number"].as_str().unwrap().to_string();
    let rec = reg
        .store()
        .household_by_card(&tamwin_domain::CardNumber::parse(&card).unwrap())
        .await
        .unwrap()
        .unwrap();
    Card {
        card,
        household_id: rec.household.household_id.to_string(),
        member_id: rec.members[0].member_id.to_string(),
    }
}

/// Two findings on card `a`: a duplicate of card `b` and a fictitious member.
async fn findings(reg: &Registry, a: &Card, b: &Card) {
    let at: jiff::Timestamp = "2026-11-21T09:00:00Z".parse().unwrap();
    let log = ChangeLog {
        change_id: "c-run".into(),
        at,
        actor: "t".into(),
        role: "system".into(),
        area: "nation".into(),
        kind: "screening_started",
        member_id: None,
        reason: None,
        details: json!({}),
        channel: "cli",
    };
    let run = ScreeningRun {
        run_id: "run-1".into(),
        started_by: "t".into(),
        started_at: at,
        finished_at: None,
        status: "running".into(),
        phase: "load".into(),
        done: 0,
        total: 0,
        written: 0,
        summary: String::new(),
        error: None,
    };
    reg.store().start_screening_run(&run, &log).await.unwrap();
    let f = |n: usize, other: Option<&Card>, score: i64| ScreeningFinding {
        finding_id: format!("f-{n}").into(),
        run_id: "run-1".into(),
        kind: if other.is_some() {
            tamwin_domain::screening::FindingKind::Duplicate
        } else {
            tamwin_domain::screening::FindingKind::Fictitious
        },
        household_id: a.household_id.clone().into(),
        member_id: a.member_id.clone().into(),
        other_household_id: other.map(|o| o.household_id.as_str().into()),
        other_member_id: other.map(|o| o.member_id.as_str().into()),
        other_national_id: None,
        pair_key: format!("t:{n}"),
        score_micros: score,
        decision: tamwin_domain::screening::ScreenDecision::Hold,
        explanation: "given=exact(+3.41,tf-1.20);father=exact(+2.10)".into(),
        status: tamwin_domain::screening::FindingStatus::Pending,
        created_at: at,
        decided_at: None,
        decided_by: None,
        decision_note: None,
        effective_at: None,
        hold_id: None,
    };
    reg.store()
        .save_findings("run-1", &[f(0, Some(b), 990_000), f(1, None, 700_000)], 2)
        .await
        .unwrap();
}

async fn token(reg: &Registry, role: &str, area: &str) -> String {
    reg.create_token(role, role, area, 30, &Actor::system("t"))
        .await
        .unwrap()
        .1
}

async fn get(app: &TestApp, token: &str, uri: &str) -> (u16, Value) {
    let auth = format!("Bearer {token}");
    let (s, body, _) = call(app, "GET", uri, None, &[("authorization", &auth)]).await;
    (
        s.as_u16(),
        serde_json::from_str(&body).unwrap_or(Value::Null),
    )
}

async fn post(app: &TestApp, token: &str, uri: &str, body: &str) -> (u16, String) {
    let auth = format!("Bearer {token}");
    let (s, body, _) = call(app, "POST", uri, Some(body), &[("authorization", &auth)]).await;
    (s.as_u16(), body)
}

tamwin_store::backend_tests! {
    async fn screening_api_shapes_area_redaction_and_role_first_on_every_backend(backend) {
        let clock = common::clock();
        let (backend, app, reg) = common::app_on_with_clock(backend, clock.clone()).await;
        let reg: Arc<Registry> = reg;
        // Each backend starts on the same morning.
        *clock.0.lock().unwrap() = "2026-11-21T09:00:00Z".parse().unwrap();
        let phone = "07809990123";
        let a = create(&reg, "1101", 44_000_000_001, "كاظم", Some(phone)).await;
        let b = create(&reg, "1201", 44_000_000_002, "حيدر", None).await;
        findings(&reg, &a, &b).await;
        let district = token(&reg, "auditor", "1101").await;
        let nation = token(&reg, "auditor", "nation").await;
        let analyst = token(&reg, "analyst", "nation").await;
        reg.add_staff(
            "aud.centre",
            "auditor",
            "1101",
            Some("centre password 1"),
            &Actor::system("t"),
        )
        .await
        .unwrap();

        // The other card lies in Najaf: the centre's auditor is told so, without its data.
        let (s, v) = get(&app, &district, "/api/v1/screening/findings/f-0").await;
        assert_eq!(s, 200, "{backend}: {v}");
        assert_eq!(v["other"], Value::Null, "{backend}: {v}");
        assert_eq!(v["other_outside_area"], true, "{backend}: {v}");
        assert_eq!(v["finding"]["other_household_id"], Value::Null, "{backend}");
        let text = v.to_string();
        for secret in [
            b.card.as_str(),
            &nid(44_000_000_002),
            "حيدر",
            &b.household_id,
        ] {
            assert!(!text.contains(secret), "{backend}: {secret} in {text}");
        }
        assert_eq!(v["member"]["card_number"], a.card.as_str(), "{backend}");
        // An auditor whose area covers both sees both.
        let (_, v) = get(&app, &nation, "/api/v1/screening/findings/f-0").await;
        assert_eq!(v["other"]["card_number"], b.card.as_str(), "{backend}: {v}");
        assert_eq!(v["other_outside_area"], false, "{backend}");
        // Every household shown was read, in the audit log.
        let read = |h: String| {
            let reg = reg.clone();
            async move {
                reg.store()
                    .household_audit(&h.as_str().into(), &["household.read"], 100)
                    .await
                    .unwrap()
                    .iter()
                    .filter(|e| e.details.contains("screening.finding"))
                    .count()
            }
        };
        assert_eq!(read(a.household_id.clone()).await, 2, "{backend}");
        assert_eq!(read(b.household_id.clone()).await, 1, "{backend}");

        // The queue: one keyset page at a time, with who each finding concerns and the counts.
        let (s, v) = get(&app, &district, "/api/v1/screening/findings?limit=1").await;
        assert_eq!(s, 200, "{backend}: {v}");
        assert_eq!(
            v["items"][0]["finding"]["finding_id"], "f-0",
            "{backend}: {v}"
        );
        assert_eq!(
            v["items"][0]["who"]["card_number"],
            a.card.as_str(),
            "{backend}"
        );
        assert_eq!(v["items"][0]["who"]["district"], "1101", "{backend}");
        assert!(
            v["items"][0]["who"]["member_name"]
                .as_str()
                .unwrap()
                .starts_with("كاظم جواد مهدي"),
            "{backend}: {v}"
        );
        let counts = v["counts"].as_array().unwrap();
        assert_eq!(counts.len(), 2, "{backend}: {v}");
        assert!(
            counts
                .iter()
                .all(|c| c["status"] == "pending" && c["count"] == 1),
            "{backend}: {v}"
        );
        let next = v["next_after"].as_str().unwrap().to_string();
        let (_, v) = get(
            &app,
            &district,
            &format!("/api/v1/screening/findings?limit=1&after={next}"),
        )
        .await;
        assert_eq!(
            v["items"][0]["finding"]["finding_id"], "f-1",
            "{backend}: {v}"
        );
        let (s, _) = get(&app, &district, "/api/v1/screening/findings?after=zz").await;
        assert_eq!(s, 422, "{backend}");
        let (_, v) = get(&app, &district, "/api/v1/screening/findings?district=1102").await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0, "{backend}");

        // The role before the body: an analyst is refused whatever they send.
        for body in [
            "{\"decision\":\"bogus\"}",
            "not json",
            "{\"decision\":\"confirm\",\"note\":\"x\"}",
        ] {
            for uri in [
                "/api/v1/screening/findings/f-0/decision",
                "/api/v1/screening/appeals/none/decision",
                "/api/v1/me/findings/f-0/appeals",
                "/api/v1/exemptions",
            ] {
                let (s, text) = post(&app, &analyst, uri, body).await;
                assert_eq!(s, 403, "{backend}: {uri} {body}: {text}");
            }
        }
        // Staff may not appeal for a citizen, even with a document that would be refused.
        let (s, text) = post(
            &app,
            &nation,
            "/api/v1/me/findings/f-0/appeals",
            &json!({"statement": "", "document_name": "x.exe", "document_type": "application/x-msdownload",
                "document_base64": "!!"})
            .to_string(),
        )
        .await;
        assert_eq!(s, 403, "{backend}: {text}");

        // The citizen appeals; the inbox lists it with its age; the rejection's reason reaches them.
        let (s, text) = post(
            &app,
            &district,
            "/api/v1/screening/findings/f-0/decision",
            "{\"decision\":\"confirm\",\"note\":\"\"}",
        )
        .await;
        assert_eq!(s, 200, "{backend}: {text}");
        reg.request_code(phone).await.unwrap();
        let msg = reg.outbox(1).await.unwrap().remove(0);
        let code: String = msg
            .body
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let session = reg.verify_code(phone, &code).await.unwrap();
        let cookie = format!("tamwin_session={}", session.cookie);
        // A citizen may not decide, whatever they send.
        let (s, _, _) = call(
            &app,
            "POST",
            "/api/v1/screening/findings/f-0/decision",
            Some("not json"),
            &[("cookie", &cookie), ("x-csrf-token", &session.csrf)],
        )
        .await;
        assert_eq!(s.as_u16(), 403, "{backend}");
        let (s, text, _) = call(
            &app,
            "POST",
            "/api/v1/me/findings/f-0/appeals",
            Some(
                &json!({"statement": "أنا شخص واحد", "document_name": "card.pdf",
                    "document_type": "application/pdf", "document_base64": "JVBERi0xLjQ="})
                .to_string(),
            ),
            &[("cookie", &cookie), ("x-csrf-token", &session.csrf)],
        )
        .await;
        assert_eq!(s.as_u16(), 201, "{backend}: {text}");
        let appeal_id = serde_json::from_str::<Value>(&text).unwrap()["appeal_id"]
            .as_str()
            .unwrap()
            .to_string();
        *clock.0.lock().unwrap() = "2026-11-23T10:00:00Z".parse().unwrap();
        let (s, v) = get(&app, &district, "/api/v1/screening/appeals").await;
        assert_eq!(s, 200, "{backend}: {v}");
        assert_eq!(
            v["items"][0]["appeal"]["appeal_id"],
            appeal_id.as_str(),
            "{backend}: {v}"
        );
        assert_eq!(v["items"][0]["age_days"], 2, "{backend}: {v}");
        assert_eq!(
            v["items"][0]["who"]["card_number"],
            a.card.as_str(),
            "{backend}"
        );
        assert_eq!(v["items"][0]["kind"], "duplicate", "{backend}");
        // Signed in after the clock moved on (sessions expire).
        let s = reg
            .staff_session("aud.centre", "centre password 1")
            .await
            .unwrap();
        let staff_cookie = format!("tamwin_session={}", s.cookie);
        let (st, html, _) = call(
            &app,
            "GET",
            "/screening/appeals",
            None,
            &[("cookie", &staff_cookie)],
        )
        .await;
        assert_eq!(st.as_u16(), 200, "{backend}");
        assert!(
            html.contains("id=\"appeals\"") && html.contains(&a.card),
            "{backend}: {html}"
        );
        let najaf = token(&reg, "auditor", "12").await;
        let (_, v) = get(&app, &najaf, "/api/v1/screening/appeals").await;
        assert_eq!(v["items"].as_array().unwrap().len(), 0, "{backend}: {v}");
        let note = "the two cards show one man";
        let (s, text) = post(
            &app,
            &district,
            &format!("/api/v1/screening/appeals/{appeal_id}/decision"),
            &json!({"decision": "reject", "note": note}).to_string(),
        )
        .await;
        assert_eq!(s, 204, "{backend}: {text}");
        // The citizen signs in again (the clock moved on).
        reg.request_code(phone).await.unwrap();
        let msg = reg.outbox(1).await.unwrap().remove(0);
        let code: String = msg
            .body
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let session = reg.verify_code(phone, &code).await.unwrap();
        let cookie = format!("tamwin_session={}", session.cookie);
        let (s, text, _) = call(
            &app,
            "GET",
            "/api/v1/me/findings",
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(s.as_u16(), 200, "{backend}: {text}");
        let v: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v[0]["finding_id"], "f-0", "{backend}: {v}");
        assert_eq!(v[0]["appeal"]["status"], "rejected", "{backend}: {v}");
        assert_eq!(v[0]["appeal"]["decision_note"], note, "{backend}: {v}");
        assert!(
            v[0]["next_step_ar"].as_str().unwrap().contains("مجدداً"),
            "{backend}: {v}"
        );
        assert!(
            v[0]["next_step_en"]
                .as_str()
                .unwrap()
                .contains("appeal again"),
            "{backend}: {v}"
        );
        assert!(
            v[0]["member_name"].as_str().unwrap().starts_with("كاظم"),
            "{backend}"
        );
        let (s, html, _) = call(
            &app,
            "GET",
            "/citizen/findings?lang=en",
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(s.as_u16(), 200, "{backend}");
        assert!(html.contains(note), "{backend}: {html}");
        assert!(html.contains("appeal again"), "{backend}");

        // The finding page of the centre's auditor says a card elsewhere matches, without its data.
        let (st, html, _) = call(
            &app,
            "GET",
            "/screening/findings/f-0",
            None,
            &[("cookie", &staff_cookie)],
        )
        .await;
        assert_eq!(st.as_u16(), 200, "{backend}");
        assert!(html.contains("other-outside-area"), "{backend}");
        assert!(
            !html.contains(&b.card) && !html.contains("حيدر"),
            "{backend}"
        );
        let (st, html, _) = call(
            &app,
            "GET",
            "/screening",
            None,
            &[("cookie", &staff_cookie)],
        )
        .await;
        assert_eq!(st.as_u16(), 200, "{backend}");
        assert!(
            html.contains(&a.card) && html.contains("id=\"counts\""),
            "{backend}"
        );
        let _ = ANON;
    }
}
