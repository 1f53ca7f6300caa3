//! The hub served by the reference registry, on both backends: signed questions get signed, bound
//! answers; missing, invalid, stale and replayed signatures are refused with their codes.
//!
//! The helpers both tests share are here: a person on file, and a signed call to the hub with its
//! verified answer.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod codes;
mod signed;

use axum::body::Body;
use axum::http::Request;
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tamwin_civil::server::{HubServer, router};
use tamwin_hub::services::{HUB_MEMBER, Service};
use tamwin_hub::signing::{self, RequestParts, ResponseParts};
use tamwin_hub::{ClientId, KeyRing, MemberKey};
use tamwin_store::{CivilPerson, HubKey};
use tower::ServiceExt;

const NOW: &str = "2026-11-21T10:00:00Z";

fn t(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn person(id: u64, death: Option<&str>) -> CivilPerson {
    CivilPerson {
        national_id: tamwin_domain::NationalId::from_payload(id)
            .unwrap()
            .to_string(),
        given_name: "أحمد".into(),
        father_name: "عبد الله".into(),
        grandfather_name: "حسين".into(),
        family_name: Some("الربيعي".into()),
        mother_name: "زينب كاظم جواد".into(),
        birth_date: "1980-05-17".into(),
        sex: "male".into(),
        phone: None,
        card_status: Some("valid".into()),
        card_expires: Some("2030-01-01".into()),
        fingerprint_sha256: Some(tamwin_hub::sha256_hex(b"FP-TEMPLATE-x")),
        death_date: death.map(str::to_string),
        abroad_since: None,
    }
}

struct Call {
    status: u16,
    body: Value,
    raw: Vec<u8>,
    response: ResponseParts,
    request_hash: String,
}

async fn call(
    app: &axum::Router,
    key: &SigningKey,
    service: Service,
    body: &Value,
    ts: &str,
    nonce: &str,
    tamper: impl Fn(&mut Vec<(&'static str, String)>),
) -> Call {
    // The key [2; 32] is the health ministry's (another member); every other key signs as Trade.
    let client = if key.to_bytes() == [2; 32] {
        ClientId::parse("IQ/GOV/MOH/clinic").unwrap()
    } else {
        ClientId::parse("IQ/GOV/MOT/tamwin").unwrap()
    };
    let path = service.id().path();
    let bytes = serde_json::to_vec(body).unwrap();
    let (h, request_hash) = signing::sign_request(
        key,
        &RequestParts {
            client: &client,
            key_id: "mot-1",
            method: "POST",
            target: &path,
            timestamp: ts,
            nonce,
            body: &bytes,
        },
    );
    let mut pairs = h.pairs();
    tamper(&mut pairs);
    let mut req = Request::builder()
        .method("POST")
        .uri(&path)
        .header("content-type", "application/json");
    for (k, v) in &pairs {
        req = req.header(*k, v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::from(bytes)).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let hv = |n: &str| {
        resp.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let response = ResponseParts {
        request_hash: hv(signing::REQUEST_HASH_HEADER),
        key_id: hv(signing::KEY_ID_HEADER),
        signature: hv(signing::SIGNATURE_HEADER),
    };
    let raw = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Call {
        status,
        body: serde_json::from_slice(&raw).unwrap(),
        raw,
        response,
        request_hash,
    }
}
