//! The authorisation matrix: every route × every caller (seven staff roles, the anonymous caller
//! and a citizen), each request sent and its status compared with the row's.

mod request;
mod rows;

use super::*;
use request::request;
use rows::ROWS;

/// Callers, in the order of the expectation columns.
const CALLERS: [&str; 9] = [
    "anonymous",
    "ministry_admin",
    "governorate_supervisor",
    "centre_officer",
    "mobile_team_officer",
    "auditor",
    "analyst",
    "outlet_operator",
    "citizen",
];

fn area_of(role: &str) -> &'static str {
    match role {
        "centre_officer" => "KRB-C01",
        "mobile_team_officer" => "1101",
        "outlet_operator" => "A1101-001",
        _ => "11",
    }
}

struct Caller {
    name: &'static str,
    token: Option<String>,
    cookie: Option<String>,
    csrf: String,
}

/// The citizen's household, which birth suggestions are made for, by registry: each backend's test
/// has its own, and they run at once.
static CITIZEN_HOUSEHOLD: std::sync::Mutex<Vec<(usize, String)>> =
    std::sync::Mutex::new(Vec::new());

fn citizen_household(reg: &Arc<Registry>) -> tamwin_domain::HouseholdId {
    let key = Arc::as_ptr(reg) as usize;
    let all = CITIZEN_HOUSEHOLD.lock().unwrap();
    all.iter()
        .find(|(k, _)| *k == key)
        .unwrap()
        .1
        .as_str()
        .into()
}

fn set_citizen_household(reg: &Arc<Registry>, household: String) {
    let key = Arc::as_ptr(reg) as usize;
    let mut all = CITIZEN_HOUSEHOLD.lock().unwrap();
    all.retain(|(k, _)| *k != key);
    all.push((key, household));
}

async fn callers(reg: &Arc<Registry>) -> Vec<Caller> {
    let sys = Actor::system("test");
    let mut out = vec![Caller {
        name: "anonymous",
        token: None,
        cookie: None,
        csrf: String::new(),
    }];
    for role in &CALLERS[1..8] {
        let (_, token) = reg
            .create_token(role, role, area_of(role), 30, &sys)
            .await
            .unwrap();
        let user = format!("m.{}", role.replace('_', "-"));
        reg.add_staff(&user, role, area_of(role), Some("matrix password 1"), &sys)
            .await
            .unwrap();
        let s = reg.staff_session(&user, "matrix password 1").await.unwrap();
        out.push(Caller {
            name: role,
            token: Some(token),
            cookie: Some(format!("tamwin_session={}", s.cookie)),
            csrf: s.csrf,
        });
    }
    // The citizen of a household of their own, signed in with a code read from the outbox.
    let phone = phone();
    let o = reg
        .create_household(
            &serde_json::from_value(fixture(Some(phone.clone()))).unwrap(),
            &sys,
            None,
        )
        .await
        .unwrap();
    set_citizen_household(
        reg,
        serde_json::from_str::<Value>(&o.body).unwrap()["household_id"]
            .as_str()
            .unwrap()
            .to_string(),
    );
    reg.request_code(&phone).await.unwrap();
    let msg = reg.outbox(1).await.unwrap().remove(0);
    let code: String = msg
        .body
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect();
    let s = reg.verify_code(&phone, &code).await.unwrap();
    out.push(Caller {
        name: "citizen",
        token: None,
        cookie: Some(format!("tamwin_session={}", s.cookie)),
        csrf: s.csrf,
    });
    out
}

/// How a row's request is made: JSON to the API with the caller's token (the citizen's cookie and
/// CSRF header), or a form to a page with the caller's cookie and the session's CSRF token.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Api,
    Page,
    /// A public form before sign-in: its own pre-session CSRF cookie, no session.
    PublicForm,
}

struct Row {
    method: &'static str,
    path: &'static str,
    kind: Kind,
    /// Expected status per caller, in `CALLERS` order.
    expect: [u16; 9],
}

const fn row(method: &'static str, path: &'static str, kind: Kind, expect: [u16; 9]) -> Row {
    Row {
        method,
        path,
        kind,
        expect,
    }
}

async fn send(
    app: &TestApp,
    r: &Row,
    caller: &Caller,
    path: &str,
    body: Option<&str>,
) -> (u16, String) {
    let mut headers: Vec<(&str, String)> = vec![(ANON.0, "1".into())];
    match r.kind {
        Kind::Api => {
            if let Some(t) = &caller.token {
                headers.push(("authorization", format!("Bearer {t}")));
            } else if let Some(c) = &caller.cookie {
                headers.push(("cookie", c.clone()));
                headers.push(("x-csrf-token", caller.csrf.clone()));
            }
        }
        Kind::Page => {
            if let Some(c) = &caller.cookie {
                headers.push(("cookie", c.clone()));
            }
            if body.is_some() {
                headers.push(("content-type", "application/x-www-form-urlencoded".into()));
            }
        }
        Kind::PublicForm => {
            headers.push(("cookie", "tamwin_pre=pre1".into()));
            headers.push(("content-type", "application/x-www-form-urlencoded".into()));
        }
    }
    let h: Vec<(&str, &str)> = headers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (s, b, _) = call(app, &r.method.to_uppercase(), path, body, &h).await;
    (s.as_u16(), b)
}

#[test]
fn every_route_has_a_row_and_every_row_a_route() {
    let served: BTreeSet<(&str, &str)> = tamwin_web::routes().list.into_iter().collect();
    let table: BTreeSet<(&str, &str)> = ROWS.iter().map(|r| (r.method, r.path)).collect();
    assert_eq!(ROWS.len(), table.len(), "a route has two rows");
    let missing: Vec<_> = served.difference(&table).collect();
    let stale: Vec<_> = table.difference(&served).collect();
    assert!(
        missing.is_empty(),
        "routes without a row in the authorisation matrix: {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "rows for routes that are not served: {stale:?}"
    );
}

tamwin_store::backend_tests! {
    async fn authorisation_matrix_on_every_backend(backend) {
        // A Saturday at 08:00 in Iraq: the whole day's slots at KRB-C01 (23 × 6 places) are free for the
        // appointments the rows need today.
        let clock = Arc::new(tamwin_app::FixedClock(std::sync::Mutex::new(
            "2026-11-21T05:00:00Z".parse().unwrap(),
        )));
        let (backend, app, reg) = common::app_on_with(backend, clock, true).await;
        let callers = callers(&reg).await;
        let mut wrong = Vec::new();
        for r in ROWS {
            for (i, c) in callers.iter().enumerate() {
                assert_eq!(c.name, CALLERS[i]);
                let (path, body) = request(&reg, r, c).await;
                let (status, text) = send(&app, r, c, &path, body.as_deref()).await;
                if status != r.expect[i] {
                    wrong.push(format!(
                        "{} {} as {}: {} (expected {}) {}",
                        r.method,
                        r.path,
                        c.name,
                        status,
                        r.expect[i],
                        text.chars().take(160).collect::<String>()
                    ));
                }
            }
        }
        assert!(wrong.is_empty(), "{backend}:\n{}", wrong.join("\n"));
    }
}
