//! Vital events by subscription, in the shape of the SPDCI CRVS API v1.0.0
//! (`shared/specs/spdci-crvs-api-v1.0.0.yaml`): every message is `{signature, header, message}`; the
//! receiver answers at once with an acknowledgement (`ACK`, `NACK` or `ERR` with a code) and sends the
//! result later to the sender's callback (`on-search`, `on-subscribe`, `notify`, `txn/on-status`); the
//! `sync` endpoints answer in the same call.
//!
//! The standard leaves the signature's form open ("signature of {header}+{message}"). Here it is
//! Ed25519 by the sender's member key (the same keys as the hub's signed requests) over
//!
//! ```text
//! spdci-crvs-v1
//! <header as canonical JSON>
//! <message as canonical JSON>
//! ```
//!
//! canonical JSON being keys sorted at every level, no spaces; written in the message as
//! `ed25519 sender="IQ/GOV/MOT/tamwin" key="k1" sig="<hex>"`, or in the specification's example form
//! (`crvs_signature`). Because the signature covers the content and not the transport, a message can be
//! stored and forwarded with its integrity intact. Field formats are checked in `crvs_formats`.

use crate::envelope::HubErrorCode;
use crate::keys::KeyRing;
use ed25519_dalek::{Signer, SigningKey};
use jiff::Timestamp;
use serde::Serialize;
use serde_json::Value;

pub const VERSION: &str = "1.0.0";
pub const REG_TYPE: &str = "ns:org:RegistryType:Civil";
pub const RECORD_TYPE: &str = "spdci-extensions-dci:Person";
pub const QUERY_ID: &str = "idtype-value";
pub const ID_TYPE: &str = "UIN";
/// A request older than this is refused (with its message id, it cannot be replayed).
pub const MAX_REQUEST_AGE_SECONDS: i64 = 300;
/// Callbacks are queued signed and retried for days; their receiver tells a second delivery by the
/// event's `reference_id`, so an old callback is accepted.
pub const MAX_CALLBACK_AGE_SECONDS: i64 = 14 * 24 * 3600;
/// The most records one search message may ask for (a batch of the nightly reconciliation).
pub const MAX_BATCH: usize = 1000;

pub use crate::crvs_messages::*;

/// Why a message was refused: the standard's communication-layer error codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CrvsError {
    /// Not JSON, or not the shape the action needs.
    Bad,
    SignatureMissing,
    SignatureInvalid,
    /// The sender has no key valid now, or the header names another sender.
    SenderInvalid,
    /// `message_ts` more than 300 s from the receiver's clock.
    Stale,
    /// A `message_id` the sender used before: a replay.
    Duplicate,
    VersionNotSupported,
    /// The action does not belong to this endpoint.
    ActionInvalid,
    /// `sender_uri` is not a callback address registered for members, or there is none and no
    /// default callback was set when the sender was onboarded.
    SenderUriInvalid,
    /// A field breaks the specification's format (`crvs_formats`).
    FormatInvalid,
    Unavailable,
}

impl CrvsError {
    pub fn code(self) -> &'static str {
        match self {
            CrvsError::Bad
            | CrvsError::Duplicate
            | CrvsError::ActionInvalid
            | CrvsError::FormatInvalid => "err.request.bad",
            CrvsError::SignatureMissing => "err.signature.missing",
            CrvsError::SignatureInvalid => "err.signature.invalid",
            CrvsError::SenderInvalid => "err.sender_id.invalid",
            CrvsError::SenderUriInvalid => "err.sender_uri.invalid",
            CrvsError::Stale => "err.request.timeout",
            CrvsError::VersionNotSupported => "err.version.not_supported",
            CrvsError::Unavailable => "err.service.unavailable",
        }
    }
    pub fn message(self) -> &'static str {
        match self {
            CrvsError::Bad => {
                "the message is not a valid {signature, header, message} for this action"
            }
            CrvsError::SignatureMissing => "the message carries no signature",
            CrvsError::SignatureInvalid => "the signature does not match the header and message",
            CrvsError::SenderInvalid => "the sender has no key registered and valid now",
            CrvsError::SenderUriInvalid => {
                "sender_uri is not a registered callback address, and none was set at onboarding"
            }
            CrvsError::FormatInvalid => {
                "a field breaks the specification's format: timestamps are date-times with a timezone, locale is three lowercase letters, identifiers are at most 99 characters"
            }
            CrvsError::Stale => "message_ts is too old, or ahead of the receiver's clock",
            CrvsError::Duplicate => {
                "rjct.message_id.duplicate: this message_id was received before"
            }
            CrvsError::VersionNotSupported => "only version 1.0.0 is supported",
            CrvsError::ActionInvalid => {
                "rjct.action.invalid: the header's action does not match the endpoint"
            }
            CrvsError::Unavailable => "the receiver cannot process messages now",
        }
    }
    pub fn status(self) -> u16 {
        match self {
            CrvsError::SignatureMissing
            | CrvsError::SignatureInvalid
            | CrvsError::SenderInvalid => 401,
            CrvsError::Unavailable => 503,
            _ => 400,
        }
    }
}

