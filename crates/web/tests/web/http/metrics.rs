//! Metrics: requests counted by route template, the pool shown, and a metrics token's bearer only.

use super::*;

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
                    registry_sms: None,
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
