//! HTTP layer: the JSON API under /api/v1 with its OpenAPI document, and the Arabic, right-to-left pages.
//! Handlers are thin: parse, call `tamwin_app`, render.
// `Problem` is every handler's error and is built once per failed request: boxing it buys nothing.
#![allow(clippy::result_large_err)]

pub mod api;
mod auth;
mod display;
pub mod errors;
mod evidence_text;
mod extract;
pub mod i18n;
mod notices;
mod openapi;
mod openapi_conform;
mod page_error;
mod pages;
pub mod problem;
mod prometheus;
mod render;
mod request_id;
mod routes;
mod routes_outlets;
mod screening_text;
mod security_headers;
mod signed_in;
mod url;

pub use routes::{Routes, routes};

use axum::Router;
use axum::extract::DefaultBodyLimit;
use std::sync::Arc;
use tamwin_app::Registry;

pub use openapi::openapi_json;
pub use prometheus::install as install_metrics;

#[derive(Clone)]
pub struct AppState {
    pub reg: Arc<Registry>,
    /// The demo shows the notification outbox on a page (`/demo/outbox`); a real deployment does not.
    pub demo: bool,
    /// When set, `/metrics` answers only a request carrying it as a bearer token (docs/operations.md).
    pub metrics_token: Option<Arc<str>>,
    /// The demo's civil registry's text messages, shown beside the outbox.
    pub registry_sms: Option<RegistrySms>,
}

/// The text messages another system (the demo's civil registry) sent, newest first: (phone, body,
/// time).
pub type RegistrySms = Arc<
    dyn Fn() -> std::pin::Pin<
            Box<dyn std::future::Future<Output = Vec<(String, String, jiff::Timestamp)>> + Send>,
        > + Send
        + Sync,
>;

/// How a server is set up beyond its registry.
#[derive(Clone, Default)]
pub struct Config {
    /// Adds the demo's pages (the notification outbox).
    pub demo: bool,
    pub metrics_token: Option<String>,
    /// The demo's civil registry's messages, for the outbox page.
    pub registry_sms: Option<RegistrySms>,
}

/// Largest request body accepted (a household of 40 members is far below it).
pub const BODY_LIMIT: usize = 64 * 1024;
/// Requests carrying one document (appeals, exemptions): up to 2 MB, base64 (4/3 larger) in JSON.
pub const APPEAL_BODY_LIMIT: usize = 3 * 1024 * 1024;

pub fn app(reg: Arc<Registry>) -> Router {
    app_with(reg, false)
}

/// The router; `demo` adds the outbox page.
pub fn app_with(reg: Arc<Registry>, demo: bool) -> Router {
    app_configured(
        reg,
        Config {
            demo,
            ..Config::default()
        },
    )
}

/// The router with its layers: the request id outermost, then the metrics, then the security headers.
pub fn app_configured(reg: Arc<Registry>, cfg: Config) -> Router {
    prometheus::install();
    let state = AppState {
        reg,
        demo: cfg.demo,
        // An empty token (a variable set to nothing) would let every request through as its bearer.
        metrics_token: cfg.metrics_token.filter(|t| !t.is_empty()).map(Arc::from),
        registry_sms: cfg.registry_sms,
    };
    routes()
        .router
        .fallback(pages::assets::not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(BODY_LIMIT))
        // Around the routes: a page handler's `PageError` becomes its error page here.
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            page_error::layer,
        ))
        .with_state(state)
        .layer(axum::middleware::from_fn(problem::language_layer))
        .layer(axum::middleware::from_fn(render::remember_lang))
        .layer(axum::middleware::from_fn(security_headers::layer))
        .layer(axum::middleware::from_fn(prometheus::layer))
        // Outermost: the request's span holds everything the other layers log.
        .layer(axum::middleware::from_fn(request_id::layer))
}

/// A method a route does not answer: a problem for the API, the error page for a page.
async fn method_not_allowed(
    axum::extract::State(s): axum::extract::State<AppState>,
    uri: axum::http::Uri,
    headers: axum::http::HeaderMap,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    let p = uri.path();
    if p.starts_with("/api/") || p.starts_with("/crvs/") || p == "/healthz" || p == "/metrics" {
        return problem::Problem::new(405, "method_not_allowed").into_response();
    }
    extract::page::method_not_allowed(&s, uri.query(), &headers)
}

/// Serves until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    reg: Arc<Registry>,
    demo: bool,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let cfg = Config {
        demo,
        ..Config::default()
    };
    serve_configured(listener, reg, cfg, shutdown).await
}

pub async fn serve_configured(
    listener: tokio::net::TcpListener,
    reg: Arc<Registry>,
    cfg: Config,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    // The peer address reaches the handlers: sign-in is throttled by it (`auth::Source`).
    axum::serve(
        listener,
        app_configured(reg, cfg).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
