//! Loading the civil registry on both backends: the synthetic population in, bad rows and duplicates
//! out to the reject file, nothing half-written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use tamwin_domain::Geography;
use tamwin_store::testkit;

tamwin_store::backend_tests! {
    async fn persons_load_with_rejects_on_every_backend((backend, store) in civil_backends) {
        let dir =
            std::env::temp_dir().join(format!("tamwin-civil-{}-{backend}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let cfg = tamwin_synth::Config {
            households: 1000,
            governorate: Some("11".into()),
            ..Default::default()
        };
        let s =
            tamwin_synth::generate(&cfg, &Geography::builtin().unwrap(), &dir, &|_| {}).unwrap();
        assert!(
            s.civil_persons > 1000
                && s.civil_deceased > 0
                && s.civil_missing + s.civil_without_card > 0,
            "{s:?}"
        );
        let file = dir.join("persons.csv");
        let r = tamwin_civil::load::load_persons(
            store.clone(),
            &file,
            &dir.join("rejects.csv"),
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
        assert_eq!(r.persons, s.civil_persons, "{backend}");
        assert_eq!(r.rejected, 0);
        assert_eq!(store.civil_count().await.unwrap() as u64, s.civil_persons);

        // A file with a duplicate of a loaded person, a bad ID, a bad date, a bad phone and one good row.
        let text = std::fs::read_to_string(&file).unwrap();
        let mut lines = text.lines();
        let header = lines.next().unwrap();
        let existing = lines.next().unwrap();
        let fresh_id = tamwin_domain::NationalId::from_payload(77_000_000_001)
            .unwrap()
            .to_string();
        let good =
            format!("{fresh_id},علي,حسين,كاظم,,زينب علي حسن,1970-01-01,male,,valid,2030-01-01,,,");
        let bad_id = "123456789012,علي,حسين,كاظم,,زينب,1970-01-01,male,,,,,,";
        let bad_date = format!(
            "{},علي,حسين,كاظم,,زينب,1970-13-01,male,,,,,,",
            tamwin_domain::NationalId::from_payload(77_000_000_002).unwrap()
        );
        let bad_phone = format!(
            "{},علي,حسين,كاظم,,زينب,1970-01-01,male,12345,,,,,",
            tamwin_domain::NationalId::from_payload(77_000_000_003).unwrap()
        );
        let f2 = dir.join("more.csv");
        std::fs::write(
            &f2,
            format!("{header}\n{existing}\n{bad_id}\n{bad_date}\n{bad_phone}\n{good}\n"),
        )
        .unwrap();
        let r = tamwin_civil::load::load_persons(
            store.clone(),
            &f2,
            &dir.join("rejects2.csv"),
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
        assert_eq!((r.persons, r.rejected), (1, 4), "{backend}");
        let rejects = std::fs::read_to_string(dir.join("rejects2.csv")).unwrap();
        for code in [
            "national_id_duplicate",
            "national_id_check_digit",
            "date_invalid",
            "phone_invalid",
        ] {
            assert!(rejects.contains(code), "{backend}: {code} in {rejects}");
        }
        let p = store.civil_person(&fresh_id).await.unwrap().unwrap();
        assert_eq!(p.card_status.as_deref(), Some("valid"));
        assert_eq!(
            store.civil_count().await.unwrap() as u64,
            s.civil_persons + 1
        );

        // A wrong header loads nothing.
        std::fs::write(&f2, "national_id,name\n1,2\n").unwrap();
        assert!(
            tamwin_civil::load::load_persons(
                store.clone(),
                &f2,
                &dir.join("r3.csv"),
                Arc::new(|_| {})
            )
            .await
            .is_err()
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

fn id(payload: u64) -> String {
    tamwin_domain::NationalId::from_payload(payload)
        .unwrap()
        .to_string()
}

fn person(national_id: &str, given_name: &str) -> tamwin_store::CivilPerson {
    tamwin_store::CivilPerson {
        national_id: national_id.into(),
        given_name: given_name.into(),
        father_name: "حسين".into(),
        grandfather_name: "كاظم".into(),
        family_name: None,
        // A tab and a newline: COPY's escapes, on the path that encodes rows itself.
        mother_name: "زينب\tعلي\nحسن".into(),
        birth_date: "1970-01-01".into(),
        sex: "female".into(),
        phone: Some("+9647701234567".into()),
        card_status: None,
        card_expires: None,
        fingerprint_sha256: None,
        death_date: None,
        abroad_since: None,
    }
}

/// The reject file's rows, sorted: the two load paths write them in a different order.
fn reject_rows(path: &std::path::Path) -> Vec<String> {
    let text = std::fs::read_to_string(path).unwrap();
    let mut rows: Vec<String> = text.lines().skip(1).map(str::to_string).collect();
    rows.sort();
    rows
}

tamwin_store::backend_tests! {
    /// An initial load into an empty registry (PostgreSQL: without the key, built at the end) rejects
    /// exactly what a load into a registry that already holds persons (batches under the key) rejects,
    /// keeps the first of repeated IDs, and leaves the key in place.
    async fn initial_load_rejects_like_the_incremental_load_and_keeps_the_key(backend) {
        let dir = std::env::temp_dir().join(format!(
            "tamwin-civil-initial-{}-{backend}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let header = tamwin_domain::csv_columns::CIVIL_PERSONS.join(",");
        let row = |national_id: &str, given: &str, birth: &str| {
            format!(
                "{national_id},{given},حسين,كاظم,,\"زينب\tعلي\nحسن\",{birth},male,07701234567,valid,2030-01-01,,,"
            )
        };
        let mut text = format!("{header}\n");
        // 120,000 distinct persons: more than one batch of either path.
        for n in 0..120_000u64 {
            text.push_str(&row(&id(10_000_000_000 + n * 7919), "علي", "1970-01-01"));
            text.push('\n');
        }
        let (a, b, c) = (id(20_000_000_001), id(20_000_000_002), id(20_000_000_003));
        for line in [
            row(&a, "الأول", "1980-02-02"),
            row(&a, "الثاني", "1980-02-02"),
            row(&a, "الثالث", "1980-02-02"),
            // Repeats a person from the first batch, far back in the file.
            row(&id(10_000_000_000 + 5 * 7919), "مكرر", "1970-01-01"),
            // A refused first occurrence does not count: the second loads.
            row(&b, "تاريخ", "1980-13-01"),
            row(&b, "صحيح", "1980-02-02"),
            row(&c, "بلا", "1980-02-02").replace(",male,", ",other,"),
            "123456789012,علي,حسين,كاظم,,زينب,1970-01-01,male,,,,,,".to_string(),
        ] {
            text.push_str(&line);
            text.push('\n');
        }
        let file = dir.join("persons.csv");
        std::fs::write(&file, text).unwrap();

        // Two registries of this backend, each a fresh database.
        let ((backend, empty), (_, occupied)) =
            (testkit::civil(backend).await, testkit::civil(backend).await);
        // Someone not in the file: this registry takes the incremental path.
        let outsider = id(30_000_000_001);
        occupied
            .civil_load(&[person(&outsider, "خارج")])
            .await
            .unwrap();
        let mut reports = vec![];
        for (name, store) in [("empty", &empty), ("occupied", &occupied)] {
            let rejects = dir.join(format!("rejects-{backend}-{name}.csv"));
            let r =
                tamwin_civil::load::load_persons(store.clone(), &file, &rejects, Arc::new(|_| {}))
                    .await
                    .unwrap();
            reports.push((r.persons, r.rejected, reject_rows(&rejects)));
        }
        assert_eq!(reports[0], reports[1], "{backend}");
        let (persons, rejected, rejects) = &reports[0];
        assert_eq!((*persons, *rejected), (120_002, 6), "{backend}");
        let line0 = 120_000 + 1; // the header is line 1
        let expected = [
            format!(
                "persons.csv,{},{a},national_id_duplicate,the national ID is already in the civil registry",
                line0 + 2
            ),
            format!(
                "persons.csv,{},{a},national_id_duplicate,the national ID is already in the civil registry",
                line0 + 3
            ),
            format!(
                "persons.csv,{},{},national_id_duplicate,the national ID is already in the civil registry",
                line0 + 4,
                id(10_000_000_000 + 5 * 7919)
            ),
        ];
        for e in &expected {
            assert!(rejects.contains(e), "{backend}: {e} in {rejects:?}");
        }
        for code in ["date_invalid", "sex_invalid", "national_id_check_digit"] {
            assert!(
                rejects.iter().any(|r| r.contains(code)),
                "{backend}: {code}"
            );
        }
        assert_eq!(empty.civil_count().await.unwrap(), 120_002, "{backend}");
        assert_eq!(occupied.civil_count().await.unwrap(), 120_003, "{backend}");
        for store in [&empty, &occupied] {
            let first = store.civil_person(&a).await.unwrap().unwrap();
            assert_eq!(first.given_name, "الأول", "{backend}");
            assert_eq!(first.mother_name, "زينب\tعلي\nحسن", "{backend}");
            assert_eq!(first.phone.as_deref(), Some("+9647701234567"));
            let kept = store
                .civil_person(&id(10_000_000_000 + 5 * 7919))
                .await
                .unwrap()
                .unwrap();
            assert_eq!(kept.given_name, "علي", "{backend}");
            assert_eq!(
                store.civil_person(&b).await.unwrap().unwrap().given_name,
                "صحيح"
            );
        }

        // The key is back: a duplicate is refused, and the next load takes the incremental path,
        // rejecting everyone already there.
        assert!(
            matches!(
                empty.civil_load(&[person(&a, "مرة أخرى")]).await,
                Err(tamwin_store::StoreError::Conflict(..))
            ),
            "{backend}"
        );
        assert!(empty.civil_initial_load().await.unwrap().is_none());
        let more = dir.join(format!("more-{backend}.csv"));
        let fresh = id(20_000_000_004);
        std::fs::write(
            &more,
            format!(
                "{header}\n{}\n{}\n{}\n",
                row(&id(10_000_000_000 + 7 * 7919), "علي", "1970-01-01"),
                row(&fresh, "جديد", "1980-02-02"),
                row(&b, "صحيح", "1980-02-02"),
            ),
        )
        .unwrap();
        let again = dir.join(format!("rejects-{backend}-again.csv"));
        let r = tamwin_civil::load::load_persons(empty.clone(), &more, &again, Arc::new(|_| {}))
            .await
            .unwrap();
        assert_eq!((r.persons, r.rejected), (1, 2), "{backend}");
        assert_eq!(
            reject_rows(&again),
            [
                format!(
                    "persons.csv,2,{},national_id_duplicate,the national ID is already in the civil registry",
                    id(10_000_000_000 + 7 * 7919)
                ),
                format!(
                    "persons.csv,4,{b},national_id_duplicate,the national ID is already in the civil registry"
                ),
            ],
            "{backend}"
        );
        assert_eq!(empty.civil_count().await.unwrap(), 120_003, "{backend}");
        std::fs::remove_dir_all(&dir).ok();
    }
}

tamwin_store::backend_tests! {
    /// The store's initial load is all or nothing, and whatever happens the table keeps its key.
    async fn civil_initial_load_commits_whole_or_leaves_the_empty_keyed_table(
        (backend, store) in civil_backends
    ) {
        let keyed_and_empty = || async {
            assert_eq!(store.civil_count().await.unwrap(), 0, "{backend}");
            let p = person(&id(40_000_000_001), "علي");
            assert!(
                matches!(
                    store.civil_load(&[p.clone(), p]).await,
                    Err(tamwin_store::StoreError::Conflict(..))
                ),
                "{backend}: the key refuses a repeated ID"
            );
            assert_eq!(store.civil_count().await.unwrap(), 0, "{backend}");
        };
        let rows = |ids: &[u64]| {
            let mut rows = tamwin_store::CivilRows::default();
            for n in ids {
                rows.push(&person(&id(*n), "علي"));
            }
            rows
        };
        if backend == "sqlite" {
            // SQLite cannot drop a primary key's index: it loads with `civil_load` only.
            assert!(store.civil_initial_load().await.unwrap().is_none());
            return;
        }

        // Abandoned midway (an error, a crash): rolled back.
        let mut bulk = store.civil_initial_load().await.unwrap().unwrap();
        bulk.send(rows(&[40_000_000_002, 40_000_000_003]))
            .await
            .unwrap();
        drop(bulk);
        keyed_and_empty().await;

        // A repeated ID fails when the key is built: nothing loaded.
        let mut bulk = store.civil_initial_load().await.unwrap().unwrap();
        bulk.send(rows(&[40_000_000_002, 40_000_000_003]))
            .await
            .unwrap();
        bulk.send(rows(&[40_000_000_003])).await.unwrap();
        assert!(bulk.finish().await.is_err(), "{backend}");
        keyed_and_empty().await;

        // Finished: everything in, keyed; a registry with persons has no initial load.
        let mut bulk = store.civil_initial_load().await.unwrap().unwrap();
        bulk.send(rows(&[40_000_000_002, 40_000_000_003]))
            .await
            .unwrap();
        bulk.send(rows(&[])).await.unwrap();
        bulk.send(rows(&[40_000_000_004])).await.unwrap();
        bulk.finish().await.unwrap();
        assert_eq!(store.civil_count().await.unwrap(), 3);
        let p = store
            .civil_person(&id(40_000_000_003))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(p, person(&id(40_000_000_003), "علي"));
        assert!(
            store
                .civil_load(&[person(&id(40_000_000_004), "علي")])
                .await
                .is_err()
        );
        assert!(store.civil_initial_load().await.unwrap().is_none());
    }
}
