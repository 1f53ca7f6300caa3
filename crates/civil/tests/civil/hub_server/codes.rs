//! One-time codes to the phone on file, as the hub serves them.

use super::*;

tamwin_store::backend_tests! {
    /// The registry's one-time codes to the phone on file: sent only to the number it holds (never to the
    /// asker), refused for the deceased, the unknown and those without a number; one answer for wrong,
    /// reused, expired or exhausted codes; at most three per quarter hour; only the asker may verify.
    async fn codes_to_the_phone_on_file_on_every_backend((backend, store) in civil_backends) {
        let mut with_phone = person(88_000_000_011, None);
        with_phone.phone = Some("+9647801112233".into());
        let no_phone = person(88_000_000_012, None);
        let mut dead = person(88_000_000_013, Some("2025-03-01"));
        dead.phone = Some("+9647801112244".into());
        store
            .civil_load(&[with_phone.clone(), no_phone.clone(), dead.clone()])
            .await
            .unwrap();
        let (mot, moh) = (
            SigningKey::from_bytes(&[1; 32]),
            SigningKey::from_bytes(&[2; 32]),
        );
        for (member, k) in [("IQ/GOV/MOT", &mot), ("IQ/GOV/MOH", &moh)] {
            store
                .save_hub_key(&HubKey {
                    member: member.into(),
                    key_id: "mot-1".into(),
                    public_key: tamwin_hub::hex(&k.verifying_key().to_bytes()),
                    valid_from: t("2026-01-01T00:00:00Z"),
                    valid_until: None,
                })
                .await
                .unwrap();
        }
        let clock = Arc::new(std::sync::Mutex::new(t(NOW)));
        let c2 = clock.clone();
        let app = router(Arc::new(HubServer {
            store: store.clone(),
            key: SigningKey::from_bytes(&[9; 32]),
            key_id: "moi-1".into(),
            now: Arc::new(move || *c2.lock().unwrap()),
            callback_prefixes: vec![],
            default_callbacks: vec![],
            search: Default::default(),
        }));
        let none = |_: &mut Vec<(&'static str, String)>| {};
        let n = std::sync::atomic::AtomicU64::new(0);
        let nonce = || {
            format!(
                "nonce-codes-{:08}",
                n.fetch_add(1, std::sync::atomic::Ordering::SeqCst)
            )
        };
        let now = || clock.lock().unwrap().to_string();
        let send = |id: &str| json!({"national_id": id, "purpose": "proxy"});

        // Sent to the number on file; the answer masks it and does not carry the code.
        let c = call(
            &app,
            &mot,
            Service::SendCode,
            &send(&with_phone.national_id),
            &now(),
            &nonce(),
            none,
        )
        .await;
        assert_eq!(c.status, 200, "{backend}: {}", c.body);
        let sent = &c.body["response"];
        assert_eq!(sent["phone_masked"], "•••••••233");
        let challenge = sent["challenge_id"].as_str().unwrap().to_string();
        let sms = store.civil_sms_recent(1).await.unwrap();
        assert_eq!(sms[0].0, "+9647801112233");
        let code: String = sms[0]
            .1
            .chars()
            .filter(char::is_ascii_digit)
            .take(6)
            .collect();
        assert!(
            !String::from_utf8_lossy(&c.raw).contains(&code),
            "{backend}: the code never goes to the asker"
        );

        // Refusals by code.
        for (who, code_) in [
            (&no_phone.national_id, "HUB-PHN-001"),
            (&dead.national_id, "HUB-ID-002"),
            (
                &tamwin_domain::NationalId::from_payload(88_000_000_099)
                    .unwrap()
                    .to_string(),
                "HUB-ID-001",
            ),
        ] {
            let c = call(
                &app,
                &mot,
                Service::SendCode,
                &send(who),
                &now(),
                &nonce(),
                none,
            )
            .await;
            assert_eq!(
                c.body["errors"][0]["errorCode"], code_,
                "{backend}: {}",
                c.body
            );
        }
        // Asks for a code for the person with a phone and reads it from the registry's SMS outbox.
        let fresh_code = || async {
            let c = call(
                &app,
                &mot,
                Service::SendCode,
                &send(&with_phone.national_id),
                &now(),
                &nonce(),
                none,
            )
            .await;
            let challenge = c.body["response"]["challenge_id"]
                .as_str()
                .unwrap()
                .to_string();
            let code: String = store.civil_sms_recent(1).await.unwrap()[0]
                .1
                .chars()
                .filter(char::is_ascii_digit)
                .take(6)
                .collect();
            (challenge, code)
        };
        let verify = |code: &str| json!({"national_id": with_phone.national_id, "challenge_id": challenge, "code": code});
        let matched = |c: &Call| c.body["response"]["matched"].as_bool().unwrap();

        // Another ministry cannot check Trade's challenge; a wrong code fails; the right one works
        // once (Arabic-Indic digits accepted), then fails.
        assert!(!matched(
            &call(
                &app,
                &moh,
                Service::VerifyCode,
                &verify(&code),
                &now(),
                &nonce(),
                none
            )
            .await
        ));
        let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
        assert!(!matched(
            &call(
                &app,
                &mot,
                Service::VerifyCode,
                &verify(&wrong),
                &now(),
                &nonce(),
                none
            )
            .await
        ));
        let arabic: String = code
            .chars()
            .map(|d| char::from_u32(0x0660 + d.to_digit(10).unwrap()).unwrap())
            .collect();
        assert!(
            matched(
                &call(
                    &app,
                    &mot,
                    Service::VerifyCode,
                    &verify(&arabic),
                    &now(),
                    &nonce(),
                    none
                )
                .await
            ),
            "{backend}"
        );
        assert!(
            !matched(
                &call(
                    &app,
                    &mot,
                    Service::VerifyCode,
                    &verify(&code),
                    &now(),
                    &nonce(),
                    none
                )
                .await
            ),
            "{backend}: single use"
        );

        // Three codes per quarter hour: the fourth is refused; a later one after 15 minutes works but
        // expires after 5, and five wrong tries exhaust it.
        for _ in 0..2 {
            call(
                &app,
                &mot,
                Service::SendCode,
                &send(&with_phone.national_id),
                &now(),
                &nonce(),
                none,
            )
            .await;
        }
        let c = call(
            &app,
            &mot,
            Service::SendCode,
            &send(&with_phone.national_id),
            &now(),
            &nonce(),
            none,
        )
        .await;
        assert_eq!(
            (c.status, c.body["errors"][0]["errorCode"].as_str()),
            (429, Some("HUB-OTP-001")),
            "{backend}"
        );
        let later = |m: i64| {
            *clock.lock().unwrap() = t(NOW)
                .checked_add(jiff::SignedDuration::from_mins(m))
                .unwrap()
        };
        later(16);
        let (challenge2, code2) = fresh_code().await;
        let v2 = |code: &str| json!({"national_id": with_phone.national_id, "challenge_id": challenge2, "code": code});
        for _ in 0..5 {
            assert!(!matched(
                &call(
                    &app,
                    &mot,
                    Service::VerifyCode,
                    &v2("000000x"),
                    &now(),
                    &nonce(),
                    none
                )
                .await
            ));
        }
        assert!(
            !matched(
                &call(
                    &app,
                    &mot,
                    Service::VerifyCode,
                    &v2(&code2),
                    &now(),
                    &nonce(),
                    none
                )
                .await
            ),
            "{backend}: out of attempts"
        );
        later(40);
        let (challenge3, code3) = fresh_code().await;
        later(46);
        let v3 = json!({"national_id": with_phone.national_id, "challenge_id": challenge3, "code": code3});
        assert!(
            !matched(&call(&app, &mot, Service::VerifyCode, &v3, &now(), &nonce(), none).await),
            "{backend}: expired"
        );
        // Two checks of the right code at once: exactly one matches.
        later(70);
        let (challenge4, code4) = fresh_code().await;
        let v4 = json!({"national_id": with_phone.national_id, "challenge_id": challenge4, "code": code4});
        let (n1, n2, at) = (nonce(), nonce(), now());
        let (a, b) = tokio::join!(
            call(&app, &mot, Service::VerifyCode, &v4, &at, &n1, none),
            call(&app, &mot, Service::VerifyCode, &v4, &at, &n2, none)
        );
        assert_eq!(
            u8::from(matched(&a)) + u8::from(matched(&b)),
            1,
            "{backend}: one use under concurrency"
        );
    }
}
