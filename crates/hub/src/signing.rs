//! Signed requests and bound responses.
//!
//! A request is signed by its client's member key over the canonical text
//!
//! ```text
//! tamwin-hub-request-v1
//! <client id>            IQ/GOV/MOT/tamwin
//! <key id>
//! <METHOD>
//! <path and query>
//! <timestamp>            RFC 3339
//! <nonce>
//! <body SHA-256, hex>
//! ```
//!
//! whose SHA-256 is the **request hash**. The hub answers with that hash in the envelope and in
//! `X-Hub-Request-Hash`, and signs `tamwin-hub-response-v1`, the request hash, the status and the body's
//! SHA-256 with its own key. The client keeps request hash, response hash and signature as evidence.

use crate::envelope::HubErrorCode;
use crate::ids::ClientId;
use crate::keys::KeyRing;
use crate::{hex, sha256_hex, unhex};
use ed25519_dalek::{Signature, Signer, SigningKey};
use jiff::Timestamp;

pub const CLIENT_HEADER: &str = "x-road-client";
pub const KEY_ID_HEADER: &str = "x-hub-key-id";
pub const TIMESTAMP_HEADER: &str = "x-hub-timestamp";
pub const NONCE_HEADER: &str = "x-hub-nonce";
pub const CONTENT_HEADER: &str = "x-hub-content-sha256";
pub const SIGNATURE_HEADER: &str = "x-hub-signature";
pub const REQUEST_HASH_HEADER: &str = "x-hub-request-hash";

/// How far a request's time may be from the hub's clock.
pub const MAX_SKEW_SECONDS: i64 = 300;

/// What a request is, before signing.
#[derive(Debug, Clone)]
pub struct RequestParts<'a> {
    pub client: &'a ClientId,
    pub key_id: &'a str,
    pub method: &'a str,
    pub target: &'a str,
    pub timestamp: &'a str,
    pub nonce: &'a str,
    pub body: &'a [u8],
}

/// The signature headers of a request, as sent or as received (each may be missing on receipt).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignedHeaders {
    pub client: Option<String>,
    pub key_id: Option<String>,
    pub timestamp: Option<String>,
    pub nonce: Option<String>,
    pub content_sha256: Option<String>,
    pub signature: Option<String>,
}

impl SignedHeaders {
    /// (header name, value) pairs to put on a request.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        [
            (CLIENT_HEADER, &self.client),
            (KEY_ID_HEADER, &self.key_id),
            (TIMESTAMP_HEADER, &self.timestamp),
            (NONCE_HEADER, &self.nonce),
            (CONTENT_HEADER, &self.content_sha256),
            (SIGNATURE_HEADER, &self.signature),
        ]
        .into_iter()
        .filter_map(|(k, v)| v.clone().map(|v| (k, v)))
        .collect()
    }
}

fn canonical(
    client: &str,
    key_id: &str,
    method: &str,
    target: &str,
    timestamp: &str,
    nonce: &str,
    body_sha256: &str,
) -> String {
    format!(
        "tamwin-hub-request-v1\n{client}\n{key_id}\n{}\n{target}\n{timestamp}\n{nonce}\n{body_sha256}",
        method.to_ascii_uppercase()
    )
}

/// The canonical text of a request and its hash.
pub fn request_text(p: &RequestParts<'_>) -> String {
    canonical(
        &p.client.to_string(),
        p.key_id,
        p.method,
        p.target,
        p.timestamp,
        p.nonce,
        &sha256_hex(p.body),
    )
}

pub fn sign_request(key: &SigningKey, p: &RequestParts<'_>) -> (SignedHeaders, String) {
    let text = request_text(p);
    let sig = key.sign(text.as_bytes());
    (
        SignedHeaders {
            client: Some(p.client.to_string()),
            key_id: Some(p.key_id.to_string()),
            timestamp: Some(p.timestamp.to_string()),
            nonce: Some(p.nonce.to_string()),
            content_sha256: Some(sha256_hex(p.body)),
            signature: Some(hex(&sig.to_bytes())),
        },
        sha256_hex(text.as_bytes()),
    )
}

