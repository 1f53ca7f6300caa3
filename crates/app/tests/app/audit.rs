//! The audit log on both backends: every change chained in its own transaction, and each kind of
//! tampering found and named.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::Arc;
use tamwin_app::*;
use tamwin_domain::audit::{FaultKind, chain_of};
use tamwin_domain::household::MemberInput;
use tamwin_domain::*;
use tamwin_store::{Store, testkit};

fn member(given: &str, relation: &str) -> MemberInput {
    MemberInput {
        national_id: None,
        given_name: given.into(),
        father_name: "حسين".into(),
        grandfather_name: "علي".into(),
        family_name: None,
        mother_name: "زينب كاظم جواد".into(),
        birth_date: "1990-01-01".into(),
        sex: "male".into(),
        relation: relation.into(),
        vulnerability: Vulnerability::default(),
    }
}

/// A household with six changes after its creation: seven entries in its chain.
async fn story(store: Arc<dyn Store>) -> (Arc<Registry>, i64, Vec<String>) {
    let reg = Arc::new(Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        Arc::new(SystemClock),
        Arc::new(RandomIds),
    ));
    reg.prepare().await.unwrap();
    let h = NewHousehold {
        governorate: "11".into(),
        district: "1101".into(),
        address: "دار 1".into(),
        agent_code: None,
        phone: None,
        members: vec![member("علي", "head")],
    };
    let actor = Actor::system("officer-7");
    let v: serde_json::Value =
        serde_json::from_str(&reg.create_household(&h, &actor, None).await.unwrap().body).unwrap();
    let card = CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap();
    for name in ["حسن", "محمد", "جعفر", "كاظم", "باقر", "رضا"] {
        reg.add_member(
            &card,
            &MemberChange {
                member: member(name, "son"),
                reason: "birth".into(),
            },
            &actor,
            None,
        )
        .await
        .unwrap();
    }
    let chain = chain_of(v["household_id"].as_str());
    let ids: Vec<String> = reg
        .store()
        .audit_page(chain, 0, 100)
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.content.entry_id)
        .collect();
    (reg, chain, ids)
}

async fn verify(
    reg: &Registry,
) -> std::result::Result<tamwin_app::audit::AuditReport, tamwin_domain::audit::Fault> {
    tamwin_app::audit::verify(reg, &|_| {}).await.unwrap()
}

