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
        .store
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

#[tokio::test]
async fn every_change_is_chained_on_every_backend() {
    for (backend, store) in testkit::backends().await {
        let (reg, chain, ids) = story(store.clone()).await;
        assert_eq!(ids.len(), 7, "{backend}");
        let entries = reg.store.audit_page(chain, 0, 100).await.unwrap();
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

#[tokio::test]
async fn a_modified_entry_is_named_on_every_backend() {
    for (backend, store) in testkit::backends().await {
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

#[tokio::test]
async fn a_deleted_entry_is_found_on_every_backend() {
    for (backend, store) in testkit::backends().await {
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
        reg.store
            .execute_unchecked(&format!(
                "DELETE FROM audit_log WHERE chain = {chain} AND position = 7"
            ))
            .await
            .unwrap();
        let f = verify(&reg).await.unwrap_err();
        assert_eq!((f.kind, f.position), (FaultKind::Deleted, 7), "{backend}");
    }
}

#[tokio::test]
async fn reordered_entries_are_found_on_every_backend() {
    for (backend, store) in testkit::backends().await {
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

#[tokio::test]
async fn concurrent_writers_keep_every_chain_whole_on_every_backend() {
    for (backend, store) in testkit::backends().await {
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

#[tokio::test]
async fn signed_checkpoints_on_every_backend() {
    for (backend, store) in testkit::backends().await {
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
