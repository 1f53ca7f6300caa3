//! Idempotency and concurrency: concurrent registrations, retries with one key, concurrent changes.

use super::*;

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
