//! The civil registry's services on the hub, and what they take and answer. Shared by the ration
//! side's client and the reference registry's server, so the two cannot disagree on a field.
//! Answers never carry more personal data than the question did: a verification says "match" per field
//! sent, not what is on file.

use crate::ids::ServiceId;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The subsystem that offers them.
pub const PROVIDER: &str = "IQ/GOV/MOI/civil-registry";
/// The member organisation that signs the answers.
pub const HUB_MEMBER: &str = "IQ/GOV/MOI";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Service {
    VerifyIdentity,
    VerifyFingerprint,
    LifeStatus,
    CardStatus,
    /// A one-time code to the phone on file at the registry (to confirm a citizen or a proxy).
    SendCode,
    VerifyCode,
    /// "Your card at home": the delivery orders of a household's members, for tracking.
    CardDelivery,
    /// Batched search: is each person asked about on file, and how well does the best match agree
    /// (`search`).
    SearchPersons,
    /// The deceased and those abroad, paged, for screening against deaths and exits (`search`).
    VitalRecords,
}

impl Service {
    pub const ALL: [Service; 9] = [
        Service::CardDelivery,
        Service::SearchPersons,
        Service::VitalRecords,
        Service::VerifyIdentity,
        Service::VerifyFingerprint,
        Service::LifeStatus,
        Service::CardStatus,
        Service::SendCode,
        Service::VerifyCode,
    ];
    pub fn code(self) -> &'static str {
        match self {
            Service::VerifyIdentity => "verify-identity",
            Service::VerifyFingerprint => "verify-fingerprint",
            Service::LifeStatus => "life-status",
            Service::CardStatus => "card-status",
            Service::SendCode => "send-code",
            Service::VerifyCode => "verify-code",
            Service::CardDelivery => "card-delivery",
            Service::SearchPersons => "search-persons",
            Service::VitalRecords => "vital-records",
        }
    }
    pub fn id(self) -> ServiceId {
        ServiceId::parse(&format!("{PROVIDER}/{}/v1", self.code()))
            .unwrap_or_else(unreachable_service)
    }
    pub fn of(id: &ServiceId) -> Option<Service> {
        Service::ALL.into_iter().find(|s| {
            s.code() == id.service && id.version == "v1" && id.provider.to_string() == PROVIDER
        })
    }
}

/// The service ids above are constants that parse; this keeps the code free of panics.
fn unreachable_service() -> ServiceId {
    ServiceId {
        provider: crate::ClientId {
            instance: "IQ".into(),
            class: "GOV".into(),
            member: "MOI".into(),
            subsystem: "civil-registry".into(),
        },
        service: "invalid".into(),
        version: "v1".into(),
    }
}

/// Verify identity: the national ID and whichever demographic fields the caller holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IdentityQuery {
    pub national_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub given_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub father_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub grandfather_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub family_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mother_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sex: Option<String>,
}

/// Per field sent: whether it matches the registry (names compared after Arabic normalisation).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentityMatch {
    /// Every field sent matched.
    pub matched: bool,
    pub fields: BTreeMap<String, bool>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FingerprintQuery {
    pub national_id: String,
    /// The template captured at the counter; compared, never stored.
    pub template: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FingerprintMatch {
    pub matched: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NationalIdQuery {
    pub national_id: String,
}

/// `alive`, `deceased` (since the date of death) or `abroad` (since the last exit without entry).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LifeStatus {
    pub status: String,
    pub since: Option<String>,
}

/// `valid`, `expired`, `lost`, `replaced`, or `none` (no card issued yet).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardStatus {
    pub status: String,
    pub expires: Option<String>,
}

/// Send a one-time code to the phone the registry holds for this person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SendCodeQuery {
    pub national_id: String,
    /// Why, shown in the message: `citizen` (confirming oneself) or `proxy` (confirming a power of
    /// attorney).
    pub purpose: String,
}

/// The code went out: which challenge to verify against, the number masked, until when it is good.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeSent {
    pub challenge_id: String,
    pub phone_masked: String,
    pub expires_at: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyCodeQuery {
    pub national_id: String,
    pub challenge_id: String,
    pub code: String,
}

/// Wrong, expired, used or out of attempts are one answer: `matched: false`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeCheck {
    pub matched: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardDeliveryQuery {
    /// The people asked about (at most 40: a household).
    pub national_ids: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardDeliveries {
    pub orders: Vec<DeliveryOrder>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryOrder {
    pub national_id: String,
    pub order_id: String,
    /// `requested`, `printed`, `out_for_delivery`, `delivered`, `failed`.
    pub status: String,
    pub updated_at: String,
    pub steps: Vec<DeliveryStep>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryStep {
    pub status: String,
    pub at: String,
    pub note: String,
}
