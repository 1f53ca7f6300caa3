//! The hub on its own (`tamwin hub serve`) and Tamwin wired to it over HTTP (`tamwin serve --hub-url`).

use std::path::PathBuf;
use std::sync::Arc;
use tamwin_app::Registry;
use tamwin_app::audit::ServerKey;
use tamwin_app::http_transport::HttpTransport;
use tamwin_app::hub_client::HubClient;
use tamwin_civil::server::HubServer;
use tamwin_hub::services::HUB_MEMBER;
use tamwin_hub::{ClientId, KeyRing, MemberKey};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// How Tamwin reaches the hub (all from flags or `TAMWIN_HUB_*` / `TAMWIN_CLIENT_*`).
#[derive(clap::Args, Debug, Clone)]
pub struct HubFlags {
    /// The hub's address (`http://host:port`). Without it Tamwin runs without a hub, and screening asks
    /// the reference civil registry in the same database in-process.
    #[arg(long, env = "TAMWIN_HUB_URL")]
    pub hub_url: Option<String>,
    /// The hub's public key (64 hex digits, printed by `tamwin hub serve`), to check its answers.
    #[arg(long, env = "TAMWIN_HUB_PUBLIC_KEY")]
    pub hub_public_key: Option<String>,
    #[arg(long, env = "TAMWIN_HUB_KEY_ID", default_value = "moi-1")]
    pub hub_key_id: String,
    /// This ministry's signing key (created, owner-only, if absent); register its public key with the
    /// hub (`tamwin hub member-key`).
    #[arg(long, env = "TAMWIN_CLIENT_KEY", default_value = "tamwin-client.key")]
    pub client_key: PathBuf,
    #[arg(long, env = "TAMWIN_CLIENT_KEY_ID", default_value = "mot-1")]
    pub client_key_id: String,
    /// Where the registry sends CRVS callbacks: this server's address followed by `/crvs`.
    #[arg(long, env = "TAMWIN_CALLBACK_URI")]
    pub callback_uri: Option<String>,
}

/// Wires the registry to the hub over HTTP when `--hub-url` is given.
pub fn connect(reg: &mut Registry, f: &HubFlags, listen: &str) -> Result<(), Error> {
    let Some(url) = &f.hub_url else {
        return Ok(());
    };
    let hub_key = f
        .hub_public_key
        .as_deref()
        .and_then(tamwin_hub::unhex)
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .ok_or("--hub-public-key: 64 hex digits are needed with --hub-url")?;
    let (key, created) = ServerKey::load_or_create(&f.client_key)?;
    if created {
        println!(
            "Created the signing key {} (public key {}): register it with the hub",
            f.client_key.display(),
            key.public_hex()
        );
    }
    let mut client = HubClient::new(
        Arc::new(HttpTransport { base: url.clone() }),
        ClientId::parse("IQ/GOV/MOT/tamwin").ok_or("client id")?,
        key.signing_key().clone(),
        &f.client_key_id,
        KeyRing::new(vec![MemberKey {
            member: HUB_MEMBER.into(),
            key_id: f.hub_key_id.clone(),
            public_key: hub_key,
            valid_from: jiff::Timestamp::UNIX_EPOCH,
            valid_until: None,
        }]),
        reg.clock().clone(),
    );
    client.callback_uri = f
        .callback_uri
        .clone()
        .unwrap_or_else(|| format!("http://{listen}/crvs"));
    reg.set_hub(Arc::new(client));
    Ok(())
}

/// The registry's server from its key file.
pub fn server(
    store: Arc<dyn tamwin_store::CivilStore>,
    key: &std::path::Path,
    key_id: &str,
    callback_prefixes: Vec<String>,
    default_callbacks: Vec<(String, String)>,
) -> Result<Arc<HubServer>, Error> {
    let (k, created) = ServerKey::load_or_create(key)?;
    if created {
        println!("Created the hub's signing key {}", key.display());
    }
    println!(
        "Hub key {key_id}: public key {} (give it to members: --hub-public-key)",
        k.public_hex()
    );
    Ok(Arc::new(HubServer {
        store,
        key: k.signing_key().clone(),
        key_id: key_id.to_string(),
        now: Arc::new(jiff::Timestamp::now),
        callback_prefixes,
        default_callbacks,
        search: Default::default(),
    }))
}

