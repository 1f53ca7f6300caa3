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

use crate::cli::HubCommand;
use crate::hub_http;
use crate::wiring::{Settings, bar, count_lines, migrated_civil_store, new_registry};
use tamwin_store::CivilStore;

fn new_key() -> Result<SigningKey, Error> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| format!("randomness: {e}"))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Wires the registry to the reference civil registry in the same database: a fresh ministry key and
/// a fresh Trade key (registered with the hub under `mot-embedded`, replacing the last run's).
pub async fn embed(
    reg: &mut Registry,
    civil: Arc<dyn CivilStore>,
) -> Result<Arc<tamwin_civil::server::HubServer>, Error> {
    let (client, server) = embedded(reg, civil).await?;
    reg.set_hub(client);
    Ok(server)
}

/// Without a hub, screening still asks the civil registry in the same database, in-process (the
/// embedded default); nothing else calls it (identity checks wait for a hub as before).
pub async fn embed_civil_search(
    reg: &mut Registry,
    civil: Arc<dyn CivilStore>,
) -> Result<(), Error> {
    let (client, _) = embedded(reg, civil).await?;
    reg.set_civil_search(client);
    Ok(())
}

/// The in-process client of the reference registry on the registry's database, and its server.
async fn embedded(
    reg: &Registry,
    civil: Arc<dyn CivilStore>,
) -> Result<(Arc<HubClient>, Arc<tamwin_civil::server::HubServer>), Error> {
    let (hub_key, mot_key) = (new_key()?, new_key()?);
    let now = reg.clock().now();
    civil
        .save_hub_key(&HubKey {
            member: "IQ/GOV/MOT".into(),
            key_id: "mot-embedded".into(),
            public_key: tamwin_hub::hex(&mot_key.verifying_key().to_bytes()),
            valid_from: now.checked_sub(jiff::SignedDuration::from_mins(10))?,
            valid_until: None,
        })
        .await?;
    let clock = reg.clock().clone();
    let server = Arc::new(tamwin_civil::server::HubServer {
        store: civil,
        key: hub_key.clone(),
        key_id: "moi-embedded".into(),
        now: Arc::new(move || clock.now()),
        callback_prefixes: vec!["/crvs".into()],
        default_callbacks: vec![("IQ/GOV/MOT/tamwin".into(), "/crvs".into())],
        search: Default::default(),
    });
    let transport = Arc::new(tamwin_civil::in_process::InProcess::new(
        tamwin_civil::server::router(server.clone()),
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
        reg.clock().clone(),
    );
    Ok((Arc::new(client), server))
}

/// The demo's civil registry: the population's persons.csv loaded into the same database and the hub
/// wired in-process.
pub async fn demo_registry(
    reg: &mut Registry,
    civil: Arc<dyn CivilStore>,
    persons: &std::path::Path,
) -> Result<Arc<tamwin_civil::server::HubServer>, Error> {
    let rejects = persons.with_file_name("civil-rejects.csv");
    let r = tamwin_civil::load::load_persons(civil.clone(), persons, &rejects, Arc::new(|_| {}))
        .await?;
    println!(
        "Civil registry (in-process): {} persons, {} rejected",
        r.persons, r.rejected
    );
    embed(reg, civil).await
}

/// Subscribes to vital events, starts the task that works the registry's queue and delivers its
/// callbacks to this server's own routes, and runs a first reconciliation so that the holds of the
/// deceased, the emigrated and the unknown come from the registry's answers.
pub async fn demo_subscribe(
    reg: &Arc<Registry>,
    server: Arc<tamwin_civil::server::HubServer>,
) -> Result<(), Error> {
    let callbacks = Arc::new(tamwin_civil::in_process::InProcess::new(
        tamwin_web::app_with(reg.clone(), true),
    ));
    reg.crvs_subscribe()
        .await
        .map_err(|e| tamwin_web::errors::english(&e))?;
    tamwin_civil::crvs::spawn_worker(server, callbacks);
    let started = std::time::Instant::now();
    let r = reg
        .reconcile(500, true, &|_| {})
        .await
        .map_err(|e| tamwin_web::errors::english(&e))?;
    println!(
        "Reconciliation with the civil registry: {} members in {:.1} s; held {} deceased, {} abroad, {} unknown",
        r.members,
        started.elapsed().as_secs_f64(),
        r.deceased,
        r.abroad,
        r.not_found
    );
    Ok(())
}

/// News for the demo citizen's household from the registry: the wife's new unified card printed and
/// out for delivery (tracked on the citizen page), and a birth that reaches Tamwin by CRVS
/// notification and waits there for the head's confirmation.
pub async fn demo_birth(
    reg: &Registry,
    store: &dyn tamwin_store::Store,
    server: &tamwin_civil::server::HubServer,
    phone: &tamwin_domain::Phone,
) -> Result<(), Error> {
    let Some(hid) = store.household_by_phone(phone).await? else {
        return Ok(());
    };
    let Some(rec) = store.household_by_id(&hid).await? else {
        return Ok(());
    };
    let parents: Vec<String> = rec
        .present_members()
        .filter(|m| {
            matches!(
                m.data.relation,
                tamwin_domain::Relation::Head | tamwin_domain::Relation::Spouse
            )
        })
        .filter_map(|m| m.national_id.as_ref().map(|n| n.as_str().to_string()))
        .collect();
    let Some(head) = rec
        .present_members()
        .find(|m| m.data.relation == tamwin_domain::Relation::Head)
    else {
        return Ok(());
    };
    // An ID outside the synthetic population's range, valid by the checksum.
    let child = tamwin_domain::NationalId::from_payload(
        99_000_000_000 + (rec.household.household_id.len() as u64),
    )
    .ok_or("no national ID for the newborn")?;
    let today = reg.clock().today();
    let born = today.checked_sub(jiff::Span::new().days(3))?.to_string();
    let newborn = tamwin_store::CivilPerson {
        national_id: child.as_str().to_string(),
        given_name: "زينب".into(),
        father_name: head.data.given_name.clone(),
        grandfather_name: head.data.father_name.clone(),
        family_name: head.data.family_name.clone(),
        mother_name: "فاطمة جاسم محمد".into(),
        birth_date: born.clone(),
        sex: "female".into(),
        phone: None,
        card_status: None,
        card_expires: None,
        fingerprint_sha256: None,
        death_date: None,
        abroad_since: None,
    };
    // A member's new unified card is on its way home (the spouse's if she has a national ID):
    // printed and out for delivery.
    let mut with_id: Vec<_> = rec
        .present_members()
        .filter(|m| m.national_id.is_some())
        .collect();
    with_id.sort_by_key(|m| match m.data.relation {
        tamwin_domain::Relation::Spouse => 0,
        tamwin_domain::Relation::Head => 2,
        _ => 1,
    });
    if let Some(nid) = with_id.first().and_then(|m| m.national_id.clone()) {
        let (_, order) = server
            .issue_card(nid.as_str(), Some(&rec.household.address))
            .await?;
        if let Some(o) = order {
            server.advance_delivery(&o.order_id, "printed", "").await?;
            server
                .advance_delivery(
                    &o.order_id,
                    "out_for_delivery",
                    "مندوب التوصيل: فريق كربلاء ٢",
                )
                .await?;
        }
    }
    server
        .record_event(&tamwin_civil::crvs::NewEvent {
            event_id: format!("demo-birth-{}", child.as_str()),
            kind: "birth".into(),
            national_id: child.as_str().to_string(),
            date: born,
            newborn: Some(newborn),
            parents,
        })
        .await?;
    Ok(())
}

pub async fn reconcile(reg: &Registry, batch: u32, restart: bool) -> Result<(), Error> {
    let applied = reg
        .apply_pending_events(500)
        .await
        .map_err(|e| tamwin_web::errors::english(&e))?;
    if applied > 0 {
        println!("{applied} waiting vital events applied");
    }
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
        .map_err(|e| tamwin_web::errors::english(&e))?;
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

/// The stations' commands, on the registry's database.
pub async fn stations(store: &dyn CivilStore, command: HubCommand) -> Result<(), Error> {
    use crate::cli::HubCommand::*;
    let geo = tamwin_domain::Geography::builtin()?;
    let s = tamwin_civil::stations::Stations {
        store,
        geo: &geo,
        now: jiff::Timestamp::now(),
    };
    match command {
        StationAdd {
            kind,
            name,
            district,
        } => {
            let site = s.add_site(&kind, &name, &district).await?;
            println!(
                "site {} ({}, district {})",
                site.site_id, site.kind, site.district
            );
        }
        VisitSchedule {
            site,
            place_kind,
            place_name,
            district,
            date,
            starts,
            ends,
        } => {
            let v = s
                .schedule(
                    &site,
                    &place_kind,
                    &place_name,
                    &district,
                    &date,
                    &starts,
                    &ends,
                )
                .await?;
            println!(
                "visit {} on {} {}-{} at {}",
                v.visit_id, v.visit_date, v.starts, v.ends, v.place_name
            );
        }
        VisitRegister {
            visit,
            national_id,
            service,
        } => {
            let new = s.register(&visit, &national_id, &service).await?;
            println!(
                "{}",
                if new {
                    "registered"
                } else {
                    "already registered at this visit"
                }
            );
        }
        VisitClose { visit, cancel } => {
            s.close(&visit, cancel).await?;
            println!("{}", if cancel { "cancelled" } else { "closed" });
        }
        Visits { from, to } => {
            for v in store.visits(&from, &to).await? {
                println!(
                    "{} {}-{}  {:9} {:11} {}  district {}  {} registered  ({})",
                    v.visit_date,
                    v.starts,
                    v.ends,
                    v.status,
                    v.place_kind,
                    v.place_name,
                    v.district,
                    v.registered,
                    v.visit_id
                );
            }
        }
        _ => return Err("not a stations command".into()),
    }
    Ok(())
}

/// `tamwin hub …`: the reference civil registry's server and its administration, and the ration side's
/// subscription and nightly reconciliation.
pub(crate) async fn run(rules: &Settings, command: HubCommand) -> Result<(), Error> {
    match command {
        HubCommand::Serve {
            listen,
            key,
            key_id,
            callbacks,
            client_callbacks,
        } => {
            let store = migrated_civil_store(rules).await?;
            let defaults = client_callbacks
                .iter()
                .map(|c| {
                    c.split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .ok_or_else(|| format!("--client-callback {c}: CLIENT=BASE expected"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let server = hub_http::server(store, &key, &key_id, callbacks, defaults)?;
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            println!(
                "The reference civil registry (hub) is serving on http://{}/",
                listener.local_addr()?
            );
            hub_http::serve(server, listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        HubCommand::MemberKey {
            member,
            key_id,
            public_key,
        } => {
            let store = migrated_civil_store(rules).await?;
            if tamwin_hub::unhex(&public_key).is_none_or(|b| b.len() != 32) {
                return Err("--public-key: 64 hex digits".into());
            }
            store
                .save_hub_key(&tamwin_store::HubKey {
                    member: member.clone(),
                    key_id: key_id.clone(),
                    public_key: public_key.to_lowercase(),
                    valid_from: jiff::Timestamp::now(),
                    valid_until: None,
                })
                .await?;
            println!("registered key {key_id} of {member}");
            Ok(())
        }
        HubCommand::Event {
            kind,
            national_id,
            date,
            id,
            key,
            key_id,
        } => {
            let store = migrated_civil_store(rules).await?;
            let server = hub_http::server(store, &key, &key_id, vec![], vec![])?;
            let new = server
                .record_event(&tamwin_civil::crvs::NewEvent {
                    event_id: id.unwrap_or_else(|| {
                        format!("moi-{}", jiff::Timestamp::now().as_nanosecond())
                    }),
                    kind,
                    national_id,
                    date,
                    newborn: None,
                    parents: vec![],
                })
                .await?;
            println!(
                "{}",
                if new {
                    "recorded; subscribers are notified by the serving hub"
                } else {
                    "already recorded"
                }
            );
            Ok(())
        }
        HubCommand::CardIssue {
            national_id,
            deliver_to,
            svg,
            key,
            key_id,
        } => {
            let server = hub_http::server(
                migrated_civil_store(rules).await?,
                &key,
                &key_id,
                vec![],
                vec![],
            )?;
            let (card, order) = server
                .issue_card(&national_id, deliver_to.as_deref())
                .await?;
            println!(
                "card {} issued, valid until {}",
                card.card_number, card.expires_at
            );
            println!("QR: {}", card.qr);
            if let Some(o) = order {
                println!("delivery order {} ({})", o.order_id, o.status);
            }
            if let Some(path) = svg {
                std::fs::write(
                    &path,
                    tamwin_card::qr_svg(&card.qr).map_err(|e| e.message_en())?,
                )?;
                println!("QR written to {}", path.display());
            }
            Ok(())
        }
        HubCommand::CardDelivery {
            order,
            status,
            note,
            key,
            key_id,
        } => {
            let server = hub_http::server(
                migrated_civil_store(rules).await?,
                &key,
                &key_id,
                vec![],
                vec![],
            )?;
            let d = server.advance_delivery(&order, &status, &note).await?;
            println!("order {}: {}", d.order_id, d.status);
            Ok(())
        }
        command @ (HubCommand::StationAdd { .. }
        | HubCommand::VisitSchedule { .. }
        | HubCommand::VisitRegister { .. }
        | HubCommand::VisitClose { .. }
        | HubCommand::Visits { .. }) => {
            stations(migrated_civil_store(rules).await?.as_ref(), command).await
        }
        HubCommand::Subscribe { listen, hub } => {
            let mut reg = new_registry(&rules.database_url, rules).await?;
            hub_http::connect(&mut reg, &hub, &listen)?;
            if reg.hub_client().is_none() {
                return Err("--hub-url is needed".into());
            }
            let c = reg
                .crvs_subscribe()
                .await
                .map_err(|e| tamwin_web::errors::english(&e))?;
            println!(
                "subscription acknowledged (correlation id {c}); the hub confirms to the callback"
            );
            Ok(())
        }
        HubCommand::Load { path, rejects } => {
            let store = migrated_civil_store(rules).await?;
            let file = if path.is_dir() {
                path.join("persons.csv")
            } else {
                path.clone()
            };
            let rejects = rejects.unwrap_or_else(|| {
                file.parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join("civil-rejects.csv")
            });
            let pb = bar(count_lines(&file), "load");
            let p = pb.clone();
            let started = std::time::Instant::now();
            let r = tamwin_civil::load::load_persons(
                store,
                &file,
                &rejects,
                Arc::new(move |n| p.set_position(n)),
            )
            .await?;
            pb.finish();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "loaded {} persons into the civil registry in {secs:.1} s ({:.0}/s); rejected {} rows ({})",
                r.persons,
                r.persons as f64 / secs.max(0.001),
                r.rejected,
                r.rejects.display()
            );
            Ok(())
        }
        HubCommand::Reconcile { batch, restart } => {
            // The embedded default: the reference registry lives in the same database.
            let crate::wiring::Wired { mut reg, civil, .. } =
                crate::wiring::wire(&rules.database_url, rules).await?;
            embed(&mut reg, civil).await?;
            reconcile(&reg, batch, restart).await
        }
    }
}
