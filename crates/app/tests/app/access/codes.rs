//! One-time codes: expiry, single use, attempts, throttling and unregistered numbers; a stranger
//! cannot use up a citizen's codes; a code leaves the stored outbox once the gateway had it.

use super::*;

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
