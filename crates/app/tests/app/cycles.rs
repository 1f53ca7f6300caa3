//! Programmes and monthly cycles (issue 15) on both backends: a cycle is drafted, dry-run, approved by
//! a second supervisor (never the drafter, which the database refuses too), generated once by the job
//! runner, opened and closed; a hold placed after generation suspends a share and lifting it restores
//! it; a failed generation leaves nothing; two servers generating at once write one cycle.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::{code, family};
use std::sync::{Arc, Mutex};
use tamwin_app::cycles::GENERATE_JOB;
use tamwin_app::declarations::DeclarationsInput;
use tamwin_app::jobs::Runner;
use tamwin_app::*;
use tamwin_domain::Geography;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::programme::BUILTIN;
use tamwin_store::Store;

fn start() -> Arc<FixedClock> {
    Arc::new(FixedClock(Mutex::new(
        "2026-12-03T09:00:00Z".parse().unwrap(),
    )))
}

pub(crate) fn registry(store: Arc<dyn Store>, seed: u64) -> Arc<Registry> {
    registry_at(store, seed, start())
}

fn registry_at(store: Arc<dyn Store>, seed: u64, clock: Arc<FixedClock>) -> Arc<Registry> {
    Arc::new(Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        clock,
        Arc::new(SeqIds::new(seed)),
    ))
}

pub(crate) fn supervisor(name: &str) -> Actor {
    Actor::staff(
        name,
        name,
        Role::GovernorateSupervisor,
        Area::Governorate("11".into()),
        "api",
    )
}

fn ministry() -> Actor {
    Actor::staff("m1", "ministry", Role::MinistryAdmin, Area::Nation, "api")
}

pub(crate) async fn with_programmes(reg: &Registry) {
    reg.prepare().await.unwrap();
    for (_, text) in BUILTIN {
        reg.import_programme(text, &ministry()).await.unwrap();
    }
}

pub(crate) async fn generate(reg: &Arc<Registry>) -> Vec<tamwin_app::jobs::Ran> {
    Arc::new(Runner::only(reg.clone(), &[GENERATE_JOB]))
        .run_due()
        .await
}

