//! Test set-up shared by the HTTP tests: an app per backend with a signed-in administrator, and a
//! request helper.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tamwin_app::{Actor, Clock, FixedClock, RandomIds, Registry};
use tamwin_domain::{Geography, NationalId};
use tamwin_store::testkit::{self, Backend};
use tower::ServiceExt;

/// An app on one backend; requests carry the administrator's token and session unless they name
/// their own credentials (or `ANON`).
pub struct TestApp {
    pub router: axum::Router,
    pub token: String,
    pub cookie: String,
    pub csrf: String,
}

/// A header that makes `call` send no credentials.
pub const ANON: (&str, &str) = ("x-test-anonymous", "1");

pub fn clock() -> Arc<FixedClock> {
    Arc::new(FixedClock(std::sync::Mutex::new(
        "2026-11-21T09:00:00Z".parse().unwrap(),
    )))
}

/// One backend's app, for `tamwin_store::backend_tests!`, on the system clock.
pub async fn app_on(backend: Backend) -> (&'static str, TestApp, Arc<Registry>) {
    app_on_with_clock(backend, Arc::new(tamwin_app::SystemClock)).await
}

/// One backend's app on this clock.
pub async fn app_on_with_clock(
    backend: Backend,
    clock: Arc<dyn Clock>,
) -> (&'static str, TestApp, Arc<Registry>) {
    app_on_with(backend, clock, false).await
}

/// Karbala's first district's ration agent, flour agent and bakery: an outlet operator names one.
pub const OUTLETS: &str = "outlet_code,kind,district,name_ar,address,latitude,longitude,licence,opening_days,opens,closes
A1101-001,ration_agent,1101,وكيل الحسين,شارع العباس,32.616,44.024,,sat sun mon tue wed thu,08:00,16:00
F1101-001,flour_agent,1101,وكيل طحين الحسين,شارع العباس,,,,sat sun mon tue wed thu,08:00,16:00
B1101-001,bakery,1101,مخبز الحسين,شارع العباس,,,,sat sun mon tue wed thu fri,06:00,14:00
";

/// One backend's app, its registry signing forms and cards when `forms` (the appointment journey).
pub async fn app_on_with(
    backend: Backend,
    clock: Arc<dyn Clock>,
    forms: bool,
) -> (&'static str, TestApp, Arc<Registry>) {
    let (name, store) = testkit::store(backend).await;
    let mut reg = Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        clock,
        Arc::new(RandomIds),
    );
    if forms {
        reg.set_forms(Arc::new(
            tamwin_app::appointments::FormKeys::single(
                "forms-1",
                ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
                0,
            )
            .unwrap(),
        ));
    }
    let reg = Arc::new(reg);
    reg.prepare().await.unwrap();
    let sys = Actor::system("test");
    reg.import_outlets(OUTLETS.as_bytes(), &sys).await.unwrap();
    let (_, token) = reg
        .create_token("test client", "ministry_admin", "nation", 30, &sys)
        .await
        .unwrap();
    reg.add_staff(
        "admin",
        "ministry_admin",
        "nation",
        Some("admin password 1"),
        &sys,
    )
    .await
    .unwrap();
    let s = reg
        .staff_session("admin", "admin password 1")
        .await
        .unwrap();
    (
        name,
        TestApp {
            router: tamwin_web::app_with(reg.clone(), true),
            token,
            cookie: format!("tamwin_session={}", s.cookie),
            csrf: s.csrf,
        },
        reg,
    )
}

pub async fn call(
    app: &TestApp,
    method: &str,
    uri: &str,
    body: Option<&str>,
    headers: &[(&str, &str)],
) -> (StatusCode, String, axum::http::HeaderMap) {
    let mut req = Request::builder().method(method).uri(uri);
    if body.is_some()
        && !headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case("content-type"))
    {
        req = req.header("content-type", "application/json");
    }
    let own = headers.iter().any(|(k, _)| {
        ["authorization", "cookie", ANON.0].contains(&k.to_ascii_lowercase().as_str())
    });
    if !own {
        req = req
            .header("authorization", format!("Bearer {}", app.token))
            .header("cookie", app.cookie.as_str());
    }
    for (k, v) in headers.iter().filter(|(k, _)| *k != ANON.0) {
        req = req.header(*k, *v);
    }
    let resp = app
        .router
        .clone()
        .oneshot(
            req.body(Body::from(body.unwrap_or("").to_string()))
                .unwrap(),
        )
        .await
        .unwrap();
    let status = resp.status();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).to_string(), headers)
}

pub fn nid(n: u64) -> String {
    NationalId::from_payload(n).unwrap().to_string()
}

pub fn household(head_id: &str) -> Value {
    json!({
        "governorate": "11", "district": "1101", "address": "حي الحسين، دار 4",
        "members": [
            {"national_id": head_id, "given_name": "أحمـد", "father_name": "عبد الله", "grandfather_name": "حسين",
             "family_name": "الربيعي", "mother_name": "زينب كاظم جواد", "birth_date": "1980-05-17", "sex": "male", "relation": "head"},
            {"given_name": "مريم", "father_name": "أحمد", "grandfather_name": "عبد الله", "family_name": "الربيعي",
             "mother_name": "سعاد علي حسن", "birth_date": "2012-03-01", "sex": "female", "relation": "daughter"}
        ]
    })
}

/// A session cookie and CSRF token for a citizen of the household with this phone (code from the outbox).
pub async fn citizen_session(reg: &Registry, phone: &str) -> (String, String) {
    reg.request_code(phone).await.unwrap();
    let msg = reg.outbox(1).await.unwrap().remove(0);
    let code: String = msg
        .body
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    let s = reg.verify_code(phone, &code).await.unwrap();
    (format!("tamwin_session={}", s.cookie), s.csrf)
}

/// A session cookie and CSRF token for a new staff account of `role` in `area`.
pub async fn staff_session(reg: &Registry, user: &str, role: &str, area: &str) -> (String, String) {
    reg.add_staff(
        user,
        role,
        area,
        Some("staff password 1"),
        &Actor::system("test"),
    )
    .await
    .unwrap();
    let s = reg.staff_session(user, "staff password 1").await.unwrap();
    (format!("tamwin_session={}", s.cookie), s.csrf)
}
