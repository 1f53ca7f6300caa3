//! Verification through the hub on both backends, against the reference registry in-process: matches,
//! mismatches and deaths become states, holds and evidence; with the hub down the member is pending and
//! verified on a later retry.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use ed25519_dalek::SigningKey;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tamwin_app::hub_client::HubClient;
use tamwin_app::*;
use tamwin_civil::in_process::InProcess;
use tamwin_domain::Geography;
use tamwin_hub::services::HUB_MEMBER;
use tamwin_hub::{ClientId, KeyRing, MemberKey};
use tamwin_store::{CivilPerson, HubKey, testkit};

fn advance(clock: &FixedClock, minutes: i64) {
    let mut t = clock.0.lock().unwrap();
    *t = t.checked_add(jiff::Span::new().minutes(minutes)).unwrap();
}

fn civil(m: &serde_json::Value, death: Option<&str>) -> CivilPerson {
    let s = |k: &str| m[k].as_str().unwrap().to_string();
    CivilPerson {
        national_id: s("national_id"),
        given_name: s("given_name"),
        father_name: s("father_name"),
        grandfather_name: s("grandfather_name"),
        family_name: m["family_name"].as_str().map(str::to_string),
        mother_name: s("mother_name"),
        birth_date: s("birth_date"),
        sex: s("sex"),
        phone: None,
        card_status: Some("valid".into()),
        card_expires: None,
        fingerprint_sha256: None,
        death_date: death.map(str::to_string),
        abroad_since: None,
    }
}

/// The in-process registry behind a transport that can be cut, or that fails after a budget of calls.
struct Flaky {
    inner: InProcess,
    budget: std::sync::atomic::AtomicI64,
}

