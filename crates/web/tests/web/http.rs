//! The HTTP surface on both backends: documented routes, problem+json errors, idempotency, pages, metrics.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use axum::http::StatusCode;
use common::{call, citizen_session, clock, household, nid, staff_session};
use serde_json::{Value, json};

#[test]
fn every_route_is_in_the_openapi_document() {
    let doc: Value = serde_json::from_str(&tamwin_web::openapi_json()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let routes = tamwin_web::routes();
    let api: Vec<_> = routes
        .list
        .iter()
        .filter(|(_, p)| {
            p.starts_with("/api/")
                || p.starts_with("/crvs/")
                || ["/healthz", "/metrics"].contains(p)
        })
        .collect();
    assert!(api.len() >= 12);
    for (method, path) in &api {
        assert!(
            doc["paths"][path][method].is_object(),
            "{method} {path} is served but not documented"
        );
    }
    let list_params = doc["paths"]["/api/v1/households"]["get"]["parameters"]
        .as_array()
        .unwrap();
    assert!(
        list_params.iter().all(|p| p["in"] == "query"),
        "list filters are query parameters"
    );
    // Every answer is described (OpenAPI requires it of each response object).
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            for (status, r) in op["responses"].as_object().unwrap() {
                assert!(
                    r["description"].is_string(),
                    "{method} {path} {status} has no description"
                );
            }
        }
    }
    // And the other way: nothing is documented that is not served.
    for (path, item) in doc["paths"].as_object().unwrap() {
        for method in item.as_object().unwrap().keys() {
            assert!(
                api.iter().any(|(m, p)| m == method && p == path),
                "{method} {path} is documented but not served"
            );
        }
    }
}

