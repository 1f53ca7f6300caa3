//! The QR code: too large a payload refused, a typical card's code small enough to scan, finder
//! patterns drawn.

use super::*;

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