tamwin_store::backend_tests! {
    async fn a_cycle_is_dry_run_approved_by_a_second_supervisor_generated_once_opened_and_seen_by_the_family(
        (backend, store) in backends
    ) {
        let reg = registry(store.clone(), 1);
        with_programmes(&reg).await;
        let (_, hid_a, _) = family(&reg, 71_000_000_100, "11", "1101").await;
        let (card_b, _, _) = family(&reg, 71_000_000_200, "11", "1102").await;
        let (card_c, hid_c, _) = family(&reg, 71_000_000_300, "11", "1101").await;
        // B is on the social-welfare list: the supplement. C's head is a public employee paid 2 million
        // IQD a month: excluded as a whole.
        let officer = Actor::staff("o1", "officer", Role::CentreOfficer, Area::Governorate("11".into()), "api");
        let welfare = DeclarationsInput { social_welfare: Some(true), ..DeclarationsInput::default() };
        reg.declare(&card_b, &welfare, &officer).await.unwrap();
        let rich: DeclarationsInput = serde_json::from_value(serde_json::json!({
            "head_sector": "public", "head_monthly_income": 2_000_000_000i64
        })).unwrap();
        reg.declare(&card_c, &rich, &officer).await.unwrap();

        let (ali, omar) = (supervisor("ali"), supervisor("omar"));
        let dry = reg.dry_run("iq-pds", "2026-12", "11", &ali).await.unwrap();
        assert_eq!((dry.households, dry.persons), (2, 6), "{backend}: C is excluded");
        let item = |items: &[tamwin_app::cycles::ItemAmount], name: &str| {
            items.iter().find(|i| i.item == name).map_or(0, |i| i.amount)
        };
        assert_eq!(item(&dry.items, "rice"), 6 * 3000, "{backend}");
        assert_eq!(item(&dry.items, "tea"), 3 * 250, "{backend}: B's supplement only");
        assert_eq!(item(&dry.items, "sugar"), 6 * 1000 + 3 * 1000, "{backend}");
        assert_eq!(dry.districts.len(), 2, "{backend}: {dry:?}");

        let c = reg.draft_cycle("iq-pds", "2026-12", "11", &ali).await.unwrap();
        assert_eq!(c.status, "draft");
        let again = reg.draft_cycle("iq-pds", "2026-12", "11", &omar).await.unwrap_err();
        assert_eq!(code(again), "cycle_exists", "{backend}");
        let own = reg.approve_cycle(&c.cycle_id, &ali).await.unwrap_err();
        assert_eq!(code(own), "cycle_own_draft", "{backend}");
        let early = reg.open_cycle(&c.cycle_id, &ali).await.unwrap_err();
        assert_eq!(code(early), "cycle_not_generated", "{backend}");
        let approved = reg.approve_cycle(&c.cycle_id, &omar).await.unwrap();
        assert_eq!(approved.approved_by.as_deref(), Some("omar"));
        let not_yet = reg.open_cycle(&c.cycle_id, &ali).await.unwrap_err();
        assert_eq!(code(not_yet), "cycle_not_generated", "{backend}");

        let ran = generate(&reg).await;
        assert_eq!(ran.len(), 1, "{backend}: {ran:?}");
        assert_eq!(ran[0].items, 2, "{backend}");
        let done = reg.cycle_status(&c.cycle_id, &ali).await.unwrap();
        assert_eq!((done.households, done.persons), (Some(2), Some(6)), "{backend}");
        assert!(generate(&reg).await.is_empty(), "{backend}: nothing waits");
        let twice = reg.generate_cycle(&c.cycle_id, "again", &|_, _| {}).await.unwrap_err();
        assert_eq!(code(twice), "cycle_already_generated", "{backend}");
        assert!(store.entitlement(&hid_c, &c.cycle_id).await.unwrap().is_none(), "{backend}");
        let a = store.entitlement(&hid_a, &c.cycle_id).await.unwrap().unwrap();
        assert_eq!((a.persons, a.counted.clone()), (3, vec![1, 2, 3]), "{backend}");

        let opened = reg.open_cycle(&c.cycle_id, &ali).await.unwrap();
        assert_eq!(opened.status, "open");
        // The family sees its basket, per item, and who it counts.
        let citizen = Actor::citizen(&hid_a, "07801234567", "api");
        let baskets = reg.own_baskets(&citizen).await.unwrap();
        assert_eq!(baskets.len(), 1, "{backend}");
        let rice = baskets[0].lines.iter().find(|l| l.item == "rice").unwrap();
        assert_eq!((rice.amount, rice.available, rice.unit.as_str()), (9000, 9000, "g"), "{backend}");
        assert_eq!(baskets[0].members.len(), 3, "{backend}");
        assert!(baskets[0].lines.iter().all(|l| l.item != "tea"), "{backend}: no supplement for A");

        let closed = reg.close_cycle(&c.cycle_id, &omar).await.unwrap();
        assert_eq!(closed.status, "closed");
        let after = reg.generate_cycle(&c.cycle_id, "late", &|_, _| {}).await.unwrap_err();
        assert_eq!(code(after), "cycle_closed", "{backend}");
    }

    async fn a_hold_after_generation_suspends_a_share_and_lifting_it_restores_it((backend, store) in backends) {
        let reg = registry(store.clone(), 2);
        with_programmes(&reg).await;
        let (card, hid, _) = family(&reg, 71_000_000_400, "11", "1101").await;
        let (ali, omar) = (supervisor("ali"), supervisor("omar"));
        let c = reg.draft_cycle("iq-flour", "2026-12", "11", &ali).await.unwrap();
        reg.approve_cycle(&c.cycle_id, &omar).await.unwrap();
        generate(&reg).await;
        reg.open_cycle(&c.cycle_id, &ali).await.unwrap();
        let rec = store.household_by_card(&card).await.unwrap().unwrap();
        let child = rec.members.iter().find(|m| m.member_no == 3).unwrap().member_id.clone();
        let hold = HoldInput {
            member_id: Some(child.clone()),
            reason: "abroad".into(),
            evidence: "exit record".into(),
            source: "civil_registry".into(),
        };
        let officer = Actor::staff("o1", "officer", Role::CentreOfficer, Area::Governorate("11".into()), "api");
        reg.place_hold(&card, &hold, &officer, None).await.unwrap();
        let flour = |b: &[tamwin_app::cycles::BasketView]| {
            let l = b[0].lines.iter().find(|l| l.item == "flour").unwrap();
            (l.amount, l.suspended, l.available)
        };
        let b = reg.baskets(&card, &officer).await.unwrap();
        assert_eq!(flour(&b), (27_000, 9_000, 18_000), "{backend}: one of three suspended");
        assert!(b[0].members.iter().any(|m| m.member_no == 3 && m.suspended), "{backend}");
        let e = store.entitlement(&hid, &c.cycle_id).await.unwrap().unwrap();
        assert_eq!((e.persons, e.suspended_persons), (3, 1), "{backend}: not regenerated");
        let rec = store.household_by_card(&card).await.unwrap().unwrap();
        let hold_id = rec.active_holds().next().unwrap().hold_id.clone();
        let lift = HoldLift { reason: "returned, seen at the centre".into() };
        reg.lift_hold(&card, &hold_id, &lift, &officer, None).await.unwrap();
        let b = reg.baskets(&card, &officer).await.unwrap();
        assert_eq!(flour(&b), (27_000, 0, 27_000), "{backend}: restored");
        assert_rosters_agree(&store, backend).await;
    }

    async fn members_count_from_the_cycle_after_they_join_and_up_to_the_cycle_they_leave((backend, store) in backends) {
        let reg = registry(store.clone(), 3);
        with_programmes(&reg).await;
        let (card, _, members) = family(&reg, 71_000_000_500, "11", "1101").await;
        let officer = Actor::staff("o1", "officer", Role::CentreOfficer, Area::Governorate("11".into()), "api");
        let baby: MemberChange = serde_json::from_value(serde_json::json!({
            "member": crate::common::booking::person(71_000_000_510, "daughter", "female", "2026-11-20", "زهراء"),
            "reason": "birth confirmed"
        })).unwrap();
        reg.add_member(&card, &baby, &officer, None).await.unwrap();
        let rec = store.household_by_card(&card).await.unwrap().unwrap();
        let son = rec.members.iter().find(|m| m.national_id.as_ref().map(|n| n.to_string()) == members[2]["national_id"].as_str().map(str::to_string)).unwrap();
        let removal = MemberRemoval { reason: "deceased".into() };
        reg.remove_member(&card, &son.member_id, &removal, &officer, None).await.unwrap();
        let ali = supervisor("ali");
        let now = reg.dry_run("iq-flour", "2026-12", "11", &ali).await.unwrap();
        assert_eq!(now.persons, 3, "{backend}: the newborn not yet, the son still this month");
        let next = reg.dry_run("iq-flour", "2027-01", "11", &ali).await.unwrap();
        assert_eq!(next.persons, 3, "{backend}: the newborn counts, the son no longer");
        // Before the change, from the members; long after, from the household's row: the same.
        let before = reg.dry_run("iq-flour", "2026-11", "11", &ali).await.unwrap();
        assert_eq!(before.persons, 3, "{backend}: the son, not the newborn");
        let later = reg.dry_run("iq-flour", "2028-06", "11", &ali).await.unwrap();
        assert_eq!((later.households, later.persons), (next.households, next.persons), "{backend}");
        assert_rosters_agree(&store, backend).await;
    }
}

