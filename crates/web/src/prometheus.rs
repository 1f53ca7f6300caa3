//! Prometheus metrics at `/metrics` (issue 14, point 8; docs/operations.md): requests by route template
//! and status, their latency, the database pool's use, and the job runner's runs and durations. The
//! `metrics` facade records; the Prometheus recorder keeps the numbers in memory and renders them on
//! this route (no listener of its own). Labels hold route templates, methods, statuses, job names and
//! the backend: never a raw path, which may hold a card number.

use crate::AppState;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

pub const HTTP_REQUESTS: &str = "tamwin_http_requests_total";
pub const HTTP_DURATION: &str = "tamwin_http_request_duration_seconds";
pub const POOL_CONNECTIONS: &str = "tamwin_db_pool_connections";
pub const POOL_MAX: &str = "tamwin_db_pool_max_connections";
/// Emitted by the job runner in `app` (one per run, `job` and `outcome` labels).
pub const JOB_RUNS: &str = "tamwin_job_runs_total";
pub const JOB_DURATION: &str = "tamwin_job_duration_seconds";

/// Seconds: most answers take a few milliseconds, a search or a big page up to a second; past ten is
/// an incident, whatever its exact length.
const HTTP_BUCKETS: &[f64] = &[
    0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
];
/// Seconds: a reminder pass takes milliseconds, a screening run of the registry up to an hour.
const JOB_BUCKETS: &[f64] = &[0.01, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0];

static HANDLE: OnceLock<PrometheusHandle> = OnceLock::new();

/// Installs the process's recorder (once; later calls return the same handle). Called before any
/// background work starts, so that the job runner's first runs are counted too.
pub fn install() -> &'static PrometheusHandle {
    HANDLE.get_or_init(|| {
        let builder = PrometheusBuilder::new()
            .set_buckets_for_metric(Matcher::Full(HTTP_DURATION.into()), HTTP_BUCKETS)
            .and_then(|b| b.set_buckets_for_metric(Matcher::Full(JOB_DURATION.into()), JOB_BUCKETS))
            // Only an empty bucket list fails, and these are not: summaries are the fallback.
            .unwrap_or_else(|_| PrometheusBuilder::new());
        let recorder = builder.build_recorder();
        let handle = recorder.handle();
        if metrics::set_global_recorder(recorder).is_err() {
            tracing::warn!("another metrics recorder was installed first: /metrics stays empty");
        }
        describe();
        // Histogram samples wait in a buffer until folded into buckets: fold them even when no one
        // scrapes, so that memory stays flat.
        let upkeep = handle.clone();
        let spawned = std::thread::Builder::new()
            .name("metrics-upkeep".into())
            .spawn(move || {
                loop {
                    std::thread::sleep(Duration::from_secs(5));
                    upkeep.run_upkeep();
                }
            });
        if let Err(e) = spawned {
            tracing::warn!("metrics upkeep thread: {e}");
        }
        handle
    })
}

fn describe() {
    use metrics::{Unit, describe_counter, describe_gauge, describe_histogram};
    describe_counter!(
        HTTP_REQUESTS,
        "Answers given, by method, route template and status"
    );
    describe_histogram!(
        HTTP_DURATION,
        Unit::Seconds,
        "Time to answer, by method and route template"
    );
    describe_gauge!(
        POOL_CONNECTIONS,
        "Database connections open, by backend and state (idle, in_use); their sum is the pool's size"
    );
    describe_gauge!(
        POOL_MAX,
        "The most connections the database pool may open, by backend"
    );
    describe_counter!(JOB_RUNS, "Runs of background jobs, by job and outcome");
    describe_histogram!(
        JOB_DURATION,
        Unit::Seconds,
        "Time a background job's run took, by job"
    );
}

/// A method outside the few the router serves is counted as `other`: a client cannot grow the label set.
fn method_label(m: &Method) -> &'static str {
    match *m {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "other",
    }
}

/// Counts and times every answer, under the route template it matched.
pub async fn layer(req: Request, next: Next) -> Response {
    let route = crate::request_id::route(&req);
    let method = method_label(req.method());
    let start = Instant::now();
    let r = next.run(req).await;
    let status = r.status().as_u16().to_string();
    metrics::histogram!(HTTP_DURATION, "method" => method, "route" => route.clone())
        .record(start.elapsed().as_secs_f64());
    metrics::counter!(HTTP_REQUESTS, "method" => method, "route" => route, "status" => status)
        .increment(1);
    r
}

/// The metrics in the Prometheus text format; with a metrics token configured, only for its bearer.
#[utoipa::path(get, path = "/metrics", tag = "system", operation_id = "metrics",
    responses(
        (status = 200, description = "Prometheus text exposition format (docs/operations.md lists the metrics)", content_type = "text/plain", body = String),
        (status = 401, description = "The server has a metrics token and the request does not carry it as `Authorization: Bearer` (`unauthenticated`)"),
    ))]
pub async fn serve(State(s): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &s.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or("");
        if !tamwin_app::secret::same(given, token) {
            return crate::problem::Problem::from(tamwin_app::AppError::Unauthenticated)
                .into_response();
        }
    }
    // The pool is read when scraped: a gauge between scrapes would be seen by no one.
    let (backend, pool) = s.reg.pool_stats();
    let backend = backend.code();
    for (state, n) in [("idle", pool.idle), ("in_use", pool.in_use())] {
        metrics::gauge!(POOL_CONNECTIONS, "backend" => backend, "state" => state).set(f64::from(n));
    }
    metrics::gauge!(POOL_MAX, "backend" => backend).set(f64::from(pool.max));
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        install().render(),
    )
        .into_response()
}
