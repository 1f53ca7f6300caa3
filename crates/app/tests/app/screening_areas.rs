//! Screening and the reader's area, on both backends: a match whose other card lies outside the
//! auditor's area is shown without that card's data (an auditor covering both sees both), appeals and
//! their documents stay within the area, every answer carrying personal data writes one read entry per
//! household first, the queue pages by keyset with identities and counts, the appeals inbox lists open
//! appeals with their age, the citizen sees the reason of an appeal's outcome, and the role is checked
//! before anything else.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use tamwin_app::documents::Document;
use tamwin_app::screening::QueueQuery;
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::screening::{FindingKind, FindingStatus, ScreenDecision};
use tamwin_domain::{CardNumber, Geography, NewHousehold};
use tamwin_store::ScreeningFinding;

fn household(district: &str, id: u64, given: &str) -> NewHousehold {
    serde_json::from_value(serde_json::json!({
        "governorate": &district[..2], "district": district, "address": "دار 1", "phone": null,
        "members": [{"national_id": tamwin_domain::NationalId::from_payload(id).unwrap().to_string(),
            "given_name": given, "father_name": "جواد", "grandfather_name": "مهدي", "family_name": "الحسيني",
            "mother_name": "زهراء علي حسن", "birth_date": "1970-01-01", "sex": "male", "relation": "head"}]
    }))
    .unwrap()
}

struct Card {
    card: CardNumber,
    household_id: String,
    member_id: String,
}

async fn create(reg: &Registry, h: &NewHousehold) -> Card {
    let o = reg
        .create_household(h, &Actor::system("t"), None)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&o.body).unwrap();
    let card = CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap();
    let rec = reg.store().household_by_card(&card).await.unwrap().unwrap();
    Card {
        card,
        household_id: rec.household.household_id.to_string(),
        member_id: rec.members[0].member_id.to_string(),
    }
}

fn finding(run_id: &str, n: usize, a: &Card, b: Option<&Card>, score: i64) -> ScreeningFinding {
    ScreeningFinding {
        finding_id: format!("f-{n:03}").into(),
        run_id: run_id.into(),
        kind: if b.is_some() {
            FindingKind::Duplicate
        } else {
            FindingKind::Fictitious
        },
        household_id: a.household_id.clone().into(),
        member_id: a.member_id.clone().into(),
        other_household_id: b.map(|b| b.household_id.as_str().into()),
        other_member_id: b.map(|b| b.member_id.as_str().into()),
        other_national_id: None,
        pair_key: format!("test:{n}"),
        score_micros: score,
        decision: ScreenDecision::Hold,
        explanation: "given=exact(+3.41,tf-1.20);father=exact(+2.10)".into(),
        status: FindingStatus::Pending,
        created_at: "2026-11-21T09:00:00Z".parse().unwrap(),
        decided_at: None,
        decided_by: None,
        decision_note: None,
        effective_at: None,
        hold_id: None,
    }
}

/// Read entries of a household, by the route they came through.
async fn reads(reg: &Registry, household_id: &str, action: &str, via: &str) -> usize {
    reg.store()
        .household_audit(&household_id.into(), &[action], 1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.details.contains(&format!("\"via\":\"{via}\"")))
        .count()
}

fn auditor(area: Area) -> Actor {
    Actor::staff("u1", "auditor", Role::Auditor, area, "web")
}

