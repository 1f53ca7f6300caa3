//! Redemption at outlets (issue 16 point 3) on both backends: a family collects part of its basket at
//! its agent by the card's QR and the rest later; a retry of the same transaction collects nothing
//! twice; more than is left is refused; two devices collecting for one household at the same instant
//! never take more than the entitlement; bad input of every kind is refused with its code and writes
//! nothing; a void within its time puts the quantities back.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::{code, family, forms};
use crate::cycles::{generate, supervisor, with_programmes};
use std::sync::{Arc, Mutex};
use tamwin_app::redemption::{CardPresented, RedeemRequest, VoidRequest};
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::{CardNumber, HouseholdId};
use tamwin_store::Store;

pub(crate) const OUTLETS: &str = "outlet_code,kind,district,name_ar,address,latitude,longitude,licence,opening_days,opens,closes
A1101-001,ration_agent,1101,وكيل الحسين,شارع العباس,32.616,44.024,,sat sun mon tue wed thu,08:00,16:00
A1101-002,ration_agent,1101,وكيل الحر,حي الحر,,,,sat sun mon,09:00,13:00
F1101-001,flour_agent,1101,وكيل طحين الحسين,شارع العباس,,,,sat sun mon tue wed thu,08:00,16:00
B1101-001,bakery,1101,مخبز الحسين,شارع العباس,,,,sat sun mon tue wed thu fri,06:00,14:00
G1101-001,commodity_outlet,1101,بقالة الحسين,شارع العباس,,,,sat sun mon tue wed thu,08:00,20:00
A0101-001,ration_agent,0101,وكيل الكرخ,الكرخ,,,,sat sun mon tue wed thu,08:00,16:00
";

pub(crate) struct Setup {
    pub(crate) reg: Arc<Registry>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<FixedClock>,
    pub(crate) cycle: String,
    pub(crate) card: CardNumber,
    pub(crate) hid: HouseholdId,
    /// The family's members as `family` wrote them.
    pub(crate) members: Vec<serde_json::Value>,
}

pub(crate) fn system() -> Actor {
    Actor::system("t")
}

/// An outlet's device, as `device_actor` makes it from a signed request.
pub(crate) fn device(id: &str, outlet: &str) -> Actor {
    Actor {
        name: format!("device:{id}"),
        kind: ActorKind::Device {
            device_id: id.into(),
        },
        role: Some(Role::OutletOperator),
        area: Area::Governorate("11".into()),
        channel: "api",
        outlet: Some(outlet.into()),
    }
}

pub(crate) fn qr(q: &str) -> CardPresented {
    CardPresented {
        qr: Some(q.into()),
        card_number: None,
        code: None,
        fingerprint: None,
    }
}

pub(crate) fn ask(
    txn: &str,
    card: CardPresented,
    items: &[(&str, serde_json::Value)],
) -> RedeemRequest {
    RedeemRequest {
        transaction_id: txn.into(),
        card: Some(card),
        collector_member_no: Some(1),
        cycle_id: None,
        items: items
            .iter()
            .map(|(i, q)| (i.to_string(), q.clone()))
            .collect(),
        proxy: None,
    }
}

pub(crate) fn hash(r: &RedeemRequest) -> String {
    format!(
        "{}|{:?}|{:?}",
        r.transaction_id, r.items, r.collector_member_no
    )
}

pub(crate) async fn redeem(s: &Setup, r: &RedeemRequest, who: &Actor) -> Result<serde_json::Value> {
    s.reg
        .redeem(r, &hash(r), who)
        .await
        .map(|o| serde_json::from_str(&o.body).unwrap())
}

pub(crate) fn left(v: &serde_json::Value, item: &str) -> i64 {
    v["left"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["item"] == item)
        .unwrap()["left"]
        .as_i64()
        .unwrap()
}

/// A family of three in Karbala assigned to agent A1101-001, and December's basket open.
pub(crate) async fn setup(store: Arc<dyn Store>, seed: u64, programme: &str) -> Setup {
    setup_with(store, seed, programme, false).await
}

