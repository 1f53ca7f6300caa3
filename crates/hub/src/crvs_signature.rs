//! The two forms of a CRVS message's `signature` that the receiver accepts.
//!
//! - The hub's own: `ed25519 sender="<sender_id>" key="<key id>" sig="<hex>"`, the Ed25519 signature
//!   over `crvs::signed_text` (header and message as canonical JSON).
//! - The SPDCI specification's example form:
//!   `Signature: namespace="spdci", kidId="<sender_id>|<key id>|ed25519", algorithm="ed25519",
//!   created="<unix s>", expires="<unix s>", headers="(created) (expires) digest", signature="<Base64>"`,
//!   the Ed25519 signature over the signing string of `spdci_signing_string` (the times, and the
//!   SHA-256 digest of the same canonical header and message). The specification leaves the signing
//!   content open; docs/hub-protocol.md writes this one down.
//!
//! Both name the sender and a key of its member; the key must be valid at `message_ts`.

use crate::crvs::{CrvsError, Header, signed_text};
use crate::ids::ClientId;
use crate::keys::KeyRing;
use crate::{hex, unhex};
use base64::Engine as _;
use ed25519_dalek::{Signature, Signer, SigningKey};
use jiff::Timestamp;
use serde_json::Value;

fn field<'a>(sig: &'a str, name: &str) -> Option<&'a str> {
    // The name must start the text or follow a separator, so `sig` never matches inside `signature`.
    let pat = format!("{name}=\"");
    let mut from = 0;
    while let Some(i) = sig.get(from..)?.find(&pat) {
        let at = from + i;
        let before = sig[..at].chars().next_back();
        if before.is_none_or(|c| c == ' ' || c == ',' || c == ':') {
            let start = at + pat.len();
            let len = sig.get(start..)?.find('"')?;
            return sig.get(start..start + len);
        }
        from = at + pat.len();
    }
    None
}

/// What the specification's form signs: its times and a digest of header and message.
pub fn spdci_signing_string(created: i64, expires: i64, header: &Value, message: &Value) -> String {
    use sha2::Digest;
    let digest = sha2::Sha256::digest(signed_text(header, message).as_bytes());
    format!(
        "(created): {created}\n(expires): {expires}\ndigest: SHA-256={}",
        base64::engine::general_purpose::STANDARD.encode(digest)
    )
}

/// The specification's form of the signature, for a sender that uses it (and for tests).
pub fn spdci_signature(
    key: &SigningKey,
    key_id: &str,
    header: &Header,
    message: &Value,
    created: Timestamp,
    expires: Timestamp,
) -> Result<String, String> {
    let h = serde_json::to_value(header).map_err(|e| e.to_string())?;
    let (c, e) = (created.as_second(), expires.as_second());
    let sig = key.sign(spdci_signing_string(c, e, &h, message).as_bytes());
    Ok(format!(
        "Signature: namespace=\"spdci\", kidId=\"{}|{key_id}|ed25519\", algorithm=\"ed25519\", created=\"{c}\", expires=\"{e}\", headers=\"(created) (expires) digest\", signature=\"{}\"",
        header.sender_id,
        base64::engine::general_purpose::STANDARD.encode(sig.to_bytes())
    ))
}

/// Checks `sig` over the raw header `h` and message `m`: the sender it names is the header's, the key
/// is one of the sender's member valid at `at`, and the signature verifies. The specification's form
/// must also be within its `created`..`expires` window at `now`.
pub(crate) fn verify(
    sig: &str,
    header: &Header,
    h: &Value,
    m: &Value,
    keys: &KeyRing,
    at: Timestamp,
    now: Timestamp,
) -> Result<(), CrvsError> {
    let (sender, key_id, bytes, text) = if let Some(kid) = field(sig, "kidId") {
        let mut parts = kid.split('|');
        let (Some(sender), Some(key_id), alg, None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(CrvsError::SignatureInvalid);
        };
        let algorithm = field(sig, "algorithm").or(alg);
        if algorithm.is_some_and(|a| !a.eq_ignore_ascii_case("ed25519"))
            || alg.is_some_and(|a| !a.eq_ignore_ascii_case("ed25519"))
        {
            return Err(CrvsError::SignatureInvalid);
        }
        let time = |name| field(sig, name).and_then(|t| t.trim().parse::<i64>().ok());
        let (Some(created), Some(expires)) = (time("created"), time("expires")) else {
            return Err(CrvsError::SignatureInvalid);
        };
        let n = now.as_second();
        if created > n + crate::signing::MAX_SKEW_SECONDS || expires < n || expires < created {
            return Err(CrvsError::Stale);
        }
        let b64 = field(sig, "signature").ok_or(CrvsError::SignatureInvalid)?;
        let e = &base64::engine::general_purpose::STANDARD;
        let bytes = e
            .decode(b64)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(b64))
            .map_err(|_| CrvsError::SignatureInvalid)?;
        (
            sender,
            key_id,
            bytes,
            spdci_signing_string(created, expires, h, m),
        )
    } else {
        let (Some(sender), Some(key_id), Some(sig_hex)) =
            (field(sig, "sender"), field(sig, "key"), field(sig, "sig"))
        else {
            return Err(CrvsError::SignatureInvalid);
        };
        let bytes = unhex(sig_hex).ok_or(CrvsError::SignatureInvalid)?;
        (sender, key_id, bytes, signed_text(h, m))
    };
    if sender != header.sender_id {
        return Err(CrvsError::SenderInvalid);
    }
    let member = ClientId::parse(sender)
        .map(|c| c.member_code())
        .ok_or(CrvsError::SenderInvalid)?;
    let key = keys
        .key(&member, key_id, at)
        .ok_or(CrvsError::SenderInvalid)?;
    let bytes = <[u8; 64]>::try_from(bytes).map_err(|_| CrvsError::SignatureInvalid)?;
    key.verify_strict(text.as_bytes(), &Signature::from_bytes(&bytes))
        .map_err(|_| CrvsError::SignatureInvalid)
}

/// The hub's own form (kept for the members that send it).
pub(crate) fn own_signature(sender: &str, key_id: &str, sig: &Signature) -> String {
    format!(
        "ed25519 sender=\"{sender}\" key=\"{key_id}\" sig=\"{}\"",
        hex(&sig.to_bytes())
    )
}
