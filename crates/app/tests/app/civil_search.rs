//! The civil registry's batched search and vital records through the port, on both backends, in-process
//! and over HTTP: a match and its score and no more personal data than the question carried; batches
//! too large, malformed queries and bad signatures refused with their stable codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::sync::Arc;
use std::time::Duration;
use tamwin_app::civil_search::{CivilSearch, MAX_BATCH, PersonQuery};
use tamwin_app::http_transport::HttpTransport;
use tamwin_app::hub_client::{CallError, HubClient};
use tamwin_hub::HubErrorCode;
use tamwin_hub::search::{SearchBatch, VitalRecordsQuery};
use tamwin_hub::services::Service;
use tamwin_store::CivilPerson;

fn ask(id: &str, p: &CivilPerson, with_id: bool) -> PersonQuery {
    PersonQuery {
        id: id.into(),
        national_id: with_id.then(|| p.national_id.clone()),
        given_name: p.given_name.clone(),
        father_name: p.father_name.clone(),
        grandfather_name: p.grandfather_name.clone(),
        family_name: p.family_name.clone(),
        mother_name: p.mother_name.clone(),
        birth_date: p.birth_date.clone(),
        sex: p.sex.clone(),
        household: 1,
    }
}

async fn refused<Q: serde::Serialize + Sync>(hub: &HubClient, s: Service, q: &Q) -> HubErrorCode {
    match hub
        .call_within::<_, serde_json::Value>(s, q, Duration::from_secs(60))
        .await
        .1
    {
        Err(CallError::Refused(code)) => code,
        other => panic!("not refused: {other:?}"),
    }
}

