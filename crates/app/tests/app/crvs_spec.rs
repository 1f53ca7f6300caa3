//! The identity hub against the SPDCI CRVS API v1.0.0 (`shared/specs/spdci-crvs-api-v1.0.0.yaml`), as a
//! client that follows the specification meets it, on both backends: `sender_uri` is the whole callback
//! address and is optional (the default set at onboarding is used); a status request is acknowledged with
//! a correlation id and answered in one of the specification's `txn_status` shapes; malformed timestamps,
//! locales and over-long identifiers are refused; the specification's example signature form is accepted.
//! This file holds the client's transport and messages; each part is a file in `crvs_spec/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod malformed;
mod sender_uri;
mod txn_status;

use crate::common;
use common::*;
use serde_json::{Value, json};
use std::sync::Mutex;
use tamwin_app::Clock as _;
use tamwin_hub::HubTransport;
use tamwin_hub::crvs::{self, Ack};

const CLIENT: &str = "IQ/GOV/MOT/tamwin";

/// Where the registry's callbacks went, and what they carried; every one acknowledged.
#[derive(Default)]
struct Recorder {
    seen: Mutex<Vec<(String, Value)>>,
}

#[async_trait::async_trait]
impl HubTransport for Recorder {
    async fn post(
        &self,
        path: &str,
        _headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> std::result::Result<(u16, Vec<(String, String)>, Vec<u8>), String> {
        let v: Value = serde_json::from_slice(&body).unwrap();
        self.seen.lock().unwrap().push((path.to_string(), v));
        let ack = Ack::accepted(jiff::Timestamp::now(), "c");
        Ok((200, vec![], serde_json::to_vec(&ack).unwrap()))
    }
}

impl Recorder {
    fn take(&self) -> Vec<(String, Value)> {
        std::mem::take(&mut *self.seen.lock().unwrap())
    }
}

async fn post(t: &Flaky, path: &str, body: Vec<u8>) -> (u16, Value) {
    let (s, _, b) = t
        .post(
            path,
            vec![("content-type", "application/json".into())],
            body,
        )
        .await
        .unwrap();
    (s, serde_json::from_slice(&b).unwrap())
}

fn search_message(tx: &str, at: &str) -> crvs::SearchRequest {
    crvs::SearchRequest {
        transaction_id: tx.into(),
        search_request: vec![crvs::SearchItem::by_uin(
            "r1",
            at,
            &tamwin_domain::NationalId::from_payload(83_000_000_001)
                .unwrap()
                .to_string(),
        )],
    }
}

fn status_message(tx: &str, txn_type: &str, attribute: &str, value: &str) -> Value {
    json!({"transaction_id": tx, "txnstatus_request": {"reference_id": "r-status", "txn_type": txn_type,
        "attribute_type": attribute, "attribute_value": value, "locale": "eng"}})
}

/// Messages of any serialisable type behind one reference (the tests seal typed and untyped ones).
mod erased {
    pub trait Msg {
        fn value(&self) -> serde_json::Value;
    }
    impl<T: serde::Serialize> Msg for T {
        fn value(&self) -> serde_json::Value {
            serde_json::to_value(self).unwrap()
        }
    }
}