/// Fails unless every household's roster (migration 0025) is what its members and holds give now, by
/// the definition `counting_select` uses; the database does the comparison, through a CHECK.
async fn assert_rosters_agree(store: &Arc<dyn Store>, backend: &str) {
    let now = "FROM members m WHERE m.household_id = h.household_id AND m.presence = 'present' \
        AND NOT EXISTS (SELECT 1 FROM holds x WHERE x.household_id = m.household_id AND x.member_id = m.member_id \
        AND x.lifted_at IS NULL AND x.reason <> 'no_national_id')";
    store
        .execute_unchecked(
            "CREATE TABLE IF NOT EXISTS roster_check (wrong BIGINT CHECK (wrong = 0))",
        )
        .await
        .unwrap();
    let check = format!(
        "INSERT INTO roster_check SELECT COUNT(*) FROM households h WHERE h.roster_persons <> (SELECT COUNT(*) {now}) \
         OR COALESCE(h.roster, '-') <> COALESCE((SELECT string_agg(CAST(m.member_no AS TEXT), ' ' ORDER BY m.member_no) {now}), '-') \
         OR COALESCE(h.roster_added, '-') <> COALESCE((SELECT MAX(m.counts_from) FROM members m WHERE m.household_id = h.household_id), '-') \
         OR COALESCE(h.roster_left, '-') <> COALESCE((SELECT MAX(m.left_in) FROM members m WHERE m.household_id = h.household_id), '-')"
    );
    if let Err(e) = store.execute_unchecked(&check).await {
        panic!("{backend}: a household's roster differs from its members: {e}");
    }
}

