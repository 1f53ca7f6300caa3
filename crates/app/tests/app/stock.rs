//! Stock at outlets (issue 16 point 2) on both backends: opening a cycle allocates each agent what its
//! households are entitled to; the warehouse dispatches, the agent receives (a short receipt needs its
//! reason) and returns; collections and voids move what was handed out; the reconciliation shows the
//! variance; with the setting on, a collection beyond the stock is refused and writes nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::code;
use crate::cycles::supervisor;
use crate::redemption::{ask, card_qr, device, qr, redeem, redeemed, setup_with};
use tamwin_app::redemption::VoidRequest;
use tamwin_app::stock::{MovementInput, StockLine};

fn items(pairs: &[(&str, i64)]) -> std::collections::BTreeMap<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(i, q)| (i.to_string(), (*q).into()))
        .collect()
}

fn line<'a>(rows: &'a [StockLine], outlet: &str, item: &str) -> &'a StockLine {
    rows.iter()
        .find(|r| r.outlet_code == outlet && r.item == item)
        .unwrap_or_else(|| panic!("no {outlet} {item} in {rows:?}"))
}

tamwin_store::backend_tests! {
    async fn an_agent_is_allocated_its_households_share_and_the_reconciliation_shows_the_variance(
        (backend, store) in backends
    ) {
        let s = setup_with(store.clone(), 41, "iq-pds", false).await;
        let ali = supervisor("ali");
        // Opening allocated the agent its family of three: 9 kg of rice; the flour agent nothing
        // (flour is only the supplement, and this family has none).
        let rec = s.reg.reconciliation(&s.cycle, &ali).await.unwrap();
        assert_eq!(line(&rec, "A1101-001", "rice").allocated, 9000, "{backend}: {rec:?}");
        assert!(rec.iter().all(|r| r.outlet_code != "F1101-001"), "{backend}: {rec:?}");
        // The warehouse sends 9 kg; the agent counts 8.5 and must say why.
        let sent = MovementInput { cycle_id: s.cycle.clone(), items: items(&[("rice", 9000)]), reason: None };
        s.reg.dispatch_stock("A1101-001", &sent, &ali).await.unwrap();
        let dev = device("d1", "A1101-001");
        let short = MovementInput { cycle_id: s.cycle.clone(), items: items(&[("rice", 8500)]), reason: None };
        assert_eq!(code(s.reg.receive_stock(&short, &dev).await.unwrap_err()), "receipt_reason_missing", "{backend}");
        let short = MovementInput { reason: Some("one sack torn".into()), ..short };
        let own = s.reg.receive_stock(&short, &dev).await.unwrap();
        assert_eq!((line(&own, "A1101-001", "rice").received, line(&own, "A1101-001", "rice").variance), (8500, 8500), "{backend}");
        // Collections draw it down; a void puts it back.
        let q = card_qr(&s).await;
        redeem(&s, &ask("s-1", qr(&q), &[("rice", 3000.into())]), &dev).await.unwrap();
        redeem(&s, &ask("s-2", qr(&q), &[("rice", 1000.into())]), &dev).await.unwrap();
        let void = VoidRequest { transaction_id: "s-2".into(), reason: "scanned twice".into() };
        s.reg.void_redemption(&void, &dev).await.unwrap();
        let returned = MovementInput { cycle_id: s.cycle.clone(), items: items(&[("rice", 500)]), reason: Some("spoiled".into()) };
        s.reg.return_stock(&returned, &dev).await.unwrap();
        let rec = s.reg.reconciliation(&s.cycle, &ali).await.unwrap();
        let rice = line(&rec, "A1101-001", "rice");
        assert_eq!(
            (rice.allocated, rice.dispatched, rice.received, rice.handed_out, rice.returned, rice.variance),
            (9000, 9000, 8500, 3000, 500, 5000),
            "{backend}"
        );
        // A return needs its reason; another agent's device sees only its own stock.
        let no_reason = MovementInput { reason: None, ..returned };
        assert_eq!(code(s.reg.return_stock(&no_reason, &dev).await.unwrap_err()), "reason_missing", "{backend}");
        let other = s.reg.own_stock(&s.cycle, &device("d2", "A1101-002")).await.unwrap();
        assert!(other.is_empty(), "{backend}: {other:?}");
        // Movements are audited.
        let mut n = 0;
        for (chain, _, _) in store.audit_heads().await.unwrap() {
            n += store.audit_page(chain, 0, 100_000).await.unwrap().iter()
                .filter(|e| e.content.action.starts_with("stock.")).count();
        }
        assert_eq!(n, 4, "{backend}: allocation, dispatch, receipt and return; the refused ones wrote nothing");
    }

    async fn with_the_setting_on_a_collection_beyond_the_outlets_stock_is_refused((backend, store) in backends) {
        let s = setup_with(store.clone(), 42, "iq-pds", true).await;
        let dev = device("d1", "A1101-001");
        let q = card_qr(&s).await;
        // Nothing received yet: nothing can be handed out.
        let e = redeem(&s, &ask("g-1", qr(&q), &[("rice", 1000.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "outlet_out_of_stock", "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 0, "{backend}: the line untouched");
        let sent = MovementInput { cycle_id: s.cycle.clone(), items: items(&[("rice", 2000)]), reason: None };
        s.reg.dispatch_stock("A1101-001", &sent, &supervisor("ali")).await.unwrap();
        s.reg.receive_stock(&sent, &dev).await.unwrap();
        redeem(&s, &ask("g-2", qr(&q), &[("rice", 2000.into())]), &dev).await.unwrap();
        let e = redeem(&s, &ask("g-3", qr(&q), &[("rice", 1.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "outlet_out_of_stock", "{backend}");
        let own = s.reg.own_stock(&s.cycle, &dev).await.unwrap();
        assert_eq!(line(&own, "A1101-001", "rice").handed_out, 2000, "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 2000, "{backend}");
    }
}
