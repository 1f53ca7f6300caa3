//! Verification through the hub on both backends, against the reference registry in-process: matches,
//! mismatches and deaths become states, holds and evidence; with the hub down the member is pending and
//! verified on a later retry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;
use common::*;
use tamwin_app::*;

tamwin_store::backend_tests! {
    async fn verification_through_the_hub_on_every_backend((backend, store) in backends) {
        let (reg, clock, transport) = wired(store.clone()).await;
        // A household of three with IDs: the head as on file, the wife on file with another mother's
        // name, the grandfather deceased in the civil registry.
        let nid = |n: u64| {
            tamwin_domain::NationalId::from_payload(n)
                .unwrap()
                .to_string()
        };
        let member = |id: String, given: &str, mother: &str, birth: &str, sex: &str, rel: &str| {
            serde_json::json!({"national_id": id, "given_name": given, "father_name": "حسين", "grandfather_name": "علي",
                "family_name": "الجبوري", "mother_name": mother, "birth_date": birth, "sex": sex, "relation": rel})
        };
        let head = member(
            nid(61_000_000_001),
            "كريم",
            "زينب كاظم جواد",
            "1975-01-01",
            "male",
            "head",
        );
        let wife = member(
            nid(61_000_000_002),
            "هدى",
            "سعاد علي حسن",
            "1980-01-01",
            "female",
            "spouse",
        );
        let father = member(
            nid(61_000_000_003),
            "حسين",
            "فاطمة محمد علي",
            "1940-01-01",
            "male",
            "father",
        );
        let mut wife_on_file = civil(&wife, None);
        wife_on_file.mother_name = "أمل جاسم محمد".into();
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[
                civil(&head, None),
                wife_on_file,
                civil(&father, Some("2026-06-01")),
            ])
            .await
            .unwrap();
        let h: tamwin_domain::NewHousehold = serde_json::from_value(serde_json::json!({
            "governorate": "11", "district": "1101", "address": "دار 9", "members": [head, wife, father]
        }))
        .unwrap();
        let o = reg
            .create_household(&h, &Actor::system("t"), None)
            .await
            .unwrap();
        let card = tamwin_domain::CardNumber::parse(
            serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let rec = reg.store().household_by_card(&card).await.unwrap().unwrap();
        let id_of = |rel: tamwin_domain::Relation| {
            rec.members
                .iter()
                .find(|m| m.relation == rel)
                .unwrap()
                .member_id
                .clone()
        };
        let hid = rec.household.household_id.clone();

        // The hub is down: every member pending, nothing lost, evidence of the attempt kept.
        transport.set_down(true);
        let states = reg.verify_household(&rec).await.unwrap();
        assert!(
            states.iter().all(|v| v.status == "pending"),
            "{backend}: {states:?}"
        );
        assert_eq!(reg.store().evidence_of(&hid).await.unwrap().len(), 3);
        assert_eq!(reg.retry_verifications(10).await.unwrap(), 0, "not due yet");

        // Back up; after the retry delay the queue is worked off.
        transport.set_down(false);
        advance(&clock, 6);
        assert_eq!(reg.retry_verifications(10).await.unwrap(), 3, "{backend}");
        let state = |rel| {
            let (reg, hid) = (&reg, hid.clone());
            async move {
                reg.store()
                    .verification(&hid, &id_of(rel))
                    .await
                    .unwrap()
                    .unwrap()
                    .status
            }
        };
        assert_eq!(
            state(tamwin_domain::Relation::Head).await,
            "verified",
            "{backend}"
        );
        assert_eq!(state(tamwin_domain::Relation::Spouse).await, "mismatch");
        assert_eq!(state(tamwin_domain::Relation::Father).await, "deceased");
        assert_eq!(
            reg.retry_verifications(10).await.unwrap(),
            0,
            "settled checks leave the queue"
        );

        // The holds carry the hub's answer as evidence; a second check adds no second hold.
        let view = reg.household(&card, &Actor::system("t")).await.unwrap();
        let active: Vec<_> = view.holds.iter().filter(|h| h.active).collect();
        let deceased = active
            .iter()
            .find(|h| h.hold.reason == tamwin_domain::HoldReason::Deceased)
            .unwrap();
        assert!(
            deceased.hold.evidence.contains("hub request")
                && deceased.hold.source == "civil_registry"
        );
        assert!(
            active
                .iter()
                .any(|h| h.hold.reason == tamwin_domain::HoldReason::DataMismatch
                    && h.hold.evidence.contains("mother_name"))
        );
        reg.verify_member(&hid, &id_of(tamwin_domain::Relation::Father))
            .await
            .unwrap();
        let view = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert_eq!(
            view.holds
                .iter()
                .filter(|h| h.active && h.hold.reason == tamwin_domain::HoldReason::Deceased)
                .count(),
            1
        );
        let evidence = reg.store().evidence_of(&hid).await.unwrap();
        assert_eq!(evidence.len(), 7);
        assert!(
            evidence
                .iter()
                .filter(|e| !e.response_hash.is_empty())
                .all(|e| e.request_hash.len() == 64 && e.response_hash.len() == 64)
        );
    }
}

