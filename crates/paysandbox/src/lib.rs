//! The sandbox payment provider (issue 17 point 3; docs/proxies.md, "The sandbox provider"): a small
//! HTTP server on localhost that plays a contracted payment company end to end for the demo and the
//! tests. A merchant (Tamwin, with its key) starts a payment and sends the citizen to its page; the
//! citizen pays or refuses there; the sandbox then calls back, signed as Standard Webhooks signs, and
//! answers the merchant's status checks and refunds. `Behaviour` makes it misbehave as real providers
//! do: refuse to start, call back late, twice, out of order (a stale "pending" after "paid"), not at all,
//! or report another amount.

// The project's extractors answer in problem+json and Tamwin's languages; this is another company's
// server, whose refusals are its own: axum's plain ones do.
#![allow(clippy::disallowed_types)]

use axum::extract::{Form, Path, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tamwin_app::http_transport::HttpTransport;
use tamwin_app::payments::webhook::sign;
use tamwin_hub::HubTransport as _;

/// How the sandbox misbehaves (all off: a well-behaved provider).
#[derive(Debug, Clone, Default)]
pub struct Behaviour {
    pub fail_start: bool,
    /// Each callback sent twice (the same id).
    pub duplicate: bool,
    /// A stale "pending" callback sent after the paid one.
    pub out_of_order: bool,
    /// No callback at all (the merchant's check must find the payment).
    pub drop_callbacks: bool,
    /// Milliseconds before each callback.
    pub delay_ms: u64,
    /// Added to the amount the status check reports.
    pub amount_delta: i64,
}

#[derive(Debug, Clone)]
struct Payment {
    order_id: String,
    amount: i64,
    currency: String,
    description: String,
    return_url: String,
    callback_url: String,
    status: &'static str,
    refunded: i64,
}

pub struct Sandbox {
    pub api_key: String,
    pub webhook_secret: Vec<u8>,
    /// `http://127.0.0.1:port`, once listening.
    pub base: Mutex<String>,
    pub behaviour: Mutex<Behaviour>,
    payments: Mutex<HashMap<String, Payment>>,
    sent: Mutex<u64>,
    /// Seconds added to the real time in its callbacks' stamps: a demo whose clock starts elsewhere
    /// keeps the provider's clock agreeing with its own, as real ones agree.
    clock_offset: std::sync::atomic::AtomicI64,
}

impl Sandbox {
    pub fn new(api_key: &str, webhook_secret: &[u8]) -> Arc<Sandbox> {
        Arc::new(Sandbox {
            api_key: api_key.to_string(),
            webhook_secret: webhook_secret.to_vec(),
            base: Mutex::new(String::new()),
            behaviour: Mutex::new(Behaviour::default()),
            payments: Mutex::new(HashMap::new()),
            sent: Mutex::new(0),
            clock_offset: std::sync::atomic::AtomicI64::new(0),
        })
    }

    pub fn set_clock_offset(&self, seconds: i64) {
        self.clock_offset
            .store(seconds, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn set_behaviour(&self, b: Behaviour) {
        if let Ok(mut x) = self.behaviour.lock() {
            *x = b;
        }
    }

    fn behaviour(&self) -> Behaviour {
        self.behaviour.lock().map(|b| b.clone()).unwrap_or_default()
    }

    /// Callbacks sent so far.
    pub fn callbacks_sent(&self) -> u64 {
        self.sent.lock().map(|n| *n).unwrap_or(0)
    }

    /// Marks a pending payment paid or failed as its page does and sends its callbacks (tests that do
    /// not drive a browser call it directly); false when there is no such pending payment.
    pub fn settle(self: &Arc<Self>, id: &str, paid: bool) -> bool {
        let p = {
            let Ok(mut ps) = self.payments.lock() else {
                return false;
            };
            match ps.get_mut(id) {
                Some(p) if p.status == "pending" => {
                    p.status = if paid { "paid" } else { "failed" };
                    p.clone()
                }
                _ => return false,
            }
        };
        let me = self.clone();
        let id = id.to_string();
        tokio::spawn(async move { me.call_back(&id, &p).await });
        true
    }

    async fn call_back(&self, id: &str, p: &Payment) {
        let b = self.behaviour();
        if b.drop_callbacks {
            return;
        }
        let mut bodies = vec![(uuid::Uuid::now_v7().to_string(), p.status)];
        if b.duplicate {
            bodies.push(bodies[0].clone());
        }
        if b.out_of_order {
            bodies.push((uuid::Uuid::now_v7().to_string(), "pending"));
        }
        for (msg, status) in bodies {
            if b.delay_ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(b.delay_ms)).await;
            }
            let body = json!({"type": "payment.updated", "data": {"payment_id": id, "order_id": p.order_id, "status": status}})
                .to_string()
                .into_bytes();
            let at = jiff::Timestamp::now().as_second()
                + self.clock_offset.load(std::sync::atomic::Ordering::Relaxed);
            let headers = vec![
                ("webhook-id", msg.clone()),
                ("webhook-timestamp", at.to_string()),
                (
                    "webhook-signature",
                    sign(&self.webhook_secret, &msg, at, &body),
                ),
                ("content-type", "application/json".to_string()),
            ];
            let t = HttpTransport {
                base: String::new(),
            };
            if let Err(e) = t.post(&p.callback_url, headers, body).await {
                tracing::warn!(error = %e, "the sandbox's callback did not reach the merchant");
            }
            if let Ok(mut n) = self.sent.lock() {
                *n += 1;
            }
        }
    }
}

/// The merchant, by its key: a request without it is refused before its handler runs.
struct Merchant;

impl axum::extract::FromRequestParts<Arc<Sandbox>> for Merchant {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        s: &Arc<Sandbox>,
    ) -> Result<Self, Response> {
        let key = parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        if key == Some(s.api_key.as_str()) {
            Ok(Merchant)
        } else {
            Err(refuse(StatusCode::UNAUTHORIZED, "bad_key"))
        }
    }
}

