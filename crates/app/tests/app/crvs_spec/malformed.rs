//! Malformed timestamps, locales and over-long identifiers refused; the specification's example
//! signature form accepted.

use super::*;

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
