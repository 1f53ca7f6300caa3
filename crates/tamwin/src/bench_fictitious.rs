//! `tamwin bench fictitious DIR`: the fictitious kind on a screening tier (`tamwin generate
//! --screening`, its people.csv and registry.csv), the registry in the database. Three ways side by
//! side in one process: the direct read screening did before issue 14 (the registry's table paged into
//! the engine, one linkage of all members against it), and the hub's batched search in-process and
//! over HTTP on a local port, both as a screening run asks it (bench/fictitious.sh, bench/README.md).

use crate::Error;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;
use std::sync::Arc;
use std::time::Instant;
use tamwin_app::SystemClock;
use tamwin_app::civil_search::{CivilSearch, MAX_BATCH};
use tamwin_app::hub_client::HubClient;
use tamwin_app::screening::civil::search_batch;
use tamwin_hub::services::HUB_MEMBER;
use tamwin_hub::{ClientId, KeyRing, MemberKey};
use tamwin_matching::blocking::DEATH_RULES;
use tamwin_matching::record::NO_HOUSEHOLD;
use tamwin_matching::screen::{fictitious, id_note};
use tamwin_matching::{Quiet, Rec, Settings, Vocab, link};
use tamwin_store::{CivilPerson, CivilStore, HubKey, ScreeningPerson};

/// Rows of registry.csv loaded per transaction when the registry is empty.
const LOAD_CHUNK: usize = 50_000;

fn rows(path: &Path) -> Result<Vec<csv::StringRecord>, Error> {
    let mut r = csv::Reader::from_path(path)?;
    Ok(r.records().collect::<Result<_, _>>()?)
}

fn col(r: &csv::StringRecord, i: usize) -> String {
    r.get(i).unwrap_or("").to_string()
}

/// The screening files' columns: record_id, household_id, national_id, given, father, grandfather,
/// family, mother, birth_date, sex, governorate.
fn member(r: &csv::StringRecord) -> ScreeningPerson {
    let opt = |i| Some(col(r, i)).filter(|s| !s.is_empty());
    ScreeningPerson {
        household_id: col(r, 1).into(),
        id: col(r, 0),
        national_id: opt(2),
        given: col(r, 3),
        father: col(r, 4),
        grandfather: col(r, 5),
        family: opt(6),
        mother: col(r, 7),
        birth_date: col(r, 8),
        sex: col(r, 9),
        death_date: None,
        abroad_since: None,
    }
}

fn civil(r: &csv::StringRecord) -> CivilPerson {
    CivilPerson {
        national_id: col(r, 2),
        given_name: col(r, 3),
        father_name: col(r, 4),
        grandfather_name: col(r, 5),
        family_name: Some(col(r, 6)).filter(|s| !s.is_empty()),
        mother_name: col(r, 7),
        birth_date: col(r, 8),
        sex: col(r, 9),
        phone: None,
        card_status: Some("valid".into()),
        card_expires: None,
        fingerprint_sha256: None,
        death_date: None,
        abroad_since: None,
    }
}

/// Before issue 14: the registry paged out of its table (20,000 a statement, as screening did) into
/// the engine beside the members, and one linkage of all members against it.
async fn direct(
    store: &dyn CivilStore,
    vocab: &mut Vocab,
    people: &[Rec],
) -> Result<BTreeSet<u32>, Error> {
    let t = Instant::now();
    let (mut registry, mut after) = (Vec::new(), None::<String>);
    let mut ignore = |_: &'static str, _| {};
    loop {
        let page = store.civil_page(after.as_deref(), 20_000, false).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.national_id.clone());
        for p in &page {
            registry.push(Rec::from_raw(
                vocab,
                &tamwin_civil::search::raw(p),
                NO_HOUSEHOLD,
                &mut ignore,
            ));
        }
    }
    let read = t.elapsed().as_secs_f64();
    let s = Settings::default();
    let l = link(
        vocab,
        DEATH_RULES,
        people,
        Some(&registry),
        None,
        &s,
        &Quiet,
    );
    let mut ids: Vec<u64> = registry.iter().map(|r| r.nid).filter(|n| *n != 0).collect();
    ids.sort_unstable();
    let found: BTreeSet<u32> = l
        .best
        .iter()
        .enumerate()
        .filter_map(|(i, best)| {
            let r = &people[i];
            let note = id_note(r.nid != 0, ids.binary_search(&r.nid).is_ok());
            fictitious(i as u32, f64::from(*best), note, &s).map(|f| f.a)
        })
        .collect();
    println!(
        "direct read: {:.1} s (read and key {} persons {read:.1} s, link {:.1} s), {} fictitious",
        t.elapsed().as_secs_f64(),
        registry.len(),
        t.elapsed().as_secs_f64() - read,
        found.len()
    );
    Ok(found)
}

