//! The identity hub from the command line: the embedded set-up (the reference civil registry in the same
//! database, reached in-process with keys made for this run) and the reconciliation job.

use ed25519_dalek::SigningKey;
use std::sync::Arc;
use tamwin_app::Registry;
use tamwin_app::hub_client::HubClient;
use tamwin_hub::services::HUB_MEMBER;
use tamwin_hub::{ClientId, KeyRing, MemberKey};
use tamwin_store::HubKey;

type Error = Box<dyn std::error::Error + Send + Sync>;

fn new_key() -> Result<SigningKey, Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("randomness: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Wires the registry to the reference civil registry in the same database: a fresh ministry key and
/// a fresh Trade key (registered with the hub under `mot-embedded`, replacing the last run's).
pub async fn embed(reg: &mut Registry) -> Result<(), Error> {
    let (hub_key, mot_key) = (new_key()?, new_key()?);
    let now = reg.clock.now();
    reg.store
        .save_hub_key(&HubKey {
            member: "IQ/GOV/MOT".into(),
            key_id: "mot-embedded".into(),
            public_key: tamwin_hub::hex(&mot_key.verifying_key().to_bytes()),
            valid_from: now.checked_sub(jiff::SignedDuration::from_mins(10))?,
            valid_until: None,
        })
        .await?;
    let clock = reg.clock.clone();
    let server = tamwin_civil::server::HubServer {
        store: reg.store.clone(),
        key: hub_key.clone(),
        key_id: "moi-embedded".into(),
        now: Arc::new(move || clock.now()),
    };
    let transport = Arc::new(tamwin_civil::in_process::InProcess::new(
        tamwin_civil::server::router(Arc::new(server)),
    ));
    let client = HubClient::new(
        transport,
        ClientId::parse("IQ/GOV/MOT/tamwin").ok_or("client id")?,
        mot_key,
        "mot-embedded",
        KeyRing::new(vec![MemberKey {
            member: HUB_MEMBER.into(),
            key_id: "moi-embedded".into(),
            public_key: hub_key.verifying_key().to_bytes(),
            valid_from: now.checked_sub(jiff::SignedDuration::from_mins(10))?,
            valid_until: None,
        }]),
        reg.clock.clone(),
    );
    reg.hub = Some(Arc::new(client));
    Ok(())
}

pub async fn reconcile(reg: &Registry, batch: u32, restart: bool) -> Result<(), Error> {
    let pb = indicatif::ProgressBar::new_spinner();
    let p = pb.clone();
    let started = std::time::Instant::now();
    let r = reg
        .reconcile(batch, restart, &move |n| {
            if n % 1000 == 0 {
                p.set_message(format!("{n} members checked"));
                p.tick();
            }
        })
        .await
        .map_err(|e| e.describe().3)?;
    pb.finish_and_clear();
    let secs = started.elapsed().as_secs_f64();
    println!(
        "reconciliation {}: {} households, {} members checked in {secs:.1} s ({:.0} members/s); the registry says {} deceased, {} abroad for 6 months or more, {} unknown (each held, once)",
        if r.finished {
            "finished"
        } else {
            "stopped early (the hub does not answer; the next run resumes)"
        },
        r.households,
        r.members,
        r.members as f64 / secs.max(0.001),
        r.deceased,
        r.abroad,
        r.not_found
    );
    if !r.finished {
        std::process::exit(1);
    }
    Ok(())
}
