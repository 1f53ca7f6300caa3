//! The hub served by the reference registry, on both backends: signed questions get signed, bound
//! answers; missing, invalid, stale and replayed signatures are refused with their codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use axum::body::Body;
use axum::http::Request;
use ed25519_dalek::SigningKey;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::sync::Arc;
use tamwin_civil::server::{HubServer, router};
use tamwin_hub::services::{HUB_MEMBER, Service};
use tamwin_hub::signing::{self, RequestParts, ResponseParts};
use tamwin_hub::{ClientId, KeyRing, MemberKey};
use tamwin_store::{CivilPerson, HubKey, testkit};
use tower::ServiceExt;

const NOW: &str = "2026-11-21T10:00:00Z";

fn t(s: &str) -> jiff::Timestamp {
    s.parse().unwrap()
}

fn person(id: u64, death: Option<&str>) -> CivilPerson {
    CivilPerson {
        national_id: tamwin_domain::NationalId::from_payload(id)
            .unwrap()
            .to_string(),
        given_name: "أحمد".into(),
        father_name: "عبد الله".into(),
        grandfather_name: "حسين".into(),
        family_name: Some("الربيعي".into()),
        mother_name: "زينب كاظم جواد".into(),
        birth_date: "1980-05-17".into(),
        sex: "male".into(),
        phone: None,
        card_status: Some("valid".into()),
        card_expires: Some("2030-01-01".into()),
        fingerprint_sha256: Some(tamwin_hub::sha256_hex(b"FP-TEMPLATE-x")),
        death_date: death.map(str::to_string),
        abroad_since: None,
    }
}

struct Call {
    status: u16,
    body: Value,
    raw: Vec<u8>,
    response: ResponseParts,
    request_hash: String,
}