tamwin_store::backend_tests! {
    async fn every_change_is_chained_on_every_backend((backend, store) in backends) {
        let (reg, chain, ids) = story(store.clone()).await;
        assert_eq!(ids.len(), 7, "{backend}");
        let entries = reg.store().audit_page(chain, 0, 100).await.unwrap();
        assert_eq!(entries[0].content.action, "created");
        assert_eq!(entries[1].content.action, "member_added");
        assert_eq!(entries[1].content.actor, "officer-7");
        assert!(
            entries[1].content.details.contains("birth"),
            "{backend}: the reason is kept"
        );
        let report = verify(&reg).await.unwrap();
        assert_eq!(report.entries, 7, "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn a_modified_entry_is_named_on_every_backend((backend, store) in backends) {
        let (reg, chain, ids) = story(store.clone()).await;
        store
            .execute_unchecked(&format!(
                "UPDATE audit_log SET actor = 'nobody' WHERE chain = {chain} AND position = 4"
            ))
            .await
            .unwrap();
        let f = verify(&reg).await.unwrap_err();
        assert_eq!(
            (f.kind, f.chain, f.position),
            (FaultKind::Modified, chain, 4),
            "{backend}"
        );
        assert_eq!(f.entry_id.as_deref(), Some(ids[3].as_str()));
    }
}

tamwin_store::backend_tests! {
    async fn a_deleted_entry_is_found_on_every_backend((backend, store) in backends) {
        let (reg, chain, _) = story(store.clone()).await;
        store
            .execute_unchecked(&format!(
                "DELETE FROM audit_log WHERE chain = {chain} AND position = 3"
            ))
            .await
            .unwrap();
        let f = verify(&reg).await.unwrap_err();
        assert_eq!((f.kind, f.position), (FaultKind::Deleted, 3), "{backend}");
        // The newest entry deleted: the chain's head still remembers it.
        let (reg, chain, _) = story(testkit::sqlite().await).await;
        reg.store()
            .execute_unchecked(&format!(
                "DELETE FROM audit_log WHERE chain = {chain} AND position = 7"
            ))
            .await
            .unwrap();
        let f = verify(&reg).await.unwrap_err();
        assert_eq!((f.kind, f.position), (FaultKind::Deleted, 7), "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn reordered_entries_are_found_on_every_backend((backend, store) in backends) {
        let (reg, chain, ids) = story(store.clone()).await;
        for sql in [
            format!("UPDATE audit_log SET position = -1 WHERE chain = {chain} AND position = 5"),
            format!("UPDATE audit_log SET position = 5 WHERE chain = {chain} AND position = 6"),
            format!("UPDATE audit_log SET position = 6 WHERE chain = {chain} AND position = -1"),
        ] {
            store.execute_unchecked(&sql).await.unwrap();
        }
        let f = verify(&reg).await.unwrap_err();
        assert_eq!((f.kind, f.position), (FaultKind::Reordered, 5), "{backend}");
        assert_eq!(
            f.entry_id.as_deref(),
            Some(ids[5].as_str()),
            "{backend}: the entry now at 5 is the sixth"
        );
    }
}

tamwin_store::backend_tests! {
    async fn concurrent_writers_keep_every_chain_whole_on_every_backend(
        (backend, store) in backends
    ) {
        let reg = Arc::new(Registry::new(
            store,
            Arc::new(Geography::builtin().unwrap()),
            Arc::new(SystemClock),
            Arc::new(RandomIds),
        ));
        reg.prepare().await.unwrap();
        let tasks: Vec<_> = (0..24)
            .map(|i| {
                let reg = reg.clone();
                tokio::spawn(async move {
                    let h = NewHousehold {
                        governorate: "11".into(),
                        district: "1101".into(),
                        address: format!("دار {i}"),
                        agent_code: None,
                        phone: None,
                        members: vec![member("علي", "head")],
                    };
                    reg.create_household(&h, &Actor::system("t"), None)
                        .await
                        .unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert_eq!(verify(&reg).await.unwrap().entries, 24, "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn signed_checkpoints_on_every_backend((backend, store) in backends) {
        let (reg, chain, _) = story(store.clone()).await;
        let dir = std::env::temp_dir().join(format!("tamwin-cp-{}-{backend}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("server.key");
        let (key, created) = tamwin_app::audit::ServerKey::load_or_create(&path).unwrap();
        assert!(created);
        let (again, created) = tamwin_app::audit::ServerKey::load_or_create(&path).unwrap();
        assert!(
            !created && again.public_hex() == key.public_hex(),
            "the key is kept"
        );
        let cp = tamwin_app::audit::checkpoint(&reg, &key).await.unwrap();
        let pk = key.public_hex();
        assert_eq!(
            tamwin_app::audit::verify_checkpoint(&reg, &cp, &pk)
                .await
                .unwrap(),
            Ok(()),
            "{backend}"
        );

        // Forged: a head changed after signing.
        let mut forged = cp.clone();
        forged.heads[0].position += 1;
        assert_eq!(
            tamwin_app::audit::verify_checkpoint(&reg, &forged, &pk)
                .await
                .unwrap(),
            Err(tamwin_app::audit::CheckpointFault::BadSignature)
        );
        // The log rewritten under the checkpoint: the head entry replaced.
        let (position, _) = store.audit_head(chain).await.unwrap();
        store
            .execute_unchecked(&format!(
                "UPDATE audit_log SET hash = 'ff' WHERE chain = {chain} AND position = {position}"
            ))
            .await
            .unwrap();
        assert_eq!(
            tamwin_app::audit::verify_checkpoint(&reg, &cp, &pk)
                .await
                .unwrap(),
            Err(tamwin_app::audit::CheckpointFault::Diverged { chain, position }),
            "{backend}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}

fn read_log(actor: &str) -> tamwin_store::ChangeLog {
    tamwin_store::ChangeLog {
        change_id: format!("read-{}", uuid_like()),
        at: jiff::Timestamp::now(),
        actor: actor.into(),
        role: "centre_officer".into(),
        area: "11".into(),
        kind: "household.read",
        member_id: None,
        reason: None,
        details: serde_json::json!({}),
        channel: "api",
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    )
}

/// Households whose entries all land in one chain, found by trying ids.
fn households_of_one_chain(n: usize) -> (i64, Vec<String>) {
    let chain = chain_of(Some("h-0"));
    let ids = (0..)
        .map(|i| format!("h-{i}"))
        .filter(|h| chain_of(Some(h)) == chain)
        .take(n)
        .collect();
    (chain, ids)
}

tamwin_store::backend_tests! {
    async fn the_last_entry_of_a_chain_deleted_is_found_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, chain, _) = story(store.clone()).await;
        store
            .execute_unchecked(&format!(
                "DELETE FROM audit_log WHERE chain = {chain} AND position = 7"
            ))
            .await
            .unwrap();
        let f = verify(&reg).await.unwrap_err();
        assert_eq!(
            (f.kind, f.chain, f.position),
            (FaultKind::Deleted, chain, 7),
            "{backend}: the chain's head still remembers it"
        );
    }
}

tamwin_store::backend_tests! {
    async fn an_entry_moved_to_another_chain_is_found_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, chain, ids) = story(store.clone()).await;
        // The newest entry taken out of its chain and put first in an empty one, head and all: its
        // hash covers its chain, and its old chain's head still counts it.
        let other = (chain + 1) % tamwin_domain::audit::CHAINS;
        for sql in [
            format!(
                "UPDATE audit_log SET chain = {other}, position = 1 WHERE chain = {chain} AND position = 7"
            ),
            format!(
                "UPDATE audit_heads SET position = 1, hash = (SELECT hash FROM audit_log WHERE chain = {other} AND position = 1) WHERE chain = {other}"
            ),
        ] {
            store.execute_unchecked(&sql).await.unwrap();
        }
        let f = verify(&reg).await.unwrap_err();
        let expected = if chain < other {
            (FaultKind::Deleted, chain, 7, None)
        } else {
            (FaultKind::Modified, other, 1, Some(ids[6].clone()))
        };
        assert_eq!(
            (f.kind, f.chain, f.position, f.entry_id),
            expected,
            "{backend}"
        );
    }
}

tamwin_store::backend_tests! {
    async fn concurrent_appends_to_one_chain_never_fork_on_every_backend(
        (backend, store) in backends
    ) {
        let reg = Arc::new(Registry::new(
            store.clone(),
            Arc::new(Geography::builtin().unwrap()),
            Arc::new(SystemClock),
            Arc::new(RandomIds),
        ));
        reg.prepare().await.unwrap();
        // 32 writers at once for households sharing one chain, and 32 for households anywhere.
        let (chain, same) = households_of_one_chain(32);
        let anywhere: Vec<String> = (0..32).map(|i| format!("elsewhere-{i}")).collect();
        let tasks: Vec<_> = same
            .iter()
            .chain(&anywhere)
            .cloned()
            .map(|h| {
                let store = store.clone();
                tokio::spawn(async move {
                    store
                        .record_reads(&[(h.into(), read_log("officer-1"))])
                        .await
                        .unwrap();
                })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        let entries = store.audit_page(chain, 0, 1000).await.unwrap();
        let positions: Vec<i64> = entries.iter().map(|e| e.position).collect();
        assert_eq!(
            positions,
            (1..=entries.len() as i64).collect::<Vec<_>>(),
            "{backend}"
        );
        assert!(entries.len() >= 32, "{backend}");
        // A fork is two entries written after the same one: every link here is used once.
        let mut links: Vec<&str> = entries.iter().map(|e| e.prev_hash.as_str()).collect();
        links.sort_unstable();
        links.dedup();
        assert_eq!(links.len(), entries.len(), "{backend}: no fork");
        assert_eq!(verify(&reg).await.unwrap().entries, 64, "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn a_log_of_the_sixteen_chains_still_verifies_after_migration_0022_on_every_backend(backend) {
        use tamwin_domain::audit::{AuditContent, CHAINS_BEFORE_0022, GENESIS, append};
        let (backend, store) = testkit::store(backend).await;
        let reg = Arc::new(Registry::new(
            store.clone(),
            Arc::new(Geography::builtin().unwrap()),
            Arc::new(SystemClock),
            Arc::new(RandomIds),
        ));
        reg.prepare().await.unwrap();
        // The database as it was before 0022: 16 heads, entries in chain FNV-1a mod 16.
        for sql in [
            "DELETE FROM audit_heads WHERE chain >= 16",
            "DELETE FROM schema_migrations WHERE version = 22",
        ] {
            store.execute_unchecked(sql).await.unwrap();
        }
        let mut heads: std::collections::BTreeMap<i64, (i64, String)> = Default::default();
        for i in 0..40 {
            let household = format!("old-household-{}", i % 10);
            let chain = chain_of(Some(&household)) % CHAINS_BEFORE_0022;
            let head = heads.entry(chain).or_insert((0, GENESIS.to_string()));
            let e = append(
                chain,
                (head.0, &head.1),
                AuditContent {
                    entry_id: format!("old-{i}"),
                    at: format!("2026-11-01T10:00:{:02}.000000Z", i % 60),
                    actor: "officer-1".into(),
                    role: "centre_officer".into(),
                    area: "11".into(),
                    channel: "api".into(),
                    action: "household.read".into(),
                    household_id: Some(household.clone()),
                    subject: None,
                    details: "{}".into(),
                },
            );
            *head = (e.position, e.hash.clone());
            let c = &e.content;
            store
                .execute_unchecked(&format!(
                    "INSERT INTO audit_log (chain, position, entry_id, at, actor, role, area, channel, action, \
                     household_id, subject, details, prev_hash, hash) VALUES ({}, {}, '{}', '{}', '{}', '{}', '{}', \
                     '{}', '{}', '{}', NULL, '{}', '{}', '{}')",
                    e.chain, e.position, c.entry_id, c.at, c.actor, c.role, c.area, c.channel, c.action,
                    household, c.details, e.prev_hash, e.hash
                ))
                .await
                .unwrap();
        }
        for (chain, (position, hash)) in &heads {
            store
                .execute_unchecked(&format!(
                    "UPDATE audit_heads SET position = {position}, hash = '{hash}' WHERE chain = {chain}"
                ))
                .await
                .unwrap();
        }
        let dir =
            std::env::temp_dir().join(format!("tamwin-0022-{}-{backend}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let (key, _) = tamwin_app::audit::ServerKey::load_or_create(&dir.join("k")).unwrap();
        let old = tamwin_app::audit::checkpoint(&reg, &key).await.unwrap();
        assert_eq!(
            old.heads.len(),
            16,
            "{backend}: a checkpoint of the old layout"
        );

        assert_eq!(store.migrate().await.unwrap(), 1, "{backend}: 0022 applied");
        assert_eq!(store.audit_heads().await.unwrap().len(), 4096, "{backend}");
        assert_eq!(verify(&reg).await.unwrap().entries, 40, "{backend}");
        let pk = key.public_hex();
        assert_eq!(
            tamwin_app::audit::verify_checkpoint(&reg, &old, &pk)
                .await
                .unwrap(),
            Ok(()),
            "{backend}: a checkpoint signed before the migration still holds"
        );
        // New entries of an old household go to its new chain; the old chains go on too.
        let (_, same) = households_of_one_chain(1);
        for h in ["old-household-1", "old-household-2", same[0].as_str()] {
            store
                .record_reads(&[(h.to_string().into(), read_log("officer-2"))])
                .await
                .unwrap();
        }
        assert_eq!(verify(&reg).await.unwrap().entries, 43, "{backend}");
        let now = tamwin_app::audit::checkpoint(&reg, &key).await.unwrap();
        assert_eq!(now.heads.len(), 4096, "{backend}");
        assert_eq!(
            tamwin_app::audit::verify_checkpoint(&reg, &now, &pk)
                .await
                .unwrap(),
            Ok(()),
            "{backend}"
        );
        std::fs::remove_dir_all(&dir).ok();
    }
}
