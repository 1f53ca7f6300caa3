//! Warehouses (issue 15 point 3) on both backends: the warehouses file assigns agents to the warehouse
//! that supplies them, with a reject line for each line it cannot use, and a dry run gives each
//! warehouse's tonnage: the sum of its agents', households with no supplied agent apart.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common::booking::{code, person};
use crate::cycles::{registry, supervisor, with_programmes};
use tamwin_app::*;
use tamwin_domain::geography::RationAgent;

async fn household_of(reg: &Registry, base: u64, district: &str, agent: Option<&str>) {
    let members = vec![
        person(base, "head", "male", "1980-03-01", "كريم"),
        person(base + 1, "spouse", "female", "1984-05-02", "فاطمة"),
        person(base + 2, "son", "male", "2016-07-03", "علي"),
    ];
    let h = serde_json::from_value(
        serde_json::json!({"governorate": "11", "district": district,
        "address": "حي الحسين، دار 7", "agent_code": agent, "members": members}),
    )
    .unwrap();
    reg.create_household(&h, &Actor::system("t"), None)
        .await
        .unwrap();
}

tamwin_store::backend_tests! {
    async fn a_dry_run_gives_each_warehouse_the_sum_of_its_agents((backend, store) in backends) {
        let reg = registry(store.clone(), 23);
        with_programmes(&reg).await;
        let agent = |code: &str, district: &str| RationAgent { code: code.into(), district_code: district.into(), name_ar: format!("وكيل {code}") };
        store.save_agents(&[agent("A1", "1101"), agent("A2", "1101"), agent("A3", "1102"), agent("N1", "1201")]).await.unwrap();
        household_of(&reg, 71_000_006_000, "1101", Some("A1")).await;
        household_of(&reg, 71_000_006_100, "1101", Some("A1")).await;
        household_of(&reg, 71_000_006_200, "1101", Some("A2")).await;
        household_of(&reg, 71_000_006_300, "1102", Some("A3")).await;
        household_of(&reg, 71_000_006_400, "1102", None).await;

        let file = "warehouse_code,governorate,name_ar,agent_code\n\
                    W-HND,11,مخزن الهندية,A1\n\
                    W-HND,11,مخزن الهندية,A2\n\
                    W-KRB,11,مخزن كربلاء,A3\n\
                    W-KRB,11,مخزن كربلاء,A2\n\
                    W-HND,11,مخزن آخر,A3\n\
                    W-KRB,11,مخزن كربلاء,NOPE\n\
                    W-KRB,11,مخزن كربلاء,N1\n\
                    W-X,99,مخزن,A1\n";
        let r = reg.import_warehouses(file.as_bytes(), &Actor::system("import")).await.unwrap();
        assert_eq!((r.warehouses, r.agents), (2, 3), "{backend}: {r:?}");
        let codes: Vec<(u64, &str)> = r.rejects.iter().map(|x| (x.line, x.code)).collect();
        assert_eq!(codes, vec![(5, "agent_repeated"), (6, "agent_repeated"), (7, "agent_unknown"), (8, "agent_other_governorate"), (9, "governorate_unknown")], "{backend}");

        let dry = reg.dry_run("iq-pds", "2026-12", "11", &supervisor("ali")).await.unwrap();
        let w: Vec<(Option<&str>, i64, i64, i64)> = dry.warehouses.iter().map(|w| (w.warehouse.as_deref(), w.agents, w.households, w.persons)).collect();
        assert_eq!(w, vec![(Some("W-HND"), 2, 3, 9), (Some("W-KRB"), 1, 1, 3), (None, 0, 1, 3)], "{backend}");
        let rice = |i: usize| dry.warehouses[i].items.iter().find(|x| x.item == "rice").map(|x| (x.unit.as_str(), x.amount));
        assert_eq!(rice(0), Some(("g", 9 * 3000)), "{backend}");
        assert_eq!(rice(2), Some(("g", 3 * 3000)), "{backend}");
        // The warehouses together hand out what the governorate does.
        let total: i64 = dry.warehouses.iter().flat_map(|w| &w.items).filter(|i| i.item == "rice").map(|i| i.amount).sum();
        assert_eq!(Some(total), dry.items.iter().find(|i| i.item == "rice").map(|i| i.amount), "{backend}");

        // A wrong header is refused whole, and nothing changes.
        let e = reg.import_warehouses(b"warehouse,agent\nW9,A3\n", &Actor::system("import")).await.unwrap_err();
        assert_eq!(code(e), "warehouses_header_invalid", "{backend}");
        let again = reg.dry_run("iq-pds", "2026-12", "11", &supervisor("ali")).await.unwrap();
        assert_eq!(again.warehouses, dry.warehouses, "{backend}");
    }
}
