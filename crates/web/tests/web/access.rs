//! Who may do what: the authorisation matrix (every route × every role, the anonymous caller and a
//! citizen, on both backends), and the attacks that must fail safely.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::{ANON, TestApp, call, nid};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tamwin_app::{Actor, Registry};

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
        "mobile_team_officer" | "outlet_operator" => "1101",
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

fn citizen_household(reg: &Arc<Registry>) -> String {
    let key = Arc::as_ptr(reg) as usize;
    let all = CITIZEN_HOUSEHOLD.lock().unwrap();
    all.iter().find(|(k, _)| *k == key).unwrap().1.clone()
}

fn set_citizen_household(reg: &Arc<Registry>, household: String) {
    let key = Arc::as_ptr(reg) as usize;
    let mut all = CITIZEN_HOUSEHOLD.lock().unwrap();
    all.retain(|(k, _)| *k != key);
    all.push((key, household));
}

static SERIAL: AtomicU64 = AtomicU64::new(1);
fn serial() -> u64 {
    SERIAL.fetch_add(1, Ordering::SeqCst)
}

/// A household in Karbala's first district (within every Karbala caller's area) with an adult spouse
/// and a daughter without a national ID (so it carries a hold).
fn fixture(phone: Option<String>) -> Value {
    let n = serial();
    json!({
        "governorate": "11", "district": "1101", "address": "حي الحسين، دار 4", "phone": phone,
        "members": [
            {"national_id": nid(30_000_000_000 + 2 * n), "given_name": "علي", "father_name": "حسين", "grandfather_name": "كاظم",
             "family_name": "الموسوي", "mother_name": "زينب كاظم جواد", "birth_date": "1975-05-17", "sex": "male", "relation": "head"},
            {"national_id": nid(30_000_000_001 + 2 * n), "given_name": "فاطمة", "father_name": "جاسم", "grandfather_name": "محمد",
             "family_name": "الكعبي", "mother_name": "سعاد علي حسن", "birth_date": "1980-03-01", "sex": "female", "relation": "spouse"},
            {"given_name": "مريم", "father_name": "علي", "grandfather_name": "حسين", "family_name": "الموسوي",
             "mother_name": "فاطمة جاسم محمد", "birth_date": "2012-03-01", "sex": "female", "relation": "daughter"}
        ]
    })
}

fn phone() -> String {
    format!("0781{:07}", serial())
}

struct Made {
    card: String,
    spouse: String,
    spouse_nid: String,
    daughter: String,
    hold: String,
}

