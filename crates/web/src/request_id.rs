//! A request id on every request (issue 14, point 8): the caller's `X-Request-Id` when it is well formed
//! (a proxy or client that made one can follow its request through our logs), a new UUIDv7 otherwise.
//! It is returned in the `X-Request-Id` header of every answer, 404 and 405 included; it names the
//! tracing span of the request, so every log line written while answering carries it; and
//! `Problem::into_response` puts it in every problem+json body, read from the task-local set here.
//!
//! A small layer of our own rather than tower-http's: that one passes an incoming id through unchecked,
//! and the span and the problem member would be a layer each.

use axum::extract::{MatchedPath, Request};
use axum::http::HeaderValue;
use axum::middleware::Next;
use axum::response::Response;
use tracing::Instrument;

pub const HEADER: &str = "x-request-id";
/// Long enough for a UUID, a trace id or a proxy's own scheme; short enough for a log line.
pub const MAX_LEN: usize = 64;
/// The form an accepted id has, as the OpenAPI document states it.
pub const PATTERN: &str = "^[A-Za-z0-9._:-]{1,64}$";

tokio::task_local! {
    static CURRENT: String;
}

/// The id of the request being answered, when called while answering one.
pub fn current() -> Option<String> {
    CURRENT.try_with(Clone::clone).ok()
}

/// Letters, digits and `. _ : -`: nothing that could forge a log line or a JSON member.
pub fn well_formed(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'))
}

/// The route template a request matched (`/api/v1/households/{card_number}`), never the raw path,
/// which may hold a card number: `unmatched` for the fallback.
pub fn route(req: &Request) -> String {
    req.extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string())
}

pub async fn layer(req: Request, next: Next) -> Response {
    let id = req
        .headers()
        .get(HEADER)
        .and_then(|v| v.to_str().ok())
        .filter(|v| well_formed(v))
        .map_or_else(|| uuid::Uuid::now_v7().to_string(), str::to_string);
    let span = tracing::info_span!(
        "request",
        request_id = %id,
        method = %req.method(),
        route = %route(&req),
    );
    let mut r = CURRENT
        .scope(id.clone(), next.run(req))
        .instrument(span.clone())
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        r.headers_mut().insert(HEADER, v);
    }
    span.in_scope(|| tracing::debug!(status = r.status().as_u16(), "answered"));
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_short_safe_ids_are_kept() {
        assert!(well_formed("0192f7c3-8f2e-7a4b-9c1d-1234567890ab"));
        assert!(well_formed("edge-1:req.42_a"));
        assert!(!well_formed(""));
        assert!(!well_formed(&"a".repeat(MAX_LEN + 1)));
        assert!(well_formed(&"a".repeat(MAX_LEN)));
        for bad in ["a b", "a\"b", "a\nb", "a/b", "طلب", "a{b}"] {
            assert!(!well_formed(bad), "{bad:?}");
        }
    }
}
