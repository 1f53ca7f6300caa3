//! The visit reaches the citizen: the temporary card on the API, the page and in print, then the
//! completed update.

use super::*;

tamwin_store::backend_tests! {
    /// Issue 13, points 13 and 17: a temporary card issued at the visit reaches the citizen (API and page)
    /// and prints for the officer from the visit; after completion the citizen sees the update done, and
    /// booking is no longer offered.
    async fn the_visit_reaches_the_citizen_on_every_backend(backend) {
        let clock = clock();
        let (backend, app, reg) = common::app_on_with(backend, clock.clone(), true).await;
        *clock.0.lock().unwrap() = "2026-11-21T09:00:00Z".parse().unwrap();
        let mut h = household(&nid(19_000_000_777));
        h["phone"] = json!("07801110777");
        let (s, b, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&h.to_string()),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {b}");
        let card = serde_json::from_str::<Value>(&b).unwrap()["card_number"]
            .as_str()
            .unwrap()
            .to_string();
        let (cc, ccsrf) = citizen_session(&reg, "07801110777").await;
        let citizen = |m: &'static str, u: &'static str, body: Option<String>| {
            let (cc, ccsrf) = (cc.clone(), ccsrf.clone());
            let app = &app;
            async move {
                call(
                    app,
                    m,
                    u,
                    body.as_deref(),
                    &[("cookie", cc.as_str()), ("x-csrf-token", ccsrf.as_str())],
                )
                .await
            }
        };
        let (s, b, _) = citizen(
            "POST",
            "/api/v1/me/appointments",
            Some(json!({"starts_at": "2026-11-22T09:00", "centre": "KRB-C01"}).to_string()),
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {b}");
        let appt = serde_json::from_str::<Value>(&b).unwrap()["appointment_id"]
            .as_str()
            .unwrap()
            .to_string();
        *clock.0.lock().unwrap() = "2026-11-22T06:10:00Z".parse().unwrap();
        // The next morning: the citizen signs in again.
        let (cc, ccsrf) = citizen_session(&reg, "07801110777").await;
        let citizen = |m: &'static str, u: &'static str, body: Option<String>| {
            let (cc, ccsrf) = (cc.clone(), ccsrf.clone());
            let app = &app;
            async move {
                call(
                    app,
                    m,
                    u,
                    body.as_deref(),
                    &[("cookie", cc.as_str()), ("x-csrf-token", ccsrf.as_str())],
                )
                .await
            }
        };

        // The officer checks the head in; he shows his civil-status ID, not the unified card.
        let (oc, ocsrf) = staff_session(&reg, "desk", "centre_officer", "KRB-C01").await;
        let officer = |m: &'static str, u: String, body: Option<String>| {
            let (oc, ocsrf) = (oc.clone(), ocsrf.clone());
            let app = &app;
            async move {
                call(
                    app,
                    m,
                    &u,
                    body.as_deref(),
                    &[("cookie", oc.as_str()), ("x-csrf-token", ocsrf.as_str())],
                )
                .await
            }
        };
        let (s, b, _) = officer(
            "POST",
            "/api/v1/check-ins".into(),
            Some(json!({ "card_number": card }).to_string()),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        let head = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["required"] == true)
            .unwrap()["member_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, b, _) = officer(
            "POST",
            format!("/api/v1/appointments/{appt}/members/{head}"),
            Some(
                json!({"attendance": "present", "documents_seen": ["civil_id", "nationality_certificate"]})
                    .to_string(),
            ),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        // Issued from the visit page's form.
        let (s, b, hd) = call(
            &app,
            "POST",
            &format!("/centre/visits/{appt}/members/{head}/temporary-card"),
            Some(&format!("csrf={ocsrf}")),
            &[
                ("cookie", oc.as_str()),
                ("content-type", "application/x-www-form-urlencoded"),
            ],
        )
        .await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{backend}: {b}");
        assert!(
            hd["location"].to_str().unwrap().contains("message="),
            "{backend}"
        );
        // The officer prints it from the visit: the print page with its QR.
        let (s, b, _) = officer(
            "GET",
            format!("/centre/visits/{appt}/members/{head}/temporary-card"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        assert!(
            b.contains("temp-card") && b.contains("<svg"),
            "{backend}: {b}"
        );
        let visit_reads = || async {
            let (s, b, _) = citizen("GET", "/api/v1/me/data-uses", None).await;
            assert_eq!(s, StatusCode::OK, "{backend}: {b}");
            let v: Value = serde_json::from_str(&b).unwrap();
            let rows = v["uses"].as_array().or(v.as_array()).cloned().unwrap_or_default();
            rows.iter().filter(|u| u["action"] == "visit.read").count()
        };
        let before = visit_reads().await;
        let (_, b, _) = officer("GET", format!("/centre/visits/{appt}"), None).await;
        assert!(
            b.contains(&format!(
                "/centre/visits/{appt}/members/{head}/temporary-card\""
            )),
            "{backend}: the visit page links the print page"
        );
        assert_eq!(visit_reads().await, before + 1, "{backend}: one view of the visit page is one read in the log");

        // The citizen sees it, by the API and on the page, with its QR.
        let (s, b, _) = citizen("GET", "/api/v1/me/temporary-cards", None).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        let cards: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(cards.as_array().unwrap().len(), 1, "{backend}: {b}");
        assert_eq!(cards[0]["status"], "active");
        assert!(cards[0]["token"].as_str().unwrap().starts_with("TMW1:"));
        let (s, b, _) = citizen("GET", "/citizen/temporary-cards", None).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            b.contains("class=\"card temp-card\"") && b.contains("<svg"),
            "{backend}: {b}"
        );

        // Completed: the citizen's pages tell the update is done, and booking is not offered again.
        let (s, b, _) = officer(
            "POST",
            format!("/api/v1/appointments/{appt}/completion"),
            None,
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        let (_, b, _) = citizen("GET", "/citizen/appointment", None).await;
        assert!(b.contains("id=\"update-done\""), "{backend}: {b}");
        assert!(b.contains("2026-11-22"), "{backend}");
        assert!(
            !b.contains("id=\"book-form\""),
            "{backend}: booking offered again"
        );
        let (_, b, _) = citizen("GET", "/citizen", None).await;
        assert!(b.contains("id=\"update-done\""), "{backend}: {b}");
        let (s, b, _) = citizen("GET", "/api/v1/me/update", None).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        let u: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(u["visit_needed"], false, "{backend}: {b}");
        assert_eq!(u["last_completed"]["day"], "2026-11-22", "{backend}");
        assert_eq!(
            u["last_completed"]["verified"][0]["documents_seen"],
            json!(["civil_id", "nationality_certificate"])
        );
        assert_eq!(
            u["state"], "temporary",
            "{backend}: the daughter has no unified card yet"
        );
    }
}
