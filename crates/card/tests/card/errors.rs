//! Every error variant reachable and described.

use super::*;

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