async fn made(reg: &Registry) -> Made {
    let o = reg
        .create_household(
            &serde_json::from_value(fixture(None)).unwrap(),
            &Actor::system("fixture"),
            None,
        )
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&o.body).unwrap();
    let member = |rel: &str| {
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["relation"] == rel)
            .unwrap()["member_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let card = v["card_number"].as_str().unwrap().to_string();
    // A hold placed by hand, which a hand may lift (the no-ID hold lifts itself when the ID arrives).
    let placed = reg
        .place_hold(
            &tamwin_domain::CardNumber::parse(&card).unwrap(),
            &serde_json::from_value(
                json!({"member_id": member("spouse"), "reason": "data_mismatch",
                "evidence": "name differs from the civil registry", "source": "update_centre"}),
            )
            .unwrap(),
            &Actor::system("fixture"),
            None,
        )
        .await
        .unwrap();
    let placed: Value = serde_json::from_str(&placed.body).unwrap();
    let hold = placed["holds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["reason"] == "data_mismatch")
        .unwrap()["hold_id"]
        .as_str()
        .unwrap()
        .to_string();
    let spouse_nid = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["relation"] == "spouse")
        .unwrap()["national_id"]
        .as_str()
        .unwrap()
        .to_string();
    Made {
        spouse_nid,
        spouse: member("spouse"),
        daughter: member("daughter"),
        card,
        hold,
    }
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

//                anon adm  sup  cent mob  aud  ana  out  cit
const ROWS: &[Row] = &[
    row(
        "get",
        "/healthz",
        Kind::Api,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    // No personal data, open to every caller unless the server has a metrics token (tested in http.rs).
    row(
        "get",
        "/metrics",
        Kind::Api,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "post",
        "/api/v1/households",
        Kind::Api,
        [401, 201, 201, 201, 201, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/households",
        Kind::Api,
        [401, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/households/{card_number}",
        Kind::Api,
        [401, 200, 200, 200, 200, 200, 403, 403, 404],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/members",
        Kind::Api,
        [401, 201, 201, 201, 201, 403, 403, 403, 403],
    ),
    row(
        "put",
        "/api/v1/households/{card_number}/members/{member_id}",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/members/{member_id}/removal",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/head",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/closure",
        Kind::Api,
        [401, 200, 200, 403, 403, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/holds",
        Kind::Api,
        [401, 201, 201, 201, 403, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/holds/{hold_id}/lift",
        Kind::Api,
        [401, 200, 200, 200, 403, 403, 403, 403, 403],
    ),
    row(
        "put",
        "/api/v1/households/{card_number}/phone",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/governorates",
        Kind::Api,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/api/v1/me",
        Kind::Api,
        [401, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/api/v1/me/household",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "get",
        "/api/v1/me/data-uses",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "get",
        "/api/v1/me/suggestions",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "post",
        "/api/v1/me/suggestions/{suggestion_id}/{decision}",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "post",
        "/api/v1/exemptions",
        Kind::Api,
        [401, 201, 201, 201, 403, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/exemptions",
        Kind::Api,
        [401, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/exemptions/{exemption_id}/document",
        Kind::Api,
        [401, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/screening/runs",
        Kind::Api,
        [401, 202, 403, 403, 403, 202, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/screening/runs",
        Kind::Api,
        [401, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/jobs",
        Kind::Api,
        [401, 200, 200, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/screening/findings",
        Kind::Api,
        [401, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/screening/findings/{finding_id}",
        Kind::Api,
        [401, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/screening/findings/{finding_id}/decision",
        Kind::Api,
        [401, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/screening/appeals/{appeal_id}/decision",
        Kind::Api,
        [401, 204, 403, 403, 403, 204, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/screening/appeals",
        Kind::Api,
        [401, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/me/findings",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "post",
        "/api/v1/me/findings/{finding_id}/appeals",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 201],
    ),
    // Signed by the registry, not by the caller: the same answer whoever sends it (no hub is
    // configured here; signatures are tested in crates/app/tests/app/crvs.rs).
    row(
        "post",
        "/crvs/registry/{callback}",
        Kind::Api,
        [503, 503, 503, 503, 503, 503, 503, 503, 503],
    ),
    row(
        "post",
        "/crvs/registry/txn/on-status",
        Kind::Api,
        [503, 503, 503, 503, 503, 503, 503, 503, 503],
    ),
    row(
        "get",
        "/api/v1/me/slots",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "get",
        "/api/v1/me/appointments",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    // In this order: the citizen books, moves and cancels their household's appointment.
    row(
        "post",
        "/api/v1/me/appointments",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 201],
    ),
    row(
        "post",
        "/api/v1/me/appointments/reschedule",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "post",
        "/api/v1/me/appointments/cancel",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 204],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/appointments",
        Kind::Api,
        [401, 201, 201, 201, 201, 403, 403, 403, 404],
    ),
    row(
        "get",
        "/api/v1/centres/{centre}/appointments",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/check-ins",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/appointments/{appointment_id}",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/appointments/{appointment_id}/members/{member_id}",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/appointments/{appointment_id}/completion",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/me/home-visits",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 201],
    ),
    row(
        "post",
        "/api/v1/households/{card_number}/home-visits",
        Kind::Api,
        [401, 201, 201, 201, 201, 403, 403, 403, 404],
    ),
    row(
        "get",
        "/api/v1/teams/{team}/route",
        Kind::Api,
        [401, 200, 200, 403, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/appointments/{appointment_id}/members/{member_id}/temporary-card",
        Kind::Api,
        [401, 201, 201, 201, 201, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/appointments/{appointment_id}/members/{member_id}/correction",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/api/v1/appointments/{appointment_id}/proposals/{index}/accept",
        Kind::Api,
        [401, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/api/v1/me/temporary-cards",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "get",
        "/api/v1/me/update",
        Kind::Api,
        [401, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "get",
        "/api/v1/stats/progress",
        Kind::Api,
        [401, 200, 200, 200, 403, 200, 200, 403, 403],
    ),
    row(
        "get",
        "/api/v1/stats/households",
        Kind::Api,
        [401, 200, 200, 200, 403, 200, 200, 403, 403],
    ),
    row(
        "get",
        "/api/openapi.json",
        Kind::Api,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/api/docs",
        Kind::Api,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/",
        Kind::Page,
        [303, 200, 200, 200, 200, 200, 403, 403, 303],
    ),
    row(
        "get",
        "/households/{card_number}",
        Kind::Page,
        [303, 200, 200, 200, 200, 200, 403, 403, 303],
    ),
    row(
        "get",
        "/sign-in",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "post",
        "/sign-in",
        Kind::PublicForm,
        [401, 401, 401, 401, 401, 401, 401, 401, 401],
    ),
    row(
        "get",
        "/account",
        Kind::Page,
        [303, 200, 200, 200, 200, 200, 200, 200, 303],
    ),
    row(
        "get",
        "/stats",
        Kind::Page,
        [303, 200, 200, 200, 403, 200, 200, 403, 303],
    ),
    row(
        "get",
        "/jobs",
        Kind::Page,
        [303, 200, 200, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "post",
        "/jobs/{job}/run",
        Kind::Page,
        [303, 303, 403, 403, 403, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/account/password",
        Kind::Page,
        [303, 200, 200, 200, 200, 200, 200, 200, 403],
    ),
    row(
        "post",
        "/account/password",
        Kind::Page,
        [303, 200, 200, 200, 200, 200, 200, 200, 403],
    ),
    row(
        "get",
        "/admin/users",
        Kind::Page,
        [303, 200, 403, 403, 403, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/admin/users",
        Kind::Page,
        [303, 201, 403, 403, 403, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/admin/users/{username}/status",
        Kind::Page,
        [303, 303, 403, 403, 403, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/citizen/sign-in",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "post",
        "/citizen/code",
        Kind::PublicForm,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "post",
        "/citizen/sign-in",
        Kind::PublicForm,
        [401, 401, 401, 401, 401, 401, 401, 401, 401],
    ),
    row(
        "get",
        "/citizen",
        Kind::Page,
        [303, 303, 303, 303, 303, 303, 303, 303, 200],
    ),
    row(
        "post",
        "/citizen/suggestions/{suggestion_id}/{decision}",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 303],
    ),
    // In this order: the citizen books on the page, opens the printable form, cancels.
    row(
        "get",
        "/citizen/appointment",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "post",
        "/citizen/appointment",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 303],
    ),
    row(
        "get",
        "/citizen/appointment/form",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "post",
        "/citizen/home-visit",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 303],
    ),
    row(
        "post",
        "/citizen/appointment/cancel",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 303],
    ),
    row(
        "get",
        "/centre",
        Kind::Page,
        [303, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/centre/check-in",
        Kind::Page,
        [303, 303, 303, 303, 303, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/centre/visits/{appointment_id}",
        Kind::Page,
        [303, 200, 200, 200, 200, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/centre/visits/{appointment_id}/members/{member_id}",
        Kind::Page,
        [303, 303, 303, 303, 303, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/centre/visits/{appointment_id}/members/{member_id}/correction",
        Kind::Page,
        [303, 303, 303, 303, 303, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/centre/visits/{appointment_id}/proposals/{index}/accept",
        Kind::Page,
        [303, 303, 303, 303, 303, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/centre/visits/{appointment_id}/members/{member_id}/temporary-card",
        Kind::Page,
        [303, 404, 404, 404, 404, 403, 403, 403, 403],
    ),
    row(
        "post",
        "/centre/visits/{appointment_id}/members/{member_id}/temporary-card",
        Kind::Page,
        [303, 303, 303, 303, 303, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/citizen/temporary-cards",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "post",
        "/centre/visits/{appointment_id}/complete",
        Kind::Page,
        [303, 303, 303, 303, 303, 403, 403, 403, 403],
    ),
    row(
        "get",
        "/screening",
        Kind::Page,
        [303, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/screening/appeals",
        Kind::Page,
        [303, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "post",
        "/screening/runs",
        Kind::Page,
        [303, 303, 403, 403, 403, 303, 403, 403, 403],
    ),
    row(
        "get",
        "/screening/findings/{finding_id}",
        Kind::Page,
        [303, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "post",
        "/screening/findings/{finding_id}/decision",
        Kind::Page,
        [303, 303, 403, 403, 403, 303, 403, 403, 403],
    ),
    row(
        "post",
        "/screening/appeals/{appeal_id}/decision",
        Kind::Page,
        [303, 303, 403, 403, 403, 303, 403, 403, 403],
    ),
    row(
        "get",
        "/screening/appeals/{appeal_id}/document",
        Kind::Page,
        [303, 200, 403, 403, 403, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/exemptions",
        Kind::Page,
        [303, 200, 200, 200, 200, 200, 403, 403, 403],
    ),
    row(
        "get",
        "/citizen/findings",
        Kind::Page,
        [303, 403, 403, 403, 403, 403, 403, 403, 200],
    ),
    row(
        "get",
        "/demo/outbox",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/assets/app.css",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/assets/documents.js",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/assets/pages.js",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/assets/api-docs.js",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/assets/api-docs.css",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/manifest.webmanifest",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/assets/icon-192.png",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    row(
        "get",
        "/assets/icon-512.png",
        Kind::Page,
        [200, 200, 200, 200, 200, 200, 200, 200, 200],
    ),
    // Last: it ends the caller's session.
    row(
        "post",
        "/sign-out",
        Kind::Page,
        [303, 303, 303, 303, 303, 303, 303, 303, 303],
    ),
];

/// The path with its parameters filled from a fresh fixture, and the body the row sends.
async fn request(reg: &Arc<Registry>, r: &Row, caller: &Caller) -> (String, Option<String>) {
    let m = made(reg).await;
    let user = format!("target{}", serial());
    if r.path.contains("{username}") {
        reg.add_staff(&user, "analyst", "11", None, &Actor::system("test"))
            .await
            .unwrap();
    }
    let mut suggestion = String::new();
    if r.path.contains("{suggestion_id}") {
        // A birth in the citizen's household, the head (first member) as parent.
        let hid = citizen_household(reg);
        let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
        let parent = rec.members[0].national_id.clone().unwrap().to_string();
        let event = format!("birth-{}", serial());
        reg.receive_vital_event(&event, "birth", &nid(40_000_000_000 + serial()), "2026-10-01",
            json!({"given_name": "حسين", "father_name": "علي", "grandfather_name": "حسين", "mother_name": "فاطمة جاسم محمد",
                "sex": "male", "parents": [parent]}))
            .await
            .unwrap();
        suggestion = reg
            .store()
            .suggestions(&hid)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.event_id == event)
            .unwrap()
            .suggestion_id;
    }
    // An appointment today at KRB-C01 for the fresh household: booked, or checked in (and, for
    // completion, every adult recorded absent).
    let mut appointment = String::new();
    if r.path.contains("{appointment_id}")
        || r.path.ends_with("check-ins")
        || r.path.ends_with("check-in")
    {
        let hid = reg.household_id_of_card(&m.card).await.unwrap();
        let sys = Actor::system("fixture");
        // With a member proposed online, for the rows that accept one.
        let proposed = json!({"national_id": nid(50_000_000_000 + serial()), "given_name": "زينب", "father_name": "علي",
            "grandfather_name": "حسين", "family_name": "الموسوي", "mother_name": "فاطمة جاسم محمد", "birth_date": "2010-02-02",
            "sex": "female", "relation": "daughter"});
        let req = tamwin_app::appointments::BookingRequest {
            centre: Some("KRB-C01".into()),
            new_members: vec![serde_json::from_value(proposed).unwrap()],
            ..Default::default()
        };
        let o = reg
            .book_appointment(&hid, &req, false, &sys, None)
            .await
            .unwrap();
        appointment = serde_json::from_str::<Value>(&o.body).unwrap()["appointment_id"]
            .as_str()
            .unwrap()
            .to_string();
        if r.path.contains("{appointment_id}/") {
            let by_card = tamwin_app::CheckInRequest {
                token: None,
                card_number: Some(m.card.clone()),
            };
            reg.check_in(&by_card, &sys).await.unwrap();
        }
        if r.path.ends_with("/temporary-card") {
            let old = tamwin_app::MemberCheck {
                attendance: "present".into(),
                documents_seen: vec!["civil_id".into(), "nationality_certificate".into()],
                note: None,
                fingerprint: None,
            };
            reg.check_member(&appointment, &m.spouse, &old, &sys)
                .await
                .unwrap();
        }
        if r.path.ends_with("/completion") || r.path.ends_with("/complete") {
            let v = reg.visit(&appointment, &sys).await.unwrap();
            for member in v.members.iter().filter(|x| x.required) {
                let absent = tamwin_app::MemberCheck {
                    attendance: "absent".into(),
                    documents_seen: vec![],
                    note: None,
                    fingerprint: None,
                };
                reg.check_member(&appointment, &member.member_id, &absent, &sys)
                    .await
                    .unwrap();
            }
        }
    }
    // A finding for the fresh household (the citizen's own for an appeal), pending for a decision,
    // confirmed for an appeal, with an open appeal for an appeal's decision. No run stays running.
    let mut finding = String::new();
    let mut appeal = String::new();
    if r.path.contains("/screening/") || r.path.contains("/findings") {
        // A run started by an earlier row is the job runner's (as on a server).
        Arc::new(tamwin_app::jobs::Runner::only(
            reg.clone(),
            &[tamwin_app::jobs::SCREENING],
        ))
        .run_due()
        .await;
        for i in 0..1200 {
            let runs = reg.store().screening_runs(1000).await.unwrap();
            if runs.iter().all(|x| x.status != "running") {
                break;
            }
            assert!(i < 1199, "a screening run does not finish: {runs:?}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    if r.path.contains("{finding_id}") || r.path.contains("{appeal_id}") {
        let own = r.path.starts_with("/api/v1/me/");
        let hid = if own {
            citizen_household(reg)
        } else {
            reg.household_id_of_card(&m.card).await.unwrap()
        };
        let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
        let member = rec.members[0].member_id.clone();
        let (run, now) = (format!("run-{}", serial()), reg.clock().now());
        let sys = Actor::system("fixture");
        let log = tamwin_store::ChangeLog {
            change_id: format!("c-{}", serial()),
            at: now,
            actor: "fixture".into(),
            role: "system".into(),
            area: "".into(),
            kind: "screening_started",
            member_id: None,
            reason: None,
            details: json!({}),
            channel: sys.channel,
        };
        let started = tamwin_store::ScreeningRun {
            run_id: run.clone(),
            started_by: "fixture".into(),
            started_at: now,
            finished_at: None,
            status: "running".into(),
            phase: "load".into(),
            done: 0,
            total: 0,
            written: 0,
            summary: String::new(),
            error: None,
        };
        reg.store()
            .start_screening_run(&started, &log)
            .await
            .unwrap();
        finding = format!("f-{}", serial());
        let confirmed = !r.path.ends_with("/decision") || r.path.contains("{appeal_id}");
        let f = tamwin_store::ScreeningFinding {
            finding_id: finding.clone(),
            run_id: run.clone(),
            kind: tamwin_domain::screening::FindingKind::Fictitious,
            household_id: hid.clone(),
            member_id: member.clone(),
            other_household_id: None,
            other_member_id: None,
            other_national_id: None,
            pair_key: format!("fictitious:{member}:{}", serial()),
            score_micros: 999_000,
            decision: tamwin_domain::screening::ScreenDecision::Hold,
            explanation: "no_national_id;best_registry_match=0.0010".into(),
            status: if confirmed {
                tamwin_domain::screening::FindingStatus::Confirmed
            } else {
                tamwin_domain::screening::FindingStatus::Pending
            },
            created_at: now,
            decided_at: None,
            decided_by: None,
            decision_note: None,
            effective_at: confirmed.then_some(now),
            hold_id: None,
        };
        reg.store().save_findings(&run, &[f], 1).await.unwrap();
        reg.store()
            .finish_screening_run(&run, "done", "fixture", None, now, &log)
            .await
            .unwrap();
        if r.path.contains("{appeal_id}") {
            appeal = format!("a-{}", serial());
            let a = tamwin_store::Appeal {
                appeal_id: appeal.clone(),
                finding_id: finding.clone(),
                household_id: hid.clone(),
                submitted_at: now,
                statement: "أنا موجود".into(),
                document_name: "id.pdf".into(),
                document_type: "application/pdf".into(),
                document: b"%PDF-1.4".to_vec(),
                status: tamwin_domain::screening::AppealStatus::Open,
                decided_at: None,
                decided_by: None,
                decision_note: None,
            };
            reg.store().submit_appeal(&a, &log).await.unwrap();
        }
    }
    // An exemption with its document, for the person whose household every Karbala caller sees.
    let mut exemption = String::new();
    if r.path.contains("{exemption_id}") {
        exemption = format!("e-{}", serial());
        let hid = reg.household_id_of_card(&m.card).await.unwrap();
        let e = tamwin_store::Exemption {
            exemption_id: exemption.clone(),
            national_id: m.spouse_nid.clone(),
            reason: "study".into(),
            valid_from: "2026-09-01".into(),
            valid_until: "2027-06-30".into(),
            evidence: "university letter 17".into(),
            granted_by: "fixture".into(),
            granted_at: reg.clock().now(),
            document_name: Some("letter.pdf".into()),
            document_type: Some("application/pdf".into()),
        };
        let log = tamwin_store::ChangeLog {
            change_id: format!("c-{}", serial()),
            at: reg.clock().now(),
            actor: "fixture".into(),
            role: "system".into(),
            area: "".into(),
            kind: "exemption.granted",
            member_id: None,
            reason: None,
            details: json!({}),
            channel: Actor::system("fixture").channel,
        };
        reg.store()
            .save_exemption(&e, b"%PDF-1.4", &hid, &log)
            .await
            .unwrap();
    }
    let mut path = r
        .path
        .replace("{exemption_id}", &exemption)
        .replace("{finding_id}", &finding)
        .replace("{appeal_id}", &appeal)
        .replace("{appointment_id}", &appointment)
        .replace("{centre}", "KRB-C01")
        .replace("{team}", "MT-1101-1")
        .replace("{index}", "0")
        .replace("{suggestion_id}", &suggestion)
        .replace("{decision}", "confirm")
        .replace("{callback}", "notify")
        .replace("{job}", "sign_in.throttles")
        .replace("{card_number}", &m.card)
        .replace("{hold_id}", &m.hold)
        .replace("{username}", &user)
        .replace(
            "{member_id}",
            if r.path.ends_with("/removal") {
                &m.daughter
            } else {
                &m.spouse
            },
        );
    let form = |pairs: &[(&str, &str)]| {
        Some(
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
                .collect::<Vec<_>>()
                .join("&"),
        )
    };
    if (r.method, r.path) == ("get", "/api/v1/exemptions") {
        path = format!("{path}?national_id={}", m.spouse_nid);
    }
    let body = match (r.method, r.path) {
        ("post", "/api/v1/me/home-visits") => {
            let hid = citizen_household(reg);
            let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
            Some(json!({"member_ids": [rec.members[1].member_id], "reason": "sick"}).to_string())
        }
        ("post", p) if p.ends_with("/home-visits") => {
            Some(json!({"member_ids": [m.spouse], "reason": "elderly"}).to_string())
        }
        ("post", p) if p.starts_with("/api/") && p.ends_with("/temporary-card") => None,
        ("post", p) if p.starts_with("/api/") && p.ends_with("/correction") => Some(
            json!({"reason": "spelling on the unified card", "member": {"national_id": m.spouse_nid, "given_name": "فاطمه", "father_name": "جاسم",
                "grandfather_name": "محمد", "family_name": "الكعبي", "mother_name": "سعاد علي حسن", "birth_date": "1980-03-01", "sex": "female",
                "relation": "spouse"}})
            .to_string(),
        ),
        ("post", "/centre/check-in") => form(&[("scan", &m.card), ("csrf", &caller.csrf)]),
        ("post", "/centre/visits/{appointment_id}/members/{member_id}") => {
            form(&[("attendance", "absent"), ("csrf", &caller.csrf)])
        }
        ("post", "/citizen/home-visit") => {
            let hid = citizen_household(reg);
            let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
            form(&[("member", &rec.members[0].member_id), ("reason", "elderly"), ("csrf", &caller.csrf)])
        }
        ("post", "/centre/visits/{appointment_id}/members/{member_id}/correction") => form(&[
            ("given_name", "فاطمه"),
            ("father_name", "جاسم"),
            ("grandfather_name", "محمد"),
            ("family_name", "الكعبي"),
            ("mother_name", "سعاد علي حسن"),
            ("birth_date", "1980-03-01"),
            ("sex", "female"),
            ("relation", "spouse"),
            ("national_id", &m.spouse_nid),
            ("reason", "spelling"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/centre/visits/{appointment_id}/proposals/{index}/accept")
        | ("post", "/centre/visits/{appointment_id}/members/{member_id}/temporary-card") => {
            form(&[("csrf", &caller.csrf)])
        }
        ("post", "/centre/visits/{appointment_id}/complete")
        | ("post", "/citizen/appointment")
        | ("post", "/citizen/appointment/cancel") => form(&[("csrf", &caller.csrf)]),
        ("post", "/api/v1/check-ins") => Some(json!({"card_number": m.card}).to_string()),
        ("post", p) if p.ends_with("/members/{member_id}") => Some(json!({"attendance": "absent"}).to_string()),
        ("post", p) if p.contains("appointments") => Some("{}".into()),
        ("post", "/api/v1/screening/findings/{finding_id}/decision") => {
            Some(json!({"decision": "confirm", "note": "seen the records"}).to_string())
        }
        ("post", "/api/v1/screening/appeals/{appeal_id}/decision") => {
            Some(json!({"decision": "reject", "note": "the document does not show it"}).to_string())
        }
        ("post", "/api/v1/me/findings/{finding_id}/appeals") => Some(
            json!({"statement": "أنا موجود وأحمل البطاقة", "document_name": "card.pdf",
                "document_type": "application/pdf", "document_base64": "JVBERi0xLjQ="})
            .to_string(),
        ),
        ("post", "/jobs/{job}/run") => form(&[("csrf", &caller.csrf)]),
        ("post", "/api/v1/screening/runs") => None,
        ("post", "/screening/runs") => form(&[("csrf", &caller.csrf)]),
        ("post", "/screening/findings/{finding_id}/decision") => {
            form(&[("decision", "confirm"), ("note", "seen"), ("csrf", &caller.csrf)])
        }
        ("post", "/screening/appeals/{appeal_id}/decision") => form(&[
            ("decision", "reject"),
            ("note", "no"),
            ("finding", &finding),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/api/v1/exemptions") => Some(
            json!({"national_id": m.spouse_nid, "reason": "medical_treatment", "valid_until": "2027-03-31",
                "evidence": "hospital report 2291", "document_name": "report.pdf",
                "document_type": "application/pdf", "document_base64": "JVBERi0xLjQ="})
            .to_string(),
        ),
        ("post", "/api/v1/households") => Some(fixture(None).to_string()),
        ("post", p) if p.ends_with("/members") => Some(
            json!({"reason": "birth", "member": {"given_name": "حسن", "father_name": "علي", "grandfather_name": "حسين",
                "family_name": "الموسوي", "mother_name": "فاطمة جاسم محمد", "birth_date": "2024-01-01", "sex": "male", "relation": "son"}})
            .to_string(),
        ),
        ("put", p) if p.ends_with("{member_id}") => Some(
            json!({"reason": "spelling", "member": {"national_id": null, "given_name": "فاطمه", "father_name": "جاسم", "grandfather_name": "محمد",
                "family_name": "الكعبي", "mother_name": "سعاد علي حسن", "birth_date": "1980-03-01", "sex": "female", "relation": "spouse"}})
            .to_string(),
        ),
        ("post", p) if p.ends_with("/removal") => Some(json!({"reason": "married"}).to_string()),
        ("post", p) if p.ends_with("/head") => Some(
            json!({"member_id": m.spouse, "former_head_relation": "spouse", "reason": "head deceased"}).to_string(),
        ),
        ("post", p) if p.ends_with("/closure") => Some(json!({"reason": "emigrated"}).to_string()),
        ("post", p) if p.ends_with("/holds") => Some(
            json!({"reason": "abroad", "evidence": "border record", "source": "civil_registry"}).to_string(),
        ),
        ("post", p) if p.ends_with("/lift") => Some(json!({"reason": "card issued"}).to_string()),
        ("put", p) if p.ends_with("/phone") => Some(json!({"phone": phone(), "reason": "new number"}).to_string()),
        // A new name each time: five failures on one name from one address refuse it (429).
        ("post", "/sign-in") => form(&[("username", &format!("m.auditor{}", serial())), ("password", "wrong password!"), ("csrf", "pre1")]),
        ("post", "/account/password") => form(&[
            ("current", "matrix password 1"),
            ("new", "matrix password 2"),
            ("confirm", "matrix password 2"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/admin/users") => form(&[
            ("username", &format!("new{}", serial())),
            ("role", "auditor"),
            ("area", "11"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/admin/users/{username}/status") => form(&[("disabled", "true"), ("csrf", &caller.csrf)]),
        ("post", "/citizen/code") => form(&[("phone", &phone()), ("csrf", "pre1")]),
        ("post", "/citizen/sign-in") => form(&[("phone", &phone()), ("code", "123456"), ("csrf", "pre1")]),
        ("post", "/sign-out") | ("post", "/citizen/suggestions/{suggestion_id}/{decision}") => {
            form(&[("csrf", &caller.csrf)])
        }
        _ => None,
    };
    (path, body)
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
        let (backend, app, reg) = common::app_on_with_clock(backend, clock).await;
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

tamwin_store::backend_tests! {
    async fn attacks_fail_safely_on_every_backend((backend, app, reg) in common::app_on) {
        let before = reg.store().count_households().await.unwrap();
        let body = fixture(None).to_string();
        // A browser session without the CSRF header cannot change anything through the API.
        for csrf in [None, Some("forged")] {
            let mut h = vec![("cookie", app.cookie.as_str())];
            if let Some(c) = csrf {
                h.push(("x-csrf-token", c));
            }
            let (s, b, _) = call(&app, "POST", "/api/v1/households", Some(&body), &h).await;
            assert_eq!(s.as_u16(), 403, "{backend}: {b}");
            assert!(b.contains("csrf_invalid"));
        }
        assert_eq!(
            reg.store().count_households().await.unwrap(),
            before,
            "{backend}: nothing written"
        );
        let (s, _, _) = call(
            &app,
            "POST",
            "/api/v1/households",
            Some(&body),
            &[
                ("cookie", app.cookie.as_str()),
                ("x-csrf-token", app.csrf.as_str()),
            ],
        )
        .await;
        assert_eq!(
            s.as_u16(),
            201,
            "{backend}: with the session's token it works"
        );

        // Forms with a missing or wrong token are refused and change nothing.
        let form = [
            ("content-type", "application/x-www-form-urlencoded"),
            ("cookie", app.cookie.as_str()),
        ];
        let (s, _, _) = call(
            &app,
            "POST",
            "/account/password",
            Some("current=admin+password+1&new=hijacked+password&confirm=hijacked+password&csrf=forged"),
            &form,
        )
        .await;
        assert_eq!(s.as_u16(), 403, "{backend}");
        assert!(
            reg.staff_session("admin", "admin password 1").await.is_ok(),
            "{backend}: password unchanged"
        );
        let (s, _, _) = call(&app, "POST", "/sign-out", Some("csrf="), &form).await;
        assert_eq!(s.as_u16(), 403);
        // A sign-in form without the pre-session cookie (a cross-site login attempt) is refused.
        let (s, _, _) = call(
            &app,
            "POST",
            "/sign-in",
            Some("username=admin&password=admin+password+1&csrf=abc"),
            &[("content-type", "application/x-www-form-urlencoded"), ANON],
        )
        .await;
        assert_eq!(s.as_u16(), 403, "{backend}: login CSRF");

        // No credentials: 401 with a challenge; a made-up token: 401.
        let (s, _, h) = call(
            &app,
            "GET",
            "/api/v1/households?governorate=11",
            None,
            &[ANON],
        )
        .await;
        assert_eq!(s.as_u16(), 401);
        assert!(h.contains_key("www-authenticate"));
        let (s, _, _) = call(
            &app,
            "GET",
            "/api/v1/me",
            None,
            &[("authorization", "Bearer tmw_abc_def")],
        )
        .await;
        assert_eq!(s.as_u16(), 401, "{backend}");

        // Wrong passwords on the sign-in page: refused alike for a real and an unknown account, then
        // refused with 429 and Retry-After for that address only; the officer at another address
        // still signs in.
        reg.add_staff(
            "victim",
            "auditor",
            "11",
            Some("victim password 1"),
            &Actor::system("t"),
        )
        .await
        .unwrap();
        let mut seen = vec![];
        for (user, addr) in [
            ("victim", "198.51.100.7:5000"),
            ("no.such.user", "198.51.100.8:5000"),
        ] {
            let mut statuses = vec![];
            for _ in 0..6 {
                let (s, _, _) = sign_in_from(
                    &app,
                    &format!("username={user}&password=guess+guess+guess&csrf=p"),
                    addr,
                )
                .await;
                statuses.push(s);
            }
            seen.push(statuses);
        }
        assert_eq!(seen[0], seen[1], "{backend}");
        assert_eq!(seen[0], [401, 401, 401, 401, 401, 429], "{backend}");
        let (s, b, h) = sign_in_from(
            &app,
            "username=victim&password=victim+password+1&csrf=p",
            "198.51.100.7:5001",
        )
        .await;
        assert_eq!(s, 429, "{backend}");
        assert!(b.contains("sign-in-error"));
        let wait: i64 = h["retry-after"].to_str().unwrap().parse().unwrap();
        assert!((1..=900).contains(&wait), "{backend}: {wait}");
        let (s, _, h) = sign_in_from(
            &app,
            "username=victim&password=victim+password+1&csrf=p",
            "203.0.113.20:6000",
        )
        .await;
        assert_eq!(s, 303, "{backend}: another address signs in");
        assert!(h.contains_key("set-cookie"));
    }
}

/// A sign-in form posted from a client address, as `serve` (with connect info) hands it on.
async fn sign_in_from(
    app: &TestApp,
    form: &str,
    peer: &str,
) -> (u16, String, axum::http::HeaderMap) {
    use http_body_util::BodyExt;
    use tower::ServiceExt;
    let mut req = axum::http::Request::builder()
        .method("POST")
        .uri("/sign-in")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", "tamwin_pre=p")
        .body(axum::body::Body::from(form.to_string()))
        .unwrap();
    req.extensions_mut().insert(axum::extract::ConnectInfo(
        peer.parse::<std::net::SocketAddr>().unwrap(),
    ));
    let resp = app.router.clone().oneshot(req).await.unwrap();
    let status = resp.status().as_u16();
    let headers = resp.headers().clone();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&bytes).to_string(), headers)
}

/// Headers of a request signed by `key` for `device`, at `at`, with `nonce`.
fn signed(
    key: &ed25519_dalek::SigningKey,
    device: &str,
    method: &str,
    target: &str,
    body: &[u8],
    at: &str,
    nonce: &str,
) -> Vec<(String, String)> {
    use ed25519_dalek::Signer;
    let digest = tamwin_app::devices::body_sha256(body);
    let text = tamwin_app::devices::canonical(&tamwin_app::devices::SignedRequest {
        device_id: device,
        timestamp: at,
        nonce,
        signature: "",
        method,
        target,
        body_sha256: &digest,
    });
    let sig: String = key
        .sign(text.as_bytes())
        .to_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    vec![
        ("x-tamwin-device".into(), device.into()),
        ("x-tamwin-timestamp".into(), at.into()),
        ("x-tamwin-nonce".into(), nonce.into()),
        ("x-tamwin-signature".into(), sig),
        ("x-tamwin-content-sha256".into(), digest),
    ]
}

tamwin_store::backend_tests! {
    async fn device_keys_sign_requests_on_every_backend((backend, app, reg) in common::app_on) {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let public: String = key
            .verifying_key()
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let sys = Actor::system("t");
        let d = reg
            .add_device(
                "outlet KRB-0042",
                "centre_officer",
                "KRB-C01",
                &public,
                &sys,
            )
            .await
            .unwrap();
        assert!(
            reg.add_device("again", "auditor", "11", &public, &sys)
                .await
                .is_err(),
            "one key, one device"
        );
        assert!(
            reg.add_device("bad", "auditor", "11", "abcd", &sys)
                .await
                .is_err()
        );
        let now = format!("{:.0}", jiff::Timestamp::now());
        let as_refs = |h: &[(String, String)]| -> Vec<(String, String)> { h.to_vec() };
        let send = |h: Vec<(String, String)>,
                    method: &'static str,
                    target: &'static str,
                    body: Option<String>| {
            let app = &app;
            async move {
                let mut hs: Vec<(&str, &str)> =
                    h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                hs.push(ANON);
                let (s, b, _) = call(app, method, target, body.as_deref(), &hs).await;
                (s.as_u16(), b)
            }
        };

        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000001",
        );
        let (s, b) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 200, "{backend}: {b}");
        assert!(
            b.contains("\"kind\":\"device\"") && b.contains("KRB-C01"),
            "{b}"
        );
        // The same request again: a replay.
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401, "{backend}: replayed nonce");
        // Signed for another path.
        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000002",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/stats/households", None).await;
        assert_eq!(s, 401);
        // Ten minutes old.
        let old = format!(
            "{:.0}",
            jiff::Timestamp::now()
                .checked_sub(jiff::SignedDuration::from_mins(10))
                .unwrap()
        );
        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &old,
            "nonce-0000000000000003",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401, "{backend}: stale timestamp");
        // Another key claiming the device.
        let other = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        let h = signed(
            &other,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000004",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401);

        // A signed change: the body is held to the digest it signed.
        let body = fixture(None).to_string();
        let h = signed(
            &key,
            &d.device_id,
            "POST",
            "/api/v1/households",
            body.as_bytes(),
            &now,
            "nonce-0000000000000005",
        );
        let tampered = body.replace("حي الحسين", "حي العباس");
        let (s, _) = send(as_refs(&h), "POST", "/api/v1/households", Some(tampered)).await;
        assert_eq!(s, 401, "{backend}: a body other than the signed one");
        let h = signed(
            &key,
            &d.device_id,
            "POST",
            "/api/v1/households",
            body.as_bytes(),
            &now,
            "nonce-0000000000000006",
        );
        let (s, b) = send(as_refs(&h), "POST", "/api/v1/households", Some(body)).await;
        assert_eq!(s, 201, "{backend}: {b}");

        // Revoked: refused at once.
        reg.revoke_device(&d.device_id, &sys).await.unwrap();
        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000007",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401, "{backend}: revoked");
    }
}

tamwin_store::backend_tests! {
    async fn who_read_my_data_over_the_api_on_every_backend((backend, app, reg) in common::app_on) {
        let phone = phone();
        let o = reg
            .create_household(
                &serde_json::from_value(fixture(Some(phone.clone()))).unwrap(),
                &Actor::system("t"),
                None,
            )
            .await
            .unwrap();
        let card = serde_json::from_str::<Value>(&o.body).unwrap()["card_number"]
            .as_str()
            .unwrap()
            .to_string();
        reg.request_code(&phone).await.unwrap();
        let code: String = reg.outbox(1).await.unwrap()[0]
            .body
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        let s = reg.verify_code(&phone, &code).await.unwrap();
        let cookie = format!("tamwin_session={}", s.cookie);
        // The administrator's client opens the household; the citizen looks at it twice.
        let (st, _, _) = call(
            &app,
            "GET",
            &format!("/api/v1/households/{card}"),
            None,
            &[],
        )
        .await;
        assert_eq!(st, 200, "{backend}");
        for _ in 0..2 {
            let (st, _, _) = call(
                &app,
                "GET",
                "/api/v1/me/household",
                None,
                &[("cookie", &cookie)],
            )
            .await;
            assert_eq!(st, 200, "{backend}");
        }
        let (st, b, _) = call(
            &app,
            "GET",
            "/api/v1/me/data-uses",
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(st, 200, "{backend}");
        let uses: Vec<Value> = serde_json::from_str(&b).unwrap();
        assert_eq!(uses.len(), 1, "{backend}: {b}");
        assert_eq!(uses[0]["action"], "household.read", "{backend}");
        assert_eq!(uses[0]["role"], "ministry_admin", "{backend}");
        assert_eq!(uses[0]["count"], 1, "{backend}");
        // The next page after the last row is empty.
        let (_, b, _) = call(
            &app,
            "GET",
            &format!(
                "/api/v1/me/data-uses?before={}",
                uses[0]["cursor"]
                    .as_str()
                    .unwrap()
                    .replace(' ', "%20")
                    .replace('~', "%7E")
            ),
            None,
            &[("cookie", &cookie)],
        )
        .await;
        assert_eq!(b, "[]", "{backend}");
    }
}
