//! `tamwin bench redeem`: outlet devices collecting at once over HTTP, each request signed with the
//! device's own key, as bench/redeem.sh runs it. The set-up is made here on the server's database: this
//! month's basket open for the governorate, a device per terminal at the agents with the most
//! households (several terminals to an agent when there are more devices than agents), and each
//! household's card QR. Each device takes its agent's households in turn, 100 g of rice a collection,
//! each with its own transaction id; a request the server never answered (it was killed) is sent again
//! with the same id until it is answered. `--acks` writes every acknowledged collection;
//! `tamwin bench redeem-check` then finds each exactly once, no line beyond its entitlement, and every
//! line equal to its collections.

use crate::Error;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tamwin_app::{Actor, Registry};

/// Grams of rice one collection takes: small, so that a run never exhausts a family.
const GRAMS: i64 = 100;

struct Device {
    id: String,
    key: ed25519_dalek::SigningKey,
    /// QR texts of its agent's households.
    cards: Vec<String>,
}

#[derive(Default)]
struct Tally {
    ok: Vec<Duration>,
    statuses: BTreeMap<String, usize>,
    acks: Vec<String>,
    retries: usize,
}

/// This month's basket for the governorate, open: drafted and approved by two system names (four
/// eyes), generated here, opened; an open one is used as it is.
async fn open_cycle(reg: &Arc<Registry>, governorate: &str) -> Result<String, Error> {
    let month = tamwin_app::programmes::current_month(reg.clock().now()).to_string();
    let system = Actor::system("bench");
    for (_, text) in tamwin_domain::programme::BUILTIN {
        reg.import_programme(text, &system).await?;
    }
    let filter = tamwin_store::CycleFilter {
        programme: Some("iq-pds".into()),
        governorate: Some(governorate.into()),
        ..Default::default()
    };
    let found = reg.cycles(&filter, &system).await?;
    if let Some(c) = found
        .iter()
        .find(|c| c.month == month && c.status == "open")
    {
        return Ok(c.cycle_id.clone());
    }
    let c = reg
        .draft_cycle("iq-pds", &month, governorate, &system)
        .await?;
    reg.approve_cycle(&c.cycle_id, &Actor::system("bench-approver"))
        .await?;
    reg.generate_cycle(&c.cycle_id, "bench", &|_, _| {}).await?;
    reg.open_cycle(&c.cycle_id, &system).await?;
    Ok(c.cycle_id)
}

