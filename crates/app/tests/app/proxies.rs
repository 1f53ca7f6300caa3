//! Electronic powers of attorney (issue 17 points 1 and 2) on both backends: the head names an adult
//! by national ID and birth date; the hub checks who they are, that they are alive and in the country;
//! both confirm with the codes the civil registry sent to their own phones; the database keeps a person
//! proxy for at most the limit of households, also when two households grant at the same instant; the
//! head revokes, the proxy declines, an expired grant ends by itself; bad input is refused and writes
//! nothing.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::{code, family, nid};
use crate::common::{advance, civil, wired};
use std::sync::Arc;
use tamwin_app::proxies::GrantInput;
use tamwin_app::*;
use tamwin_store::{CivilPerson, Store};

fn person(n: u64, born: &str, phone: Option<&str>) -> CivilPerson {
    CivilPerson {
        national_id: nid(n),
        given_name: "حسن".into(),
        father_name: "جاسم".into(),
        grandfather_name: "محمد".into(),
        family_name: Some("الموسوي".into()),
        mother_name: "مريم علي".into(),
        birth_date: born.into(),
        sex: "male".into(),
        phone: phone.map(str::to_string),
        card_status: Some("valid".into()),
        card_expires: None,
        fingerprint_sha256: None,
        death_date: None,
        abroad_since: None,
    }
}

pub(crate) fn input(proxy: &str, born: &str, from: &str, to: &str) -> GrantInput {
    GrantInput {
        proxy_national_id: proxy.into(),
        proxy_birth_date: born.into(),
        programmes: vec![],
        items: vec!["rice".into()],
        valid_from: from.into(),
        valid_to: to.into(),
        reason: "elderly".into(),
        reason_text: None,
    }
}

/// The code the civil registry last sent to this phone.
pub(crate) async fn code_to(store: &Arc<dyn Store>, phone: &str) -> String {
    let sms = tamwin_store::testkit::civil_of(store)
        .civil_sms_recent(50)
        .await
        .unwrap();
    let (_, body, _) = sms
        .iter()
        .find(|(p, _, _)| p == phone)
        .unwrap_or_else(|| panic!("no code to {phone}: {sms:?}"));
    body.chars().filter(char::is_ascii_digit).take(6).collect()
}

pub(crate) struct Setup {
    pub(crate) reg: Arc<Registry>,
    pub(crate) store: Arc<dyn Store>,
    pub(crate) clock: Arc<FixedClock>,
    /// Three households' heads, signed in.
    pub(crate) heads: Vec<Actor>,
}

pub(crate) const PROXY: u64 = 91_000_000_001;
pub(crate) const SECOND: u64 = 91_000_000_002;

async fn setup(store: Arc<dyn Store>, limit: i64, seed: u64) -> Setup {
    setup_with(store, limit, seed, None).await
}

/// `setup`, with a payment provider.
pub(crate) async fn setup_with(
    store: Arc<dyn Store>,
    limit: i64,
    seed: u64,
    payments: Option<Arc<dyn tamwin_app::payments::PaymentProvider>>,
) -> Setup {
    let (mut reg, clock, _hub) = wired(store.clone()).await;
    reg.set_proxy_rules(limit, tamwin_app::proxies::FEE_FILS);
    if let Some(p) = payments {
        reg.set_payments(p);
    }
    let mut heads = vec![];
    let mut people = vec![
        person(PROXY, "1975-01-01", Some("+9647802220001")),
        person(SECOND, "1979-01-01", Some("+9647802220002")),
        {
            let mut dead = person(91_000_000_003, "1950-01-01", Some("+9647802220003"));
            dead.death_date = Some("2026-10-01".into());
            dead
        },
        {
            let mut away = person(91_000_000_004, "1990-01-01", Some("+9647802220004"));
            away.abroad_since = Some("2026-01-01".into());
            away
        },
    ];
    for i in 0..3u64 {
        let (_, hid, members) =
            family(&reg, 72_000_000_000 + seed * 1000 + i * 10, "11", "1101").await;
        for (j, m) in members.iter().enumerate() {
            let mut p = civil(m, None);
            p.phone = Some(format!("+96478011{seed:02}{i}{j}00"));
            people.push(p);
        }
        heads.push(Actor::citizen(&hid, "07801234567", "web"));
    }
    tamwin_store::testkit::civil_of(&store)
        .civil_load(&people)
        .await
        .unwrap();
    Setup {
        reg: Arc::new(reg),
        store,
        clock,
        heads,
    }
}