/// `setup`, refusing collections beyond the outlet's stock when `refuse_beyond_stock`.
pub(crate) async fn setup_with(
    store: Arc<dyn Store>,
    seed: u64,
    programme: &str,
    refuse_beyond_stock: bool,
) -> Setup {
    setup_full(store, seed, programme, refuse_beyond_stock, None).await
}

/// `setup_with`, with another programme file imported before the cycle is drafted.
async fn setup_full(
    store: Arc<dyn Store>,
    seed: u64,
    programme: &str,
    refuse_beyond_stock: bool,
    also: Option<&str>,
) -> Setup {
    let clock = Arc::new(FixedClock(Mutex::new(
        "2026-12-03T09:00:00Z".parse().unwrap(),
    )));
    let reg = Registry::new(
        store.clone(),
        Arc::new(tamwin_domain::Geography::builtin().unwrap()),
        clock.clone(),
        Arc::new(SeqIds::new(seed)),
    );
    setup_on(
        reg,
        clock,
        store,
        seed,
        programme,
        refuse_beyond_stock,
        also,
    )
    .await
}

/// The family, its agents and the cycle, on a registry made by the caller (one wired to the hub).
pub(crate) async fn setup_on(
    mut reg: Registry,
    clock: Arc<FixedClock>,
    store: Arc<dyn Store>,
    seed: u64,
    programme: &str,
    refuse_beyond_stock: bool,
    also: Option<&str>,
) -> Setup {
    *clock.0.lock().unwrap() = "2026-12-03T09:00:00Z".parse().unwrap();
    forms(&mut reg);
    reg.set_outlet_rules(tamwin_app::redemption::VOID_MINUTES, refuse_beyond_stock);
    let reg = Arc::new(reg);
    with_programmes(&reg).await;
    if let Some(text) = also {
        reg.import_programme(text, &system()).await.unwrap();
    }
    let imported = reg
        .import_outlets(OUTLETS.as_bytes(), &system())
        .await
        .unwrap();
    assert_eq!(
        (imported.outlets, imported.rejects.len()),
        (6, 0),
        "{:?}",
        imported.rejects
    );
    let (card, hid, members) = family(&reg, 71_000_000_000 + seed * 100, "11", "1101").await;
    reg.assign_agent(&card, "A1101-001", &system())
        .await
        .unwrap();
    reg.assign_agent(&card, "F1101-001", &system())
        .await
        .unwrap();
    let c = reg
        .draft_cycle(programme, "2026-12", "11", &supervisor("ali"))
        .await
        .unwrap();
    reg.approve_cycle(&c.cycle_id, &supervisor("omar"))
        .await
        .unwrap();
    generate(&reg).await;
    reg.open_cycle(&c.cycle_id, &supervisor("ali"))
        .await
        .unwrap();
    Setup {
        reg,
        store,
        clock,
        cycle: c.cycle_id,
        card,
        hid,
        members,
    }
}

pub(crate) async fn card_qr(s: &Setup) -> String {
    let citizen = Actor::citizen(&s.hid, "07801234567", "web");
    s.reg.own_card_qr(false, &citizen).await.unwrap()
}

pub(crate) async fn redeemed(s: &Setup, item: &str) -> i64 {
    s.store
        .household_lines(&s.hid)
        .await
        .unwrap()
        .iter()
        .find(|l| l.cycle_id == s.cycle && l.item == item)
        .map_or(0, |l| l.redeemed)
}