tamwin_store::backend_tests! {
    async fn api_answers_and_errors_on_every_backend((backend, app, _) in common::app_on) {
        let (s, b, _) = call(&app, "GET", "/healthz", None, &[]).await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        assert!(b.contains(backend));

        let (s, b, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&household(&nid(19_000_000_001)).to_string()),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::CREATED, "{backend}: {b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        let card = v["card_number"].as_str().unwrap().to_string();
        assert_eq!(v["members"][0]["given_name"], "أحمـد");
        let (s, b, _) = call(
            &app,
            "GET",
            &format!(
                "/api/v1/households/{}",
                v["card_number_display"].as_str().unwrap()
            ),
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, b, _) = call(
            &app,
            "GET",
            &format!("/api/v1/households?national_id={}", nid(19_000_000_001)),
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert!(b.contains(&card));
        let (s, b, _) = call(&app, "GET", "/api/v1/households?name=%D8%A7%D8%AD%D9%85%D8%AF%20%D8%B9%D8%A8%D8%AF%D8%A7%D9%84%D9%84%D9%87&birth_year=1980", None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(b.contains(&card), "{backend}: name search {b}");
        let (s, b, _) = call(
            &app,
            "GET",
            "/api/v1/households?governorate=11&limit=1",
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            serde_json::from_str::<Value>(&b).unwrap()["next_after"],
            card.as_str()
        );

        // Bad input: a clear problem+json, nothing written.
        let problems: Vec<(Value, u16, &str)> = vec![
            (household("12345"), 422, "national_id_malformed"),
            (
                household(&nid(19_000_000_001)),
                409,
                "national_id_in_other_household",
            ),
            (
                {
                    let mut h = household(&nid(19_000_000_002));
                    h["members"][1]["relation"] = json!("head");
                    h
                },
                422,
                "household_two_heads",
            ),
            (
                {
                    let mut h = household(&nid(19_000_000_002));
                    h["members"][0]["relation"] = json!("son");
                    h
                },
                422,
                "household_no_head",
            ),
            (
                {
                    let mut h = household(&nid(19_000_000_002));
                    h["colour"] = json!("x");
                    h
                },
                422,
                "unknown_field",
            ),
        ];
        for (body, status, code) in problems {
            let (s, b, h) = call(
                &app,
                "POST",
                "/api/v1/households",
                Some(&body.to_string()),
                &[],
            )
            .await;
            assert_eq!(s.as_u16(), status, "{backend} {code}: {b}");
            assert_eq!(h["content-type"], "application/problem+json");
            assert!(b.contains(code), "{backend}: expected {code} in {b}");
            let p: Value = serde_json::from_str(&b).unwrap();
            assert!(
                !p["message_ar"].as_str().unwrap().is_empty()
                    && !p["message_en"].as_str().unwrap().is_empty()
            );
        }
        let big = format!(
            "{{\"address\": \"{}\"}}",
            "x".repeat(tamwin_web::BODY_LIMIT + 1)
        );
        let (s, b, _) = call(&app, "POST", "/api/v1/households", Some(&big), &[]).await;
        assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE, "{b}");
        assert!(b.contains("body_too_large"));
        let (s, _, _) = call(&app, "GET", "/api/v1/households?national_id=12", None, &[]).await;
        assert_eq!(s.as_u16(), 422);
        let (s, b, _) = call(&app, "GET", "/api/v1/nothing", None, &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(b.contains("route_not_found"));
        let (s, b, _) = call(&app, "GET", "/api/v1/households?governorate=11", None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert_eq!(
            serde_json::from_str::<Value>(&b).unwrap()["items"]
                .as_array()
                .unwrap()
                .len(),
            1,
            "{backend}: something was written"
        );

        // Idempotency over HTTP.
        let body = household(&nid(19_000_000_003)).to_string();
        let key = [("idempotency-key", "req-42")];
        let (s1, b1, _) = call(&app, "POST", "/api/v1/households", Some(&body), &key).await;
        let (s2, b2, h2) = call(&app, "POST", "/api/v1/households", Some(&body), &key).await;
        assert_eq!((s1, s2), (StatusCode::CREATED, StatusCode::CREATED));
        assert_eq!(b1, b2, "{backend}");
        assert_eq!(h2["idempotent-replayed"], "true");
        let (s3, b3, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&household(&nid(19_000_000_004)).to_string()),
            &key,
        )
        .await;
        assert_eq!(s3.as_u16(), 422, "{b3}");
        assert!(b3.contains("idempotency_key_reused"));

        // Holds over HTTP, and the member routes.
        let (s, b, _) = call(&app, "POST", &format!("/api/v1/households/{card}/holds"), Some(&json!({"reason": "abroad", "evidence": "exit record 77", "source": "civil_registry"}).to_string()), &[]).await;
        assert_eq!(s, StatusCode::CREATED, "{b}");
        let v: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(v["state"], "blocked");
        let hold = v["holds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["reason"] == "abroad")
            .unwrap()["hold_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, b, _) = call(
            &app,
            "POST",
            &format!("/api/v1/households/{card}/holds/{hold}/lift"),
            Some(&json!({"reason": "returned"}).to_string()),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{b}");
        let (s, _, _) = call(
            &app,
            "POST",
            &format!("/api/v1/households/{card}/holds"),
            Some(&json!({"reason": "martian", "evidence": "e", "source": "s"}).to_string()),
            &[],
        )
        .await;
        assert_eq!(s.as_u16(), 422);
        let (s, _, _) = call(
            &app,
            "POST",
            &format!("/api/v1/households/{card}/holds"),
            Some("{not json"),
            &[],
        )
        .await;
        assert_eq!(s.as_u16(), 422);
    }
}

tamwin_store::backend_tests! {
    async fn pages_are_arabic_right_to_left_on_every_backend(
        (backend, app, reg) in common::app_on
    ) {
        let (s, b, _) = call(&app, "GET", "/", None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(b.contains(r#"<html lang="ar" dir="rtl">"#), "{backend}");
        let (_, b, _) = call(&app, "GET", "/?lang=en", None, &[]).await;
        assert!(b.contains(r#"<html lang="en" dir="ltr">"#));
        let o = reg
            .create_household(
                &serde_json::from_value(household(&nid(19_000_000_010))).unwrap(),
                &tamwin_app::Actor::system("t"),
                None,
            )
            .await
            .unwrap();
        let card = serde_json::from_str::<Value>(&o.body).unwrap()["card_number"]
            .as_str()
            .unwrap()
            .to_string();
        // "أحمـد" with tatweel was entered; "احمد" without hamza finds it.
        let (s, b, _) = call(&app, "GET", "/?q=%D8%A7%D8%AD%D9%85%D8%AF", None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(b.contains("أحمـد عبد الله حسين الربيعي"), "{backend}: {b}");
        let (s, b, _) = call(&app, "GET", &format!("/households/{card}"), None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(
            b.contains("لا يملك البطاقة الوطنية الموحدة"),
            "{backend}: the hold's reason is shown"
        );
        assert!(
            b.contains("استخرج البطاقة الوطنية الموحدة"),
            "{backend}: and its cure path"
        );
        let (s, _, _) = call(&app, "GET", "/households/11000000000", None, &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        let (s, b, _) = call(&app, "GET", "/no/such/page?lang=en", None, &[]).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
        assert!(
            b.contains(r#"<html lang="en" dir="ltr">"#),
            "{backend}: the 404 page speaks the asked language"
        );
        let (s, b, _) = call(&app, "GET", &format!("/?q={card}"), None, &[]).await;
        assert_eq!(s, StatusCode::SEE_OTHER, "{b}");
        let (s, b, _) = call(&app, "GET", "/api/docs", None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(b.contains("/api/openapi.json"));
    }
}

tamwin_store::backend_tests! {
    async fn arabic_noise_is_accepted_kept_and_searchable_on_every_backend(
        (backend, app, _) in common::app_on
    ) {
        let mut h = household(&nid(19_000_000_050));
        // Diacritics, tatweel and a zero-width non-joiner; a family name typed in presentation forms.
        let given = "مُحَمَّـد\u{200C}";
        let family = "\u{FE8D}\u{FEDF}\u{FEE4}\u{FEEE}\u{FEB3}\u{FEEE}\u{FEF1}";
        h["members"][0]["given_name"] = json!(given);
        h["members"][0]["family_name"] = json!(family);
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
        let (_, b, _) = call(
            &app,
            "GET",
            &format!("/api/v1/households/{card}"),
            None,
            &[],
        )
        .await;
        let v: Value = serde_json::from_str(&b).unwrap();
        assert_eq!(
            v["members"][0]["given_name"], given,
            "{backend}: displayed as entered"
        );
        assert_eq!(v["members"][0]["family_name"], family);
        // "محمد الموسوي" typed plainly: given name and family name.
        let (s, b, _) = call(&app, "GET", "/api/v1/households?name=%D9%85%D8%AD%D9%85%D8%AF%20%D8%A7%D9%84%D9%85%D9%88%D8%B3%D9%88%D9%8A", None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        assert!(b.contains(&card), "{backend}: {b}");
    }
}

tamwin_store::backend_tests! {
    async fn odd_requests_get_problems_not_500s_on_every_backend(
        (backend, app, _) in common::app_on
    ) {
        let (s, b, h) = call(&app, "DELETE", "/api/v1/households", None, &[]).await;
        assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED, "{backend}");
        assert_eq!(h["content-type"], "application/problem+json");
        assert!(b.contains("method_not_allowed"));
        for q in [
            "national_id=198765432101&governorate=11",
            "name=x&state=active",
            "birth_year=1980",
            "governorate=99",
            "district=0101&governorate=11",
        ] {
            let (s, b, _) = call(&app, "GET", &format!("/api/v1/households?{q}"), None, &[]).await;
            assert_eq!(s.as_u16(), 422, "{backend} {q}: {b}");
        }
        // A decision other than confirm or decline is no route; exemption requests without the ID, or
        // with fields the API does not know, are refused as problems.
        let (s, b, _) = call(&app, "POST", "/api/v1/me/suggestions/x/maybe", None, &[]).await;
        assert_eq!(s.as_u16(), 404, "{backend}: {b}");
        let (s, b, _) = call(&app, "GET", "/api/v1/exemptions", None, &[]).await;
        assert!(matches!(s.as_u16(), 400 | 422), "{backend}: {b}");
        let body = r#"{"national_id":"198765432101","reason":"study","valid_until":"2027-01-01","evidence":"x","extra":1}"#;
        let (s, b, _) = call(&app, "POST", "/api/v1/exemptions", Some(body), &[]).await;
        assert_eq!(s.as_u16(), 422, "{backend}: {b}");
        // Arabic-Indic digits in a governorate code are folded.
        let (s, _, _) = call(
            &app,
            "GET",
            "/api/v1/households?governorate=%D9%A1%D9%A1",
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK);
        // NUL: PostgreSQL would refuse it; both backends refuse it before the database.
        let mut h = household(&nid(19_000_000_060));
        h["address"] = json!("حي\u{0}الحسين");
        let (s, b, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&h.to_string()),
            &[],
        )
        .await;
        assert_eq!(s.as_u16(), 422, "{backend}: {b}");
        assert!(b.contains("text_invalid_characters"));
        let (s, _, _) = call(
            &app,
            "GET",
            "/api/v1/households?name=%00%D8%B9%D9%84%D9%8A",
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}");
        let (s, _, _) = call(&app, "GET", "/?q=%00%D8%B9%D9%84%D9%8A", None, &[]).await;
        assert_eq!(s, StatusCode::OK);
        // Closing a card over HTTP.
        let (_, b, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&household(&nid(19_000_000_061)).to_string()),
            &[],
        )
        .await;
        let card = serde_json::from_str::<Value>(&b).unwrap()["card_number"]
            .as_str()
            .unwrap()
            .to_string();
        let (s, b, _) = call(
            &app,
            "POST",
            &format!("/api/v1/households/{card}/closure"),
            Some(&json!({"reason": "merged"}).to_string()),
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
        assert_eq!(
            serde_json::from_str::<Value>(&b).unwrap()["state"],
            "closed"
        );
        let (s, b, _) = call(
            &app,
            "POST",
            &format!("/api/v1/households/{card}/closure"),
            Some(&json!({"reason": "again"}).to_string()),
            &[],
        )
        .await;
        assert_eq!(s.as_u16(), 409, "{b}");
        assert!(b.contains("household_closed"));
    }
}

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
        let (_, b, _) = officer("GET", format!("/centre/visits/{appt}"), None).await;
        assert!(
            b.contains(&format!(
                "/centre/visits/{appt}/members/{head}/temporary-card\""
            )),
            "{backend}: the visit page links the print page"
        );

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

tamwin_store::backend_tests! {
    /// Issue 13, point 12: too little checking of input, on the API and the pages.
    async fn loose_inputs_are_refused_with_codes_on_every_backend(
        (backend, app, _) in common::app_on
    ) {
        let code_of = |b: &str| serde_json::from_str::<Value>(b).unwrap().to_string();
        let mut emoji = household(&nid(19_000_000_901));
        emoji["members"][0]["given_name"] = json!("أحمد😀");
        let mut spaces = household(&nid(19_000_000_902));
        spaces["members"][1]["national_id"] = json!("   ");
        for (h, want) in [
            (emoji, "name_invalid_characters"),
            (spaces, "national_id_blank"),
        ] {
            let (s, b, _) = call(
                &app,
                "POST",
                "/api/v1/households",
                Some(&h.to_string()),
                &[],
            )
            .await;
            assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {b}");
            assert!(code_of(&b).contains(want), "{backend}: {want} in {b}");
        }
        // A name search longer than 200 characters.
        let long = "%D8%A3".repeat(5000);
        let (s, b, _) = call(
            &app,
            "GET",
            &format!("/api/v1/households?name={long}"),
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY, "{backend}: {b}");
        assert!(b.contains("name_query_too_long"), "{backend}: {b}");
        let (s, b, _) = call(&app, "GET", &format!("/?lang=en&q={long}"), None, &[]).await;
        assert_eq!(s, StatusCode::OK, "{backend}");
        assert!(
            b.contains("the name searched for is longer than"),
            "{backend}"
        );
        // At most 200 is still a search.
        let ok = "%D8%A3".repeat(200);
        let (s, b, _) = call(
            &app,
            "GET",
            &format!("/api/v1/households?name={ok}"),
            None,
            &[],
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{backend}: {b}");
    }
}

/// The value of the first sample line of `name` holding every one of `labels`.
fn sample(text: &str, name: &str, labels: &[&str]) -> Option<f64> {
    text.lines()
        .filter(|l| l.starts_with(&format!("{name}{{")))
        .find(|l| labels.iter().all(|x| l.contains(x)))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
}

tamwin_store::backend_tests! {
    async fn metrics_count_requests_by_route_template_and_show_the_pool_on_every_backend(
        (backend, app, _) in common::app_on
    ) {
        // A card number in the path: counted under the template, the number in no label.
        let (s, _, _) = call(&app, "GET", "/api/v1/households/11-98765432-1", None, &[]).await;
        assert!(s.is_client_error(), "{backend}: {s}");
        let (s, _, _) = call(&app, "GET", "/no/such/page/11-98765432-1", None, &[]).await;
        assert_eq!(s, 404, "{backend}");
        // Open to any caller when no metrics token is configured.
        let (s, text, h) = call(&app, "GET", "/metrics", None, &[common::ANON]).await;
        assert_eq!(s, 200, "{backend}");
        assert!(
            h["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/plain; version=0.0.4"),
            "{backend}: {:?}",
            h["content-type"]
        );
        assert_eq!(h["cache-control"], "no-store", "{backend}");
        assert!(h.contains_key("content-security-policy"), "{backend}");
        let route = "route=\"/api/v1/households/{card_number}\"";
        let n = sample(
            &text,
            "tamwin_http_requests_total",
            &[route, "method=\"GET\""],
        );
        assert!(n.is_some_and(|n| n >= 1.0), "{backend}: {text}");
        assert!(
            sample(
                &text,
                "tamwin_http_requests_total",
                &["route=\"unmatched\"", "status=\"404\""]
            )
            .is_some(),
            "{backend}: {text}"
        );
        assert!(
            !text.contains("98765432"),
            "{backend}: a raw path in the metrics"
        );
        assert!(
            text.contains("# TYPE tamwin_http_requests_total counter"),
            "{backend}"
        );
        assert!(
            text.contains("# TYPE tamwin_http_request_duration_seconds histogram"),
            "{backend}"
        );
        assert!(
            sample(
                &text,
                "tamwin_http_request_duration_seconds_bucket",
                &[route, "le=\"0.005\""]
            )
            .is_some(),
            "{backend}: {text}"
        );
        let on = format!("backend=\"{backend}\"");
        for state in ["idle", "in_use"] {
            let st = format!("state=\"{state}\"");
            assert!(
                sample(&text, "tamwin_db_pool_connections", &[&on, &st]).is_some(),
                "{backend}: no {state} pool gauge: {text}"
            );
        }
        let max = sample(&text, "tamwin_db_pool_max_connections", &[&on]);
        assert!(max.is_some_and(|m| m >= 1.0), "{backend}: {text}");
        // Read between queries, so only its bounds are sure, not its value.
        let in_use = sample(
            &text,
            "tamwin_db_pool_connections",
            &[&on, "state=\"in_use\""],
        )
        .unwrap();
        assert!(in_use <= max.unwrap(), "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn with_a_metrics_token_only_its_bearer_reads_the_metrics(
        (backend, _, reg) in common::app_on
    ) {
        let app = common::TestApp {
            router: tamwin_web::app_configured(
                reg,
                tamwin_web::Config {
                    demo: false,
                    metrics_token: Some("scrape-secret-1".into()),
                },
            ),
            token: String::new(),
            cookie: String::new(),
            csrf: String::new(),
        };
        for auth in [None, Some("Bearer wrong"), Some("scrape-secret-1")] {
            let h: Vec<(&str, &str)> = auth.map(|a| ("authorization", a)).into_iter().collect();
            let headers = if h.is_empty() { vec![common::ANON] } else { h };
            let (s, b, h) = call(&app, "GET", "/metrics", None, &headers).await;
            assert_eq!(s, 401, "{backend} {auth:?}");
            assert_eq!(h["content-type"], "application/problem+json", "{backend}");
            assert!(b.contains("\"code\":\"unauthenticated\""), "{backend}: {b}");
        }
        let (s, text, _) = call(
            &app,
            "GET",
            "/metrics",
            None,
            &[("authorization", "Bearer scrape-secret-1")],
        )
        .await;
        assert_eq!(s, 200, "{backend}");
        assert!(text.contains("tamwin_db_pool_connections"), "{backend}");
    }
}
