//! Signing and verifying QR texts end to end: round trips, every error code provoked from a real or
//! hand-built text, key rotation, and the size of a typical card's QR code.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use coset::{
    CborSerializable as _, CoseSign1Builder, Header, HeaderBuilder, TaggedCborSerializable, iana,
};
use ed25519_dalek::{Signer as _, SigningKey};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use tamwin_card::{
    CLOCK_SKEW_SECS, CardError, KeyRing, Kind, MAX_INFLATED_LEN, MAX_SIGNED_TEXT_LEN, MAX_TEXT_LEN,
    PREFIX, Payload, Signer, base45, qr_svg, sign, verify,
};

/// 2026-01-01T00:00:00Z.
const T0: i64 = 1_767_225_600;
const DAY: i64 = 86_400;
const YEAR: i64 = 365 * DAY;

fn key(seed: u8) -> SigningKey {
    SigningKey::from_bytes(&[seed; 32])
}

fn signer(id: &str, seed: u8) -> Signer {
    Signer::new(id, key(seed)).unwrap()
}

/// A unified national card as the reference civil registry issues it: six claims, Arabic names.
fn national_card() -> Payload {
    Payload {
        kind: Kind::NationalCard,
        issued_at: T0,
        expires_at: T0 + 10 * YEAR,
        claims: BTreeMap::from([
            ("national_id".into(), "199012345678".into()),
            ("name".into(), "فاطمة عبد الرحمن حسين الجبوري".into()),
            ("mother_name".into(), "زينب علي كاظم".into()),
            ("birth_date".into(), "1990-05-14".into()),
            ("sex".into(), "F".into()),
            ("card_number".into(), "NC0012345678".into()),
        ]),
    }
}

/// The ring a verifier holds while `ncr-2026` is the civil registry's only key.
fn ring() -> KeyRing {
    let mut ring = KeyRing::new();
    ring.add("ncr-2026", key(1).verifying_key(), T0 - DAY, None);
    ring
}

/// `TMW1:` + Base45(zlib(bytes)): a QR text around any bytes, to reach the inner layers.
fn pack(bytes: &[u8]) -> String {
    let z = miniz_oxide::deflate::compress_to_vec_zlib(bytes, 9);
    format!("{PREFIX}{}", base45::encode(&z))
}

/// A tagged COSE_Sign1 message built by hand, signed with `key` over whatever the headers say.
fn cose(
    protected: Header,
    unprotected: Header,
    payload: Option<Vec<u8>>,
    key: &SigningKey,
) -> Vec<u8> {
    let mut b = CoseSign1Builder::new()
        .protected(protected)
        .unprotected(unprotected);
    if let Some(p) = payload {
        b = b.payload(p);
    }
    b.create_signature(b"", |tbs| key.sign(tbs).to_bytes().to_vec())
        .build()
        .to_tagged_vec()
        .unwrap()
}

fn eddsa(kid: &str) -> Header {
    HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(kid.as_bytes().to_vec())
        .build()
}

fn err(text: &str, now: i64) -> CardError {
    verify(text, &ring(), now).unwrap_err()
}

#[test]
fn round_trip() {
    let p = national_card();
    let text = sign(&p, &signer("ncr-2026", 1)).unwrap();
    assert!(text.starts_with(PREFIX));
    assert_eq!(verify(&text, &ring(), T0 + 1), Ok(p));
}

#[test]
fn every_kind_round_trips() {
    for kind in Kind::ALL {
        let p = Payload {
            kind,
            ..national_card()
        };
        let text = sign(&p, &signer("ncr-2026", 1)).unwrap();
        assert_eq!(verify(&text, &ring(), T0).unwrap().kind, kind);
    }
}

#[test]
fn no_claims_round_trip() {
    let p = Payload {
        claims: BTreeMap::new(),
        ..national_card()
    };
    let text = sign(&p, &signer("ncr-2026", 1)).unwrap();
    assert_eq!(verify(&text, &ring(), T0), Ok(p));
}

#[test]
fn arabic_claims_survive() {
    let mut p = national_card();
    // Hamza forms, taa marbuta, alef maqsura, diacritics, tatweel, Kurdish letters, Arabic-Indic digits.
    let tricky = "أُمّ إسراء آل مُصطفى ـ عيسى ڕۆژ ٠١٢٣";
    p.claims.insert("address".into(), tricky.into());
    let text = sign(&p, &signer("ncr-2026", 1)).unwrap();
    let back = verify(&text, &ring(), T0).unwrap();
    assert_eq!(back.claims["address"], tricky);
    assert_eq!(back.claims["name"], "فاطمة عبد الرحمن حسين الجبوري");
}

#[test]
fn output_is_deterministic() {
    let a = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let b = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    assert_eq!(a, b);
    // Insertion order of the claims does not matter either.
    let mut reversed = national_card();
    reversed.claims = national_card().claims.into_iter().rev().collect();
    assert_eq!(sign(&reversed, &signer("ncr-2026", 1)).unwrap(), a);
    // …but the key does.
    assert_ne!(sign(&national_card(), &signer("ncr-2026", 2)).unwrap(), a);
}

