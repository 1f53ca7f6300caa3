//! The conformance suite: every store operation, driven through the use cases, on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::Value;
use std::sync::Arc;
use tamwin_app::*;
use tamwin_domain::household::MemberInput;
use tamwin_domain::*;
use tamwin_store::{ListFilter, Store};

fn registry(store: Arc<dyn Store>) -> Arc<Registry> {
    let clock = FixedClock(std::sync::Mutex::new(
        "2026-11-21T09:00:00Z".parse().unwrap(),
    ));
    Arc::new(Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        Arc::new(clock),
        Arc::new(RandomIds),
    ))
}

fn nid(n: u64) -> String {
    NationalId::from_payload(n).unwrap().to_string()
}

fn member(given: &str, relation: &str, id: Option<String>, born: &str) -> MemberInput {
    MemberInput {
        national_id: id,
        given_name: given.into(),
        father_name: "عبد الله".into(),
        grandfather_name: "حسين".into(),
        family_name: Some("الربيعي".into()),
        mother_name: "زينب كاظم جواد".into(),
        birth_date: born.into(),
        sex: if relation == "daughter" || relation == "spouse" {
            "female".into()
        } else {
            "male".into()
        },
        relation: relation.into(),
        vulnerability: Vulnerability::default(),
    }
}

fn household(members: Vec<MemberInput>) -> NewHousehold {
    NewHousehold {
        governorate: "11".into(),
        district: "1101".into(),
        address: "حي الحسين، دار 4".into(),
        agent_code: None,
        phone: None,
        members,
    }
}

fn actor() -> Actor {
    Actor::system("officer-1")
}

async fn create(reg: &Registry, h: &NewHousehold) -> Value {
    let o = reg.create_household(h, &actor(), None).await.unwrap();
    assert_eq!(o.status, 201);
    serde_json::from_str(&o.body).unwrap()
}

fn card_of(v: &Value) -> CardNumber {
    CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap()
}

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
        let son = v["members"][2]["member_id"].as_str().unwrap().to_string();
        let head = v["members"][0]["member_id"].as_str().unwrap().to_string();
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
    async fn agents_and_counts_on_every_backend((backend, store) in backends) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let agent = tamwin_domain::geography::RationAgent {
            code: "A11010001".into(),
            district_code: "1101".into(),
            name_ar: "وكيل علي".into(),
        };
        store
            .save_agents(std::slice::from_ref(&agent))
            .await
            .unwrap();
        // Saving again updates, never duplicates.
        store
            .save_agents(std::slice::from_ref(&agent))
            .await
            .unwrap();
        assert_eq!(
            store.agents_in_district("1101").await.unwrap(),
            vec![agent],
            "{backend}"
        );
        assert!(store.agents_in_district("1102").await.unwrap().is_empty());
        let mut h = household(vec![
            member("أحمد", "head", None, "1980-05-17"),
            member("علي", "son", None, "2010-05-17"),
        ]);
        h.agent_code = Some("A11010001".into());
        let v = create(&reg, &h).await;
        assert_eq!(v["agent_code"], "A11010001");
        h.agent_code = Some("A11020001".into());
        let e = reg.create_household(&h, &actor(), None).await.unwrap_err();
        assert!(
            matches!(e, AppError::Validation(ref v) if v.codes() == vec!["agent_unknown"]),
            "{backend}"
        );
        assert_eq!(store.count_households().await.unwrap(), 1);
        assert_eq!(store.count_members().await.unwrap(), 2);
        store.ping().await.unwrap();
    }
}

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