/// `n` devices at the agents with the most households, each with its agent's cards' QR.
async fn devices(
    reg: &Arc<Registry>,
    store: &dyn tamwin_store::Store,
    governorate: &str,
    n: usize,
) -> Result<Vec<Device>, Error> {
    let system = Actor::system("bench");
    let mut by_agent: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut after = None;
    loop {
        let page = store
            .list_households(&tamwin_store::ListFilter {
                governorate: Some(governorate.to_string()),
                district: None,
                state: Some(tamwin_domain::CardState::Active),
                after: after.clone(),
                limit: 500,
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.card_number.clone());
        for h in &page {
            let Some(r) = store.household_by_card(&h.card_number).await? else {
                continue;
            };
            let Some(agent) = r.household.agent_code.clone() else {
                continue;
            };
            let citizen = Actor::citizen(&r.household.household_id, "bench", "api");
            let qr = reg.own_card_qr(false, &citizen).await?;
            by_agent.entry(agent).or_default().push(qr);
        }
    }
    let mut agents: Vec<(String, Vec<String>)> = by_agent.into_iter().collect();
    agents.sort_by_key(|(_, c)| std::cmp::Reverse(c.len()));
    if agents.is_empty() {
        return Err("no household of the governorate has an agent".into());
    }
    let mut out = vec![];
    let known = reg.devices(&system).await?;
    for i in 0..n {
        let (agent, cards) = &agents[i % agents.len()];
        let key =
            ed25519_dalek::SigningKey::from_bytes(&[u8::try_from(i % 250).unwrap_or(0) + 1; 32]);
        let public = tamwin_hub::hex(key.verifying_key().as_bytes());
        let name = format!("bench-{i}");
        let id = match known.iter().find(|d| d.public_key == public) {
            Some(d) => d.device_id.clone(),
            None => {
                reg.add_device(&name, "outlet_operator", agent, &public, &system)
                    .await?
                    .device_id
            }
        };
        // Terminals of one agent share its households: each takes its own share.
        let terminals = n.div_ceil(agents.len()).max(1);
        let share: Vec<String> = cards
            .iter()
            .enumerate()
            .filter(|(j, _)| j % terminals == (i / agents.len()) % terminals)
            .map(|(_, c)| c.clone())
            .collect();
        out.push(Device {
            id,
            key,
            cards: if share.is_empty() {
                cards.clone()
            } else {
                share
            },
        });
    }
    Ok(out)
}

fn signed(d: &Device, addr: &str, body: &[u8]) -> Result<hyper::Request<Full<Bytes>>, Error> {
    use ed25519_dalek::Signer;
    let path = "/api/v1/outlet/redemptions";
    let at = jiff::Timestamp::now().to_string();
    let nonce = tamwin_app::secret::random_hex(16)?;
    let digest = tamwin_app::devices::body_sha256(body);
    let r = tamwin_app::devices::SignedRequest {
        device_id: &d.id,
        timestamp: &at,
        nonce: &nonce,
        signature: "",
        method: "POST",
        target: path,
        body_sha256: &digest,
    };
    let signature = tamwin_hub::hex(
        &d.key
            .sign(tamwin_app::devices::canonical(&r).as_bytes())
            .to_bytes(),
    );
    Ok(hyper::Request::builder()
        .method("POST")
        .uri(path)
        .header("host", addr)
        .header("content-type", "application/json")
        .header("x-tamwin-device", &d.id)
        .header("x-tamwin-timestamp", &at)
        .header("x-tamwin-nonce", &nonce)
        .header("x-tamwin-signature", signature)
        .header("x-tamwin-content-sha256", &digest)
        .body(Full::new(Bytes::from(body.to_vec())))?)
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: &str) -> Option<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    let (sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .ok()?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Some(sender)
}

async fn device_loop(
    d: Device,
    addr: String,
    until: Instant,
    run: String,
    tally: Arc<Mutex<Tally>>,
) -> Result<(), Error> {
    let mut sender: Option<Sender> = None;
    let mut cards = d.cards.clone();
    let mut seq = 0usize;
    while Instant::now() < until && !cards.is_empty() {
        let qr = cards[seq % cards.len()].clone();
        let txn = format!("{run}-{}-{seq}", d.id);
        let body = serde_json::json!({
            "transaction_id": txn, "card": {"qr": qr}, "collector_member_no": 1, "items": {"rice": GRAMS}
        })
        .to_string();
        // Sent until answered: a server killed mid-request answers the same id from its data.
        let answered = loop {
            if Instant::now() >= until + Duration::from_secs(30) {
                break None;
            }
            if sender.is_none() {
                sender = connect(&addr).await;
                if sender.is_none() {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            }
            let Some(s) = sender.as_mut() else { continue };
            let started = Instant::now();
            let sent = match s.send_request(signed(&d, &addr, body.as_bytes())?).await {
                Ok(resp) => {
                    let status = resp.status().as_u16();
                    match resp.into_body().collect().await {
                        Ok(b) => Some((status, b.to_bytes(), started.elapsed())),
                        Err(_) => None,
                    }
                }
                Err(_) => None,
            };
            match sent {
                Some(x) => break Some(x),
                None => {
                    sender = None;
                    tally.lock().map_err(|_| "tally")?.retries += 1;
                }
            }
        };
        let Some((status, body, took)) = answered else {
            break;
        };
        let mut t = tally.lock().map_err(|_| "tally")?;
        if status == 201 {
            t.ok.push(took);
            t.acks.push(format!("device:{}\t{txn}", d.id));
            *t.statuses.entry("201".into()).or_default() += 1;
        } else {
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_string))
                .unwrap_or_default();
            if matches!(
                code.as_str(),
                "quantity_over_entitlement" | "collector_on_hold" | "household_on_hold"
            ) {
                // This family is done (or cannot collect): the device leaves it.
                cards.retain(|c| *c != qr);
            }
            *t.statuses.entry(format!("{status} {code}")).or_default() += 1;
        }
        seq += 1;
    }
    Ok(())
}

