//! Egypt's commodity allowance at a grocer (issue 16) on both backends: a family of three holds EGP 150
//! a month; the goods it names draw the money down by their prices, sugar stays within its caps, rice
//! and pasta are one choice a month, money is never named directly, and two devices at the same
//! instant never spend more than the card holds or take both items of a group. At the month's end a
//! bakery cycle's unused bread becomes the next month's commodity credit, once, whichever server
//! converts it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::code;
use crate::cycles::{generate, supervisor};
use crate::redemption::{ask, card_qr, device, qr, redeem, redeemed, setup};
use std::sync::Arc;
use tamwin_app::redemption::VoidRequest;

fn line(v: &serde_json::Value, item: &str) -> serde_json::Value {
    v["left"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"] == item)
        .unwrap_or_else(|| panic!("no line {item} in {v}"))
        .clone()
}

tamwin_store::backend_tests! {
    async fn goods_draw_the_money_down_by_their_prices_within_their_caps((backend, store) in backends) {
        let s = setup(store.clone(), 51, "eg-commodities").await;
        let q = card_qr(&s).await;
        let grocer = device("g1", "G1101-001");
        // What the grocer sees first: the card's money and what each item's price lets it take.
        let card = s.reg.outlet_look_up(&q, &grocer).await.unwrap();
        let money = card.lines.iter().find(|l| l.item == "money").unwrap();
        assert_eq!((money.left, money.price), (15_000, None), "{backend}");
        let sugar = card.lines.iter().find(|l| l.item == "sugar").unwrap();
        assert_eq!((sugar.now, sugar.price, sugar.per), (Some(3000), Some(1250), Some(1000)), "{backend}");
        // Three counted: 15,000 piastres; sugar at most 3 kg (1 kg a person); 2 kg of sugar and 2 kg
        // of rice cost 2,500 + 3,000.
        let v = redeem(&s, &ask("g-1", qr(&q), &[("sugar", 2000.into()), ("rice", 2000.into())]), &grocer).await.unwrap();
        let money = line(&v, "money");
        assert_eq!((money["left"].as_i64(), money["unit"].as_str()), (Some(9_500), Some("piastre")), "{backend}: {v}");
        let sugar = line(&v, "sugar");
        assert_eq!((sugar["left"].as_i64(), sugar["price"].as_i64(), sugar["per"].as_i64()), (Some(1000), Some(1250), Some(1000)), "{backend}");
        assert_eq!(line(&v, "pasta")["left"], 0, "{backend}: rice was chosen");
        // Tea: 9,500 piastres buy 380 g at 1,000 per 40 g.
        assert_eq!(line(&v, "tea")["left"], 380, "{backend}");
        let taken: Vec<(String, i64)> = v["taken"].as_array().unwrap().iter()
            .map(|t| (t["item"].as_str().unwrap().to_string(), t["quantity"].as_i64().unwrap())).collect();
        assert_eq!(taken, [("money".to_string(), 5_500), ("rice".into(), 2000), ("sugar".into(), 2000)], "{backend}");
        assert_eq!((redeemed(&s, "money").await, redeemed(&s, "sugar").await), (5_500, 2000), "{backend}");
        // Beyond sugar's cap, naming what is left of it.
        let e = redeem(&s, &ask("g-2", qr(&q), &[("sugar", 1500.into())]), &grocer).await.unwrap_err();
        assert_eq!(code(e), "quantity_over_entitlement", "{backend}");
        // Pasta after rice this month; rice and pasta together; money named directly.
        let e = redeem(&s, &ask("g-3", qr(&q), &[("pasta", 500.into())]), &grocer).await.unwrap_err();
        assert_eq!(code(e), "choose_one_taken", "{backend}");
        let e = redeem(&s, &ask("g-4", qr(&q), &[("rice", 500.into()), ("pasta", 500.into())]), &grocer).await.unwrap_err();
        assert_eq!(code(e), "choose_one_of_group", "{backend}");
        let e = redeem(&s, &ask("g-5", qr(&q), &[("money", 1000.into())]), &grocer).await.unwrap_err();
        assert_eq!(code(e), "allowance_names_goods", "{backend}");
        // More than the money left: 2.4 kg of ghee cost 12,000.
        let e = redeem(&s, &ask("g-6", qr(&q), &[("ghee", 2400.into())]), &grocer).await.unwrap_err();
        assert_eq!(code(e), "allowance_exceeded", "{backend}");
        // An item the allowance does not list, and a ration agent that hands out none of it.
        let e = redeem(&s, &ask("g-7", qr(&q), &[("flour", 1000.into())]), &grocer).await.unwrap_err();
        assert_eq!(code(e), "item_not_in_programme", "{backend}");
        let e = redeem(&s, &ask("g-8", qr(&q), &[("sugar", 100.into())]), &device("a1", "A1101-001")).await.unwrap_err();
        assert_eq!(code(e), "no_open_cycle_here", "{backend}");
        assert_eq!((redeemed(&s, "money").await, redeemed(&s, "sugar").await), (5_500, 2000), "{backend}: nothing written");
        // The receipt says the money left, not each item's.
        let sms = s.reg.outbox(20).await.unwrap();
        let receipt = sms.iter().find(|m| m.body.contains("G1101-001")).unwrap();
        assert!(receipt.body.contains("money 9500 piastre"), "{backend}: {}", receipt.body);
        assert!(!receipt.body.contains("tea"), "{backend}: {}", receipt.body);
        // A void gives the money and the choice back.
        let void = VoidRequest { transaction_id: "g-1".into(), reason: "wrong card".into() };
        s.reg.void_redemption(&void, &grocer).await.unwrap();
        assert_eq!((redeemed(&s, "money").await, redeemed(&s, "rice").await), (0, 0), "{backend}");
        let v = redeem(&s, &ask("g-9", qr(&q), &[("pasta", 1000.into())]), &grocer).await.unwrap();
        assert_eq!((line(&v, "money")["left"].as_i64(), line(&v, "rice")["left"].as_i64()), (Some(13_200), Some(0)), "{backend}");
        let (over, unequal) = store.redemption_check(&s.cycle).await.unwrap();
        assert_eq!((over, unequal), (0, 0), "{backend}: every line whole");
        // The grocer's stock drew the goods down, not the money.
        let stock = s.reg.own_stock_now(&grocer).await.unwrap();
        let items: Vec<(&str, i64)> = stock.iter().map(|l| (l.item.as_str(), l.handed_out)).collect();
        assert!(items.contains(&("pasta", 1000)) && !items.iter().any(|(i, _)| *i == "money"), "{backend}: {items:?}");
    }

    async fn two_devices_at_once_never_overspend_the_card_nor_take_both_items_of_a_group(
        (backend, store) in backends
    ) {
        let s = Arc::new(setup(store.clone(), 52, "eg-commodities").await);
        let q = card_qr(&s).await;
        // 1.6 kg of ghee costs 8,000: of six at once, one fits in 15,000.
        let mut tasks = vec![];
        for i in 0..6 {
            let (s, q) = (s.clone(), q.clone());
            tasks.push(tokio::spawn(async move {
                let dev = device(if i % 2 == 0 { "g1" } else { "g2" }, "G1101-001");
                redeem(&s, &ask(&format!("c-{i}"), qr(&q), &[("ghee", 1600.into())]), &dev).await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert!(
                    matches!(code(e).as_str(), "allowance_exceeded" | "quantity_over_entitlement" | "concurrent_change" | "database_busy"),
                    "{backend}"
                ),
            }
        }
        assert_eq!((ok, redeemed(&s, "money").await), (1, 8_000), "{backend}");
        // Rice on one device and pasta on the other at the same instant: one of them.
        let mut tasks = vec![];
        for (i, item) in ["rice", "pasta", "rice", "pasta"].into_iter().enumerate() {
            let (s, q) = (s.clone(), q.clone());
            tasks.push(tokio::spawn(async move {
                let dev = device(if i % 2 == 0 { "g1" } else { "g2" }, "G1101-001");
                redeem(&s, &ask(&format!("p-{i}"), qr(&q), &[(item, 500.into())]), &dev).await
            }));
        }
        for t in tasks {
            if let Err(e) = t.await.unwrap() {
                assert!(
                    matches!(code(e).as_str(), "choose_one_taken" | "quantity_over_entitlement" | "concurrent_change" | "database_busy"),
                    "{backend}"
                );
            }
        }
        let (rice, pasta) = (redeemed(&s, "rice").await, redeemed(&s, "pasta").await);
        assert!(rice == 0 || pasta == 0, "{backend}: rice {rice} and pasta {pasta}");
        assert!(rice + pasta > 0, "{backend}: one of them was collected");
        assert_eq!(store.redemption_check(&s.cycle).await.unwrap(), (0, 0), "{backend}");
    }

    async fn unused_bread_becomes_next_months_commodity_credit_once((backend, store) in backends) {
        let s = setup(store.clone(), 53, "eg-bread").await;
        let q = card_qr(&s).await;
        // 45 of December's 465 loaves taken; 420 unused, at 10 piastres a loaf.
        redeem(&s, &ask("b-1", qr(&q), &[("bread", 45.into())]), &device("b1", "B1101-001")).await.unwrap();
        s.reg.close_cycle(&s.cycle, &supervisor("ali")).await.unwrap();
        // January's allowance does not exist yet: the conversion waits.
        assert_eq!(s.reg.convert_closed_bread().await.unwrap(), 0, "{backend}");
        let jan = s.reg.draft_cycle("eg-commodities", "2027-01", "11", &supervisor("ali")).await.unwrap();
        s.reg.approve_cycle(&jan.cycle_id, &supervisor("omar")).await.unwrap();
        generate(&s.reg).await;
        // Two servers at once: one converts, the other finds it done.
        let (a, b) = tokio::join!(s.reg.convert_closed_bread(), s.reg.convert_closed_bread());
        assert_eq!(a.unwrap() + b.unwrap(), 1, "{backend}");
        assert_eq!(s.reg.convert_closed_bread().await.unwrap(), 0, "{backend}: once");
        let lines = store.household_lines(&s.hid).await.unwrap();
        let money = lines.iter().find(|l| l.cycle_id == jan.cycle_id && l.item == "money").unwrap();
        assert_eq!(money.quantity, 15_000 + 4_200, "{backend}: three persons' EGP 150 and the bread's EGP 42");
        let adj = store.household_adjustments(&s.hid).await.unwrap();
        assert_eq!(adj.len(), 1, "{backend}");
        assert_eq!((adj[0].amount, adj[0].cycle_id.as_str()), (4_200, jan.cycle_id.as_str()), "{backend}");
        assert!(adj[0].reason.contains("2026-12"), "{backend}: {}", adj[0].reason);
        // The grocer sees it in January.
        s.reg.open_cycle(&jan.cycle_id, &supervisor("ali")).await.unwrap();
        let card = s.reg.outlet_look_up(&q, &device("g1", "G1101-001")).await.unwrap();
        let left = card.lines.iter().find(|l| l.item == "money").unwrap().left;
        assert_eq!(left, 19_200, "{backend}");
    }
}
