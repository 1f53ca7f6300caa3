//! Values passed to and returned by the store.

use serde_json::Value;
use tamwin_domain::{
    CardNumber, CardState, Hold, Household, HouseholdId, Member, MemberId, NationalId,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// The name the health check and the metrics give it.
    pub fn code(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// One entry of a household's change history, written with the change it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeLog {
    pub change_id: String,
    pub at: jiff::Timestamp,
    pub actor: String,
    /// The actor's role code (`system` for the console and imports, `citizen`, or a staff role).
    pub role: String,
    /// The actor's area code, or the household for a citizen.
    pub area: String,
    /// `created`, `member_added`, `member_updated`, `member_removed`, `head_changed`, `hold_placed`, `hold_lifted`.
    pub kind: &'static str,
    /// The member the change is about, or another subject (a device, token or staff account): text.
    pub member_id: Option<String>,
    pub reason: Option<String>,
    pub details: Value,
    /// How the change arrived: `api`, `web`, `cli`, `import`. Written to the audit log with it.
    pub channel: &'static str,
}

/// A change to one household, computed by the application from the record it read.
#[derive(Debug, Clone)]
pub struct HouseholdChange {
    /// The household row after the change; its `version` is `expected_version + 1`.
    pub household: Household,
    pub expected_version: i64,
    /// Members inserted or updated (whole rows).
    pub members: Vec<Member>,
    /// Holds inserted or updated (whole rows).
    pub holds: Vec<Hold>,
    /// National IDs that stop belonging to this household.
    pub national_ids_removed: Vec<NationalId>,
    /// National IDs that start belonging to it, with the member.
    pub national_ids_added: Vec<(NationalId, MemberId)>,
    pub log: ChangeLog,
}

/// A stored response to a state-changing request, replayed for the same `Idempotency-Key`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IdemEntry {
    pub key: String,
    /// Digest of method, path and body, so that a key reused for another request is refused.
    pub request_hash: String,
    pub status: u16,
    pub body: String,
    pub created_at: jiff::Timestamp,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListFilter {
    pub governorate: Option<String>,
    pub district: Option<String>,
    pub state: Option<CardState>,
    /// Keyset cursor: the last card number of the previous page.
    pub after: Option<CardNumber>,
    pub limit: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdSummary {
    pub household_id: HouseholdId,
    pub card_number: CardNumber,
    pub governorate: String,
    pub district: String,
    pub state: CardState,
    pub head_name: String,
    pub members: i64,
}

/// A member found by name, with the card it is on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NameHit {
    pub card_number: CardNumber,
    pub household_id: HouseholdId,
    pub member_id: MemberId,
    pub full_name: String,
    pub birth_date: String,
    pub relation: String,
    pub state: CardState,
}

/// A staff account as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffUser {
    pub user_id: String,
    pub username: String,
    pub role: tamwin_domain::access::Role,
    /// `nation` or a governorate, district or update-centre code.
    pub area: String,
    /// Argon2id, PHC string.
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
    pub disabled_at: Option<jiff::Timestamp>,
    /// An outlet operator's outlet (issue 16): the account acts for it only.
    pub outlet_code: Option<String>,
}

/// Which households a query may return: those of a governorate and/or district (none = the nation).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Scope {
    pub governorate: Option<String>,
    pub district: Option<String>,
}

/// A signed-in browser: a staff member or a citizen. Only the SHA-256 of the cookie value is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub session_hash: String,
    /// `staff` or `citizen`.
    pub kind: String,
    /// The staff account's id, or the citizen's household id.
    pub subject_id: String,
    /// The username, or the phone number signed in with.
    pub subject_name: String,
    /// Every form of this session carries it; a request without it changes nothing.
    pub csrf_token: String,
    pub created_at: jiff::Timestamp,
    pub last_seen_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    pub ended_at: Option<jiff::Timestamp>,
}

/// A one-time code sent to a phone; only its hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtpChallenge {
    pub challenge_id: String,
    /// E.164.
    pub phone: String,
    /// None when no open household has this number (nothing is sent; the code can never match).
    pub household_id: Option<HouseholdId>,
    pub code_hash: String,
    pub created_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    pub attempts: i64,
    pub used_at: Option<jiff::Timestamp>,
}

/// A message waiting for (or past) its gateway.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxMessage {
    pub message_id: String,
    /// `sms`.
    pub channel: String,
    pub recipient: String,
    pub body: String,
    pub created_at: jiff::Timestamp,
    pub delivered_at: Option<jiff::Timestamp>,
}

