//! Access on both backends: one-time codes (expiry, single use, attempts, throttling, unregistered
//! numbers), sessions (expiry, sign-out, disabled accounts, password change), tokens (expiry,
//! revocation, guesses), scope (another governorate's household is not found), and reads in the audit log.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::sync::{Arc, Mutex};
use tamwin_app::*;
use tamwin_domain::{CardNumber, Geography, NewHousehold};
use tamwin_store::ListFilter;

fn advance(clock: &FixedClock, minutes: i64) {
    let mut t = clock.0.lock().unwrap();
    *t = t.checked_add(jiff::Span::new().minutes(minutes)).unwrap();
}

async fn setup(store: Arc<dyn tamwin_store::Store>) -> (Registry, Arc<FixedClock>) {
    let clock = Arc::new(FixedClock(Mutex::new(
        "2026-11-21T09:00:00Z".parse().unwrap(),
    )));
    let reg = Registry::new(
        store,
        Arc::new(Geography::builtin().unwrap()),
        clock.clone(),
        Arc::new(RandomIds),
    );
    reg.prepare().await.unwrap();
    (reg, clock)
}

fn household(gov: &str, district: &str, id: u64, phone: Option<&str>) -> NewHousehold {
    serde_json::from_value(serde_json::json!({
        "governorate": gov, "district": district, "address": "دار 1", "phone": phone,
        "members": [{"national_id": tamwin_domain::NationalId::from_payload(id).unwrap().to_string(),
            "given_name": "كاظم", "father_name": "جواد", "grandfather_name": "مهدي", "family_name": "الحسيني",
            "mother_name": "زهراء علي حسن", "birth_date": "1970-01-01", "sex": "male", "relation": "head"}]
    }))
    .unwrap()
}

async fn create(reg: &Registry, h: &NewHousehold) -> CardNumber {
    let o = reg
        .create_household(h, &Actor::system("t"), None)
        .await
        .unwrap();
    let v: serde_json::Value = serde_json::from_str(&o.body).unwrap();
    CardNumber::parse(v["card_number"].as_str().unwrap()).unwrap()
}

async fn last_code(reg: &Registry) -> String {
    let m = reg.outbox(1).await.unwrap().remove(0);
    m.body
        .chars()
        .filter(char::is_ascii_digit)
        .take(6)
        .collect()
}

tamwin_store::backend_tests! {
    async fn one_time_codes_on_every_backend((backend, store) in backends) {
        let (reg, clock) = setup(store).await;
        create(
            &reg,
            &household("11", "1101", 41_000_000_001, Some("0770 111 2233")),
        )
        .await;
        let phone = "07701112233";

        // Unregistered number: the same answer, no message.
        reg.request_code("07709998877").await.unwrap();
        assert!(reg.outbox(10).await.unwrap().is_empty(), "{backend}");
        assert!(matches!(
            reg.verify_code("07709998877", "000000").await,
            Err(AppError::CodeRefused)
        ));

        // Expired.
        reg.request_code(phone).await.unwrap();
        let code = last_code(&reg).await;
        advance(&clock, 6);
        assert!(
            matches!(
                reg.verify_code(phone, &code).await,
                Err(AppError::CodeRefused)
            ),
            "{backend}: expired"
        );

        // Five wrong attempts use the code up: the right one is then refused too.
        reg.request_code(phone).await.unwrap();
        let code = last_code(&reg).await;
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        for _ in 0..5 {
            assert!(matches!(
                reg.verify_code(phone, &wrong).await,
                Err(AppError::CodeRefused)
            ));
        }
        assert!(
            matches!(
                reg.verify_code(phone, &code).await,
                Err(AppError::CodeRefused)
            ),
            "{backend}: attempts"
        );

        // A fourth code within a quarter hour is refused.
        reg.request_code(phone).await.unwrap();
        assert!(
            matches!(reg.request_code(phone).await, Err(AppError::TooManyCodes)),
            "{backend}"
        );
        advance(&clock, 16);

        // The right code once, typed in Arabic-Indic digits; the second use is refused.
        reg.request_code(phone).await.unwrap();
        let code = last_code(&reg).await;
        let arabic: String = code
            .chars()
            .map(|c| char::from_u32(0x0660 + c.to_digit(10).unwrap()).unwrap())
            .collect();
        let s = reg.verify_code("+964 770 111 2233", &arabic).await.unwrap();
        assert!(s.actor.is_citizen());
        assert!(
            matches!(
                reg.verify_code(phone, &code).await,
                Err(AppError::CodeRefused)
            ),
            "{backend}: reuse"
        );

        // Concurrent use of one code: exactly one session.
        advance(&clock, 16);
        reg.request_code(phone).await.unwrap();
        let code = last_code(&reg).await;
        let reg = Arc::new(reg);
        let tries: Vec<_> = (0..4)
            .map(|_| {
                let (reg, code) = (reg.clone(), code.clone());
                tokio::spawn(async move { reg.verify_code(phone, &code).await.is_ok() })
            })
            .collect();
        let mut ok = 0;
        for t in tries {
            ok += usize::from(t.await.unwrap());
        }
        assert_eq!(ok, 1, "{backend}: a code works once even under concurrency");
    }
}

