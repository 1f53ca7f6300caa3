//! The stable answer shape of every hub service, after MOSIP ID Authentication: a transaction id, the
//! version, the response time, the hash of the request it answers, the response (or none) and an array of
//! errors with machine codes. A caller acts on codes, never on messages.

use serde::{Deserialize, Serialize};

/// Machine codes of hub errors. Stable: clients branch on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubErrorCode {
    /// A signature header is missing.
    MissingSignature,
    /// The signature does not verify, or the key is unknown or not valid at the request's time.
    InvalidSignature,
    /// The request's time is too far from the hub's.
    StaleTimestamp,
    /// The nonce was used before by this client.
    ReplayedNonce,
    /// The client is not a registered member subsystem, or may not call this service.
    UnknownClient,
    UnknownService,
    /// The request body is not what the service expects.
    InvalidInput,
    /// A batch holds more queries than the service takes at once (`search::MAX_BATCH`).
    BatchTooLarge,
    /// No person with this national ID.
    IdNotFound,
    /// The national ID is deactivated: its holder is deceased.
    IdDeactivatedDeceased,
    /// The fingerprint does not match the card's template.
    BiometricMismatch,
    /// The registry holds no phone number for this person.
    NoPhoneOnFile,
    /// Too many codes asked for this person in a short time.
    TooManyCodes,
    /// The hub or the registry behind it cannot answer now; try later.
    Unavailable,
    Internal,
}

impl HubErrorCode {
    pub const ALL: [HubErrorCode; 15] = [
        HubErrorCode::NoPhoneOnFile,
        HubErrorCode::TooManyCodes,
        HubErrorCode::MissingSignature,
        HubErrorCode::InvalidSignature,
        HubErrorCode::StaleTimestamp,
        HubErrorCode::ReplayedNonce,
        HubErrorCode::UnknownClient,
        HubErrorCode::UnknownService,
        HubErrorCode::InvalidInput,
        HubErrorCode::BatchTooLarge,
        HubErrorCode::IdNotFound,
        HubErrorCode::IdDeactivatedDeceased,
        HubErrorCode::BiometricMismatch,
        HubErrorCode::Unavailable,
        HubErrorCode::Internal,
    ];

