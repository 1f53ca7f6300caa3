//! Who read my data: a citizen, over the API, sees the staff reads of their household (not their
//! own), paged.

use super::*;

tamwin_store::backend_tests! {
    async fn who_read_my_data_over_the_api_on_every_backend((backend, app, reg) in common::app_on) {
        let phone = phone();
        let o = reg
            .create_household(
                &serde_json::from_value(fixture(Some(phone.clone()))).unwrap(),
                &Actor::system("t"),
                None,
            )
            .await
            .unwrap();
        let card = serde_json::from_str::<Value>(&o.body).unwrap()["card_number"]
            .as_str()
            .unwrap()
            .to_string();
        reg.request_code(&phone).await.unwrap();
        let code: String = reg.outbox(1).await.unwrap()[0]
            .body
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let s = reg.verify_code(&phone, &code).await.unwrap();
        let cookie = format!("tamwin_session={}", s.cookie);
        // The administrator's client opens the household; the citizen looks at it twice.
        let (st, _, _) = call(
            &app,
            "GET",
            &format!("/api/v1/households/{card}"),
            None,
            &[],
        )
        .await;
        assert_eq!(st, 200, "{backend}");
        for _ in 0..2 {
            let (st, _, _) = call(
                &app,
                "GET",
                "/api/v1/me/household",
                None,
                &[("cookie", &cookie)],
            )
            .await;
            assert_eq!(st, 200, "{backend}");
        }
        let (st, b, _) = call(
            &app,
            "GET",
            "/api/v1/me/data-uses",
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(st, 200, "{backend}");
        let uses: Vec<Value> = serde_json::from_str(&b).unwrap();
        assert_eq!(uses.len(), 1, "{backend}: {b}");
        assert_eq!(uses[0]["action"], "household.read", "{backend}");
        assert_eq!(uses[0]["role"], "ministry_admin", "{backend}");
        assert_eq!(uses[0]["count"], 1, "{backend}");
        // The next page after the last row is empty.
        let (_, b, _) = call(
            &app,
            "GET",
            &format!(
                "/api/v1/me/data-uses?before={}",
                uses[0]["cursor"]
                    .as_str()
                    .unwrap()
                    .replace(' ', "%20")
                    .replace('~', "%7E")
            ),
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(b, "[]", "{backend}");
    }
}
