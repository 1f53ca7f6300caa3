//! Issuing: payload to QR text.

use crate::base45;
use crate::error::CardError;
use crate::keys::Signer;
use crate::payload::Payload;
use crate::{MAX_INFLATED_LEN, MAX_SIGNED_TEXT_LEN, PREFIX};
use coset::{CoseSign1Builder, HeaderBuilder, TaggedCborSerializable, iana};
use ed25519_dalek::Signer as _;

/// Highest zlib level: the text is made once and read many times, and every byte saved makes the
/// QR code smaller.
const ZLIB_LEVEL: u8 = 9;

/// The QR text of `payload` signed by `signer`: `TMW1:` and the Base45 of the zlib of the tagged
/// COSE_Sign1 message.
pub fn sign(payload: &Payload, signer: &Signer) -> Result<String, CardError> {
    let body = payload.to_cbor()?;
    let protected = HeaderBuilder::new()
        .algorithm(iana::Algorithm::EdDSA)
        .key_id(signer.key_id().as_bytes().to_vec())
        .build();
    let message = CoseSign1Builder::new()
        .protected(protected)
        .payload(body)
        .create_signature(b"", |tbs| {
            signer.signing_key().sign(tbs).to_bytes().to_vec()
        })
        .build();
    // Only fails on values CBOR cannot hold, which a header of two fields never is.
    let bytes = message
        .to_tagged_vec()
        .map_err(|_| CardError::PayloadInvalid)?;
    if bytes.len() > MAX_INFLATED_LEN {
        return Err(CardError::TooLarge);
    }
    let packed = miniz_oxide::deflate::compress_to_vec_zlib(&bytes, ZLIB_LEVEL);
    let text = format!("{PREFIX}{}", base45::encode(&packed));
    if text.len() > MAX_SIGNED_TEXT_LEN {
        return Err(CardError::TooLarge);
    }
    Ok(text)
}
