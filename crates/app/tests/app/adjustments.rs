//! In-cycle adjustments (issue 15 point 4) on both backends: a supervisor adds to or takes from one
//! item of a household's entitlement in an open cycle, with a reason; the basket shows it; bad input
//! and a line taken below zero are refused whole; two supervisors adjusting the same line at once
//! lose nothing and never take it below zero.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::{code, family};
use crate::cycles::{drafted_and_approved, generate, registry, supervisor, with_programmes};
use tamwin_app::cycles::{AdjustmentInput, BasketView};
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};

fn adjustment(item: &str, amount: i64, reason: &str) -> AdjustmentInput {
    AdjustmentInput {
        item: item.into(),
        amount,
        reason: reason.into(),
    }
}

fn rice(b: &BasketView) -> (i64, i64) {
    let l = b.lines.iter().find(|l| l.item == "rice").unwrap();
    (l.amount, l.adjusted)
}

tamwin_store::backend_tests! {
    async fn an_adjustment_is_a_reasoned_audited_line_and_never_takes_an_item_below_zero((backend, store) in backends) {
        let reg = registry(store.clone(), 21);
        with_programmes(&reg).await;
        let (card, hid, _) = family(&reg, 71_000_002_000, "11", "1101").await;
        let id = drafted_and_approved(&reg, "iq-pds").await;
        generate(&reg).await;
        reg.open_cycle(&id, &supervisor("ali")).await.unwrap();
        let omar = supervisor("omar");
        // Three counted: 9 kg of rice.
        let b = reg.adjust_entitlement(&card, &id, &adjustment("rice", -1_500, "short-weighted last month"), &omar).await.unwrap();
        assert_eq!(rice(&b), (7_500, -1_500), "{backend}");
        let b = reg.adjust_entitlement(&card, &id, &adjustment("rice", 500, "recount at the agent"), &omar).await.unwrap();
        assert_eq!(rice(&b), (8_000, -1_000), "{backend}");
        assert_eq!(b.adjustments.len(), 2, "{backend}");
        assert_eq!((b.adjustments[0].amount, b.adjustments[0].reason.as_str()), (-1_500, "short-weighted last month"), "{backend}");
        let sugar = b.lines.iter().find(|l| l.item == "sugar").unwrap();
        assert_eq!((sugar.amount, sugar.adjusted), (3_000, 0), "{backend}: other items untouched");
        // Refused whole: below zero, a zero amount, no reason, an item not in the basket.
        let e = reg.adjust_entitlement(&card, &id, &adjustment("rice", -8_001, "x"), &omar).await.unwrap_err();
        assert_eq!(code(e), "entitlement_below_zero", "{backend}");
        let e = reg.adjust_entitlement(&card, &id, &adjustment("rice", 0, "x"), &omar).await.unwrap_err();
        assert_eq!(code(e), "adjustment_zero", "{backend}");
        let e = reg.adjust_entitlement(&card, &id, &adjustment("rice", 10, "   "), &omar).await.unwrap_err();
        assert_eq!(code(e), "adjustment_reason", "{backend}");
        let e = reg.adjust_entitlement(&card, &id, &adjustment("caviar", 10, "x"), &omar).await.unwrap_err();
        assert_eq!(code(e), "adjustment_item", "{backend}");
        // Not a cycle manager's: a centre officer.
        let officer = Actor::staff("o1", "officer", Role::CentreOfficer, Area::Governorate("11".into()), "api");
        let e = reg.adjust_entitlement(&card, &id, &adjustment("rice", 10, "x"), &officer).await.unwrap_err();
        assert_eq!(code(e), "forbidden", "{backend}");
        let b = reg.baskets(&card, &omar).await.unwrap();
        assert_eq!((rice(&b[0]), b[0].adjustments.len()), ((8_000, -1_000), 2), "{backend}: nothing of the refusals");
        // Each adjustment is in the audit log with its reason.
        let entries = store.household_audit(&hid, &["entitlement_adjusted"], 10).await.unwrap();
        assert_eq!(entries.len(), 2, "{backend}");
        assert!(entries.iter().all(|e| e.actor == "omar" && e.details.contains("rice")), "{backend}: {entries:?}");
        // A closed cycle is not adjusted.
        reg.close_cycle(&id, &supervisor("ali")).await.unwrap();
        let e = reg.adjust_entitlement(&card, &id, &adjustment("rice", 10, "x"), &omar).await.unwrap_err();
        assert_eq!(code(e), "cycle_not_adjustable", "{backend}");
    }

    async fn two_supervisors_adjusting_one_line_at_once_lose_nothing_and_never_go_below_zero(
        (backend, one, two) in backend_pairs
    ) {
        let (a, b) = (registry(one.clone(), 22), registry(two.clone(), 23));
        with_programmes(&a).await;
        let (card, _, _) = family(&a, 71_000_002_100, "11", "1101").await;
        let id = drafted_and_approved(&a, "iq-pds").await;
        generate(&a).await;
        let (omar, sara) = (supervisor("omar"), supervisor("sara"));
        let (up1, up2) = (adjustment("rice", 1_000, "one"), adjustment("rice", 1_000, "two"));
        let (x, y) = tokio::join!(
            a.adjust_entitlement(&card, &id, &up1, &omar),
            b.adjust_entitlement(&card, &id, &up2, &sara)
        );
        x.unwrap();
        y.unwrap();
        let now = a.baskets(&card, &omar).await.unwrap();
        assert_eq!(rice(&now[0]), (11_000, 2_000), "{backend}: both kept");
        let (down1, down2) = (adjustment("rice", -6_000, "one"), adjustment("rice", -6_000, "two"));
        let (x, y) = tokio::join!(
            a.adjust_entitlement(&card, &id, &down1, &omar),
            b.adjust_entitlement(&card, &id, &down2, &sara)
        );
        let refused: Vec<_> = [x, y].into_iter().filter_map(|r| r.err()).map(code).collect();
        assert_eq!(refused, vec!["entitlement_below_zero".to_string()], "{backend}");
        let now = a.baskets(&card, &omar).await.unwrap();
        assert_eq!(rice(&now[0]), (5_000, -4_000), "{backend}");
        assert_eq!(now[0].adjustments.len(), 3, "{backend}");
    }
}
