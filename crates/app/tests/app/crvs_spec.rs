//! The identity hub against the SPDCI CRVS API v1.0.0 (`shared/specs/spdci-crvs-api-v1.0.0.yaml`), as a
//! client that follows the specification meets it, on both backends: `sender_uri` is the whole callback
//! address and is optional (the default set at onboarding is used); a status request is acknowledged with
//! a correlation id and answered in one of the specification's `txn_status` shapes; malformed timestamps,
//! locales and over-long identifiers are refused; the specification's example signature form is accepted.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

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

/// Checks `v` against the required fields and enums of the specification's `txn_status` shapes
/// (`TxnStatusResponse.txnstatus_response.txn_status`: oneOf the search-response example,
/// `SubscribeResponse`, `UnSubscribeResponse`) and returns the one it matches; panics unless exactly one.
fn txn_status_shape(v: &Value) -> &'static str {
    const STATUS: [&str; 4] = ["rcvd", "pdng", "succ", "rjct"];
    let has =
        |o: &Value, keys: &[&str]| keys.iter().all(|k| o.get(k).is_some_and(|x| !x.is_null()));
    let id_ok = |o: &Value, k: &str| {
        o[k].as_str()
            .is_some_and(|s| !s.is_empty() && s.chars().count() <= 99)
    };
    let items_ok = |list: &str, codes: &[&str]| {
        v[list].as_array().is_some_and(|a| {
            a.iter().all(|i| {
                has(i, &["reference_id", "timestamp", "status"])
                    && STATUS.contains(&i["status"].as_str().unwrap_or(""))
                    && tamwin_hub::crvs_formats::is_date_time(i["timestamp"].as_str().unwrap())
                    && i.get("status_reason_code")
                        .is_none_or(|c| codes.contains(&c.as_str().unwrap_or("")))
            })
        })
    };
    let ids = id_ok(v, "transaction_id") && id_ok(v, "correlation_id");
    // SearchStatusReasonCode and the subscribe reason codes of the specification.
    let search_codes = [
        "rjct.reference_id.invalid",
        "rjct.reference_id.duplicate",
        "rjct.timestamp.invalid",
        "rjct.search_criteria.invalid",
        "rjct.filter.invalid",
        "rjct.sort.invalid",
        "rjct.pagination.invalid",
        "rjct.search.too_many_records_found",
    ];
    let subscribe_codes = [
        "rjct.reference_id.invalid",
        "rjct.reference_id.duplicate",
        "rjct.timestamp.invalid",
        "rjct.notify_types.invalid",
        "rjct.event.already_subscribed",
    ];
    let unsubscribe_codes = [
        "rjct.reference_id.invalid",
        "rjct.reference_id.duplicate",
        "rjct.timestamp.invalid",
        "rjct.subscription_code.invalid",
        "rjct.requester.invalid",
        "rjct.event.already_unsubscribed",
    ];
    let mut shapes = Vec::new();
    if ids && has(v, &["search_response"]) && items_ok("search_response", &search_codes) {
        shapes.push("search");
    }
    if ids && has(v, &["subscribe_response"]) && items_ok("subscribe_response", &subscribe_codes) {
        shapes.push("subscribe");
    }
    if ids
        && has(v, &["timestamp", "status"])
        && STATUS.contains(&v["status"].as_str().unwrap_or(""))
        && v.get("status_reason_code")
            .is_none_or(|c| unsubscribe_codes.contains(&c.as_str().unwrap_or("")))
        && !has(v, &["search_response"])
        && !has(v, &["subscribe_response"])
        && v["subscription_status"]
            .as_array()
            .into_iter()
            .flatten()
            .all(|i| {
                has(i, &["code", "status"])
                    && ["subscribe", "unsubscribe"].contains(&i["status"].as_str().unwrap_or(""))
            })
    {
        shapes.push("unsubscribe");
    }
    assert_eq!(shapes.len(), 1, "txn_status {v} matches {shapes:?}");
    shapes[0]
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