tamwin_store::backend_tests! {
    async fn sessions_and_tokens_on_every_backend((backend, store) in backends) {
        let (reg, clock) = setup(store).await;
        let sys = Actor::system("t");
        reg.add_staff(
            "k.sup",
            "governorate_supervisor",
            "11",
            Some("supervisor pass 1"),
            &sys,
        )
        .await
        .unwrap();
        let s = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        assert_eq!(reg.session_of(&s.cookie).await.unwrap().actor.name, "k.sup");
        assert!(matches!(
            reg.session_of("forged").await,
            Err(AppError::Unauthenticated)
        ));

        // Idle for 31 minutes: ended.
        advance(&clock, 31);
        assert!(
            matches!(
                reg.session_of(&s.cookie).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}"
        );

        // Sign-out ends it at once.
        let s = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        let signed = reg.session_of(&s.cookie).await.unwrap();
        reg.sign_out(&signed).await.unwrap();
        assert!(matches!(
            reg.session_of(&s.cookie).await,
            Err(AppError::Unauthenticated)
        ));

        // A password change ends the other sessions, keeps this one; the old password stops working.
        let a = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        let b = reg
            .staff_session("k.sup", "supervisor pass 1")
            .await
            .unwrap();
        let signed_b = reg.session_of(&b.cookie).await.unwrap();
        assert!(matches!(
            reg.change_password(&signed_b, "wrong current one", "supervisor pass 2")
                .await,
            Err(AppError::SignInRefused)
        ));
        reg.change_password(&signed_b, "supervisor pass 1", "supervisor pass 2")
            .await
            .unwrap();
        assert!(
            matches!(
                reg.session_of(&a.cookie).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}"
        );
        assert!(reg.session_of(&b.cookie).await.is_ok());
        assert!(matches!(
            reg.staff_session("k.sup", "supervisor pass 1").await,
            Err(AppError::SignInRefused)
        ));

        // Disabling the account ends its sessions and refuses sign-in.
        reg.set_staff_disabled("k.sup", true, &sys).await.unwrap();
        assert!(
            matches!(
                reg.session_of(&b.cookie).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}"
        );
        assert!(matches!(
            reg.staff_session("k.sup", "supervisor pass 2").await,
            Err(AppError::SignInRefused)
        ));

        // Tokens: a guessed secret, a revoked token and an expired one are all refused.
        let (t, secret) = reg
            .create_token("outlet 7", "outlet_operator", "1101", 1, &sys)
            .await
            .unwrap();
        assert_eq!(reg.token_actor(&secret).await.unwrap().area.code(), "1101");
        let guessed = format!("tmw_{}_{}", t.token_id, "0".repeat(64));
        assert!(matches!(
            reg.token_actor(&guessed).await,
            Err(AppError::Unauthenticated)
        ));
        assert!(matches!(
            reg.token_actor("tmw_x").await,
            Err(AppError::Unauthenticated)
        ));
        advance(&clock, 24 * 60 + 1);
        assert!(
            matches!(
                reg.token_actor(&secret).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}: expired"
        );
        let (t2, secret2) = reg
            .create_token("moh", "auditor", "nation", 30, &sys)
            .await
            .unwrap();
        reg.revoke_token(&t2.token_id, &sys).await.unwrap();
        assert!(
            matches!(
                reg.token_actor(&secret2).await,
                Err(AppError::Unauthenticated)
            ),
            "{backend}: revoked"
        );
        assert!(reg.revoke_token(&t2.token_id, &sys).await.is_err());

        // An administrator of Karbala cannot grant Baghdad, nor the nation.
        let (_, kadmin) = reg
            .create_token("k admin", "ministry_admin", "11", 30, &sys)
            .await
            .unwrap();
        let kadmin = reg.token_actor(&kadmin).await.unwrap();
        assert!(matches!(
            reg.create_token("b", "auditor", "01", 30, &kadmin).await,
            Err(AppError::Forbidden)
        ));
        assert!(matches!(
            reg.add_staff("b.user", "auditor", "nation", None, &kadmin)
                .await,
            Err(AppError::Forbidden)
        ));
        assert!(
            reg.add_staff("k.user", "auditor", "1102", None, &kadmin)
                .await
                .is_ok()
        );
    }
}