tamwin_store::backend_tests! {
    async fn search_variants_and_keyset_pages_on_every_backend((backend, store) in backends) {
        let reg = registry(store);
        reg.prepare().await.unwrap();
        let mut m = member("أحمد", "head", None, "1980-05-17");
        m.father_name = "عبدالله".into();
        create(&reg, &household(vec![m])).await;
        for i in 0..7u64 {
            create(
                &reg,
                &household(vec![member(
                    "حسين",
                    "head",
                    Some(nid(19_000_000_100 + i)),
                    "1990-01-01",
                )]),
            )
            .await;
        }
        for q in [
            "أحمد",
            "احمد",
            "أحمـد",
            "أَحمد",
            "احمد عبد الله",
            "احمد عبدالله حسين ربيعي",
            "أحمد الربيعي",
            "احمد ربيعي",
            "\u{FEFF}احمد",
        ] {
            let hits = reg
                .search_by_name(q, None, 10, &Actor::system("t"))
                .await
                .unwrap();
            assert_eq!(hits.len(), 1, "{backend}: {q}");
        }
        assert_eq!(
            reg.search_by_name("احمد", Some(1980), 10, &Actor::system("t"))
                .await
                .unwrap()
                .len(),
            1
        );
        assert_eq!(
            reg.search_by_name("احمد", Some(1981), 10, &Actor::system("t"))
                .await
                .unwrap()
                .len(),
            0
        );
        // A word boundary: احم is not a name.
        assert_eq!(
            reg.search_by_name("احم", None, 10, &Actor::system("t"))
                .await
                .unwrap()
                .len(),
            0
        );
        assert!(
            reg.search_by_name("ـــ", None, 10, &Actor::system("t"))
                .await
                .is_err()
        );
        // Pages of 3 in card order, no repeats, nothing lost.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let page = reg
                .list(
                    &ListFilter {
                        governorate: Some("11".into()),
                        after: after.clone(),
                        limit: 3,
                        ..Default::default()
                    },
                    &actor(),
                )
                .await
                .unwrap();
            if page.is_empty() {
                break;
            }
            after = page.last().map(|p| p.card_number.clone());
            seen.extend(page.into_iter().map(|p| p.card_number));
        }
        assert_eq!(seen.len(), 8, "{backend}");
        let mut sorted = seen.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted, seen);
        let temporary = reg
            .list(
                &ListFilter {
                    state: Some(CardState::Temporary),
                    limit: 50,
                    ..Default::default()
                },
                &actor(),
            )
            .await
            .unwrap();
        assert_eq!(temporary.len(), 1);
        assert!(
            reg.list(
                &ListFilter {
                    governorate: Some("01".into()),
                    limit: 50,
                    ..Default::default()
                },
                &actor()
            )
            .await
            .unwrap()
            .is_empty()
        );
    }
}

tamwin_store::backend_tests! {
    async fn idempotency_and_concurrency_on_every_backend((backend, store) in backends) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let h = household(vec![member(
            "أحمد",
            "head",
            Some(nid(19_000_000_200)),
            "1980-05-17",
        )]);
        let idem = IdemRequest {
            key: "k-1".into(),
            request_hash: "h-1".into(),
        };
        let first = reg
            .create_household(&h, &actor(), Some(&idem))
            .await
            .unwrap();
        let again = reg
            .create_household(&h, &actor(), Some(&idem))
            .await
            .unwrap();
        assert_eq!(first.body, again.body, "{backend}");
        assert!(again.replayed);
        assert_eq!(store.count_households().await.unwrap(), 1);
        let other = IdemRequest {
            key: "k-1".into(),
            request_hash: "different".into(),
        };
        assert!(matches!(
            reg.create_household(&h, &actor(), Some(&other)).await,
            Err(AppError::IdempotencyKeyReused)
        ));

        // Ten concurrent registrations of the same person: exactly one household holds the ID.
        let h2 = household(vec![member(
            "علي",
            "head",
            Some(nid(19_000_000_201)),
            "1985-01-01",
        )]);
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (reg, h2) = (reg.clone(), h2.clone());
                tokio::spawn(async move { reg.create_household(&h2, &actor(), None).await })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert_eq!(e.code(), "national_id_in_other_household", "{backend}: {e}"),
            }
        }
        assert_eq!(ok, 1, "{backend}");
        // Ten concurrent retries with one idempotency key: one household, ten identical answers.
        let h3 = household(vec![member("حسن", "head", None, "1985-01-01")]);
        let key = IdemRequest {
            key: "k-2".into(),
            request_hash: "h-2".into(),
        };
        let tasks: Vec<_> = (0..10)
            .map(|_| {
                let (reg, h3, key) = (reg.clone(), h3.clone(), key.clone());
                tokio::spawn(async move {
                    reg.create_household(&h3, &actor(), Some(&key))
                        .await
                        .unwrap()
                        .body
                })
            })
            .collect();
        let mut bodies = Vec::new();
        for t in tasks {
            bodies.push(t.await.unwrap());
        }
        bodies.dedup();
        assert_eq!(bodies.len(), 1, "{backend}");
        assert_eq!(store.count_households().await.unwrap(), 3, "{backend}");
        // Concurrent changes to one household all land (optimistic retries), none lost.
        let card = card_of(&serde_json::from_str(&bodies[0]).unwrap());
        let tasks: Vec<_> = (0..6)
            .map(|i| {
                let (reg, card) = (reg.clone(), card.clone());
                tokio::spawn(async move {
                    let m = member(
                        ["سجاد", "كرار", "مهدي", "باقر", "رضا", "زيد"][i],
                        "son",
                        None,
                        "2005-01-01",
                    );
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
                })
            })
            .collect();
        let mut ok = 0;
        for t in tasks {
            if t.await.unwrap().is_ok() {
                ok += 1;
            }
        }
        let v = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert_eq!(v.members.len(), 1 + ok, "{backend}");
        assert!(
            ok >= 5,
            "{backend}: only {ok} of 6 concurrent changes landed"
        );
    }
}

