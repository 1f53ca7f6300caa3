//! What households declare for eligibility (issue 15 point 2) on both backends. Egypt's income band:
//! declared instead of an amount, it meets the EGP 2,400 threshold for new cards only when the whole
//! band does, in the set-based counting as in the domain's rules; a declared amount wins over it; an
//! unknown band is refused. The declarations file: the columns it has, applied in one transaction,
//! with a reject line for each line it cannot use, and refused whole for a bad header or encoding.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::{code, family};
use crate::cycles::{registry, supervisor, with_programmes};
use tamwin_app::declarations::DeclarationsInput;
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};

fn declared(v: serde_json::Value) -> DeclarationsInput {
    serde_json::from_value(v).unwrap()
}

tamwin_store::backend_tests! {
    async fn a_declared_income_band_excludes_a_household_only_when_all_of_it_is_over_the_threshold((backend, store) in backends) {
        let reg = registry(store.clone(), 21);
        with_programmes(&reg).await;
        let officer = Actor::staff("o1", "officer", Role::CentreOfficer, Area::Governorate("11".into()), "api");
        let (over, _, _) = family(&reg, 71_000_004_000, "11", "1101").await;
        let (under, _, _) = family(&reg, 71_000_004_100, "11", "1101").await;
        let (amount_wins, _, _) = family(&reg, 71_000_004_200, "11", "1102").await;
        let before = reg.dry_run("eg-bread", "2026-12", "11", &supervisor("ali")).await.unwrap();
        assert_eq!(before.households, 3, "{backend}");

        let view = reg.declare(&over, &declared(serde_json::json!({"income_band": "2400_4999"})), &officer).await.unwrap();
        assert_eq!(view.income_band.as_deref(), Some("2400_4999"), "{backend}");
        reg.declare(&under, &declared(serde_json::json!({"income_band": "1000_2399"})), &officer).await.unwrap();
        // EGP 2,000 a month on record (200,000 piastres): the band is not read.
        let both = serde_json::json!({"income_band": "5000_plus", "household_monthly_income": 200_000});
        reg.declare(&amount_wins, &declared(both), &officer).await.unwrap();

        let after = reg.dry_run("eg-bread", "2026-12", "11", &supervisor("ali")).await.unwrap();
        assert_eq!(after.households, 2, "{backend}: only the household whose whole band is over EGP 2,400 leaves");
        assert_eq!(after.persons, before.persons - 3, "{backend}");

        // An unknown band is refused and nothing changes.
        let bad = reg.declare(&under, &declared(serde_json::json!({"income_band": "rich"})), &officer).await.unwrap_err();
        assert_eq!(code(bad), "income_band_unknown", "{backend}");
        let seen = reg.declarations(&under, &officer).await.unwrap();
        assert_eq!(seen.income_band.as_deref(), Some("1000_2399"), "{backend}");
        // `null` clears it.
        let cleared = reg.declare(&over, &declared(serde_json::json!({"income_band": null})), &officer).await.unwrap();
        assert_eq!(cleared.income_band, None, "{backend}");
        let back = reg.dry_run("eg-bread", "2026-12", "11", &supervisor("ali")).await.unwrap();
        assert_eq!(back.households, 3, "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn a_declarations_file_changes_the_columns_it_has_and_rejects_the_lines_it_cannot_use((backend, store) in backends) {
        let reg = registry(store.clone(), 22);
        with_programmes(&reg).await;
        let system = Actor::system("import");
        let (a, _, _) = family(&reg, 71_000_005_000, "11", "1101").await;
        let (b, _, _) = family(&reg, 71_000_005_100, "11", "1101").await;
        let (c, _, _) = family(&reg, 71_000_005_200, "11", "1102").await;
        let (gone, _, _) = family(&reg, 71_000_005_300, "11", "1102").await;
        let (e, _, _) = family(&reg, 71_000_005_400, "11", "1102").await;
        reg.close_household(&gone, &Closure { reason: "emigrated".into() }, &system, None).await.unwrap();
        reg.declare(&b, &declared(serde_json::json!({"head_sector": "private"})), &system).await.unwrap();

        let file = format!(
            "\u{feff}card_number,head_sector,household_monthly_income,income_band\n\
             {a},public,,2400_4999\n\
             {b},,150000,\n\
             123,public,,\n\
             {gone},none,,\n\
             {a},retired,,\n\
             {c},pirate,,\n\
             {e},none,-5,\n"
        );
        let r = reg.import_declarations(file.as_bytes(), &system).await.unwrap();
        assert_eq!((r.changed, r.unchanged), (2, 0), "{backend}: {r:?}");
        let codes: Vec<(u64, &str)> = r.rejects.iter().map(|x| (x.line, x.code)).collect();
        assert_eq!(
            codes,
            vec![(4, "card_number_malformed"), (5, "card_unknown"), (6, "card_repeated"), (7, "sector_unknown"), (8, "income_negative")],
            "{backend}"
        );
        let da = reg.declarations(&a, &system).await.unwrap();
        assert_eq!((da.head_sector.as_deref(), da.household_monthly_income, da.income_band.as_deref()), (Some("public"), None, Some("2400_4999")), "{backend}");
        // An empty cell clears: B's sector was private.
        let db = reg.declarations(&b, &system).await.unwrap();
        assert_eq!((db.head_sector.as_deref(), db.household_monthly_income), (None, Some(150_000)), "{backend}");
        let dc = reg.declarations(&c, &system).await.unwrap();
        assert_eq!(dc.head_sector, None, "{backend}: C's line was rejected");
        assert_eq!(reg.declarations(&e, &system).await.unwrap().head_sector, None, "{backend}: so was E's, whole");
        // The same file again changes nothing.
        let again = reg.import_declarations(file.as_bytes(), &system).await.unwrap();
        assert_eq!((again.changed, again.unchanged), (0, 2), "{backend}");

        // A column the format does not have, or no card column, or bytes that are not UTF-8: refused whole.
        for bad in [format!("card_number,head_sektor\n{c},public\n").into_bytes(), b"head_sector\npublic\n".to_vec(), b"card_number,head_sector\n\xff\xfe,public\n".to_vec()] {
            let e = reg.import_declarations(&bad, &system).await.unwrap_err();
            assert!(["declarations_header_invalid", "file_encoding_invalid"].contains(&code(e).as_str()), "{backend}");
        }
        assert_eq!(reg.declarations(&c, &system).await.unwrap().head_sector, None, "{backend}");
    }
}