tamwin_store::backend_tests! {
    async fn screening_reads_stay_in_the_area_and_are_audited_on_every_backend(
        (backend, store) in backends
    ) {
        let clock = Arc::new(FixedClock(Mutex::new(
            "2026-11-21T09:00:00Z".parse().unwrap(),
        )));
        let reg = Arc::new(Registry::new(
            store,
            Arc::new(Geography::builtin().unwrap()),
            clock.clone(),
            Arc::new(RandomIds),
        ));
        reg.prepare().await.unwrap();
        // A card in Karbala centre, its match in al-Hindiya (same governorate), one in Najaf.
        let a = create(&reg, &household("1101", 43_000_000_001, "كاظم")).await;
        let b = create(&reg, &household("1102", 43_000_000_002, "حيدر")).await;
        let najaf = create(&reg, &household("1201", 43_000_000_003, "مصطفى")).await;
        // A run of its own, so that the findings are exactly these.
        let run = "run-1".to_string();
        let at: jiff::Timestamp = "2026-11-21T09:00:00Z".parse().unwrap();
        let log = tamwin_store::ChangeLog {
            change_id: "c-run".into(),
            at,
            actor: "t".into(),
            role: "system".into(),
            area: "nation".into(),
            kind: "screening_started",
            member_id: None,
            reason: None,
            details: serde_json::json!({}),
            channel: "cli",
        };
        reg.store()
            .start_screening_run(
                &tamwin_store::ScreeningRun {
                    run_id: run.clone(),
                    started_by: "t".into(),
                    started_at: at,
                    finished_at: None,
                    status: "running".into(),
                    phase: "load".into(),
                    done: 0,
                    total: 0,
                    written: 0,
                    summary: String::new(),
                    error: None,
                },
                &log,
            )
            .await
            .unwrap();
        let mut rows = vec![
            finding(&run, 0, &a, Some(&b), 990_000),
            finding(&run, 1, &a, Some(&najaf), 980_000),
        ];
        // Ten more on the first card, for paging.
        for n in 2..12 {
            rows.push(finding(&run, n, &a, None, 900_000 - n as i64));
        }
        reg.store().save_findings(&run, &rows, 12).await.unwrap();

        let district = auditor(Area::District("1101".into()));
        let karbala = auditor(Area::Governorate("11".into()));

        // The district's auditor sees their card and only that a card elsewhere matches.
        let before = reads(&reg, &a.household_id, "household.read", "screening.finding").await;
        let d = reg.screening_finding(&district, &"f-000".into()).await.unwrap();
        let v = d.view();
        assert!(v.other.is_none(), "{backend}");
        assert!(v.other_outside_area, "{backend}");
        assert_eq!(v.finding.other_household_id, None, "{backend}");
        assert_eq!(v.finding.other_member_id, None, "{backend}");
        assert!(v.finding.explanation.starts_with("given="), "{backend}");
        let json = serde_json::to_string(&v).unwrap();
        assert!(!json.contains(b.card.as_str()), "{backend}: {json}");
        assert!(!json.contains(&b.household_id), "{backend}: {json}");
        let b_nid = tamwin_domain::NationalId::from_payload(43_000_000_002)
            .unwrap()
            .to_string();
        assert!(!json.contains(&b_nid), "{backend}: {json}");
        assert!(!json.contains("حيدر"), "{backend}: {json}");
        assert_eq!(
            reads(&reg, &a.household_id, "household.read", "screening.finding").await,
            before + 1,
            "{backend}"
        );
        assert_eq!(
            reads(&reg, &b.household_id, "household.read", "screening.finding").await,
            0,
            "{backend}: a card not shown is not read"
        );
        // The governorate's auditor covers both cards: both shown, both read.
        let v = reg
            .screening_finding(&karbala, &"f-000".into())
            .await
            .unwrap()
            .view();
        assert_eq!(
            v.other.as_ref().map(|o| o.card_number.as_str()),
            Some(b.card.as_str()),
            "{backend}"
        );
        assert!(!v.other_outside_area, "{backend}");
        assert_eq!(
            reads(&reg, &b.household_id, "household.read", "screening.finding").await,
            1,
            "{backend}"
        );
        // Najaf's card stays hidden from Karbala's auditor; Najaf's auditor does not see the finding.
        let v = reg
            .screening_finding(&karbala, &"f-001".into())
            .await
            .unwrap()
            .view();
        assert!(v.other.is_none() && v.other_outside_area, "{backend}");
        let najaf_auditor = auditor(Area::Governorate("12".into()));
        assert!(matches!(
            reg.screening_finding(&najaf_auditor, &"f-001".into()).await,
            Err(AppError::NotFound)
        ));

        // The queue: identities, counts, keyset pages without overlap, each listed card audited.
        let listed = reads(&reg, &a.household_id, "household.listed", "screening.queue").await;
        let mut q = QueueQuery {
            limit: 5,
            ..Default::default()
        };
        let mut seen = vec![];
        let mut pages = 0;
        loop {
            let p = reg.screening_queue(&district, &q).await.unwrap();
            pages += 1;
            for i in &p.items {
                assert_eq!(i.who.card_number, a.card.as_str(), "{backend}");
                assert!(i.who.member_name.starts_with("كاظم جواد"), "{backend}");
                assert_eq!(i.who.district, "1101", "{backend}");
                seen.push(i.finding.finding_id.clone());
            }
            let total: i64 = p.counts.iter().map(|c| c.count).sum();
            assert_eq!(total, 12, "{backend}: {:?}", p.counts);
            match p.next_after {
                Some(n) => q.after = Some(n),
                None => break,
            }
        }
        let mut want: Vec<String> = (0..12).map(|n| format!("f-{n:03}")).collect();
        assert_eq!(seen, want, "{backend}: pages in queue order, no overlap");
        assert_eq!(pages, 3, "{backend}");
        assert_eq!(
            reads(&reg, &a.household_id, "household.listed", "screening.queue").await,
            listed + 3,
            "{backend}: one entry per household per page"
        );
        want.truncate(2);
        let dups = reg
            .screening_queue(
                &karbala,
                &QueueQuery {
                    kind: Some("duplicate".into()),
                    limit: 100,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let ids: Vec<_> = dups.items.iter().map(|i| &i.finding.finding_id).collect();
        assert_eq!(ids, want.iter().collect::<Vec<_>>(), "{backend}");
        // A district filter outside the area finds nothing; one inside narrows.
        for (who, d, n) in [
            (&district, "1102", 0),
            (&karbala, "1102", 0),
            (&karbala, "1101", 12),
        ] {
            let p = reg
                .screening_queue(
                    who,
                    &QueueQuery {
                        district: Some(d.into()),
                        limit: 100,
                        ..Default::default()
                    },
                )
                .await
                .unwrap();
            assert_eq!(p.items.len(), n, "{backend}: {d}");
        }
        assert!(matches!(
            reg.screening_queue(
                &district,
                &QueueQuery {
                    after: Some("nonsense".into()),
                    limit: 5,
                    ..Default::default()
                }
            )
            .await,
            Err(AppError::Validation(_))
        ));

        // An appeal: in the inbox of the area with its age, its document read audited, its outcome's
        // reason shown to the citizen.
        reg.decide_screening_finding(&district, &"f-000".into(), true, "same person")
            .await
            .unwrap();
        let citizen = Actor::citizen(&a.household_id.as_str().into(), "+9647809990001", "web");
        let appeal = reg
            .submit_appeal(
                &citizen,
                &"f-000".into(),
                "أنا شخص واحد",
                Document {
                    name: "card.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4 x".to_vec(),
                },
            )
            .await
            .unwrap();
        *clock.0.lock().unwrap() = "2026-11-24T10:00:00Z".parse().unwrap();
        let inbox = reg.appeal_inbox(&district, None, 100).await.unwrap();
        assert_eq!(inbox.items.len(), 1, "{backend}");
        assert_eq!(inbox.items[0].appeal.appeal_id, appeal, "{backend}");
        assert_eq!(inbox.items[0].age_days, 3, "{backend}");
        assert_eq!(inbox.items[0].who.card_number, a.card.as_str(), "{backend}");
        assert_eq!(
            reads(
                &reg,
                &a.household_id,
                "household.listed",
                "screening.appeals"
            )
            .await,
            1,
            "{backend}"
        );
        assert!(
            reg.appeal_inbox(&najaf_auditor, None, 100)
                .await
                .unwrap()
                .items
                .is_empty(),
            "{backend}"
        );
        assert!(matches!(
            reg.appeal_document(&najaf_auditor, &appeal).await,
            Err(AppError::NotFound)
        ));
        let doc = reg.appeal_document(&district, &appeal).await.unwrap();
        assert_eq!(doc.document, b"%PDF-1.4 x".to_vec());
        assert_eq!(
            reads(
                &reg,
                &a.household_id,
                "household.read",
                "screening.appeal_document"
            )
            .await,
            1,
            "{backend}"
        );
        reg.decide_appeal(&district, &appeal, false, "the two cards show one man")
            .await
            .unwrap();
        let mine = reg.my_screening(&citizen).await.unwrap();
        let m = mine
            .iter()
            .find(|m| m.finding.finding_id == "f-000")
            .unwrap();
        let a_view = m.appeal.as_ref().unwrap();
        assert_eq!(a_view.status.code(), "rejected", "{backend}");
        assert_eq!(
            a_view.decision_note.as_deref(),
            Some("the two cards show one man"),
            "{backend}"
        );
        assert!(m.member_name.starts_with("كاظم"), "{backend}");
        // Upheld on a second appeal: the finding is cleared and the citizen still sees why.
        let again = reg
            .submit_appeal(
                &citizen,
                &"f-000".into(),
                "مستند جديد",
                Document {
                    name: "court.pdf".into(),
                    content_type: "application/pdf".into(),
                    bytes: b"%PDF-1.4 y".to_vec(),
                },
            )
            .await
            .unwrap();
        reg.decide_appeal(&karbala, &again, true, "the court letter shows two men")
            .await
            .unwrap();
        let mine = reg.my_screening(&citizen).await.unwrap();
        let m = mine
            .iter()
            .find(|m| m.finding.finding_id == "f-000")
            .unwrap();
        assert_eq!(m.finding.status.code(), "cleared", "{backend}");
        assert_eq!(
            m.appeal.as_ref().and_then(|a| a.decision_note.as_deref()),
            Some("the court letter shows two men"),
            "{backend}"
        );
        assert_eq!(
            reads(
                &reg,
                &a.household_id,
                "household.read",
                "screening.my_findings"
            )
            .await,
            2,
            "{backend}"
        );

        // The role first: an analyst or a citizen is refused whatever the request's faults.
        let analyst = Actor::staff("u2", "analyst", Role::Analyst, Area::Nation, "web");
        for who in [&analyst, &citizen] {
            assert!(matches!(
                reg.decide_screening_finding(who, &"no-such-finding".into(), true, "")
                    .await,
                Err(AppError::Forbidden)
            ));
            assert!(matches!(
                reg.decide_appeal(who, "no-such-appeal", false, "").await,
                Err(AppError::Forbidden)
            ));
            assert!(matches!(
                reg.appeal_inbox(who, Some("nonsense"), 5).await,
                Err(AppError::Forbidden)
            ));
            assert!(matches!(
                reg.screening_queue(
                    who,
                    &QueueQuery {
                        after: Some("nonsense".into()),
                        ..Default::default()
                    }
                )
                .await,
                Err(AppError::Forbidden)
            ));
        }
        assert!(matches!(
            reg.submit_appeal(
                &analyst,
                &"no-such-finding".into(),
                "",
                Document {
                    name: String::new(),
                    content_type: "x".into(),
                    bytes: vec![],
                }
            )
            .await,
            Err(AppError::Forbidden)
        ));
    }
}
