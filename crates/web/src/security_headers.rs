//! The headers every answer carries (issue 13, point 4): a Content-Security-Policy without inline script
//! or style (the pages' behaviour lives in served asset files), no framing, no MIME sniffing, no
//! referrer, and `Cache-Control: no-store` on everything but the static assets, since pages and API
//! answers carry personal data or a session.

use axum::extract::Request;
use axum::http::{HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;

/// Only this origin's scripts, styles, images (and `data:` for nothing else than images), fetches and
/// form targets; no plugins, no `<base>`, no framing by anyone.
pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// Paths whose answers are the same for everyone and may be cached (their handlers say for how long).
fn is_static(path: &str) -> bool {
    path.starts_with("/assets/") || path == "/manifest.webmanifest"
}

pub async fn layer(req: Request, next: Next) -> Response {
    let cacheable = is_static(req.uri().path());
    let mut r = next.run(req).await;
    let h = r.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !cacheable || !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    r
}
