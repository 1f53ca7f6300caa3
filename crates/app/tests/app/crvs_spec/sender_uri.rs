//! `sender_uri`: the whole callback address, and optional (the default set at onboarding is used).

use super::*;

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
