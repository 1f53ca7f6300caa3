//! Collection by a proxy at the outlet (issue 17 point 4) on both backends: the proxy presents their own
//! card's QR and names the household; the grant's scope and validity decide what they may take; the
//! family's receipt says its proxy collected, and its history shows it; after the head revokes, the
//! next request is refused, also with collections under way at the same instant — and the store refuses
//! a collection whose grant ended under its lock.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::{code, family};
use crate::common::{civil, wired};
use crate::proxies::{code_to, input};
use crate::redemption::{ask, device, qr, redeem, redeemed, setup_on};
use tamwin_app::redemption::ProxyPresented;
use tamwin_app::*;

tamwin_store::backend_tests! {
    async fn a_proxy_collects_with_their_own_card_within_the_grant_until_it_is_revoked((backend, store) in backends) {
        let Granted { s, proxy_nid, grant: g, head, log, other, .. } = granted(store.clone()).await;
        let own_qr = s.reg.own_card_qr(false, &Actor::citizen(&other, "07809999999", "web")).await.unwrap();
        let family_qr = crate::redemption::card_qr(&s).await;
        let dev = device("d1", "A1101-001");
        let by_proxy = |txn: &str, card: &str, items: &[(&str, serde_json::Value)]| {
            let mut r = ask(txn, qr(card), items);
            r.collector_member_no = None;
            r.proxy = Some(ProxyPresented { national_id: proxy_nid.clone(), for_card: s.card.to_string(), code: None });
            r
        };
        // Rice, which the grant covers: collected for the family, the proxy named.
        let v = redeem(&s, &by_proxy("p-1", &own_qr, &[("rice", 2000.into())]), &dev).await.unwrap();
        assert_eq!((v["proxy_national_id"].as_str(), v["collector_member_no"].as_i64()), (Some(proxy_nid.as_str()), Some(0)), "{backend}: {v}");
        assert_eq!(redeemed(&s, "rice").await, 2000, "{backend}");
        // Sugar is outside the grant; the family's own QR does not carry the proxy.
        let e = redeem(&s, &by_proxy("p-2", &own_qr, &[("sugar", 100.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "proxy_scope_excludes", "{backend}");
        let e = redeem(&s, &by_proxy("p-3", &family_qr, &[("rice", 100.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "proxy_not_on_card", "{backend}");
        // The family's receipt says its proxy collected; its history shows it.
        let sms = s.reg.outbox(20).await.unwrap();
        assert!(sms.iter().any(|m| m.body.contains("(وكيلكم)") && m.body.contains("by your proxy")), "{backend}: {sms:?}");
        let mine = s.reg.own_collections(&head).await.unwrap();
        assert!(mine.collections[0].by_proxy, "{backend}");
        let day = s.reg.outlet_day("2026-12-03".parse().unwrap(), &dev).await.unwrap();
        assert_eq!(day[0].proxy_national_id.as_deref(), Some(proxy_nid.as_str()), "{backend}: the day's list names the proxy");
        // Revoked while three collections are under way at the same instant: each one lands whole
        // or not at all, and the next request at any outlet is refused.
        let (c1, c2, c3) = (
            by_proxy("c-1", &own_qr, &[("rice", 100.into())]),
            by_proxy("c-2", &own_qr, &[("rice", 100.into())]),
            by_proxy("c-3", &own_qr, &[("rice", 100.into())]),
        );
        let (revoked, r1, r2, r3) = tokio::join!(
            s.reg.revoke_grant(&g.grant_id, "", &head),
            redeem(&s, &c1, &dev),
            redeem(&s, &c2, &dev),
            redeem(&s, &c3, &dev)
        );
        revoked.unwrap();
        let mut ok = 0;
        for r in [r1, r2, r3] {
            match r {
                Ok(_) => ok += 1,
                Err(e) => assert!(
                    matches!(code(e).as_str(), "proxy_no_grant" | "proxy_grant_ended" | "concurrent_change" | "database_busy"),
                    "{backend}"
                ),
            }
        }
        assert_eq!(redeemed(&s, "rice").await, 2000 + 100 * ok, "{backend}: {ok} landed");
        assert_eq!(s.store.redemption_check(&s.cycle).await.unwrap(), (0, 0), "{backend}");
        let e = redeem(&s, &by_proxy("p-4", &own_qr, &[("rice", 100.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "proxy_no_grant", "{backend}");
        // A collection whose grant ended after it was read: the store refuses it under the grant's lock.
        let stale = tamwin_store::NewRedemption {
            household_id: s.hid.clone(), redemption_id: "late".into(), cycle_id: s.cycle.clone(), outlet_code: "A1101-001".into(),
            device_id: "device:d1".into(), device_txn: "p-5".into(), collector_member_id: "m".into(), identified_by: "qr",
            at: s.clock.now(),
            takes: vec![tamwin_store::Take { item: "rice".into(), quantity: 100, base: 9000, held: 0, ceiling: i64::MAX, stock: true }],
            suspended_persons: 0, stock_guard: false,
            proxy: Some(tamwin_store::ProxyCollection { grant_id: g.grant_id.clone(), national_id: proxy_nid.clone(), name: "x".into(), today: s.clock.today() }),
        };
        let finish = |_: &[tamwin_store::LineAfter]| -> (tamwin_store::IdemEntry, Option<tamwin_store::OutboxMessage>) {
            (tamwin_store::IdemEntry { key: "late".into(), request_hash: "h".into(), status: 201, body: "{}".into(), created_at: s.clock.now() }, None)
        };
        let out = s.store.redeem(&stale, &log, &finish).await.unwrap();
        assert_eq!(out, tamwin_store::Redeemed::ProxyEnded, "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 2000 + 100 * ok, "{backend}: nothing more");
    }
    async fn a_proxy_without_a_card_collects_with_the_registrys_code_at_that_outlet_only((backend, store) in backends) {
        let Granted { s, proxy_nid, .. } = granted(store.clone()).await;
        let (dev, other_outlet) = (device("d1", "A1101-001"), device("d2", "A1101-002"));
        let with_code = |txn: &str, code: &str| {
            let mut r = ask(txn, qr("unused"), &[("rice", 1000.into())]);
            r.card = None;
            r.collector_member_no = None;
            r.proxy = Some(ProxyPresented { national_id: proxy_nid.clone(), for_card: s.card.to_string(), code: Some(code.into()) });
            r
        };
        // No code asked for yet, or a grant naming someone else: refused, nothing sent.
        let e = redeem(&s, &with_code("k-0", "123456"), &dev).await.unwrap_err();
        assert_eq!(code(e), "code_refused", "{backend}");
        let e = s.reg.send_proxy_code(s.members[1]["national_id"].as_str().unwrap(), s.card.as_str(), &dev).await.unwrap_err();
        assert_eq!(code(e), "proxy_no_grant", "{backend}");
        // The device sees the grant and its scope; the read is audited.
        let seen = s.reg.outlet_proxy_grant(&proxy_nid, s.card.as_str(), &dev).await.unwrap();
        assert_eq!((seen.items.clone(), seen.valid_to.as_str()), (vec!["rice".to_string()], "2027-03-01"), "{backend}");
        let reads = s.store.household_audit(&s.hid, &["grants.read"], 5).await.unwrap();
        assert_eq!(reads.len(), 1, "{backend}");
        // Asked for at A1101-001: the registry texts the proxy's own phone, masked here.
        let sent = s.reg.send_proxy_code(&proxy_nid, s.card.as_str(), &dev).await.unwrap();
        assert!(sent.phone_masked.ends_with("003"), "{backend}: {}", sent.phone_masked);
        let sms = tamwin_store::testkit::civil_of(&s.store).civil_sms_recent(5).await.unwrap();
        assert!(sms[0].1.contains("بالوكالة") && sms[0].1.contains("أعطه للوكيل"), "{backend}: {sms:?}");
        let c = code_to(&s.store, "+9647803330003").await;
        assert_eq!(s.store.household_audit(&s.hid, &["proxy_code.sent"], 5).await.unwrap().len(), 1, "{backend}");
        // Another outlet that does not serve the family refuses the card before any code is looked at
        // (under a portable programme it would find no code asked for there: codes are kept per
        // outlet), and asks for none; wrong digits are refused.
        let e = redeem(&s, &with_code("k-1", &c), &other_outlet).await.unwrap_err();
        assert_eq!(code(e), "card_not_served_here", "{backend}");
        let e = s.reg.send_proxy_code(&proxy_nid, s.card.as_str(), &other_outlet).await.unwrap_err();
        assert_eq!(code(e), "card_not_served_here", "{backend}");
        let e = s.reg.outlet_proxy_grant(&proxy_nid, s.card.as_str(), &other_outlet).await.unwrap_err();
        assert_eq!(code(e), "card_not_served_here", "{backend}: nothing of the grant");
        // A quantity over the entitlement is refused without spending the code.
        let mut over = with_code("k-1b", &c);
        over.items = [("rice".to_string(), serde_json::Value::from(90_000))].into_iter().collect();
        let e = redeem(&s, &over, &dev).await.unwrap_err();
        assert_eq!(code(e), "quantity_over_entitlement", "{backend}");
        let wrong = if c == "000000" { "111111" } else { "000000" };
        let e = redeem(&s, &with_code("k-2", wrong), &dev).await.unwrap_err();
        assert_eq!(code(e), "code_refused", "{backend}");
        let v = redeem(&s, &with_code("k-3", &c), &dev).await.unwrap();
        assert_eq!(v["proxy_national_id"].as_str(), Some(proxy_nid.as_str()), "{backend}: {v}");
        assert_eq!(redeemed(&s, "rice").await, 1000, "{backend}");
        // Used once: the same code again is refused.
        let e = redeem(&s, &with_code("k-4", &c), &dev).await.unwrap_err();
        assert_eq!(code(e), "code_refused", "{backend}");
        // A fresh code, expired by the time it is used.
        s.reg.send_proxy_code(&proxy_nid, s.card.as_str(), &dev).await.unwrap();
        let c = code_to(&s.store, "+9647803330003").await;
        crate::common::advance(&s.clock, 6);
        let e = redeem(&s, &with_code("k-5", &c), &dev).await.unwrap_err();
        assert_eq!(code(e), "code_refused", "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 1000, "{backend}: nothing more");
        // Neither card nor code.
        let mut r = with_code("k-6", &c);
        r.proxy.as_mut().unwrap().code = None;
        let e = redeem(&s, &r, &dev).await.unwrap_err();
        assert_eq!(code(e), "card_presented_invalid", "{backend}");
    }

    async fn an_outlets_operator_is_never_a_proxy_at_their_own_outlet((backend, store) in backends) {
        let Granted { s, proxy_nid, other, head, .. } = granted(store.clone()).await;
        // A1101-002's licensee is the proxy: a collection there is refused, at A1101-001 not.
        let file = format!(
            "{},licensee_national_id\n{}\n",
            tamwin_domain::csv_columns::OUTLETS.join(","),
            "A1101-002,ration_agent,1101,وكيل الحر,حي الحر,,,,sat sun mon,09:00,13:00,".to_string() + &proxy_nid
        );
        let imported = s.reg.import_outlets(file.as_bytes(), &crate::redemption::system()).await.unwrap();
        assert_eq!((imported.outlets, imported.rejects.len()), (1, 0), "{backend}: {:?}", imported.rejects);
        let own_qr = s.reg.own_card_qr(false, &Actor::citizen(&other, "07809999999", "web")).await.unwrap();
        let by_proxy = |txn: &str| {
            let mut r = ask(txn, qr(&own_qr), &[("rice", 100.into())]);
            r.collector_member_no = None;
            r.proxy = Some(ProxyPresented { national_id: proxy_nid.clone(), for_card: s.card.to_string(), code: None });
            r
        };
        let e = redeem(&s, &by_proxy("o-1"), &device("d2", "A1101-002")).await.unwrap_err();
        assert_eq!(code(e), "proxy_runs_outlet", "{backend}");
        // A licensee that is no national ID is refused with its line, and changes nothing.
        let bad = format!(
            "{},licensee_national_id\nA1101-002,ration_agent,1101,وكيل الحر,حي الحر,,,,sat sun mon,09:00,13:00,12AB\n",
            tamwin_domain::csv_columns::OUTLETS.join(",")
        );
        let r = s.reg.import_outlets(bad.as_bytes(), &crate::redemption::system()).await.unwrap();
        assert_eq!((r.outlets, r.rejects.len(), r.rejects[0].line), (0, 1, 2), "{backend}");
        assert!(r.rejects[0].code.starts_with("national_id"), "{backend}: {}", r.rejects[0].code);
        // A later file without the licensee column leaves the licensee on file.
        s.reg.import_outlets(crate::redemption::OUTLETS.as_bytes(), &crate::redemption::system()).await.unwrap();
        let kept = s.store.outlet("A1101-002").await.unwrap().unwrap();
        assert_eq!(kept.licensee_national_id.as_deref(), Some(proxy_nid.as_str()), "{backend}");
        let e = s.reg.send_proxy_code(&proxy_nid, s.card.as_str(), &device("d2", "A1101-002")).await.unwrap_err();
        assert_eq!(code(e), "proxy_runs_outlet", "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 0, "{backend}");
        // The family's own agent run by the person named: a grant to them is refused at once.
        let file = format!(
            "{},licensee_national_id\n{}\n",
            tamwin_domain::csv_columns::OUTLETS.join(","),
            "A1101-001,ration_agent,1101,وكيل الحسين,شارع العباس,,,,sat sun mon tue wed thu,08:00,16:00,".to_string() + &proxy_nid
        );
        s.reg.import_outlets(file.as_bytes(), &crate::redemption::system()).await.unwrap();
        let e = s.reg.grant_proxy(&input(&proxy_nid, "1980-03-01", "2026-12-03", "2027-03-01"), &head).await.unwrap_err();
        assert_eq!(code(e), "proxy_runs_outlet", "{backend}");
    }
    async fn a_proxy_gives_a_grant_up_naming_the_familys_card((backend, store) in backends) {
        let Granted { s, proxy_nid, grant, other, .. } = granted(store.clone()).await;
        s.reg.proxy_code(&proxy_nid).await.unwrap();
        let c = code_to(&s.store, "+9647803330003").await;
        // A card no grant of theirs is for reads as a wrong code, and spends nothing.
        let own = s.store.household_by_id(&other).await.unwrap().unwrap().household.card_number;
        let e = s.reg.give_up_for_card(&proxy_nid, own.as_str(), &c).await.unwrap_err();
        assert_eq!(code(e), "grant_code_wrong", "{backend}");
        let v = s.reg.give_up_for_card(&proxy_nid, s.card.as_str(), &c).await.unwrap();
        assert_eq!((v.grant_id.as_str(), v.status.as_str()), (grant.grant_id.as_str(), "given_up"), "{backend}");
        assert_eq!(s.store.proxy_load(&proxy_nid).await.unwrap(), 0, "{backend}: the place given back");
    }
}

pub(crate) struct Granted {
    pub(crate) s: crate::redemption::Setup,
    pub(crate) proxy_nid: String,
    pub(crate) grant: tamwin_app::proxies::GrantView,
    pub(crate) head: Actor,
    pub(crate) log: tamwin_store::ChangeLog,
    /// The proxy's own household.
    pub(crate) other: tamwin_domain::HouseholdId,
}

/// A family whose head granted the head of another household (card 73…, phones +964780333…) rice
/// from today to 2027-03-01, both confirmed and the fee settled.
pub(crate) async fn granted(store: std::sync::Arc<dyn tamwin_store::Store>) -> Granted {
    granted_after(store, false).await
}

/// `granted`, the family's phone changed just before the grant when `phone_changed`.
pub(crate) async fn granted_after(
    store: std::sync::Arc<dyn tamwin_store::Store>,
    phone_changed: bool,
) -> Granted {
    let backend = "setup";
    let (reg, clock, _hub) = wired(store.clone()).await;
    let s = setup_on(reg, clock, store.clone(), 41, "iq-pds", false, None).await;
    // The proxy: the head of another household, with a card of their own.
    let (_, other, proxy_members) = family(&s.reg, 73_000_000_000, "11", "1101").await;
    let proxy_nid = proxy_members[0]["national_id"]
        .as_str()
        .unwrap()
        .to_string();
    let mut people = vec![];
    for (i, m) in s.members.iter().chain(proxy_members.iter()).enumerate() {
        let mut p = civil(m, None);
        p.phone = Some(format!("+964780333{i:04}"));
        people.push(p);
    }
    tamwin_store::testkit::civil_of(&store)
        .civil_load(&people)
        .await
        .unwrap();
    if phone_changed {
        let change = tamwin_app::PhoneChange {
            phone: "07805550000".into(),
            reason: "new number".into(),
        };
        s.reg
            .set_phone(&s.card, &change, &crate::redemption::system(), None)
            .await
            .unwrap();
    }
    let head = Actor::citizen(&s.hid, "07801234567", "web");
    let g = s
        .reg
        .grant_proxy(
            &input(&proxy_nid, "1980-03-01", "2026-12-03", "2027-03-01"),
            &head,
        )
        .await
        .unwrap()
        .grant;
    s.reg
        .confirm_grant(
            &g.grant_id,
            &code_to(&s.store, "+9647803330000").await,
            &head,
        )
        .await
        .unwrap();
    s.reg
        .answer_grant(&proxy_nid, &code_to(&s.store, "+9647803330003").await, true)
        .await
        .unwrap();
    let log = tamwin_store::ChangeLog {
        change_id: "pay".into(),
        at: s.clock.now(),
        actor: "t".into(),
        role: "system".into(),
        area: "nation".into(),
        kind: "grant.activated",
        member_id: None,
        reason: None,
        details: serde_json::json!({}),
        channel: "api",
    };
    assert!(
        s.store
            .activate_grant(&s.hid, &g.grant_id, "pay", s.clock.now(), &log)
            .await
            .unwrap(),
        "{backend}"
    );
    Granted {
        s,
        proxy_nid,
        grant: g,
        head,
        log,
        other,
    }
}