tamwin_store::backend_tests! {
    async fn import_validates_rows_and_keeps_households_whole_on_every_backend(
        (backend, store) in backends
    ) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("tamwin-import-{}-{backend}", std::process::id()));
        let cfg = tamwin_synth::Config {
            households: 300,
            seed: 3,
            governorate: Some("11".into()),
            ..Default::default()
        };
        let summary = tamwin_synth::generate(&cfg, reg.geo(), &dir, &|_| {}).unwrap();
        // Break five households: a bad national ID, a wrong column count, bad UTF-8, a national ID of
        // spaces (not taken as "no ID"), an emoji in a given name.
        let text = std::fs::read_to_string(dir.join("members.csv")).unwrap();
        let mut lines: Vec<Vec<u8>> = text.lines().map(|l| l.as_bytes().to_vec()).collect();
        let card_of_line = |l: &[u8]| {
            String::from_utf8_lossy(l)
                .split(',')
                .next()
                .unwrap()
                .to_string()
        };
        let broken: Vec<String> = [1usize, 10, 20, 30, 40]
            .iter()
            .map(|i| card_of_line(&lines[*i]))
            .collect();
        let mut l1 = String::from_utf8(lines[1].clone())
            .unwrap()
            .split(',')
            .map(str::to_string)
            .collect::<Vec<_>>();
        l1[2] = "123".into();
        lines[1] = l1.join(",").into_bytes();
        for (i, col, value) in [(30usize, 2usize, "   "), (40, 3, "أحمد😀")] {
            let mut l = String::from_utf8(lines[i].clone())
                .unwrap()
                .split(',')
                .map(str::to_string)
                .collect::<Vec<_>>();
            l[col] = value.into();
            lines[i] = l.join(",").into_bytes();
        }
        lines[10].extend_from_slice(b",extra");
        let pos = lines[20].iter().position(|b| *b == b',').unwrap() + 3;
        lines[20].insert(pos, 0xff);
        let mut out = Vec::new();
        for l in lines {
            out.extend(l);
            out.push(b'\n');
        }
        std::fs::write(dir.join("members.csv"), out).unwrap();
        let report =
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects.csv"), Arc::new(|_| {}))
                .await
                .unwrap();
        let rejected: std::collections::BTreeSet<_> = broken.iter().cloned().collect();
        assert_eq!(
            report.rejected_households as usize,
            rejected.len(),
            "{backend}: {report:?}"
        );
        assert_eq!(report.households as usize, 300 - rejected.len());
        let rejects = std::fs::read_to_string(dir.join("rejects.csv")).unwrap();
        for code in [
            "national_id_malformed",
            "column_count",
            "encoding_invalid",
            "national_id_blank",
            "name_invalid_characters",
        ] {
            assert!(
                rejects.contains(code),
                "{backend}: {code} missing from {rejects}"
            );
        }
        for c in &broken {
            assert!(
                store
                    .household_by_card(&CardNumber::parse(c).unwrap())
                    .await
                    .unwrap()
                    .is_none(),
                "{backend}: half-imported {c}"
            );
        }
        let members_of_broken: u64 = 0;
        assert!(report.members < summary.members + members_of_broken);
        assert_eq!(
            store.count_households().await.unwrap() as u64,
            report.households
        );
        // Importing again: every household is already there and skipped, nothing doubles.
        let again =
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects2.csv"), Arc::new(|_| {}))
                .await
                .unwrap();
        assert_eq!(again.households, 0, "{backend}");
        assert_eq!(again.already_present, report.households, "{backend}");
        assert_eq!(
            store.count_households().await.unwrap() as u64,
            report.households
        );
        // A wrong header stops the import before anything is written.
        std::fs::write(dir.join("households.csv"), "card,gov\n1,2\n").unwrap();
        assert!(
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects3.csv"), Arc::new(|_| {}))
                .await
                .is_err()
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

/// The rows of `from` whose card (first field) is in `cards`, with the header.
fn rows_of_cards(
    from: &std::path::Path,
    to: &std::path::Path,
    cards: &std::collections::HashSet<String>,
) {
    let text = std::fs::read_to_string(from).unwrap();
    let mut lines = text.lines();
    let mut out = format!("{}\n", lines.next().unwrap());
    for l in lines.filter(|l| cards.contains(l.split(',').next().unwrap())) {
        out.push_str(l);
        out.push('\n');
    }
    std::fs::write(to, out).unwrap();
}

tamwin_store::backend_tests! {
    async fn a_rerun_after_a_partial_import_skips_what_is_there_on_the_bulk_path_on_every_backend(
        (backend, store) in backends
    ) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("tamwin-resume-{}-{backend}", std::process::id()));
        let part = dir.join("part");
        let cfg = tamwin_synth::Config {
            households: 60,
            seed: 5,
            governorate: Some("11".into()),
            ..Default::default()
        };
        tamwin_synth::generate(&cfg, reg.geo(), &dir, &|_| {}).unwrap();
        // The first 25 households, as an interrupted run leaves them.
        std::fs::create_dir_all(&part).unwrap();
        let households = std::fs::read_to_string(dir.join("households.csv")).unwrap();
        let first: std::collections::HashSet<String> = households
            .lines()
            .skip(1)
            .take(25)
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        for f in ["households.csv", "members.csv", "holds.csv"] {
            if dir.join(f).exists() {
                rows_of_cards(&dir.join(f), &part.join(f), &first);
            }
        }
        if dir.join("agents.csv").exists() {
            std::fs::copy(dir.join("agents.csv"), part.join("agents.csv")).unwrap();
        }
        let run = |d: std::path::PathBuf, rejects: &'static str| {
            let reg = reg.clone();
            async move {
                tamwin_app::import::import_dir(&reg, &d, &d.join(rejects), Arc::new(|_| {}))
                    .await
                    .unwrap()
            }
        };
        let partial = run(part.clone(), "rejects.csv").await;
        assert_eq!(
            (partial.households, partial.already_present),
            (25, 0),
            "{backend}: {partial:?}"
        );
        // The whole file: the 25 are counted present, the other 35 written in one bulk batch.
        let whole = run(dir.clone(), "rejects.csv").await;
        assert_eq!(whole.already_present, 25, "{backend}: {whole:?}");
        assert_eq!(whole.households, 35, "{backend}: {whole:?}");
        assert_eq!(whole.rejected_households, 0, "{backend}: {whole:?}");
        assert_eq!(
            whole.row_by_row_batches, 0,
            "{backend}: fell back to row by row: {whole:?}"
        );
        assert_eq!(store.count_households().await.unwrap(), 60, "{backend}");
        // A card already there with other contents is refused with its code, still on the bulk path.
        let changed = households
            .lines()
            .nth(3)
            .unwrap()
            .split(',')
            .next()
            .unwrap()
            .to_string();
        let edited: String = households
            .lines()
            .map(|l| {
                if l.split(',').next() == Some(changed.as_str()) {
                    let mut f: Vec<&str> = l.split(',').collect();
                    f[3] = "عنوان آخر";
                    format!("{}\n", f.join(","))
                } else {
                    format!("{l}\n")
                }
            })
            .collect();
        std::fs::write(dir.join("households.csv"), edited).unwrap();
        let third = run(dir.clone(), "rejects2.csv").await;
        assert_eq!(
            (
                third.households,
                third.already_present,
                third.rejected_households
            ),
            (0, 59, 1),
            "{backend}: {third:?}"
        );
        assert_eq!(third.row_by_row_batches, 0, "{backend}");
        let rejects = std::fs::read_to_string(dir.join("rejects2.csv")).unwrap();
        assert!(
            rejects.contains(&format!("{changed},card_number_taken")),
            "{backend}: {rejects}"
        );
        assert_eq!(store.count_households().await.unwrap(), 60, "{backend}");
        std::fs::remove_dir_all(&dir).ok();
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
        let head = v["members"][0]["member_id"].as_str().unwrap().to_string();
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