tamwin_store::backend_tests! {
    async fn a_family_collects_part_then_the_rest_never_beyond_and_a_retry_collects_nothing_twice(
        (backend, store) in backends
    ) {
        let s = setup(store.clone(), 31, "iq-pds").await;
        let q = card_qr(&s).await;
        assert_eq!(card_qr(&s).await, q, "{backend}: the same card until it is reported lost");
        let dev = device("d1", "A1101-001");
        let first = ask("t-1", qr(&q), &[("rice", 3000.into()), ("sugar", 1000.into())]);
        let v = redeem(&s, &first, &dev).await.unwrap();
        // Three counted: 9 kg of rice, 3 kg of sugar.
        assert_eq!((left(&v, "rice"), left(&v, "sugar")), (6000, 2000), "{backend}: {v}");
        assert_eq!(v["collector_member_no"], 1, "{backend}");
        assert_eq!(v["identified_by"], "qr", "{backend}");
        // A retry answers the same, byte for byte, and collects nothing.
        let again = s.reg.redeem(&first, &hash(&first), &dev).await.unwrap();
        assert!(again.replayed, "{backend}");
        assert_eq!(serde_json::from_str::<serde_json::Value>(&again.body).unwrap(), v, "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 3000, "{backend}");
        // The same transaction id for another collection is refused.
        let other = ask("t-1", qr(&q), &[("rice", 1000.into())]);
        assert_eq!(code(redeem(&s, &other, &dev).await.unwrap_err()), "idempotency_key_reused", "{backend}");
        // More than is left: refused, naming what is left; nothing written.
        let over = ask("t-2", qr(&q), &[("rice", 7000.into())]);
        let e = redeem(&s, &over, &dev).await.unwrap_err();
        assert_eq!(code(e), "quantity_over_entitlement", "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 3000, "{backend}");
        // The rest, by the spouse, a few minutes later.
        *s.clock.0.lock().unwrap() = "2026-12-03T09:05:00Z".parse().unwrap();
        let mut rest = ask("t-3", qr(&q), &[("rice", 6000.into())]);
        rest.collector_member_no = Some(2);
        let v = redeem(&s, &rest, &dev).await.unwrap();
        assert_eq!(left(&v, "rice"), 0, "{backend}");
        assert_eq!(v["collector_name"].as_str().unwrap().split(' ').next(), Some("فاطمة"), "{backend}");
        let e = redeem(&s, &ask("t-4", qr(&q), &[("rice", 1.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "quantity_over_entitlement", "{backend}");
        // Each collection is audited and sends the family its receipt.
        let audit = store.household_audit(&s.hid, &["redemption.recorded"], 10).await.unwrap();
        assert_eq!(audit.len(), 2, "{backend}");
        let sms = s.reg.outbox(20).await.unwrap();
        let receipts: Vec<_> = sms.iter().filter(|m| m.body.contains("A1101-001") && m.body.contains("rice")).collect();
        assert_eq!(receipts.len(), 2, "{backend}: {sms:?}");
        assert!(receipts.iter().any(|m| m.body.contains("rice 0 g")), "{backend}: what is left");
        // The family sees each collection, where, when and who, and its agents.
        let citizen = Actor::citizen(&s.hid, "07801234567", "web");
        let mine = s.reg.own_collections(&citizen).await.unwrap();
        assert_eq!(mine.collections.len(), 2, "{backend}");
        assert_eq!(mine.collections[0].collector_name.split(' ').next(), Some("فاطمة"), "{backend}: newest first");
        assert_eq!((mine.collections[1].outlet_name.as_str(), mine.collections[1].taken.len()), ("وكيل الحسين", 2), "{backend}");
        let agents: Vec<&str> = mine.agents.iter().map(|a| a.code.as_str()).collect();
        assert_eq!(agents, ["A1101-001", "F1101-001"], "{backend}");
        assert_eq!(mine.agents[0].opening_days.len(), 6, "{backend}");
        let reads = store.household_audit(&s.hid, &["collections.read"], 10).await.unwrap();
        assert_eq!(reads.len(), 1, "{backend}: the read is audited");
        // The day's list at the outlet.
        let day = s.reg.outlet_day("2026-12-03".parse().unwrap(), &dev).await.unwrap();
        assert_eq!(day.len(), 2, "{backend}");
        assert_eq!(day[0].transaction_id, "t-1", "{backend}");
    }

    async fn two_devices_collecting_for_one_household_at_once_never_take_more_than_it_holds(
        (backend, store) in backends
    ) {
        let s = Arc::new(setup(store.clone(), 32, "iq-pds").await);
        let q = card_qr(&s).await;
        let mut tasks = vec![];
        for i in 0..12 {
            let (s, q) = (s.clone(), q.clone());
            tasks.push(tokio::spawn(async move {
                let dev = device(if i % 2 == 0 { "d1" } else { "d2" }, "A1101-001");
                redeem(&s, &ask(&format!("c-{i}"), qr(&q), &[("rice", 2000.into())]), &dev).await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert!(
                    matches!(code(e).as_str(), "quantity_over_entitlement" | "concurrent_change" | "database_busy"),
                    "{backend}"
                ),
            }
        }
        // 9 kg of rice: four collections of 2 kg, never a fifth.
        assert_eq!(ok, 4, "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 8000, "{backend}");
        let n = store.household_redemptions(&s.hid).await.unwrap().len();
        assert_eq!(n, 4, "{backend}: one row per collection");
    }

    async fn bad_collections_are_refused_with_their_code_and_write_nothing((backend, store) in backends) {
        let s = setup(store.clone(), 33, "iq-pds").await;
        let q = card_qr(&s).await;
        let dev = device("d1", "A1101-001");
        let refused = |r: Result<serde_json::Value>| code(r.unwrap_err());
        // A forged QR (one character changed), a QR of another kind, an item outside the programme,
        // flour at the ration agent, quantities that are not whole and above zero.
        let mut forged = q.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        assert_eq!(refused(redeem(&s, &ask("b-1", qr(&forged), &[("rice", 1.into())]), &dev).await), "card_qr_invalid", "{backend}");
        assert_eq!(refused(redeem(&s, &ask("b-2", qr(&q), &[("tuna", 1.into())]), &dev).await), "item_not_in_programme", "{backend}");
        assert_eq!(refused(redeem(&s, &ask("b-3", qr(&q), &[("caviar", 1.into())]), &dev).await), "item_unknown", "{backend}");
        for bad in [serde_json::json!(-1), serde_json::json!(0), serde_json::json!(1.5), serde_json::json!("3")] {
            let e = redeem(&s, &ask("b-4", qr(&q), &[("rice", bad.clone())]), &dev).await.unwrap_err();
            let AppError::Validation(v) = e else { panic!("{backend}: {bad}") };
            assert_eq!(v.0[0].code, "quantity_invalid", "{backend}: {bad}");
        }
        assert_eq!(refused(redeem(&s, &ask("b 5", qr(&q), &[("rice", 1.into())]), &dev).await), "transaction_id_invalid", "{backend}");
        // Another agent of the governorate: not this card's.
        let other = device("d9", "A1101-002");
        assert_eq!(refused(redeem(&s, &ask("b-6", qr(&q), &[("rice", 1.into())]), &other).await), "card_not_served_here", "{backend}");
        // An agent of another governorate.
        let baghdad = device("d8", "A0101-001");
        assert_eq!(refused(redeem(&s, &ask("b-7", qr(&q), &[("rice", 1.into())]), &baghdad).await), "card_other_governorate", "{backend}");
        // Someone not on the card, and a member on hold.
        let mut stranger = ask("b-8", qr(&q), &[("rice", 1.into())]);
        stranger.collector_member_no = Some(9);
        assert_eq!(refused(redeem(&s, &stranger, &dev).await), "collector_not_member", "{backend}");
        let rec = store.household_by_card(&s.card).await.unwrap().unwrap();
        let spouse = rec.members.iter().find(|m| m.member_no == 2).unwrap().member_id.clone();
        let officer = Actor::staff("o1", "officer", Role::CentreOfficer, Area::Governorate("11".into()), "api");
        let hold = HoldInput { member_id: Some(spouse), reason: "abroad".into(), evidence: "exit record".into(), source: "civil_registry".into() };
        s.reg.place_hold(&s.card, &hold, &officer, None).await.unwrap();
        let mut held = ask("b-9", qr(&q), &[("rice", 1.into())]);
        held.collector_member_no = Some(2);
        assert_eq!(refused(redeem(&s, &held, &dev).await), "collector_on_hold", "{backend}");
        // The spouse's share is held: 6 kg of rice can be collected, not 6,001 g.
        let e = redeem(&s, &ask("b-10", qr(&q), &[("rice", 6001.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "quantity_over_entitlement", "{backend}");
        // A card reported lost: the old QR stops at once.
        let citizen = Actor::citizen(&s.hid, "07801234567", "web");
        let renewed = s.reg.own_card_qr(true, &citizen).await.unwrap();
        assert_ne!(renewed, q, "{backend}");
        assert_eq!(refused(redeem(&s, &ask("b-11", qr(&q), &[("rice", 1.into())]), &dev).await), "card_qr_revoked", "{backend}");
        // A suspended outlet hands nothing out.
        s.reg.set_outlet_licence("A1101-001", tamwin_domain::outlet::Licence::Suspended, "short weight found", &supervisor("ali")).await.unwrap();
        assert_eq!(refused(redeem(&s, &ask("b-12", qr(&renewed), &[("rice", 1.into())]), &dev).await), "outlet_not_active", "{backend}");
        s.reg.set_outlet_licence("A1101-001", tamwin_domain::outlet::Licence::Active, "reinspected", &supervisor("ali")).await.unwrap();
        // Nothing of all that was written.
        assert_eq!(redeemed(&s, "rice").await, 0, "{backend}");
        assert!(store.household_redemptions(&s.hid).await.unwrap().is_empty(), "{backend}");
        // A QR past its expiry.
        *s.clock.0.lock().unwrap() = "2030-01-01T09:00:00Z".parse().unwrap();
        assert_eq!(refused(redeem(&s, &ask("b-13", qr(&renewed), &[("rice", 1.into())]), &dev).await), "card_qr_expired", "{backend}");
    }

    async fn a_cycle_not_open_hands_nothing_out_and_a_void_puts_the_quantities_back((backend, store) in backends) {
        let s = setup(store.clone(), 34, "iq-pds").await;
        let q = card_qr(&s).await;
        let dev = device("d1", "A1101-001");
        let v = redeem(&s, &ask("v-1", qr(&q), &[("rice", 3000.into())]), &dev).await.unwrap();
        assert_eq!(left(&v, "rice"), 6000, "{backend}");
        // Another device cannot void it; this one can, within its time, with a reason.
        let void = VoidRequest { transaction_id: "v-1".into(), reason: "wrong card scanned".into() };
        assert_eq!(code(s.reg.void_redemption(&void, &device("d2", "A1101-001")).await.unwrap_err()), "not_found", "{backend}");
        let empty = VoidRequest { transaction_id: "v-1".into(), reason: " ".into() };
        assert_eq!(code(s.reg.void_redemption(&empty, &dev).await.unwrap_err()), "reason_missing", "{backend}");
        let voided = s.reg.void_redemption(&void, &dev).await.unwrap();
        assert_eq!(voided.void_reason.as_deref(), Some("wrong card scanned"), "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 0, "{backend}");
        assert_eq!(code(s.reg.void_redemption(&void, &dev).await.unwrap_err()), "redemption_voided_already", "{backend}");
        // Too late to void.
        redeem(&s, &ask("v-2", qr(&q), &[("rice", 1000.into())]), &dev).await.unwrap();
        *s.clock.0.lock().unwrap() = "2026-12-03T09:16:00Z".parse().unwrap();
        let late = VoidRequest { transaction_id: "v-2".into(), reason: "changed mind".into() };
        assert_eq!(code(s.reg.void_redemption(&late, &dev).await.unwrap_err()), "void_too_late", "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 1000, "{backend}");
        // Closed: nothing more.
        s.reg.close_cycle(&s.cycle, &supervisor("ali")).await.unwrap();
        let e = redeem(&s, &ask("v-3", qr(&q), &[("rice", 1000.into())]), &dev).await.unwrap_err();
        assert_eq!(code(e), "no_open_cycle_here", "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 1000, "{backend}");
    }

    async fn a_card_number_with_the_code_sent_to_the_family_identifies_the_card_once((backend, store) in backends) {
        let s = setup(store.clone(), 35, "iq-flour").await;
        let dev = device("d1", "F1101-001");
        s.reg.send_collection_code(s.card.as_str(), &dev).await.unwrap();
        let msg = s.reg.outbox(5).await.unwrap().into_iter().find(|m| m.body.contains("F1101-001")).unwrap();
        let code_sent: String = msg.body.chars().filter(char::is_ascii_digit).take(6).collect();
        let by_code = |c: &str| CardPresented { qr: None, card_number: Some(s.card.to_string()), code: Some(c.into()), fingerprint: None };
        let wrong = if code_sent == "000000" { "111111" } else { "000000" };
        assert_eq!(code(redeem(&s, &ask("o-1", by_code(wrong), &[("flour", 1000.into())]), &dev).await.unwrap_err()), "code_refused", "{backend}");
        let v = redeem(&s, &ask("o-2", by_code(&code_sent), &[("flour", 1000.into())]), &dev).await.map_err(|e| format!("{e:?} {msg:?}")).unwrap();
        assert_eq!(v["identified_by"], "otp", "{backend}");
        // Used once only.
        assert_eq!(code(redeem(&s, &ask("o-3", by_code(&code_sent), &[("flour", 1000.into())]), &dev).await.unwrap_err()), "code_refused", "{backend}");
        assert_eq!(redeemed(&s, "flour").await, 1000, "{backend}");
        // A ration agent's code does not open a flour agent's collection.
        let agent = device("d2", "A1101-001");
        s.reg.send_collection_code(s.card.as_str(), &agent).await.unwrap();
        let msg = s.reg.outbox(5).await.unwrap().into_iter().find(|m| m.body.contains("A1101-001")).unwrap();
        let agent_code: String = msg.body.chars().filter(char::is_ascii_digit).take(6).collect();
        assert_eq!(code(redeem(&s, &ask("o-4", by_code(&agent_code), &[("flour", 1000.into())]), &dev).await.unwrap_err()), "code_refused", "{backend}");
    }

    async fn bread_accrues_by_the_day_and_one_collection_takes_at_most_three_days((backend, store) in backends) {
        let s = setup(store.clone(), 36, "eg-bread").await;
        let q = card_qr(&s).await;
        let bakery = device("b1", "B1101-001");
        // Three persons, 5 loaves each a day: by the 3rd, 45 loaves; at most 3 days (45) at once.
        let v = redeem(&s, &ask("r-1", qr(&q), &[("bread", 30.into())]), &bakery).await.unwrap();
        let bread = v["left"].as_array().unwrap().iter().find(|l| l["item"] == "bread").unwrap().clone();
        assert_eq!((bread["now"].as_i64(), bread["left"].as_i64()), (Some(15), Some(31 * 15 - 30)), "{backend}: {v}");
        let e = redeem(&s, &ask("r-2", qr(&q), &[("bread", 16.into())]), &bakery).await.unwrap_err();
        assert_eq!(code(e), "quantity_over_entitlement", "{backend}");
        // On the 20th: 300 accrued, 270 untaken, but 45 at once.
        *s.clock.0.lock().unwrap() = "2026-12-20T09:00:00Z".parse().unwrap();
        let e = redeem(&s, &ask("r-3", qr(&q), &[("bread", 46.into())]), &bakery).await.unwrap_err();
        assert_eq!(code(e), "quantity_over_entitlement", "{backend}");
        redeem(&s, &ask("r-4", qr(&q), &[("bread", 45.into())]), &bakery).await.unwrap();
        assert_eq!(redeemed(&s, "bread").await, 75, "{backend}");
        // A ration agent hands out no bread.
        let agent = device("d1", "A1101-001");
        let e = redeem(&s, &ask("r-5", qr(&q), &[("bread", 1.into())]), &agent).await.unwrap_err();
        assert_eq!(code(e), "no_open_cycle_here", "{backend}: no open cycle this outlet hands out");
    }

    async fn a_portable_programme_lets_a_family_collect_at_another_agent_of_its_governorate(
        (backend, store) in backends
    ) {
        // iq-pds from December with governorate portability (India's national portability, in small).
        let mut p: serde_json::Value = serde_json::from_str(include_str!("../../../domain/data/programmes/iq-pds.json")).unwrap();
        let mut v2 = p["versions"][0].clone();
        v2["version"] = 2.into();
        v2["effective_from"] = "2026-12".into();
        v2["portability"] = "governorate".into();
        p["versions"].as_array_mut().unwrap().push(v2);
        let s = setup_full(store.clone(), 37, "iq-pds", false, Some(&p.to_string())).await;
        let q = card_qr(&s).await;
        let v = redeem(&s, &ask("p-1", qr(&q), &[("rice", 1000.into())]), &device("d9", "A1101-002")).await.unwrap();
        assert_eq!((v["outlet_code"].as_str(), left(&v, "rice")), (Some("A1101-002"), 8000), "{backend}");
        // Not beyond the governorate.
        let e = redeem(&s, &ask("p-2", qr(&q), &[("rice", 1000.into())]), &device("d8", "A0101-001")).await.unwrap_err();
        assert_eq!(code(e), "card_other_governorate", "{backend}");
        // A portability the platform does not know is refused with the file.
        let mut bad = p.clone();
        bad["versions"][1]["portability"] = "anywhere".into();
        let e = s.reg.import_programme(&bad.to_string(), &system()).await.unwrap_err();
        let AppError::Validation(v) = e else { panic!("{backend}") };
        assert!(v.0.iter().any(|f| f.code == "portability_unknown"), "{backend}: {v:?}");
    }

    async fn a_fingerprint_checked_through_the_hub_names_the_member_who_collects((backend, store) in backends) {
        let (reg, clock, hub) = crate::common::wired(store.clone()).await;
        let s = setup_on(reg, clock, store.clone(), 38, "iq-pds", false, None).await;
        // The spouse's unified card carries a template; the registry keeps its digest.
        let digest = |t: &[u8]| -> String {
            use sha2::Digest;
            sha2::Sha256::digest(t).iter().map(|b| format!("{b:02x}")).collect()
        };
        let mut spouse = crate::common::civil(&s.members[1], None);
        spouse.fingerprint_sha256 = Some(digest(b"template-of-the-spouse"));
        let people = [crate::common::civil(&s.members[0], None), spouse, crate::common::civil(&s.members[2], None)];
        tamwin_store::testkit::civil_of(&store).civil_load(&people).await.unwrap();
        let dev = device("d1", "A1101-001");
        let by = |t: &str| CardPresented { qr: None, card_number: Some(s.card.to_string()), code: None, fingerprint: Some(t.into()) };
        let mut req = ask("f-1", by("template-of-the-spouse"), &[("rice", 2000.into())]);
        req.collector_member_no = None;
        let v = redeem(&s, &req, &dev).await.unwrap();
        assert_eq!((v["identified_by"].as_str(), v["collector_member_no"].as_i64()), (Some("fingerprint"), Some(2)), "{backend}: {v}");
        assert_eq!(redeemed(&s, "rice").await, 2000, "{backend}");
        // A template matching nobody, another member named than the finger's, the hub down: refused,
        // nothing written.
        let mut wrong = ask("f-2", by("someone-else"), &[("rice", 1000.into())]);
        wrong.collector_member_no = None;
        assert_eq!(code(redeem(&s, &wrong, &dev).await.unwrap_err()), "fingerprint_not_matched", "{backend}");
        let other = ask("f-3", by("template-of-the-spouse"), &[("rice", 1000.into())]);
        assert_eq!(code(redeem(&s, &other, &dev).await.unwrap_err()), "collector_not_member", "{backend}: member 1 named, the spouse's finger");
        hub.set_down(true);
        let mut down = ask("f-4", by("template-of-the-spouse"), &[("rice", 1000.into())]);
        down.collector_member_no = None;
        assert_eq!(code(redeem(&s, &down, &dev).await.unwrap_err()), "hub_unavailable", "{backend}");
        assert_eq!(redeemed(&s, "rice").await, 2000, "{backend}");
    }
}
