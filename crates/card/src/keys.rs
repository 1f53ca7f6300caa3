//! The issuer's signing key and the verifier's ring of trusted keys.
//!
//! Rotation: the issuer adds the new key to every ring valid from the switch-over, and gives the old
//! key an end (`retire`) at the same moment. A payload verifies when its key is in the ring and its
//! issue time falls in that key's validity period, so what the old key signed keeps verifying until
//! its own expiry. A compromised key is removed (`remove`), and everything it signed stops verifying.

use crate::error::CardError;
use ed25519_dalek::{SigningKey, VerifyingKey};
use std::collections::BTreeMap;

/// Longest key id, in bytes: it is carried in every QR code.
pub const MAX_KEY_ID_LEN: usize = 64;

/// An issuer's key and the id verifiers know it by.
#[derive(Clone)]
pub struct Signer {
    key_id: String,
    key: SigningKey,
}

impl Signer {
    /// KeyIdInvalid when the id is empty or longer than [`MAX_KEY_ID_LEN`] bytes.
    pub fn new(key_id: impl Into<String>, key: SigningKey) -> Result<Signer, CardError> {
        let key_id = key_id.into();
        if key_id.is_empty() || key_id.len() > MAX_KEY_ID_LEN {
            return Err(CardError::KeyIdInvalid);
        }
        Ok(Signer { key_id, key })
    }

    pub fn key_id(&self) -> &str {
        &self.key_id
    }

    /// The public half, to publish in verifiers' key rings.
    pub fn verifying_key(&self) -> VerifyingKey {
        self.key.verifying_key()
    }

    pub(crate) fn signing_key(&self) -> &SigningKey {
        &self.key
    }
}

// The secret key never reaches a log.
impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("key_id", &self.key_id)
            .field("verifying_key", &self.key.verifying_key())
            .finish_non_exhaustive()
    }
}

/// A key a verifier trusts, and when it may sign: `valid_from <= issued_at < valid_until`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustedKey {
    pub key: VerifyingKey,
    /// Unix seconds.
    pub valid_from: i64,
    /// Unix seconds; None while the key is current.
    pub valid_until: Option<i64>,
}

impl TrustedKey {
    pub fn valid_at(&self, at: i64) -> bool {
        self.valid_from <= at && self.valid_until.is_none_or(|u| at < u)
    }
}

/// The keys a verifier trusts, by key id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyRing {
    keys: BTreeMap<String, TrustedKey>,
}

impl KeyRing {
    pub fn new() -> KeyRing {
        KeyRing::default()
    }

    /// Trusts `key` under `key_id`, replacing any key of that id.
    pub fn add(
        &mut self,
        key_id: impl Into<String>,
        key: VerifyingKey,
        valid_from: i64,
        valid_until: Option<i64>,
    ) {
        self.keys.insert(
            key_id.into(),
            TrustedKey {
                key,
                valid_from,
                valid_until,
            },
        );
    }

    /// Ends a key's validity: payloads it issues from `until` on are refused, earlier ones still
    /// verify. False when the id is unknown.
    pub fn retire(&mut self, key_id: &str, until: i64) -> bool {
        match self.keys.get_mut(key_id) {
            Some(k) => {
                k.valid_until = Some(until);
                true
            }
            None => false,
        }
    }

    /// Stops trusting a key altogether (compromise): nothing it signed verifies any more.
    pub fn remove(&mut self, key_id: &str) -> Option<TrustedKey> {
        self.keys.remove(key_id)
    }

    pub fn get(&self, key_id: &str) -> Option<&TrustedKey> {
        self.keys.get(key_id)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &TrustedKey)> {
        self.keys.iter().map(|(id, k)| (id.as_str(), k))
    }
}