tamwin_store::backend_tests! {
    async fn concurrent_retries_with_one_key_get_one_answer_on_every_backend(
        (backend, store) in backends
    ) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        // The member carries a national ID: a retry must not fail on it while the first is in flight.
        let h = household(vec![member(
            "علي",
            "head",
            Some(nid(19_000_000_500)),
            "1985-01-01",
        )]);
        let key = IdemRequest {
            key: "k-nid".into(),
            request_hash: "h-nid".into(),
        };
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (reg, h, key) = (reg.clone(), h.clone(), key.clone());
                tokio::spawn(async move { reg.create_household(&h, &actor(), Some(&key)).await })
            })
            .collect();
        let mut bodies = Vec::new();
        for t in tasks {
            let o = t
                .await
                .unwrap()
                .unwrap_or_else(|e| panic!("{backend}: a retry failed: {e}"));
            bodies.push(o.body);
        }
        bodies.dedup();
        assert_eq!(bodies.len(), 1, "{backend}");
        assert_eq!(store.count_households().await.unwrap(), 1);
        // The same for a change: eight concurrent retries of one hold.
        let card = card_of(&serde_json::from_str(&bodies[0]).unwrap());
        let key = IdemRequest {
            key: "k-hold".into(),
            request_hash: "h-hold".into(),
        };
        let input = HoldInput {
            member_id: None,
            reason: "other".into(),
            evidence: "e".into(),
            source: "s".into(),
        };
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (reg, card, key, input) =
                    (reg.clone(), card.clone(), key.clone(), input.clone());
                tokio::spawn(
                    async move { reg.place_hold(&card, &input, &actor(), Some(&key)).await },
                )
            })
            .collect();
        let mut bodies = Vec::new();
        for t in tasks {
            bodies.push(
                t.await
                    .unwrap()
                    .unwrap_or_else(|e| panic!("{backend}: a retry failed: {e}"))
                    .body,
            );
        }
        bodies.dedup();
        assert_eq!(bodies.len(), 1, "{backend}");
        assert_eq!(
            reg.household(&card, &Actor::system("t"))
                .await
                .unwrap()
                .holds
                .len(),
            1
        );
    }
}

