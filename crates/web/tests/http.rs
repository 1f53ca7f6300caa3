//! The HTTP surface on both backends: documented routes, problem+json errors, idempotency, pages.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use axum::http::StatusCode;
use common::{apps, call, household, nid};
use serde_json::{Value, json};

#[test]
fn every_route_is_in_the_openapi_document() {
    let doc: Value = serde_json::from_str(&tamwin_web::openapi_json()).unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"));
    let routes = tamwin_web::routes();
    let api: Vec<_> = routes
        .list
        .iter()
        .filter(|(_, p)| p.starts_with("/api/") || p.starts_with("/crvs/") || *p == "/healthz")
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

#[tokio::test]
async fn api_answers_and_errors_on_every_backend() {
    for (backend, app, _) in apps().await {
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

#[tokio::test]
async fn pages_are_arabic_right_to_left_on_every_backend() {
    for (backend, app, reg) in apps().await {
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

#[tokio::test]
async fn arabic_noise_is_accepted_kept_and_searchable_on_every_backend() {
    for (backend, app, _) in apps().await {
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

#[tokio::test]
async fn odd_requests_get_problems_not_500s_on_every_backend() {
    for (backend, app, _) in apps().await {
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
