//! Keys and time: only EdDSA, a known key, a matching signature, within the validity of the card
//! and of its key; rotation from one key to the next; signing refuses bad input.

use super::*;

#[test]
fn algorithm_must_be_eddsa() {
    let payload = national_card().to_cbor().unwrap();
    let es256 = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(b"ncr-2026".to_vec())
        .build();
    let msg = cose(es256, Header::default(), Some(payload.clone()), &key(1));
    assert_eq!(err(&pack(&msg), T0), CardError::Algorithm);
    let none = HeaderBuilder::new().key_id(b"ncr-2026".to_vec()).build();
    let msg = cose(none, Header::default(), Some(payload.clone()), &key(1));
    assert_eq!(err(&pack(&msg), T0), CardError::Algorithm);
    // The fully-specified name of the same algorithm (RFC 9864) is accepted.
    let ed25519 = HeaderBuilder::new()
        .algorithm(iana::Algorithm::Ed25519)
        .key_id(b"ncr-2026".to_vec())
        .build();
    let msg = cose(ed25519, Header::default(), Some(payload), &key(1));
    assert_eq!(verify(&pack(&msg), &ring(), T0), Ok(national_card()));
}

#[test]
fn unknown_key() {
    let text = sign(&national_card(), &signer("ncr-2099", 9)).unwrap();
    assert_eq!(err(&text, T0), CardError::UnknownKey);
    // No kid at all, or one that is not UTF-8.
    let payload = national_card().to_cbor().unwrap();
    let no_kid = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .build();
    let msg = cose(no_kid, Header::default(), Some(payload.clone()), &key(1));
    assert_eq!(err(&pack(&msg), T0), CardError::UnknownKey);
    let binary = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(vec![0xff, 0xfe])
        .build();
    let msg = cose(binary, Header::default(), Some(payload), &key(1));
    assert_eq!(err(&pack(&msg), T0), CardError::UnknownKey);
    // A removed (compromised) key is unknown from then on.
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let mut ring = ring();
    assert!(ring.remove("ncr-2026").is_some());
    assert_eq!(verify(&text, &ring, T0), Err(CardError::UnknownKey));
}

#[test]
fn signature_must_match() {
    // The right kid, the wrong key.
    let text = sign(&national_card(), &signer("ncr-2026", 2)).unwrap();
    assert_eq!(err(&text, T0), CardError::Signature);
    // A payload changed under a valid signature (the layers around it rebuilt, so only the
    // signature can catch it).
    let good = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let z = base45::decode(&good[PREFIX.len()..]).unwrap();
    let bytes = miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap();
    let mut msg = coset::CoseSign1::from_tagged_slice(&bytes).unwrap();
    let mut forged = national_card();
    forged
        .claims
        .insert("national_id".into(), "199012345679".into());
    msg.payload = Some(forged.to_cbor().unwrap());
    assert_eq!(
        err(&pack(&msg.clone().to_tagged_vec().unwrap()), T0),
        CardError::Signature
    );
    // A flipped bit in the signature, and a signature of the wrong length.
    let mut msg = coset::CoseSign1::from_tagged_slice(&bytes).unwrap();
    msg.signature[5] ^= 1;
    assert_eq!(
        err(&pack(&msg.clone().to_tagged_vec().unwrap()), T0),
        CardError::Signature
    );
    msg.signature.truncate(63);
    assert_eq!(
        err(&pack(&msg.to_tagged_vec().unwrap()), T0),
        CardError::Signature
    );
}

#[test]
fn expiry() {
    let p = national_card();
    let text = sign(&p, &signer("ncr-2026", 1)).unwrap();
    assert!(verify(&text, &ring(), p.expires_at - 1).is_ok());
    assert_eq!(err(&text, p.expires_at), CardError::Expired);
    assert_eq!(err(&text, p.expires_at + YEAR), CardError::Expired);
}

#[test]
fn issued_in_the_future() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    // A verifier whose clock is up to five minutes behind still accepts it.
    assert!(verify(&text, &ring(), T0 - CLOCK_SKEW_SECS).is_ok());
    assert_eq!(err(&text, T0 - CLOCK_SKEW_SECS - 1), CardError::NotYetValid);
    assert_eq!(err(&text, T0 - DAY), CardError::NotYetValid);
}

#[test]
fn issued_outside_the_keys_validity() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    // The key became valid after the payload's issue time.
    let mut ring = KeyRing::new();
    ring.add("ncr-2026", key(1).verifying_key(), T0 + 1, None);
    assert_eq!(verify(&text, &ring, T0 + 2), Err(CardError::KeyNotValid));
    // The key was retired at or before the issue time.
    let mut ring = self::ring();
    assert!(ring.retire("ncr-2026", T0));
    assert_eq!(verify(&text, &ring, T0 + 2), Err(CardError::KeyNotValid));
    assert!(ring.retire("ncr-2026", T0 + 1));
    assert!(verify(&text, &ring, T0 + 2).is_ok());
    assert!(!ring.retire("ncr-1999", T0));
}

#[test]
fn rotation() {
    let old = signer("ncr-2026", 1);
    let new = signer("ncr-2027", 2);
    let switch = T0 + YEAR;
    let before = sign(&national_card(), &old).unwrap();

    // The new key is added valid from the switch, the old one retired at the same moment.
    let mut ring = ring();
    ring.add("ncr-2027", new.verifying_key(), switch, None);
    assert!(ring.retire("ncr-2026", switch));

    // What the old key issued keeps verifying, long after the switch, until its own expiry.
    assert_eq!(
        verify(&before, &ring, switch + 5 * YEAR),
        Ok(national_card())
    );

    // The new key issues from the switch on.
    let after_payload = Payload {
        issued_at: switch + DAY,
        expires_at: switch + 10 * YEAR,
        ..national_card()
    };
    let after = sign(&after_payload, &new).unwrap();
    assert_eq!(
        verify(&after, &ring, switch + DAY),
        Ok(after_payload.clone())
    );

    // The old key after its retirement is refused, so a stolen retired key cannot issue new cards
    // dated now.
    assert_eq!(
        verify(&sign(&after_payload, &old).unwrap(), &ring, switch + DAY),
        Err(CardError::KeyNotValid)
    );
    // A payload claiming the old kid but signed with the new key fails.
    let impostor = Signer::new("ncr-2026", key(2)).unwrap();
    assert_eq!(
        verify(&sign(&national_card(), &impostor).unwrap(), &ring, T0),
        Err(CardError::Signature)
    );
    // And the new key cannot backdate into a time before it was valid.
    assert_eq!(
        verify(&sign(&national_card(), &new).unwrap(), &ring, T0),
        Err(CardError::KeyNotValid)
    );
}

#[test]
fn signing_refuses_bad_input() {
    let mut p = national_card();
    p.expires_at = p.issued_at;
    assert_eq!(
        sign(&p, &signer("ncr-2026", 1)),
        Err(CardError::PayloadInvalid)
    );
    p.expires_at = p.issued_at - 1;
    assert_eq!(
        sign(&p, &signer("ncr-2026", 1)),
        Err(CardError::PayloadInvalid)
    );

    assert_eq!(
        Signer::new("", key(1)).unwrap_err(),
        CardError::KeyIdInvalid
    );
    assert_eq!(
        Signer::new("k".repeat(65), key(1)).unwrap_err(),
        CardError::KeyIdInvalid
    );
    assert!(Signer::new("k".repeat(64), key(1)).is_ok());
}
