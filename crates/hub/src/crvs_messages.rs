//! The messages of the SPDCI CRVS API v1.0.0 (`shared/specs/spdci-crvs-api-v1.0.0.yaml`) as this
//! implementation speaks them: the header, persons and their identifiers, search, subscribe,
//! unsubscribe, notify and transaction status, and the acknowledgement. Signing and opening are in
//! `crvs`.

use crate::crvs::{CrvsError, ID_TYPE, QUERY_ID, REG_TYPE, VERSION};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use serde_json::Value;

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
