//! Member organisations' public keys, with validity periods so a key can be rotated: the new key is
//! registered valid from now, the old one is given an end a little later, and requests signed with either
//! verify during the overlap.

use ed25519_dalek::VerifyingKey;
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberKey {
    /// `IQ/GOV/MOT`.
    pub member: String,
    /// Named by the signer in `X-Hub-Key-Id`.
    pub key_id: String,
    pub public_key: [u8; 32],
    pub valid_from: Timestamp,
    pub valid_until: Option<Timestamp>,
}

impl MemberKey {
    pub fn valid_at(&self, at: Timestamp) -> bool {
        self.valid_from <= at && self.valid_until.is_none_or(|u| at < u)
    }
}

/// The keys the hub (or a client checking the hub's answers) trusts.
#[derive(Debug, Clone, Default)]
pub struct KeyRing {
    keys: Vec<MemberKey>,
}

impl KeyRing {
    pub fn new(keys: Vec<MemberKey>) -> Self {
        KeyRing { keys }
    }
    pub fn add(&mut self, k: MemberKey) {
        self.keys
            .retain(|x| !(x.member == k.member && x.key_id == k.key_id));
        self.keys.push(k);
    }
    /// Ends a key's validity (the rotation's second step).
    pub fn retire(&mut self, member: &str, key_id: &str, until: Timestamp) -> bool {
        let mut found = false;
        for k in self
            .keys
            .iter_mut()
            .filter(|k| k.member == member && k.key_id == key_id)
        {
            k.valid_until = Some(until);
            found = true;
        }
        found
    }
    /// The key a member signed with, if it is registered and valid at `at`.
    pub fn key(&self, member: &str, key_id: &str, at: Timestamp) -> Option<VerifyingKey> {
        self.keys
            .iter()
            .find(|k| k.member == member && k.key_id == key_id && k.valid_at(at))
            .and_then(|k| VerifyingKey::from_bytes(&k.public_key).ok())
    }
    pub fn members(&self) -> impl Iterator<Item = &MemberKey> {
        self.keys.iter()
    }
}
