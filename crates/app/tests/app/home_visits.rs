//! Mobile teams and temporary cards (issue 5), on both backends: a home visit goes to the district's
//! team on the earliest day with room, the team's route lists it, the team verifies at the door; a
//! member without the unified card gets a temporary card that converts when the card is linked and
//! valid at the hub, or holds the member when it runs out.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::booking::*;
use common::{advance, civil, wired};
use tamwin_app::home_visits::HomeVisitRequest;
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::{HoldReason, NationalId};
use tamwin_store::ProgressScope;

fn team_officer() -> Actor {
    Actor::staff(
        "u9",
        "team1",
        Role::MobileTeamOfficer,
        Area::District("1104".into()),
        "api",
    )
}

fn visit(members: &[&str], reason: &str) -> HomeVisitRequest {
    HomeVisitRequest {
        member_ids: members.iter().map(|m| m.to_string()).collect(),
        reason: reason.into(),
    }
}

tamwin_store::backend_tests! {
    async fn a_home_visit_goes_to_the_district_team_and_is_verified_at_the_door(
        (backend, store) in backends
    ) {
        let (reg, clock, _) = wired(store.clone()).await;
        let (card, hid, members) = family(&reg, 85_000_000_001, "11", "1104").await;
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[civil(&members[0], None), civil(&members[1], None)])
            .await
            .unwrap();
        let rec = store.household_by_id(&hid).await.unwrap().unwrap();
        let (head, wife) = (
            rec.members[0].member_id.clone(),
            rec.members[1].member_id.clone(),
        );
        let me = citizen(&hid);
        for (req, want) in [
            (visit(&[&wife], "bored"), "home_visit_reason_unknown"),
            (visit(&[], "sick"), "home_visit_members_invalid"),
            (visit(&["nobody"], "sick"), "home_visit_members_invalid"),
        ] {
            let e = reg
                .request_home_visit(&hid, &req, &me, None)
                .await
                .unwrap_err();
            assert_eq!(code(e), want, "{backend}");
        }
        // Saturday noon: the al-Hurr team's first day with room is tomorrow, within the two-day target.
        let v = body(
            &reg.request_home_visit(&hid, &visit(&[&wife], "sick"), &me, None)
                .await
                .unwrap(),
        );
        assert_eq!(v["kind"], "home");
        assert_eq!(v["centre_code"], "MT-1104", "{backend}");
        assert_eq!(v["starts_at"], "2026-11-22");
        assert_eq!(v["address"], "حي الحسين، دار 7");
        let e = reg
            .request_home_visit(&hid, &visit(&[&wife], "sick"), &me, None)
            .await
            .unwrap_err();
        assert_eq!(code(e), "home_visit_already_requested", "{backend}");

        // The team's day is full after four visits: the fifth household goes to the next open day.
        for i in 0..4u64 {
            let (_, h, _) = family(&reg, 85_000_000_101 + i * 10, "11", "1104").await;
            let r = store.household_by_id(&h).await.unwrap().unwrap();
            let m = r.members[1].member_id.clone();
            let v = body(
                &reg.request_home_visit(&h, &visit(&[&m], "elderly"), &citizen(&h), None)
                    .await
                    .unwrap(),
            );
            let want = if i < 3 { "2026-11-22" } else { "2026-11-23" };
            assert_eq!(v["starts_at"], want, "{backend} visit {i}");
        }

        // The head still goes to the centre; the wife is visited at home and is not held for missing it.
        let a = body(
            &reg.book_appointment(
                &hid,
                &at("2026-11-22T09:00", Some("KRB-D04")),
                false,
                &me,
                None,
            )
            .await
            .unwrap(),
        );
        advance(&clock, 21 * 60);
        let desk = officer("KRB-D04", "1104");
        let by_card = CheckInRequest {
            token: None,
            card_number: Some(card.as_str().to_string()),
        };
        // The centre's officer checks in the centre appointment; the team its home visit.
        let c = reg.check_in(&by_card, &desk).await.unwrap();
        assert_eq!(c.kind.code(), "centre", "{backend}");
        let present = MemberCheck {
            attendance: "present".into(),
            documents_seen: vec!["unified_card".into()],
            note: None,
            fingerprint: None,
        };
        let absent = MemberCheck {
            attendance: "absent".into(),
            documents_seen: vec![],
            note: None,
            fingerprint: None,
        };
        reg.check_member(&c.appointment_id, &head, &present, &desk)
            .await
            .unwrap();
        reg.check_member(&c.appointment_id, &wife, &absent, &desk)
            .await
            .unwrap();
        reg.complete_visit(&c.appointment_id, &desk).await.unwrap();
        assert_eq!(a["appointment_id"], c.appointment_id.as_str());

        let route = reg
            .team_route("MT-1104", "2026-11-22".parse().unwrap(), &team_officer())
            .await
            .unwrap();
        assert_eq!(route.len(), 4, "{backend}: the team's route list");
        let e = reg
            .team_route(
                "MT-1104",
                "2026-11-22".parse().unwrap(),
                &officer("KRB-C01", "1101"),
            )
            .await
            .unwrap_err();
        assert_eq!(code(e), "forbidden", "{backend}: another centre's officer");
        let h = reg.check_in(&by_card, &team_officer()).await.unwrap();
        assert_eq!(h.kind.code(), "home", "{backend}");
        let r = reg
            .check_member(&h.appointment_id, &wife, &present, &team_officer())
            .await
            .unwrap();
        assert_eq!(r.verification.as_deref(), Some("verified"), "{backend}");
        reg.complete_visit(&h.appointment_id, &team_officer())
            .await
            .unwrap();
        let view = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert!(
            !view
                .holds
                .iter()
                .any(|x| x.active && x.hold.reason == HoldReason::NotVerifiedInPerson),
            "{backend}: visited at home, not held"
        );
        let p = store
            .progress(&ProgressScope::default(), "2026-11-22")
            .await
            .unwrap();
        assert_eq!(
            (p.home_visits_done, p.home_visits_pending),
            (1, 4),
            "{backend}"
        );
    }

    async fn a_temporary_card_converts_when_the_unified_card_comes_and_holds_when_it_runs_out(
        (backend, store) in backends
    ) {
        let (mut reg, clock, _) = wired(store.clone()).await;
        forms(&mut reg);
        // A family whose spouse has no national ID on the card.
        let mut members = vec![
            person(86_000_000_001, "head", "male", "1980-03-01", "كريم"),
            person(86_000_000_002, "spouse", "female", "1984-05-02", "فاطمة"),
        ];
        members[1]["national_id"] = serde_json::Value::Null;
        let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101",
            "address": "حي الحسين، دار 9", "members": members}))
        .unwrap();
        let o = reg
            .create_household(&h, &Actor::system("t"), None)
            .await
            .unwrap();
        let v = body(&o);
        let card = tamwin_domain::CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap();
        let hid = tamwin_domain::HouseholdId::new(v["household_id"].as_str().unwrap());
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[civil(&members[0], None)])
            .await
            .unwrap();
        let a = body(
            &reg.book_appointment(
                &hid,
                &at("2026-11-22T09:00", Some("KRB-C01")),
                false,
                &citizen(&hid),
                None,
            )
            .await
            .unwrap(),
        );
        let appt = tamwin_domain::AppointmentId::new(a["appointment_id"].as_str().unwrap());
        advance(&clock, 21 * 60);
        let desk = officer("KRB-C01", "1101");
        reg.check_in(
            &CheckInRequest {
                token: None,
                card_number: Some(card.as_str().into()),
            },
            &desk,
        )
        .await
        .unwrap();
        let rec = store.household_by_id(&hid).await.unwrap().unwrap();
        let (head, wife) = (
            rec.members[0].member_id.clone(),
            rec.members[1].member_id.clone(),
        );

        // Not before she is recorded present; not for the head, who showed his unified card.
        let e = reg
            .issue_temporary_card(&appt, &wife, &desk)
            .await
            .unwrap_err();
        assert_eq!(code(e), "temporary_card_needs_presence", "{backend}");
        let unified = MemberCheck {
            attendance: "present".into(),
            documents_seen: vec!["unified_card".into()],
            note: None,
            fingerprint: None,
        };
        reg.check_member(&appt, &head, &unified, &desk)
            .await
            .unwrap();
        assert_eq!(
            code(
                reg.issue_temporary_card(&appt, &head, &desk)
                    .await
                    .unwrap_err()
            ),
            "temporary_card_not_needed"
        );
        let old = MemberCheck {
            attendance: "present".into(),
            documents_seen: vec!["civil_id".into(), "nationality_certificate".into()],
            note: None,
            fingerprint: None,
        };
        let r = reg.check_member(&appt, &wife, &old, &desk).await.unwrap();
        assert_eq!(r.verification.as_deref(), Some("no_national_id"));
        let t = reg.issue_temporary_card(&appt, &wife, &desk).await.unwrap();
        assert_eq!(t.status.code(), "active");
        assert_eq!(
            t.expires_at, "2027-05-22T06:00:00Z",
            "{backend}: six months"
        );
        let payload = tamwin_card::verify(
            t.token.as_deref().unwrap(),
            &reg.forms().unwrap().ring,
            clock.now().as_second(),
        )
        .unwrap();
        assert_eq!(
            payload.kind,
            tamwin_card::Kind::TemporaryCard,
            "clearly marked"
        );
        assert_eq!(payload.claims["temporary"], "true");
        // It reaches the family at once, with its QR, and the officer can print it from the visit;
        // another centre's officer cannot.
        let mine = reg.temporary_cards(&hid, &citizen(&hid)).await.unwrap();
        assert_eq!(mine.len(), 1, "{backend}");
        assert_eq!(
            (
                mine[0].card_id.as_str(),
                mine[0].status.code(),
                mine[0].member_id.as_str()
            ),
            (t.card_id.as_str(), "active", wife.as_str()),
            "{backend}"
        );
        assert!(mine[0].token.is_some(), "{backend}");
        let at_desk = reg.visit_temporary_cards(&appt, &desk).await.unwrap();
        assert_eq!(at_desk.len(), 1, "{backend}");
        assert_eq!(at_desk[0].member_name, mine[0].member_name);
        assert!(at_desk[0].token.is_some(), "{backend}");
        assert!(matches!(
            reg.visit_temporary_cards(&appt, &officer("KRB-C02", "1101"))
                .await,
            Err(AppError::NotFound)
        ));
        assert_eq!(
            code(
                reg.issue_temporary_card(&appt, &wife, &desk)
                    .await
                    .unwrap_err()
            ),
            "temporary_card_active"
        );
        reg.complete_visit(&appt, &desk).await.unwrap();

        // Nothing converts while she has no unified card linked.
        assert_eq!(reg.convert_temporary_cards().await.unwrap(), 0, "{backend}");
        // Her unified card is issued and linked: the hub reports it valid, the temporary card converts.
        let nid = NationalId::from_payload(86_000_000_002)
            .unwrap()
            .to_string();
        let mut wife_data = members[1].clone();
        wife_data["national_id"] = serde_json::json!(nid);
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[civil(&wife_data, None)])
            .await
            .unwrap();
        let change = serde_json::from_value(
            serde_json::json!({"reason": "unified card issued", "member": wife_data}),
        )
        .unwrap();
        reg.update_member(&card, &wife, &change, &Actor::system("t"), None)
            .await
            .unwrap();
        assert_eq!(reg.convert_temporary_cards().await.unwrap(), 1, "{backend}");
        let cards = reg.temporary_cards(&hid, &citizen(&hid)).await.unwrap();
        assert_eq!(
            (cards[0].status.code(), cards[0].national_id.as_deref()),
            ("converted", Some(nid.as_str()))
        );
        assert_eq!(
            reg.expire_temporary_cards().await.unwrap(),
            0,
            "{backend}: a converted card does not expire"
        );

        // Another member's card runs out unconverted: she is held, with the cure path in the evidence.
        let (card2, hid2, m2) = family(&reg, 86_000_000_101, "11", "1101").await;
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[civil(&m2[0], None), civil(&m2[1], None)])
            .await
            .unwrap();
        let a2 = body(
            &reg.book_appointment(
                &hid2,
                &at("2026-11-22T12:00", Some("KRB-C01")),
                false,
                &citizen(&hid2),
                None,
            )
            .await
            .unwrap(),
        );
        let appt2 = tamwin_domain::AppointmentId::new(a2["appointment_id"].as_str().unwrap());
        reg.check_in(
            &CheckInRequest {
                token: None,
                card_number: Some(card2.as_str().into()),
            },
            &desk,
        )
        .await
        .unwrap();
        let spouse2 = store.household_by_id(&hid2).await.unwrap().unwrap().members[1]
            .member_id
            .clone();
        reg.check_member(&appt2, &spouse2, &old, &desk)
            .await
            .unwrap();
        reg.issue_temporary_card(&appt2, &spouse2, &desk)
            .await
            .unwrap();
        advance(&clock, 200 * 24 * 60);
        assert_eq!(reg.expire_temporary_cards().await.unwrap(), 1, "{backend}");
        let view = reg.household(&card2, &Actor::system("t")).await.unwrap();
        let held = view
            .holds
            .iter()
            .find(|x| {
                x.active
                    && x.hold.member_id.as_deref() == Some(spouse2.as_str())
                    && x.hold.source == "temporary_card"
            })
            .expect("held when the temporary card ran out");
        assert!(held.hold.evidence.contains("cure"), "{backend}");
        assert_eq!(
            reg.expire_temporary_cards().await.unwrap(),
            0,
            "{backend}: once"
        );
    }
}
