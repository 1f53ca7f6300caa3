//! Mobile stations on both backends: scheduled by place and day within the station's governorate and
//! working hours, one place a day (also when two planners book at once), people registered only on the
//! visit's day and once each, closing and cancelling.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use tamwin_civil::stations::Stations;
use tamwin_domain::Geography;
use tamwin_store::{CivilPerson, testkit};

fn person(n: u64, death: Option<&str>) -> CivilPerson {
    CivilPerson {
        national_id: tamwin_domain::NationalId::from_payload(n)
            .unwrap()
            .to_string(),
        given_name: "حسين".into(),
        father_name: "علي".into(),
        grandfather_name: "كاظم".into(),
        family_name: None,
        mother_name: "زينب".into(),
        birth_date: "1940-01-01".into(),
        sex: "male".into(),
        phone: None,
        card_status: None,
        card_expires: None,
        fingerprint_sha256: None,
        death_date: death.map(str::to_string),
        abroad_since: None,
    }
}

tamwin_store::backend_tests! {
    async fn mobile_stations_on_every_backend(backend) {
        let geo = Geography::builtin().unwrap();
        let (backend, store) = testkit::civil(backend).await;
        let (old, dead) = (
            person(87_000_000_001, None),
            person(87_000_000_002, Some("2025-01-01")),
        );
        store
            .civil_load(&[old.clone(), dead.clone()])
            .await
            .unwrap();
        // 2026-11-22 08:00 in Baghdad.
        let st = |now: &str| Stations {
            store: store.as_ref(),
            geo: &geo,
            now: now.parse().unwrap(),
        };
        let s = st("2026-11-22T05:00:00Z");
        let station = s
            .add_site("mobile", "المحطة المتنقلة ١ - كربلاء", "1101")
            .await
            .unwrap();
        let office = s
            .add_site("office", "دائرة أحوال كربلاء", "1101")
            .await
            .unwrap();
        assert_eq!(station.governorate, "11");
        assert_eq!(
            s.add_site("bus", "x", "1101").await.unwrap_err().code,
            "site_kind_unknown"
        );
        assert_eq!(
            s.add_site("mobile", "x", "9999").await.unwrap_err().code,
            "district_unknown"
        );

        // Refusals, each by code; nothing scheduled.
        let sched = |site: &str, kind: &str, district: &str, date: &str, a: &str, b: &str| {
            let (site, kind, district, date, a, b) = (
                site.to_string(),
                kind.to_string(),
                district.to_string(),
                date.to_string(),
                a.to_string(),
                b.to_string(),
            );
            let s = st("2026-11-22T05:00:00Z");
            async move {
                s.schedule(
                    &site,
                    &kind,
                    "دار المسنين في كربلاء",
                    &district,
                    &date,
                    &a,
                    &b,
                )
                .await
            }
        };
        for (r, code) in [
            (
                sched(
                    &office.site_id,
                    "care_home",
                    "1101",
                    "2026-11-23",
                    "09:00",
                    "13:00",
                )
                .await,
                "site_not_mobile",
            ),
            (
                sched(
                    &station.site_id,
                    "market",
                    "1101",
                    "2026-11-23",
                    "09:00",
                    "13:00",
                )
                .await,
                "place_kind_unknown",
            ),
            (
                sched(
                    &station.site_id,
                    "care_home",
                    "0101",
                    "2026-11-23",
                    "09:00",
                    "13:00",
                )
                .await,
                "district_outside_governorate",
            ),
            (
                sched(
                    &station.site_id,
                    "care_home",
                    "1101",
                    "2026-11-21",
                    "09:00",
                    "13:00",
                )
                .await,
                "visit_in_past",
            ),
            (
                sched(
                    &station.site_id,
                    "care_home",
                    "1101",
                    "2026-11-23",
                    "13:00",
                    "09:00",
                )
                .await,
                "visit_hours_invalid",
            ),
            (
                sched(
                    &station.site_id,
                    "care_home",
                    "1101",
                    "2026-11-23",
                    "06:00",
                    "09:00",
                )
                .await,
                "visit_hours_invalid",
            ),
            (
                sched(
                    &station.site_id,
                    "care_home",
                    "1101",
                    "23/11/2026",
                    "09:00",
                    "13:00",
                )
                .await,
                "date_invalid",
            ),
        ] {
            assert_eq!(r.unwrap_err().code, code, "{backend}");
        }
        assert!(
            store
                .visits("2026-01-01", "2027-01-01")
                .await
                .unwrap()
                .is_empty()
        );

        // Today at a care home; tomorrow two planners book the station at once: one place a day.
        let today = sched(
            &station.site_id,
            "care_home",
            "1101",
            "٢٠٢٦-١١-٢٢",
            "09:00",
            "13:00",
        )
        .await
        .unwrap();
        let (a, b) = tokio::join!(
            sched(
                &station.site_id,
                "camp",
                "1102",
                "2026-11-23",
                "08:00",
                "12:00"
            ),
            sched(
                &station.site_id,
                "remote_area",
                "1103",
                "2026-11-23",
                "08:00",
                "12:00"
            )
        );
        assert_eq!(u8::from(a.is_ok()) + u8::from(b.is_ok()), 1, "{backend}");
        assert_eq!(
            [a, b].into_iter().find_map(Result::err).unwrap().code,
            "station_busy_that_day"
        );
        let schedule = store.visits("2026-11-22", "2026-11-30").await.unwrap();
        assert_eq!(schedule.len(), 2, "{backend}");
        assert_eq!(schedule[0].visit_id, today.visit_id);

        // Registration: today only, once per person, living people on file only.
        assert!(
            s.register(&today.visit_id, &old.national_id, "card_with_delivery")
                .await
                .unwrap()
        );
        assert!(
            !s.register(&today.visit_id, &old.national_id, "card_with_delivery")
                .await
                .unwrap(),
            "once"
        );
        assert_eq!(
            s.register(&today.visit_id, &dead.national_id, "card_application")
                .await
                .unwrap_err()
                .code,
            "person_deceased"
        );
        assert_eq!(
            s.register(&today.visit_id, "123", "card_application")
                .await
                .unwrap_err()
                .code,
            "national_id_invalid"
        );
        assert_eq!(
            s.register(&today.visit_id, &old.national_id, "haircut")
                .await
                .unwrap_err()
                .code,
            "service_unknown"
        );
        assert_eq!(
            s.register(&schedule[1].visit_id, &old.national_id, "card_application")
                .await
                .unwrap_err()
                .code,
            "visit_not_open"
        );
        let regs = store.visit_registrations(&today.visit_id).await.unwrap();
        assert_eq!(
            (regs.len(), regs[0].1.as_str()),
            (1, "card_with_delivery"),
            "{backend}"
        );
        assert_eq!(
            store
                .visit(&today.visit_id)
                .await
                .unwrap()
                .unwrap()
                .registered,
            1
        );

        // Closing: a visit with people is closed, not cancelled; then registration is shut.
        assert_eq!(
            s.close(&today.visit_id, true).await.unwrap_err().code,
            "visit_has_registrations"
        );
        s.close(&today.visit_id, false).await.unwrap();
        assert_eq!(
            s.register(&today.visit_id, &old.national_id, "record_update")
                .await
                .unwrap_err()
                .code,
            "visit_not_open"
        );
        // Cancelling tomorrow's frees the day for another place.
        s.close(&schedule[1].visit_id, true).await.unwrap();
        sched(
            &station.site_id,
            "hospital",
            "1101",
            "2026-11-23",
            "10:00",
            "14:00",
        )
        .await
        .unwrap();
    }
}
