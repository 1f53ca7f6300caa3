//! Arabic: pages right to left, and Arabic noise in input accepted, kept and searchable.

use super::*;

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
