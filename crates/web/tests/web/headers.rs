//! The security headers (issue 13, point 4): every route in the router's list, the fallbacks and the
//! refusals answer with the CSP, no framing, nosniff, no referrer, and `no-store` unless a static asset;
//! and no template carries inline script, event attributes or inline style, which the CSP would block.
//! The request id (issue 14, point 8): on every answer, in every problem, in the request's log lines.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{ANON, call};
use serde_json::Value;

fn check(what: &str, h: &axum::http::HeaderMap, cacheable: bool) -> Vec<String> {
    let mut wrong = vec![];
    let get = |k: &str| h.get(k).and_then(|v| v.to_str().ok()).unwrap_or("");
    let csp = get("content-security-policy");
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "frame-ancestors 'none'",
        "object-src 'none'",
    ] {
        if !csp.contains(part) {
            wrong.push(format!("{what}: CSP lacks {part:?}: {csp:?}"));
        }
    }
    if csp.contains("unsafe-inline") || csp.contains("unsafe-eval") {
        wrong.push(format!(
            "{what}: CSP allows inline script or style: {csp:?}"
        ));
    }
    if get("x-content-type-options") != "nosniff" {
        wrong.push(format!("{what}: no nosniff"));
    }
    if !["no-referrer", "same-origin"].contains(&get("referrer-policy")) {
        wrong.push(format!(
            "{what}: referrer policy {:?}",
            get("referrer-policy")
        ));
    }
    if !h.contains_key("x-request-id") {
        wrong.push(format!("{what}: no X-Request-Id"));
    }
    let cache = get("cache-control");
    if cacheable {
        if !cache.contains("max-age") {
            wrong.push(format!("{what}: a static asset not cacheable: {cache:?}"));
        }
    } else if cache != "no-store" {
        wrong.push(format!("{what}: cache-control {cache:?}, not no-store"));
    }
    wrong
}

tamwin_store::backend_tests! {
    async fn every_route_answers_with_the_security_headers_on_every_backend(
        (backend, app, _) in common::app_on
    ) {
        let mut wrong = vec![];
        let routes = tamwin_web::routes().list;
        assert!(routes.len() > 50);
        for (method, path) in routes {
            // Placeholders fill the path: a 404 or a refusal must carry the headers as much as a page.
            let uri: String = path
                .split('/')
                .map(|seg| if seg.starts_with('{') { "x1" } else { seg })
                .collect::<Vec<_>>()
                .join("/");
            let cacheable = path.starts_with("/assets/") || path == "/manifest.webmanifest";
            let body = (method != "get").then_some("{}");
            for anonymous in [false, true] {
                let headers: &[(&str, &str)] = if anonymous { &[ANON] } else { &[] };
                let (s, _, h) = call(&app, &method.to_uppercase(), &uri, body, headers).await;
                wrong.extend(check(
                    &format!("{method} {uri} ({s}, anonymous: {anonymous})"),
                    &h,
                    cacheable,
                ));
            }
        }
        for (method, uri) in [
            ("GET", "/no/such/page"),
            ("GET", "/api/v1/no-such-route"),
            ("DELETE", "/api/v1/households"),
        ] {
            let (s, _, h) = call(&app, method, uri, None, &[]).await;
            wrong.extend(check(&format!("{method} {uri} ({s})"), &h, false));
        }
        assert!(wrong.is_empty(), "{backend}:\n{}", wrong.join("\n"));
    }
}

