//! Checking a scanned QR text, layer by layer, cheapest and least trusting first.

use crate::base45;
use crate::error::CardError;
use crate::keys::KeyRing;
use crate::payload::Payload;
use crate::{CLOCK_SKEW_SECS, MAX_INFLATED_LEN, MAX_TEXT_LEN, PREFIX};
use coset::{CoseSign1, RegisteredLabelWithPrivate, TaggedCborSerializable, iana};
use ed25519_dalek::Signature;

/// The payload of `text` when it was signed by a key of `keys` during that key's validity, and is
/// valid at `now` (Unix seconds).
pub fn verify(text: &str, keys: &KeyRing, now: i64) -> Result<Payload, CardError> {
    let encoded = text.strip_prefix(PREFIX).ok_or(CardError::Prefix)?;
    if text.len() > MAX_TEXT_LEN {
        return Err(CardError::Encoding);
    }
    let packed = base45::decode(encoded).ok_or(CardError::Encoding)?;
    let bytes = miniz_oxide::inflate::decompress_to_vec_zlib_with_limit(&packed, MAX_INFLATED_LEN)
        .map_err(|_| CardError::Compression)?;
    let message = CoseSign1::from_tagged_slice(&bytes).map_err(|_| CardError::Structure)?;

    let header = &message.protected.header;
    // Nothing outside the signature may steer verification; critical headers we would not understand.
    if !message.unprotected.is_empty() || !header.crit.is_empty() {
        return Err(CardError::Structure);
    }
    // EdDSA (-8) is what we write; Ed25519 (-19, RFC 9864) names the same thing unambiguously.
    match header.alg {
        Some(RegisteredLabelWithPrivate::Assigned(
            iana::Algorithm::EdDSA | iana::Algorithm::Ed25519,
        )) => {}
        _ => return Err(CardError::Algorithm),
    }
    let body = message.payload.as_deref().ok_or(CardError::Structure)?;
    let key_id = std::str::from_utf8(&header.key_id).map_err(|_| CardError::UnknownKey)?;
    let trusted = keys.get(key_id).ok_or(CardError::UnknownKey)?;
    message
        .verify_signature(b"", |sig, data| {
            let sig = Signature::from_slice(sig).map_err(|_| ())?;
            // Strict: refuses the malleable and small-order cases plain verification lets through.
            trusted.key.verify_strict(data, &sig).map_err(|_| ())
        })
        .map_err(|()| CardError::Signature)?;

    let payload = Payload::from_cbor(body)?;
    if !trusted.valid_at(payload.issued_at) {
        return Err(CardError::KeyNotValid);
    }
    if payload.issued_at > now.saturating_add(CLOCK_SKEW_SECS) {
        return Err(CardError::NotYetValid);
    }
    if now >= payload.expires_at {
        return Err(CardError::Expired);
    }
    Ok(payload)
}
