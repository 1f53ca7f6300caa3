//! The screening signal of powers of attorney (issue 17 point 5) on both backends: a proxy collecting
//! for a card with a member recorded deceased, collecting right after a grant made when the family's
//! phone had just changed, and one person proxy for three families are raised for auditors as findings
//! of the kind `proxy`, once each; confirmed, the grant ends at once (no hold on the family) and the
//! family is told; cleared, nothing changes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::family;
use crate::common::civil;
use crate::proxies::{code_to, input};
use crate::proxy_collection::{Granted, granted_after};
use crate::redemption::{ask, device, qr, redeem, system};
use tamwin_app::redemption::ProxyPresented;
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::screening::{FindingKind, FindingStatus};

tamwin_store::backend_tests! {
    async fn a_proxy_for_the_absent_after_a_phone_change_or_for_many_families_is_raised_for_auditors((backend, store) in backends) {
        let Granted { s, proxy_nid, grant, other, .. } = granted_after(store.clone(), true).await;
        // The proxy collects for the family with their own card.
        let own_qr = s.reg.own_card_qr(false, &Actor::citizen(&other, "07809999999", "web")).await.unwrap();
        let mut r = ask("s-1", qr(&own_qr), &[("rice", 1000.into())]);
        r.collector_member_no = None;
        r.proxy = Some(ProxyPresented { national_id: proxy_nid.clone(), for_card: s.card.to_string(), code: None });
        redeem(&s, &r, &device("d1", "A1101-001")).await.unwrap();
        // The spouse is then recorded deceased.
        let rec = s.store.household_by_id(&s.hid).await.unwrap().unwrap();
        let spouse = rec.members.iter().find(|m| m.member_no == 2).unwrap().member_id.clone();
        let hold = HoldInput {
            member_id: Some(spouse.clone()),
            reason: "deceased".into(),
            evidence: "deceased since 2026-11-20".into(),
            source: "civil_registry".into(),
        };
        s.reg.place_hold(&s.card, &hold, &system(), None).await.unwrap();
        // Two more families name the same proxy, confirmed on both sides: three households.
        let mut people = vec![];
        let mut heads = vec![];
        for k in 0..2u64 {
            let (_, hid, members) = family(&s.reg, 74_000_001_000 + 100 * k, "11", "1101").await;
            for (i, m) in members.iter().enumerate() {
                let mut p = civil(m, None);
                p.phone = Some(format!("+96478044{k}{i:04}"));
                people.push(p);
            }
            heads.push((hid, format!("+96478044{k}0000")));
        }
        tamwin_store::testkit::civil_of(&store).civil_load(&people).await.unwrap();
        for (hid, phone) in &heads {
            let head = Actor::citizen(hid, "07801111111", "web");
            let g = s.reg.grant_proxy(&input(&proxy_nid, "1980-03-01", "2026-12-03", "2027-03-01"), &head).await.unwrap().grant;
            s.reg.confirm_grant(&g.grant_id, &code_to(&s.store, phone).await, &head).await.unwrap();
            s.reg.answer_grant(&proxy_nid, &code_to(&s.store, "+9647803330003").await, true).await.unwrap();
        }

        let auditor = Actor::staff("u1", "auditor.karbala", Role::Auditor, Area::Governorate("11".into()), "web");
        crate::screening::run(&s.reg, &auditor).await;
        let proxies = |fs: Vec<tamwin_store::ScreeningFinding>| -> Vec<tamwin_store::ScreeningFinding> {
            fs.into_iter().filter(|f| f.kind == FindingKind::Proxy).collect()
        };
        let found = proxies(s.reg.screening_findings(&auditor, tamwin_store::FindingFilter { kind: Some("proxy".into()), limit: 100, ..Default::default() }).await.unwrap());
        let mut keys: Vec<String> = found.iter().map(|f| f.pair_key.clone()).collect();
        keys.sort();
        let mut want = vec![
            format!("proxy:absent:{}:review", grant.grant_id),
            format!("proxy:phone:{}", grant.grant_id),
            format!("proxy:many:{proxy_nid}:{}", s.hid),
            format!("proxy:many:{proxy_nid}:{}", heads[0].0),
            format!("proxy:many:{proxy_nid}:{}", heads[1].0),
        ];
        want.sort();
        assert_eq!(keys, want, "{backend}");
        let absent = found.iter().find(|f| f.pair_key.starts_with("proxy:absent")).unwrap();
        assert_eq!((absent.member_id.clone(), absent.other_national_id.as_deref()), (spouse.clone(), Some(proxy_nid.as_str())), "{backend}");
        assert!(absent.explanation.contains("proxy_members_deceased=1/"), "{backend}: {}", absent.explanation);
        // Raised once: a second run finds them again and adds nothing.
        crate::screening::run(&s.reg, &auditor).await;
        let again = proxies(s.reg.screening_findings(&auditor, tamwin_store::FindingFilter { kind: Some("proxy".into()), limit: 100, ..Default::default() }).await.unwrap());
        assert_eq!(again.len(), 5, "{backend}");

        // Cleared: nothing changes. Confirmed: the grant ends at once, the family told, no hold placed.
        let many = found.iter().find(|f| f.pair_key.contains(heads[0].0.as_str())).unwrap();
        s.reg.decide_screening_finding(&auditor, &many.finding_id, false, "a neighbour helping, checked").await.unwrap();
        let holds_before = s.store.household_by_id(&s.hid).await.unwrap().unwrap().active_holds().count();
        let decided = s.reg.decide_screening_finding(&auditor, &absent.finding_id, true, "collecting for the dead").await.unwrap();
        assert!(decided.effective_at.is_none(), "{backend}");
        let after = s.store.finding(&absent.finding_id).await.unwrap().unwrap();
        assert_eq!(after.status, FindingStatus::InEffect, "{backend}");
        let grants = s.reg.household_grants(&s.card, &auditor).await.unwrap();
        assert_eq!(grants[0].status, "revoked", "{backend}");
        let rec = s.store.household_by_id(&s.hid).await.unwrap().unwrap();
        assert_eq!(rec.active_holds().count(), holds_before, "{backend}: no hold on the family");
        let sms = s.reg.outbox(20).await.unwrap();
        assert!(sms.iter().any(|m| m.body.contains("أُلغيت الوكالة")), "{backend}: {sms:?}");
        // The cleared family's grant is untouched.
        let kept = s.store.household_grants(&heads[0].0).await.unwrap();
        assert_eq!(kept[0].status, tamwin_domain::proxy::GrantStatus::AwaitingPayment, "{backend}");
    }
}
