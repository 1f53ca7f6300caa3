//! Bad input: odd requests get problems (never a 500), loose input is refused with codes.

use super::*;

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
