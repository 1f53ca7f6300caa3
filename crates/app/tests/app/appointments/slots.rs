//! Booking: by geography with its refusals, the nearest free centre, no overbooking under
//! concurrency or a rush, one booking per repeated submission, reschedule and cancel.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use common::booking::*;
use common::wired;
use std::sync::Arc;
use tamwin_app::appointments::{BookingRequest, MemberDeclaration};
use tamwin_app::*;
use tamwin_store::ProgressScope;

tamwin_store::backend_tests! {
    async fn booking_follows_geography_and_refuses_bad_slots((backend, store) in backends) {
        let (mut reg, _, _) = wired(store).await;
        forms(&mut reg);
        let (_, hid, _) = family(&reg, 81_000_000_001, "11", "1104").await;
        let me = citizen(&hid);
        for (req, want) in [
            (at("2026-11-21T10:00", None), "slot_in_past"),
            (at("2026-11-22T07:30", None), "slot_outside_hours"),
            (at("2026-11-22T20:00", None), "slot_outside_hours"),
            (at("2026-11-22T09:10", None), "slot_not_on_grid"),
            (at("2026-11-27T09:00", None), "slot_closed_day"),
            (at("2027-01-22T09:00", None), "slot_too_far_ahead"),
            (at("tomorrow", None), "slot_invalid"),
            (at("2026-11-22T09:00", Some("KRB-X99")), "centre_unknown"),
        ] {
            let e = reg
                .book_appointment(&hid, &req, false, &me, None)
                .await
                .unwrap_err();
            assert_eq!(code(e), want, "{backend} {:?}", req.starts_at);
        }
        reg.store()
            .save_holiday("*", "2026-11-23", "عطلة")
            .await
            .unwrap();
        let e = reg
            .book_appointment(&hid, &at("2026-11-23T09:00", None), false, &me, None)
            .await
            .unwrap_err();
        assert_eq!(code(e), "slot_holiday", "{backend}");

        // A member under 18 cannot be marked required, an adult cannot be excused.
        let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
        let child = rec
            .members
            .iter()
            .find(|m| m.member_no == 3)
            .unwrap()
            .member_id
            .clone();
        let spouse = rec
            .members
            .iter()
            .find(|m| m.member_no == 2)
            .unwrap()
            .member_id
            .clone();
        let mut req = at("2026-11-22T09:00", None);
        req.members = vec![MemberDeclaration {
            member_id: child.clone(),
            national_id: None,
            documents: vec![],
            required: Some(true),
        }];
        assert_eq!(
            code(
                reg.book_appointment(&hid, &req, false, &me, None)
                    .await
                    .unwrap_err()
            ),
            "minor_not_required"
        );
        req.members = vec![MemberDeclaration {
            member_id: spouse.clone(),
            national_id: None,
            documents: vec![],
            required: Some(false),
        }];
        assert_eq!(
            code(
                reg.book_appointment(&hid, &req, false, &me, None)
                    .await
                    .unwrap_err()
            ),
            "adult_must_attend"
        );
        req.members = vec![MemberDeclaration {
            member_id: spouse.clone(),
            national_id: None,
            documents: vec!["passport".into()],
            required: None,
        }];
        assert_eq!(
            code(
                reg.book_appointment(&hid, &req, false, &me, None)
                    .await
                    .unwrap_err()
            ),
            "document_unknown"
        );
        assert!(
            reg.store().appointments_of(&hid).await.unwrap().is_empty(),
            "{backend}: nothing booked by refusals"
        );

        // The household's own district's centre, with adults required and documents declared.
        req.members = vec![MemberDeclaration {
            member_id: spouse.clone(),
            national_id: None,
            documents: vec!["nationality_certificate".into(), "civil_id".into()],
            required: Some(true),
        }];
        let o = reg
            .book_appointment(&hid, &req, false, &me, None)
            .await
            .unwrap();
        assert_eq!(o.status, 201);
        let v = body(&o);
        assert_eq!(
            v["centre_code"], "KRB-D04",
            "{backend}: al-Hurr's own centre"
        );
        assert_eq!(v["starts_at"], "2026-11-22T09:00");
        let required: Vec<bool> = v["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["required"].as_bool().unwrap())
            .collect();
        assert_eq!(required, [true, true, false]);
        assert_eq!(
            v["members"][1]["declared_documents"],
            serde_json::json!(["civil_id", "nationality_certificate"])
        );
        assert!(v["token"].as_str().unwrap().starts_with("TMW1:"));

        // One open appointment: a second booking is refused, a reschedule moves it and frees the place.
        let e = reg
            .book_appointment(&hid, &at("2026-11-22T10:00", None), false, &me, None)
            .await
            .unwrap_err();
        assert_eq!(code(e), "appointment_already_booked");
        let o = reg
            .book_appointment(&hid, &at("2026-11-24T11:30", None), true, &me, None)
            .await
            .unwrap();
        assert_eq!(o.status, 200);
        let loads = reg
            .store()
            .slot_loads("KRB-D04", "2026-11-22", "2026-11-25")
            .await
            .unwrap();
        let booked: Vec<(String, i64)> = loads
            .iter()
            .map(|l| (l.starts_at.clone(), l.booked))
            .collect();
        assert_eq!(
            booked,
            [
                ("2026-11-22T09:00".into(), 0),
                ("2026-11-24T11:30".into(), 1)
            ],
            "{backend}"
        );
        let all = reg.store().appointments_of(&hid).await.unwrap();
        let states: Vec<&str> = all.iter().map(|a| a.status.code()).collect();
        assert_eq!(states, ["booked", "rescheduled"], "{backend}");
        reg.cancel_appointment(&hid, &me).await.unwrap();
        assert_eq!(
            code(reg.cancel_appointment(&hid, &me).await.unwrap_err()),
            "no_open_appointment"
        );
        let loads = reg
            .store()
            .slot_loads("KRB-D04", "2026-11-24", "2026-11-25")
            .await
            .unwrap();
        assert_eq!(
            loads[0].booked, 0,
            "{backend}: a cancellation frees the place"
        );

        // Another household may not book for this one; a Baghdad household cannot book Karbala's centre.
        let (_, other, _) = family(&reg, 81_000_000_011, "01", "0101").await;
        let e = reg
            .book_appointment(
                &hid,
                &at("2026-11-22T10:00", None),
                false,
                &citizen(&other),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(code(e), "not_found");
        let e = reg
            .book_appointment(
                &other,
                &at("2026-11-22T10:00", Some("KRB-C01")),
                false,
                &citizen(&other),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(code(e), "centre_other_governorate", "{backend}");
        let e = reg
            .book_appointment(
                &other,
                &BookingRequest::default(),
                false,
                &citizen(&other),
                None,
            )
            .await
            .unwrap_err();
        assert_eq!(code(e), "no_update_centre", "{backend}");
    }

    async fn a_full_centre_sends_the_household_to_the_nearest_free_one(
        (backend, store) in backends
    ) {
        let (mut reg, _, _) = wired(store).await;
        counters(&mut reg, 1);
        let (_, a, _) = family(&reg, 81_000_000_101, "11", "1104").await;
        let (_, b, _) = family(&reg, 81_000_000_111, "11", "1104").await;
        let (_, c, _) = family(&reg, 81_000_000_121, "11", "1104").await;
        let t = "2026-11-22T09:00";
        let va = body(
            &reg.book_appointment(&a, &at(t, None), false, &citizen(&a), None)
                .await
                .unwrap(),
        );
        assert_eq!(va["centre_code"], "KRB-D04");
        // Full at al-Hurr: the nearest centre with a free counter at that hour, in Karbala city.
        let vb = body(
            &reg.book_appointment(&b, &at(t, None), false, &citizen(&b), None)
                .await
                .unwrap(),
        );
        let centre = vb["centre_code"].as_str().unwrap();
        assert!(centre.starts_with("KRB-C"), "{backend}: {centre}");
        // The city centre's figures count the al-Hurr household it serves.
        let scope = ProgressScope {
            governorate: Some("11".into()),
            district: Some("1101".into()),
            centre: Some(centre.to_string()),
        };
        let p = reg.store().progress(&scope, "2026-11-21").await.unwrap();
        assert_eq!(
            (p.households_preregistered, p.appointments_due),
            (1, 1),
            "{backend}"
        );
        // Asking for the full centre itself is refused.
        let e = reg
            .book_appointment(&c, &at(t, Some("KRB-D04")), false, &citizen(&c), None)
            .await
            .unwrap_err();
        assert_eq!(code(e), "slot_full", "{backend}");
        // Without a time: the earliest free slot at the district's centre.
        let vc = body(
            &reg.book_appointment(&c, &BookingRequest::default(), false, &citizen(&c), None)
                .await
                .unwrap(),
        );
        assert_eq!(vc["centre_code"], "KRB-D04");
        // The earliest free slot is later today.
        assert_eq!(vc["starts_at"], "2026-11-21T12:30", "{backend}");
        let days = reg
            .free_slots(&a, "2026-11-22".parse().unwrap(), &citizen(&a))
            .await
            .unwrap();
        assert_eq!(days[0].centre_code, "KRB-D04");
        assert!(days[0].own_district);
        assert!(!days[0].slots.iter().any(|s| s.starts_at == t), "{backend}");
        assert_eq!(days[0].slots.len(), 23);
    }

    async fn no_slot_is_overbooked_and_a_repeated_submission_books_once(
        (backend, store) in backends
    ) {
        let (mut reg, _, _) = wired(store).await;
        counters(&mut reg, 3);
        let reg = Arc::new(reg);
        let mut households = vec![];
        for i in 0..20u64 {
            households.push(family(&reg, 82_000_000_001 + i * 10, "11", "1105").await.1);
        }
        let mut tasks = vec![];
        for hid in households.clone() {
            let reg = reg.clone();
            tasks.push(tokio::spawn(async move {
                reg.book_appointment(
                    &hid,
                    &at("2026-11-22T09:00", Some("KRB-D05")),
                    false,
                    &citizen(&hid),
                    None,
                )
                .await
            }));
        }
        let mut ok = 0;
        for t in tasks {
            match t.await.unwrap() {
                Ok(_) => ok += 1,
                Err(e) => assert_eq!(code(e), "slot_full", "{backend}"),
            }
        }
        assert_eq!(ok, 3, "{backend}");
        let loads = reg
            .store()
            .slot_loads("KRB-D05", "2026-11-22", "2026-11-23")
            .await
            .unwrap();
        assert_eq!((loads[0].booked, loads[0].capacity), (3, 3), "{backend}");
        let booked = reg
            .store()
            .appointments_at("KRB-D05", "2026-11-22", "2026-11-23")
            .await
            .unwrap();
        assert_eq!(booked.len(), 3, "{backend}");

        // The same submission five times at once (a double tap, a retried request): one booking.
        let hid = households
            .iter()
            .find(|h| !booked.iter().any(|a| &a.household_id == *h))
            .unwrap()
            .clone();
        let idem = IdemRequest {
            key: "k-1".into(),
            request_hash: "h-1".into(),
        };
        let mut tasks = vec![];
        for _ in 0..5 {
            let (reg, hid, idem) = (reg.clone(), hid.clone(), idem.clone());
            tasks.push(tokio::spawn(async move {
                reg.book_appointment(
                    &hid,
                    &at("2026-11-22T10:00", Some("KRB-D05")),
                    false,
                    &citizen(&hid),
                    Some(&idem),
                )
                .await
                .map(|o| o.body)
            }));
        }
        let mut bodies = vec![];
        for t in tasks {
            bodies.push(t.await.unwrap().unwrap());
        }
        assert!(
            bodies.iter().all(|b| *b == bodies[0]),
            "{backend}: every retry answers the same"
        );
        assert_eq!(
            reg.store().appointments_of(&hid).await.unwrap().len(),
            1,
            "{backend}"
        );
    }

    async fn the_earliest_free_slot_under_a_rush_never_overbooks((backend, store) in backends) {
        let (mut reg, _, _) = wired(store).await;
        counters(&mut reg, 2);
        let reg = Arc::new(reg);
        let mut households = vec![];
        for i in 0..16u64 {
            households.push(family(&reg, 83_000_000_001 + i * 10, "11", "1105").await.1);
        }
        // Every household at once, no time asked: the earliest free slot, chosen in the transaction.
        let tasks: Vec<_> = households
            .iter()
            .cloned()
            .map(|hid| {
                let reg = reg.clone();
                tokio::spawn(async move {
                    let req = BookingRequest {
                        centre: Some("KRB-D05".into()),
                        ..BookingRequest::default()
                    };
                    reg.book_appointment(&hid, &req, false, &citizen(&hid), None)
                        .await
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        let loads = reg
            .store()
            .slot_loads("KRB-D05", "2026-01-01", "2027-12-31")
            .await
            .unwrap();
        let booked = reg
            .store()
            .appointments_at("KRB-D05", "2026-01-01", "2027-12-31")
            .await
            .unwrap();
        assert_eq!(booked.len(), 16, "{backend}");
        for l in &loads {
            let n = booked.iter().filter(|a| a.starts_at == l.starts_at).count() as i64;
            assert!(l.booked <= l.capacity && l.booked == n, "{backend}: {l:?}");
        }
        // Sixteen bookings at two counters. SQLite has one writer: eight slots, all full, in order.
        // PostgreSQL passes over a slot another booking holds at that instant (SKIP LOCKED): the
        // first slot fills and none is overbooked, but a few may be left with one place.
        let used: Vec<_> = loads.iter().filter(|l| l.booked > 0).collect();
        assert_eq!(used[0].booked, 2, "{backend}: {loads:?}");
        if backend == "sqlite" {
            assert_eq!(used.len(), 8, "{backend}: {loads:?}");
            assert!(used.iter().all(|l| l.booked == 2), "{backend}");
        } else {
            assert!(used.len() >= 8, "{backend}: {loads:?}");
        }
    }
}