// ---- signing ---------------------------------------------------------------------------------------

/// JSON with keys sorted at every level and no spaces: the same bytes whoever wrote the value.
pub fn canonical(v: &Value) -> String {
    match v {
        Value::Object(m) => {
            let mut keys: Vec<&String> = m.keys().collect();
            keys.sort();
            let parts: Vec<String> = keys
                .into_iter()
                .map(|k| format!("{}:{}", Value::String(k.clone()), canonical(&m[k])))
                .collect();
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => format!(
            "[{}]",
            a.iter().map(canonical).collect::<Vec<_>>().join(",")
        ),
        other => other.to_string(),
    }
}

pub(crate) fn signed_text(header: &Value, message: &Value) -> String {
    format!(
        "spdci-crvs-v1\n{}\n{}",
        canonical(header),
        canonical(message)
    )
}

/// A message ready to send: `{signature, header, message}` signed by the sender's key.
pub fn seal<M: Serialize>(
    key: &SigningKey,
    key_id: &str,
    header: &Header,
    message: &M,
) -> Result<Vec<u8>, String> {
    let h = serde_json::to_value(header).map_err(|e| e.to_string())?;
    let m = serde_json::to_value(message).map_err(|e| e.to_string())?;
    let sig = key.sign(signed_text(&h, &m).as_bytes());
    let signature = crate::crvs_signature::own_signature(&header.sender_id, key_id, &sig);
    serde_json::to_vec(&serde_json::json!({"signature": signature, "header": h, "message": m}))
        .map_err(|e| e.to_string())
}

/// A message signed in the specification's example form, valid from `created` to `expires`.
pub fn seal_spdci<M: Serialize>(
    key: &SigningKey,
    key_id: &str,
    header: &Header,
    message: &M,
    created: Timestamp,
    expires: Timestamp,
) -> Result<Vec<u8>, String> {
    let h = serde_json::to_value(header).map_err(|e| e.to_string())?;
    let m = serde_json::to_value(message).map_err(|e| e.to_string())?;
    let signature =
        crate::crvs_signature::spdci_signature(key, key_id, header, &m, created, expires)?;
    serde_json::to_vec(&serde_json::json!({"signature": signature, "header": h, "message": m}))
        .map_err(|e| e.to_string())
}

/// A message received and checked: its header, and the message still as JSON for the action to read.
#[derive(Debug, Clone)]
pub struct Opened {
    pub header: Header,
    pub message: Value,
}

/// Checks a message's shape, version, action, signature (by a key of the sender's member valid at its
/// time) and time. The caller then checks `message_id` for replays (it needs storage).
pub fn open(
    body: &[u8],
    action: &str,
    keys: &KeyRing,
    now: Timestamp,
    max_age_seconds: i64,
) -> Result<Opened, CrvsError> {
    let v: Value = serde_json::from_slice(body).map_err(|_| CrvsError::Bad)?;
    let (Some(h), Some(m)) = (v.get("header"), v.get("message")) else {
        return Err(CrvsError::Bad);
    };
    let header: Header = serde_json::from_value(h.clone()).map_err(|_| CrvsError::Bad)?;
    if header.version != VERSION {
        return Err(CrvsError::VersionNotSupported);
    }
    if header.action != action {
        return Err(CrvsError::ActionInvalid);
    }
    let sig = v
        .get("signature")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .ok_or(CrvsError::SignatureMissing)?;
    let at: Timestamp = header.message_ts.parse().map_err(|_| CrvsError::Bad)?;
    crate::crvs_signature::verify(sig, &header, h, m, keys, at, now)?;
    if crate::crvs_formats::format_problem(h)
        .or_else(|| crate::crvs_formats::format_problem(m))
        .is_some()
    {
        return Err(CrvsError::FormatInvalid);
    }
    let age = now.as_second() - at.as_second();
    if age > max_age_seconds || age < -crate::signing::MAX_SKEW_SECONDS {
        return Err(CrvsError::Stale);
    }
    Ok(Opened {
        header,
        message: m.clone(),
    })
}

impl From<HubErrorCode> for CrvsError {
    fn from(c: HubErrorCode) -> Self {
        match c {
            HubErrorCode::Unavailable => CrvsError::Unavailable,
            _ => CrvsError::Bad,
        }
    }
}

/// A request or callback header.
pub fn header(
    action: &str,
    message_id: &str,
    at: Timestamp,
    sender_id: &str,
    count: usize,
) -> Header {
    Header {
        version: VERSION.into(),
        message_id: message_id.into(),
        message_ts: at.to_string(),
        action: action.into(),
        sender_id: sender_id.into(),
        total_count: u32::try_from(count).unwrap_or(u32::MAX),
        ..Default::default()
    }
}