fn refuse(status: StatusCode, code: &str) -> Response {
    (status, axum::Json(json!({ "error": code }))).into_response()
}

#[derive(Deserialize)]
struct StartBody {
    order_id: String,
    amount: i64,
    currency: String,
    description: String,
    return_url: String,
    callback_url: String,
}

async fn start(
    State(s): State<Arc<Sandbox>>,
    _: Merchant,
    axum::Json(b): axum::Json<StartBody>,
) -> Response {
    if s.behaviour().fail_start {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    }
    if b.amount <= 0 {
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, "amount");
    }
    let id = format!("sbx_{}", uuid::Uuid::new_v4().simple());
    let base = s.base.lock().map(|b| b.clone()).unwrap_or_default();
    let p = Payment {
        order_id: b.order_id,
        amount: b.amount,
        currency: b.currency,
        description: b.description,
        return_url: b.return_url,
        callback_url: b.callback_url,
        status: "pending",
        refunded: 0,
    };
    if let Ok(mut ps) = s.payments.lock() {
        ps.insert(id.clone(), p);
    }
    (
        StatusCode::CREATED,
        axum::Json(json!({ "id": id, "redirect_url": format!("{base}/pay/{id}") })),
    )
        .into_response()
}

#[derive(Deserialize)]
struct IdBody {
    id: String,
    #[serde(default)]
    amount: i64,
}

async fn status(
    State(s): State<Arc<Sandbox>>,
    _: Merchant,
    axum::Json(b): axum::Json<IdBody>,
) -> Response {
    let delta = s.behaviour().amount_delta;
    let p = s.payments.lock().ok().and_then(|ps| ps.get(&b.id).cloned());
    match p {
        Some(p) => axum::Json(json!({
            "id": b.id, "order_id": p.order_id, "status": if p.refunded > 0 { "refunded" } else { p.status },
            "amount": p.amount + delta, "currency": p.currency,
        }))
        .into_response(),
        None => refuse(StatusCode::NOT_FOUND, "unknown"),
    }
}

