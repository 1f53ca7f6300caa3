//! What is signed reads back as it was: every kind, no claims, Arabic claims, the same bytes each
//! time, QR-alphanumeric text, and the layers as docs/signed-payload.md documents them.

use super::*;

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
