//! The visit: reminders the day before and no-shows, check-in by the signed form, per-member
//! verification through the hub (and with the hub down), completion, and the progress figures.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::booking::*;
use common::{advance, civil, wired};
use sha2::Digest;
use tamwin_app::appointments::BookingRequest;
use tamwin_app::*;
use tamwin_domain::HoldReason;
use tamwin_domain::access::{Area, Role};
use tamwin_store::ProgressScope;

tamwin_store::backend_tests! {
    async fn reminders_the_day_before_and_no_shows_free_the_place((backend, store) in backends) {
        let (reg, clock, _) = wired(store).await;
        let (_, hid, _) = family(&reg, 83_000_000_001, "11", "1101").await;
        body(
            &reg.book_appointment(
                &hid,
                &at("2026-11-22T08:30", Some("KRB-C01")),
                false,
                &citizen(&hid),
                None,
            )
            .await
            .unwrap(),
        );
        assert_eq!(reg.send_reminders().await.unwrap(), 1, "{backend}");
        assert_eq!(reg.send_reminders().await.unwrap(), 0, "{backend}: once");
        let sms = reg.store().outbox_recent(100).await.unwrap();
        assert!(
            sms.iter()
                .any(|m| m.body.contains("08:30") && m.body.contains("مركز حي الحسين")),
            "{backend}"
        );
        assert_eq!(
            reg.release_no_shows().await.unwrap(),
            0,
            "{backend}: the day has not passed"
        );
        // Another family checks in on the day and the visit is never completed (they left).
        let (card2, hid2, _) = family(&reg, 83_000_000_011, "11", "1101").await;
        reg.book_appointment(
            &hid2,
            &at("2026-11-22T09:00", Some("KRB-C01")),
            false,
            &citizen(&hid2),
            None,
        )
        .await
        .unwrap();
        advance(&clock, 21 * 60);
        let by_card = CheckInRequest {
            token: None,
            card_number: Some(card2.as_str().into()),
        };
        reg.check_in(&by_card, &Actor::system("t")).await.unwrap();
        advance(&clock, 2 * 24 * 60);
        assert_eq!(reg.release_no_shows().await.unwrap(), 1, "{backend}");
        let l = &reg
            .store()
            .slot_loads("KRB-C01", "2026-11-22", "2026-11-23")
            .await
            .unwrap();
        let got: Vec<(i64, i64)> = l.iter().map(|l| (l.booked, l.no_shows)).collect();
        assert_eq!(
            got,
            [(0, 1), (1, 0)],
            "{backend}: the abandoned visit used its place"
        );
        // The abandoned visit is closed, so the family can book again.
        assert_eq!(
            reg.store().appointments_of(&hid2).await.unwrap()[0]
                .status
                .code(),
            "cancelled",
            "{backend}"
        );
        reg.book_appointment(
            &hid2,
            &BookingRequest::default(),
            false,
            &citizen(&hid2),
            None,
        )
        .await
        .unwrap();
        assert_eq!(
            reg.store().appointments_of(&hid).await.unwrap()[0]
                .status
                .code(),
            "no_show"
        );
        let p = reg
            .store()
            .progress(&ProgressScope::default(), "2026-11-23")
            .await
            .unwrap();
        assert_eq!(p.no_shows, 1);
    }

    async fn the_visit_checks_in_by_the_signed_form_verifies_each_adult_and_completes(
        (backend, store) in backends
    ) {
        let (mut reg, clock, hub) = wired(store.clone()).await;
        forms(&mut reg);
        let (card, hid, members) = family(&reg, 84_000_000_001, "11", "1101").await;
        // The registry knows the head as he is, the spouse under another name; the child is a minor.
        let mut spouse = civil(&members[1], None);
        spouse.given_name = "زهراء".into();
        // The head's card carries a fingerprint template (the registry keeps its digest).
        let mut head_on_file = civil(&members[0], None);
        head_on_file.fingerprint_sha256 = Some(
            sha2::Sha256::digest(b"template-of-the-head")
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        );
        tamwin_store::testkit::civil_of(&store)
            .civil_load(&[head_on_file, spouse, civil(&members[2], None)])
            .await
            .unwrap();
        let v = body(
            &reg.book_appointment(
                &hid,
                &at("2026-11-22T09:00", Some("KRB-C01")),
                false,
                &citizen(&hid),
                None,
            )
            .await
            .unwrap(),
        );
        let token = v["token"].as_str().unwrap().to_string();
        let appt = tamwin_domain::AppointmentId::new(v["appointment_id"].as_str().unwrap());
        let desk = officer("KRB-C01", "1101");
        let by_qr = CheckInRequest {
            token: Some(token.clone()),
            card_number: None,
        };

        // Not today yet; then a forged form, a form for another centre's officer.
        assert_eq!(
            code(reg.check_in(&by_qr, &desk).await.unwrap_err()),
            "appointment_not_today",
            "{backend}"
        );
        advance(&clock, 21 * 60); // Sunday 09:00 in Iraq
        let mut forged = token.clone();
        let last = forged.pop().unwrap();
        forged.push(if last == 'A' { 'B' } else { 'A' });
        let e = reg
            .check_in(
                &CheckInRequest {
                    token: Some(forged),
                    card_number: None,
                },
                &desk,
            )
            .await
            .unwrap_err();
        assert!(code(e).starts_with("qr_"), "{backend}");
        let e = reg
            .check_in(&by_qr, &officer("KRB-C02", "1101"))
            .await
            .unwrap_err();
        assert_eq!(code(e), "not_found", "{backend}: another centre's officer");
        let e = reg
            .check_in(
                &by_qr,
                &Actor::staff("u2", "analyst", Role::Analyst, Area::Nation, "api"),
            )
            .await
            .unwrap_err();
        assert_eq!(code(e), "forbidden");

        let v = reg.check_in(&by_qr, &desk).await.unwrap();
        assert_eq!(v.status.code(), "checked_in");
        assert_eq!(
            code(reg.check_in(&by_qr, &desk).await.unwrap_err()),
            "appointment_already_used",
            "{backend}"
        );

        // Completion waits for every adult; until then no update is done.
        let before = reg.update_status(&hid, &citizen(&hid)).await.unwrap();
        assert!(
            before.last_completed.is_none() && before.visit_needed,
            "{backend}"
        );
        assert_eq!(
            code(reg.complete_visit(&appt, &desk).await.unwrap_err()),
            "attendance_incomplete"
        );
        let head = &v.members[0].member_id;
        let wife = &v.members[1].member_id;
        let kid = &v.members[2].member_id;
        let present = |docs: &[&str]| MemberCheck {
            attendance: "present".into(),
            documents_seen: docs.iter().map(|d| d.to_string()).collect(),
            note: None,
            fingerprint: None,
        };
        let e = reg
            .check_member(&appt, head, &present(&["civil_id"]), &desk)
            .await
            .unwrap_err();
        assert_eq!(code(e), "documents_insufficient", "{backend}");
        // A finger that is not his is told apart, his own matches; both calls are evidence.
        let mut other_finger = present(&["unified_card"]);
        other_finger.fingerprint = Some("someone-else".into());
        let r = reg
            .check_member(&appt, head, &other_finger, &desk)
            .await
            .unwrap();
        assert_eq!(r.fingerprint.as_deref(), Some("not_matched"), "{backend}");
        let mut his = present(&["unified_card"]);
        his.fingerprint = Some("template-of-the-head".into());
        let r = reg.check_member(&appt, head, &his, &desk).await.unwrap();
        assert_eq!(r.fingerprint.as_deref(), Some("matched"), "{backend}");
        assert_eq!(r.verification.as_deref(), Some("verified"), "{backend}");
        // The hub down while the spouse is checked: she is left pending and queued, nothing lost.
        hub.set_down(true);
        let r = reg
            .check_member(
                &appt,
                wife,
                &present(&["civil_id", "nationality_certificate"]),
                &desk,
            )
            .await
            .unwrap();
        assert_eq!(r.verification.as_deref(), Some("pending"), "{backend}");
        let pending = store.verification(&hid, wife).await.unwrap().unwrap();
        assert_eq!(pending.status, "pending");
        assert!(pending.next_attempt_at.is_some());
        hub.set_down(false);
        // Once the hub answers, the retry finds her data does not match the registry's.
        advance(&clock, 10);
        reg.retry_verifications(10).await.unwrap();
        assert_eq!(
            store
                .verification(&hid, wife)
                .await
                .unwrap()
                .unwrap()
                .status,
            "mismatch",
            "{backend}"
        );
        // The officer reads her name off the unified card and corrects it, with the reason: checked
        // again, she matches, and the mismatch hold the first answer placed is lifted.
        let mut corrected = members[1].clone();
        corrected["given_name"] = serde_json::json!("زهراء");
        let change: MemberChange = serde_json::from_value(
            serde_json::json!({"reason": "الاسم كما في البطاقة الموحدة", "member": corrected}),
        )
        .unwrap();
        let r = reg
            .correct_member(&appt, wife, &change, &desk)
            .await
            .unwrap();
        assert_eq!(r.verification.as_deref(), Some("verified"), "{backend}");
        let mut no_reason = change.clone();
        no_reason.reason = " ".into();
        let e = reg
            .correct_member(&appt, wife, &no_reason, &desk)
            .await
            .unwrap_err();
        assert_eq!(code(e), "reason_required");
        let held = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert!(
            !held
                .holds
                .iter()
                .any(|h| h.active && h.hold.reason == HoldReason::DataMismatch),
            "{backend}: the mismatch hold is lifted"
        );

        // Later the spouse is recorded absent after all (she left before her turn).
        let absent = MemberCheck {
            attendance: "absent".into(),
            documents_seen: vec![],
            note: Some("غادرت قبل دورها".into()),
            fingerprint: None,
        };
        reg.check_member(&appt, wife, &absent, &desk).await.unwrap();
        let e = reg
            .check_member(
                &appt,
                kid,
                &MemberCheck {
                    attendance: "maybe".into(),
                    documents_seen: vec![],
                    note: None,
                    fingerprint: None,
                },
                &desk,
            )
            .await
            .unwrap_err();
        assert_eq!(code(e), "attendance_invalid");
        advance(&clock, 20);
        let done = reg.complete_visit(&appt, &desk).await.unwrap();
        assert_eq!(done.status.code(), "completed", "{backend}");
        let view = reg.household(&card, &Actor::system("t")).await.unwrap();
        let held: Vec<(&str, HoldReason)> = view
            .holds
            .iter()
            .filter(|h| h.active)
            .map(|h| (h.hold.member_id.as_deref().unwrap_or(""), h.hold.reason))
            .collect();
        assert!(
            held.contains(&(wife.as_str(), HoldReason::NotVerifiedInPerson)),
            "{backend}: {held:?}"
        );
        assert!(
            !held.iter().any(|(m, _)| m == head),
            "{backend}: the head is clear"
        );
        let a = store.appointment(&appt).await.unwrap().unwrap();
        assert_eq!(a.visit_seconds, Some(30 * 60), "{backend}");
        // The family is told: the visit of the 22nd at the centre, the head verified with his unified
        // card, and the spouse still to come (so another visit is needed).
        let u = reg.update_status(&hid, &citizen(&hid)).await.unwrap();
        let done = u.last_completed.as_ref().expect("completed");
        assert_eq!(
            (done.appointment_id.as_str(), done.day.as_str()),
            (appt.as_str(), "2026-11-22"),
            "{backend}"
        );
        assert!(done.centre_name_ar.contains("حي الحسين"), "{backend}");
        assert_eq!(done.verified.len(), 1, "{backend}");
        assert_eq!(&done.verified[0].member_id, head);
        assert_eq!(done.verified[0].documents_seen, vec!["unified_card"]);
        assert!(u.visit_needed, "{backend}: the spouse still has to come");
        assert_eq!(u.still_to_verify.len(), 1, "{backend}");
        assert!(u.still_to_verify[0].starts_with("زهراء"), "{backend}");
        assert_eq!(
            code(reg.check_in(&by_qr, &desk).await.unwrap_err()),
            "appointment_already_used"
        );

        // Progress figures, nationally and for the centre.
        for scope in [
            ProgressScope::default(),
            ProgressScope {
                governorate: Some("11".into()),
                district: Some("1101".into()),
                centre: Some("KRB-C01".into()),
            },
        ] {
            let p = store.progress(&scope, "2026-11-22").await.unwrap();
            assert_eq!(
                (
                    p.households,
                    p.households_preregistered,
                    p.households_verified
                ),
                (1, 1, 1),
                "{backend} {scope:?}"
            );
            assert_eq!(p.members_verified, 1);
            assert_eq!(p.visits_completed, 1);
            assert_eq!(p.visit_minutes_avg, Some(30.0));
            assert_eq!(p.visit_minutes_p90, Some(30.0));
            assert!(
                p.holds_by_reason
                    .contains(&("not_verified_in_person".into(), 1)),
                "{backend} {:?}",
                p.holds_by_reason
            );
        }
        let other = store
            .progress(
                &ProgressScope {
                    centre: Some("KRB-C02".into()),
                    ..Default::default()
                },
                "2026-11-22",
            )
            .await
            .unwrap();
        assert_eq!(
            (other.households_preregistered, other.visits_completed),
            (0, 0),
            "{backend}"
        );

        // The token expires at the end of its day.
        advance(&clock, 24 * 60);
        let e = reg.check_in(&by_qr, &desk).await.unwrap_err();
        assert_eq!(code(e), "qr_expired", "{backend}");
    }
}