async fn refund(
    State(s): State<Arc<Sandbox>>,
    _: Merchant,
    axum::Json(b): axum::Json<IdBody>,
) -> Response {
    let Ok(mut ps) = s.payments.lock() else {
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, "internal");
    };
    match ps.get_mut(&b.id) {
        Some(p) if p.status == "paid" && b.amount > 0 && b.amount <= p.amount - p.refunded => {
            p.refunded += b.amount;
            axum::Json(json!({ "id": b.id, "refunded": p.refunded })).into_response()
        }
        Some(_) => refuse(StatusCode::CONFLICT, "not_refundable"),
        None => refuse(StatusCode::NOT_FOUND, "unknown"),
    }
}

/// The page the citizen pays on (Arabic first, as the merchant's pages are).
async fn page(State(s): State<Arc<Sandbox>>, Path(id): Path<String>) -> Response {
    let p = s.payments.lock().ok().and_then(|ps| ps.get(&id).cloned());
    let Some(p) = p else {
        return refuse(StatusCode::NOT_FOUND, "unknown");
    };
    let amount = format!("{}.{:03}", p.amount / 1000, p.amount % 1000);
    Html(format!(
        r#"<!doctype html><html lang="ar" dir="rtl"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>بوابة الدفع التجريبية</title>
<style>body{{font-family:sans-serif;max-width:28rem;margin:2rem auto;padding:0 1rem}}button{{font-size:1.1rem;padding:.6rem 1.2rem;margin:.3rem}}.num{{direction:ltr;unicode-bidi:isolate}}</style></head>
<body><h1>بوابة الدفع التجريبية</h1><p>{desc}</p><p>المبلغ: <span class="num" id="amount">{amount} {cur}</span></p><p id="status">الحالة: {status}</p>
<form method="post"><button name="outcome" value="paid" id="pay">ادفع</button><button name="outcome" value="failed" id="refuse">ارفض</button></form>
<p lang="en" dir="ltr">Sandbox payment page: nothing is charged.</p></body></html>"#,
        desc = html_escape(&p.description),
        cur = html_escape(&p.currency),
        status = p.status,
    ))
    .into_response()
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[derive(Deserialize)]
struct Outcome {
    outcome: String,
}

async fn pay(
    State(s): State<Arc<Sandbox>>,
    Path(id): Path<String>,
    Form(f): Form<Outcome>,
) -> Response {
    let back = s
        .payments
        .lock()
        .ok()
        .and_then(|ps| ps.get(&id).map(|p| p.return_url.clone()));
    let Some(back) = back else {
        return refuse(StatusCode::NOT_FOUND, "unknown");
    };
    s.settle(&id, f.outcome == "paid");
    Redirect::to(&back).into_response()
}

pub fn router(s: Arc<Sandbox>) -> axum::Router {
    axum::Router::new()
        .route("/v1/payments", post(start))
        .route("/v1/payments/status", post(status))
        .route("/v1/payments/refund", post(refund))
        .route("/pay/{id}", get(page).post(pay))
        .with_state(s)
}

/// Serves the sandbox on `listen` (`127.0.0.1:0` for any free port); returns its base URL.
pub async fn serve(s: Arc<Sandbox>, listen: &str) -> std::io::Result<String> {
    let l = tokio::net::TcpListener::bind(listen).await?;
    let base = format!("http://{}", l.local_addr()?);
    if let Ok(mut b) = s.base.lock() {
        *b = base.clone();
    }
    let app = router(s);
    tokio::spawn(async move {
        if let Err(e) = axum::serve(l, app).await {
            tracing::error!(error = %e, "the sandbox payment provider stopped");
        }
    });
    Ok(base)
}
