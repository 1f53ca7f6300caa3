//! Access on both backends: one-time codes (expiry, single use, attempts, throttling, unregistered
//! numbers), sessions (expiry, sign-out, disabled accounts, password change), tokens (expiry,
//! revocation, guesses), scope (another governorate's household is not found), and reads in the audit log.
//! This file holds the registry and households they share; each part is a file in `access/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod codes;
mod scope;
mod sessions;

use std::sync::{Arc, Mutex};
use tamwin_app::*;
use tamwin_domain::{CardNumber, Geography, NewHousehold};
use tamwin_store::ListFilter;

fn advance(clock: &FixedClock, minutes: i64) {
    let mut t = clock.0.lock().unwrap();
    *t = t.checked_add(jiff::Span::new().minutes(minutes)).unwrap();
}

async fn setup(store: Arc<dyn tamwin_store::Store>) -> (Registry, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock(Mutex::new(
        "2026-11-21T09:00:00Z".parse().unwrap(),
    )));
    let reg = Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        clock.clone(),
        Arc::new(RandomIds),
    );
    reg.prepare().await.unwrap();
    (reg, clock)
}

fn household(gov: &str, district: &str, id: u64, phone: Option<&str>) -> NewHousehold {
    serde_json::from_value(serde_json::json!({
        "governorate": gov, "district": district, "address": "دار 1", "phone": phone,
        "members": [{"national_id": tamwin_domain::NationalId::from_payload(id).unwrap().to_string(),
            "given_name": "كاظم", "father_name": "جواد", "grandfather_name": "مهدي", "family_name": "الحسيني",
            "mother_name": "زهراء علي حسن", "birth_date": "1970-01-01", "sex": "male", "relation": "head"}]
    }))
    .unwrap()
}

async fn create(reg: &Registry, h: &NewHousehold) -> CardNumber {
    let o = reg
        .create_household(h, &Actor::system("t"), None)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&o.body).unwrap();
    CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap()
}

async fn last_code(reg: &Registry) -> String {
    let m = reg.outbox(1).await.unwrap().remove(0);
    m.body
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect()
}
