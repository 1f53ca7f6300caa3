//! Vital events by subscription (SPDCI CRVS v1.0.0) on both backends: the ration side subscribes, the
//! registry records deaths, births, exits and entries and notifies; callbacks are signed, acknowledged,
//! retried when the receiver is down, and applied once however often they arrive. Searches (async and
//! sync) and transaction status; forged, unsigned, stale, replayed and misdirected messages refused.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use common::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use tamwin_app::*;
use tamwin_civil::crvs::NewEvent;
use tamwin_domain::{CardNumber, HoldReason, NationalId};
use tamwin_hub::HubTransport;
use tamwin_hub::crvs::{self, Ack};

/// The ration side's callback endpoints, reached without HTTP (the web crate serves the same call).
struct Callbacks {
    reg: Arc<Registry>,
    down: AtomicBool,
}

#[async_trait::async_trait]
impl HubTransport for Callbacks {
    async fn post(
        &self,
        path: &str,
        _headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> std::result::Result<(u16, Vec<(String, String)>, Vec<u8>), String> {
        if self.down.load(Ordering::SeqCst) {
            return Err("connection refused".into());
        }
        let callback = path.split("/registry/").nth(1).unwrap_or_default();
        let action = tamwin_app::crvs::CALLBACKS
            .iter()
            .find(|(p, _)| *p == callback)
            .map(|(_, a)| *a)
            .ok_or("no such callback")?;
        let (status, ack) = self.reg.crvs_receive(action, &body).await;
        Ok((status, vec![], serde_json::to_vec(&ack).unwrap()))
    }
}

fn nid(n: u64) -> String {
    NationalId::from_payload(n).unwrap().to_string()
}

fn person(n: u64, given: &str, sex: &str, birth: &str) -> tamwin_store::CivilPerson {
    civil(
        &serde_json::json!({"national_id": nid(n), "given_name": given, "father_name": "حسين", "grandfather_name": "علي",
            "family_name": "الجبوري", "mother_name": "زهراء كاظم", "birth_date": birth, "sex": sex}),
        None,
    )
}

async fn register(reg: &Registry, people: &[(u64, &str, &str)]) -> CardNumber {
    let members: Vec<serde_json::Value> = people
        .iter()
        .map(|(n, sex, rel)| {
            serde_json::json!({"national_id": nid(*n), "given_name": "حسن", "father_name": "حسين", "grandfather_name": "علي",
                "family_name": "الجبوري", "mother_name": "زهراء كاظم", "birth_date": "1980-01-01", "sex": sex, "relation": rel})
        })
        .collect();
    let h = serde_json::from_value(
        serde_json::json!({"governorate": "11", "district": "1101", "address": "دار 9",
        "phone": format!("0780{:07}", people[0].0 % 10_000_000), "members": members}),
    )
    .unwrap();
    let o = reg
        .create_household(&h, &Actor::system("t"), None)
        .await
        .unwrap();
    CardNumber::parse(
        serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

async fn held(reg: &Registry, card: &CardNumber, reason: HoldReason) -> usize {
    let v = reg.household(card, &Actor::system("t")).await.unwrap();
    v.holds
        .iter()
        .filter(|h| h.active && h.hold.reason == reason)
        .count()
}

fn event(id: &str, kind: &str, n: u64, date: &str) -> NewEvent {
    NewEvent {
        event_id: id.into(),
        kind: kind.into(),
        national_id: nid(n),
        date: date.into(),
        newborn: None,
        parents: vec![],
    }
}

/// Posts raw bytes to the registry and reads the acknowledgement.
async fn post(t: &Flaky, path: &str, body: Vec<u8>) -> (u16, Ack) {
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

tamwin_store::backend_tests! {
    async fn vital_events_by_subscription_on_every_backend((backend, store) in backends) {
        let (reg, clock, transport, server) = wired_with_server(store.clone()).await;
        let reg = Arc::new(reg);
        let callbacks = Callbacks {
            reg: reg.clone(),
            down: AtomicBool::new(false),
        };
        for (n, given, sex) in [
            (81_000_000_001, "حسن", "male"),
            (81_000_000_002, "مريم", "female"),
            (81_000_000_003, "علي", "male"),
        ] {
            tamwin_store::testkit::civil_of(&store)
                .civil_load(&[person(n, given, sex, "1980-01-01")])
                .await
                .unwrap();
        }
        let card = register(
            &reg,
            &[
                (81_000_000_001, "male", "head"),
                (81_000_000_002, "female", "spouse"),
                (81_000_000_003, "male", "brother"),
            ],
        )
        .await;

        // Subscribe: acknowledged now, confirmed by the on-subscribe callback once the registry works
        // its queue; a second subscription to the same events is refused, the codes stay four.
        let c = reg.crvs_subscribe().await.unwrap();
        assert!(!c.is_empty(), "{backend}");
        assert!(reg.crvs_subscriptions().await.unwrap().is_empty());
        assert_eq!(server.process_pending(10).await.unwrap(), 1);
        assert_eq!(
            server.deliver_due(&callbacks, 10).await.unwrap(),
            (1, 0),
            "{backend}"
        );
        assert_eq!(
            reg.crvs_subscriptions().await.unwrap().len(),
            4,
            "{backend}"
        );
        reg.crvs_subscribe().await.unwrap();
        server.process_pending(10).await.unwrap();
        server.deliver_due(&callbacks, 10).await.unwrap();
        assert_eq!(
            reg.crvs_subscriptions().await.unwrap().len(),
            4,
            "{backend}"
        );
        assert_eq!(
            tamwin_store::testkit::civil_of(&store)
                .crvs_subscribers(crvs::EventType::Death.code())
                .await
                .unwrap()
                .len(),
            1
        );

        // A death recorded at the registry: notified, held once, the event as evidence. The receiver
        // is down at first: the callback waits and goes out on a later pass.
        assert!(
            server
                .record_event(&event("moi-ev-1", "death", 81_000_000_003, "2026-11-10"))
                .await
                .unwrap()
        );
        assert!(
            !server
                .record_event(&event("moi-ev-1", "death", 81_000_000_003, "2026-11-10"))
                .await
                .unwrap()
        );
        callbacks.down.store(true, Ordering::SeqCst);
        assert_eq!(
            server.deliver_due(&callbacks, 10).await.unwrap(),
            (0, 1),
            "{backend}"
        );
        callbacks.down.store(false, Ordering::SeqCst);
        assert_eq!(
            server.deliver_due(&callbacks, 10).await.unwrap(),
            (0, 0),
            "{backend}: not before its time"
        );
        advance(&clock, 1);
        assert_eq!(
            server.deliver_due(&callbacks, 10).await.unwrap(),
            (1, 0),
            "{backend}"
        );
        assert_eq!(
            held(&reg, &card, HoldReason::Deceased).await,
            1,
            "{backend}"
        );
        // The same notification delivered again (an acknowledgement lost on the way) changes nothing.
        let queued = tamwin_store::testkit::civil_of(&store)
            .crvs_due(jiff::Timestamp::MAX, 100)
            .await
            .unwrap();
        assert!(queued.is_empty());
        assert_eq!(held(&reg, &card, HoldReason::Deceased).await, 1);

        // An exit long ago: abroad hold; the return lifts it.
        server
            .record_event(&event("moi-ev-2", "exit", 81_000_000_002, "2026-01-05"))
            .await
            .unwrap();
        server.deliver_due(&callbacks, 10).await.unwrap();
        assert_eq!(held(&reg, &card, HoldReason::Abroad).await, 1, "{backend}");
        server
            .record_event(&event("moi-ev-3", "entry", 81_000_000_002, "2026-11-20"))
            .await
            .unwrap();
        server.deliver_due(&callbacks, 10).await.unwrap();
        assert_eq!(held(&reg, &card, HoldReason::Abroad).await, 0, "{backend}");

        // A birth to the head: the household gets a suggestion.
        let mut baby = person(81_000_000_009, "زينب", "female", "2026-11-15");
        baby.card_status = None;
        server
            .record_event(&NewEvent {
                newborn: Some(baby),
                parents: vec![nid(81_000_000_002), nid(81_000_000_001)],
                ..event("moi-ev-4", "birth", 81_000_000_009, "2026-11-15")
            })
            .await
            .unwrap();
        server.deliver_due(&callbacks, 10).await.unwrap();
        let hid = store
            .household_by_card(&card)
            .await
            .unwrap()
            .unwrap()
            .household
            .household_id;
        let s = store.suggestions(&hid).await.unwrap();
        assert_eq!(
            (s.len(), s[0].national_id.clone()),
            (1, nid(81_000_000_009)),
            "{backend}"
        );
        assert!(
            tamwin_store::testkit::civil_of(&store)
                .civil_person(&nid(81_000_000_009))
                .await
                .unwrap()
                .is_some(),
            "the registry files the newborn"
        );

        // "Your card at home": the wife's new card, printed; the household reads its tracking through
        // the hub; with the hub down the page says so and nothing else breaks.
        let (_, order) = server
            .issue_card(&nid(81_000_000_002), Some("كربلاء، دار 9"))
            .await
            .unwrap();
        server
            .advance_delivery(&order.unwrap().order_id, "printed", "")
            .await
            .unwrap();
        let citizen = Actor::citizen(&hid, "+9647800000001", "web");
        let d = reg.own_card_deliveries(&citizen).await.unwrap();
        assert_eq!(
            (d.len(), d[0].status.as_str(), d[0].steps.len()),
            (1, "printed", 2),
            "{backend}"
        );
        transport.set_down(true);
        assert!(reg.own_card_deliveries(&citizen).await.is_err());
        transport.set_down(false);

        // A death the ration side never heard of (no event: recorded before the subscription would be
        // the same) is found by search: synchronous here, asynchronous through on-search below.
        let mut gone = person(81_000_000_011, "كريم", "male", "1950-01-01");
        gone.death_date = Some("2026-10-01".into());
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[gone])
            .await
            .unwrap();
        let card2 = register(&reg, &[(81_000_000_011, "male", "head")]).await;
        let found = reg
            .crvs_search(&[nid(81_000_000_011), nid(81_000_000_099)])
            .await
            .unwrap();
        assert_eq!(found.len(), 1, "{backend}: the unknown ID finds nothing");
        assert_eq!(
            held(&reg, &card2, HoldReason::Deceased).await,
            1,
            "{backend}"
        );

        let mut far = person(81_000_000_012, "سجاد", "male", "1990-01-01");
        far.abroad_since = Some("2025-12-01".into());
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[far])
            .await
            .unwrap();
        let card3 = register(&reg, &[(81_000_000_012, "male", "head")]).await;
        let hub = reg.hub_client().unwrap();
        let mut h = crvs::header("search", "m-search-1", clock.now(), "IQ/GOV/MOT/tamwin", 1);
        // The whole callback address, as the specification's example has it.
        h.sender_uri = Some("/crvs/registry/on-search".into());
        let m = crvs::SearchRequest {
            transaction_id: "t-search-1".into(),
            search_request: vec![crvs::SearchItem::by_uin(
                "r1",
                &clock.now().to_string(),
                &nid(81_000_000_012),
            )],
        };
        let (s, ack) = post(
            &transport,
            "/registry/search",
            crvs::seal(&hub.key, &hub.key_id, &h, &m).unwrap(),
        )
        .await;
        assert_eq!(
            (s, ack.message.ack_status.as_str()),
            (202, "ACK"),
            "{backend}"
        );
        let correlation = ack.message.correlation_id.clone();
        // Its status while pending, then done.
        let status = |id: &str| {
            let h = crvs::header("txn-status", id, clock.now(), "IQ/GOV/MOT/tamwin", 1);
            let m = crvs::TxnStatusRequest {
                transaction_id: format!("t-{id}"),
                txnstatus_request: crvs::TxnStatusItem {
                    reference_id: "r".into(),
                    txn_type: "search".into(),
                    attribute_type: "correlation_id".into(),
                    attribute_value: correlation.clone(),
                },
            };
            crvs::seal(&hub.key, &hub.key_id, &h, &m).unwrap()
        };
        let (_, _, b) = transport
            .post("/registry/sync/txn/status", vec![], status("m-status-1"))
            .await
            .unwrap();
        assert!(String::from_utf8_lossy(&b).contains("pdng"), "{backend}");
        server.process_pending(10).await.unwrap();
        server.deliver_due(&callbacks, 10).await.unwrap();
        assert_eq!(
            held(&reg, &card3, HoldReason::Abroad).await,
            1,
            "{backend}: on-search applied"
        );
        let (_, _, b) = transport
            .post("/registry/sync/txn/status", vec![], status("m-status-2"))
            .await
            .unwrap();
        assert!(
            String::from_utf8_lossy(&b).contains("search_response"),
            "{backend}"
        );

        // Refusals, each with its code; nothing is recorded.
        let good = crvs::seal(
            &hub.key,
            &hub.key_id,
            &{
                let mut h = crvs::header("search", "m-x", clock.now(), "IQ/GOV/MOT/tamwin", 1);
                h.sender_uri = Some("/crvs/registry/on-search".into());
                h
            },
            &m,
        )
        .unwrap();
        let text = String::from_utf8(good.clone()).unwrap();
        let cases: Vec<(&str, Vec<u8>, &str)> = vec![
            (
                "tampered",
                text.replace("r1", "r2").into_bytes(),
                "err.signature.invalid",
            ),
            (
                "unsigned",
                {
                    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
                    v.as_object_mut().unwrap().remove("signature");
                    v.to_string().into_bytes()
                },
                "err.signature.missing",
            ),
            (
                "stranger",
                crvs::seal(
                    &ed25519_dalek::SigningKey::from_bytes(&[7; 32]),
                    "mot-1",
                    &crvs::header("search", "m-y", clock.now(), "IQ/GOV/MOT/tamwin", 1),
                    &m,
                )
                .unwrap(),
                "err.signature.invalid",
            ),
            (
                "unknown sender",
                crvs::seal(
                    &hub.key,
                    "mot-9",
                    &crvs::header("search", "m-z", clock.now(), "IQ/GOV/MOH/clinic", 1),
                    &m,
                )
                .unwrap(),
                "err.sender_id.invalid",
            ),
            (
                "stale",
                crvs::seal(
                    &hub.key,
                    &hub.key_id,
                    &crvs::header(
                        "search",
                        "m-old",
                        clock
                            .now()
                            .checked_sub(jiff::SignedDuration::from_mins(10))
                            .unwrap(),
                        "IQ/GOV/MOT/tamwin",
                        1,
                    ),
                    &m,
                )
                .unwrap(),
                "err.request.timeout",
            ),
            (
                "wrong action",
                crvs::seal(
                    &hub.key,
                    &hub.key_id,
                    &crvs::header("subscribe", "m-w", clock.now(), "IQ/GOV/MOT/tamwin", 1),
                    &m,
                )
                .unwrap(),
                "err.request.bad",
            ),
            ("not json", b"{".to_vec(), "err.request.bad"),
            (
                "unlisted callback",
                {
                    let mut h = crvs::header("search", "m-u", clock.now(), "IQ/GOV/MOT/tamwin", 1);
                    h.sender_uri = Some("http://10.0.0.7:8080/admin".into());
                    crvs::seal(&hub.key, &hub.key_id, &h, &m).unwrap()
                },
                "err.sender_uri.invalid",
            ),
        ];
        for (what, body, code) in cases {
            let (s, ack) = post(&transport, "/registry/search", body).await;
            assert_eq!(ack.message.ack_status, "ERR", "{backend}: {what}");
            assert_eq!(ack.message.error.unwrap().code, code, "{backend}: {what}");
            assert!(s >= 400, "{backend}: {what}");
        }
        // A replay of an accepted message is refused.
        let (s, _) = post(&transport, "/registry/search", good.clone()).await;
        assert_eq!(s, 202);
        let (_, ack) = post(&transport, "/registry/search", good).await;
        assert_eq!(
            ack.message.error.unwrap().code,
            "err.request.bad",
            "{backend}: replay"
        );
        // On the ration side: a callback not signed by the registry is refused, and applies nothing.
        let forged = crvs::seal(
            &hub.key,
            &hub.key_id,
            &crvs::header("notify", "m-f", clock.now(), "IQ/GOV/MOT/tamwin", 1),
            &serde_json::json!({"transaction_id": "x", "notify_event": []}),
        )
        .unwrap();
        let (s, ack) = reg.crvs_receive("notify", &forged).await;
        assert_eq!(
            (s, ack.message.ack_status.as_str()),
            (401, "ERR"),
            "{backend}"
        );
    }
}