    pub fn code(self) -> &'static str {
        match self {
            HubErrorCode::MissingSignature => "HUB-SIG-001",
            HubErrorCode::InvalidSignature => "HUB-SIG-002",
            HubErrorCode::StaleTimestamp => "HUB-SIG-003",
            HubErrorCode::ReplayedNonce => "HUB-SIG-004",
            HubErrorCode::UnknownClient => "HUB-CLI-001",
            HubErrorCode::UnknownService => "HUB-SRV-001",
            HubErrorCode::InvalidInput => "HUB-REQ-001",
            HubErrorCode::BatchTooLarge => "HUB-REQ-002",
            HubErrorCode::IdNotFound => "HUB-ID-001",
            HubErrorCode::IdDeactivatedDeceased => "HUB-ID-002",
            HubErrorCode::BiometricMismatch => "HUB-BIO-001",
            HubErrorCode::NoPhoneOnFile => "HUB-PHN-001",
            HubErrorCode::TooManyCodes => "HUB-OTP-001",
            HubErrorCode::Unavailable => "HUB-SYS-001",
            HubErrorCode::Internal => "HUB-SYS-002",
        }
    }

    pub fn parse(code: &str) -> Option<HubErrorCode> {
        HubErrorCode::ALL.into_iter().find(|c| c.code() == code)
    }

    /// The HTTP status the hub answers with.
    pub fn status(self) -> u16 {
        match self {
            HubErrorCode::MissingSignature
            | HubErrorCode::InvalidSignature
            | HubErrorCode::StaleTimestamp
            | HubErrorCode::ReplayedNonce => 401,
            HubErrorCode::UnknownClient => 403,
            HubErrorCode::UnknownService => 404,
            HubErrorCode::InvalidInput => 400,
            HubErrorCode::BatchTooLarge => 413,
            // A well-formed question with a negative answer: the envelope carries it.
            HubErrorCode::IdNotFound
            | HubErrorCode::IdDeactivatedDeceased
            | HubErrorCode::BiometricMismatch
            | HubErrorCode::NoPhoneOnFile => 200,
            HubErrorCode::TooManyCodes => 429,
            HubErrorCode::Unavailable => 503,
            HubErrorCode::Internal => 500,
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            HubErrorCode::MissingSignature => "signature headers missing",
            HubErrorCode::InvalidSignature => {
                "signature does not verify with a valid key of the client"
            }
            HubErrorCode::StaleTimestamp => "request time too far from the hub's clock",
            HubErrorCode::ReplayedNonce => "nonce already used by this client",
            HubErrorCode::UnknownClient => "client not registered or not allowed this service",
            HubErrorCode::UnknownService => "no such service",
            HubErrorCode::InvalidInput => "request body not valid for this service",
            HubErrorCode::BatchTooLarge => "too many queries in one batch",
            HubErrorCode::IdNotFound => "no person with this national ID",
            HubErrorCode::IdDeactivatedDeceased => "national ID deactivated: holder deceased",
            HubErrorCode::BiometricMismatch => "fingerprint does not match the card",
            HubErrorCode::NoPhoneOnFile => "no phone number on file for this person",
            HubErrorCode::TooManyCodes => "too many codes for this person; try again later",
            HubErrorCode::Unavailable => "registry unavailable, try later",
            HubErrorCode::Internal => "internal error",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HubError {
    #[serde(rename = "errorCode")]
    pub code: String,
    pub message: String,
}

impl From<HubErrorCode> for HubError {
    fn from(c: HubErrorCode) -> Self {
        HubError {
            code: c.code().into(),
            message: c.message().into(),
        }
    }
}

/// Every answer of every service.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The hub's transaction id.
    pub id: String,
    pub version: String,
    #[serde(rename = "responseTime")]
    pub response_time: String,
    /// SHA-256 of the canonical request this answers (docs/hub-protocol.md).
    #[serde(rename = "requestHash")]
    pub request_hash: String,
    pub response: Option<T>,
    #[serde(default)]
    pub errors: Vec<HubError>,
}

impl<T> Envelope<T> {
    pub fn ok(id: String, at: jiff::Timestamp, request_hash: String, response: T) -> Self {
        Envelope {
            id,
            version: "1.0".into(),
            response_time: format!("{at:.3}"),
            request_hash,
            response: Some(response),
            errors: vec![],
        }
    }
    pub fn error(
        id: String,
        at: jiff::Timestamp,
        request_hash: String,
        code: HubErrorCode,
    ) -> Self {
        Envelope {
            id,
            version: "1.0".into(),
            response_time: format!("{at:.3}"),
            request_hash,
            response: None,
            errors: vec![code.into()],
        }
    }
    /// The first error's code, if it is one this side knows.
    pub fn error_code(&self) -> Option<HubErrorCode> {
        self.errors
            .first()
            .and_then(|e| HubErrorCode::parse(&e.code))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_and_parse_back() {
        let codes: std::collections::BTreeSet<&str> =
            HubErrorCode::ALL.iter().map(|c| c.code()).collect();
        assert_eq!(codes.len(), HubErrorCode::ALL.len());
        for c in HubErrorCode::ALL {
            assert_eq!(HubErrorCode::parse(c.code()), Some(c));
        }
        let at: jiff::Timestamp = "2026-11-21T10:00:00Z".parse().unwrap();
        let e: Envelope<()> = Envelope::error(
            "t1".into(),
            at,
            "ab".into(),
            HubErrorCode::IdDeactivatedDeceased,
        );
        let json = serde_json::to_string(&e).unwrap();
        assert!(
            json.contains("\"errorCode\":\"HUB-ID-002\"")
                && json.contains("\"requestHash\":\"ab\"")
        );
        let back: Envelope<()> = serde_json::from_str(&json).unwrap();
        assert_eq!(back.error_code(), Some(HubErrorCode::IdDeactivatedDeceased));
    }
}