tamwin_store::backend_tests! {
    async fn scope_and_reads_on_every_backend((backend, store) in backends) {
        let (reg, _) = setup(store).await;
        let sys = Actor::system("t");
        let karbala = create(
            &reg,
            &household("11", "1101", 42_000_000_001, Some("07801234567")),
        )
        .await;
        let baghdad = create(&reg, &household("01", "0101", 42_000_000_002, None)).await;
        let (_, tok) = reg
            .create_token("b sup", "governorate_supervisor", "01", 30, &sys)
            .await
            .unwrap();
        let bsup = reg.token_actor(&tok).await.unwrap();
        let (_, tok) = reg
            .create_token("k centre", "centre_officer", "KRB-D01", 30, &sys)
            .await
            .unwrap();
        let kc02 = reg.token_actor(&tok).await.unwrap();
        let (_, tok) = reg
            .create_token("k sup", "governorate_supervisor", "11", 30, &sys)
            .await
            .unwrap();
        let ksup = reg.token_actor(&tok).await.unwrap();

        // Outside the area: not found, exactly like a card that does not exist.
        assert!(
            matches!(
                reg.household(&karbala, &bsup).await,
                Err(AppError::NotFound)
            ),
            "{backend}"
        );
        assert!(reg.household(&baghdad, &bsup).await.is_ok());
        let nid = tamwin_domain::NationalId::from_payload(42_000_000_001).unwrap();
        assert!(
            reg.household_by_national_id(&nid, &bsup)
                .await
                .unwrap()
                .is_none()
        );
        assert!(
            reg.search_by_name("كاظم", None, 50, &bsup)
                .await
                .unwrap()
                .iter()
                .all(|h| h.card_number == baghdad)
        );
        let all = ListFilter {
            limit: 50,
            ..Default::default()
        };
        let listed = reg.list(&all, &bsup).await.unwrap();
        assert_eq!(
            listed
                .iter()
                .map(|h| h.card_number.clone())
                .collect::<Vec<_>>(),
            vec![baghdad.clone()]
        );
        let asked = ListFilter {
            governorate: Some("11".into()),
            limit: 50,
            ..Default::default()
        };
        assert!(
            reg.list(&asked, &bsup).await.unwrap().is_empty(),
            "{backend}: a filter outside the area finds nothing"
        );
        let close: Closure = serde_json::from_value(serde_json::json!({"reason": "x"})).unwrap();
        assert!(matches!(
            reg.close_household(&karbala, &close, &bsup, None).await,
            Err(AppError::NotFound)
        ));
        // A centre is its district: KRB-D01 stands in 1102, the household in 1101.
        assert!(matches!(
            reg.household(&karbala, &kc02).await,
            Err(AppError::NotFound)
        ));
        assert!(
            matches!(
                reg.create_household(&household("11", "1101", 42_000_000_003, None), &kc02, None)
                    .await,
                Err(AppError::Forbidden)
            ),
            "{backend}: no registration outside the area"
        );
        let stats = reg.stats(&bsup).await.unwrap();
        assert!(stats.iter().all(|c| c.governorate == "01") && !stats.is_empty());

        // Reads are in the audit log, and the citizen sees them: institution, role, time.
        reg.household(&karbala, &ksup).await.unwrap();
        reg.search_by_name("كاظم", None, 50, &ksup).await.unwrap();
        reg.request_code("07801234567").await.unwrap();
        let code = last_code(&reg).await;
        let citizen = reg.verify_code("07801234567", &code).await.unwrap().actor;
        let uses = reg.data_uses(&citizen, None).await.unwrap();
        assert_eq!(uses.len(), 2, "{backend}: {uses:?}");
        assert!(uses.iter().all(|u| u.role == "governorate_supervisor"));
        assert!(uses.iter().any(|u| u.action == "household.read"));
        assert!(uses.iter().any(|u| u.action == "household.listed"));
        assert_eq!(uses[0].institution_en, "Ministry of Trade — Karbala");
        // The citizen reaches their own household only.
        assert!(reg.own_household(&citizen).await.is_ok());
        assert!(matches!(
            reg.household(&baghdad, &citizen).await,
            Err(AppError::NotFound)
        ));
        assert!(reg.household(&karbala, &citizen).await.is_ok());
        assert!(matches!(
            reg.stats(&citizen).await,
            Err(AppError::Forbidden)
        ));
        let audit = tamwin_app::audit::verify(&reg, &|_| {}).await.unwrap();
        assert!(
            audit.is_ok(),
            "{backend}: the log with the reads still verifies"
        );
    }
}

