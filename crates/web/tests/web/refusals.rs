//! Every refusal of a request that does not decode, on both backends: a problem+json with a stable
//! code and Arabic and English messages on the API, the HTML error page in the reader's language on a
//! page. None of them is axum's plain text naming Rust fields and types (issue 13, point 9).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{ANON, call};
use serde_json::Value;

const FORM: (&str, &str) = ("content-type", "application/x-www-form-urlencoded");

/// Words of axum's and serde's plain-text rejections that must not reach a client.
const LEAKS: [&str; 8] = [
    "Failed to deserialize",
    "Invalid URL",
    "u32",
    "usize",
    "i16",
    "expected a string",
    "struct ",
    "alloc::",
];

tamwin_store::backend_tests! {
    async fn api_refusals_are_problems_with_codes_on_every_backend(backend) {
        let big = format!(r#"{{"x":"{}"}}"#, "a".repeat(70 * 1024));
        // (method, uri, body, extra headers, status, code, field named in `errors`)
        #[allow(clippy::type_complexity)]
        let cases: Vec<(
            &str,
            &str,
            Option<&str>,
            Vec<(&str, &str)>,
            u16,
            &str,
            Option<&str>,
        )> = vec![
            (
                "GET",
                "/api/v1/households?bogus=1",
                None,
                vec![],
                422,
                "query_parameter_unknown",
                Some("bogus"),
            ),
            (
                "GET",
                "/api/v1/households?limit=1&limit=2",
                None,
                vec![],
                422,
                "query_parameter_repeated",
                Some("limit"),
            ),
            (
                "GET",
                "/api/v1/exemptions",
                None,
                vec![],
                422,
                "query_parameter_missing",
                Some("national_id"),
            ),
            (
                "GET",
                "/api/v1/screening/findings?limit=many",
                None,
                vec![],
                422,
                "query_parameter_invalid",
                Some("limit"),
            ),
            (
                "GET",
                "/api/v1/stats/progress?area=11",
                None,
                vec![],
                422,
                "query_parameter_unknown",
                Some("area"),
            ),
            (
                "GET",
                "/api/v1/centres/KRB-C01/appointments?day=1&day=2",
                None,
                vec![],
                422,
                "query_parameter_repeated",
                Some("day"),
            ),
            (
                "GET",
                "/api/v1/households/%FF%FE",
                None,
                vec![],
                422,
                "path_parameter_invalid",
                Some("card_number"),
            ),
            (
                "POST",
                "/api/v1/appointments/a1/proposals/first/accept",
                None,
                vec![],
                422,
                "path_parameter_invalid",
                Some("index"),
            ),
            (
                "POST",
                "/api/v1/appointments/a1/proposals/-1/accept",
                None,
                vec![],
                422,
                "path_parameter_invalid",
                Some("index"),
            ),
            // Documented maxima are enforced, not clamped.
            (
                "GET",
                "/api/v1/households?limit=201",
                None,
                vec![],
                422,
                "limit_out_of_range",
                Some("limit"),
            ),
            (
                "GET",
                "/api/v1/households?governorate=11&limit=0",
                None,
                vec![],
                422,
                "limit_out_of_range",
                Some("limit"),
            ),
            (
                "GET",
                "/api/v1/screening/findings?limit=1001",
                None,
                vec![],
                422,
                "limit_out_of_range",
                Some("limit"),
            ),
            (
                "POST",
                "/api/v1/households",
                Some("{"),
                vec![],
                422,
                "body_invalid",
                None,
            ),
            (
                "POST",
                "/api/v1/households",
                Some(r#"{"governorate": 11}"#),
                vec![],
                422,
                "body_invalid",
                Some("governorate"),
            ),
            (
                "POST",
                "/api/v1/households",
                Some(r#"{"address":"x"}"#),
                vec![],
                422,
                "missing_field",
                Some("governorate"),
            ),
            (
                "POST",
                "/api/v1/screening/findings/f1/decision",
                Some(r#"{"decision":"confirm","why":"x"}"#),
                vec![],
                422,
                "unknown_field",
                Some("why"),
            ),
            (
                "POST",
                "/api/v1/households",
                Some("{}"),
                vec![("content-type", "text/plain")],
                415,
                "content_type_unsupported",
                None,
            ),
            (
                "POST",
                "/api/v1/households",
                Some("{}"),
                vec![("idempotency-key", " ")],
                400,
                "idempotency_key_invalid",
                None,
            ),
            (
                "POST",
                "/api/v1/households",
                Some(big.as_str()),
                vec![],
                413,
                "body_too_large",
                None,
            ),
            (
                "POST",
                "/crvs/registry/notify",
                Some(big.as_str()),
                vec![ANON],
                413,
                "body_too_large",
                None,
            ),
            (
                "PUT",
                "/api/v1/governorates",
                None,
                vec![],
                405,
                "method_not_allowed",
                None,
            ),
            (
                "GET",
                "/api/v1/no-such-route",
                None,
                vec![],
                404,
                "route_not_found",
                None,
            ),
            (
                "GET",
                "/api/v1/me",
                None,
                vec![("authorization", "Basic eDp5")],
                401,
                "unauthenticated",
                None,
            ),
        ];
        let (backend, app, _) = common::app_on(backend).await;
        for (method, uri, body, headers, status, code, field) in &cases {
            let (s, b, h) = call(&app, method, uri, *body, headers).await;
            let what = format!("{backend}: {method} {uri}");
            assert_eq!(s.as_u16(), *status, "{what}: {b}");
            assert_eq!(h["content-type"], "application/problem+json", "{what}: {b}");
            let v: Value = serde_json::from_str(&b).unwrap_or_else(|_| panic!("{what}: {b}"));
            assert_eq!(v["code"], *code, "{what}: {b}");
            assert_eq!(v["status"], *status, "{what}");
            assert!(
                v["message_ar"]
                    .as_str()
                    .is_some_and(|m| m.chars().any(|c| ('\u{0600}'..='\u{06FF}').contains(&c))),
                "{what}: an Arabic message: {b}"
            );
            assert!(
                v["message_en"].as_str().is_some_and(|m| !m.is_empty()),
                "{what}"
            );
            if let Some(f) = field {
                assert_eq!(v["errors"][0]["field"], *f, "{what}: {b}");
            }
            for leak in LEAKS {
                assert!(!b.contains(leak), "{what}: leaks {leak:?}: {b}");
            }
        }
    }
}

tamwin_store::backend_tests! {
    async fn page_refusals_are_error_pages_in_the_readers_language_on_every_backend(backend) {
        let big = format!("csrf=x&name={}", "a".repeat(70 * 1024));
        // (method, uri, body, extra headers, status, English title)
        #[allow(clippy::type_complexity)]
        let cases: Vec<(&str, &str, Option<&str>, Vec<(&str, &str)>, u16, &str)> = vec![
            // A form without its CSRF field is refused as one with a wrong token.
            (
                "POST",
                "/sign-out?lang=en",
                Some("x=1"),
                vec![FORM],
                403,
                "The form could not be accepted",
            ),
            (
                "POST",
                "/sign-in?lang=en",
                Some("username=a&password=b"),
                vec![FORM],
                403,
                "The form could not be accepted",
            ),
            (
                "POST",
                "/admin/users/someone/status?lang=en",
                Some(""),
                vec![FORM],
                403,
                "The form could not be accepted",
            ),
            (
                "POST",
                "/sign-in?lang=en",
                Some(r#"{"username":"a"}"#),
                vec![("content-type", "application/json")],
                415,
                "The form was not sent the usual way",
            ),
            (
                "POST",
                "/admin/users?lang=en",
                Some(big.as_str()),
                vec![FORM],
                413,
                "The form is larger than allowed",
            ),
            // A repeated parameter: the page speaks the first `lang` given.
            (
                "GET",
                "/?lang=en&lang=ar",
                None,
                vec![],
                422,
                "The request could not be understood",
            ),
            (
                "GET",
                "/screening?kind=a&kind=b&lang=en",
                None,
                vec![],
                422,
                "The request could not be understood",
            ),
            (
                "GET",
                "/households/%FF?lang=en",
                None,
                vec![],
                404,
                "Not found",
            ),
            (
                "POST",
                "/centre/visits/a1/proposals/first/accept?lang=en",
                Some("csrf=x"),
                vec![FORM],
                404,
                "Not found",
            ),
            (
                "DELETE",
                "/sign-in?lang=en",
                None,
                vec![],
                405,
                "This request is not allowed on this page",
            ),
        ];
        let (backend, app, _) = common::app_on(backend).await;
        for (method, uri, body, headers, status, title) in &cases {
            let (s, b, h) = call(&app, method, uri, *body, headers).await;
            let what = format!("{backend}: {method} {uri}");
            assert_eq!(s.as_u16(), *status, "{what}: {b}");
            assert!(
                h["content-type"].to_str().unwrap().starts_with("text/html"),
                "{what}: {:?} {b}",
                h["content-type"]
            );
            assert!(b.contains(r#"<html lang="en" dir="ltr">"#), "{what}: {b}");
            assert!(b.contains(title), "{what}: {b}");
            for leak in LEAKS {
                assert!(!b.contains(leak), "{what}: leaks {leak:?}");
            }
        }
        // Arabic by default, and from the `lang` cookie.
        let (s, b, _) = call(&app, "POST", "/sign-out", Some("x=1"), &[FORM]).await;
        assert_eq!(s.as_u16(), 403, "{backend}");
        assert!(
            b.contains(r#"<html lang="ar" dir="rtl">"#) && b.contains("تعذّر قبول النموذج"),
            "{backend}: {b}"
        );
        let (s, b, _) = call(
            &app,
            "GET",
            "/households/%FF",
            None,
            &[ANON, ("cookie", "lang=en")],
        )
        .await;
        assert_eq!(s.as_u16(), 404, "{backend}");
        assert!(
            b.contains(r#"<html lang="en" dir="ltr">"#),
            "{backend}: {b}"
        );
    }
}

tamwin_store::backend_tests! {
    /// A problem's `title` is in the language `Accept-Language` asks for (Arabic, Kurdish or English;
    /// English when it names none of them); `message_ar` and `message_en` are always there.
    async fn problem_titles_follow_accept_language_on_every_backend(backend) {
        let cases = [
            (None, "no such record"),
            (Some("ckb"), "تۆمارەکە نەدۆزرایەوە"),
            (Some("ckb-IQ, ar;q=0.8"), "تۆمارەکە نەدۆزرایەوە"),
            (Some("ar-IQ,ar;q=0.9,en;q=0.5"), "لم يُعثر على السجل"),
            (Some("fr, en;q=0.5, ckb;q=0.7"), "تۆمارەکە نەدۆزرایەوە"),
            (Some("de"), "no such record"),
        ];
        let (backend, app, _) = common::app_on(backend).await;
        for (lang, title) in cases {
            let headers: Vec<(&str, &str)> =
                lang.map(|l| ("accept-language", l)).into_iter().collect();
            let (s, b, _) = call(
                &app,
                "GET",
                "/api/v1/households/11999999995",
                None,
                &headers,
            )
            .await;
            let v: Value = serde_json::from_str(&b).unwrap_or_else(|_| panic!("{backend}: {b}"));
            let what = format!("{backend} {lang:?}: {b}");
            assert_eq!(s.as_u16(), 404, "{what}");
            assert_eq!(v["code"], "not_found", "{what}");
            assert_eq!(v["title"], title, "{what}");
            assert_eq!(v["message_ar"], "لم يُعثر على السجل", "{what}");
            assert_eq!(v["message_en"], "no such record", "{what}");
        }
    }
}