/// One row of "who read my data": a read of the household's data by someone other than the
/// household, or, for its appearances in lists (`*.listed`), all of one actor's on one day (UTC) with
/// their count. `group_key` orders rows of the same time and, with `last_at`, is the page cursor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HouseholdReadRow {
    pub last_at: String,
    pub first_at: String,
    pub actor: String,
    pub role: String,
    pub area: String,
    pub channel: String,
    pub action: String,
    pub count: i64,
    pub group_key: String,
}

/// A sign-in throttle counter (docs/access.md): failures under one key within a window, and until
/// when the key is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Throttle {
    pub key: String,
    pub failures: i64,
    pub window_start: jiff::Timestamp,
    pub blocked_until: Option<jiff::Timestamp>,
}

/// A machine client's credential: role and area like a staff account; the secret only as SHA-256.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiToken {
    pub token_id: String,
    pub name: String,
    pub role: tamwin_domain::access::Role,
    pub area: String,
    pub secret_hash: String,
    pub created_at: jiff::Timestamp,
    pub created_by: String,
    pub expires_at: jiff::Timestamp,
    pub revoked_at: Option<jiff::Timestamp>,
    /// An outlet operator's outlet (issue 16): the token acts for it only.
    pub outlet_code: Option<String>,
}

/// Households and present members of one district in one card state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaCount {
    pub governorate: String,
    pub district: String,
    pub state: CardState,
    pub households: i64,
    pub members: i64,
}

/// A device's registered Ed25519 public key and what the device may do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceKey {
    pub device_id: String,
    pub name: String,
    pub role: tamwin_domain::access::Role,
    pub area: String,
    /// 32 bytes, hex.
    pub public_key: String,
    pub created_at: jiff::Timestamp,
    pub created_by: String,
    pub revoked_at: Option<jiff::Timestamp>,
    /// The outlet an outlet's device acts for (issue 16), and only for it.
    pub outlet_code: Option<String>,
}

/// A person in the reference civil registry (the Interior Ministry's side). Dates are ISO `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CivilPerson {
    pub national_id: String,
    pub given_name: String,
    pub father_name: String,
    pub grandfather_name: String,
    pub family_name: Option<String>,
    pub mother_name: String,
    pub birth_date: String,
    /// `male` or `female`.
    pub sex: String,
    /// E.164.
    pub phone: Option<String>,
    /// `valid`, `expired`, `lost`, `replaced`; None without a card.
    pub card_status: Option<String>,
    pub card_expires: Option<String>,
    pub fingerprint_sha256: Option<String>,
    pub death_date: Option<String>,
    pub abroad_since: Option<String>,
}

/// A member organisation's public key as the hub keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubKey {
    /// `IQ/GOV/MOT`.
    pub member: String,
    pub key_id: String,
    /// 32 bytes, hex.
    pub public_key: String,
    pub valid_from: jiff::Timestamp,
    pub valid_until: Option<jiff::Timestamp>,
}

/// One call to the hub, kept as evidence and linked to the record it concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub household_id: HouseholdId,
    pub evidence_id: String,
    pub member_id: Option<MemberId>,
    /// The service id, `IQ/GOV/MOI/civil-registry/verify-identity/v1`.
    pub service: String,
    pub request_hash: String,
    /// Empty when no answer came (the hub was down).
    pub response_hash: String,
    pub at: jiff::Timestamp,
    /// JSON of the answer (response or error code) or of the failure.
    pub outcome: String,
}

/// Where a member's check against the civil registry stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberVerification {
    pub household_id: HouseholdId,
    pub member_id: MemberId,
    /// `verified`, `pending`, `mismatch`, `deceased`, `not_found`.
    pub status: String,
    pub attempts: i64,
    pub last_attempt_at: jiff::Timestamp,
    pub next_attempt_at: Option<jiff::Timestamp>,
    pub evidence_id: Option<String>,
}

/// A death, birth, exit or entry reported by the civil registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VitalEvent {
    pub event_id: String,
    /// The person it is about (for a birth: the mother or father whose household gets the suggestion).
    pub national_id: String,
    /// `death`, `birth`, `exit`, `entry`.
    pub kind: String,
    /// ISO date.
    pub event_date: String,
    pub received_at: jiff::Timestamp,
    pub applied_at: Option<jiff::Timestamp>,
    /// JSON: what the registry sent beyond the above.
    pub details: String,
}

