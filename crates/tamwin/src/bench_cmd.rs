//! `tamwin bench booking`: many households booking appointments at once over HTTP, as the benchmark in
//! bench/booking.sh runs it. Each client keeps one HTTP/1.1 connection and books for the households it
//! takes from a shared queue (`POST /api/v1/households/{card}/appointments`, the earliest free slot, an
//! idempotency key each); then every slot is counted against its capacity in the database.

use crate::Error;
use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tamwin_app::Registry;
use tamwin_store::ListFilter;

/// The first `n` open households of a governorate, in card order (keyset pages).
async fn cards(
    store: &dyn tamwin_store::Store,
    governorate: &str,
    n: usize,
) -> Result<Vec<String>, Error> {
    let mut out = vec![];
    let mut after = None;
    while out.len() < n {
        let page = store
            .list_households(&ListFilter {
                governorate: Some(governorate.to_string()),
                district: None,
                state: None,
                after: after.clone(),
                limit: 200,
            })
            .await?;
        let Some(last) = page.last() else { break };
        after = Some(last.card_number.clone());
        out.extend(page.iter().map(|h| h.card_number.as_str().to_string()));
    }
    out.truncate(n);
    Ok(out)
}

struct Tally {
    latencies: Vec<Duration>,
    /// Latencies of the requests sent after the first second (a started server, pools open).
    warm: Vec<Duration>,
    statuses: BTreeMap<String, usize>,
}

async fn client(
    begun: Instant,
    addr: String,
    token: String,
    queue: Arc<Mutex<Vec<String>>>,
    tally: Arc<Mutex<Tally>>,
) -> Result<(), Error> {
    let stream = tokio::net::TcpStream::connect(&addr).await?;
    let (mut sender, conn) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    loop {
        let Some(card) = queue.lock().map_err(|_| "queue")?.pop() else {
            return Ok(());
        };
        let req = hyper::Request::builder()
            .method("POST")
            .uri(format!("/api/v1/households/{card}/appointments"))
            .header("host", &addr)
            .header("authorization", format!("Bearer {token}"))
            .header("content-type", "application/json")
            .header("idempotency-key", format!("bench-{card}"))
            .body(Full::new(Bytes::from_static(b"{}")))?;
        let started = Instant::now();
        let resp = sender.send_request(req).await?;
        let status = resp.status().as_u16();
        let body = resp.into_body().collect().await?.to_bytes();
        let took = started.elapsed();
        let label = if status == 201 {
            "201 booked".to_string()
        } else {
            let code = serde_json::from_slice::<serde_json::Value>(&body)
                .ok()
                .and_then(|v| v["code"].as_str().map(str::to_string))
                .unwrap_or_default();
            format!("{status} {code}")
        };
        let mut t = tally.lock().map_err(|_| "tally")?;
        t.latencies.push(took);
        if started.duration_since(begun) >= Duration::from_secs(1) {
            t.warm.push(took);
        }
        *t.statuses.entry(label).or_default() += 1;
    }
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

pub async fn booking(
    reg: &Registry,
    store: &dyn tamwin_store::Store,
    url: &str,
    token: &str,
    households: usize,
    clients: usize,
    governorate: &str,
) -> Result<(), Error> {
    let addr = url
        .trim_end_matches('/')
        .strip_prefix("http://")
        .ok_or("--url: http://host:port")?
        .to_string();
    let list = cards(store, governorate, households).await?;
    println!(
        "{} households book at once through {clients} clients",
        list.len()
    );
    let queue = Arc::new(Mutex::new(list));
    let tally = Arc::new(Mutex::new(Tally {
        latencies: vec![],
        warm: vec![],
        statuses: BTreeMap::new(),
    }));
    let started = Instant::now();
    let tasks: Vec<_> = (0..clients)
        .map(|_| {
            tokio::spawn(client(
                started,
                addr.clone(),
                token.to_string(),
                queue.clone(),
                tally.clone(),
            ))
        })
        .collect();
    for t in tasks {
        t.await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
    }
    let wall = started.elapsed();
    let (mut latencies, mut warm, statuses) = {
        let mut t = tally.lock().map_err(|_| "tally")?;
        (
            std::mem::take(&mut t.latencies),
            std::mem::take(&mut t.warm),
            std::mem::take(&mut t.statuses),
        )
    };
    latencies.sort();
    warm.sort();
    let booked = statuses.get("201 booked").copied().unwrap_or(0);
    for (k, v) in &statuses {
        println!("  {k}: {v}");
    }
    println!(
        "{booked} bookings in {:.2} s: {:.0} bookings/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
        wall.as_secs_f64(),
        booked as f64 / wall.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        percentile(&latencies, 1.0).as_secs_f64() * 1e3,
    );
    println!(
        "  sent after the first second: {} requests, p50 {:.1} ms, p99 {:.1} ms",
        warm.len(),
        percentile(&warm, 0.50).as_secs_f64() * 1e3,
        percentile(&warm, 0.99).as_secs_f64() * 1e3,
    );
    // Every slot against its capacity, from the appointments themselves.
    let today = reg.clock().today();
    let until = today.saturating_add(jiff::Span::new().days(40)).to_string();
    let (mut slots, mut overbooked, mut full) = (0, 0, 0);
    for c in &reg.geo().centres {
        let mut count: BTreeMap<String, i64> = BTreeMap::new();
        for a in store
            .appointments_at(&c.code, &today.to_string(), &until)
            .await?
        {
            if a.status == tamwin_domain::appointment::AppointmentStatus::Booked {
                *count.entry(a.starts_at).or_default() += 1;
            }
        }
        for l in store
            .slot_loads(&c.code, &today.to_string(), &until)
            .await?
        {
            let n = count.get(&l.starts_at).copied().unwrap_or(0);
            slots += 1;
            if n > l.capacity || l.booked != n {
                overbooked += 1;
            }
            if n == l.capacity {
                full += 1;
            }
        }
    }
    println!("{slots} slots used, {full} full, {overbooked} overbooked or miscounted");
    if overbooked > 0 {
        return Err("a slot holds more bookings than its capacity".into());
    }
    Ok(())
}
