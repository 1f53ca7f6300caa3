//! Device keys: a registered device's signed requests pass; a replay, another path, an old
//! timestamp, another key, an altered body and a revoked device are refused.

use super::*;

/// Headers of a request signed by `key` for `device`, at `at`, with `nonce`.
fn signed(
    key: &ed25519_dalek::SigningKey,
    device: &str,
    method: &str,
    target: &str,
    body: &[u8],
    at: &str,
    nonce: &str,
) -> Vec<(String, String)> {
    use ed25519_dalek::Signer;
    let digest = tamwin_app::devices::body_sha256(body);
    let text = tamwin_app::devices::canonical(&tamwin_app::devices::SignedRequest {
        device_id: device,
        timestamp: at,
        nonce,
        signature: "",
        method,
        target,
        body_sha256: &digest,
    });
    let sig: String = key
        .sign(text.as_bytes())
        .to_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    vec![
        ("x-tamwin-device".into(), device.into()),
        ("x-tamwin-timestamp".into(), at.into()),
        ("x-tamwin-nonce".into(), nonce.into()),
        ("x-tamwin-signature".into(), sig),
        ("x-tamwin-content-sha256".into(), digest),
    ]
}

tamwin_store::backend_tests! {
    async fn device_keys_sign_requests_on_every_backend((backend, app, reg) in common::app_on) {
        let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
        let public: String = key
            .verifying_key()
            .to_bytes()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let sys = Actor::system("t");
        let d = reg
            .add_device(
                "outlet KRB-0042",
                "centre_officer",
                "KRB-C01",
                &public,
                &sys,
            )
            .await
            .unwrap();
        assert!(
            reg.add_device("again", "auditor", "11", &public, &sys)
                .await
                .is_err(),
            "one key, one device"
        );
        assert!(
            reg.add_device("bad", "auditor", "11", "abcd", &sys)
                .await
                .is_err()
        );
        let now = format!("{:.0}", jiff::Timestamp::now());
        let as_refs = |h: &[(String, String)]| -> Vec<(String, String)> { h.to_vec() };
        let send = |h: Vec<(String, String)>,
                    method: &'static str,
                    target: &'static str,
                    body: Option<String>| {
            let app = &app;
            async move {
                let mut hs: Vec<(&str, &str)> =
                    h.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
                hs.push(ANON);
                let (s, b, _) = call(app, method, target, body.as_deref(), &hs).await;
                (s.as_u16(), b)
            }
        };

        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000001",
        );
        let (s, b) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 200, "{backend}: {b}");
        assert!(
            b.contains("\"kind\":\"device\"") && b.contains("KRB-C01"),
            "{b}"
        );
        // The same request again: a replay.
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401, "{backend}: replayed nonce");
        // The job that forgets nonces keeps those of any time still accepted: still a replay.
        assert_eq!(reg.forget_device_nonces().await.unwrap(), 0, "{backend}");
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401, "{backend}: replayed nonce after the job");
        // Signed for another path.
        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000002",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/stats/households", None).await;
        assert_eq!(s, 401);
        // Ten minutes old.
        let old = format!(
            "{:.0}",
            jiff::Timestamp::now()
                .checked_sub(jiff::SignedDuration::from_mins(10))
                .unwrap()
        );
        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &old,
            "nonce-0000000000000003",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401, "{backend}: stale timestamp");
        // Another key claiming the device.
        let other = ed25519_dalek::SigningKey::from_bytes(&[8u8; 32]);
        let h = signed(
            &other,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000004",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401);

        // A signed change: the body is held to the digest it signed.
        let body = fixture(None).to_string();
        let h = signed(
            &key,
            &d.device_id,
            "POST",
            "/api/v1/households",
            body.as_bytes(),
            &now,
            "nonce-0000000000000005",
        );
        let tampered = body.replace("حي الحسين", "حي العباس");
        let (s, _) = send(as_refs(&h), "POST", "/api/v1/households", Some(tampered)).await;
        assert_eq!(s, 401, "{backend}: a body other than the signed one");
        let h = signed(
            &key,
            &d.device_id,
            "POST",
            "/api/v1/households",
            body.as_bytes(),
            &now,
            "nonce-0000000000000006",
        );
        let (s, b) = send(as_refs(&h), "POST", "/api/v1/households", Some(body)).await;
        assert_eq!(s, 201, "{backend}: {b}");

        // Revoked: refused at once.
        reg.revoke_device(&d.device_id, &sys).await.unwrap();
        let h = signed(
            &key,
            &d.device_id,
            "GET",
            "/api/v1/me",
            b"",
            &now,
            "nonce-0000000000000007",
        );
        let (s, _) = send(as_refs(&h), "GET", "/api/v1/me", None).await;
        assert_eq!(s, 401, "{backend}: revoked");
    }
}
