//! Complaints about outlets (issue 16 point 7) on both backends: a family complains about its agent,
//! naming a collection it did not make, which is marked for auditors; a receipt of another family, a
//! missing receipt and a second complaint of the kind about it are refused and write nothing; a
//! supervisor of the governorate sees, assigns and resolves it with a reply the family reads, and the
//! time to resolution is kept; a supervisor of another governorate sees nothing of it.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::code;
use crate::cycles::supervisor;
use crate::redemption::{ask, card_qr, device, qr, redeem, setup};
use tamwin_app::complaints::ComplaintInput;
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};

fn ali_of() -> Actor {
    supervisor("ali")
}

fn input(kind: &str, receipt: Option<&str>) -> ComplaintInput {
    ComplaintInput {
        outlet: Some("A1101-001".into()),
        kind: kind.into(),
        redemption_id: receipt.map(str::to_string),
        statement: "لم نستلم شيئاً في ذلك اليوم".into(),
    }
}

tamwin_store::backend_tests! {
    async fn a_family_complains_a_supervisor_assigns_and_resolves_and_the_family_reads_the_reply(
        (backend, store) in backends
    ) {
        let s = setup(store.clone(), 51, "iq-pds").await;
        let q = card_qr(&s).await;
        let v = redeem(&s, &ask("c-1", qr(&q), &[("rice", 1000.into())]), &device("d1", "A1101-001")).await.unwrap();
        let receipt = v["redemption_id"].as_str().unwrap().to_string();
        let citizen = Actor::citizen(&s.hid, "07801234567", "web");
        // Refused, writing nothing: no receipt for a collection not made, an unknown kind, an empty
        // statement, another family's receipt.
        assert_eq!(code(s.reg.file_complaint(&input("collection_not_made", None), &citizen).await.unwrap_err()), "complaint_receipt_missing", "{backend}");
        assert_eq!(code(s.reg.file_complaint(&input("bribery", None), &citizen).await.unwrap_err()), "complaint_kind_unknown", "{backend}");
        let empty = ComplaintInput { statement: "  ".into(), ..input("short_weight", None) };
        assert_eq!(code(s.reg.file_complaint(&empty, &citizen).await.unwrap_err()), "text_required", "{backend}");
        assert_eq!(code(s.reg.file_complaint(&input("collection_not_made", Some("not-ours")), &citizen).await.unwrap_err()), "complaint_receipt_unknown", "{backend}");
        assert!(s.reg.own_complaints(&citizen).await.unwrap().is_empty(), "{backend}");
        // Filed: the collection is marked for auditors; the same again is refused.
        let c = s.reg.file_complaint(&input("collection_not_made", Some(&receipt)), &citizen).await.unwrap();
        assert_eq!((c.status.as_str(), c.outlet_code.as_str()), ("open", "A1101-001"), "{backend}");
        assert_eq!(code(s.reg.file_complaint(&input("collection_not_made", Some(&receipt)), &citizen).await.unwrap_err()), "complaint_exists", "{backend}");
        let red = store.redemption(&s.hid, &receipt).await.unwrap().unwrap();
        assert_eq!(store.household_redemptions(&s.hid).await.unwrap().len(), 1, "{backend}");
        assert!(red.voided_at.is_none(), "{backend}: the collection stays");
        assert_eq!(red.disputed_by.as_deref(), Some(c.complaint_id.as_str()), "{backend}: marked for auditors");
        let auditor = Actor::staff("a1", "auditor", Role::Auditor, Area::Governorate("11".into()), "api");
        let disputed = s.reg.disputed_collections(&auditor).await.unwrap();
        assert_eq!((disputed.len(), disputed[0].complaint_id.as_str()), (1, c.complaint_id.as_str()), "{backend}");
        assert_eq!(code(s.reg.disputed_collections(&ali_of()).await.unwrap_err()), "forbidden", "{backend}: a supervisor is no auditor");
        // Karbala's supervisor sees it; Baghdad's does not.
        let ali = supervisor("ali");
        let list = s.reg.complaints("11", None, &ali).await.unwrap();
        assert_eq!(list.len(), 1, "{backend}");
        let baghdad = Actor::staff("b1", "baghdad", Role::GovernorateSupervisor, Area::Governorate("01".into()), "api");
        assert_eq!(code(s.reg.complaints("11", None, &baghdad).await.unwrap_err()), "not_found", "{backend}");
        assert_eq!(code(s.reg.assign_complaint(&c.complaint_id, "x", &baghdad).await.unwrap_err()), "not_found", "{backend}");
        // Resolved only once assigned; then the family reads the reply, and the time it took is kept.
        assert_eq!(code(s.reg.resolve_complaint(&c.complaint_id, "checked", &ali).await.unwrap_err()), "complaint_not_assigned", "{backend}");
        s.reg.assign_complaint(&c.complaint_id, "inspector.karbala", &ali).await.unwrap();
        *s.clock.0.lock().unwrap() = "2026-12-05T12:00:00Z".parse().unwrap();
        s.reg.resolve_complaint(&c.complaint_id, "زار المفتش الوكيل؛ أُلغي الاستلام وعوقب الوكيل", &ali).await.unwrap();
        let mine = s.reg.own_complaints(&citizen).await.unwrap();
        assert_eq!(mine[0].status, "resolved", "{backend}");
        assert!(mine[0].reply.as_deref().unwrap().contains("المفتش"), "{backend}");
        assert_eq!(mine[0].hours_to_resolve, Some(51), "{backend}: from the 3rd 09:00 to the 5th 12:00");
        assert_eq!(code(s.reg.assign_complaint(&c.complaint_id, "x", &ali).await.unwrap_err()), "complaint_resolved", "{backend}");
        let audit = store.household_audit(&s.hid, &["complaint.filed", "complaint.assigned", "complaint.resolved"], 10).await.unwrap();
        assert_eq!(audit.len(), 3, "{backend}");
    }
}
