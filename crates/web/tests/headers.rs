//! The security headers (issue 13, point 4): every route in the router's list, the fallbacks and the
//! refusals answer with the CSP, no framing, nosniff, no referrer, and `no-store` unless a static asset;
//! and no template carries inline script, event attributes or inline style, which the CSP would block.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{ANON, apps, call};

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

#[tokio::test]
async fn every_route_answers_with_the_security_headers_on_every_backend() {
    for (backend, app, _) in apps().await {
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
