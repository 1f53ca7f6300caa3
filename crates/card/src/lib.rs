//! Signed payloads for the unified national card, appointment forms and ration cards, carried in a QR
//! code and verifiable offline (docs/signed-payload.md):
//!
//! ```text
//! "TMW1:" + Base45( zlib( COSE_Sign1[ {alg: EdDSA, kid}, {}, CBOR payload, Ed25519 signature ] ) )
//! ```
//!
//! Pure: no I/O, no clock (the verifier passes `now`), no randomness (Ed25519 signatures are
//! deterministic, so the same payload and key always give the same text).

pub mod base45;
mod error;
mod keys;
mod payload;
mod qr;
mod sign;
mod verify;

pub use error::CardError;
pub use keys::{KeyRing, MAX_KEY_ID_LEN, Signer, TrustedKey};
pub use payload::{Kind, Payload};
pub use qr::qr_svg;
pub use sign::sign;
pub use verify::verify;

/// Names the format and its version; a new layout gets a new prefix, never a changed meaning.
/// Upper case so the whole text stays in the QR alphanumeric alphabet.
pub const PREFIX: &str = "TMW1:";

/// The most characters any QR code holds (version 40, level L, alphanumeric): longer text cannot
/// have come from one, so it is refused before any decoding.
pub const MAX_TEXT_LEN: usize = 4296;

/// The most characters `sign` produces: what a level-M QR code holds at version 40 (alphanumeric),
/// so every signed text can be drawn by [`qr_svg`].
pub const MAX_SIGNED_TEXT_LEN: usize = 3391;

/// Ceiling on the inflated COSE message. A card's message is a few hundred bytes; the ceiling keeps
/// a small zlib stream from inflating into megabytes (a "zip bomb"). `sign` refuses messages
/// over it, so whatever it signs verifies.
pub const MAX_INFLATED_LEN: usize = 4096;

/// How far in the future an issue time may lie, in seconds: the issuer's and the verifier's clocks
/// are never exactly together, and an offline device's may drift for days.
pub const CLOCK_SKEW_SECS: i64 = 300;