tamwin_store::backend_tests! {
    async fn imported_households_get_the_roster_their_members_and_holds_give((backend, store) in backends) {
        let reg = registry(store.clone(), 9);
        reg.prepare().await.unwrap();
        let dir = std::env::temp_dir().join(format!("tamwin-rosters-{}-{backend}", std::process::id()));
        let cfg = tamwin_synth::Config { households: 400, seed: 5, governorate: Some("11".into()), ..Default::default() };
        tamwin_synth::generate(&cfg, reg.geo(), &dir, &|_| {}).unwrap();
        let report = tamwin_app::import::import_dir(&reg, &dir, &dir.join("rejects.csv"), Arc::new(|_| {}))
            .await
            .unwrap();
        assert_eq!(report.households, 400, "{backend}: {report:?}");
        assert!(report.holds > 0, "{backend}: the synthetic registry has held members");
        assert_rosters_agree(&store, backend).await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// Makes the generation fail once rows are written: on SQLite at the second district, after the first
/// one's rows are in the table; on PostgreSQL after the whole partition is loaded and attached, when
/// the cycle is marked generated. The trigger is dropped by `DROP_FAILING_TRIGGER`.
fn failing_trigger(backend: &str) -> Vec<&'static str> {
    if backend == "sqlite" {
        vec![
            "CREATE TRIGGER fail_generation BEFORE INSERT ON entitlements WHEN NEW.district_code = '1102' \
              BEGIN SELECT RAISE(ABORT, 'injected failure'); END",
        ]
    } else {
        vec![
            "CREATE FUNCTION fail_generation() RETURNS trigger AS $$ BEGIN IF NEW.generated_at IS NOT NULL THEN \
             RAISE EXCEPTION 'injected failure'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER fail_generation BEFORE UPDATE ON cycles FOR EACH ROW EXECUTE FUNCTION fail_generation()",
        ]
    }
}

fn drop_failing_trigger(backend: &str) -> &'static str {
    if backend == "sqlite" {
        "DROP TRIGGER fail_generation"
    } else {
        "DROP TRIGGER fail_generation ON cycles"
    }
}

pub(crate) async fn drafted_and_approved(reg: &Registry, programme: &str) -> String {
    let c = reg
        .draft_cycle(programme, "2026-12", "11", &supervisor("ali"))
        .await
        .unwrap();
    reg.approve_cycle(&c.cycle_id, &supervisor("omar"))
        .await
        .unwrap();
    c.cycle_id
}

