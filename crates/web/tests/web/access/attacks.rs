//! Attacks that must fail safely: CSRF on the API and on forms, login CSRF, missing and made-up
//! tokens, and password guessing throttled by client address.

use super::*;

tamwin_store::backend_tests! {
    async fn attacks_fail_safely_on_every_backend((backend, app, reg) in common::app_on) {
        let before = reg.store().count_households().await.unwrap();
        let body = fixture(None).to_string();
        // A browser session without the CSRF header cannot change anything through the API.
        for csrf in [None, Some("forged")] {
            let mut h = vec![("cookie", app.cookie.as_str())];
            if let Some(c) = csrf {
                h.push(("x-csrf-token", c));
            }
            let (s, b, _) = call(&app, "POST", "/api/v1/households", Some(&body), &h).await;
            assert_eq!(s.as_u16(), 403, "{backend}: {b}");
            assert!(b.contains("csrf_invalid"));
        }
        assert_eq!(
            reg.store().count_households().await.unwrap(),
            before,
            "{backend}: nothing written"
        );
        let (s, _, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&body),
            &[
                ("cookie", app.cookie.as_str()),
                ("x-csrf-token", app.csrf.as_str()),
            ],
        )
        .await;
        assert_eq!(
            s.as_u16(),
            201,
            "{backend}: with the session's token it works"
        );

        // Forms with a missing or wrong token are refused and change nothing.
        let form = [
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", app.cookie.as_str()),
        ];
        let (s, _, _) = call(
            &app,
            "POST",
            "/account/password",
            Some("current=admin+password+1&new=hijacked+password&confirm=hijacked+password&csrf=forged"),
            &form,
        )
        .await;
        assert_eq!(s.as_u16(), 403, "{backend}");
        assert!(
            reg.staff_session("admin", "admin password 1").await.is_ok(),
            "{backend}: password unchanged"
        );
        let (s, _, _) = call(&app, "POST", "/sign-out", Some("csrf="), &form).await;
        assert_eq!(s.as_u16(), 403);
        // A sign-in form without the pre-session cookie (a cross-site login attempt) is refused.
        let (s, _, _) = call(
            &app,
            "POST",
            "/sign-in",
            Some("username=admin&password=admin+password+1&csrf=abc"),
            &[("content-type", "application/x-www-form-urlencoded"), ANON],
        )
        .await;
        assert_eq!(s.as_u16(), 403, "{backend}: login CSRF");

        // No credentials: 401 with a challenge; a made-up token: 401.
        let (s, _, h) = call(
            &app,
            "GET",
            "/api/v1/households?governorate=11",
            None,
            &[ANON],
        )
        .await;
        assert_eq!(s.as_u16(), 401);
        assert!(h.contains_key("www-authenticate"));
        let (s, _, _) = call(
            &app,
            "GET",
            "/api/v1/me",
            None,
            &[("authorization", "Bearer tmw_abc_def")],
        )
        .await;
        assert_eq!(s.as_u16(), 401, "{backend}");

        // Wrong passwords on the sign-in page: refused alike for a real and an unknown account, then
        // refused with 429 and Retry-After for that address only; the officer at another address
        // still signs in.
        reg.add_staff(
            "victim",
            "auditor",
            "11",
            Some("victim password 1"),
            &Actor::system("t"),
        )
        .await
        .unwrap();
        let mut seen = vec![];
        for (user, addr) in [
            ("victim", "198.51.100.7:5000"),
            ("no.such.user", "198.51.100.8:5000"),
        ] {
            let mut statuses = vec![];
            for _ in 0..6 {
                let (s, _, _) = sign_in_from(
                    &app,
                    &format!("username={user}&password=guess+guess+guess&csrf=p"),
                    addr,
                )
                .await;
                statuses.push(s);
            }
            seen.push(statuses);
        }
        assert_eq!(seen[0], seen[1], "{backend}");
        assert_eq!(seen[0], [401, 401, 401, 401, 401, 429], "{backend}");
        let (s, b, h) = sign_in_from(
            &app,
            "username=victim&password=victim+password+1&csrf=p",
            "198.51.100.7:5001",
        )
        .await;
        assert_eq!(s, 429, "{backend}");
        assert!(b.contains("sign-in-error"));
        let wait: i64 = h["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{backend}: {wait}");
        let (s, _, h) = sign_in_from(
            &app,
            "username=victim&password=victim+password+1&csrf=p",
            "203.0.113.20:6000",
        )
        .await;
        assert_eq!(s, 303, "{backend}: another address signs in");
        assert!(h.contains_key("set-cookie"));
    }
}

/// A sign-in form posted from a client address, as `serve` (with connect info) hands it on.
async fn sign_in_from(
    app: &TestApp,
    form: &str,
    peer: &str,
) -> (u16, String, axum::http::HeaderMap) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri("/sign-in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", "tamwin_pre=p")
        .body(axum::body::Body::from(form.to_string()))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        peer.parse::<std::net::SocketAddr>().unwrap(),
    ));
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).to_string(), headers)
}
