//! Values passed to and returned by the store.

use serde_json::Value;
use tamwin_domain::{CardNumber, CardState, Hold, Household, Member, NationalId};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// One entry of a household's change history, written with the change it describes.
#[derive(Debug, Clone, PartialEq)]
pub struct ChangeLog {
    pub change_id: String,
    pub at: jiff::Timestamp,
    pub actor: String,
    /// `created`, `member_added`, `member_updated`, `member_removed`, `head_changed`, `hold_placed`, `hold_lifted`.
    pub kind: &'static str,
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
    pub national_ids_added: Vec<(NationalId, String)>,
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
    pub household_id: String,
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
    pub household_id: String,
    pub member_id: String,
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
    /// A `domain::access::Role` code.
    pub role: String,
    /// `nation` or a governorate, district or update-centre code.
    pub area: String,
    /// Argon2id, PHC string.
    pub password_hash: String,
    pub failed_logins: i64,
    pub locked_until: Option<jiff::Timestamp>,
    pub created_at: jiff::Timestamp,
    pub disabled_at: Option<jiff::Timestamp>,
}