/// Serves the hub and, in the background, works its queue and delivers its callbacks over HTTP.
pub async fn serve(
    server: Arc<HubServer>,
    listener: tokio::net::TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> Result<(), Error> {
    let task = tamwin_civil::crvs::spawn_worker(
        server.clone(),
        Arc::new(HttpTransport {
            base: String::new(),
        }),
    );
    axum::serve(listener, tamwin_civil::server::router(server))
        .with_graceful_shutdown(shutdown)
        .await?;
    task.abort();
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;
    use tamwin_app::{Actor, FixedClock, RandomIds};
    use tamwin_domain::{Geography, HoldReason, NationalId};

    tamwin_store::backend_tests! {
        /// Both servers on real sockets: Tamwin subscribes over HTTP, the registry records a death
        /// and delivers the notification over HTTP to Tamwin's callback route, and the member is
        /// held.
        async fn crvs_over_http_on_every_backend((backend, store, civil) in backends_with_civil) {
            let dir = std::env::temp_dir()
                .join(format!("tamwin-hub-http-{}-{backend}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let _ = std::fs::remove_file(dir.join("hub.key"));
            let _ = std::fs::remove_file(dir.join("client.key"));
            let clock = Arc::new(FixedClock(std::sync::Mutex::new(jiff::Timestamp::now())));
            let mut reg = Registry::new(
                store.clone(),
                Arc::new(Geography::builtin().unwrap()),
                clock.clone(),
                Arc::new(RandomIds),
            );
            reg.prepare().await.unwrap();

            let hub = server(
                civil.clone(),
                &dir.join("hub.key"),
                "moi-1",
                vec!["http://127.0.0.1:".into()],
                vec![],
            )
            .unwrap();
            let hub_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let hub_addr = hub_listener.local_addr().unwrap();
            let (stop_hub, hub_stopped) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(serve(hub.clone(), hub_listener, async move {
                let _ = hub_stopped.await;
            }));

            let web_listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
            let web_addr = web_listener.local_addr().unwrap();
            let flags = HubFlags {
                hub_url: Some(format!("http://{hub_addr}")),
                hub_public_key: Some(tamwin_hub::hex(&hub.key.verifying_key().to_bytes())),
                hub_key_id: "moi-1".into(),
                client_key: dir.join("client.key"),
                client_key_id: "mot-1".into(),
                callback_uri: None,
            };
            connect(&mut reg, &flags, &web_addr.to_string()).unwrap();
            let client_key = reg.hub_client().unwrap().key.verifying_key();
            civil
                .save_hub_key(&tamwin_store::HubKey {
                    member: "IQ/GOV/MOT".into(),
                    key_id: "mot-1".into(),
                    public_key: tamwin_hub::hex(&client_key.to_bytes()),
                    valid_from: jiff::Timestamp::UNIX_EPOCH,
                    valid_until: None,
                })
                .await
                .unwrap();
            let reg = Arc::new(reg);
            let (stop_web, web_stopped) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(tamwin_web::serve(
                web_listener,
                reg.clone(),
                false,
                async move {
                    let _ = web_stopped.await;
                },
            ));

            let id = NationalId::from_payload(82_000_000_001)
                .unwrap()
                .to_string();
            civil
                .civil_load(&[tamwin_store::CivilPerson {
                    national_id: id.clone(),
                    given_name: "حسن".into(),
                    father_name: "علي".into(),
                    grandfather_name: "كاظم".into(),
                    family_name: None,
                    mother_name: "زينب".into(),
                    birth_date: "1960-01-01".into(),
                    sex: "male".into(),
                    phone: None,
                    card_status: Some("valid".into()),
                    card_expires: None,
                    fingerprint_sha256: None,
                    death_date: None,
                    abroad_since: None,
                }])
                .await
                .unwrap();
            let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101", "address": "دار 1",
                "members": [{"national_id": id, "given_name": "حسن", "father_name": "علي", "grandfather_name": "كاظم",
                "mother_name": "زينب", "birth_date": "1960-01-01", "sex": "male", "relation": "head"}]}))
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

            // Subscribe over HTTP; the hub's worker confirms to Tamwin's callback over HTTP.
            reg.crvs_subscribe().await.unwrap();
            let mut confirmed = 0;
            for _ in 0..50 {
                confirmed = reg.crvs_subscriptions().await.unwrap().len();
                if confirmed == 4 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert_eq!(confirmed, 4, "{backend}");

            // A synchronous search over HTTP, then a death notified over HTTP.
            assert_eq!(
                reg.crvs_search(std::slice::from_ref(&id))
                    .await
                    .unwrap()
                    .len(),
                1,
                "{backend}"
            );
            hub.record_event(&tamwin_civil::crvs::NewEvent {
                event_id: "moi-http-1".into(),
                kind: "death".into(),
                national_id: id.clone(),
                date: "2026-11-01".into(),
                newborn: None,
                parents: vec![],
            })
            .await
            .unwrap();
            let mut held = 0;
            for _ in 0..50 {
                let v = reg.household(&card, &Actor::system("t")).await.unwrap();
                held = v
                    .holds
                    .iter()
                    .filter(|h| h.active && h.hold.reason == HoldReason::Deceased)
                    .count();
                if held == 1 {
                    break;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            assert_eq!(held, 1, "{backend}: the notification arrived over HTTP");
            let _ = stop_hub.send(());
            let _ = stop_web.send(());
            let _ = std::fs::remove_dir_all(&dir);
        }
    }
}
