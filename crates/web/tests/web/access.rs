//! Who may do what: the authorisation matrix (every route × every role, the anonymous caller and a
//! citizen, on both backends), and the attacks that must fail safely. This file holds the fixture
//! household every part makes; each part is a file in `access/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod attacks;
mod devices;
mod matrix;
mod who_read;

use crate::common;

use common::{ANON, TestApp, call, nid};
use serde_json::{Value, json};
use std::collections::BTreeSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tamwin_app::{Actor, Registry};

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