tamwin_store::backend_tests! {
    /// Hand-written files for the grouping rules of docs/formats.md.
    async fn import_grouping_rules_on_every_backend((backend, store) in backends) {
        let reg = registry(store.clone());
        reg.prepare().await.unwrap();
        let dir = std::env::temp_dir().join(format!(
            "tamwin-import-groups-{}-{backend}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let c = |serial: u32| CardNumber::new("11", serial).unwrap();
        let (a, b, d, e) = (c(1), c(2), c(3), c(4));
        let (x, y, z) = (c(5), c(6), c(7));
        // x appears twice (its members split between the two rows); y's row has a column too many.
        let hh = format!(
            "card_number,governorate,district,address,agent_code,phone\n{},11,1101,دار 1,,\n{},11,1101,دار 2,,\n{},11,1101,دار 3,,\n{},11,1101,دار 4,,07701234567\n{x},11,1101,دار 5,,\n{z},11,1101,دار 7,,\n{x},11,1101,دار 5,,\n{y},11,1101,دار 6,,,extra\n",
            a.display(),
            b.as_str(),
            d.as_str(),
            e.as_str(),
            x = x.as_str(),
            y = y.as_str(),
            z = z.as_str(),
        );
        let m = |card: &str, no: &str, rel: &str| {
            format!("{card},{no},,علي,حسين,كاظم,,زينب علي حسن,1980-01-01,male,{rel},0,0,0\n")
        };
        let mut members = String::from(
            "card_number,member_no,national_id,given_name,father_name,grandfather_name,family_name,mother_name,birth_date,sex,relation,elderly,sick,disabled\n",
        );
        // a: written with dashes in households.csv, without in members.csv: one card.
        members += &m(a.as_str(), "1", "head");
        members += &m(&a.display(), "2", "son");
        // b: member_no repeated.
        members += &m(b.as_str(), "1", "head");
        members += &m(b.as_str(), "1", "son");
        // d: fine, but one of its rows comes after e's (breaks the grouping rule).
        members += &m(d.as_str(), "1", "head");
        members += &m(e.as_str(), "1", "head");
        members += &m(d.as_str(), "2", "son");
        members += &m(x.as_str(), "1", "head");
        members += &m(z.as_str(), "1", "head");
        members += &m(x.as_str(), "2", "son");
        members += &m(y.as_str(), "1", "head");
        std::fs::write(dir.join("households.csv"), hh).unwrap();
        std::fs::write(dir.join("members.csv"), members).unwrap();
        let report =
            tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects.csv"), Arc::new(|_| {}))
                .await
                .unwrap();
        let rejects = std::fs::read_to_string(dir.join("rejects.csv")).unwrap();
        assert_eq!(
            reg.household(&a, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            2,
            "{backend}: dashed and plain card numbers group"
        );
        assert!(
            reg.household(&b, &Actor::system("t")).await.is_err(),
            "{backend}: repeated member_no"
        );
        assert!(rejects.contains("member_no_invalid"), "{rejects}");
        assert!(
            rejects.contains("rows_not_contiguous"),
            "{backend}: {rejects}"
        );
        assert!(
            reg.household(&d, &Actor::system("t")).await.is_err(),
            "{backend}: a card whose rows are split is not imported at all"
        );
        assert_eq!(
            reg.household(&e, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            1
        );
        assert!(
            reg.household(&x, &Actor::system("t")).await.is_err(),
            "{backend}: a card on two household rows is not imported"
        );
        assert!(reg.household(&y, &Actor::system("t")).await.is_err());
        assert_eq!(
            reg.household(&z, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            1
        );
        assert!(
            rejects.contains("household_not_imported"),
            "{backend}: {rejects}"
        );
        assert_eq!(report.households, 3, "{backend}: a, e, z");
        assert_eq!(report.rejected_households, 4, "{backend}: b, d, x, y");
        assert_eq!(report.members, 4);
        assert_eq!(store.count_members().await.unwrap(), 4, "{backend}");
        assert_eq!(store.count_households().await.unwrap(), 3, "{backend}");
        assert_eq!(report.rejected_rows as usize, rejects.lines().count() - 1);
        std::fs::remove_dir_all(&dir).ok();
    }
}
