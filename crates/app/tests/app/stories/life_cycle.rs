//! A household's life: members added, linked, moved and removed, holds placed and lifted, the card
//! closed; and the no-ID hold, which follows the national ID.

use super::*;

tamwin_store::backend_tests! {
    async fn household_life_cycle_on_every_backend((backend, store) in backends) {
        let reg = registry(store);
        reg.prepare().await.unwrap();
        let v = create(
            &reg,
            &household(vec![
                member("أحمـد", "head", Some(nid(19_000_000_001)), "1980-05-17"),
                member("فاطمة", "daughter", None, "2010-02-01"),
            ]),
        )
        .await;
        let card = card_of(&v);
        // A member without a unified card makes the card temporary, by rule.
        assert_eq!(v["state"], "temporary", "{backend}");
        assert_eq!(v["holds"][0]["reason"], "no_national_id");
        // Names are displayed as entered.
        assert_eq!(v["members"][0]["given_name"], "أحمـد");

        let by_card = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert_eq!(by_card.members.len(), 2);
        let by_id = reg
            .household_by_national_id(
                &NationalId::parse(&nid(19_000_000_001)).unwrap(),
                &Actor::system("t"),
            )
            .await
            .unwrap()
            .unwrap();
        assert_eq!(by_id.household.card_number, card);

        // Linking the daughter's national ID lifts the rule hold: active.
        let daughter = by_card.members[1].member.member_id.clone();
        let mut d = member("فاطمة", "daughter", Some(nid(19_000_000_002)), "2010-02-01");
        d.sex = "female".into();
        let o = reg
            .update_member(
                &card,
                &daughter,
                &MemberChange {
                    member: d,
                    reason: "unified card issued".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&o.body).unwrap();
        assert_eq!(v["state"], "active", "{backend}");

        // Add a son, make him head, remove the former head... not allowed while head; remove the daughter.
        let o = reg
            .add_member(
                &card,
                &MemberChange {
                    member: member("علي", "son", Some(nid(19_000_000_003)), "2000-01-01"),
                    reason: "birth registered".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        assert_eq!(o.status, 201);
        let v: Value = serde_json::from_str(&o.body).unwrap();
        let son = tamwin_domain::MemberId::new(v["members"][2]["member_id"].as_str().unwrap());
        let head = tamwin_domain::MemberId::new(v["members"][0]["member_id"].as_str().unwrap());
        let e = reg
            .remove_member(
                &card,
                &head,
                &MemberRemoval { reason: "x".into() },
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "head_cannot_be_removed");
        let o = reg
            .change_head(
                &card,
                &HeadChange {
                    member_id: son.clone(),
                    former_head_relation: "father".into(),
                    reason: "father is ill".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&o.body).unwrap();
        assert_eq!(v["head_member_id"], son.as_str(), "{backend}");
        assert_eq!(v["members"][0]["relation"], "father");
        reg.remove_member(
            &card,
            &daughter,
            &MemberRemoval {
                reason: "married, moved to her husband's card".into(),
            },
            &actor(),
            None,
        )
        .await
        .unwrap();
        // Her national ID is free again for another household.
        create(
            &reg,
            &household(vec![member(
                "فاطمة",
                "head",
                Some(nid(19_000_000_002)),
                "2010-02-01",
            )]),
        )
        .await;

        // Holds: a deceased hold on the head (the son) suspends the card; lifting restores it.
        let o = reg
            .place_hold(
                &card,
                &HoldInput {
                    member_id: Some(son.clone()),
                    reason: "deceased".into(),
                    evidence: "death record 123".into(),
                    source: "civil_registry".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&o.body).unwrap();
        assert_eq!(v["state"], "suspended", "{backend}");
        let hold = v["holds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["reason"] == "deceased")
            .unwrap();
        assert!(!hold["cure_ar"].as_str().unwrap().is_empty());
        let hold_id = hold["hold_id"].as_str().unwrap().to_string();
        let e = reg
            .place_hold(
                &card,
                &HoldInput {
                    member_id: Some(son.clone()),
                    reason: "deceased".into(),
                    evidence: "again".into(),
                    source: "x".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "hold_already_active");
        let o = reg
            .lift_hold(
                &card,
                &hold_id,
                &HoldLift {
                    reason: "record corrected".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&o.body).unwrap();
        assert_eq!(v["state"], "active", "{backend}");
        assert!(
            v["holds"]
                .as_array()
                .unwrap()
                .iter()
                .any(|h| h["hold_id"] == hold_id.as_str() && h["active"] == false)
        );
        // A household-level abroad hold blocks the card.
        let o = reg
            .place_hold(
                &card,
                &HoldInput {
                    member_id: None,
                    reason: "abroad".into(),
                    evidence: "exit record".into(),
                    source: "civil_registry".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&o.body).unwrap()["state"],
            "blocked"
        );
        // Closing the card frees its national IDs and freezes it.
        let o = reg
            .close_household(
                &card,
                &Closure {
                    reason: "family emigrated".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        assert_eq!(
            serde_json::from_str::<Value>(&o.body).unwrap()["state"],
            "closed",
            "{backend}"
        );
        let head_id = NationalId::parse(&nid(19_000_000_001)).unwrap();
        assert!(
            reg.household_by_national_id(&head_id, &Actor::system("t"))
                .await
                .unwrap()
                .is_none(),
            "{backend}"
        );
        let e = reg
            .close_household(
                &card,
                &Closure {
                    reason: "again".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "household_closed", "{backend}");
        let e = reg
            .add_member(
                &card,
                &MemberChange {
                    member: member("زيد", "son", None, "2015-01-01"),
                    reason: "r".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "household_closed");
        create(
            &reg,
            &household(vec![member(
                "أحمد",
                "head",
                Some(nid(19_000_000_001)),
                "1980-05-17",
            )]),
        )
        .await;
    }
}

tamwin_store::backend_tests! {
    async fn the_no_id_hold_follows_the_national_id_on_every_backend((backend, store) in backends) {
        let reg = registry(store);
        reg.prepare().await.unwrap();
        let v = create(
            &reg,
            &household(vec![member(
                "أحمد",
                "head",
                Some(nid(19_000_000_300)),
                "1980-05-17",
            )]),
        )
        .await;
        assert_eq!(v["state"], "active", "{backend}");
        let card = card_of(&v);
        let head = tamwin_domain::MemberId::new(v["members"][0]["member_id"].as_str().unwrap());
        // The ID was recorded in error: removing it makes the card temporary, by the same rule.
        let o = reg
            .update_member(
                &card,
                &head,
                &MemberChange {
                    member: member("أحمد", "head", None, "1980-05-17"),
                    reason: "wrong ID".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        let v: Value = serde_json::from_str(&o.body).unwrap();
        assert_eq!(v["state"], "temporary", "{backend}");
        let hold = v["holds"]
            .as_array()
            .unwrap()
            .iter()
            .find(|h| h["reason"] == "no_national_id" && h["active"] == true)
            .unwrap();
        // That hold cannot be lifted by hand while the ID is missing.
        let e = reg
            .lift_hold(
                &card,
                hold["hold_id"].as_str().unwrap(),
                &HoldLift {
                    reason: "please".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "hold_condition_still_holds", "{backend}");
        // Forty members at most, however they arrive.
        for i in 0..39u64 {
            let m = member("علي", "son", Some(nid(19_000_000_400 + i)), "2010-01-01");
            reg.add_member(
                &card,
                &MemberChange {
                    member: m,
                    reason: "r".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap();
        }
        let e = reg
            .add_member(
                &card,
                &MemberChange {
                    member: member("علي", "son", None, "2010-01-01"),
                    reason: "r".into(),
                },
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Validation(ref v) if v.codes().contains(&"household_too_many_members")),
            "{backend}"
        );
    }
}
