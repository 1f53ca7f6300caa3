//! Signed questions get signed answers bound to the request; missing, invalid, stale and replayed
//! signatures are refused with their codes.

use super::*;

tamwin_store::backend_tests! {
    async fn signed_questions_and_refusals_on_every_backend((backend, store) in civil_backends) {
        let alive = person(88_000_000_001, None);
        let dead = person(88_000_000_002, Some("2025-03-01"));
        store
            .civil_load(&[alive.clone(), dead.clone()])
            .await
            .unwrap();
        let mot = SigningKey::from_bytes(&[1; 32]);
        store
            .save_hub_key(&HubKey {
                member: "IQ/GOV/MOT".into(),
                key_id: "mot-1".into(),
                public_key: tamwin_hub::hex(&mot.verifying_key().to_bytes()),
                valid_from: t("2026-01-01T00:00:00Z"),
                valid_until: None,
            })
            .await
            .unwrap();
        let hub_key = SigningKey::from_bytes(&[9; 32]);
        let app = router(Arc::new(HubServer {
            store: store.clone(),
            key: hub_key.clone(),
            key_id: "moi-1".into(),
            now: Arc::new(|| t(NOW)),
            callback_prefixes: vec![],
            default_callbacks: vec![],
            search: Default::default(),
        }));
        let hub_ring = KeyRing::new(vec![MemberKey {
            member: HUB_MEMBER.into(),
            key_id: "moi-1".into(),
            public_key: hub_key.verifying_key().to_bytes(),
            valid_from: t("2026-01-01T00:00:00Z"),
            valid_until: None,
        }]);
        let none = |_: &mut Vec<(&'static str, String)>| {};

        // A match per field sent, bound to the question and signed by the hub.
        let q = json!({"national_id": alive.national_id, "given_name": "احمد", "father_name": "عبدالله", "birth_date": "1980-05-17"});
        let c = call(
            &app,
            &mot,
            Service::VerifyIdentity,
            &q,
            NOW,
            "nonce-000000000001",
            none,
        )
        .await;
        assert_eq!(c.status, 200, "{backend}: {}", c.body);
        assert_eq!(c.body["response"]["matched"], true);
        assert_eq!(
            c.body["response"]["fields"].as_object().unwrap().len(),
            3,
            "only the fields sent"
        );
        assert!(
            c.body["response"].get("mother_name").is_none() && !c.body.to_string().contains("زينب"),
            "no surplus data"
        );
        assert_eq!(c.body["requestHash"], c.request_hash.as_str());
        assert!(
            signing::verify_response(
                &hub_ring,
                HUB_MEMBER,
                &c.request_hash,
                &c.response,
                200,
                &c.raw,
                t(NOW)
            )
            .is_ok()
        );

        let q = json!({"national_id": alive.national_id, "given_name": "محمد", "sex": "male"});
        let c = call(
            &app,
            &mot,
            Service::VerifyIdentity,
            &q,
            NOW,
            "nonce-000000000002",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["matched"], false);
        assert_eq!(c.body["response"]["fields"]["given_name"], false);
        assert_eq!(c.body["response"]["fields"]["sex"], true);

        let q = json!({"national_id": dead.national_id, "given_name": "أحمد"});
        let c = call(
            &app,
            &mot,
            Service::VerifyIdentity,
            &q,
            NOW,
            "nonce-000000000003",
            none,
        )
        .await;
        assert_eq!(
            c.body["errors"][0]["errorCode"], "HUB-ID-002",
            "{backend}: deceased"
        );
        let q = json!({"national_id": tamwin_domain::NationalId::from_payload(88_000_000_009).unwrap().to_string()});
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000004",
            none,
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-ID-001");
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &json!({"national_id": dead.national_id}),
            NOW,
            "nonce-000000000005",
            none,
        )
        .await;
        assert_eq!(
            c.body["response"],
            json!({"status": "deceased", "since": "2025-03-01"})
        );
        let c = call(
            &app,
            &mot,
            Service::CardStatus,
            &json!({"national_id": alive.national_id}),
            NOW,
            "nonce-000000000006",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["status"], "valid");
        let q = json!({"national_id": alive.national_id, "template": "FP-TEMPLATE-x"});
        let c = call(
            &app,
            &mot,
            Service::VerifyFingerprint,
            &q,
            NOW,
            "nonce-000000000007",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["matched"], true);
        let q = json!({"national_id": alive.national_id, "template": "someone else"});
        let c = call(
            &app,
            &mot,
            Service::VerifyFingerprint,
            &q,
            NOW,
            "nonce-000000000008",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["matched"], false);
        let c = call(
            &app,
            &mot,
            Service::CardStatus,
            &json!({"national_id": alive.national_id, "extra": 1}),
            NOW,
            "nonce-000000000009",
            none,
        )
        .await;
        assert_eq!(
            (c.status, c.body["errors"][0]["errorCode"].as_str()),
            (400, Some("HUB-REQ-001"))
        );

        // Refusals, each with its code.
        let q = json!({"national_id": alive.national_id});
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000006",
            none,
        )
        .await;
        assert_eq!(
            (c.status, c.body["errors"][0]["errorCode"].as_str()),
            (401, Some("HUB-SIG-004")),
            "{backend}: replayed nonce"
        );
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000010",
            |p| p.retain(|(k, _)| *k != signing::SIGNATURE_HEADER),
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-SIG-001", "missing");
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000011",
            |p| {
                for (k, v) in p.iter_mut() {
                    if *k == signing::SIGNATURE_HEADER {
                        *v = "ab".repeat(64);
                    }
                }
            },
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-SIG-002", "invalid");
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            "2026-11-21T09:40:00Z",
            "nonce-000000000012",
            none,
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-SIG-003", "expired");
        let stranger = SigningKey::from_bytes(&[2; 32]);
        let c = call(
            &app,
            &stranger,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000013",
            none,
        )
        .await;
        assert_eq!(
            c.body["errors"][0]["errorCode"], "HUB-SIG-002",
            "not the member's key"
        );
        // Refusals are signed too, so a client can tell the hub's refusal from a forged one.
        assert!(!c.response.signature.is_empty());
    }
}