tamwin_store::backend_tests! {
    async fn reconciliation_catches_missed_deaths_and_resumes_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, _clock, transport) = wired(store.clone()).await;
        let nid = |n: u64| {
            tamwin_domain::NationalId::from_payload(n)
                .unwrap()
                .to_string()
        };
        let mut cards = vec![];
        for (i, n) in [62_000_000_001u64, 62_000_000_002, 62_000_000_003]
            .into_iter()
            .enumerate()
        {
            let m = serde_json::json!({"national_id": nid(n), "given_name": "سلمان", "father_name": "داود", "grandfather_name": "سلمان",
                "mother_name": "نجلاء علي حسن", "birth_date": "1950-01-01", "sex": "male", "relation": "head"});
            // The second person died; the death event never reached the ration side.
            tamwin_store::testkit::civil_of(&store)
                .civil_load(&[civil(&m, (i == 1).then_some("2026-08-01"))])
                .await
                .unwrap();
            let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101", "address": "دار 3", "members": [m]})).unwrap();
            let o = reg
                .create_household(&h, &Actor::system("t"), None)
                .await
                .unwrap();
            cards.push(
                tamwin_domain::CardNumber::parse(
                    serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
                        .as_str()
                        .unwrap(),
                )
                .unwrap(),
            );
        }
        let deceased = |card: tamwin_domain::CardNumber| {
            let reg = &reg;
            async move {
                reg.household(&card, &Actor::system("t"))
                    .await
                    .unwrap()
                    .holds
                    .iter()
                    .filter(|h| h.active && h.hold.reason == tamwin_domain::HoldReason::Deceased)
                    .count()
            }
        };

        // The hub is down: nothing checked, the run says it did not finish.
        transport.set_down(true);
        let r = reg.reconcile(1, false, &|_| {}).await.unwrap();
        assert!(!r.finished && r.members == 0, "{backend}: {r:?}");
        transport.set_down(false);

        // The connection breaks after the first card: the run stops there, the next one resumes after it.
        // Card order is random: the dead man's card may come first or later; the totals must hold.
        transport.allow(1);
        let first = reg.reconcile(1, false, &|_| {}).await.unwrap();
        assert_eq!((first.finished, first.members), (false, 1), "{backend}");
        transport.allow(-1);
        let rest = reg.reconcile(1, false, &|_| {}).await.unwrap();
        assert!(rest.finished, "{backend}");
        assert_eq!(
            (first.members + rest.members, first.deceased + rest.deceased),
            (3, 1),
            "{backend}: resumed after the first card, nothing checked twice"
        );
        assert_eq!(
            deceased(cards[1].clone()).await,
            1,
            "{backend}: the missed death is held"
        );
        assert_eq!(
            deceased(cards[0].clone()).await + deceased(cards[2].clone()).await,
            0
        );

        // A new run starts from the beginning and holds nothing twice.
        let r = reg.reconcile(100, false, &|_| {}).await.unwrap();
        assert_eq!((r.finished, r.members, r.deceased), (true, 3, 1));
        assert_eq!(deceased(cards[1].clone()).await, 1);
    }
}
