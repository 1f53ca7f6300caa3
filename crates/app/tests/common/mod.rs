//! What the hub tests share: the reference registry in-process on the same database, wired to a
//! registry with keys on both sides, behind a transport that can be cut.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

pub mod booking;
pub mod recorder;

use ed25519_dalek::SigningKey;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tamwin_app::hub_client::HubClient;
use tamwin_app::*;
use tamwin_civil::in_process::InProcess;
use tamwin_domain::Geography;
use tamwin_hub::services::HUB_MEMBER;
use tamwin_hub::{ClientId, KeyRing, MemberKey};
use tamwin_store::{CivilPerson, HubKey};

pub fn advance(clock: &FixedClock, minutes: i64) {
    let mut t = clock.0.lock().unwrap();
    *t = t.checked_add(jiff::Span::new().minutes(minutes)).unwrap();
}

pub fn civil(m: &serde_json::Value, death: Option<&str>) -> CivilPerson {
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
pub struct Flaky {
    pub inner: InProcess,
    pub budget: std::sync::atomic::AtomicI64,
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
    pub fn set_down(&self, down: bool) {
        self.inner.set_down(down);
    }
    /// Calls left before it fails (negative: no limit).
    pub fn allow(&self, calls: i64) {
        self.budget
            .store(calls, std::sync::atomic::Ordering::SeqCst);
    }
}

/// Trade's client of the hub over `transport`, with the keys `wired` registers on both sides.
pub fn client(transport: Arc<dyn tamwin_hub::HubTransport>, clock: Arc<FixedClock>) -> HubClient {
    HubClient::new(
        transport,
        ClientId::parse("IQ/GOV/MOT/tamwin").unwrap(),
        SigningKey::from_bytes(&[1; 32]),
        "mot-1",
        KeyRing::new(vec![MemberKey {
            member: HUB_MEMBER.into(),
            key_id: "moi-1".into(),
            public_key: SigningKey::from_bytes(&[9; 32]).verifying_key().to_bytes(),
            valid_from: "2026-01-01T00:00:00Z".parse().unwrap(),
            valid_until: None,
        }]),
        clock,
    )
}

/// A registry wired to the reference registry on the same database: the ministry's key, Trade's key
/// registered with it, a router on the same clock, and the client.
pub async fn wired(store: Arc<dyn tamwin_store::Store>) -> (Registry, Arc<FixedClock>, Arc<Flaky>) {
    let (reg, clock, transport, _) = wired_with_server(store).await;
    (reg, clock, transport)
}

/// `wired`, and the registry's server itself (to record events and work its queues).
pub async fn wired_with_server(
    store: Arc<dyn tamwin_store::Store>,
) -> (
    Registry,
    Arc<FixedClock>,
    Arc<Flaky>,
    Arc<tamwin_civil::server::HubServer>,
) {
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
    let civil = tamwin_store::testkit::civil_of(&store);
    let (hub_key, mot_key) = (
        SigningKey::from_bytes(&[9; 32]),
        SigningKey::from_bytes(&[1; 32]),
    );
    civil
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
    let server = Arc::new(tamwin_civil::server::HubServer {
        store: civil,
        key: hub_key.clone(),
        key_id: "moi-1".into(),
        now: Arc::new(move || c2.now()),
        callback_prefixes: vec!["/crvs".into()],
        default_callbacks: vec![("IQ/GOV/MOT/tamwin".into(), "/crvs".into())],
        search: Default::default(),
    });
    let transport = Arc::new(Flaky {
        inner: InProcess::new(tamwin_civil::server::router(server.clone())),
        budget: std::sync::atomic::AtomicI64::new(-1),
    });
    let mut client = client(transport.clone(), clock.clone());
    client.backoff = Duration::from_millis(1);
    reg.set_hub(Arc::new(client));

    (reg, clock, transport, server)
}

/// Karbala households and their civil registry (unreported deaths, emigrants, people left out), for
/// screening on the database.
pub async fn populate(reg: &Registry, dir: &std::path::Path, households: u64) {
    let cfg = tamwin_synth::Config {
        households,
        seed: 5,
        governorate: Some("11".into()),
        ..Default::default()
    };
    tamwin_synth::generate(&cfg, reg.geo(), dir, &|_| {}).unwrap();
    import::import_dir(reg, dir, &dir.join("rejects.csv"), Arc::new(|_| {}))
        .await
        .unwrap();
    tamwin_civil::load::load_persons(
        tamwin_store::testkit::civil_of(reg.store()),
        &dir.join("persons.csv"),
        &dir.join("civil-rejects.csv"),
        Arc::new(|_| {}),
    )
    .await
    .unwrap();
}
