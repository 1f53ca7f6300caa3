//! The identity hub protocol between the ration side and the Interior Ministry's "intermediate system"
//! (docs/hub-protocol.md): services addressed by X-Road-style identifiers, requests signed by the calling
//! organisation's Ed25519 key over a canonical form, responses bound to their request by its hash and
//! signed by the hub, and MOSIP-style envelopes with machine error codes. Pure: no I/O, time passed in.

pub mod crvs;
pub mod crvs_formats;
mod crvs_messages;
pub mod crvs_signature;
pub mod envelope;
pub mod ids;
pub mod keys;
pub mod search;
pub mod services;
pub mod signing;

pub use envelope::{Envelope, HubError, HubErrorCode};
pub use ids::{ClientId, ServiceId};
pub use keys::{KeyRing, MemberKey};
pub use signing::{RequestParts, ResponseParts, SignedHeaders};

/// How requests reach the hub: HTTP in production, the reference registry's router in-process in the
/// demo and the tests. The one seam between the protocol and the network.
#[async_trait::async_trait]
pub trait HubTransport: Send + Sync {
    /// POSTs the body; the answer's status, headers and body, or why none came.
    async fn post(
        &self,
        path: &str,
        headers: Vec<(&'static str, String)>,
        body: Vec<u8>,
    ) -> Result<(u16, Vec<(String, String)>, Vec<u8>), String>;
}

/// Lower-case hex of bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes of lower-case or upper-case hex; None when it is not hex.
pub fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.is_ascii() {
        return None;
    }
    (0..s.len() / 2)
        .map(|i| u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok())
        .collect()
}

/// SHA-256, hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    hex(&sha2::Sha256::digest(bytes))
}
