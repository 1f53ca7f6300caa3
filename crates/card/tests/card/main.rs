//! Signing and verifying QR texts end to end: round trips, every error code provoked from a real or
//! hand-built text, key rotation, and the size of a typical card's QR code.
//!
//! The helpers the modules share are here: keys, signers, the civil registry's card and ring, and
//! texts built by hand to reach the inner layers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod documented_example;
mod errors;
mod keys;
mod layers;
mod qr;
mod round_trips;

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