/// A screening run's searches through one client: every member, `MAX_BATCH` a request.
async fn through(
    label: &str,
    civil: &dyn CivilSearch,
    members: &[ScreeningPerson],
    people: &[Rec],
) -> Result<BTreeSet<u32>, Error> {
    let t = Instant::now();
    let run = format!("bench-{label}-{}", jiff::Timestamp::now());
    let (mut found, mut first_batch) = (BTreeSet::new(), 0.0);
    for (n, chunk) in members.chunks(MAX_BATCH).enumerate() {
        let (f, _) = search_batch(civil, &run, n * MAX_BATCH, chunk, people).await?;
        found.extend(f.iter().map(|f| f.a));
        if n == 0 {
            first_batch = t.elapsed().as_secs_f64();
        }
    }
    let requests = members.len().div_ceil(MAX_BATCH);
    println!(
        "{label}: {:.1} s ({requests} requests; the first, which keys the registry and trains, {first_batch:.1} s), {} fictitious",
        t.elapsed().as_secs_f64(),
        found.len()
    );
    Ok(found)
}

fn client(
    transport: Arc<dyn tamwin_hub::HubTransport>,
    key: &[u8; 32],
    hub: &[u8; 32],
) -> Result<HubClient, Error> {
    Ok(HubClient::new(
        transport,
        ClientId::parse("IQ/GOV/MOT/tamwin").ok_or("client id")?,
        ed25519_dalek::SigningKey::from_bytes(key),
        "mot-bench",
        KeyRing::new(vec![MemberKey {
            member: HUB_MEMBER.into(),
            key_id: "moi-bench".into(),
            public_key: ed25519_dalek::SigningKey::from_bytes(hub)
                .verifying_key()
                .to_bytes(),
            valid_from: jiff::Timestamp::UNIX_EPOCH,
            valid_until: None,
        }]),
        Arc::new(SystemClock),
    ))
}

/// The civil registry is read through its own store: the direct read is the way screening read it
/// before issue 14, kept only as the baseline.
pub async fn fictitious_kind(store: Arc<dyn CivilStore>, dir: &Path) -> Result<(), Error> {
    if store.civil_count().await? == 0 {
        let t = Instant::now();
        // The table is keyed by national ID: the file's few persons without one stay out of it.
        let persons: Vec<CivilPerson> = rows(&dir.join("registry.csv"))?
            .iter()
            .map(civil)
            .filter(|p| !p.national_id.is_empty())
            .collect();
        for chunk in persons.chunks(LOAD_CHUNK) {
            store.civil_load(chunk).await?;
        }
        println!(
            "registry.csv loaded: {} persons, {:.1} s",
            persons.len(),
            t.elapsed().as_secs_f64()
        );
    }
    let t = Instant::now();
    let members: Vec<ScreeningPerson> = rows(&dir.join("people.csv"))?.iter().map(member).collect();
    let (mut vocab, mut ignore) = (Vocab::new(), |_: &'static str, _| {});
    let mut households: HashMap<String, u32> = HashMap::new();
    let people: Vec<Rec> = members
        .iter()
        .map(|p| {
            let next = households.len() as u32;
            let hh = *households.entry(p.household_id.to_string()).or_insert(next);
            let r = Rec::from_raw(&mut vocab, &tamwin_app::screening::raw(p), hh, &mut ignore);
            r.count_names(&mut vocab);
            r
        })
        .collect();
    println!(
        "members: {} from people.csv, {:.1} s (the same for every way)",
        members.len(),
        t.elapsed().as_secs_f64()
    );

    let old = direct(store.as_ref(), &mut vocab, &people).await?;
    drop(vocab);

    let (mot, moi) = ([1u8; 32], [9u8; 32]);
    store
        .save_hub_key(&HubKey {
            member: "IQ/GOV/MOT".into(),
            key_id: "mot-bench".into(),
            public_key: tamwin_hub::hex(
                &ed25519_dalek::SigningKey::from_bytes(&mot)
                    .verifying_key()
                    .to_bytes(),
            ),
            valid_from: jiff::Timestamp::UNIX_EPOCH,
            valid_until: None,
        })
        .await?;
    let server = Arc::new(tamwin_civil::server::HubServer {
        store: store.clone(),
        key: ed25519_dalek::SigningKey::from_bytes(&moi),
        key_id: "moi-bench".into(),
        now: Arc::new(jiff::Timestamp::now),
        callback_prefixes: vec![],
        default_callbacks: vec![],
        search: Default::default(),
    });
    let router = tamwin_civil::server::router(server.clone());
    let in_process = client(
        Arc::new(tamwin_civil::in_process::InProcess::new(router.clone())),
        &mot,
        &moi,
    )?;
    let hub = through("hub, in-process", &in_process, &members, &people).await?;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let serving = tokio::spawn(async move { axum::serve(listener, router).await });
    let http = client(
        Arc::new(tamwin_app::http_transport::HttpTransport {
            base: format!("http://{addr}"),
        }),
        &mot,
        &moi,
    )?;
    let over_http = through("hub, over HTTP", &http, &members, &people).await?;
    serving.abort();
    let same = |a: &BTreeSet<u32>, b: &BTreeSet<u32>| a.intersection(b).count();
    println!(
        "agreement: in-process and direct share {} of {} / {}; HTTP and in-process share {} of {} / {}",
        same(&hub, &old),
        hub.len(),
        old.len(),
        same(&over_http, &hub),
        over_http.len(),
        hub.len()
    );
    Ok(())
}