fn percentile(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1].as_secs_f64() * 1e3
}

/// The run: `devices` terminals for `seconds`, then the figures; acknowledged collections to `acks`.
pub async fn redeem(
    reg: &Arc<Registry>,
    store: &dyn tamwin_store::Store,
    url: &str,
    devices_n: usize,
    seconds: u64,
    governorate: &str,
    acks: Option<&std::path::Path>,
) -> Result<(), Error> {
    let addr = url
        .trim_end_matches('/')
        .strip_prefix("http://")
        .ok_or("--url: http://host:port")?
        .to_string();
    let cycle = open_cycle(reg, governorate).await?;
    let devs = devices(reg, store, governorate, devices_n).await?;
    let cards: usize = devs.iter().map(|d| d.cards.len()).sum();
    println!("{devices_n} devices, {cards} cards, {seconds} s, cycle {cycle}");
    let tally = Arc::new(Mutex::new(Tally::default()));
    let run = tamwin_app::secret::random_hex(4)?;
    let started = Instant::now();
    let until = started + Duration::from_secs(seconds);
    let tasks: Vec<_> = devs
        .into_iter()
        .map(|d| {
            tokio::spawn(device_loop(
                d,
                addr.clone(),
                until,
                run.clone(),
                tally.clone(),
            ))
        })
        .collect();
    for t in tasks {
        t.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    let wall = started.elapsed().as_secs_f64();
    let mut t = std::mem::take(&mut *tally.lock().map_err(|_| "tally")?);
    t.ok.sort();
    for (k, v) in &t.statuses {
        println!("  {k}: {v}");
    }
    println!(
        "{} collections in {wall:.2} s: {:.0} collections/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; {} requests sent again",
        t.ok.len(),
        t.ok.len() as f64 / wall,
        percentile(&t.ok, 0.50),
        percentile(&t.ok, 0.99),
        percentile(&t.ok, 1.0),
        t.retries,
    );
    if let Some(path) = acks {
        std::fs::write(path, t.acks.join("\n") + "\n")?;
    }
    Ok(())
}

/// After runs (and crashes): every acknowledged collection present exactly once, no line beyond its
/// entitlement, every line equal to its collections.
pub async fn check(
    reg: &Arc<Registry>,
    store: &dyn tamwin_store::Store,
    governorate: &str,
    acks: &[std::path::PathBuf],
) -> Result<(), Error> {
    let (mut seen, mut missing) = (0usize, 0usize);
    for f in acks {
        for line in std::fs::read_to_string(f)?
            .lines()
            .filter(|l| !l.is_empty())
        {
            let (device, txn) = line
                .split_once('\t')
                .ok_or("an acks line is device<TAB>txn")?;
            seen += 1;
            if store.redemption_by_txn(device, txn).await?.is_none() {
                missing += 1;
                eprintln!("acknowledged and missing: {device} {txn}");
            }
        }
    }
    let cycle = open_cycle(reg, governorate).await?;
    let (over, mismatched) = store.redemption_check(&cycle).await?;
    println!(
        "{seen} acknowledged collections: {missing} missing; lines beyond their entitlement: {over}; lines unequal to their collections: {mismatched}"
    );
    if missing + usize::try_from(over + mismatched).unwrap_or(1) > 0 {
        return Err("the redemption check failed".into());
    }
    Ok(())
}