#[test]
fn no_template_has_inline_script_or_style() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<_> = std::fs::read_dir(dir.join("templates"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.push(dir.join("assets/api-docs.html"));
    let mut wrong = vec![];
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap().to_ascii_lowercase();
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        for (i, _) in text.match_indices("<script") {
            let tag = &text[i..text[i..].find('>').map_or(text.len(), |e| i + e)];
            if !tag.contains(" src=") {
                wrong.push(format!("{name}: inline <script>"));
            }
        }
        if text.contains("<style") || text.contains(" style=") {
            wrong.push(format!("{name}: inline style"));
        }
        for (i, _) in text.match_indices(" on") {
            let rest = &text[i + 3..];
            let word: String = rest
                .chars()
                .take_while(|c| c.is_ascii_alphabetic())
                .collect();
            if !word.is_empty() && rest[word.len()..].starts_with('=') {
                wrong.push(format!("{name}: event attribute on{word}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

tamwin_store::backend_tests! {
    async fn a_request_id_is_kept_when_well_formed_made_otherwise_and_named_in_every_problem(
        (backend, app, _) in common::app_on
    ) {
        let id = |h: &axum::http::HeaderMap| h["x-request-id"].to_str().unwrap().to_string();
        let (_, _, h) = call(
            &app,
            "GET",
            "/healthz",
            None,
            &[("x-request-id", "edge-7:ab.1_2")],
        )
        .await;
        assert_eq!(id(&h), "edge-7:ab.1_2", "{backend}");
        let long = "x".repeat(65);
        for bad in ["a b", "a\"b", "طلب", "a/b", "", long.as_str()] {
            let (_, _, h) = call(&app, "GET", "/healthz", None, &[("x-request-id", bad)]).await;
            let made = id(&h);
            assert!(
                made != bad && made.len() == 36,
                "{backend}: {bad:?} gave {made:?}"
            );
        }
        let (_, _, a) = call(&app, "GET", "/healthz", None, &[]).await;
        let (_, _, b) = call(&app, "GET", "/healthz", None, &[]).await;
        assert_ne!(id(&a), id(&b), "{backend}: a new id for each request");

        // Every problem names the id of its answer: a route that does not exist, a method a route
        // does not answer, a bad query, no credentials, a bad body.
        for (method, uri, body, headers) in [
            ("GET", "/api/v1/no-such-route", None, &[][..]),
            ("DELETE", "/api/v1/households", None, &[][..]),
            ("GET", "/api/v1/households?limit=0", None, &[][..]),
            ("GET", "/api/v1/me", None, &[ANON][..]),
            ("POST", "/api/v1/households", Some("{"), &[][..]),
            (
                "GET",
                "/metrics?x=1",
                None,
                &[("x-request-id", "mine-1")][..],
            ),
        ] {
            let (s, b, h) = call(&app, method, uri, body, headers).await;
            if uri.starts_with("/metrics") {
                // Not a problem: the header alone.
                assert_eq!(id(&h), "mine-1", "{backend}");
                continue;
            }
            assert!(s.as_u16() >= 400, "{backend} {method} {uri}: {s}");
            assert_eq!(
                h["content-type"], "application/problem+json",
                "{backend} {method} {uri}"
            );
            let v: Value = serde_json::from_str(&b).unwrap();
            assert_eq!(v["request_id"], id(&h), "{backend} {method} {uri}: {b}");
        }
        let (s, _, h) = call(
            &app,
            "GET",
            "/no/such/page",
            None,
            &[("x-request-id", "page-1")],
        )
        .await;
        assert_eq!((s.as_u16(), id(&h).as_str()), (404, "page-1"), "{backend}");
        // A problem answer keeps the caller's id too.
        let (_, b, _) = call(
            &app,
            "GET",
            "/api/v1/me",
            None,
            &[ANON, ("x-request-id", "mine-2")],
        )
        .await;
        assert!(b.contains("\"request_id\":\"mine-2\""), "{backend}: {b}");
    }
}

#[derive(Clone, Default)]
struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);
impl std::io::Write for Lines {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What the process's subscriber wrote, set once for both backends' tests (no other test of this
/// binary sets one): a thread's own would miss the events of callsites other tests reach first.
fn log_lines() -> Lines {
    static LINES: std::sync::OnceLock<Lines> = std::sync::OnceLock::new();
    LINES
        .get_or_init(|| {
            let lines = Lines::default();
            let writer = lines.clone();
            tracing_subscriber::fmt()
                .with_env_filter("warn,tamwin_web=debug,sqlx::query=debug")
                .with_ansi(false)
                .with_writer(move || writer.clone())
                .init();
            lines
        })
        .clone()
}

tamwin_store::backend_tests! {
    /// The log lines written while answering carry the request's id, the database driver's too where it
    /// writes them on the request's task (PostgreSQL; SQLite's driver runs its statements, and logs them,
    /// on a thread of its own, outside any request's span).
    async fn the_log_lines_of_a_request_carry_its_id((backend, app, _) in common::app_on) {
        let lines = log_lines();
        let rid = format!("log-test-{backend}");
        let (s, _, _) = call(&app, "GET", "/healthz", None, &[("x-request-id", &rid)]).await;
        assert_eq!(s, 200, "{backend}");
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let ours: Vec<&str> = text.lines().filter(|l| l.contains(&rid)).collect();
        assert!(
            ours.iter().any(|l| l.contains("answered")
                && l.contains("route=/healthz")
                && l.contains("status=200")),
            "{backend}:\n{text}"
        );
        if backend == "postgres" {
            assert!(
                ours.iter()
                    .any(|l| l.contains("sqlx::query") && l.contains("SELECT 1")),
                "{backend}: the health check's query lacks the id:\n{text}"
            );
        }
    }
}
