//! What the household declared online: a national ID linked when the card is seen, members proposed
//! online joining the card, and a completed update needing no other visit.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::booking::*;
use common::{advance, civil, wired};
use tamwin_app::appointments::MemberDeclaration;
use tamwin_app::*;
use tamwin_domain::HoldReason;

tamwin_store::backend_tests! {
    async fn a_national_id_declared_online_is_linked_when_the_card_is_seen(
        (backend, store) in backends
    ) {
        let (reg, clock, _) = wired(store.clone()).await;
        let mut members = vec![
            person(87_000_000_001, "head", "male", "1980-03-01", "كريم"),
            person(87_000_000_002, "spouse", "female", "1984-05-02", "فاطمة"),
        ];
        let declared = members[1]["national_id"].as_str().unwrap().to_string();
        members[1]["national_id"] = serde_json::Value::Null;
        let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101",
            "address": "حي الحسين، دار 3", "members": members}))
        .unwrap();
        let v = body(
            &reg.create_household(&h, &Actor::system("t"), None)
                .await
                .unwrap(),
        );
        let hid = tamwin_domain::HouseholdId::new(v["household_id"].as_str().unwrap());
        let card = v["card_number"].as_str().unwrap().to_string();
        let mut on_file = members[1].clone();
        on_file["national_id"] = serde_json::json!(declared);
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[civil(&members[0], None), civil(&on_file, None)])
            .await
            .unwrap();
        let rec = store.household_by_id(&hid).await.unwrap().unwrap();
        let (head, wife) = (
            rec.members[0].member_id.clone(),
            rec.members[1].member_id.clone(),
        );
        let me = citizen(&hid);
        let declare = |member: &str, nid: &str| MemberDeclaration {
            member_id: member.into(),
            documents: vec!["unified_card".into()],
            required: None,
            national_id: Some(nid.into()),
        };
        let mut req = at("2026-11-22T09:00", Some("KRB-C01"));
        req.members = vec![declare(&wife, "123")];
        assert_eq!(
            code(
                reg.book_appointment(&hid, &req, false, &me, None)
                    .await
                    .unwrap_err()
            ),
            "national_id_malformed",
            "{backend}"
        );
        req.members = vec![declare(&head, &declared)];
        assert_eq!(
            code(
                reg.book_appointment(&hid, &req, false, &me, None)
                    .await
                    .unwrap_err()
            ),
            "national_id_already_linked"
        );
        req.members = vec![declare(&wife, &declared)];
        let a = body(
            &reg.book_appointment(&hid, &req, false, &me, None)
                .await
                .unwrap(),
        );
        assert_eq!(a["members"][1]["declared_national_id"], declared.as_str());
        // Declared is not linked: the card still shows no ID until the officer sees it.
        assert!(
            store.household_by_id(&hid).await.unwrap().unwrap().members[1]
                .national_id
                .is_none()
        );
        advance(&clock, 21 * 60);
        let desk = officer("KRB-C01", "1101");
        let appt = tamwin_domain::AppointmentId::new(a["appointment_id"].as_str().unwrap());
        reg.check_in(
            &CheckInRequest {
                token: None,
                card_number: Some(card.clone()),
            },
            &desk,
        )
        .await
        .unwrap();
        let seen = MemberCheck {
            attendance: "present".into(),
            documents_seen: vec!["unified_card".into()],
            note: None,
            fingerprint: None,
        };
        let r = reg.check_member(&appt, &wife, &seen, &desk).await.unwrap();
        assert_eq!(r.verification.as_deref(), Some("verified"), "{backend}");
        let after = store.household_by_id(&hid).await.unwrap().unwrap();
        assert_eq!(
            after.members[1]
                .national_id
                .as_ref()
                .map(|n| n.as_str().to_string()),
            Some(declared.clone())
        );
        // The registry rule's no-ID hold lifted itself when the ID was linked.
        assert!(
            !after
                .active_holds()
                .any(|h| h.reason == HoldReason::NoNationalId),
            "{backend}"
        );
    }

    async fn members_proposed_online_join_the_card_when_an_officer_accepts_them(
        (backend, store) in backends
    ) {
        let (reg, clock, _) = wired(store.clone()).await;
        let (card, hid, members) = family(&reg, 88_000_000_001, "11", "1101").await;
        let daughter = person(88_000_000_009, "daughter", "female", "2010-02-02", "زينب");
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[civil(&members[0], None), civil(&daughter, None)])
            .await
            .unwrap();
        let me = citizen(&hid);
        let mut req = at("2026-11-22T09:00", Some("KRB-C01"));
        let mut bad = daughter.clone();
        bad["birth_date"] = serde_json::json!("2030-01-01");
        req.new_members = vec![serde_json::from_value(bad).unwrap()];
        let e = reg
            .book_appointment(&hid, &req, false, &me, None)
            .await
            .unwrap_err();
        let AppError::Validation(v) = e else {
            panic!("{backend}")
        };
        assert!(
            v.0[0].field.starts_with("new_members[0]"),
            "{backend}: {:?}",
            v.0
        );
        // A national ID already on this card cannot be proposed again.
        req.new_members = vec![serde_json::from_value(members[1].clone()).unwrap()];
        let e = reg
            .book_appointment(&hid, &req, false, &me, None)
            .await
            .unwrap_err();
        assert_eq!(code(e), "national_id_in_other_household", "{backend}");
        // A son with an ID the civil registry does not know.
        let son = person(88_000_000_019, "son", "male", "2008-06-06", "مصطفى");
        req.new_members = vec![
            serde_json::from_value(daughter.clone()).unwrap(),
            serde_json::from_value(son).unwrap(),
        ];
        let a = body(
            &reg.book_appointment(&hid, &req, false, &me, None)
                .await
                .unwrap(),
        );
        assert_eq!(a["proposed_members"][0]["member"]["given_name"], "زينب");
        assert!(a["proposed_members"][0]["accepted"].is_null());
        // Not on the card before the visit.
        assert_eq!(
            store
                .household_by_id(&hid)
                .await
                .unwrap()
                .unwrap()
                .present_members()
                .count(),
            3
        );
        let appt = tamwin_domain::AppointmentId::new(a["appointment_id"].as_str().unwrap());
        let desk = officer("KRB-C01", "1101");
        assert_eq!(
            code(reg.accept_proposal(&appt, 0, &desk).await.unwrap_err()),
            "appointment_not_checked_in"
        );
        advance(&clock, 21 * 60);
        reg.check_in(
            &CheckInRequest {
                token: None,
                card_number: Some(card.as_str().into()),
            },
            &desk,
        )
        .await
        .unwrap();
        assert_eq!(
            code(reg.accept_proposal(&appt, 5, &desk).await.unwrap_err()),
            "not_found"
        );
        let v = reg.accept_proposal(&appt, 0, &desk).await.unwrap();
        let added = v.proposed_members[0].accepted.clone().expect("accepted");
        let rec = store.household_by_id(&hid).await.unwrap().unwrap();
        assert_eq!(rec.present_members().count(), 4, "{backend}");
        assert!(rec.present_members().any(|m| m.member_id == added));
        assert_eq!(
            store
                .verification(&hid, &added)
                .await
                .unwrap()
                .unwrap()
                .status,
            "verified",
            "{backend}"
        );
        assert_eq!(
            code(reg.accept_proposal(&appt, 0, &desk).await.unwrap_err()),
            "proposal_already_accepted"
        );
        // A member added at the visit is one the officer may issue a temporary card to (found, not
        // "not found"); she has her unified national ID, so none is needed.
        assert_eq!(
            code(
                reg.issue_temporary_card(&appt, &added, &desk)
                    .await
                    .unwrap_err()
            ),
            "temporary_card_not_needed",
            "{backend}"
        );
        // The unknown ID: added as seen, but the hub knows nobody with it, and he is held "fictitious"
        // with the hub's answer as evidence until the record is put right.
        let v = reg.accept_proposal(&appt, 1, &desk).await.unwrap();
        let son_id = v.proposed_members[1].accepted.clone().unwrap();
        assert_eq!(
            store
                .verification(&hid, &son_id)
                .await
                .unwrap()
                .unwrap()
                .status,
            "not_found",
            "{backend}"
        );
        let rec = store.household_by_id(&hid).await.unwrap().unwrap();
        assert!(
            rec.active_holds()
                .any(|h| h.member_id.as_deref() == Some(son_id.as_str())
                    && h.reason == HoldReason::Fictitious),
            "{backend}"
        );
    }

    async fn a_completed_update_needs_no_other_visit_and_the_card_shows_its_new_state(
        (backend, store) in backends
    ) {
        let (mut reg, clock, _) = wired(store.clone()).await;
        forms(&mut reg);
        let (card, hid, members) = family(&reg, 84_000_000_301, "11", "1101").await;
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[
                civil(&members[0], None),
                civil(&members[1], None),
                civil(&members[2], None),
            ])
            .await
            .unwrap();
        // Both adults held "not verified in person" before the update (the household's first listing).
        let rec = store.household_by_id(&hid).await.unwrap().unwrap();
        for m in &rec.members[..2] {
            let h = HoldInput {
                member_id: Some(m.member_id.clone()),
                reason: "not_verified_in_person".into(),
                evidence: "to be seen at the update centre".into(),
                source: "update_centre".into(),
            };
            reg.place_hold(&card, &h, &Actor::system("t"), None)
                .await
                .unwrap();
        }
        let me = citizen(&hid);
        assert_eq!(
            reg.update_status(&hid, &me).await.unwrap().state,
            tamwin_domain::CardState::PendingVerification,
            "{backend}"
        );
        let v = body(
            &reg.book_appointment(
                &hid,
                &at("2026-11-22T09:00", Some("KRB-C01")),
                false,
                &me,
                None,
            )
            .await
            .unwrap(),
        );
        let appt = tamwin_domain::AppointmentId::new(v["appointment_id"].as_str().unwrap());
        advance(&clock, 21 * 60);
        let desk = officer("KRB-C01", "1101");
        let v = reg
            .check_in(
                &CheckInRequest {
                    token: None,
                    card_number: Some(card.as_str().into()),
                },
                &desk,
            )
            .await
            .unwrap();
        for m in v.members.iter().filter(|m| m.required) {
            let seen = MemberCheck {
                attendance: "present".into(),
                documents_seen: vec!["unified_card".into()],
                note: None,
                fingerprint: None,
            };
            reg.check_member(&appt, &m.member_id, &seen, &desk)
                .await
                .unwrap();
        }
        advance(&clock, 15);
        reg.complete_visit(&appt, &desk).await.unwrap();
        let u = reg.update_status(&hid, &me).await.unwrap();
        assert!(!u.visit_needed, "{backend}: {u:?}");
        assert!(u.still_to_verify.is_empty(), "{backend}");
        let done = u.last_completed.expect("completed");
        assert_eq!(done.verified.len(), 2, "{backend}");
        assert!(done.absent.is_empty());
        assert_eq!(done.kind.code(), "centre");
        // Every member verified and holding the unified card: the card is active now, stored and derived.
        assert_eq!(u.state, tamwin_domain::CardState::Active, "{backend}");
        let view = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert_eq!(
            view.household.state,
            tamwin_domain::CardState::Active,
            "{backend}"
        );
        // Another household cannot read it.
        let (_, other, _) = family(&reg, 84_000_000_401, "11", "1101").await;
        assert!(matches!(
            reg.update_status(&hid, &citizen(&other)).await,
            Err(AppError::NotFound)
        ));
    }
}
