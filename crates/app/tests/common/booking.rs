//! What the appointment tests share: a Karbala family, callers, booking requests and error codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use std::sync::Arc;
use tamwin_app::appointments::{BookingRequest, FormKeys};
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::{CardNumber, Geography, NationalId};

pub fn nid(n: u64) -> String {
    NationalId::from_payload(n).unwrap().to_string()
}

pub fn person(id: u64, rel: &str, sex: &str, born: &str, given: &str) -> serde_json::Value {
    serde_json::json!({"national_id": nid(id), "given_name": given, "father_name": "حسين",
        "grandfather_name": "كاظم", "family_name": "الكربلائي", "mother_name": "زينب علي حسن",
        "birth_date": born, "sex": sex, "relation": rel})
}

/// A household of a head (1980), a spouse (1984) and a child (2016) in `district`.
pub async fn family(
    reg: &Registry,
    base: u64,
    gov: &str,
    district: &str,
) -> (
    CardNumber,
    tamwin_domain::HouseholdId,
    Vec<serde_json::Value>,
) {
    let members = vec![
        person(base, "head", "male", "1980-03-01", "كريم"),
        person(base + 1, "spouse", "female", "1984-05-02", "فاطمة"),
        person(base + 2, "son", "male", "2016-07-03", "علي"),
    ];
    let h = serde_json::from_value(serde_json::json!({"governorate": gov, "district": district,
        "address": "حي الحسين، دار 7", "phone": format!("0780{:07}", base % 10_000_000), "members": members}))
    .unwrap();
    let o = reg
        .create_household(&h, &Actor::system("t"), None)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&o.body).unwrap();
    let card = CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap();
    let hid = reg
        .store()
        .household_by_card(&card)
        .await
        .unwrap()
        .unwrap()
        .household
        .household_id;
    (card, hid, members)
}

pub fn citizen(hid: &str) -> Actor {
    Actor::citizen(&hid.into(), "07801234567", "api")
}

pub fn officer(centre: &str, district: &str) -> Actor {
    Actor::staff(
        "u1",
        "officer1",
        Role::CentreOfficer,
        Area::Centre {
            code: centre.into(),
            district: district.into(),
        },
        "api",
    )
}

pub fn at(t: &str, centre: Option<&str>) -> BookingRequest {
    BookingRequest {
        starts_at: Some(t.into()),
        centre: centre.map(str::to_string),
        members: vec![],
        new_members: vec![],
    }
}

pub fn code(e: AppError) -> String {
    match e {
        AppError::Validation(v) => v.0[0].code.to_string(),
        other => other.code().to_string(),
    }
}

pub fn body(o: &Outcome) -> serde_json::Value {
    serde_json::from_str(&o.body).unwrap()
}

pub fn forms(reg: &mut Registry) {
    reg.set_forms(Arc::new(
        FormKeys::single(
            "forms-1",
            ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
            0,
        )
        .unwrap(),
    ));
}

/// Every centre with `counters` counters.
pub fn counters(reg: &mut Registry, counters: u32) {
    let mut g = Geography::builtin().unwrap();
    for c in &mut g.centres {
        c.counters = counters;
    }
    reg.set_geo(Arc::new(g));
}
