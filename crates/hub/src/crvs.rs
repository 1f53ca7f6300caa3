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
use serde::{Deserialize, Serialize};
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

/// The vital events the ration side follows. Exit and entry are this implementation's own types, as the
/// standard allows ("values defined as per implementation context").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventType {
    Death,
    Birth,
    Exit,
    Entry,
}

impl EventType {
    pub const ALL: [EventType; 4] = [
        EventType::Death,
        EventType::Birth,
        EventType::Exit,
        EventType::Entry,
    ];
    pub fn code(self) -> &'static str {
        match self {
            EventType::Death => "spdci-common:RegistryEventType:Death",
            EventType::Birth => "spdci-common:RegistryEventType:LiveBirth",
            EventType::Exit => "iq-moi:RegistryEventType:Exit",
            EventType::Entry => "iq-moi:RegistryEventType:Entry",
        }
    }
    pub fn parse(code: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|e| e.code() == code)
    }
    /// The ration side's name for it (`vital_events.kind`).
    pub fn kind(self) -> &'static str {
        match self {
            EventType::Death => "death",
            EventType::Birth => "birth",
            EventType::Exit => "exit",
            EventType::Entry => "entry",
        }
    }
    pub fn of_kind(kind: &str) -> Option<EventType> {
        Self::ALL.into_iter().find(|e| e.kind() == kind)
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub version: String,
    pub message_id: String,
    pub message_ts: String,
    pub action: String,
    #[serde(default)]
    pub sender_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sender_uri: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub receiver_id: Option<String>,
    #[serde(default)]
    pub total_count: u32,
    #[serde(default)]
    pub is_msg_encrypted: bool,
    /// Callback headers: `rcvd`, `pdng`, `succ`, `rjct`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_count: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Identifier {
    pub identifier_type: String,
    pub identifier_value: String,
}

impl Identifier {
    pub fn uin(v: &str) -> Self {
        Identifier {
            identifier_type: ID_TYPE.into(),
            identifier_value: v.into(),
        }
    }
}

/// An Iraqi name in the standard's Name object: given name, father's (`second_name`), grandfather's
/// (`third_name`, an extension) and the family or tribe name (`surname`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Name {
    pub given_name: String,
    #[serde(default)]
    pub second_name: String,
    #[serde(default)]
    pub third_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub surname: Option<String>,
}

/// The CRVS Person, as much of it as the ration side needs. Exit and entry dates are extensions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Person {
    pub identifier: Identifier,
    pub name: Name,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother_name: Option<String>,
    pub sex: String,
    pub birth_date: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub death_date: Option<String>,
    /// The last exit from the country without a later entry.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent1_identifier: Option<Identifier>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent2_identifier: Option<Identifier>,
}