#[test]
fn text_is_all_qr_alphanumeric() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    assert!(
        text.bytes()
            .all(|c| b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:".contains(&c))
    );
}

#[test]
fn the_layers_are_as_documented() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let z = base45::decode(text.strip_prefix("TMW1:").unwrap()).unwrap();
    // zlib header: deflate, 32 KiB window, best compression.
    assert_eq!(z[..2], [0x78, 0xda]);
    let bytes = miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap();
    // Tag 18 (COSE_Sign1), then an array of 4.
    assert_eq!(bytes[..2], [0xd2, 0x84]);
    let msg = coset::CoseSign1::from_tagged_slice(&bytes).unwrap();
    // Protected header, exactly: {1: -8, 4: h'6e63722d32303236'}.
    let mut expected = vec![0xa2, 0x01, 0x27, 0x04, 0x48];
    expected.extend_from_slice(b"ncr-2026");
    assert_eq!(msg.protected.original_data, Some(expected));
    assert!(msg.unprotected.is_empty());
    assert_eq!(msg.signature.len(), 64);
    // Payload: {4: exp, 6: iat, "kind": "nc", "claims": {…}}.
    let payload = msg.payload.unwrap();
    assert_eq!(payload[..2], [0xa4, 0x04]);
    assert_eq!(Payload::from_cbor(&payload), Ok(national_card()));
}

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

/// Text that zlib cannot shrink: pseudo-random letters.
fn noise(len: usize) -> String {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            char::from(b'!' + (x % 90) as u8)
        })
        .collect()
}

#[test]
fn too_large_for_a_qr_code() {
    let mut p = national_card();
    p.claims.insert("notes".into(), noise(3000));
    assert_eq!(sign(&p, &signer("ncr-2026", 1)), Err(CardError::TooLarge));
    // Compressible text that would fit in the QR code but inflate past the verifier's ceiling is
    // refused too: whatever is signed must verify.
    let mut p = national_card();
    p.claims
        .insert("notes".into(), "ا".repeat(MAX_INFLATED_LEN / 2));
    assert_eq!(sign(&p, &signer("ncr-2026", 1)), Err(CardError::TooLarge));
    // The largest signable text is drawable: a level-M QR code holds 3391 alphanumeric characters.
    assert_eq!(MAX_SIGNED_TEXT_LEN, 3391);
    assert!(qr_svg(&"A".repeat(MAX_SIGNED_TEXT_LEN)).is_ok());
    assert_eq!(
        qr_svg(&"A".repeat(MAX_SIGNED_TEXT_LEN + 1)),
        Err(CardError::TooLarge)
    );
    // The biggest payload that signs also verifies and draws.
    let biggest = (0..)
        .step_by(50)
        .map_while(|len| {
            let mut p = national_card();
            p.claims.insert("notes".into(), noise(len));
            sign(&p, &signer("ncr-2026", 1)).ok()
        })
        .last()
        .unwrap();
    assert!(
        biggest.len() > MAX_SIGNED_TEXT_LEN - 100,
        "{}",
        biggest.len()
    );
    assert!(verify(&biggest, &ring(), T0).is_ok());
    assert!(qr_svg(&biggest).is_ok());
}

/// Side of the code in modules, read back from the SVG's viewBox (the quiet zone is 4 a side).
fn modules(svg: &str) -> usize {
    let view = svg.split("viewBox=\"0 0 ").nth(1).unwrap();
    let side: usize = view.split(' ').next().unwrap().parse().unwrap();
    side - 8
}

#[test]
fn qr_svg_of_a_typical_card() {
    let text = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let svg = qr_svg(&text).unwrap();
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(svg.ends_with("</svg>"));
    assert!(!svg.contains("<?xml"));
    let width = modules(&svg);
    let version = (width - 17) / 4;
    let z = base45::decode(&text[PREFIX.len()..]).unwrap();
    let cose = miniz_oxide::inflate::decompress_to_vec_zlib(&z).unwrap();
    let payload = national_card().to_cbor().unwrap();
    println!(
        "typical national card: payload {} B, COSE {} B, zlib {} B, QR text {} characters, \
         QR version {version} ({width}x{width} modules, level M), SVG {} B",
        payload.len(),
        cose.len(),
        z.len(),
        text.len(),
        svg.len()
    );
    // Measured (six claims, two Arabic names): payload 206 B, COSE 291 B, zlib 302 B (deflate finds
    // little to share in so short a text: zlib costs 11 B here and pays off on longer payloads), QR
    // text 458 characters, version 13 (69x69 modules) at level M: 0.36 mm a module on a 25 mm square.
    // The bounds leave room for longer names without letting the format grow unnoticed.
    assert!(text.len() <= 520, "{}", text.len());
    assert!(version <= 14, "{version}");
}

#[test]
fn qr_svg_draws_the_finder_patterns() {
    let svg = qr_svg("TMW1:HELLO").unwrap();
    // Version 1: 21 modules; the top-left finder's top row is a run of 7 dark modules at (4, 4).
    assert_eq!(modules(&svg), 21);
    assert!(svg.contains("M4,4h7v1h-7z"));
}