tamwin_store::backend_tests! {
    async fn sender_uri_is_the_whole_callback_address_and_optional_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, clock, transport, server) = wired_with_server(store.clone()).await;
        let hub = reg.hub_client().unwrap();
        let rec = Recorder::default();
        let now = clock.now().to_string();
        let seal = |h: &crvs::Header, m: &dyn erased::Msg| {
            crvs::seal(&hub.key, &hub.key_id, h, &m.value()).unwrap()
        };

        // The whole address, as the specification's example: the answer goes there, nowhere else.
        let mut h = crvs::header("search", "m-1", clock.now(), CLIENT, 1);
        h.sender_uri = Some("/crvs/callback/on-search".into());
        let (s, ack) = post(
            &transport,
            "/registry/search",
            seal(&h, &search_message("t-1", &now)),
        )
        .await;
        assert_eq!(
            (s, ack["message"]["ack_status"].as_str()),
            (202, Some("ACK")),
            "{backend}: {ack}"
        );
        server.process_pending(10).await.unwrap();
        server.deliver_due(&rec, 10).await.unwrap();
        let seen = rec.take();
        assert_eq!(seen.len(), 1, "{backend}");
        assert_eq!(
            seen[0].0, "/crvs/callback/on-search",
            "{backend}: not suffixed"
        );

        // No sender_uri: acknowledged, the answer goes to the default set when the client was onboarded.
        let h = crvs::header("search", "m-2", clock.now(), CLIENT, 1);
        let (s, ack) = post(
            &transport,
            "/registry/search",
            seal(&h, &search_message("t-2", &now)),
        )
        .await;
        assert_eq!(
            (s, ack["message"]["ack_status"].as_str()),
            (202, Some("ACK")),
            "{backend}: {ack}"
        );
        server.process_pending(10).await.unwrap();
        server.deliver_due(&rec, 10).await.unwrap();
        assert_eq!(rec.take()[0].0, "/crvs/registry/on-search", "{backend}");

        // A subscription without sender_uri: confirmed and notified at the onboarded addresses.
        let sub = json!({"transaction_id": "t-3", "subscribe_request": [{"reference_id": "s1", "timestamp": now,
            "subscribe_criteria": {"version": "1.0.0", "reg_type": crvs::REG_TYPE,
            "reg_event_type": crvs::EventType::Death.code()}}]});
        let h = crvs::header("subscribe", "m-3", clock.now(), CLIENT, 1);
        let (s, _) = post(&transport, "/registry/subscribe", seal(&h, &sub)).await;
        assert_eq!(s, 202, "{backend}");
        server.process_pending(10).await.unwrap();
        server.deliver_due(&rec, 10).await.unwrap();
        assert_eq!(rec.take()[0].0, "/crvs/registry/on-subscribe", "{backend}");
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[civil(
                &json!({"national_id": tamwin_domain::NationalId::from_payload(83_000_000_001).unwrap().to_string(),
                    "given_name": "حسن", "father_name": "حسين", "grandfather_name": "علي", "family_name": "الجبوري",
                    "mother_name": "زهراء كاظم", "birth_date": "1950-01-01", "sex": "male"}),
                None,
            )])
            .await
            .unwrap();
        let ev = tamwin_civil::crvs::NewEvent {
            event_id: "ev-1".into(),
            kind: "death".into(),
            national_id: tamwin_domain::NationalId::from_payload(83_000_000_001)
                .unwrap()
                .to_string(),
            date: "2026-11-20".into(),
            newborn: None,
            parents: vec![],
        };
        assert!(server.record_event(&ev).await.unwrap());
        server.deliver_due(&rec, 10).await.unwrap();
        assert_eq!(rec.take()[0].0, "/crvs/registry/notify", "{backend}");

        // A client onboarded without a default, naming no sender_uri: nowhere to answer, refused.
        let h = crvs::header("search", "m-4", clock.now(), "IQ/GOV/MOT/other", 1);
        let (s, ack) = post(
            &transport,
            "/registry/search",
            seal(&h, &search_message("t-4", &now)),
        )
        .await;
        assert_eq!(s, 400, "{backend}");
        assert_eq!(
            ack["message"]["error"]["code"], "err.sender_uri.invalid",
            "{backend}"
        );
        // The ration side itself names the whole address of each callback.
        let c = reg.crvs_subscribe().await.unwrap();
        assert!(!c.is_empty());
        let t = tamwin_store::testkit::civil_of(&store)
            .crvs_txn(CLIENT, "correlation_id", &c)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(t.callback_uri, "/crvs/registry/on-subscribe", "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn transaction_status_answers_in_the_specification_shapes_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, clock, transport, server) = wired_with_server(store.clone()).await;
        let hub = reg.hub_client().unwrap();
        let rec = Recorder::default();
        let now = clock.now().to_string();
        let seal = |id: &str, action: &str, m: &Value| {
            crvs::seal(
                &hub.key,
                &hub.key_id,
                &crvs::header(action, id, clock.now(), CLIENT, 1),
                m,
            )
            .unwrap()
        };

        // Asynchronous status of a transaction never sent: acknowledged with a correlation id, and
        // answered with the search shape, rjct with rjct.reference_id.invalid.
        let (s, ack) = post(
            &transport,
            "/registry/txn/status",
            seal(
                "m-s1",
                "txn-status",
                &status_message("t-s1", "search", "transaction_id", "no-such"),
            ),
        )
        .await;
        assert_eq!(s, 202, "{backend}: {ack}");
        let correlation = ack["message"]["correlation_id"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(!correlation.is_empty(), "{backend}: empty correlation_id");
        server.deliver_due(&rec, 10).await.unwrap();
        let seen = rec.take();
        assert_eq!(seen[0].0, "/crvs/registry/txn/on-status", "{backend}");
        let r = &seen[0].1["message"];
        assert_eq!(r["correlation_id"], correlation.as_str(), "{backend}");
        let st = &r["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "search", "{backend}");
        assert_eq!(st["search_response"][0]["status"], "rjct", "{backend}");
        assert_eq!(
            st["search_response"][0]["status_reason_code"],
            "rjct.reference_id.invalid"
        );
        assert_eq!(st["transaction_id"], "no-such", "{backend}");

        // The same, synchronously, for each type: the shape of its type.
        for (i, (ty, shape)) in [
            ("search", "search"),
            ("subscribe", "subscribe"),
            ("unsubscribe", "unsubscribe"),
        ]
        .into_iter()
        .enumerate()
        {
            let (s, v) = post(
                &transport,
                "/registry/sync/txn/status",
                seal(
                    &format!("m-u{i}"),
                    "txn-status",
                    &status_message("t-u", ty, "correlation_id", "nope"),
                ),
            )
            .await;
            assert_eq!(s, 200, "{backend}: {v}");
            let m = &v["message"];
            assert!(
                !m["correlation_id"].as_str().unwrap().is_empty(),
                "{backend}: {ty}"
            );
            assert_eq!(
                txn_status_shape(&m["txnstatus_response"]["txn_status"]),
                shape,
                "{backend}: {ty}"
            );
        }

        // A pending search: its items pdng, in the search shape; once done, the response itself.
        let mut h = crvs::header("search", "m-p", clock.now(), CLIENT, 1);
        h.sender_uri = Some("/crvs/registry/on-search".into());
        let search = serde_json::to_value(search_message("t-p", &now)).unwrap();
        let (_, ack) = post(
            &transport,
            "/registry/search",
            crvs::seal(&hub.key, &hub.key_id, &h, &search).unwrap(),
        )
        .await;
        let c = ack["message"]["correlation_id"]
            .as_str()
            .unwrap()
            .to_string();
        let (_, v) = post(
            &transport,
            "/registry/sync/txn/status",
            seal(
                "m-p1",
                "txn-status",
                &status_message("t-p1", "search", "correlation_id", &c),
            ),
        )
        .await;
        let st = &v["message"]["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "search", "{backend}");
        assert_eq!(st["search_response"][0]["status"], "pdng", "{backend}");
        assert_eq!(st["search_response"][0]["reference_id"], "r1", "{backend}");
        assert_eq!(v["message"]["correlation_id"], c.as_str());
        server.process_pending(10).await.unwrap();
        let (_, v) = post(
            &transport,
            "/registry/sync/txn/status",
            seal(
                "m-p2",
                "txn-status",
                &status_message("t-p2", "search", "transaction_id", "t-p"),
            ),
        )
        .await;
        let st = &v["message"]["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "search", "{backend}");
        assert_eq!(st["search_response"][0]["status"], "succ", "{backend}");
        // A pending subscription and unsubscription: their shapes.
        let sub = json!({"transaction_id": "t-q", "subscribe_request": [{"reference_id": "s1", "timestamp": now,
            "subscribe_criteria": {"version": "1.0.0", "reg_type": crvs::REG_TYPE, "reg_event_type": crvs::EventType::Birth.code()}}]});
        post(
            &transport,
            "/registry/subscribe",
            seal("m-q", "subscribe", &sub),
        )
        .await;
        let uns =
            json!({"transaction_id": "t-r", "timestamp": now, "subscription_codes": ["sub-x"]});
        post(
            &transport,
            "/registry/unsubscribe",
            seal("m-r", "unsubscribe", &uns),
        )
        .await;
        for (i, (ty, tx)) in [("subscribe", "t-q"), ("unsubscribe", "t-r")]
            .into_iter()
            .enumerate()
        {
            let (_, v) = post(
                &transport,
                "/registry/sync/txn/status",
                seal(
                    &format!("m-q{i}"),
                    "txn-status",
                    &status_message("t-x", ty, "transaction_id", tx),
                ),
            )
            .await;
            let st = &v["message"]["txnstatus_response"]["txn_status"];
            assert_eq!(txn_status_shape(st), ty, "{backend}: {v}");
            let status = if ty == "subscribe" {
                &st["subscribe_response"][0]["status"]
            } else {
                &st["status"]
            };
            assert_eq!(status, "pdng", "{backend}: {ty}");
        }
        // Done: the unsubscription of a code never given is rjct, still in its shape.
        server.process_pending(10).await.unwrap();
        let (_, v) = post(
            &transport,
            "/registry/sync/txn/status",
            seal(
                "m-r2",
                "txn-status",
                &status_message("t-y", "unsubscribe", "transaction_id", "t-r"),
            ),
        )
        .await;
        let st = &v["message"]["txnstatus_response"]["txn_status"];
        assert_eq!(txn_status_shape(st), "unsubscribe", "{backend}: {v}");
        assert_eq!(
            st["status_reason_code"], "rjct.subscription_code.invalid",
            "{backend}"
        );
    }
}

tamwin_store::backend_tests! {
    async fn malformed_fields_are_refused_and_the_example_signature_form_accepted_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, clock, transport, _server) = wired_with_server(store.clone()).await;
        let hub = reg.hub_client().unwrap();
        let now = clock.now().to_string();
        // With a callback address, so that only the field under test is wrong.
        let h = |id: &str, action: &str| {
            let mut h = crvs::header(action, id, clock.now(), CLIENT, 1);
            h.sender_uri = Some(format!("/crvs/registry/on-{action}"));
            h
        };
        let seal = |id: &str, action: &str, m: &Value| {
            crvs::seal(&hub.key, &hub.key_id, &h(id, action), m).unwrap()
        };
        let search = |tx: &str, ts: &str| serde_json::to_value(search_message(tx, ts)).unwrap();
        let long = "x".repeat(100);
        let cases: Vec<(&str, &str, Vec<u8>)> = vec![
            (
                "timestamp not a date-time",
                "/registry/search",
                seal("f1", "search", &search("t-f1", "yesterday")),
            ),
            (
                "timestamp without timezone",
                "/registry/search",
                seal("f2", "search", &search("t-f2", "2026-11-21T09:00:00")),
            ),
            (
                "transaction_id over 99",
                "/registry/search",
                seal("f3", "search", &search(&long, &now)),
            ),
            (
                "locale of two letters",
                "/registry/txn/status",
                seal("f4", "txn-status", &{
                    let mut m = status_message("t-f4", "search", "transaction_id", "t");
                    m["txnstatus_request"]["locale"] = json!("en");
                    m
                }),
            ),
            (
                "locale in capitals",
                "/registry/sync/txn/status",
                seal("f5", "txn-status", &{
                    let mut m = status_message("t-f5", "search", "transaction_id", "t");
                    m["txnstatus_request"]["locale"] = json!("ARA");
                    m
                }),
            ),
            (
                "subscription code over 99",
                "/registry/unsubscribe",
                seal(
                    "f6",
                    "unsubscribe",
                    &json!({"transaction_id": "t-f6", "timestamp": now, "subscription_codes": [long]}),
                ),
            ),
            (
                "unsubscribe timestamp without timezone",
                "/registry/unsubscribe",
                seal(
                    "f7",
                    "unsubscribe",
                    &json!({"transaction_id": "t-f7", "timestamp": "2026-11-21 09:00", "subscription_codes": ["a"]}),
                ),
            ),
        ];
        for (what, path, body) in cases {
            let (s, ack) = post(&transport, path, body).await;
            assert_eq!(s, 400, "{backend}: {what}: {ack}");
            assert_eq!(ack["message"]["ack_status"], "ERR", "{backend}: {what}");
            assert_eq!(
                ack["message"]["error"]["code"], "err.request.bad",
                "{backend}: {what}"
            );
        }
        assert!(
            tamwin_store::testkit::civil_of(&store)
                .crvs_pending_txns(10)
                .await
                .unwrap()
                .is_empty(),
            "{backend}: nothing recorded"
        );
        // At the limits: 99 characters and a three-letter locale are fine.
        let (s, ack) = post(
            &transport,
            "/registry/search",
            seal("f8", "search", &search(&"y".repeat(99), &now)),
        )
        .await;
        assert_eq!(s, 202, "{backend}: {ack}");

        // The specification's example signature form: kidId, created, expires, Base64.
        let created = clock.now();
        let expires = created
            .checked_add(jiff::SignedDuration::from_mins(5))
            .unwrap();
        let body = crvs::seal_spdci(
            &hub.key,
            &hub.key_id,
            &h("g1", "search"),
            &search("t-g1", &now),
            created,
            expires,
        )
        .unwrap();
        let sig = serde_json::from_slice::<Value>(&body).unwrap()["signature"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            sig.starts_with("Signature:")
                && sig.contains("kidId=\"IQ/GOV/MOT/tamwin|mot-1|ed25519\""),
            "{sig}"
        );
        let (s, ack) = post(&transport, "/registry/search", body.clone()).await;
        assert_eq!(
            (s, ack["message"]["ack_status"].as_str()),
            (202, Some("ACK")),
            "{backend}: {ack}"
        );
        // … and checked as strictly as the hub's own form.
        let text = String::from_utf8(
            crvs::seal_spdci(
                &hub.key,
                &hub.key_id,
                &h("g2", "search"),
                &search("t-g2", &now),
                created,
                expires,
            )
            .unwrap(),
        )
        .unwrap();
        let refused: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "tampered",
                text.replace("t-g2", "t-g3").into_bytes(),
                "err.signature.invalid",
            ),
            (
                "expired",
                crvs::seal_spdci(
                    &hub.key,
                    &hub.key_id,
                    &h("g4", "search"),
                    &search("t-g4", &now),
                    created
                        .checked_sub(jiff::SignedDuration::from_mins(20))
                        .unwrap(),
                    created
                        .checked_sub(jiff::SignedDuration::from_mins(10))
                        .unwrap(),
                )
                .unwrap(),
                "err.request.timeout",
            ),
            (
                "another sender in kidId",
                resign(
                    &text,
                    "kidId=\"IQ/GOV/MOT/tamwin|",
                    "kidId=\"IQ/GOV/MOH/clinic|",
                ),
                "err.sender_id.invalid",
            ),
            (
                "another algorithm",
                resign(&text, "|ed25519\"", "|rsa-sha256\""),
                "err.signature.invalid",
            ),
        ];
        for (what, body, code) in refused {
            let (s, ack) = post(&transport, "/registry/search", body).await;
            assert!(s >= 400, "{backend}: {what}");
            assert_eq!(
                ack["message"]["error"]["code"], code,
                "{backend}: {what}: {ack}"
            );
        }
    }
}

/// The message with its signature text edited.
fn resign(message: &str, from: &str, to: &str) -> Vec<u8> {
    let mut v: Value = serde_json::from_str(message).unwrap();
    let sig = v["signature"].as_str().unwrap().replace(from, to);
    assert!(
        sig != v["signature"].as_str().unwrap(),
        "{from} not in the signature"
    );
    v["signature"] = json!(sig);
    v.to_string().into_bytes()
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
