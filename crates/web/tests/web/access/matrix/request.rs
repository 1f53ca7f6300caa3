//! A row's request: the fresh household, staff account, birth, appointment, finding or exemption
//! its path names, and the body it sends.

use super::*;

struct Made {
    card: String,
    spouse: String,
    spouse_nid: String,
    daughter: String,
    hold: String,
}

async fn made(reg: &Registry) -> Made {
    let o = reg
        .create_household(
            &serde_json::from_value(fixture(None)).unwrap(),
            &Actor::system("fixture"),
            None,
        )
        .await
        .unwrap();
    let v: Value = serde_json::from_str(&o.body).unwrap();
    let member = |rel: &str| {
        v["members"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["relation"] == rel)
            .unwrap()["member_id"]
            .as_str()
            .unwrap()
            .to_string()
    };
    let card = v["card_number"].as_str().unwrap().to_string();
    // A hold placed by hand, which a hand may lift (the no-ID hold lifts itself when the ID arrives).
    let placed = reg
        .place_hold(
            &tamwin_domain::CardNumber::parse(&card).unwrap(),
            &serde_json::from_value(
                json!({"member_id": member("spouse"), "reason": "data_mismatch",
                "evidence": "name differs from the civil registry", "source": "update_centre"}),
            )
            .unwrap(),
            &Actor::system("fixture"),
            None,
        )
        .await
        .unwrap();
    let placed: Value = serde_json::from_str(&placed.body).unwrap();
    let hold = placed["holds"]
        .as_array()
        .unwrap()
        .iter()
        .find(|h| h["reason"] == "data_mismatch")
        .unwrap()["hold_id"]
        .as_str()
        .unwrap()
        .to_string();
    let spouse_nid = v["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["relation"] == "spouse")
        .unwrap()["national_id"]
        .as_str()
        .unwrap()
        .to_string();
    Made {
        spouse_nid,
        spouse: member("spouse"),
        daughter: member("daughter"),
        card,
        hold,
    }
}

/// The path with its parameters filled from a fresh fixture, and the body the row sends.
pub(super) async fn request(
    reg: &Arc<Registry>,
    r: &Row,
    caller: &Caller,
) -> (String, Option<String>) {
    let m = made(reg).await;
    let user = format!("target{}", serial());
    if r.path.contains("{username}") {
        reg.add_staff(&user, "analyst", "11", None, &Actor::system("test"))
            .await
            .unwrap();
    }
    let mut suggestion = String::new();
    if r.path.contains("{suggestion_id}") {
        // A birth in the citizen's household, the head (first member) as parent.
        let hid = citizen_household(reg);
        let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
        let parent = rec.members[0].national_id.clone().unwrap().to_string();
        let event = format!("birth-{}", serial());
        reg.receive_vital_event(&event, "birth", &nid(40_000_000_000 + serial()), "2026-10-01",
            json!({"given_name": "حسين", "father_name": "علي", "grandfather_name": "حسين", "mother_name": "فاطمة جاسم محمد",
                "sex": "male", "parents": [parent]}))
            .await
            .unwrap();
        suggestion = reg
            .store()
            .suggestions(&hid)
            .await
            .unwrap()
            .into_iter()
            .find(|s| s.event_id == event)
            .unwrap()
            .suggestion_id;
    }
    // An appointment today at KRB-C01 for the fresh household: booked, or checked in (and, for
    // completion, every adult recorded absent).
    let mut appointment = tamwin_domain::AppointmentId::default();
    if r.path.contains("{appointment_id}")
        || r.path.ends_with("check-ins")
        || r.path.ends_with("check-in")
    {
        let hid = reg.household_id_of_card(&m.card).await.unwrap();
        let sys = Actor::system("fixture");
        // With a member proposed online, for the rows that accept one.
        let proposed = json!({"national_id": nid(50_000_000_000 + serial()), "given_name": "زينب", "father_name": "علي",
            "grandfather_name": "حسين", "family_name": "الموسوي", "mother_name": "فاطمة جاسم محمد", "birth_date": "2010-02-02",
            "sex": "female", "relation": "daughter"});
        let req = tamwin_app::appointments::BookingRequest {
            centre: Some("KRB-C01".into()),
            new_members: vec![serde_json::from_value(proposed).unwrap()],
            ..Default::default()
        };
        let o = reg
            .book_appointment(&hid, &req, false, &sys, None)
            .await
            .unwrap();
        appointment = serde_json::from_str::<Value>(&o.body).unwrap()["appointment_id"]
            .as_str()
            .unwrap()
            .into();
        if r.path.contains("{appointment_id}/") {
            let by_card = tamwin_app::CheckInRequest {
                token: None,
                card_number: Some(m.card.clone()),
            };
            reg.check_in(&by_card, &sys).await.unwrap();
        }
        if r.path.ends_with("/temporary-card") {
            let old = tamwin_app::MemberCheck {
                attendance: "present".into(),
                documents_seen: vec!["civil_id".into(), "nationality_certificate".into()],
                note: None,
                fingerprint: None,
            };
            reg.check_member(&appointment, &m.spouse.as_str().into(), &old, &sys)
                .await
                .unwrap();
        }
        if r.path.ends_with("/completion") || r.path.ends_with("/complete") {
            let v = reg.visit(&appointment, &sys).await.unwrap();
            for member in v.members.iter().filter(|x| x.required) {
                let absent = tamwin_app::MemberCheck {
                    attendance: "absent".into(),
                    documents_seen: vec![],
                    note: None,
                    fingerprint: None,
                };
                reg.check_member(&appointment, &member.member_id, &absent, &sys)
                    .await
                    .unwrap();
            }
        }
    }
    // A finding for the fresh household (the citizen's own for an appeal), pending for a decision,
    // confirmed for an appeal, with an open appeal for an appeal's decision. No run stays running.
    let mut finding = String::new();
    let mut appeal = String::new();
    if r.path.contains("/screening/") || r.path.contains("/findings") {
        // A run started by an earlier row is the job runner's (as on a server).
        Arc::new(tamwin_app::jobs::Runner::only(
            reg.clone(),
            &[tamwin_app::jobs::SCREENING],
        ))
        .run_due()
        .await;
        for i in 0..1200 {
            let runs = reg.store().screening_runs(1000).await.unwrap();
            if runs.iter().all(|x| x.status != "running") {
                break;
            }
            assert!(i < 1199, "a screening run does not finish: {runs:?}");
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
    }
    if r.path.contains("{finding_id}") || r.path.contains("{appeal_id}") {
        let own = r.path.starts_with("/api/v1/me/");
        let hid = if own {
            citizen_household(reg)
        } else {
            reg.household_id_of_card(&m.card).await.unwrap()
        };
        let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
        let member = rec.members[0].member_id.clone();
        let (run, now) = (format!("run-{}", serial()), reg.clock().now());
        let sys = Actor::system("fixture");
        let log = tamwin_store::ChangeLog {
            change_id: format!("c-{}", serial()),
            at: now,
            actor: "fixture".into(),
            role: "system".into(),
            area: "".into(),
            kind: "screening_started",
            member_id: None,
            reason: None,
            details: json!({}),
            channel: sys.channel,
        };
        let started = tamwin_store::ScreeningRun {
            run_id: run.clone(),
            started_by: "fixture".into(),
            started_at: now,
            finished_at: None,
            status: "running".into(),
            phase: "load".into(),
            done: 0,
            total: 0,
            written: 0,
            summary: String::new(),
            error: None,
        };
        reg.store()
            .start_screening_run(&started, &log)
            .await
            .unwrap();
        finding = format!("f-{}", serial());
        let confirmed = !r.path.ends_with("/decision") || r.path.contains("{appeal_id}");
        let f = tamwin_store::ScreeningFinding {
            finding_id: finding.clone().into(),
            run_id: run.clone(),
            kind: tamwin_domain::screening::FindingKind::Fictitious,
            household_id: hid.clone(),
            member_id: member.clone(),
            other_household_id: None,
            other_member_id: None,
            other_national_id: None,
            pair_key: format!("fictitious:{member}:{}", serial()),
            score_micros: 999_000,
            decision: tamwin_domain::screening::ScreenDecision::Hold,
            explanation: "no_national_id;best_registry_match=0.0010".into(),
            status: if confirmed {
                tamwin_domain::screening::FindingStatus::Confirmed
            } else {
                tamwin_domain::screening::FindingStatus::Pending
            },
            created_at: now,
            decided_at: None,
            decided_by: None,
            decision_note: None,
            effective_at: confirmed.then_some(now),
            hold_id: None,
        };
        reg.store().save_findings(&run, &[f], 1).await.unwrap();
        reg.store()
            .finish_screening_run(&run, "done", "fixture", None, now, &log)
            .await
            .unwrap();
        if r.path.contains("{appeal_id}") {
            appeal = format!("a-{}", serial());
            let a = tamwin_store::Appeal {
                appeal_id: appeal.clone(),
                finding_id: finding.clone().into(),
                household_id: hid.clone(),
                submitted_at: now,
                statement: "أنا موجود".into(),
                document_name: "id.pdf".into(),
                document_type: "application/pdf".into(),
                document: b"%PDF-1.4".to_vec(),
                status: tamwin_domain::screening::AppealStatus::Open,
                decided_at: None,
                decided_by: None,
                decision_note: None,
            };
            reg.store().submit_appeal(&a, &log).await.unwrap();
        }
    }
    // An exemption with its document, for the person whose household every Karbala caller sees.
    let mut exemption = String::new();
    if r.path.contains("{exemption_id}") {
        exemption = format!("e-{}", serial());
        let hid = reg.household_id_of_card(&m.card).await.unwrap();
        let e = tamwin_store::Exemption {
            exemption_id: exemption.clone(),
            national_id: m.spouse_nid.clone(),
            reason: "study".into(),
            valid_from: "2026-09-01".into(),
            valid_until: "2027-06-30".into(),
            evidence: "university letter 17".into(),
            granted_by: "fixture".into(),
            granted_at: reg.clock().now(),
            document_name: Some("letter.pdf".into()),
            document_type: Some("application/pdf".into()),
        };
        let log = tamwin_store::ChangeLog {
            change_id: format!("c-{}", serial()),
            at: reg.clock().now(),
            actor: "fixture".into(),
            role: "system".into(),
            area: "".into(),
            kind: "exemption.granted",
            member_id: None,
            reason: None,
            details: json!({}),
            channel: Actor::system("fixture").channel,
        };
        reg.store()
            .save_exemption(&e, b"%PDF-1.4", &hid, &log)
            .await
            .unwrap();
    }
    // A drafted cycle of its own month (drafted by the system, so that any caller may approve it).
    let mut cycle = String::new();
    if r.path.contains("cycle") || r.path.contains("programme") || r.path.contains("basket") {
        for (_, text) in tamwin_domain::programme::BUILTIN {
            reg.import_programme(text, &Actor::system("fixture"))
                .await
                .unwrap();
        }
    }
    if r.path.contains("{cycle_id}") {
        cycle = reg
            .draft_cycle("iq-pds", &fresh_month(), "11", &Actor::system("fixture"))
            .await
            .unwrap()
            .cycle_id;
    }
    // An adjustment needs the household's entitlement: the cycle approved by another and generated.
    if r.path.ends_with("/adjustments") {
        reg.approve_cycle(&cycle, &Actor::system("fixture-approver"))
            .await
            .unwrap();
        reg.generate_cycle(&cycle, "fixture", &|_, _| {})
            .await
            .unwrap();
    }
    // A fresh ration agent of Karbala's first district for each request (a licence changes it), with a
    // second to move households to.
    let outlet = format!("M{}", serial());
    if r.path.contains("{outlet}") {
        let file = format!(
            "{}\n{outlet},ration_agent,1101,وكيل,شارع,,,,sat sun,08:00,16:00\n{outlet}-B,ration_agent,1101,وكيل,شارع,,,,sat sun,08:00,16:00\n",
            tamwin_domain::csv_columns::OUTLETS.join(",")
        );
        reg.import_outlets(file.as_bytes(), &Actor::system("fixture"))
            .await
            .unwrap();
    }
    // A fresh complaint of the citizen's household about Karbala's first agent, assigned (the
    // resolution row needs it assigned).
    let mut complaint = String::new();
    if r.path.contains("{complaint_id}") {
        let hid = citizen_household(reg);
        let citizen = Actor::citizen(&hid, "matrix", "api");
        let input: tamwin_app::complaints::ComplaintInput = serde_json::from_value(
            json!({"outlet": "A1101-001", "kind": "refused_service", "statement": "أغلق الباب في وجهنا"}),
        )
        .unwrap();
        complaint = reg
            .file_complaint(&input, &citizen)
            .await
            .unwrap()
            .complaint_id;
        if r.path.ends_with("/resolution") {
            reg.assign_complaint(&complaint, "supervisor", &Actor::system("fixture"))
                .await
                .unwrap();
        }
    }
    let mut path = r
        .path
        .replace("{complaint_id}", &complaint)
        .replace("{grant_id}", "no-such-grant")
        .replace("{outlet}", &outlet)
        .replace("{cycle_id}", &cycle)
        .replace(
            "{step}",
            if r.path.starts_with("/complaints/") {
                "assign"
            } else if r.path.starts_with("/citizen/proxies/") {
                "revoke"
            } else if r.path.starts_with("/outlets/") {
                "licence"
            } else if r.path.starts_with("/api/") {
                "approval"
            } else {
                "approve"
            },
        )
        .replace("{code}", "iq-pds")
        .replace("{exemption_id}", &exemption)
        .replace("{finding_id}", &finding)
        .replace("{appeal_id}", &appeal)
        .replace("{appointment_id}", &appointment)
        .replace("{centre}", "KRB-C01")
        .replace("{team}", "MT-1101-1")
        .replace("{index}", "0")
        .replace("{suggestion_id}", &suggestion)
        .replace("{decision}", "confirm")
        .replace("{callback}", "notify")
        .replace("{job}", "sign_in.throttles")
        .replace("{card_number}", &m.card)
        .replace("{hold_id}", &m.hold)
        .replace("{username}", &user)
        .replace(
            "{member_id}",
            if r.path.ends_with("/removal") {
                &m.daughter
            } else {
                &m.spouse
            },
        );
    let form = |pairs: &[(&str, &str)]| {
        Some(
            pairs
                .iter()
                .map(|(k, v)| format!("{k}={}", v.replace(' ', "+")))
                .collect::<Vec<_>>()
                .join("&"),
        )
    };
    if (r.method, r.path) == ("get", "/api/v1/complaints") {
        path = format!("{path}?governorate=11");
    }
    if (r.method, r.path) == ("get", "/api/v1/exemptions") {
        path = format!("{path}?national_id={}", m.spouse_nid);
    }
    // Stock rows name a cycle of Karbala (a draft: nothing moves in it).
    let stock_cycle = if r.path.contains("/dispatches")
        || r.path.contains("/receipts")
        || r.path.contains("/returns")
        || r.path.contains("/stock")
    {
        for (_, text) in tamwin_domain::programme::BUILTIN {
            reg.import_programme(text, &Actor::system("fixture"))
                .await
                .unwrap();
        }
        reg.draft_cycle("iq-pds", &fresh_month(), "11", &Actor::system("fixture"))
            .await
            .unwrap()
            .cycle_id
    } else {
        String::new()
    };
    if r.path == "/api/v1/payments/reconciliation" {
        path = format!("{path}?date=2026-12-01");
    }
    if r.path == "/api/v1/outlet/stock" {
        path = format!("{path}?cycle_id={stock_cycle}");
    }
    let body = match (r.method, r.path) {
        ("post", "/api/v1/me/home-visits") => {
            let hid = citizen_household(reg);
            let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
            Some(json!({"member_ids": [rec.members[1].member_id], "reason": "sick"}).to_string())
        }
        ("post", p) if p.ends_with("/home-visits") => {
            Some(json!({"member_ids": [m.spouse], "reason": "elderly"}).to_string())
        }
        ("post", p) if p.starts_with("/api/") && p.ends_with("/temporary-card") => None,
        ("post", p) if p.starts_with("/api/") && p.ends_with("/correction") => Some(
            json!({"reason": "spelling on the unified card", "member": {"national_id": m.spouse_nid, "given_name": "فاطمه", "father_name": "جاسم",
                "grandfather_name": "محمد", "family_name": "الكعبي", "mother_name": "سعاد علي حسن", "birth_date": "1980-03-01", "sex": "female",
                "relation": "spouse"}})
            .to_string(),
        ),
        ("post", "/centre/check-in") => form(&[("scan", &m.card), ("csrf", &caller.csrf)]),
        ("post", "/centre/visits/{appointment_id}/members/{member_id}") => {
            form(&[("attendance", "absent"), ("csrf", &caller.csrf)])
        }
        ("post", "/citizen/home-visit") => {
            let hid = citizen_household(reg);
            let rec = reg.store().household_by_id(&hid).await.unwrap().unwrap();
            form(&[("member", &rec.members[0].member_id), ("reason", "elderly"), ("csrf", &caller.csrf)])
        }
        ("post", "/centre/visits/{appointment_id}/members/{member_id}/correction") => form(&[
            ("given_name", "فاطمه"),
            ("father_name", "جاسم"),
            ("grandfather_name", "محمد"),
            ("family_name", "الكعبي"),
            ("mother_name", "سعاد علي حسن"),
            ("birth_date", "1980-03-01"),
            ("sex", "female"),
            ("relation", "spouse"),
            ("national_id", &m.spouse_nid),
            ("reason", "spelling"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/centre/visits/{appointment_id}/proposals/{index}/accept")
        | ("post", "/centre/visits/{appointment_id}/members/{member_id}/temporary-card") => {
            form(&[("csrf", &caller.csrf)])
        }
        ("post", "/households/{card_number}/declarations") => form(&[
            ("head_sector", "private"),
            ("head_monthly_income", "900000"),
            ("household_monthly_income", ""),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/centre/visits/{appointment_id}/complete")
        | ("post", "/citizen/appointment")
        | ("post", "/citizen/appointment/cancel") => form(&[("csrf", &caller.csrf)]),
        ("post", "/api/v1/me/proxies") => Some(
            json!({"proxy_national_id": m.spouse_nid, "proxy_birth_date": "1980-03-01", "valid_from": "2099-01-01",
                "valid_to": "2099-06-01", "reason": "elderly"})
            .to_string(),
        ),
        ("post", "/api/v1/me/proxies/{grant_id}/confirmation") => Some(json!({"code": "123456"}).to_string()),
        ("post", "/api/v1/me/proxies/{grant_id}/revocation") => Some(json!({"reason": "no longer needed"}).to_string()),
        ("post", "/api/v1/me/proxies/{grant_id}/payment") => None,
        ("post", "/api/v1/payments/callback") => Some(json!({"type": "payment.updated", "data": {"payment_id": "x"}}).to_string()),
        ("post", "/api/v1/proxy-codes") => Some(json!({"national_id": m.spouse_nid}).to_string()),
        ("post", "/api/v1/proxy-give-ups") => Some(json!({"national_id": m.spouse_nid, "grant_id": "no-such-grant", "code": "123456"}).to_string()),
        ("post", "/api/v1/proxy-answers") => Some(json!({"national_id": m.spouse_nid, "code": "123456", "accept": true}).to_string()),
        ("post", "/api/v1/check-ins") => Some(json!({"card_number": m.card}).to_string()),
        ("post", p) if p.ends_with("/members/{member_id}") => Some(json!({"attendance": "absent"}).to_string()),
        ("post", p) if p.contains("appointments") => Some("{}".into()),
        ("post", "/api/v1/screening/findings/{finding_id}/decision") => {
            Some(json!({"decision": "confirm", "note": "seen the records"}).to_string())
        }
        ("post", "/api/v1/screening/appeals/{appeal_id}/decision") => {
            Some(json!({"decision": "reject", "note": "the document does not show it"}).to_string())
        }
        ("post", "/api/v1/me/findings/{finding_id}/appeals") => Some(
            json!({"statement": "أنا موجود وأحمل البطاقة", "document_name": "card.pdf",
                "document_type": "application/pdf", "document_base64": "JVBERi0xLjQ="})
            .to_string(),
        ),
        ("post", "/jobs/{job}/run") | ("post", "/cycles/{cycle_id}/{step}") => form(&[("csrf", &caller.csrf)]),
        ("post", "/cycles") => form(&[
            ("programme", "iq-pds"),
            ("month", &fresh_month()),
            ("governorate", "11"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/api/v1/screening/runs") => None,
        ("post", "/screening/runs") => form(&[("csrf", &caller.csrf)]),
        ("post", "/screening/findings/{finding_id}/decision") => {
            form(&[("decision", "confirm"), ("note", "seen"), ("csrf", &caller.csrf)])
        }
        ("post", "/screening/appeals/{appeal_id}/decision") => form(&[
            ("decision", "reject"),
            ("note", "no"),
            ("finding", &finding),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/api/v1/exemptions") => Some(
            json!({"national_id": m.spouse_nid, "reason": "medical_treatment", "valid_until": "2027-03-31",
                "evidence": "hospital report 2291", "document_name": "report.pdf",
                "document_type": "application/pdf", "document_base64": "JVBERi0xLjQ="})
            .to_string(),
        ),
        ("post", "/api/v1/households") => Some(fixture(None).to_string()),
        ("post", "/citizen/proxies") => form(&[
            ("proxy_national_id", &m.spouse_nid),
            ("proxy_birth_date", "1980-01-01"),
            ("valid_from", "2026-12-03"),
            ("valid_to", "2027-01-03"),
            ("reason", "elderly"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/citizen/proxies/{grant_id}/{step}") => form(&[("reason", "matrix"), ("csrf", &caller.csrf)]),
        ("post", "/citizen/complaints") => form(&[
            ("outlet", "A1101-001"),
            ("kind", "short_weight"),
            ("statement", "نقص في الوزن"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/outlets/{outlet}/{step}") => {
            form(&[("licence", "suspended"), ("reason", "short weight"), ("csrf", &caller.csrf)])
        }
        ("post", "/complaints/{complaint_id}/{step}") => form(&[("to", "inspector"), ("csrf", &caller.csrf)]),
        ("post", "/outlet/card") | ("post", "/outlet/code") => form(&[("card", &m.card), ("csrf", &caller.csrf)]),
        ("post", "/outlet/proxy") | ("post", "/outlet/proxy-code") => {
            form(&[("for_card", &m.card), ("proxy_nid", &m.spouse_nid), ("csrf", &caller.csrf)])
        }
        ("post", "/outlet/collect") => form(&[
            ("card", &m.card),
            ("txn", "web-matrix"),
            ("q_rice", "1000"),
            ("collector", "1"),
            ("code", "123456"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/outlet/void") => form(&[("txn", "none"), ("reason", "wrong card"), ("csrf", &caller.csrf)]),
        ("post", "/api/v1/outlet/redemptions") => Some(
            json!({"transaction_id": format!("m-{}", serial()), "card": {"qr": "TMW1:0"}, "collector_member_no": 1, "items": {"rice": 1000}})
                .to_string(),
        ),
        ("post", "/api/v1/outlet/redemptions/void") => {
            Some(json!({"transaction_id": "none", "reason": "wrong card"}).to_string())
        }
        ("post", "/api/v1/outlet/collection-codes") => Some(json!({"card_number": m.card}).to_string()),
        ("post", "/api/v1/outlet/proxy-codes") | ("post", "/api/v1/outlet/proxy-grants") => Some(json!({"national_id": m.spouse_nid, "for_card": m.card}).to_string()),
        ("post", p) if p.ends_with("/licence") => Some(json!({"licence": "suspended", "reason": "short weight"}).to_string()),
        ("post", p) if p.ends_with("/households-move") => {
            Some(json!({"to": format!("{outlet}-B"), "reason": "agent suspended"}).to_string())
        }
        ("post", "/api/v1/households/{card_number}/agent") => Some(json!({"outlet": "A1101-001"}).to_string()),
        ("post", "/api/v1/me/complaints") => {
            Some(json!({"outlet": "A1101-001", "kind": "short_weight", "statement": "نقص في وزن الرز"}).to_string())
        }
        ("post", p) if p.ends_with("/assignment") => Some(json!({"to": "inspector"}).to_string()),
        ("post", p) if p.ends_with("/resolution") => Some(json!({"reply": "زار المفتش الوكيل وصحّح الميزان"}).to_string()),
        ("post", p) if p.ends_with("/card-qr") => None,
        ("post", p) if p.ends_with("/dispatches") || p.ends_with("/receipts") || p.ends_with("/returns") => {
            Some(json!({"cycle_id": stock_cycle, "items": {"rice": 1000}, "reason": "matrix"}).to_string())
        }
        ("post", "/api/v1/programmes") => Some(tamwin_domain::programme::BUILTIN[0].1.to_string()),
        ("post", "/api/v1/cycles") => {
            Some(json!({"programme": "iq-pds", "month": fresh_month(), "governorate": "11"}).to_string())
        }
        ("post", "/api/v1/cycles/{cycle_id}/{step}") => Some("{}".into()),
        ("post", "/households/{card_number}/baskets/{cycle_id}/adjustments") => form(&[
            ("item", "rice"),
            ("amount", "1500"),
            ("reason", "short-weighted last month"),
            ("csrf", &caller.csrf),
        ]),
        ("post", p) if p.ends_with("/adjustments") => {
            Some(json!({"item": "rice", "amount": 1500, "reason": "short-weighted last month"}).to_string())
        }
        ("patch", p) if p.ends_with("/declarations") => {
            Some(json!({"head_sector": "private", "head_monthly_income": 900_000_000}).to_string())
        }
        ("post", p) if p.ends_with("/members") => Some(
            json!({"reason": "birth", "member": {"given_name": "حسن", "father_name": "علي", "grandfather_name": "حسين",
                "family_name": "الموسوي", "mother_name": "فاطمة جاسم محمد", "birth_date": "2024-01-01", "sex": "male", "relation": "son"}})
            .to_string(),
        ),
        ("put", p) if p.ends_with("{member_id}") => Some(
            json!({"reason": "spelling", "member": {"national_id": null, "given_name": "فاطمه", "father_name": "جاسم", "grandfather_name": "محمد",
                "family_name": "الكعبي", "mother_name": "سعاد علي حسن", "birth_date": "1980-03-01", "sex": "female", "relation": "spouse"}})
            .to_string(),
        ),
        ("post", p) if p.ends_with("/removal") => Some(json!({"reason": "married"}).to_string()),
        ("post", p) if p.ends_with("/head") => Some(
            json!({"member_id": m.spouse, "former_head_relation": "spouse", "reason": "head deceased"}).to_string(),
        ),
        ("post", p) if p.ends_with("/closure") => Some(json!({"reason": "emigrated"}).to_string()),
        ("post", p) if p.ends_with("/holds") => Some(
            json!({"reason": "abroad", "evidence": "border record", "source": "civil_registry"}).to_string(),
        ),
        ("post", p) if p.ends_with("/lift") => Some(json!({"reason": "card issued"}).to_string()),
        ("put", p) if p.ends_with("/phone") => Some(json!({"phone": phone(), "reason": "new number"}).to_string()),
        // A new name each time: five failures on one name from one address refuse it (429).
        ("post", "/sign-in") => form(&[("username", &format!("m.auditor{}", serial())), ("password", "wrong password!"), ("csrf", "pre1")]),
        ("post", "/account/password") => form(&[
            ("current", "matrix password 1"),
            ("new", "matrix password 2"),
            ("confirm", "matrix password 2"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/admin/users") => form(&[
            ("username", &format!("new{}", serial())),
            ("role", "auditor"),
            ("area", "11"),
            ("csrf", &caller.csrf),
        ]),
        ("post", "/admin/users/{username}/status") => form(&[("disabled", "true"), ("csrf", &caller.csrf)]),
        ("post", "/citizen/code") => form(&[("phone", &phone()), ("csrf", "pre1")]),
        ("post", "/citizen/sign-in") => form(&[("phone", &phone()), ("code", "123456"), ("csrf", "pre1")]),
        ("post", "/proxy") => form(&[("national_id", &m.spouse_nid), ("code", "123456"), ("answer", "accept"), ("csrf", "pre1")]),
        ("post", "/sign-out") | ("post", "/citizen/suggestions/{suggestion_id}/{decision}") => {
            form(&[("csrf", &caller.csrf)])
        }
        _ => None,
    };
    (path, body)
}

/// A month no cycle of the matrix has used yet: each row drafts its own.
fn fresh_month() -> String {
    static NEXT: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    format!("{:04}-{:02}", 2027 + n / 12, 1 + n % 12)
}