// ---- search ----------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchRequest {
    pub transaction_id: String,
    pub search_request: Vec<SearchItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchItem {
    pub reference_id: String,
    pub timestamp: String,
    pub search_criteria: SearchCriteria,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchCriteria {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub reg_type: String,
    pub query_type: String,
    /// For `idtype-value`: `{"type": "UIN", "value": "<national ID>"}`.
    pub query: Value,
}

impl SearchItem {
    /// A search by national ID.
    pub fn by_uin(reference_id: &str, timestamp: &str, national_id: &str) -> Self {
        SearchItem {
            reference_id: reference_id.into(),
            timestamp: timestamp.into(),
            search_criteria: SearchCriteria {
                version: VERSION.into(),
                reg_type: REG_TYPE.into(),
                query_type: QUERY_ID.into(),
                query: serde_json::json!({"type": ID_TYPE, "value": national_id}),
            },
        }
    }
    /// The national ID asked for, if the query is one this registry answers.
    pub fn uin(&self) -> Option<&str> {
        let q = &self.search_criteria;
        (q.query_type == QUERY_ID && q.query.get("type").and_then(Value::as_str) == Some(ID_TYPE))
            .then(|| q.query.get("value").and_then(Value::as_str))
            .flatten()
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResponse {
    pub transaction_id: String,
    pub correlation_id: String,
    pub search_response: Vec<SearchResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResult {
    pub reference_id: String,
    pub timestamp: String,
    /// `succ` or `rjct`.
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason_code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason_message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<Records>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Records {
    pub version: String,
    pub reg_type: String,
    pub reg_record_type: String,
    pub reg_records: Vec<Person>,
}

// ---- subscribe and notify --------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeRequest {
    pub transaction_id: String,
    pub subscribe_request: Vec<SubscribeItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeItem {
    pub reference_id: String,
    pub timestamp: String,
    pub subscribe_criteria: SubscribeCriteria,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeCriteria {
    #[serde(default)]
    pub version: String,
    #[serde(default)]
    pub reg_type: String,
    pub reg_event_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeResponse {
    pub transaction_id: String,
    pub correlation_id: String,
    pub subscribe_response: Vec<SubscribeResult>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SubscribeResult {
    pub reference_id: String,
    pub timestamp: String,
    pub status: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_reason_code: Option<String>,
    #[serde(default)]
    pub subscriptions: Vec<Subscription>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Subscription {
    pub version: String,
    pub code: String,
    /// `subscribe` or `unsubscribe`.
    pub status: String,
    pub timestamp: String,
    pub reg_type: String,
    pub reg_event_type: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnsubscribeRequest {
    pub transaction_id: String,
    pub timestamp: String,
    pub subscription_codes: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifyEventRequest {
    pub transaction_id: String,
    pub notify_event: Vec<NotifyItem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NotifyItem {
    /// The registry's event id: the same event always carries the same one, so a receiver can tell a
    /// second delivery.
    pub reference_id: String,
    pub timestamp: String,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EventData {
    pub version: String,
    pub reg_type: String,
    pub reg_event_type: String,
    pub reg_record_type: String,
    pub reg_records: Person,
}

// ---- transaction status ----------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxnStatusRequest {
    pub transaction_id: String,
    pub txnstatus_request: TxnStatusItem,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxnStatusItem {
    pub reference_id: String,
    /// `search`, `subscribe`, `unsubscribe`.
    pub txn_type: String,
    /// `transaction_id` or `correlation_id`.
    pub attribute_type: String,
    pub attribute_value: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxnStatusResponse {
    pub transaction_id: String,
    pub correlation_id: String,
    pub txnstatus_response: TxnStatusBody,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TxnStatusBody {
    pub txn_type: String,
    /// The transaction's response as it stands (a `SearchResponse` or `SubscribeResponse`), or
    /// `{"status": "pdng"}` while it is being worked on.
    pub txn_status: Value,
}

// ---- acknowledgement -------------------------------------------------------------------------------

/// The immediate answer to every asynchronous message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ack {
    pub message: AckMessage,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckMessage {
    /// `ACK`, `NACK` or `ERR`.
    pub ack_status: String,
    pub timestamp: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<AckError>,
    pub correlation_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AckError {
    pub code: String,
    pub message: String,
}

impl Ack {
    pub fn accepted(at: Timestamp, correlation_id: &str) -> Self {
        Self::with("ACK", at, correlation_id, None)
    }
    /// Received and valid, but nothing further will come of it.
    pub fn with_nack(at: Timestamp, correlation_id: &str) -> Self {
        Self::with("NACK", at, correlation_id, None)
    }
    pub fn err(at: Timestamp, correlation_id: &str, e: CrvsError) -> Self {
        Self::with(
            "ERR",
            at,
            correlation_id,
            Some(AckError {
                code: e.code().into(),
                message: e.message().into(),
            }),
        )
    }
    fn with(status: &str, at: Timestamp, correlation_id: &str, error: Option<AckError>) -> Self {
        Ack {
            message: AckMessage {
                ack_status: status.into(),
                timestamp: at.to_string(),
                error,
                correlation_id: correlation_id.into(),
            },
        }
    }
}

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