/// One provocation of each error, so a variant nobody can reach is noticed.
#[test]
fn every_error_is_reachable_and_described() {
    let good = sign(&national_card(), &signer("ncr-2026", 1)).unwrap();
    let v = |text: &str, ring: &KeyRing, now: i64| verify(text, ring, now).map(|_| ());
    let mut broken = good.clone().into_bytes();
    broken[10] = b'#';
    let broken = String::from_utf8(broken).unwrap();
    let es256 = HeaderBuilder::new()
        .algorithm(iana::Algorithm::ES256)
        .key_id(b"ncr-2026".to_vec())
        .build();
    let msg = cose(
        es256,
        Header::default(),
        Some(national_card().to_cbor().unwrap()),
        &key(1),
    );
    let mut late = ring();
    late.add("ncr-2026", key(1).verifying_key(), T0 + 1, None);
    let mut backwards = national_card();
    backwards.expires_at = 0;
    let results = [
        v(&good.replace("TMW1:", "TMW0:"), &ring(), T0),
        v(&broken, &ring(), T0),
        v(
            &format!("{PREFIX}{}", base45::encode(b"not zlib")),
            &ring(),
            T0,
        ),
        v(&pack(b"{}"), &ring(), T0),
        v(&pack(&msg), &ring(), T0),
        v(
            &sign(&national_card(), &signer("x", 1)).unwrap(),
            &ring(),
            T0,
        ),
        v(&good, &late, T0 + 1),
        v(
            &sign(&national_card(), &signer("ncr-2026", 3)).unwrap(),
            &ring(),
            T0,
        ),
        v(&good, &ring(), T0 + 10 * YEAR),
        v(&good, &ring(), T0 - DAY),
        sign(&backwards, &signer("ncr-2026", 1)).map(|_| ()),
        Signer::new("", key(1)).map(|_| ()),
        qr_svg(&"0".repeat(8000)).map(|_| ()),
    ];
    let seen: HashSet<CardError> = results.into_iter().map(|r| r.unwrap_err()).collect();
    assert_eq!(seen, CardError::ALL.into_iter().collect::<HashSet<_>>());

    let codes: BTreeSet<_> = CardError::ALL.iter().map(|e| e.code()).collect();
    assert_eq!(codes.len(), CardError::ALL.len());
    for e in CardError::ALL {
        assert!(e.code().starts_with("qr_"), "{}", e.code());
        assert!(
            e.message_ar()
                .chars()
                .any(|c| ('\u{0621}'..='\u{064a}').contains(&c)),
            "{}",
            e.code()
        );
        assert!(e.message_en().is_ascii() && !e.message_en().is_empty());
        assert!(e.to_string().contains(e.code()));
    }
}

/// The worked example of docs/signed-payload.md, a third party's first test vector: it must keep
/// verifying, and the library must keep producing it byte for byte.
const DOCUMENTED_EXAMPLE: &str = "TMW1:NCFL60QA0T9WTWGSLK/-4279XPC5W5846Y+69AB3XKUF3-B4600BF3U$AA202QD0/D/JCLPCRPC7ECT$DP1LLQE$9FK+8..DF$D*8FGMRNHR*HRKMRPHR%64BMNOFLC6MNHRJMRXHRTHRKMRLMR%64:/L6XM+OH1/GNHRJMRSHROHRNMRXHRPMR9KD*EDAWEU2CIEC. C1A6FA73W5NW6-96-PDGEC0VCH/DC$D5$C6VDAM8746QF60R6J%6/57P$DAWE5$C+2CBECB$CF63KRM+OH52HKBL-HRJMRPMR*642UG%9LQGN0*G..DBWE-3EAECZ2CDVC1A6FA7*96DL6WW66:627B/1K0M0DEA-Y3D:1JZ8HK1VT1JK9-*9*+QJ8IV$M4PLB4HQ4WW5F--J$J3OXU*BONX4M*OO64R$T+Y7AYEJXL62UBFV2TVDJQ4HSAQH";

#[test]
fn documented_example_verifies() {
    let mut ring = KeyRing::new();
    let public: [u8; 32] = (0..32)
        .map(|i| {
            u8::from_str_radix(
                &"8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c"
                    [2 * i..2 * i + 2],
                16,
            )
            .unwrap()
        })
        .collect::<Vec<_>>()
        .try_into()
        .unwrap();
    let public = ed25519_dalek::VerifyingKey::from_bytes(&public).unwrap();
    ring.add("ncr-2026", public, T0 - DAY, None);
    assert_eq!(verify(DOCUMENTED_EXAMPLE, &ring, T0), Ok(national_card()));
    assert_eq!(
        sign(&national_card(), &signer("ncr-2026", 1)).unwrap(),
        DOCUMENTED_EXAMPLE
    );
    // The page's comparison with level Q.
    let q = qrcode::QrCode::with_error_correction_level(DOCUMENTED_EXAMPLE, qrcode::EcLevel::Q)
        .unwrap();
    assert_eq!(q.version(), qrcode::Version::Normal(16));
}
