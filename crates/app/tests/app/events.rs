//! Vital events on both backends: a second delivery changes nothing, a death that arrives before the
//! person is registered is applied after registration, travel is decided by the latest exit or entry
//! whatever the order of arrival, and an exit takes effect once it is old enough.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use tamwin_app::*;
use tamwin_domain::{CardNumber, Geography, HoldReason};

fn advance_days(clock: &FixedClock, days: i64) {
    let mut t = clock.0.lock().unwrap();
    *t = t
        .checked_add(jiff::SignedDuration::from_hours(24 * days))
        .unwrap();
}

async fn register(reg: &Registry, ids: &[u64]) -> CardNumber {
    let members: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            serde_json::json!({"national_id": tamwin_domain::NationalId::from_payload(*id).unwrap().to_string(),
                "given_name": (["علي", "حسن", "محمد"][i % 3]), "father_name": "حسين", "grandfather_name": "كاظم", "mother_name": "زينب علي حسن",
                "birth_date": "1980-01-01", "sex": "male", "relation": if i == 0 { "head" } else { "brother" }})
        })
        .collect();
    let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101", "address": "دار 2", "members": members})).unwrap();
    let o = reg
        .create_household(&h, &Actor::system("t"), None)
        .await
        .unwrap();
    CardNumber::parse(
        serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
            .as_str()
            .unwrap(),
    )
    .unwrap()
}

async fn active(reg: &Registry, card: &CardNumber, reason: HoldReason) -> usize {
    let v = reg.household(card, &Actor::system("t")).await.unwrap();
    v.holds
        .iter()
        .filter(|h| h.active && h.hold.reason == reason)
        .count()
}

tamwin_store::backend_tests! {
    async fn vital_events_on_every_backend((backend, store) in backends) {
        let clock = Arc::new(FixedClock(Mutex::new(
            "2026-11-21T09:00:00Z".parse().unwrap(),
        )));
        let reg = Registry::new(
            store,
            Arc::new(Geography::builtin().unwrap()),
            clock.clone(),
            Arc::new(RandomIds),
        );
        reg.prepare().await.unwrap();
        let nid = |n: u64| {
            tamwin_domain::NationalId::from_payload(n)
                .unwrap()
                .to_string()
        };
        let none = serde_json::json!({});

        // A death delivered twice: stored once, one hold, with the event as its evidence.
        let card = register(&reg, &[71_000_000_001, 71_000_000_002]).await;
        assert!(
            reg.receive_vital_event(
                "ev-1",
                "death",
                &nid(71_000_000_002),
                "2026-11-01",
                none.clone()
            )
            .await
            .unwrap()
        );
        assert!(
            !reg.receive_vital_event(
                "ev-1",
                "death",
                &nid(71_000_000_002),
                "2026-11-01",
                none.clone()
            )
            .await
            .unwrap(),
            "{backend}"
        );
        assert_eq!(
            active(&reg, &card, HoldReason::Deceased).await,
            1,
            "{backend}"
        );
        let v = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert!(
            v.holds
                .iter()
                .any(|h| h.hold.evidence.contains("ev-1") && h.hold.source == "civil_registry")
        );

        // A death before the registration: it waits, then is applied.
        assert!(
            reg.receive_vital_event(
                "ev-2",
                "death",
                &nid(71_000_000_012),
                "2026-10-01",
                none.clone()
            )
            .await
            .unwrap()
        );
        let card2 = register(&reg, &[71_000_000_011, 71_000_000_012]).await;
        assert_eq!(active(&reg, &card2, HoldReason::Deceased).await, 0);
        assert_eq!(reg.apply_pending_events(100).await.unwrap(), 1, "{backend}");
        assert_eq!(active(&reg, &card2, HoldReason::Deceased).await, 1);
        assert_eq!(
            reg.apply_pending_events(100).await.unwrap(),
            0,
            "applied events are not applied again"
        );

        // Travel: the entry (newer) arrives before the exit (older): not abroad.
        let card3 = register(&reg, &[71_000_000_021]).await;
        let traveller = nid(71_000_000_021);
        reg.receive_vital_event("ev-3b", "entry", &traveller, "2026-09-01", none.clone())
            .await
            .unwrap();
        reg.receive_vital_event("ev-3a", "exit", &traveller, "2025-12-01", none.clone())
            .await
            .unwrap();
        assert_eq!(
            active(&reg, &card3, HoldReason::Abroad).await,
            0,
            "{backend}: the latest is the entry"
        );

        // A recent exit waits; once six months old it holds; the return lifts it.
        reg.receive_vital_event("ev-4", "exit", &traveller, "2026-10-15", none.clone())
            .await
            .unwrap();
        assert_eq!(active(&reg, &card3, HoldReason::Abroad).await, 0);
        advance_days(&clock, 160);
        assert_eq!(reg.apply_pending_events(100).await.unwrap(), 1, "{backend}");
        assert_eq!(active(&reg, &card3, HoldReason::Abroad).await, 1);
        reg.receive_vital_event("ev-5", "entry", &traveller, "2027-04-20", none.clone())
            .await
            .unwrap();
        assert_eq!(
            active(&reg, &card3, HoldReason::Abroad).await,
            0,
            "{backend}: the return lifts it"
        );

        // Bad events are refused and not stored.
        assert!(
            reg.receive_vital_event("ev-6", "wedding", &traveller, "2026-01-01", none.clone())
                .await
                .is_err()
        );
        assert!(
            reg.receive_vital_event("ev-7", "death", "123", "2026-01-01", none.clone())
                .await
                .is_err()
        );
        assert!(
            reg.receive_vital_event("ev-8", "death", &traveller, "yesterday", none.clone())
                .await
                .is_err()
        );
    }
}