/// A change the civil registry's news suggests for a household (a birth: add the newborn), waiting for
/// the head's confirmation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub suggestion_id: String,
    pub household_id: HouseholdId,
    /// `add_newborn`.
    pub kind: String,
    pub event_id: String,
    pub national_id: String,
    /// JSON: the member to add (`MemberInput` fields) and where the data came from.
    pub details: String,
    /// `pending`, `confirmed`, `declined`.
    pub status: String,
    pub created_at: jiff::Timestamp,
    pub decided_at: Option<jiff::Timestamp>,
    pub decided_by: Option<String>,
}

/// An accepted reason to be abroad (study, treatment, an official mission) that keeps the "abroad" hold
/// away between two dates.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exemption {
    pub exemption_id: String,
    pub national_id: String,
    /// `study`, `medical_treatment`, `official_mission`, `pilgrimage`.
    pub reason: String,
    /// Dates, both inclusive.
    pub valid_from: String,
    pub valid_until: String,
    pub evidence: String,
    pub granted_by: String,
    pub granted_at: jiff::Timestamp,
    /// The document's file name and type (its bytes: `Store::exemption_document`); none on exemptions
    /// granted before documents were kept.
    pub document_name: Option<String>,
    pub document_type: Option<String>,
}

/// A vital event as the reference civil registry records it (and notifies its subscribers of).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CivilEvent {
    pub event_id: String,
    /// `death`, `birth`, `exit`, `entry`.
    pub kind: String,
    pub national_id: String,
    pub event_date: String,
    /// JSON: the CRVS Person as notified.
    pub details: String,
    pub recorded_at: jiff::Timestamp,
}

/// A subscriber's standing request for one event type (SPDCI CRVS `subscribe`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrvsSubscription {
    pub code: String,
    pub subscriber: String,
    pub notify_uri: String,
    pub event_type: String,
    /// `subscribe` or `unsubscribe`.
    pub status: String,
    pub created_at: jiff::Timestamp,
}

/// An asynchronous CRVS request (search, subscribe, unsubscribe) the registry acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CrvsTxn {
    pub correlation_id: String,
    pub sender: String,
    pub transaction_id: String,
    pub txn_type: String,
    /// `rcvd`, `pdng`, `succ`, `rjct`.
    pub status: String,
    pub request: String,
    pub callback_uri: String,
    pub response: Option<String>,
    pub created_at: jiff::Timestamp,
}

/// A signed callback owed to a subscriber or requester, retried until acknowledged.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    pub delivery_id: String,
    pub target: String,
    pub body: String,
    pub attempts: i64,
    pub next_attempt_at: Option<jiff::Timestamp>,
    pub delivered_at: Option<jiff::Timestamp>,
    pub last_error: Option<String>,
    pub created_at: jiff::Timestamp,
}

/// A one-time code the registry sent to the phone on file; only its hash is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CivilOtp {
    pub challenge_id: String,
    pub national_id: String,
    pub client: String,
    /// `citizen` or `proxy`.
    pub purpose: String,
    pub code_hash: String,
    pub created_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    pub attempts: i64,
    pub used_at: Option<jiff::Timestamp>,
}

/// A unified card the registry issued, with its signed QR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CivilCard {
    pub card_id: String,
    pub national_id: String,
    pub card_number: String,
    pub issued_at: jiff::Timestamp,
    pub expires_at: jiff::Timestamp,
    /// `valid`, `lost`, `replaced`, `expired`.
    pub status: String,
    pub qr: String,
}

/// A "your card at home" order and, when read back, its steps (status, time, note), oldest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CardDelivery {
    pub order_id: String,
    pub card_id: String,
    pub national_id: String,
    pub address: String,
    pub status: tamwin_domain::delivery::DeliveryStatus,
    pub created_at: jiff::Timestamp,
    pub updated_at: jiff::Timestamp,
    pub steps: Vec<(
        tamwin_domain::delivery::DeliveryStatus,
        jiff::Timestamp,
        String,
    )>,
}

/// A civil registry office or mobile station.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationSite {
    pub site_id: String,
    /// `office` or `mobile`.
    pub kind: String,
    pub name: String,
    pub governorate: String,
    pub district: String,
    pub created_at: jiff::Timestamp,
}

/// A mobile station's day at a care home, camp, remote area or hospital, with the people registered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StationVisit {
    pub visit_id: String,
    pub site_id: String,
    /// `care_home`, `camp`, `remote_area`, `hospital`.
    pub place_kind: String,
    pub place_name: String,
    pub district: String,
    pub visit_date: String,
    pub starts: String,
    pub ends: String,
    /// `scheduled`, `done`, `cancelled`.
    pub status: String,
    pub created_at: jiff::Timestamp,
    /// People registered at the visit (filled when read).
    pub registered: i64,
}