/// A gateway that is down: the stored message must lose its code all the same.
struct DownGateway;
#[async_trait::async_trait]
impl SmsGateway for DownGateway {
    async fn deliver(&self, _: &tamwin_store::OutboxMessage) -> std::result::Result<(), String> {
        Err("down".into())
    }
}

/// The stored outbox (not the demo's in-memory copy) once its latest message was handled.
async fn stored_after_delivery(reg: &Registry) -> tamwin_store::OutboxMessage {
    for _ in 0..200 {
        let m = reg.store().outbox_recent(1).await.unwrap().remove(0);
        if m.body.contains(session::CODE_MASK) {
            return m;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    panic!("the stored message kept its code");
}

tamwin_store::backend_tests! {
    async fn codes_leave_the_stored_outbox_once_the_gateway_had_them((backend, store) in backends) {
        let (mut reg, clock) = setup(store).await;
        create(
            &reg,
            &household("11", "1101", 43_000_000_001, Some("07701112299")),
        )
        .await;
        reg.request_code("07701112299").await.unwrap();
        // The demo's page still shows the code (from the gateway's memory), and it signs in.
        let code = last_code(&reg).await;
        assert_eq!(code.len(), 6, "{backend}");
        let stored = stored_after_delivery(&reg).await;
        assert!(!stored.body.contains(&code), "{backend}: {}", stored.body);
        assert!(stored.delivered_at.is_some(), "{backend}");
        assert!(reg.verify_code("07701112299", &code).await.is_ok());

        // A gateway that fails: not delivered, and the code is not kept either.
        reg.set_sms(Arc::new(DownGateway));
        advance(&clock, 1);
        reg.request_code("07701112299").await.unwrap();
        let stored = stored_after_delivery(&reg).await;
        assert!(stored.delivered_at.is_none(), "{backend}");
    }
}

tamwin_store::backend_tests! {
    async fn who_read_my_data_lists_staff_reads_not_the_citizens_own((backend, store) in backends) {
        let (mut reg, _) = setup(store).await;
        reg.set_forms(Arc::new(
            appointments::FormKeys::single(
                "forms-1",
                ed25519_dalek::SigningKey::from_bytes(&[5; 32]),
                0,
            )
            .unwrap(),
        ));
        let card = create(
            &reg,
            &household("11", "1101", 44_000_000_001, Some("07801112201")),
        )
        .await;
        let sys = Actor::system("t");
        let hid = reg
            .store()
            .household_by_card(&card)
            .await
            .unwrap()
            .unwrap()
            .household
            .household_id;
        let citizen = Actor::citizen(&hid, "07801112201", "web");
        let booked = reg
            .book_appointment(
                &hid,
                &serde_json::from_value(serde_json::json!({"starts_at": "2026-11-22T09:00"}))
                    .unwrap(),
                false,
                &citizen,
                None,
            )
            .await
            .unwrap();
        let booked: serde_json::Value = serde_json::from_str(&booked.body).unwrap();
        let centre = booked["centre_code"].as_str().unwrap().to_string();
        let district = reg.geo().centre(&centre).unwrap().district_code.clone();
        let officer = Actor::staff(
            "u-officer",
            "officer.k",
            tamwin_domain::access::Role::CentreOfficer,
            tamwin_domain::access::Area::Centre {
                code: centre.clone(),
                district,
            },
            "web",
        );
        let (_, tok) = reg
            .create_token("k sup", "governorate_supervisor", "11", 30, &sys)
            .await
            .unwrap();
        let ksup = reg.token_actor(&tok).await.unwrap();

        // The officer opens the visit; the supervisor opens the household and lists it five times.
        reg.visit(booked["appointment_id"].as_str().unwrap(), &officer)
            .await
            .unwrap();
        reg.household(&card, &ksup).await.unwrap();
        let all = ListFilter {
            limit: 50,
            ..Default::default()
        };
        for _ in 0..3 {
            reg.list(&all, &ksup).await.unwrap();
        }
        for _ in 0..2 {
            reg.search_by_name("كاظم", None, 50, &ksup).await.unwrap();
        }
        // The citizen's own views are not "who read my data".
        for _ in 0..3 {
            reg.own_household(&citizen).await.unwrap();
        }
        // A read another use case writes the same way (a screening finding opened, say) shows too.
        let finding_read = tamwin_store::ChangeLog {
            change_id: uuid::Uuid::new_v4().to_string(),
            at: reg.clock().now(),
            actor: "auditor.k".into(),
            role: "auditor".into(),
            area: "11".into(),
            kind: "finding.read",
            member_id: None,
            reason: None,
            details: serde_json::json!({}),
            channel: "web",
        };
        reg.store()
            .record_reads(&[(hid.clone(), finding_read)])
            .await
            .unwrap();

        let uses = reg.data_uses(&citizen, None).await.unwrap();
        let seen: Vec<(String, String, i64)> = uses
            .iter()
            .map(|u| (u.action.clone(), u.role.clone(), u.count))
            .collect();
        assert!(
            uses.iter().all(|u| u.role != "citizen"),
            "{backend}: {seen:?}"
        );
        for want in [
            ("visit.read", "centre_officer", 1),
            ("household.read", "governorate_supervisor", 1),
            ("household.listed", "governorate_supervisor", 5),
            ("finding.read", "auditor", 1),
        ] {
            assert!(
                seen.contains(&(want.0.into(), want.1.into(), want.2)),
                "{backend}: {want:?} in {seen:?}"
            );
        }
        assert_eq!(uses.len(), 4, "{backend}: {seen:?}");
        let officer_row = uses.iter().find(|u| u.action == "visit.read").unwrap();
        assert_eq!(officer_row.role_en, "update-centre officer", "{backend}");
        assert!(
            officer_row
                .institution_en
                .starts_with("Ministry of Trade — ")
        );

        // Keyset pages: after the first row, the other three, none twice.
        let rest = reg
            .data_uses(&citizen, Some(&uses[0].cursor))
            .await
            .unwrap();
        assert_eq!(
            rest.iter().map(|u| u.cursor.clone()).collect::<Vec<_>>(),
            uses[1..]
                .iter()
                .map(|u| u.cursor.clone())
                .collect::<Vec<_>>(),
            "{backend}"
        );
    }
}

tamwin_store::backend_tests! {
    async fn a_stranger_cannot_use_up_a_citizens_codes((backend, store) in backends) {
        let (reg, clock) = setup(store).await;
        create(
            &reg,
            &household("11", "1101", 45_000_000_001, Some("07701113344")),
        )
        .await;
        let phone = "07701113344";
        // Three codes asked from a stranger's address: that address gets no fourth…
        for _ in 0..3 {
            reg.request_code_from(phone, "192.0.2.1").await.unwrap();
        }
        assert!(
            matches!(
                reg.request_code_from(phone, "192.0.2.1").await,
                Err(AppError::TooManyCodes)
            ),
            "{backend}"
        );
        // …while the citizen, from their own, still gets one and signs in.
        advance(&clock, 1);
        reg.request_code_from(phone, "198.51.100.1").await.unwrap();
        let code = last_code(&reg).await;
        assert!(
            reg.verify_code_from(phone, &code, "198.51.100.1")
                .await
                .is_ok(),
            "{backend}"
        );
        // Enough wrong codes from one address refuse that address for a while, not the citizen's.
        for i in 0..throttle::CODE_FAILURES_PER_ADDRESS {
            assert!(matches!(
                reg.verify_code_from(&format!("0770999{i:04}"), "000000", "192.0.2.1")
                    .await,
                Err(AppError::CodeRefused)
            ));
        }
        advance(&clock, 1);
        reg.request_code_from(phone, "198.51.100.1").await.unwrap();
        let code = last_code(&reg).await;
        assert!(
            matches!(
                reg.verify_code_from(phone, &code, "192.0.2.1").await,
                Err(AppError::TooManyAttempts(_))
            ),
            "{backend}"
        );
        assert!(
            reg.verify_code_from(phone, &code, "198.51.100.1")
                .await
                .is_ok(),
            "{backend}"
        );
    }
}

tamwin_store::backend_tests! {
    /// A stored role or area the code does not know is an error naming its table and column, on sign-in,
    /// on a token and in the staff list; never a panic, a silent default or a skipped row.
    async fn an_unknown_stored_role_or_area_is_named_on_every_backend(
        (backend, store) in backends
    ) {
        let (reg, _clock) = setup(store.clone()).await;
        let sys = Actor::system("t");
        reg.add_staff("k.aud", "auditor", "11", Some("auditor pass 1"), &sys)
            .await
            .unwrap();
        let (_, bearer) = reg
            .create_token("feed", "analyst", "11", 30, &sys)
            .await
            .unwrap();
        store
            .execute_unchecked("UPDATE staff_users SET role = 'overlord' WHERE username = 'k.aud'")
            .await
            .unwrap();
        let e = reg
            .staff_session("k.aud", "auditor pass 1")
            .await
            .unwrap_err();
        assert!(e.to_string().contains("staff_users.role"), "{backend}: {e}");
        store
            .execute_unchecked(
                "UPDATE staff_users SET role = 'auditor', area = '99' WHERE username = 'k.aud'",
            )
            .await
            .unwrap();
        let e = reg.staff_list(&sys).await.unwrap_err();
        assert!(e.to_string().contains("staff_users.area"), "{backend}: {e}");
        store
            .execute_unchecked("UPDATE api_tokens SET role = 'overlord'")
            .await
            .unwrap();
        let e = reg.token_actor(&bearer).await.unwrap_err();
        assert!(e.to_string().contains("api_tokens.role"), "{backend}: {e}");
    }
}