tamwin_store::backend_tests! {
    async fn a_grant_is_confirmed_by_both_with_their_own_codes_and_revoked_at_any_moment((backend, store) in backends) {
        let s = setup(store.clone(), 3, 1).await;
        let head = &s.heads[0];
        let started = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-05-20"), head).await.unwrap();
        let g = &started.grant;
        assert_eq!((g.status.as_str(), g.items.clone()), ("confirming", vec!["rice".to_string()]), "{backend}");
        assert_eq!(started.proxy_phone.as_deref(), Some("•••••••001"), "{backend}: the proxy's phone as the registry knows it");
        assert_eq!(s.store.proxy_load(&nid(PROXY)).await.unwrap(), 1, "{backend}: a place taken");
        // The head's code, wrong then right.
        assert_eq!(code(s.reg.confirm_grant(&g.grant_id, "000000", head).await.unwrap_err()), "grant_code_wrong", "{backend}");
        let head_code = code_to(&s.store, "+96478011010000").await;
        let v = s.reg.confirm_grant(&g.grant_id, &head_code, head).await.unwrap();
        assert_eq!((v.head_confirmed, v.status.as_str()), (true, "confirming"), "{backend}");
        // Another household's head cannot see or confirm it.
        assert_eq!(code(s.reg.confirm_grant(&g.grant_id, &head_code, &s.heads[1]).await.unwrap_err()), "not_found", "{backend}");
        // The proxy accepts with their own code: the grant awaits its fee.
        let v = s.reg.answer_grant(&nid(PROXY), &code_to(&s.store, "+9647802220001").await, true).await.unwrap();
        assert_eq!((v.proxy_confirmed, v.status.as_str()), (true, "awaiting_payment"), "{backend}");
        let stored = s.store.grant(&g.grant_id).await.unwrap().unwrap();
        assert!(stored.head.evidence.is_some() && stored.proxy.evidence.is_some(), "{backend}: both checks kept as evidence");
        // Twice to the same person: refused.
        let e = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-01-20"), head).await.unwrap_err();
        assert_eq!(code(e), "grant_exists", "{backend}");
        // Revoked by the head: ended, the place given back.
        let v = s.reg.revoke_grant(&g.grant_id, "no longer needed", head).await.unwrap();
        assert_eq!(v.status, "revoked", "{backend}");
        assert_eq!(s.store.proxy_load(&nid(PROXY)).await.unwrap(), 0, "{backend}");
        assert_eq!(code(s.reg.revoke_grant(&g.grant_id, "", head).await.unwrap_err()), "grant_ended", "{backend}");
        let mine = s.reg.own_grants(head).await.unwrap();
        assert_eq!(mine.len(), 1, "{backend}");
        // Staff of the household's area see its grants; another governorate's do not find the card.
        let card = tamwin_domain::CardNumber::parse(&mine[0].card_number).unwrap();
        let staff = |gov: &str| Actor::staff("s", "s", tamwin_domain::access::Role::GovernorateSupervisor, tamwin_domain::access::Area::Governorate(gov.into()), "api");
        assert_eq!(s.reg.household_grants(&card, &staff("11")).await.unwrap().len(), 1, "{backend}");
        assert_eq!(code(s.reg.household_grants(&card, &staff("21")).await.unwrap_err()), "not_found", "{backend}");
        let audit = s.store.household_audit(&mine_household(head), &["grant.created", "grant.confirmed", "grant.revoked"], 10).await.unwrap();
        assert_eq!(audit.len(), 4, "{backend}: made, confirmed twice, revoked");
        let reads = s.store.household_audit(&mine_household(head), &["grants.read"], 10).await.unwrap();
        assert_eq!(reads.len(), 2, "{backend}: the family's read and the supervisor's");
    }

    async fn a_proxy_who_declines_and_an_expired_grant_give_their_place_back((backend, store) in backends) {
        let s = setup(store.clone(), 3, 2).await;
        let (a, b) = (&s.heads[0], &s.heads[1]);
        let declined = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2026-12-31"), a).await.unwrap();
        let v = s.reg.answer_grant(&nid(PROXY), &code_to(&s.store, "+9647802220001").await, false).await.unwrap();
        assert_eq!((v.grant_id.as_str(), v.status.as_str()), (declined.grant.grant_id.as_str(), "declined"), "{backend}");
        assert_eq!(s.store.proxy_load(&nid(PROXY)).await.unwrap(), 0, "{backend}");
        // A grant confirmed, paid and active ends after its last day.
        let g = s.reg.grant_proxy(&input(&nid(SECOND), "1979-01-01", "2026-11-21", "2026-11-30"), b).await.unwrap().grant;
        s.reg.confirm_grant(&g.grant_id, &code_to(&s.store, "+96478011021000").await, b).await.unwrap();
        s.reg.answer_grant(&nid(SECOND), &code_to(&s.store, "+9647802220002").await, true).await.unwrap();
        let hid = mine_household(b);
        let log = tamwin_store::ChangeLog {
            change_id: "pay-1".into(), at: s.clock.now(), actor: "payments".into(), role: "system".into(), area: "nation".into(),
            kind: "grant.paid", member_id: None, reason: None, details: serde_json::json!({}), channel: "api",
        };
        assert!(s.store.activate_grant(&hid, &g.grant_id, "pay-1", s.clock.now(), &log).await.unwrap(), "{backend}");
        // The proxy gives it up with a fresh code; someone else's national ID reads as a wrong code.
        s.reg.proxy_code(&nid(SECOND)).await.unwrap();
        let code2 = code_to(&s.store, "+9647802220002").await;
        let e = s.reg.give_up_grant(&nid(PROXY), &g.grant_id, &code2).await.unwrap_err();
        assert_eq!(code(e), "grant_code_wrong", "{backend}");
        let v = s.reg.give_up_grant(&nid(SECOND), &g.grant_id, &code2).await.unwrap();
        assert_eq!(v.status, "given_up", "{backend}");
        assert_eq!(s.store.proxy_load(&nid(SECOND)).await.unwrap(), 0, "{backend}");
        // Someone who is nobody's proxy asks for a code: the same answer, no code sent.
        let before = tamwin_store::testkit::civil_of(&s.store).civil_sms_recent(100).await.unwrap().len();
        s.reg.proxy_code(&nid(91_000_000_004)).await.unwrap();
        assert_eq!(tamwin_store::testkit::civil_of(&s.store).civil_sms_recent(100).await.unwrap().len(), before, "{backend}");
        // Another grant, active, for the expiry.
        let g = s.reg.grant_proxy(&input(&nid(SECOND), "1979-01-01", "2026-11-21", "2026-11-30"), b).await.unwrap().grant;
        s.reg.confirm_grant(&g.grant_id, &code_to(&s.store, "+96478011021000").await, b).await.unwrap();
        s.reg.answer_grant(&nid(SECOND), &code_to(&s.store, "+9647802220002").await, true).await.unwrap();
        assert!(s.store.activate_grant(&hid, &g.grant_id, "pay-2", s.clock.now(), &log).await.unwrap(), "{backend}");
        assert_eq!(s.reg.expire_grants().await.unwrap(), 0, "{backend}: not yet");
        advance(&s.clock, 10 * 24 * 60);
        assert_eq!(s.reg.expire_grants().await.unwrap(), 1, "{backend}");
        let stored = s.store.grant(&g.grant_id).await.unwrap().unwrap();
        assert_eq!(stored.status.code(), "expired", "{backend}");
        assert_eq!(s.store.proxy_load(&nid(SECOND)).await.unwrap(), 0, "{backend}");
    }

    async fn the_proxy_reads_the_grant_then_answers_it_with_the_ticket_once_and_in_time((backend, store) in backends) {
        let s = setup(store.clone(), 3, 5).await;
        let (a, b) = (&s.heads[0], &s.heads[1]);
        let g = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2026-12-31"), a).await.unwrap().grant;
        // A wrong code reads nothing.
        let e = s.reg.proxy_reads_grant(&nid(PROXY), "000000").await.unwrap_err();
        assert_eq!(code(e), "grant_code_wrong", "{backend}");
        let (seen, ticket) = s.reg.proxy_reads_grant(&nid(PROXY), &code_to(&s.store, "+9647802220001").await).await.unwrap();
        assert_eq!((seen.grant_id.as_str(), seen.items.clone()), (g.grant_id.as_str(), vec!["rice".to_string()]), "{backend}");
        let reads = s.store.household_audit(&mine_household(a), &["grants.read"], 5).await.unwrap();
        assert_eq!((reads.len(), reads[0].actor.clone()), (1, format!("proxy:{}", nid(PROXY))), "{backend}: the proxy's read audited, naming them");
        // Another ticket, or this one on another grant, answers nothing.
        let e = s.reg.answer_with_ticket(&g.grant_id, "00112233445566778899aabbccddeeff", true).await.unwrap_err();
        assert_eq!(code(e), "grant_code_wrong", "{backend}");
        let v = s.reg.answer_with_ticket(&g.grant_id, &ticket, true).await.unwrap();
        assert!(v.proxy_confirmed, "{backend}");
        let e = s.reg.answer_with_ticket(&g.grant_id, &ticket, false).await.unwrap_err();
        assert_eq!(code(e), "grant_code_wrong", "{backend}: a ticket answers once");
        // Two answers with one ticket at the same instant (accept and decline): exactly one lands.
        let g3 = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2026-12-31"), b).await.unwrap().grant;
        let (_, t3) = s.reg.proxy_reads_grant(&nid(PROXY), &code_to(&s.store, "+9647802220001").await).await.unwrap();
        let (x, y) = tokio::join!(
            s.reg.answer_with_ticket(&g3.grant_id, &t3, true),
            s.reg.answer_with_ticket(&g3.grant_id, &t3, false)
        );
        assert_eq!(x.is_ok() as u8 + y.is_ok() as u8, 1, "{backend}: {x:?} {y:?}");
        let after = s.store.grant(&g3.grant_id).await.unwrap().unwrap();
        assert_eq!(
            (after.status.code(), after.proxy.confirmed_at.is_some()),
            if x.is_ok() { ("confirming", true) } else { ("declined", false) },
            "{backend}"
        );
        let _ = s.reg.revoke_grant(&g3.grant_id, "", b).await;
        // A ticket past its time answers nothing.
        let g2 = s.reg.grant_proxy(&input(&nid(SECOND), "1979-01-01", "2026-11-21", "2026-12-31"), b).await.unwrap().grant;
        let (_, late) = s.reg.proxy_reads_grant(&nid(SECOND), &code_to(&s.store, "+9647802220002").await).await.unwrap();
        advance(&s.clock, 16);
        let e = s.reg.answer_with_ticket(&g2.grant_id, &late, false).await.unwrap_err();
        assert_eq!(code(e), "grant_code_wrong", "{backend}");
        assert_eq!(s.store.grant(&g2.grant_id).await.unwrap().unwrap().status.code(), "confirming", "{backend}");
    }

    async fn a_person_is_proxy_for_at_most_the_limit_even_when_two_households_grant_at_once((backend, store) in backends) {
        let s = setup(store.clone(), 1, 3).await;
        let mut tasks = vec![];
        let two: Vec<Actor> = s.heads[..2].to_vec();
        for h in two {
            let reg = s.reg.clone();
            tasks.push(tokio::spawn(async move {
                reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-01-20"), &h).await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert!(matches!(code(e).as_str(), "proxy_at_limit" | "database_busy" | "concurrent_change"), "{backend}"),
            }
        }
        assert_eq!(ok, 1, "{backend}");
        assert_eq!(s.store.proxy_load(&nid(PROXY)).await.unwrap(), 1, "{backend}");
        let e = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-01-20"), &s.heads[2]).await.unwrap_err();
        assert_eq!(code(e), "proxy_at_limit", "{backend}");
    }

    async fn bad_grants_are_refused_with_their_code_and_write_nothing((backend, store) in backends) {
        let s = setup(store.clone(), 3, 4).await;
        let head = &s.heads[0];
        let spouse = nid(72_000_004_000 + 1);
        let cases = [
            (input(&spouse, "1984-05-02", "2026-11-21", "2027-01-20"), "proxy_own_household"),
            (input(&nid(91_000_000_003), "1950-01-01", "2026-11-21", "2027-01-20"), "proxy_deceased"),
            (input(&nid(91_000_000_004), "1990-01-01", "2026-11-21", "2027-01-20"), "proxy_abroad"),
            (input(&nid(PROXY), "1976-01-01", "2026-11-21", "2027-01-20"), "proxy_identity_mismatch"),
            (input(&nid(91_000_000_099), "1970-01-01", "2026-11-21", "2027-01-20"), "proxy_unknown"),
            (input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-11-21"), "grant_too_long"),
            (input(&nid(PROXY), "1975-01-01", "2026-11-20", "2027-01-20"), "grant_in_past"),
            (input(&nid(PROXY), "2010-01-01", "2026-11-21", "2027-01-20"), "proxy_not_adult"),
            (input("12345", "1975-01-01", "2026-11-21", "2027-01-20"), "national_id_malformed"),
            (GrantInput { reason: "other".into(), ..input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-01-20") }, "grant_reason_text_missing"),
            (GrantInput { items: vec!["caviar".into()], ..input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-01-20") }, "item_unknown"),
        ];
        for (i, expected) in cases {
            let e = s.reg.grant_proxy(&i, head).await.unwrap_err();
            let got = match &e {
                AppError::Validation(v) => v.0[0].code.to_string(),
                _ => code(e),
            };
            assert_eq!(got, expected, "{backend}: {}", i.proxy_national_id);
        }
        assert!(s.reg.own_grants(head).await.unwrap().is_empty(), "{backend}: nothing written");
        assert_eq!(s.store.proxy_load(&nid(PROXY)).await.unwrap(), 0, "{backend}");
        // Staff and outlets cannot grant for a household: only its signed-in head.
        let e = s.reg.grant_proxy(&input(&nid(PROXY), "1975-01-01", "2026-11-21", "2027-01-20"), &Actor::system("t")).await.unwrap_err();
        assert_eq!(code(e), "forbidden", "{backend}");
    }
}

pub(crate) fn mine_household(a: &Actor) -> tamwin_domain::HouseholdId {
    a.citizen_household().unwrap()
}
