//! The worked example of docs/signed-payload.md, a third party's first test vector.

use super::*;

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
