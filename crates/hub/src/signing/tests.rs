#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
use super::*;
use crate::keys::MemberKey;

fn t(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn ring() -> KeyRing {
    KeyRing::new(vec![
        MemberKey {
            member: "IQ/GOV/MOT".into(),
            key_id: "mot-2026".into(),
            public_key: key(1).verifying_key().to_bytes(),
            valid_from: t("2026-01-01T00:00:00Z"),
            valid_until: None,
        },
        MemberKey {
            member: "IQ/GOV/MOI".into(),
            key_id: "moi-1".into(),
            public_key: key(9).verifying_key().to_bytes(),
            valid_from: t("2026-01-01T00:00:00Z"),
            valid_until: None,
        },
    ])
}

const NOW: &str = "2026-11-21T10:00:00Z";
const TARGET: &str = "/r1/IQ/GOV/MOI/civil-registry/verify-identity/v1";

fn signed(
    k: &SigningKey,
    key_id: &str,
    ts: &str,
    nonce: &str,
    body: &[u8],
) -> (SignedHeaders, String) {
    let client = ClientId::parse("IQ/GOV/MOT/tamwin").unwrap();
    sign_request(
        k,
        &RequestParts {
            client: &client,
            key_id,
            method: "POST",
            target: TARGET,
            timestamp: ts,
            nonce,
            body,
        },
    )
}

#[test]
fn a_signed_request_verifies_and_binds_its_answer() {
    let body = br#"{"national_id":"199000000016"}"#;
    let (h, hash) = signed(&key(1), "mot-2026", NOW, "n-0000000000000001", body);
    let v = verify_request(&h, "POST", TARGET, body, &ring(), t(NOW)).unwrap();
    assert_eq!(v.client.to_string(), "IQ/GOV/MOT/tamwin");
    assert_eq!(v.request_hash, hash);
    let answer = br#"{"response":{"match":true}}"#;
    let r = sign_response(&key(9), "moi-1", &hash, 200, answer);
    let evidence = verify_response(&ring(), "IQ/GOV/MOI", &hash, &r, 200, answer, t(NOW)).unwrap();
    assert_eq!(evidence.len(), 64);
    // An answer to another request, an altered answer, or one signed by someone else is refused.
    assert!(verify_response(&ring(), "IQ/GOV/MOI", "00", &r, 200, answer, t(NOW)).is_err());
    assert!(verify_response(&ring(), "IQ/GOV/MOI", &hash, &r, 200, b"{}", t(NOW)).is_err());
    let forged = sign_response(&key(1), "moi-1", &hash, 200, answer);
    assert!(verify_response(&ring(), "IQ/GOV/MOI", &hash, &forged, 200, answer, t(NOW)).is_err());
}

#[test]
fn missing_invalid_and_stale_signatures_are_refused_with_their_codes() {
    let body = b"{}";
    let (h, _) = signed(&key(1), "mot-2026", NOW, "n-0000000000000002", body);
    let check = |h: &SignedHeaders, body: &[u8], target: &str| {
        verify_request(h, "POST", target, body, &ring(), t(NOW)).unwrap_err()
    };
    let mut missing = h.clone();
    missing.signature = None;
    assert_eq!(
        check(&missing, body, TARGET),
        HubErrorCode::MissingSignature
    );
    assert_eq!(
        check(&h, b"{\"x\":1}", TARGET),
        HubErrorCode::InvalidSignature,
        "another body"
    );
    assert_eq!(
        check(&h, body, "/r1/IQ/GOV/MOI/civil-registry/life-status/v1"),
        HubErrorCode::InvalidSignature
    );
    let mut bad = h.clone();
    bad.signature = Some("00".repeat(64));
    assert_eq!(check(&bad, body, TARGET), HubErrorCode::InvalidSignature);
    let (other, _) = signed(&key(2), "mot-2026", NOW, "n-0000000000000003", body);
    assert_eq!(
        check(&other, body, TARGET),
        HubErrorCode::InvalidSignature,
        "a key not the member's"
    );
    let (stale, _) = signed(
        &key(1),
        "mot-2026",
        "2026-11-21T09:50:00Z",
        "n-0000000000000004",
        body,
    );
    assert_eq!(check(&stale, body, TARGET), HubErrorCode::StaleTimestamp);
    let (unknown, _) = signed(&key(1), "no-such-key", NOW, "n-0000000000000005", body);
    assert_eq!(
        check(&unknown, body, TARGET),
        HubErrorCode::InvalidSignature
    );
    let (short, _) = signed(&key(1), "mot-2026", NOW, "short", body);
    assert_eq!(check(&short, body, TARGET), HubErrorCode::InvalidSignature);
}

#[test]
fn a_rotated_key_works_during_the_overlap_and_not_after() {
    let mut ring = ring();
    ring.add(MemberKey {
        member: "IQ/GOV/MOT".into(),
        key_id: "mot-2027".into(),
        public_key: key(3).verifying_key().to_bytes(),
        valid_from: t("2026-11-21T00:00:00Z"),
        valid_until: None,
    });
    assert!(ring.retire("IQ/GOV/MOT", "mot-2026", t("2026-11-22T00:00:00Z")));
    let body = b"{}";
    for (k, id) in [(key(1), "mot-2026"), (key(3), "mot-2027")] {
        let (h, _) = signed(&k, id, NOW, "n-0000000000000010", body);
        assert!(
            verify_request(&h, "POST", TARGET, body, &ring, t(NOW)).is_ok(),
            "{id} in the overlap"
        );
    }
    let later = "2026-11-23T10:00:00Z";
    let (old, _) = signed(&key(1), "mot-2026", later, "n-0000000000000011", body);
    assert_eq!(
        verify_request(&old, "POST", TARGET, body, &ring, t(later)).unwrap_err(),
        HubErrorCode::InvalidSignature,
        "the retired key after its end"
    );
    let (new, _) = signed(&key(3), "mot-2027", later, "n-0000000000000012", body);
    assert!(verify_request(&new, "POST", TARGET, body, &ring, t(later)).is_ok());
}