#[async_trait::async_trait]
impl tamwin_hub::HubTransport for Flaky {
    async fn post(
        &self,
        path: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> std::result::Result<(u16, Vec<(String, String)>, Vec<u8>), String> {
        use std::sync::atomic::Ordering;
        if self.budget.fetch_sub(1, Ordering::SeqCst) == 0 {
            self.budget.store(0, Ordering::SeqCst);
            return Err("connection reset".into());
        }
        self.inner.post(path, headers, body).await
    }
}

impl Flaky {
    fn set_down(&self, down: bool) {
        self.inner.set_down(down);
    }
    /// Calls left before it fails (negative: no limit).
    fn allow(&self, calls: i64) {
        self.budget
            .store(calls, std::sync::atomic::Ordering::SeqCst);
    }
}

/// A registry wired to the reference registry on the same database: the ministry's key, Trade's key
/// registered with it, a router on the same clock, and the client.
async fn wired(store: Arc<dyn tamwin_store::Store>) -> (Registry, Arc<FixedClock>, Arc<Flaky>) {
    let clock = Arc::new(FixedClock(Mutex::new(
        "2026-11-21T09:00:00Z".parse().unwrap(),
    )));
    let mut reg = Registry::new(
        store.clone(),
        Arc::new(Geography::builtin().unwrap()),
        clock.clone(),
        Arc::new(RandomIds),
    );
    reg.prepare().await.unwrap();

    // The ministry's side: its key, Trade's key registered with it, and a router on the same clock.
    let (hub_key, mot_key) = (
        SigningKey::from_bytes(&[9; 32]),
        SigningKey::from_bytes(&[1; 32]),
    );
    store
        .save_hub_key(&HubKey {
            member: "IQ/GOV/MOT".into(),
            key_id: "mot-1".into(),
            public_key: tamwin_hub::hex(&mot_key.verifying_key().to_bytes()),
            valid_from: "2026-01-01T00:00:00Z".parse().unwrap(),
            valid_until: None,
        })
        .await
        .unwrap();
    let c2 = clock.clone();
    let transport = Arc::new(Flaky {
        inner: InProcess::new(tamwin_civil::server::router(Arc::new(
            tamwin_civil::server::HubServer {
                store: store.clone(),
                key: hub_key.clone(),
                key_id: "moi-1".into(),
                now: Arc::new(move || c2.now()),
            },
        ))),
        budget: std::sync::atomic::AtomicI64::new(-1),
    });
    let mut client = HubClient::new(
        transport.clone(),
        ClientId::parse("IQ/GOV/MOT/tamwin").unwrap(),
        mot_key,
        "mot-1",
        KeyRing::new(vec![MemberKey {
            member: HUB_MEMBER.into(),
            key_id: "moi-1".into(),
            public_key: hub_key.verifying_key().to_bytes(),
            valid_from: "2026-01-01T00:00:00Z".parse().unwrap(),
            valid_until: None,
        }]),
        clock.clone(),
    );
    client.backoff = Duration::from_millis(1);
    reg.hub = Some(Arc::new(client));

    (reg, clock, transport)
}

#[tokio::test]
async fn verification_through_the_hub_on_every_backend() {
    for (backend, store) in testkit::backends().await {
        let (reg, clock, transport) = wired(store.clone()).await;
        // A household of three with IDs: the head as on file, the wife on file with another mother's
        // name, the grandfather deceased in the civil registry.
        let nid = |n: u64| {
            tamwin_domain::NationalId::from_payload(n)
                .unwrap()
                .to_string()
        };
        let member = |id: String, given: &str, mother: &str, birth: &str, sex: &str, rel: &str| {
            serde_json::json!({"national_id": id, "given_name": given, "father_name": "حسين", "grandfather_name": "علي",
                "family_name": "الجبوري", "mother_name": mother, "birth_date": birth, "sex": sex, "relation": rel})
        };
        let head = member(
            nid(61_000_000_001),
            "كريم",
            "زينب كاظم جواد",
            "1975-01-01",
            "male",
            "head",
        );
        let wife = member(
            nid(61_000_000_002),
            "هدى",
            "سعاد علي حسن",
            "1980-01-01",
            "female",
            "spouse",
        );
        let father = member(
            nid(61_000_000_003),
            "حسين",
            "فاطمة محمد علي",
            "1940-01-01",
            "male",
            "father",
        );
        let mut wife_on_file = civil(&wife, None);
        wife_on_file.mother_name = "أمل جاسم محمد".into();
        store
            .civil_load(&[
                civil(&head, None),
                wife_on_file,
                civil(&father, Some("2026-06-01")),
            ])
            .await
            .unwrap();
        let h: tamwin_domain::NewHousehold = serde_json::from_value(serde_json::json!({
            "governorate": "11", "district": "1101", "address": "دار 9", "members": [head, wife, father]
        }))
        .unwrap();
        let o = reg
            .create_household(&h, &Actor::system("t"), None)
            .await
            .unwrap();
        let card = tamwin_domain::CardNumber::parse(
            serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let rec = reg.store.household_by_card(&card).await.unwrap().unwrap();
        let id_of = |rel: tamwin_domain::Relation| {
            rec.members
                .iter()
                .find(|m| m.relation == rel)
                .unwrap()
                .member_id
                .clone()
        };
        let hid = rec.household.household_id.clone();

        // The hub is down: every member pending, nothing lost, evidence of the attempt kept.
        transport.set_down(true);
        let states = reg.verify_household(&rec).await.unwrap();
        assert!(
            states.iter().all(|v| v.status == "pending"),
            "{backend}: {states:?}"
        );
        assert_eq!(reg.store.evidence_of(&hid).await.unwrap().len(), 3);
        assert_eq!(reg.retry_verifications(10).await.unwrap(), 0, "not due yet");

        // Back up; after the retry delay the queue is worked off.
        transport.set_down(false);
        advance(&clock, 6);
        assert_eq!(reg.retry_verifications(10).await.unwrap(), 3, "{backend}");
        let state = |rel| {
            let (reg, hid) = (&reg, hid.clone());
            async move {
                reg.store
                    .verification(&hid, &id_of(rel))
                    .await
                    .unwrap()
                    .unwrap()
                    .status
            }
        };
        assert_eq!(
            state(tamwin_domain::Relation::Head).await,
            "verified",
            "{backend}"
        );
        assert_eq!(state(tamwin_domain::Relation::Spouse).await, "mismatch");
        assert_eq!(state(tamwin_domain::Relation::Father).await, "deceased");
        assert_eq!(
            reg.retry_verifications(10).await.unwrap(),
            0,
            "settled checks leave the queue"
        );

        // The holds carry the hub's answer as evidence; a second check adds no second hold.
        let view = reg.household(&card, &Actor::system("t")).await.unwrap();
        let active: Vec<_> = view.holds.iter().filter(|h| h.active).collect();
        let deceased = active
            .iter()
            .find(|h| h.hold.reason == tamwin_domain::HoldReason::Deceased)
            .unwrap();
        assert!(
            deceased.hold.evidence.contains("hub request")
                && deceased.hold.source == "civil_registry"
        );
        assert!(
            active
                .iter()
                .any(|h| h.hold.reason == tamwin_domain::HoldReason::DataMismatch
                    && h.hold.evidence.contains("mother_name"))
        );
        reg.verify_member(&hid, &id_of(tamwin_domain::Relation::Father))
            .await
            .unwrap();
        let view = reg.household(&card, &Actor::system("t")).await.unwrap();
        assert_eq!(
            view.holds
                .iter()
                .filter(|h| h.active && h.hold.reason == tamwin_domain::HoldReason::Deceased)
                .count(),
            1
        );
        let evidence = reg.store.evidence_of(&hid).await.unwrap();
        assert_eq!(evidence.len(), 7);
        assert!(
            evidence
                .iter()
                .filter(|e| !e.response_hash.is_empty())
                .all(|e| e.request_hash.len() == 64 && e.response_hash.len() == 64)
        );
    }
}

#[tokio::test]
async fn reconciliation_catches_missed_deaths_and_resumes_on_every_backend() {
    for (backend, store) in testkit::backends().await {
        let (reg, _clock, transport) = wired(store.clone()).await;
        let nid = |n: u64| {
            tamwin_domain::NationalId::from_payload(n)
                .unwrap()
                .to_string()
        };
        let mut cards = vec![];
        for (i, n) in [62_000_000_001u64, 62_000_000_002, 62_000_000_003]
            .into_iter()
            .enumerate()
        {
            let m = serde_json::json!({"national_id": nid(n), "given_name": "سلمان", "father_name": "داود", "grandfather_name": "سلمان",
                "mother_name": "نجلاء علي حسن", "birth_date": "1950-01-01", "sex": "male", "relation": "head"});
            // The second person died; the death event never reached the ration side.
            store
                .civil_load(&[civil(&m, (i == 1).then_some("2026-08-01"))])
                .await
                .unwrap();
            let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101", "address": "دار 3", "members": [m]})).unwrap();
            let o = reg
                .create_household(&h, &Actor::system("t"), None)
                .await
                .unwrap();
            cards.push(
                tamwin_domain::CardNumber::parse(
                    serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
                        .as_str()
                        .unwrap(),
                )
                .unwrap(),
            );
        }
        let deceased = |card: tamwin_domain::CardNumber| {
            let reg = &reg;
            async move {
                reg.household(&card, &Actor::system("t"))
                    .await
                    .unwrap()
                    .holds
                    .iter()
                    .filter(|h| h.active && h.hold.reason == tamwin_domain::HoldReason::Deceased)
                    .count()
            }
        };

        // The hub is down: nothing checked, the run says it did not finish.
        transport.set_down(true);
        let r = reg.reconcile(1, false, &|_| {}).await.unwrap();
        assert!(!r.finished && r.members == 0, "{backend}: {r:?}");
        transport.set_down(false);

        // The connection breaks after the first card: the run stops there, the next one resumes after it.
        // Card order is random: the dead man's card may come first or later; the totals must hold.
        transport.allow(1);
        let first = reg.reconcile(1, false, &|_| {}).await.unwrap();
        assert_eq!((first.finished, first.members), (false, 1), "{backend}");
        transport.allow(-1);
        let rest = reg.reconcile(1, false, &|_| {}).await.unwrap();
        assert!(rest.finished, "{backend}");
        assert_eq!(
            (first.members + rest.members, first.deceased + rest.deceased),
            (3, 1),
            "{backend}: resumed after the first card, nothing checked twice"
        );
        assert_eq!(
            deceased(cards[1].clone()).await,
            1,
            "{backend}: the missed death is held"
        );
        assert_eq!(
            deceased(cards[0].clone()).await + deceased(cards[2].clone()).await,
            0
        );

        // A new run starts from the beginning and holds nothing twice.
        let r = reg.reconcile(100, false, &|_| {}).await.unwrap();
        assert_eq!((r.finished, r.members, r.deceased), (true, 3, 1));
        assert_eq!(deceased(cards[1].clone()).await, 1);
    }
}
