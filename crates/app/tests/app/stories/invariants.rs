//! Invariants the application and the database each keep: one owner per national ID, one head,
//! no stale versions, an index that matches the members.

use super::*;

tamwin_store::backend_tests! {
    async fn invariants_hold_on_every_backend((backend, store) in backends) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let v = create(
            &reg,
            &household(vec![member(
                "أحمد",
                "head",
                Some(nid(19_000_000_010)),
                "1980-05-17",
            )]),
        )
        .await;
        let card = card_of(&v);
        // The same national ID in another household is refused and nothing is written.
        let before = store.count_households().await.unwrap();
        let e = reg
            .create_household(
                &household(vec![member(
                    "أحمد",
                    "head",
                    Some(nid(19_000_000_010)),
                    "1980-05-17",
                )]),
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(e.code(), "national_id_in_other_household", "{backend}");
        assert_eq!(store.count_households().await.unwrap(), before);
        // Two heads, or none, refused before any write.
        let e = reg
            .create_household(
                &household(vec![
                    member("أ", "head", None, "1980-01-01"),
                    member("ب", "head", None, "1981-01-01"),
                ]),
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Validation(ref v) if v.codes().contains(&"household_two_heads"))
        );
        let e = reg
            .create_household(
                &household(vec![member("أ", "son", None, "1980-01-01")]),
                &actor(),
                None,
            )
            .await
            .unwrap_err();
        assert!(
            matches!(e, AppError::Validation(ref v) if v.codes().contains(&"household_no_head"))
        );
        assert_eq!(store.count_households().await.unwrap(), before);

        // The database itself refuses a second head and a headless household, whatever the code does.
        let rec = store.household_by_card(&card).await.unwrap().unwrap();
        let version = rec.household.version;
        let mut twin = rec.members[0].clone();
        twin.member_id = "second-head".into();
        twin.member_no = 2;
        twin.data.national_id = None;
        let change = |members: Vec<Member>, household: Household| tamwin_store::HouseholdChange {
            expected_version: version,
            household: Household {
                version: version + 1,
                ..household
            },
            members,
            holds: vec![],
            national_ids_removed: vec![],
            national_ids_added: vec![],
            log: tamwin_store::ChangeLog {
                change_id: uuid_like(1),
                at: jiff::Timestamp::now(),
                actor: "t".into(),
                role: "system".into(),
                area: "nation".into(),
                kind: "member_added",
                member_id: None,
                reason: None,
                details: Value::Null,
                channel: "api",
            },
        };
        let err = store
            .save_change(&change(vec![twin], rec.household.clone()), None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                tamwin_store::StoreError::Conflict(tamwin_store::Conflict::HeadRule, _)
            ),
            "{backend}: {err}"
        );
        let mut demoted = rec.members[0].clone();
        demoted.data.relation = Relation::Son;
        let err = store
            .save_change(&change(vec![demoted], rec.household.clone()), None)
            .await
            .unwrap_err();
        assert!(
            matches!(
                err,
                tamwin_store::StoreError::Conflict(tamwin_store::Conflict::HeadRule, _)
            ),
            "{backend}: {err}"
        );
        // A stale version is refused.
        let mut stale = change(vec![], rec.household.clone());
        stale.expected_version = 0;
        let err = store.save_change(&stale, None).await.unwrap_err();
        assert!(
            matches!(
                err,
                tamwin_store::StoreError::Conflict(tamwin_store::Conflict::VersionMismatch, _)
            ),
            "{backend}"
        );
        // The national-ID index refuses a second owner even if the application forgot to check.
        let other = create(
            &reg,
            &household(vec![member(
                "حسن",
                "head",
                Some(nid(19_000_000_011)),
                "1970-01-01",
            )]),
        )
        .await;
        let orec = store
            .household_by_card(&card_of(&other))
            .await
            .unwrap()
            .unwrap();
        let mut steal = change(vec![], orec.household.clone());
        steal.expected_version = orec.household.version;
        steal.household.version = orec.household.version + 1;
        steal.national_ids_added = vec![(
            NationalId::parse(&nid(19_000_000_010)).unwrap(),
            orec.members[0].member_id.clone(),
        )];
        let err = store.save_change(&steal, None).await.unwrap_err();
        assert!(
            matches!(
                err,
                tamwin_store::StoreError::Conflict(tamwin_store::Conflict::NationalIdTaken, _)
            ),
            "{backend}: {err}"
        );
        // And every index row must name a present member carrying that very ID.
        let mut lie = change(vec![], orec.household.clone());
        lie.expected_version = orec.household.version;
        lie.household.version = orec.household.version + 1;
        lie.national_ids_added = vec![(
            NationalId::parse(&nid(19_000_000_099)).unwrap(),
            orec.members[0].member_id.clone(),
        )];
        let err = store.save_change(&lie, None).await.unwrap_err();
        assert!(
            matches!(err, tamwin_store::StoreError::Conflict(..)),
            "{backend}: {err}"
        );
        assert!(
            store
                .household_by_national_id(&NationalId::parse(&nid(19_000_000_099)).unwrap())
                .await
                .unwrap()
                .is_none()
        );
    }
}

fn uuid_like(n: u8) -> String {
    format!("00000000-0000-4000-8000-0000000000{n:02}")
}
