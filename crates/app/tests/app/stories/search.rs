//! Search: name variants, word boundaries and keyset pages.

use super::*;

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