tamwin_store::backend_tests! {
    async fn a_failed_generation_leaves_no_half_cycle_and_the_cycle_cannot_open((backend, store) in backends) {
        let clock = start();
        let reg = registry_at(store.clone(), 4, clock.clone());
        with_programmes(&reg).await;
        let (_, hid_a, _) = family(&reg, 71_000_000_600, "11", "1101").await;
        family(&reg, 71_000_000_700, "11", "1102").await;
        let id = drafted_and_approved(&reg, "iq-pds").await;
        for sql in failing_trigger(backend) {
            store.execute_unchecked(sql).await.unwrap();
        }
        let ran = generate(&reg).await;
        assert_eq!(ran[0].outcome, Some(tamwin_app::jobs::JobOutcome::Failed), "{backend}: {ran:?}");
        let c = reg.cycle_status(&id, &supervisor("ali")).await.unwrap();
        assert_eq!(c.status, "failed", "{backend}");
        assert!(c.error.is_some(), "{backend}");
        assert!(
            store.entitlement(&hid_a, &id).await.unwrap().is_none(),
            "{backend}: the first district's rows went with the failure"
        );
        let open = reg.open_cycle(&id, &supervisor("ali")).await.unwrap_err();
        assert_eq!(code(open), "cycle_generation_failed", "{backend}");
        // Repaired and approved again, it generates whole.
        store.execute_unchecked(drop_failing_trigger(backend)).await.unwrap();
        crate::common::advance(&clock, 30);
        reg.approve_cycle(&id, &supervisor("omar")).await.unwrap();
        generate(&reg).await;
        let c = reg.cycle_status(&id, &supervisor("ali")).await.unwrap();
        assert_eq!((c.status.as_str(), c.households), ("approved", Some(2)), "{backend}");
        reg.open_cycle(&id, &supervisor("ali")).await.unwrap();
    }

    async fn the_database_keeps_four_eyes_one_entitlement_and_counts_at_or_above_zero((backend, store) in backends) {
        let reg = registry(store.clone(), 5);
        with_programmes(&reg).await;
        let (_, hid, _) = family(&reg, 71_000_000_800, "11", "1101").await;
        let c = reg.draft_cycle("iq-pds", "2026-12", "11", &supervisor("ali")).await.unwrap();
        let id = c.cycle_id;
        let refused = |sql: String| {
            let store = store.clone();
            async move {
                let e = store.execute_unchecked(&sql).await;
                assert!(e.is_err(), "{backend}: the database took {sql}");
            }
        };
        // Behind the application's back: an entitlement of a cycle not generated, approved by the
        // drafter, opened before generation.
        refused(format!(
            "INSERT INTO entitlements (household_id, cycle_id, persons, counted, categories, district_code) \
             VALUES ('{}', '{id}', 3, '1 2 3', 0, '1101')", hid.as_str()
        )).await;
        refused(format!("UPDATE cycles SET status = 'approved', approved_by = drafted_by WHERE cycle_id = '{id}'")).await;
        refused(format!("UPDATE cycles SET status = 'open', approved_by = 'omar' WHERE cycle_id = '{id}'")).await;
        refused(format!("UPDATE cycles SET status = 'approved' WHERE cycle_id = '{id}'")).await;
        reg.approve_cycle(&id, &supervisor("omar")).await.unwrap();
        generate(&reg).await;
        let h = hid.as_str();
        refused(format!(
            "INSERT INTO entitlements (household_id, cycle_id, persons, counted, categories, district_code) \
             VALUES ('{h}', '{id}', 3, '1 2 3', 0, '1101')"
        )).await;
        refused(format!("UPDATE entitlements SET persons = 0 WHERE household_id = '{h}'")).await;
        refused(format!("UPDATE entitlements SET suspended_persons = 4 WHERE household_id = '{h}'")).await;
        refused(format!("UPDATE entitlements SET suspended_persons = -1 WHERE household_id = '{h}'")).await;
        refused(format!(
            "INSERT INTO entitlement_lines (household_id, cycle_id, item, quantity) VALUES ('{h}', '{id}', 'rice', -1)"
        )).await;
        store.execute_unchecked(&format!(
            "INSERT INTO entitlement_lines (household_id, cycle_id, item, quantity, redeemed) VALUES ('{h}', '{id}', 'rice', 9000, 6000)"
        )).await.unwrap();
        refused(format!("UPDATE entitlement_lines SET suspended = 3001 WHERE household_id = '{h}'")).await;
        refused(format!("UPDATE entitlement_lines SET quantity = quantity - 3001 WHERE household_id = '{h}'")).await;
    }

    #[multi_thread]
    async fn two_servers_generating_at_once_write_one_cycle_and_two_approvers_approve_once(
        (backend, one, two) in backend_pairs
    ) {
        let (a, b) = (registry(one.clone(), 6), registry(two.clone(), 7));
        with_programmes(&a).await;
        let mut ids = vec![];
        for i in 0..20u64 {
            let (_, hid, _) = family(&a, 71_000_001_000 + i * 10, "11", if i % 2 == 0 { "1101" } else { "1103" }).await;
            ids.push(hid);
        }
        let c = a.draft_cycle("iq-pds", "2026-12", "11", &supervisor("ali")).await.unwrap();
        let (omar, sara) = (supervisor("omar"), supervisor("sara"));
        let (x, y) = tokio::join!(
            a.approve_cycle(&c.cycle_id, &omar),
            b.approve_cycle(&c.cycle_id, &sara)
        );
        assert_eq!(u8::from(x.is_ok()) + u8::from(y.is_ok()), 1, "{backend}: {x:?} {y:?}");
        let (x, y) = tokio::join!(
            a.generate_cycle(&c.cycle_id, "a", &|_, _| {}),
            b.generate_cycle(&c.cycle_id, "b", &|_, _| {})
        );
        let (ok, refused): (Vec<_>, Vec<_>) = [x, y].into_iter().partition(|r| r.is_ok());
        assert_eq!(ok.len(), 1, "{backend}: {ok:?} {refused:?}");
        let written = ok[0].as_ref().unwrap();
        assert_eq!((written.len(), written[0].1, written[0].2), (1, 20, 60), "{backend}");
        let e = refused.into_iter().next().unwrap().unwrap_err();
        assert_eq!(code(e), "cycle_already_generated", "{backend}");
        for hid in &ids {
            assert!(one.entitlement(hid, &c.cycle_id).await.unwrap().is_some(), "{backend}");
        }
        let status = a.cycle_status(&c.cycle_id, &supervisor("ali")).await.unwrap();
        assert_eq!((status.households, status.persons), (Some(20), Some(60)), "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn the_dry_run_says_who_enters_who_leaves_and_why_against_the_previous_cycle((backend, store) in backends) {
        let clock = start();
        let reg = registry_at(store.clone(), 8, clock.clone());
        with_programmes(&reg).await;
        let (card_stay, _, _) = family(&reg, 71_000_002_000, "11", "1101").await;
        let (card_baby, _, _) = family(&reg, 71_000_002_100, "11", "1101").await;
        let (card_death, _, members) = family(&reg, 71_000_002_200, "11", "1102").await;
        let (card_rich, _, _) = family(&reg, 71_000_002_300, "11", "1101").await;
        let (card_gone, _, _) = family(&reg, 71_000_002_400, "11", "1101").await;
        let (card_held, _, _) = family(&reg, 71_000_002_500, "11", "1101").await;
        let dec = drafted_and_approved(&reg, "iq-pds").await;
        generate(&reg).await;
        reg.open_cycle(&dec, &supervisor("ali")).await.unwrap();
        // During December: a birth confirmed, a death, a declaration, a card closed, a hold, a new card.
        crate::common::advance(&clock, 60);
        let officer = Actor::staff("o1", "officer", Role::GovernorateSupervisor, Area::Governorate("11".into()), "api");
        let baby: MemberChange = serde_json::from_value(serde_json::json!({
            "member": crate::common::booking::person(71_000_002_110, "daughter", "female", "2026-11-30", "زهراء"),
            "reason": "birth confirmed"
        })).unwrap();
        reg.add_member(&card_baby, &baby, &officer, None).await.unwrap();
        let rec = store.household_by_card(&card_death).await.unwrap().unwrap();
        let son = rec.members.iter().find(|m| m.national_id.as_ref().map(|n| n.to_string()).as_deref() == members[2]["national_id"].as_str()).unwrap();
        reg.remove_member(&card_death, &son.member_id, &MemberRemoval { reason: "deceased".into() }, &officer, None).await.unwrap();
        let rich: DeclarationsInput = serde_json::from_value(serde_json::json!({
            "head_sector": "public", "head_monthly_income": 1_800_000_000i64
        })).unwrap();
        reg.declare(&card_rich, &rich, &officer).await.unwrap();
        reg.close_household(&card_gone, &Closure { reason: "emigrated".into() }, &officer, None).await.unwrap();
        let rec = store.household_by_card(&card_held).await.unwrap().unwrap();
        let spouse = rec.members.iter().find(|m| m.member_no == 2).unwrap().member_id.clone();
        let hold = HoldInput { member_id: Some(spouse), reason: "abroad".into(), evidence: "exit record".into(), source: "civil_registry".into() };
        reg.place_hold(&card_held, &hold, &officer, None).await.unwrap();
        let (card_new, _, _) = family(&reg, 71_000_002_600, "11", "1103").await;

        let jan = reg.draft_cycle("iq-pds", "2027-01", "11", &supervisor("ali")).await.unwrap();
        let ch = reg.cycle_changes(&jan.cycle_id, &supervisor("omar")).await.unwrap();
        assert_eq!(ch.previous.as_ref().map(|p| p.cycle_id.as_str()), Some(dec.as_str()), "{backend}");
        let row = |card: &tamwin_domain::CardNumber| {
            ch.rows.iter().find(|r| r.card_number == card.as_str()).map(|r| (r.change.as_str(), r.reasons.clone()))
        };
        assert_eq!(row(&card_stay), None, "{backend}: unchanged households are not listed");
        assert_eq!(row(&card_baby), Some(("changes", vec!["member_joined:4".to_string()])), "{backend}");
        assert_eq!(row(&card_death), Some(("changes", vec!["member_left:3".to_string()])), "{backend}");
        assert_eq!(row(&card_rich), Some(("leaves", vec!["rule:public_employee_high_income".to_string()])), "{backend}");
        assert_eq!(row(&card_gone), Some(("leaves", vec!["household_closed".to_string()])), "{backend}");
        assert_eq!(row(&card_held), Some(("changes", vec!["member_held:2:abroad".to_string()])), "{backend}");
        assert_eq!(row(&card_new), Some(("enters", vec!["new_household".to_string()])), "{backend}");
        assert_eq!((ch.enters, ch.leaves, ch.changes), (1, 2, 3), "{backend}");
        // The December cycle still holds what it was generated with; the baby counts from January.
        let dry = reg.dry_run_cycle(&jan.cycle_id, &supervisor("ali")).await.unwrap();
        assert_eq!(dry.households, 5, "{backend}");
        // A district's staff see only their district's households in the list.
        let district = Actor::staff("d1", "district", Role::CentreOfficer, Area::District("1102".into()), "api");
        let only = reg.cycle_changes(&jan.cycle_id, &district).await.unwrap();
        assert!(only.rows.iter().all(|r| r.district == "1102"), "{backend}: {:?}", only.rows);
        assert_eq!(only.rows.len(), 1, "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn the_welfare_list_is_applied_whole_with_a_reject_line_for_each_unknown_or_invalid_id((backend, store) in backends) {
        let reg = registry(store.clone(), 9);
        with_programmes(&reg).await;
        let (_, hid_a, a) = family(&reg, 71_000_003_000, "11", "1101").await;
        let (_, hid_b, b) = family(&reg, 71_000_003_100, "11", "1101").await;
        let on = |h| {
            let store = store.clone();
            async move { store.declarations(&h).await.unwrap().unwrap().social_welfare }
        };
        let nid = |m: &serde_json::Value| m["national_id"].as_str().unwrap().to_string();
        let unknown = crate::common::booking::nid(71_000_003_900);
        let file = format!("national_id\n{}\n{}\n{unknown}\n12345\n", nid(&a[0]), nid(&b[1]));
        let r = reg.import_list("social_welfare", file.as_bytes(), &ministry()).await.unwrap();
        assert_eq!((r.households, r.added, r.removed), (2, 2, 0), "{backend}");
        let codes: Vec<(u64, &str)> = r.rejects.iter().map(|x| (x.line, x.code)).collect();
        assert_eq!(codes, [(4, "national_id_unknown"), (5, "national_id_invalid")], "{backend}");
        assert!(on(hid_a.clone()).await && on(hid_b.clone()).await, "{backend}");
        // The supplement follows the list.
        let dry = reg.dry_run("iq-pds", "2026-12", "11", &supervisor("ali")).await.unwrap();
        let tea = dry.items.iter().find(|i| i.item == "tea").map_or(0, |i| i.amount);
        assert_eq!(tea, 6 * 250, "{backend}");
        // Not UTF-8: refused whole, nothing changed.
        let bad = reg.import_list("social_welfare", b"national_id\n\xff\xfe\n", &ministry()).await.unwrap_err();
        assert_eq!(crate::common::booking::code(bad), "file_encoding_invalid", "{backend}");
        assert!(on(hid_a.clone()).await, "{backend}");
        // The next list leaves A out: A comes off it, B stays.
        let file = format!("national_id\n{}\n", nid(&b[0]));
        let r = reg.import_list("social_welfare", file.as_bytes(), &ministry()).await.unwrap();
        assert_eq!((r.households, r.added, r.removed), (1, 0, 1), "{backend}");
        assert!(!on(hid_a).await && on(hid_b).await, "{backend}");
        // Only the ministry imports lists.
        let refused = reg.import_list("social_welfare", file.as_bytes(), &supervisor("ali")).await.unwrap_err();
        assert_eq!(crate::common::booking::code(refused), "forbidden", "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn the_approved_cycles_of_a_month_are_generated_together_and_the_nation_dry_runs_at_once((backend, store) in backends) {
        let reg = registry(store.clone(), 10);
        with_programmes(&reg).await;
        let (_, karbala, _) = family(&reg, 71_000_004_000, "11", "1101").await;
        let (_, najaf, _) = family(&reg, 71_000_004_100, "12", "1201").await;
        family(&reg, 71_000_004_200, "12", "1201").await;
        let nation = |name: &str| Actor::staff(name, name, Role::GovernorateSupervisor, Area::Nation, "api");
        let dry = reg.dry_run("iq-pds", "2026-12", "nation", &nation("ali")).await.unwrap();
        assert_eq!((dry.households, dry.persons), (3, 9), "{backend}");
        let refused = reg.dry_run("iq-pds", "2026-12", "nation", &supervisor("ali")).await.unwrap_err();
        assert_eq!(code(refused), "not_found", "{backend}: a governorate's supervisor sees their own");
        let mut ids = vec![];
        for g in ["11", "12"] {
            let c = reg.draft_cycle("iq-pds", "2026-12", g, &nation("ali")).await.unwrap();
            reg.approve_cycle(&c.cycle_id, &nation("omar")).await.unwrap();
            ids.push(c.cycle_id);
        }
        let ran = generate(&reg).await;
        assert_eq!((ran.len(), ran[0].items), (1, 3), "{backend}: one run for both: {ran:?}");
        assert!(generate(&reg).await.is_empty(), "{backend}: nothing waits");
        let k = reg.cycle_status(&ids[0], &nation("ali")).await.unwrap();
        let n = reg.cycle_status(&ids[1], &nation("ali")).await.unwrap();
        assert_eq!((k.households, n.households), (Some(1), Some(2)), "{backend}");
        assert!(store.entitlement(&karbala, &ids[0]).await.unwrap().is_some(), "{backend}");
        assert!(store.entitlement(&najaf, &ids[1]).await.unwrap().is_some(), "{backend}");
        assert!(store.entitlement(&najaf, &ids[0]).await.unwrap().is_none(), "{backend}: each household in its governorate's cycle");
    }
}