tamwin_store::backend_tests! {
    async fn search_and_vital_records_in_process_and_over_http((backend, store) in backends) {
        let (reg, clock, _, server) = common::wired_with_server(store.clone()).await;
        let dir = std::env::temp_dir().join(format!(
            "tamwin-civil-search-{backend}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        let cfg = tamwin_synth::Config {
            households: 300,
            seed: 5,
            governorate: Some("11".into()),
            ..Default::default()
        };
        tamwin_synth::generate(&cfg, reg.geo(), &dir, &|_| {}).unwrap();
        tamwin_civil::load::load_persons(
            tamwin_store::testkit::civil_of(&store),
            &dir.join("persons.csv"),
            &dir.join("civil-rejects.csv"),
            Arc::new(|_| {}),
        )
        .await
        .unwrap();
        let persons = tamwin_store::testkit::civil_of(&store)
            .civil_page(None, 10_000, false)
            .await
            .unwrap();
        let alive = persons
            .iter()
            .find(|p| p.death_date.is_none() && p.abroad_since.is_none())
            .unwrap();
        let dead = persons.iter().find(|p| p.death_date.is_some()).unwrap();
        let mut invented = ask("3", alive, false);
        invented.given_name = "زرادشت".into();
        invented.father_name = "قمبيز".into();
        invented.grandfather_name = "بهرام".into();
        invented.mother_name = "روكسانه داريوش".into();
        invented.birth_date = "1911-11-11".into();
        let mut unknown_id = invented.clone();
        unknown_id.id = "4".into();
        unknown_id.national_id = Some(
            tamwin_domain::NationalId::from_payload(99_000_000_001)
                .unwrap()
                .to_string(),
        );
        let batch = |run: &str| SearchBatch {
            run: run.into(),
            queries: vec![
                ask("1", alive, true),
                ask("2", alive, false),
                invented.clone(),
                unknown_id.clone(),
                ask("5", dead, true),
            ],
        };

        // In-process, through the port the hub client implements.
        let hub = reg.hub_client().cloned().unwrap();
        let a = hub.search(&batch("run-1")).await.unwrap();
        assert_eq!(a.searched, persons.len() as u64, "{backend}");
        let r = &a.answers;
        assert!(r[0].matched && r[0].score >= 0.99, "{backend}: {r:?}");
        assert_eq!(r[0].national_id_known, Some(true));
        assert_eq!(r[0].life_status.as_deref(), Some("alive"));
        assert!(r[1].matched, "{backend}: found by names and birth date");
        assert_eq!((&r[1].national_id_known, &r[1].life_status), (&None, &None));
        assert!(!r[2].matched && r[2].score < 0.5, "{backend}: {r:?}");
        assert_eq!(r[3].national_id_known, Some(false));
        assert_eq!(r[3].life_status, None);
        assert_eq!(r[4].life_status.as_deref(), Some("deceased"));
        let raw = serde_json::to_string(&a).unwrap();
        assert!(
            !raw.contains(&alive.given_name) && !raw.contains(&alive.national_id),
            "{backend}: no names, no IDs in the answer: {raw}"
        );

        // Over HTTP: the same server on a port, the same answers.
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let app = tamwin_civil::server::router(server.clone());
        let serving = tokio::spawn(async move { axum::serve(listener, app).await });
        let http = common::client(
            Arc::new(HttpTransport {
                base: format!("http://{addr}"),
            }),
            clock.clone(),
        );
        let b = http.search(&batch("run-2")).await.unwrap();
        assert_eq!(a, b, "{backend}: over HTTP as in-process");

        // Vital records: pages of the deceased and those abroad, and one person's record.
        let mut seen = Vec::new();
        let mut after = None;
        loop {
            let q = VitalRecordsQuery {
                after,
                limit: 2,
                national_id: None,
            };
            let page = http.vital_records(&q).await.unwrap();
            seen.extend(page.records);
            match page.next {
                Some(n) => after = Some(n),
                None => break,
            }
        }
        let vital = persons
            .iter()
            .filter(|p| p.death_date.is_some() || p.abroad_since.is_some())
            .count();
        assert!(vital > 2, "{backend}: more than a page");
        assert_eq!(seen.len(), vital, "{backend}");
        assert!(seen.windows(2).all(|w| w[0].national_id < w[1].national_id));
        let one = |n: &str| VitalRecordsQuery {
            after: None,
            limit: 1,
            national_id: Some(n.into()),
        };
        let got = hub.vital_records(&one(&dead.national_id)).await.unwrap();
        assert_eq!(got.records[0].death_date, dead.death_date, "{backend}");
        let got = hub.vital_records(&one(&alive.national_id)).await.unwrap();
        assert!(
            got.records.is_empty(),
            "{backend}: the living are not vital records"
        );

        // Refusals, with their codes.
        let s = Service::SearchPersons;
        let mut big = batch("run-3");
        big.queries = (0..=MAX_BATCH)
            .map(|i| ask(&i.to_string(), alive, false))
            .collect();
        assert_eq!(
            refused(&hub, s, &big).await,
            HubErrorCode::BatchTooLarge,
            "{backend}"
        );
        let mut nameless = batch("run-3");
        nameless.queries[1].given_name = " ".into();
        assert_eq!(
            refused(&hub, s, &nameless).await,
            HubErrorCode::InvalidInput
        );
        let mut bad_id = batch("run-3");
        bad_id.queries[0].national_id = Some("12345".into());
        assert_eq!(refused(&hub, s, &bad_id).await, HubErrorCode::InvalidInput);
        assert_eq!(
            refused(
                &hub,
                s,
                &serde_json::json!({"run": "r", "queries": [{"id": "1", "name": "x"}]})
            )
            .await,
            HubErrorCode::InvalidInput,
            "{backend}: unknown fields"
        );
        assert_eq!(
            refused(&hub, s, &batch(" ")).await,
            HubErrorCode::InvalidInput
        );
        let v = Service::VitalRecords;
        let page = |limit| VitalRecordsQuery {
            after: None,
            limit,
            national_id: None,
        };
        assert_eq!(
            refused(&hub, v, &page(5_001)).await,
            HubErrorCode::BatchTooLarge
        );
        assert_eq!(refused(&hub, v, &page(0)).await, HubErrorCode::InvalidInput);
        let mut forger = common::client(
            Arc::new(HttpTransport {
                base: format!("http://{addr}"),
            }),
            clock.clone(),
        );
        forger.key = ed25519_dalek::SigningKey::from_bytes(&[7; 32]);
        assert_eq!(
            refused(&forger, s, &batch("run-4")).await,
            HubErrorCode::InvalidSignature,
            "{backend}"
        );
        serving.abort();
        let _ = std::fs::remove_dir_all(&dir);
    }
}
