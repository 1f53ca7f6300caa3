//! Egypt's household income band (issue 15 point 2) on both backends: declared instead of an amount,
//! it meets the EGP 2,400 threshold for new cards only when the whole band does, in the set-based
//! counting as in the domain's rules; a declared amount wins over it; an unknown band is refused.
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
