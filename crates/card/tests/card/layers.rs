//! Texts broken at each layer refused with their code: the prefix, any changed character or
//! truncation, too long a text, not zlib, a decompression bomb, not a COSE_Sign1, a payload of the
//! wrong shape.

use super::*;

#[test]
fn wrong_prefix() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let body = text.strip_prefix(PREFIX).unwrap();
    for bad in [
        format!("TMW2:{body}"),
        format!("tmw1:{body}"),
        format!("HC1:{body}"),
        body.to_string(),
        format!(" {text}"),
        String::new(),
    ] {
        assert_eq!(err(&bad, T0), CardError::Prefix, "{bad}");
    }
}

#[test]
fn tampering_with_any_character_is_caught() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let alphabet = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:";
    let mut seen = BTreeSet::new();
    for i in PREFIX.len()..text.len() {
        let mut bytes = text.clone().into_bytes();
        // Each position gets a different replacement, all from the alphabet.
        let c = alphabet[(i * 7) % 45];
        bytes[i] = if bytes[i] == c {
            alphabet[(i * 7 + 1) % 45]
        } else {
            c
        };
        let tampered = String::from_utf8(bytes).unwrap();
        let e = verify(&tampered, &ring(), T0).unwrap_err();
        seen.insert(e.code());
    }
    let possible = BTreeSet::from([
        "qr_encoding",
        "qr_compression",
        "qr_structure",
        "qr_signature",
    ]);
    assert!(seen.is_subset(&possible), "{seen:?}");
    // Most changes break the zlib stream (its Adler-32 or its codes); none gets through.
    assert!(seen.contains("qr_compression"), "{seen:?}");
    // A character outside the alphabet fails at Base45.
    let mut bytes = text.clone().into_bytes();
    bytes[10] = b'#';
    assert_eq!(
        err(&String::from_utf8(bytes).unwrap(), T0),
        CardError::Encoding
    );
    let lower = format!("{PREFIX}{}", text[PREFIX.len()..].to_lowercase());
    assert_eq!(err(&lower, T0), CardError::Encoding);
}

#[test]
fn truncation_is_caught_at_every_length() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    for len in PREFIX.len()..text.len() {
        let e = err(&text[..len], T0);
        // A dangling character is never Base45; a cut group may still be, and then zlib notices.
        if (len - PREFIX.len()) % 3 == 1 {
            assert_eq!(e, CardError::Encoding, "cut at {len}");
        } else {
            assert!(
                [CardError::Encoding, CardError::Compression].contains(&e),
                "cut at {len}: {e:?}"
            );
        }
    }
}

#[test]
fn too_long_a_text_is_refused_before_decoding() {
    let text = format!("{PREFIX}{}", "0".repeat(MAX_TEXT_LEN));
    assert_eq!(err(&text, T0), CardError::Encoding);
}

#[test]
fn not_zlib() {
    let text = format!("{PREFIX}{}", base45::encode(b"plain CBOR is not accepted"));
    assert_eq!(err(&text, T0), CardError::Compression);
    // A valid COSE message without the zlib layer.
    let raw = cose(
        eddsa("ncr-2026"),
        Header::default(),
        Some(national_card().to_cbor().unwrap()),
        &key(1),
    );
    assert_eq!(
        err(&format!("{PREFIX}{}", base45::encode(&raw)), T0),
        CardError::Compression
    );
}

#[test]
fn decompression_bomb() {
    // One MiB of zeros deflates to about a kilobyte, well inside a QR code's capacity.
    let bomb = miniz_oxide::deflate::compress_to_vec_zlib(&vec![0u8; 1 << 20], 9);
    let text = format!("{PREFIX}{}", base45::encode(&bomb));
    assert!(text.len() <= MAX_TEXT_LEN, "{}", text.len());
    assert_eq!(err(&text, T0), CardError::Compression);
    // The limit is exact: one byte over fails, at the limit inflation succeeds (and the bytes then
    // fail as COSE).
    assert_eq!(
        err(&pack(&vec![0u8; MAX_INFLATED_LEN + 1]), T0),
        CardError::Compression
    );
    assert_eq!(
        err(&pack(&vec![0u8; MAX_INFLATED_LEN]), T0),
        CardError::Structure
    );
}

#[test]
fn not_a_cose_sign1() {
    let payload = national_card().to_cbor().unwrap();
    // Garbage, the payload alone, and other CBOR.
    assert_eq!(err(&pack(b"\xff\x00"), T0), CardError::Structure);
    assert_eq!(err(&pack(&payload), T0), CardError::Structure);
    // Untagged: the tag (18) is part of the format.
    let tagged = cose(
        eddsa("ncr-2026"),
        Header::default(),
        Some(payload.clone()),
        &key(1),
    );
    assert_eq!(verify(&pack(&tagged), &ring(), T0), Ok(national_card()));
    let untagged = coset::CoseSign1::from_tagged_slice(&tagged)
        .unwrap()
        .to_vec()
        .unwrap();
    assert_eq!(err(&pack(&untagged), T0), CardError::Structure);
    // Trailing bytes after the message.
    let mut trailing = tagged.clone();
    trailing.push(0);
    assert_eq!(err(&pack(&trailing), T0), CardError::Structure);
    // A detached payload.
    let detached = cose(eddsa("ncr-2026"), Header::default(), None, &key(1));
    assert_eq!(err(&pack(&detached), T0), CardError::Structure);
    // Anything in the unprotected header, even a kid that agrees with the protected one.
    let unprot = HeaderBuilder::new().key_id(b"ncr-2026".to_vec()).build();
    let msg = cose(eddsa("ncr-2026"), unprot, Some(payload.clone()), &key(1));
    assert_eq!(err(&pack(&msg), T0), CardError::Structure);
    // A critical header.
    let crit = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(b"ncr-2026".to_vec())
        .add_critical(iana::HeaderParameter::ContentType)
        .content_type("application/cbor".into())
        .build();
    let msg = cose(crit, Header::default(), Some(payload), &key(1));
    assert_eq!(err(&pack(&msg), T0), CardError::Structure);
}

#[test]
fn a_signed_payload_of_the_wrong_shape_is_structure() {
    // Correctly signed by a trusted key, but the payload is not this format's map.
    let other = ciborium::Value::Map(vec![(1.into(), "issuer".into())]);
    let mut bytes = Vec::new();
    ciborium::into_writer(&other, &mut bytes).unwrap();
    let msg = cose(eddsa("ncr-2026"), Header::default(), Some(bytes), &key(1));
    assert_eq!(err(&pack(&msg), T0), CardError::Structure);
}
