//! The API: every route in the OpenAPI document and nothing more; its answers, problem+json errors,
//! idempotency and holds over HTTP.

use super::*;

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
