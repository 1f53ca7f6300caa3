//! Unified cards and "your card at home" on both backends: the QR verifies offline with the registry's
//! key and carries the card's data; a new card replaces the old; the deceased get none; deliveries move
//! only forward (or retry after a failure), one step at a time even under concurrency; tracking answers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ed25519_dalek::SigningKey;
use std::sync::Arc;
use tamwin_civil::server::HubServer;
use tamwin_hub::services::CardDeliveryQuery;
use tamwin_store::CivilPerson;

fn person(n: u64, death: Option<&str>) -> CivilPerson {
    CivilPerson {
        national_id: tamwin_domain::NationalId::from_payload(n)
            .unwrap()
            .to_string(),
        given_name: "زينب".into(),
        father_name: "علي".into(),
        grandfather_name: "حسين".into(),
        family_name: Some("الموسوي".into()),
        mother_name: "فاطمة جاسم محمد".into(),
        birth_date: "1990-02-03".into(),
        sex: "female".into(),
        phone: None,
        card_status: None,
        card_expires: None,
        fingerprint_sha256: None,
        death_date: death.map(str::to_string),
        abroad_since: None,
    }
}

tamwin_store::backend_tests! {
    async fn cards_and_home_delivery_on_every_backend((backend, store) in civil_backends) {
        let (alive, dead) = (
            person(89_000_000_001, None),
            person(89_000_000_002, Some("2024-01-01")),
        );
        store
            .civil_load(&[alive.clone(), dead.clone()])
            .await
            .unwrap();
        let server = HubServer {
            store: store.clone(),
            key: SigningKey::from_bytes(&[9; 32]),
            key_id: "moi-1".into(),
            now: Arc::new(jiff::Timestamp::now),
            callback_prefixes: vec!["/crvs".into()],
            default_callbacks: vec![("IQ/GOV/MOT/tamwin".into(), "/crvs".into())],
            search: Default::default(),
        };

        // Issued: the QR verifies offline with the registry's key and names the holder and the card.
        let (card, order) = server
            .issue_card(&alive.national_id, Some("كربلاء، حي الحسين، دار 7"))
            .await
            .unwrap();
        let p = tamwin_card::verify(
            &card.qr,
            &server.card_keys(),
            jiff::Timestamp::now().as_second(),
        )
        .unwrap();
        assert_eq!(p.kind, tamwin_card::Kind::NationalCard);
        assert_eq!(p.claims["national_id"], alive.national_id);
        assert_eq!(p.claims["card_number"], card.card_number);
        assert_eq!(p.claims["name"], "زينب علي حسين الموسوي");
        // A key the verifier does not trust refuses it.
        let mut other = tamwin_card::KeyRing::new();
        other.add(
            "moi-1",
            SigningKey::from_bytes(&[8; 32]).verifying_key(),
            0,
            None,
        );
        assert_eq!(
            tamwin_card::verify(&card.qr, &other, jiff::Timestamp::now().as_second())
                .unwrap_err()
                .code(),
            "qr_signature"
        );
        let on_file = store
            .civil_person(&alive.national_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(on_file.card_status.as_deref(), Some("valid"), "{backend}");
        assert!(on_file.card_expires.is_some());

        // Two issues at once: one valid card remains, the other is replaced.
        let (x, y) = tokio::join!(
            server.issue_card(&alive.national_id, None),
            server.issue_card(&alive.national_id, None)
        );
        assert!(x.is_ok() && y.is_ok(), "{backend}: {x:?} {y:?}");
        let valid = store
            .civil_cards(&alive.national_id)
            .await
            .unwrap()
            .into_iter()
            .filter(|c| c.status == "valid")
            .count();
        assert_eq!(valid, 1, "{backend}");
        // A later card replaces the earlier ones.
        server.issue_card(&alive.national_id, None).await.unwrap();
        let cards = store.civil_cards(&alive.national_id).await.unwrap();
        assert_eq!(
            cards.iter().map(|c| c.status.as_str()).collect::<Vec<_>>(),
            ["valid", "replaced", "replaced", "replaced"],
            "{backend}"
        );
        // The deceased, the unknown and an empty address are refused, nothing written.
        assert!(server.issue_card(&dead.national_id, None).await.is_err());
        assert!(server.issue_card("123", None).await.is_err());
        assert!(
            server
                .issue_card(&alive.national_id, Some("  "))
                .await
                .is_err()
        );
        assert_eq!(
            store.civil_cards(&alive.national_id).await.unwrap().len(),
            4
        );

        // Delivery: forward only; a failure, then out again, then delivered, which is final.
        let o = order.unwrap();
        assert_eq!(o.status.code(), "requested");
        assert!(
            server
                .advance_delivery(&o.order_id, "delivered", "")
                .await
                .is_err(),
            "{backend}: not before printing"
        );
        assert!(
            server
                .advance_delivery(&o.order_id, "teleported", "")
                .await
                .is_err()
        );
        server
            .advance_delivery(&o.order_id, "printed", "")
            .await
            .unwrap();
        // Two couriers report at once: one step lands.
        let (a, b) = tokio::join!(
            server.advance_delivery(&o.order_id, "out_for_delivery", "فريق ١"),
            server.advance_delivery(&o.order_id, "out_for_delivery", "فريق ٢")
        );
        assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{backend}");
        server
            .advance_delivery(&o.order_id, "failed", "لا أحد في الدار")
            .await
            .unwrap();
        server
            .advance_delivery(&o.order_id, "out_for_delivery", "")
            .await
            .unwrap();
        let d = server
            .advance_delivery(&o.order_id, "delivered", "استلمتها صاحبة البطاقة")
            .await
            .unwrap();
        assert_eq!(
            d.steps.iter().map(|s| s.0.code()).collect::<Vec<_>>(),
            [
                "requested",
                "printed",
                "out_for_delivery",
                "failed",
                "out_for_delivery",
                "delivered"
            ],
            "{backend}"
        );
        assert!(
            server
                .advance_delivery(&o.order_id, "failed", "")
                .await
                .is_err(),
            "delivered is final"
        );

        // Tracking, as the hub service answers it.
        let t = tamwin_civil::cards::card_deliveries(
            store.as_ref(),
            &CardDeliveryQuery {
                national_ids: vec![alive.national_id.clone(), dead.national_id.clone()],
            },
        )
        .await
        .unwrap();
        assert_eq!(t.orders.len(), 1);
        assert_eq!(
            (t.orders[0].status.as_str(), t.orders[0].steps.len()),
            ("delivered", 6)
        );
        assert!(
            tamwin_civil::cards::card_deliveries(
                store.as_ref(),
                &CardDeliveryQuery {
                    national_ids: vec![]
                }
            )
            .await
            .is_err()
        );
    }
}