/// A request that verified: who sent it, its nonce (for the replay check the caller keeps), its hash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    pub client: ClientId,
    pub nonce: String,
    pub request_hash: String,
}

/// Checks a received request: every header present, the body matches its digest, the time is within
/// the skew, the key is the client member's and valid at that time, and the signature verifies. The
/// nonce's freshness is the caller's to check (it needs storage). On failure, the request hash is still
/// computed where possible so that the error answer can carry it.
pub fn verify_request(
    h: &SignedHeaders,
    method: &str,
    target: &str,
    body: &[u8],
    ring: &KeyRing,
    now: Timestamp,
) -> Result<Verified, HubErrorCode> {
    let (Some(client), Some(key_id), Some(ts), Some(nonce), Some(digest), Some(sig)) = (
        &h.client,
        &h.key_id,
        &h.timestamp,
        &h.nonce,
        &h.content_sha256,
        &h.signature,
    ) else {
        return Err(HubErrorCode::MissingSignature);
    };
    let client = ClientId::parse(client).ok_or(HubErrorCode::UnknownClient)?;
    if !(16..=64).contains(&nonce.len())
        || !nonce
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    {
        return Err(HubErrorCode::InvalidSignature);
    }
    if !digest.eq_ignore_ascii_case(&sha256_hex(body)) {
        return Err(HubErrorCode::InvalidSignature);
    }
    let at: Timestamp = ts.parse().map_err(|_| HubErrorCode::StaleTimestamp)?;
    if (now.as_second() - at.as_second()).abs() > MAX_SKEW_SECONDS {
        return Err(HubErrorCode::StaleTimestamp);
    }
    let key = ring
        .key(&client.member_code(), key_id, at)
        .ok_or(HubErrorCode::InvalidSignature)?;
    let sig = unhex(sig)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or(HubErrorCode::InvalidSignature)?;
    let text = canonical(
        &client.to_string(),
        key_id,
        method,
        target,
        ts,
        nonce,
        &sha256_hex(body),
    );
    key.verify_strict(text.as_bytes(), &sig)
        .map_err(|_| HubErrorCode::InvalidSignature)?;
    Ok(Verified {
        client,
        nonce: nonce.clone(),
        request_hash: sha256_hex(text.as_bytes()),
    })
}

fn response_text(request_hash: &str, status: u16, body: &[u8]) -> String {
    format!(
        "tamwin-hub-response-v1\n{request_hash}\n{status}\n{}",
        sha256_hex(body)
    )
}

/// What the hub adds to an answer: the request hash it binds to and its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseParts {
    pub request_hash: String,
    pub key_id: String,
    pub signature: String,
}

pub fn sign_response(
    key: &SigningKey,
    key_id: &str,
    request_hash: &str,
    status: u16,
    body: &[u8],
) -> ResponseParts {
    let sig = key.sign(response_text(request_hash, status, body).as_bytes());
    ResponseParts {
        request_hash: request_hash.to_string(),
        key_id: key_id.to_string(),
        signature: hex(&sig.to_bytes()),
    }
}

/// Checks that an answer is the hub's, to this very request; returns the response hash to keep as
/// evidence (SHA-256 of the signed response text).
pub fn verify_response(
    ring: &KeyRing,
    hub_member: &str,
    expected_request_hash: &str,
    parts: &ResponseParts,
    status: u16,
    body: &[u8],
    at: Timestamp,
) -> Result<String, HubErrorCode> {
    if parts.request_hash != expected_request_hash {
        return Err(HubErrorCode::InvalidSignature);
    }
    let key = ring
        .key(hub_member, &parts.key_id, at)
        .ok_or(HubErrorCode::InvalidSignature)?;
    let sig = unhex(&parts.signature)
        .and_then(|b| <[u8; 64]>::try_from(b).ok())
        .map(|b| Signature::from_bytes(&b))
        .ok_or(HubErrorCode::InvalidSignature)?;
    let text = response_text(expected_request_hash, status, body);
    key.verify_strict(text.as_bytes(), &sig)
        .map_err(|_| HubErrorCode::InvalidSignature)?;
    Ok(sha256_hex(text.as_bytes()))
}

#[cfg(test)]
mod tests;
