//! Who is calling. The API takes a bearer token (machine clients) or the browser's session cookie;
//! pages take the session cookie. A request that changes something with a cookie must carry the
//! session's CSRF token (a form field, or the `X-CSRF-Token` header for scripts).

use crate::AppState;
use crate::problem::Problem;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, header};
use tamwin_app::{Actor, AppError, SignedIn};

pub const SESSION_COOKIE: &str = "tamwin_session";
/// Before sign-in there is no session: the sign-in forms carry this cookie's value (double submit).
pub const PRE_COOKIE: &str = "tamwin_pre";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Signed device requests (docs/access.md).
pub const DEVICE_HEADER: &str = "x-tamwin-device";
pub const DEVICE_TIME_HEADER: &str = "x-tamwin-timestamp";
pub const DEVICE_NONCE_HEADER: &str = "x-tamwin-nonce";
pub const DEVICE_SIGNATURE_HEADER: &str = "x-tamwin-signature";
pub const BODY_DIGEST_HEADER: &str = "x-tamwin-content-sha256";

/// The body digest a signed request declared; the body extractor holds the body to it.
#[derive(Clone)]
pub struct DeclaredDigest(pub String);

async fn device_caller(parts: &mut Parts, s: &AppState) -> Result<Actor, Problem> {
    let h = &parts.headers;
    let get = |name: &str| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("");
    let bodyless = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let digest = if bodyless {
        tamwin_app::devices::body_sha256(b"")
    } else {
        get(BODY_DIGEST_HEADER).to_ascii_lowercase()
    };
    let target = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str().to_string())
        .unwrap_or_default();
    let req = tamwin_app::devices::SignedRequest {
        device_id: get(DEVICE_HEADER),
        timestamp: get(DEVICE_TIME_HEADER),
        nonce: get(DEVICE_NONCE_HEADER),
        signature: get(DEVICE_SIGNATURE_HEADER),
        method: parts.method.as_str(),
        target: &target,
        body_sha256: &digest,
    };
    let actor = s.reg.device_actor(&req).await?;
    if !bodyless {
        parts.extensions.insert(DeclaredDigest(digest));
    }
    Ok(actor)
}

pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|c| c.split(';'))
        .find_map(|p| p.trim().strip_prefix(name)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for the session: not readable by scripts, never sent cross-site, HTTPS only (browsers
/// treat http://localhost and 127.0.0.1 as secure, so the demo works too).
pub fn session_cookie(value: &str) -> String {
    format!("{SESSION_COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Strict")
}

pub fn clear_session_cookie() -> String {
    format!("{SESSION_COOKIE}=; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=0")
}

pub fn pre_cookie(value: &str) -> String {
    format!("{PRE_COOKIE}={value}; Path=/; HttpOnly; Secure; SameSite=Strict; Max-Age=3600")
}

/// The browser session behind the request's cookie, if any and still open.
pub async fn session(s: &AppState, headers: &HeaderMap) -> Result<Option<SignedIn>, AppError> {
    let Some(c) = cookie(headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    match s.reg.session_of(c).await {
        Ok(x) => Ok(Some(x)),
        Err(AppError::Unauthenticated) => Ok(None),
        Err(e) => Err(e),
    }
}

pub fn csrf_refused() -> Problem {
    Problem::new(403, "csrf_invalid")
}

/// The client's address as the sign-in throttle keys it (`tamwin_app::throttle::source_key`): the
/// connection's peer when the server runs with connect info (`serve`), `local` where it does not
/// (in-process tests). Behind a reverse proxy every client has the proxy's address: see docs/access.md.
pub struct Source(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Source {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let peer = parts
            .extensions
            .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(Source(tamwin_app::throttle::source_key(peer)))
    }
}

/// The caller of an API route: token or session; 401 without either.
pub struct Caller(pub Actor);

impl FromRequestParts<AppState> for Caller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, Problem> {
        if parts.headers.contains_key(DEVICE_HEADER) {
            return Ok(Caller(device_caller(parts, s).await?));
        }
        if let Some(v) = parts.headers.get(header::AUTHORIZATION) {
            let bearer = v
                .to_str()
                .ok()
                .and_then(|v| v.strip_prefix("Bearer "))
                .ok_or_else(|| Problem::from(AppError::Unauthenticated))?;
            return Ok(Caller(s.reg.token_actor(bearer).await?));
        }
        let Some(signed) = session(s, &parts.headers).await? else {
            return Err(AppError::Unauthenticated.into());
        };
        let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
        if !safe {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
            if !sent.is_some_and(|t| tamwin_app::secret::same(t, &signed.csrf)) {
                return Err(csrf_refused());
            }
        }
        let mut actor = signed.actor;
        actor.channel = "api";
        Ok(Caller(actor))
    }
}