async fn call(
    app: &axum::Router,
    key: &SigningKey,
    service: Service,
    body: &Value,
    ts: &str,
    nonce: &str,
    tamper: impl Fn(&mut Vec<(&'static str, String)>),
) -> Call {
    // The key [2; 32] is the health ministry's (another member); every other key signs as Trade.
    let client = if key.to_bytes() == [2; 32] {
        ClientId::parse("IQ/GOV/MOH/clinic").unwrap()
    } else {
        ClientId::parse("IQ/GOV/MOT/tamwin").unwrap()
    };
    let path = service.id().path();
    let bytes = serde_json::to_vec(body).unwrap();
    let (h, request_hash) = signing::sign_request(
        key,
        &RequestParts {
            client: &client,
            key_id: "mot-1",
            method: "POST",
            target: &path,
            timestamp: ts,
            nonce,
            body: &bytes,
        },
    );
    let mut pairs = h.pairs();
    tamper(&mut pairs);
    let mut req = Request::builder()
        .method("POST")
        .uri(&path)
        .header("content-type", "application/json");
    for (k, v) in &pairs {
        req = req.header(*k, v);
    }
    let resp = app
        .clone()
        .oneshot(req.body(Body::from(bytes)).unwrap())
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let hv = |n: &str| {
        resp.headers()
            .get(n)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default()
    };
    let response = ResponseParts {
        request_hash: hv(signing::REQUEST_HASH_HEADER),
        key_id: hv(signing::KEY_ID_HEADER),
        signature: hv(signing::SIGNATURE_HEADER),
    };
    let raw = resp
        .into_body()
        .collect()
        .await
        .unwrap()
        .to_bytes()
        .to_vec();
    Call {
        status,
        body: serde_json::from_slice(&raw).unwrap(),
        raw,
        response,
        request_hash,
    }
}

#[tokio::test]
async fn signed_questions_and_refusals_on_every_backend() {
    for (backend, store) in testkit::backends().await {
        store.migrate().await.unwrap();
        let alive = person(88_000_000_001, None);
        let dead = person(88_000_000_002, Some("2025-03-01"));
        store
            .civil_load(&[alive.clone(), dead.clone()])
            .await
            .unwrap();
        let mot = SigningKey::from_bytes(&[1; 32]);
        store
            .save_hub_key(&HubKey {
                member: "IQ/GOV/MOT".into(),
                key_id: "mot-1".into(),
                public_key: tamwin_hub::hex(&mot.verifying_key().to_bytes()),
                valid_from: t("2026-01-01T00:00:00Z"),
                valid_until: None,
            })
            .await
            .unwrap();
        let hub_key = SigningKey::from_bytes(&[9; 32]);
        let app = router(Arc::new(HubServer {
            store: store.clone(),
            key: hub_key.clone(),
            key_id: "moi-1".into(),
            now: Arc::new(|| t(NOW)),
            callback_prefixes: vec![],
            default_callbacks: vec![],
            search: Default::default(),
        }));
        let hub_ring = KeyRing::new(vec![MemberKey {
            member: HUB_MEMBER.into(),
            key_id: "moi-1".into(),
            public_key: hub_key.verifying_key().to_bytes(),
            valid_from: t("2026-01-01T00:00:00Z"),
            valid_until: None,
        }]);
        let none = |_: &mut Vec<(&'static str, String)>| {};

        // A match per field sent, bound to the question and signed by the hub.
        let q = json!({"national_id": alive.national_id, "given_name": "احمد", "father_name": "عبدالله", "birth_date": "1980-05-17"});
        let c = call(
            &app,
            &mot,
            Service::VerifyIdentity,
            &q,
            NOW,
            "nonce-000000000001",
            none,
        )
        .await;
        assert_eq!(c.status, 200, "{backend}: {}", c.body);
        assert_eq!(c.body["response"]["matched"], true);
        assert_eq!(
            c.body["response"]["fields"].as_object().unwrap().len(),
            3,
            "only the fields sent"
        );
        assert!(
            c.body["response"].get("mother_name").is_none() && !c.body.to_string().contains("زينب"),
            "no surplus data"
        );
        assert_eq!(c.body["requestHash"], c.request_hash.as_str());
        assert!(
            signing::verify_response(
                &hub_ring,
                HUB_MEMBER,
                &c.request_hash,
                &c.response,
                200,
                &c.raw,
                t(NOW)
            )
            .is_ok()
        );

        let q = json!({"national_id": alive.national_id, "given_name": "محمد", "sex": "male"});
        let c = call(
            &app,
            &mot,
            Service::VerifyIdentity,
            &q,
            NOW,
            "nonce-000000000002",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["matched"], false);
        assert_eq!(c.body["response"]["fields"]["given_name"], false);
        assert_eq!(c.body["response"]["fields"]["sex"], true);

        let q = json!({"national_id": dead.national_id, "given_name": "أحمد"});
        let c = call(
            &app,
            &mot,
            Service::VerifyIdentity,
            &q,
            NOW,
            "nonce-000000000003",
            none,
        )
        .await;
        assert_eq!(
            c.body["errors"][0]["errorCode"], "HUB-ID-002",
            "{backend}: deceased"
        );
        let q = json!({"national_id": tamwin_domain::NationalId::from_payload(88_000_000_009).unwrap().to_string()});
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000004",
            none,
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-ID-001");
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &json!({"national_id": dead.national_id}),
            NOW,
            "nonce-000000000005",
            none,
        )
        .await;
        assert_eq!(
            c.body["response"],
            json!({"status": "deceased", "since": "2025-03-01"})
        );
        let c = call(
            &app,
            &mot,
            Service::CardStatus,
            &json!({"national_id": alive.national_id}),
            NOW,
            "nonce-000000000006",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["status"], "valid");
        let q = json!({"national_id": alive.national_id, "template": "FP-TEMPLATE-x"});
        let c = call(
            &app,
            &mot,
            Service::VerifyFingerprint,
            &q,
            NOW,
            "nonce-000000000007",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["matched"], true);
        let q = json!({"national_id": alive.national_id, "template": "someone else"});
        let c = call(
            &app,
            &mot,
            Service::VerifyFingerprint,
            &q,
            NOW,
            "nonce-000000000008",
            none,
        )
        .await;
        assert_eq!(c.body["response"]["matched"], false);
        let c = call(
            &app,
            &mot,
            Service::CardStatus,
            &json!({"national_id": alive.national_id, "extra": 1}),
            NOW,
            "nonce-000000000009",
            none,
        )
        .await;
        assert_eq!(
            (c.status, c.body["errors"][0]["errorCode"].as_str()),
            (400, Some("HUB-REQ-001"))
        );

        // Refusals, each with its code.
        let q = json!({"national_id": alive.national_id});
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000006",
            none,
        )
        .await;
        assert_eq!(
            (c.status, c.body["errors"][0]["errorCode"].as_str()),
            (401, Some("HUB-SIG-004")),
            "{backend}: replayed nonce"
        );
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000010",
            |p| p.retain(|(k, _)| *k != signing::SIGNATURE_HEADER),
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-SIG-001", "missing");
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000011",
            |p| {
                for (k, v) in p.iter_mut() {
                    if *k == signing::SIGNATURE_HEADER {
                        *v = "ab".repeat(64);
                    }
                }
            },
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-SIG-002", "invalid");
        let c = call(
            &app,
            &mot,
            Service::LifeStatus,
            &q,
            "2026-11-21T09:40:00Z",
            "nonce-000000000012",
            none,
        )
        .await;
        assert_eq!(c.body["errors"][0]["errorCode"], "HUB-SIG-003", "expired");
        let stranger = SigningKey::from_bytes(&[2; 32]);
        let c = call(
            &app,
            &stranger,
            Service::LifeStatus,
            &q,
            NOW,
            "nonce-000000000013",
            none,
        )
        .await;
        assert_eq!(
            c.body["errors"][0]["errorCode"], "HUB-SIG-002",
            "not the member's key"
        );
        // Refusals are signed too, so a client can tell the hub's refusal from a forged one.
        assert!(!c.response.signature.is_empty());
    }
}

/// The registry's one-time codes to the phone on file: sent only to the number it holds (never to the
/// asker), refused for the deceased, the unknown and those without a number; one answer for wrong,
/// reused, expired or exhausted codes; at most three per quarter hour; only the asker may verify.
#[tokio::test]
async fn codes_to_the_phone_on_file_on_every_backend() {
    for (backend, store) in testkit::backends().await {
        store.migrate().await.unwrap();
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
