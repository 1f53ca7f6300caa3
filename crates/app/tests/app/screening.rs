//! Screening on the database: a run over a generated registry and its civil registry finds an
//! injected duplicate, unreported deaths and fictitious members; an auditor confirms (a hold after the
//! grace period, the household told at once) or clears (never raised again); the citizen appeals with
//! a document; every decision is audited. Both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use crate::common;

use std::collections::BTreeSet;
use std::sync::Arc;
use tamwin_app::documents::Document;
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::{CardNumber, HoldReason};
use tamwin_store::{FindingFilter, ScreeningFinding};

/// The registry wired to the reference civil registry in-process (screening asks it through the hub).
async fn setup(store: Arc<dyn tamwin_store::Store>) -> (Arc<Registry>, Arc<FixedClock>) {
    let (reg, clock, _) = common::wired(store).await;
    (Arc::new(reg), clock)
}

/// (kind, member, other national ID, score in micros, decision, explanation).
type Row = (String, String, Option<String>, i64, String, String);

/// What the run before issue 14 found for the civil kinds: the members and the whole civil registry
/// read from the database and screened in one process (the direct read the hub replaced).
async fn direct_read(reg: &Registry) -> BTreeSet<Row> {
    use tamwin_matching::screen::{Decision, Inputs, Kind, Models, Trip, days, screen};
    use tamwin_matching::{BirthDate, Quiet, Rec, Settings, Vocab};
    let (mut vocab, mut ignore) = (Vocab::new(), |_: &'static str, _| {});
    let members = reg.store().screening_members(None, 100_000).await.unwrap();
    let mut households = std::collections::HashMap::new();
    let people: Vec<Rec> = members
        .iter()
        .map(|p| {
            let next = households.len() as u32;
            let hh = *households.entry(p.household_id.clone()).or_insert(next);
            let r = Rec::from_raw(&mut vocab, &screening::raw(p), hh, &mut ignore);
            r.count_names(&mut vocab);
            r
        })
        .collect();
    let civil = tamwin_store::testkit::civil_of(reg.store())
        .civil_page(None, 100_000, false)
        .await
        .unwrap();
    let (mut registry, mut deaths, mut exits, mut trips) = (vec![], vec![], vec![], vec![]);
    let (mut death_ids, mut exit_ids) = (vec![], vec![]);
    for p in &civil {
        let r = Rec::from_raw(
            &mut vocab,
            &tamwin_civil::search::raw(p),
            u32::MAX,
            &mut ignore,
        );
        if p.death_date.is_some() {
            deaths.push(r);
            death_ids.push(p.national_id.clone());
        } else if let Some(since) = &p.abroad_since {
            exits.push(r);
            exit_ids.push(p.national_id.clone());
            trips.push(Trip {
                exit: BirthDate::parse(since).and_then(days),
                returned: None,
            });
        }
        registry.push(r);
    }
    let today = BirthDate::parse(&reg.clock().today().to_string())
        .and_then(days)
        .unwrap();
    let inputs = Inputs {
        vocab: &vocab,
        people: &people,
        closed: &[],
        deaths: Some(&deaths),
        exits: Some((&exits, &trips)),
        registry: Some(&registry),
        collections: None,
        today,
        abroad_days: reg.abroad_after_days() as i32,
    };
    let out = screen(&inputs, &Models::default(), &Settings::default(), &Quiet);
    out.findings
        .iter()
        .filter(|f| f.decision != Decision::None)
        .filter_map(|f| {
            let other = match (f.kind, f.b) {
                (Kind::Deceased, Some(b)) => Some(death_ids[b as usize].clone()),
                (Kind::Abroad, Some(b)) => Some(exit_ids[b as usize].clone()),
                (Kind::Fictitious, _) => None,
                _ => return None,
            };
            Some((
                f.kind.code().to_string(),
                members[f.a as usize].id.clone(),
                other,
                (f.score * 1e6).round() as i64,
                f.decision.code().to_string(),
                f.explanation.clone(),
            ))
        })
        .collect()
}

fn staff(role: Role, area: Area) -> Actor {
    Actor::staff("u1", "auditor.karbala", role, area, "web")
}

pub(crate) async fn run(reg: &Arc<Registry>, auditor: &Actor) -> String {
    let started = reg.start_screening(auditor).await.unwrap();
    // Queued: the job runner runs it, as a server's would.
    Arc::new(jobs::Runner::only(reg.clone(), &[jobs::SCREENING]))
        .run_due()
        .await;
    for _ in 0..600 {
        let r = reg
            .store()
            .screening_run(&started.run_id)
            .await
            .unwrap()
            .unwrap();
        if r.status != "running" {
            assert_eq!(r.status, "done", "{:?}", r.error);
            return r.summary;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("the run did not finish");
}

async fn findings(reg: &Registry, auditor: &Actor, kind: &str) -> Vec<ScreeningFinding> {
    reg.screening_findings(
        auditor,
        FindingFilter {
            kind: Some(kind.into()),
            limit: 1000,
            ..Default::default()
        },
    )
    .await
    .unwrap()
}

tamwin_store::backend_tests! {
    async fn screening_confirm_grace_hold_clear_and_appeal((backend, store) in backends) {
        let (reg, clock) = setup(store).await;
        reg.prepare().await.unwrap();
        let dir =
            std::env::temp_dir().join(format!("tamwin-screening-{backend}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        common::populate(&reg, &dir, 300).await;
        let auditor = staff(Role::Auditor, Area::Governorate("11".into()));

        // The same man registered again on a card of his own, without his ID, one dot wrong.
        let original = reg
            .store()
            .screening_members(None, 1)
            .await
            .unwrap()
            .remove(0);
        let copy: serde_json::Value = serde_json::json!({"governorate": "11", "district": "1101",
            "address": "حي العباس، دار 3", "phone": "07809990001",
            "members": [{"given_name": original.given, "father_name": original.father,
                "grandfather_name": original.grandfather, "family_name": original.family,
                "mother_name": original.mother, "birth_date": original.birth_date,
                "sex": original.sex, "relation": "head"}]});
        let o = reg
            .create_household(
                &serde_json::from_value(copy).unwrap(),
                &Actor::system("t"),
                None,
            )
            .await
            .unwrap();
        let copy_card = CardNumber::parse(
            serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
                .as_str()
                .unwrap(),
        )
        .unwrap();
        let copy_rec = reg
            .store()
            .household_by_card(&copy_card)
            .await
            .unwrap()
            .unwrap();

        // Only auditors screen.
        let officer = staff(Role::CentreOfficer, Area::Governorate("11".into()));
        assert!(matches!(
            reg.start_screening(&officer).await,
            Err(AppError::Forbidden)
        ));

        let summary = run(&reg, &auditor).await;
        assert!(summary.contains("pairs compared"), "{backend}: {summary}");
        // Asked through the hub, the civil kinds find what the direct read of the registry found.
        let mut through_hub = BTreeSet::new();
        for kind in ["deceased", "abroad", "fictitious"] {
            for f in findings(&reg, &auditor, kind).await {
                through_hub.insert((
                    f.kind.code().to_string(),
                    f.member_id.into_string(),
                    f.other_national_id,
                    f.score_micros,
                    f.decision.code().to_string(),
                    f.explanation,
                ));
            }
        }
        let direct = direct_read(&reg).await;
        assert!(!direct.is_empty(), "{backend}");
        assert_eq!(through_hub, direct, "{backend}: {summary}");
        let dups = findings(&reg, &auditor, "duplicate").await;
        let found = dups
            .iter()
            .find(|f| {
                f.household_id == copy_rec.household.household_id
                    || f.other_household_id.as_deref() == Some(&copy_rec.household.household_id)
            })
            .unwrap_or_else(|| panic!("{backend}: the copy was not found: {dups:?}"));
        assert!(found.explanation.starts_with("given="), "{backend}");
        assert_eq!(found.status.code(), "pending");
        // The civil registry knows deaths and members it has never heard of.
        assert!(
            !findings(&reg, &auditor, "deceased").await.is_empty(),
            "{backend}"
        );
        assert!(
            !findings(&reg, &auditor, "fictitious").await.is_empty(),
            "{backend}"
        );

        // Another governorate's auditor does not see it.
        let baghdad = staff(Role::Auditor, Area::Governorate("01".into()));
        assert!(matches!(
            reg.screening_finding(&baghdad, &found.finding_id).await,
            Err(AppError::NotFound)
        ));

        // Confirmed: nothing changes on the card until the grace period ends; the household is told.
        let held_hh = found.household_id.clone();
        let held_rec = reg
            .store()
            .household_by_id(&held_hh)
            .await
            .unwrap()
            .unwrap();
        let card = held_rec.household.card_number.clone();
        let confirmed = reg
            .decide_screening_finding(&auditor, &found.finding_id, true, "same person")
            .await
            .unwrap();
        assert_eq!(confirmed.status.code(), "confirmed");
        let again = reg
            .decide_screening_finding(&auditor, &found.finding_id, false, "no")
            .await;
        assert!(matches!(
            again,
            Err(AppError::Rule(tamwin_app::Rule {
                code: "finding_decided",
                ..
            }))
        ));
        if let Some(phone) = &held_rec.household.phone {
            let sms = reg.store().outbox_recent(20).await.unwrap();
            assert!(
                sms.iter()
                    .any(|m| m.recipient == phone.as_str() && m.body.contains("تموين")),
                "{backend}"
            );
        }
        let dup_holds = |r: &tamwin_domain::HouseholdRecord| {
            r.active_holds()
                .filter(|h| h.reason == HoldReason::Duplicate && h.source == "screening")
                .count()
        };
        assert_eq!(reg.apply_due_findings().await.unwrap(), 0);
        *clock.0.lock().unwrap() = "2026-12-06T09:00:00Z".parse().unwrap();
        assert_eq!(reg.apply_due_findings().await.unwrap(), 1, "{backend}");
        let rec = reg
            .store()
            .household_by_id(&held_hh)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dup_holds(&rec), 1, "{backend}");
        let in_effect = reg
            .store()
            .finding(&found.finding_id)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(in_effect.status.code(), "in_effect");

        // Cleared findings are never raised again by a later run.
        let other = findings(&reg, &auditor, "fictitious").await.remove(0);
        assert!(matches!(
            reg.decide_screening_finding(&auditor, &other.finding_id, false, "")
                .await,
            Err(AppError::Rule(tamwin_app::Rule {
                code: "note_required",
                ..
            }))
        ));
        reg.decide_screening_finding(&auditor, &other.finding_id, false, "seen at the centre")
            .await
            .unwrap();
        run(&reg, &auditor).await;
        let again: Vec<_> = findings(&reg, &auditor, "fictitious")
            .await
            .into_iter()
            .filter(|f| f.member_id == other.member_id)
            .collect();
        assert_eq!(again.len(), 1, "{backend}");
        assert_eq!(again[0].status.code(), "cleared");

        // The citizen appeals with a document; one open appeal at a time; the wrong kind of file is refused.
        let citizen = Actor::citizen(&held_hh, "+9647809990001", "web");
        let pdf = b"%PDF-1.4 certificate".to_vec();
        let doc = |name: &str, content_type: &str, bytes: Vec<u8>| Document {
            name: name.into(),
            content_type: content_type.into(),
            bytes,
        };
        assert!(matches!(
            reg.submit_appeal(
                &citizen,
                &found.finding_id,
                "أنا شخص واحد",
                doc("x.exe", "application/x-msdownload", pdf.clone())
            )
            .await,
            Err(AppError::Rule(tamwin_app::Rule {
                code: "document_type",
                ..
            }))
        ));
        let a1 = reg
            .submit_appeal(
                &citizen,
                &found.finding_id,
                "سُجّلت مرتين خطأً",
                doc("card.pdf", "application/pdf", pdf.clone()),
            )
            .await
            .unwrap();
        assert!(matches!(
            reg.submit_appeal(
                &citizen,
                &found.finding_id,
                "مرة أخرى",
                doc("card.pdf", "application/pdf", pdf.clone())
            )
            .await,
            Err(AppError::Rule(tamwin_app::Rule {
                code: "appeal_open",
                ..
            }))
        ));
        // Another household cannot appeal it.
        let stranger = Actor::citizen(&"someone-else".into(), "+9647800000000", "web");
        assert!(matches!(
            reg.submit_appeal(
                &stranger,
                &found.finding_id,
                "x",
                doc("a.pdf", "application/pdf", pdf.clone())
            )
            .await,
            Err(AppError::NotFound)
        ));
        reg.decide_appeal(&auditor, &a1, false, "the cards show one person twice")
            .await
            .unwrap();
        let a2 = reg
            .submit_appeal(
                &citizen,
                &found.finding_id,
                "مستند جديد",
                doc("court.pdf", "application/pdf", pdf.clone()),
            )
            .await
            .unwrap();
        reg.decide_appeal(&auditor, &a2, true, "the court letter shows two people")
            .await
            .unwrap();
        let rec = reg
            .store()
            .household_by_id(&held_hh)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(dup_holds(&rec), 0, "{backend}");
        assert_eq!(
            reg.store()
                .finding(&found.finding_id)
                .await
                .unwrap()
                .unwrap()
                .status
                .code(),
            "cleared"
        );
        // An appeal on a hold already lifted is refused.
        assert!(matches!(
            reg.submit_appeal(
                &citizen,
                &found.finding_id,
                "x",
                doc("a.pdf", "application/pdf", pdf)
            )
            .await,
            Err(AppError::Rule(tamwin_app::Rule {
                code: "appeal_hold_lifted",
                ..
            }))
        ));
        let _ = card;

        // Every decision is in the audit log.
        let mut actions = std::collections::BTreeSet::new();
        for chain in 0..tamwin_domain::audit::CHAINS {
            for e in reg.store().audit_page(chain, 0, 100_000).await.unwrap() {
                actions.insert(e.content.action.clone());
            }
        }
        for a in [
            "screening_started",
            "screening_finished",
            "screening_confirmed",
            "screening_cleared",
            "appeal_submitted",
            "appeal_rejected",
            "appeal_upheld",
            "hold_placed",
            "hold_lifted",
        ] {
            assert!(
                actions.contains(a),
                "{backend}: {a} missing from {actions:?}"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
