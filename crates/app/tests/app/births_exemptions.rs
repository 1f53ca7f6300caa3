//! Births become suggestions the head confirms or declines; exemptions keep the abroad hold away for
//! their dates. Both backends.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use base64::Engine as _;
use std::sync::{Arc, Mutex};
use tamwin_app::documents::MAX_DOCUMENT_BYTES;
use tamwin_app::exemptions::ExemptionRequest;
use tamwin_app::*;
use tamwin_domain::access::{Area, Role};
use tamwin_domain::{CardNumber, Geography, HoldReason, NationalId};

fn nid(n: u64) -> String {
    NationalId::from_payload(n).unwrap().to_string()
}

/// Registers a household of (payload, relation, sex) with a phone; returns card and household id.
async fn register(
    reg: &Registry,
    people: &[(u64, &str, &str)],
    phone: &str,
) -> (CardNumber, tamwin_domain::HouseholdId) {
    let members: Vec<serde_json::Value> = people
        .iter()
        .map(|(id, rel, sex)| {
            serde_json::json!({"national_id": nid(*id), "given_name": "كريم", "father_name": "حسين",
                "grandfather_name": "كاظم", "mother_name": "زينب علي حسن", "birth_date": "1985-01-01",
                "sex": sex, "relation": rel})
        })
        .collect();
    let h = serde_json::from_value(serde_json::json!({"governorate": "11", "district": "1101",
        "address": "حي الحسين، دار 7", "phone": phone, "members": members}))
    .unwrap();
    let o = reg
        .create_household(&h, &Actor::system("t"), None)
        .await
        .unwrap();
    let card = CardNumber::parse(
        serde_json::from_str::<serde_json::Value>(&o.body).unwrap()["card_number"]
            .as_str()
            .unwrap(),
    )
    .unwrap();
    let hid = reg
        .store()
        .household_by_card(&card)
        .await
        .unwrap()
        .unwrap()
        .household
        .household_id;
    (card, hid)
}

fn birth(given: &str, sex: &str, parents: &[u64]) -> serde_json::Value {
    serde_json::json!({"given_name": given, "father_name": "كريم", "grandfather_name": "حسين",
        "family_name": "الكربلائي", "mother_name": "فاطمة جاسم محمد", "sex": sex,
        "parents": parents.iter().map(|p| nid(*p)).collect::<Vec<_>>()})
}

async fn active(reg: &Registry, card: &CardNumber, reason: HoldReason) -> usize {
    let v = reg.household(card, &Actor::system("t")).await.unwrap();
    v.holds
        .iter()
        .filter(|h| h.active && h.hold.reason == reason)
        .count()
}

fn setup(store: Arc<dyn tamwin_store::Store>) -> (Registry, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock(Mutex::new(
        "2026-11-21T09:00:00Z".parse().unwrap(),
    )));
    let reg = Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        clock.clone(),
        Arc::new(RandomIds),
    );
    (reg, clock)
}

