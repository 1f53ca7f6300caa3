//! The conformance suite: every store operation, driven through the use cases, on SQLite and PostgreSQL.
//! This file holds the households the stories make; each capability is a file in `stories/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod agents;
mod concurrency;
mod import;
mod invariants;
mod life_cycle;
mod search;

use serde_json::Value;
use std::sync::Arc;
use tamwin_app::*;
use tamwin_domain::household::MemberInput;
use tamwin_domain::*;
use tamwin_store::{ListFilter, Store};

fn registry(store: Arc<dyn Store>) -> Arc<Registry> {
    let clock = FixedClock(std::sync::Mutex::new(
        "2026-11-21T09:00:00Z".parse().unwrap(),
    ));
    Arc::new(Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        Arc::new(clock),
        Arc::new(RandomIds),
    ))
}

fn nid(n: u64) -> String {
    NationalId::from_payload(n).unwrap().to_string()
}

fn member(given: &str, relation: &str, id: Option<String>, born: &str) -> MemberInput {
    MemberInput {
        national_id: id,
        given_name: given.into(),
        father_name: "عبد الله".into(),
        grandfather_name: "حسين".into(),
        family_name: Some("الربيعي".into()),
        mother_name: "زينب كاظم جواد".into(),
        birth_date: born.into(),
        sex: if relation == "daughter" || relation == "spouse" {
            "female".into()
        } else {
            "male".into()
        },
        relation: relation.into(),
        vulnerability: Vulnerability::default(),
    }
}

fn household(members: Vec<MemberInput>) -> NewHousehold {
    NewHousehold {
        governorate: "11".into(),
        district: "1101".into(),
        address: "حي الحسين، دار 4".into(),
        agent_code: None,
        phone: None,
        members,
    }
}

fn actor() -> Actor {
    Actor::system("officer-1")
}

async fn create(reg: &Registry, h: &NewHousehold) -> Value {
    let o = reg.create_household(h, &actor(), None).await.unwrap();
    assert_eq!(o.status, 201);
    serde_json::from_str(&o.body).unwrap()
}

fn card_of(v: &Value) -> CardNumber {
    CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap()
}
