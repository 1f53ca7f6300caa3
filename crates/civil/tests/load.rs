//! Loading the civil registry on both backends: the synthetic population in, bad rows and duplicates
//! out to the reject file, nothing half-written.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use tamwin_domain::Geography;
use tamwin_store::testkit;

#[tokio::test]
async fn persons_load_with_rejects_on_every_backend() {
    for (backend, store) in testkit::backends().await {
        store.migrate().await.unwrap();
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