tamwin_store::backend_tests! {
    async fn births_wait_for_the_head((backend, store) in backends) {
        let (reg, _) = setup(store);
        reg.prepare().await.unwrap();
        let (card, hid) = register(
            &reg,
            &[
                (72_000_000_001, "head", "male"),
                (72_000_000_002, "spouse", "female"),
            ],
            "07801234501",
        )
        .await;
        let head = Actor::citizen(&hid, "+9647801234501", "api");

        // Delivered twice: one suggestion, one message to the household's phone, nobody added yet.
        let child = nid(72_000_000_010);
        for _ in 0..2 {
            reg.receive_vital_event(
                "birth-1",
                "birth",
                &child,
                "2026-11-01",
                birth("زهراء", "female", &[72_000_000_002, 72_000_000_001]),
            )
            .await
            .unwrap();
        }
        let s = reg.own_suggestions(&head).await.unwrap();
        assert_eq!(s.len(), 1, "{backend}");
        assert_eq!(
            (s[0].status.as_str(), s[0].relation.as_str()),
            ("pending", "daughter"),
            "{backend}"
        );
        assert_eq!(s[0].birth_date, "2026-11-01");
        assert!(
            s[0].full_name.starts_with("زهراء كريم"),
            "{backend}: {}",
            s[0].full_name
        );
        let sms = reg.store().outbox_recent(10).await.unwrap();
        assert_eq!(
            sms.iter()
                .filter(|m| m.recipient == "+9647801234501" && m.body.contains("زهراء"))
                .count(),
            1,
            "{backend}"
        );
        assert_eq!(
            reg.household(&card, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            2
        );

        // Only the head of that household decides: staff are refused, another household finds nothing.
        let officer = Actor::staff(
            "u1",
            "officer",
            Role::CentreOfficer,
            Area::parse("1101", &Geography::builtin().unwrap()).unwrap(),
            "api",
        );
        assert!(matches!(
            reg.decide_suggestion(&officer, &s[0].suggestion_id, true)
                .await,
            Err(AppError::Forbidden)
        ));
        let (_, other) = register(&reg, &[(72_000_000_020, "head", "male")], "07801234502").await;
        let stranger = Actor::citizen(&other, "+9647801234502", "api");
        assert!(matches!(
            reg.decide_suggestion(&stranger, &s[0].suggestion_id, true)
                .await,
            Err(AppError::NotFound)
        ));

        // Confirmed: the child is on the card; confirming again changes nothing; declining is refused.
        let v = reg
            .decide_suggestion(&head, &s[0].suggestion_id, true)
            .await
            .unwrap();
        assert_eq!(v.status, "confirmed");
        let again = reg
            .decide_suggestion(&head, &s[0].suggestion_id, true)
            .await
            .unwrap();
        assert_eq!(again.status, "confirmed");
        match reg
            .decide_suggestion(&head, &s[0].suggestion_id, false)
            .await
        {
            Err(AppError::Rule(r)) => assert_eq!(r.code, "suggestion_decided"),
            other => panic!("{backend}: {other:?}"),
        }
        let members = reg
            .household(&card, &Actor::system("t"))
            .await
            .unwrap()
            .members;
        assert_eq!(members.len(), 3, "{backend}");
        assert!(
            members
                .iter()
                .any(|m| m.member.national_id.as_ref().map(|n| n.to_string())
                    == Some(child.clone())
                    && m.member.data.relation == tamwin_domain::Relation::Daughter)
        );

        // A birth whose parents are not registered yet waits; it becomes a suggestion once they are.
        let late = nid(72_000_000_031);
        reg.receive_vital_event(
            "birth-2",
            "birth",
            &late,
            "2026-10-20",
            birth("علي", "male", &[72_000_000_030]),
        )
        .await
        .unwrap();
        let (card2, hid2) =
            register(&reg, &[(72_000_000_030, "head", "male")], "07801234503").await;
        reg.apply_pending_events(100).await.unwrap();
        let head2 = Actor::citizen(&hid2, "+9647801234503", "api");
        let s2 = reg.own_suggestions(&head2).await.unwrap();
        assert_eq!((s2.len(), s2[0].relation.as_str()), (1, "son"), "{backend}");

        // Declined: nobody is added, and the decision stands.
        let d = reg
            .decide_suggestion(&head2, &s2[0].suggestion_id, false)
            .await
            .unwrap();
        assert_eq!(d.status, "declined");
        assert_eq!(
            reg.household(&card2, &Actor::system("t"))
                .await
                .unwrap()
                .members
                .len(),
            1
        );
        assert!(
            reg.decide_suggestion(&head2, &s2[0].suggestion_id, true)
                .await
                .is_err()
        );

        // Confirm and decline at once: either the child is on the card and it says confirmed, or not
        // and it says declined; never the child with "declined".
        let racing = nid(72_000_000_051);
        reg.receive_vital_event(
            "birth-5",
            "birth",
            &racing,
            "2026-11-05",
            birth("حسن", "male", &[72_000_000_001]),
        )
        .await
        .unwrap();
        let sid = reg
            .own_suggestions(&head)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.national_id == racing)
            .unwrap()
            .suggestion_id;
        let (a, b) = tokio::join!(
            reg.decide_suggestion(&head, &sid, true),
            reg.decide_suggestion(&head, &sid, false)
        );
        assert!(a.is_ok() != b.is_ok(), "{backend}: one decision wins");
        let status = reg
            .own_suggestions(&head)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.suggestion_id == sid)
            .unwrap()
            .status;
        let added = reg
            .household(&card, &Actor::system("t"))
            .await
            .unwrap()
            .members
            .iter()
            .any(|m| m.member.national_id.as_ref().map(|n| n.to_string()) == Some(racing.clone()));
        assert_eq!(
            (status.as_str(), added),
            if a.is_ok() {
                ("confirmed", true)
            } else {
                ("declined", false)
            },
            "{backend}"
        );

        // A child already on a card gets no suggestion.
        reg.receive_vital_event(
            "birth-3",
            "birth",
            &child,
            "2026-11-01",
            birth("زهراء", "female", &[72_000_000_001]),
        )
        .await
        .unwrap();
        assert_eq!(
            reg.own_suggestions(&head).await.unwrap().len(),
            2,
            "{backend}"
        );
        // A birth without names is refused before anything is stored.
        assert!(
            reg.receive_vital_event(
                "birth-4",
                "birth",
                &nid(72_000_000_041),
                "2026-11-02",
                serde_json::json!({"parents": []})
            )
            .await
            .is_err()
        );
        assert_eq!(reg.apply_pending_events(100).await.unwrap(), 0, "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn exemptions_keep_the_abroad_hold_away((backend, store) in backends) {
        let (reg, clock) = setup(store);
        reg.prepare().await.unwrap();
        let (card, _) = register(
            &reg,
            &[
                (73_000_000_001, "head", "male"),
                (73_000_000_002, "brother", "male"),
            ],
            "07801234511",
        )
        .await;
        let student = nid(73_000_000_002);
        let none = serde_json::json!({});
        reg.receive_vital_event("exit-1", "exit", &student, "2026-03-01", none.clone())
            .await
            .unwrap();
        assert_eq!(
            active(&reg, &card, HoldReason::Abroad).await,
            1,
            "{backend}"
        );

        let supervisor = Actor::staff(
            "u2",
            "sup",
            Role::GovernorateSupervisor,
            Area::parse("11", &Geography::builtin().unwrap()).unwrap(),
            "api",
        );
        let letter = b"%PDF-1.4 university letter 4471".to_vec();
        let b64 = |bytes: &[u8]| base64::engine::general_purpose::STANDARD.encode(bytes);
        let req = |reason: &str, until: &str, evidence: &str| ExemptionRequest {
            national_id: student.clone(),
            reason: reason.into(),
            valid_from: None,
            valid_until: until.into(),
            evidence: evidence.into(),
            document_name: "letter.pdf".into(),
            document_type: "application/pdf".into(),
            document_base64: b64(&letter),
        };
        // Bad requests change nothing.
        for (r, code) in [
            (
                req("holiday", "2027-06-30", "letter"),
                "exemption_reason_unknown",
            ),
            (
                req("study", "2026-01-01", "letter"),
                "exemption_dates_invalid",
            ),
            (
                req("study", "2028-06-30", "letter"),
                "exemption_dates_invalid",
            ),
            (req("study", "30-06-2027", "letter"), "date_invalid"),
            (req("study", "2027-06-30", "  "), "evidence_required"),
        ] {
            match reg.grant_exemption(&r, &supervisor).await {
                Err(AppError::Rule(r)) => assert_eq!(r.code, code, "{backend}"),
                other => panic!("{backend}: {code}: {other:?}"),
            }
        }
        // The document is required, readable, and a PDF or an image of at most 2 MB.
        let good = || req("study", "2027-06-30", "letter");
        for (r, code) in [
            (
                ExemptionRequest {
                    document_base64: String::new(),
                    ..good()
                },
                "document_required",
            ),
            (
                ExemptionRequest {
                    document_base64: "%%% not base64".into(),
                    ..good()
                },
                "document_required",
            ),
            (
                ExemptionRequest {
                    document_base64: b64(&vec![b'%'; MAX_DOCUMENT_BYTES + 1]),
                    ..good()
                },
                "document_required",
            ),
            (
                ExemptionRequest {
                    document_type: "text/html".into(),
                    ..good()
                },
                "document_type",
            ),
            // The content decides, not the declared type: text named .pdf, a script declared PNG, a
            // PDF declared JPEG.
            (
                ExemptionRequest {
                    document_base64: b64(b"just some text, not a letter"),
                    ..good()
                },
                "document_content_unrecognised",
            ),
            (
                ExemptionRequest {
                    document_name: "scan.png".into(),
                    document_type: "image/png".into(),
                    document_base64: b64(b"<html><script>alert(1)</script></html>"),
                    ..good()
                },
                "document_content_unrecognised",
            ),
            (
                ExemptionRequest {
                    document_type: "image/jpeg".into(),
                    ..good()
                },
                "document_type_mismatch",
            ),
            // The name is the sender's text: no path, no line breaks.
            (
                ExemptionRequest {
                    document_name: "../../letter.pdf".into(),
                    ..good()
                },
                "document_name_invalid",
            ),
            (
                ExemptionRequest {
                    document_name: "letter.pdf\r\nX-Evil: 1".into(),
                    ..good()
                },
                "document_name_invalid",
            ),
            (
                ExemptionRequest {
                    document_name: format!("{}.pdf", "a".repeat(300)),
                    ..good()
                },
                "document_name_too_long",
            ),
        ] {
            match reg.grant_exemption(&r, &supervisor).await {
                Err(AppError::Rule(r)) => assert_eq!(r.code, code, "{backend}"),
                other => panic!("{backend}: {code}: {other:?}"),
            }
        }
        assert!(
            reg.exemptions_of(&student, &supervisor)
                .await
                .unwrap()
                .is_empty(),
            "{backend}"
        );
        let baghdad = Actor::staff(
            "u3",
            "bgd",
            Role::GovernorateSupervisor,
            Area::parse("01", &Geography::builtin().unwrap()).unwrap(),
            "api",
        );
        assert!(matches!(
            reg.grant_exemption(&req("study", "2027-06-30", "letter"), &baghdad)
                .await,
            Err(AppError::NotFound)
        ));
        let analyst = Actor::staff("u4", "an", Role::Analyst, Area::Nation, "api");
        assert!(matches!(
            reg.grant_exemption(&req("study", "2027-06-30", "letter"), &analyst)
                .await,
            Err(AppError::Forbidden)
        ));
        let mut unknown = req("study", "2027-06-30", "letter");
        unknown.national_id = nid(73_000_000_099);
        assert!(matches!(
            reg.grant_exemption(&unknown, &supervisor).await,
            Err(AppError::NotFound)
        ));
        assert_eq!(
            active(&reg, &card, HoldReason::Abroad).await,
            1,
            "{backend}"
        );

        // Granted: the hold is lifted, and a new long exit while exempt places none.
        let e = reg
            .grant_exemption(
                &req("study", "2027-06-30", "University of Tehran letter 4471"),
                &supervisor,
            )
            .await
            .unwrap();
        assert_eq!(e.valid_from, "2026-11-21");
        assert_eq!(
            active(&reg, &card, HoldReason::Abroad).await,
            0,
            "{backend}"
        );
        assert_eq!(
            reg.exemptions_of(&student, &supervisor)
                .await
                .unwrap()
                .len(),
            1
        );
        // The document is kept with it, for those who see the household.
        assert_eq!(e.document_type.as_deref(), Some("application/pdf"));
        let kept = reg
            .exemption_document(&e.exemption_id, &supervisor)
            .await
            .unwrap();
        assert_eq!(
            (kept.name.as_str(), kept.bytes),
            ("letter.pdf", letter.clone()),
            "{backend}"
        );
        assert!(matches!(
            reg.exemption_document(&e.exemption_id, &baghdad).await,
            Err(AppError::NotFound)
        ));
        assert!(matches!(
            reg.exemption_document("no-such-exemption", &supervisor)
                .await,
            Err(AppError::NotFound)
        ));
        reg.receive_vital_event("exit-2", "exit", &student, "2026-04-01", none.clone())
            .await
            .unwrap();
        reg.apply_pending_events(100).await.unwrap();
        assert_eq!(
            active(&reg, &card, HoldReason::Abroad).await,
            0,
            "{backend}"
        );

        // After the exemption ends, the next pass places the hold again.
        *clock.0.lock().unwrap() = "2027-07-02T09:00:00Z".parse().unwrap();
        reg.apply_pending_events(100).await.unwrap();
        assert_eq!(
            active(&reg, &card, HoldReason::Abroad).await,
            1,
            "{backend}"
        );
    }
}

tamwin_store::backend_tests! {
    async fn the_abroad_limit_is_the_programmes((backend, store) in backends) {
        let (mut reg, _) = setup(store);
        reg.set_abroad_after_days(30);
        reg.prepare().await.unwrap();
        let (card, _) = register(&reg, &[(74_000_000_001, "head", "male")], "07801234521").await;
        reg.receive_vital_event(
            "exit-9",
            "exit",
            &nid(74_000_000_001),
            "2026-10-10",
            serde_json::json!({}),
        )
        .await
        .unwrap();
        assert_eq!(
            active(&reg, &card, HoldReason::Abroad).await,
            1,
            "{backend}"
        );
    }
}
