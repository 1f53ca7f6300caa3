//! Electronic powers of attorney (issue 17; docs/proxies.md): grants, both sides' confirmations, and
//! their end. The database keeps a person proxy for at most a set number of households (a guarded
//! upsert on `proxy_load`, given back when a grant ends, in the same transaction), one open grant of a
//! household to one person, and a grant in effect only once confirmed by both and paid. SQL in
//! `sql_proxies.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use jiff::civil::Date;
use tamwin_domain::HouseholdId;
use tamwin_domain::proxy::{GrantReason, GrantScope, GrantStatus};

/// A grant as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub household_id: HouseholdId,
    pub grant_id: String,
    pub proxy_national_id: String,
    pub proxy_household_id: Option<HouseholdId>,
    pub scope: GrantScope,
    pub valid_from: Date,
    pub valid_to: Date,
    pub reason: GrantReason,
    pub reason_text: Option<String>,
    pub status: GrantStatus,
    pub fee: i64,
    pub currency: String,
    pub created_by: String,
    pub created_at: Timestamp,
    pub head: Confirmation,
    pub proxy: Confirmation,
    pub paid_at: Option<Timestamp>,
    pub payment_id: Option<String>,
    pub ended_at: Option<Timestamp>,
    pub ended_by: Option<String>,
    pub end_reason: Option<String>,
}

/// One side's one-time code: the registry's challenge, and once confirmed, when and the evidence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confirmation {
    pub challenge: Option<String>,
    pub confirmed_at: Option<Timestamp>,
    /// The hub's request and response hashes of the check that matched.
    pub evidence: Option<String>,
}

/// The head of the household or the proxy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Head,
    Proxy,
}

impl Side {
    pub const fn column(self) -> &'static str {
        match self {
            Side::Head => "head",
            Side::Proxy => "proxy",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Done,
    /// The person is proxy for as many households as allowed: nothing written.
    ProxyAtLimit,
    /// The household already has an open grant to this person: nothing written.
    OpenGrantExists,
}

/// The registry's challenge of a code sent to a proxy's phone for a collection at one outlet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCode {
    pub challenge_id: String,
    pub grant_id: String,
    pub household_id: HouseholdId,
    pub outlet_code: String,
    pub national_id: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A grant's collections by its proxy since some time (voids left out), for the screening signal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCollected {
    pub household_id: HouseholdId,
    pub grant_id: String,
    pub collections: i64,
    pub first_at: Timestamp,
    pub last_at: Timestamp,
}

/// A grant's end: from one of `from` to `to` (an ended status), by someone, for a reason.
#[derive(Debug, Clone)]
pub struct GrantEnd<'a> {
    pub household_id: &'a HouseholdId,
    pub grant_id: &'a str,
    pub from: &'a [GrantStatus],
    pub to: GrantStatus,
    pub by: &'a str,
    pub reason: Option<&'a str>,
    pub at: Timestamp,
    pub log: &'a ChangeLog,
}

#[async_trait]
pub trait ProxyStore: Send + Sync {
    /// Writes a new grant (status `confirming`) and takes one of its proxy's places, with its audit
    /// entry, in one transaction.
    async fn create_grant(&self, g: &Grant, limit: i64, log: &ChangeLog) -> Result<Created>;
    /// Records the registry's challenge sent to one side (while the grant is open); false when it
    /// has ended.
    async fn set_challenge(
        &self,
        household_id: &HouseholdId,
        grant_id: &str,
        side: Side,
        challenge: &str,
    ) -> Result<bool>;
    /// Records one side's confirmation while the grant is confirming; with both, the grant awaits
    /// its payment. Returns the grant's status after, or None when it was not confirming.
    async fn confirm_grant(
        &self,
        household_id: &HouseholdId,
        grant_id: &str,
        side: Side,
        evidence: &str,
        at: Timestamp,
        log: &ChangeLog,
    ) -> Result<Option<GrantStatus>>;
    /// A paid grant takes effect: from awaiting payment to active. False when it was not awaiting.
    async fn activate_grant(
        &self,
        household_id: &HouseholdId,
        grant_id: &str,
        payment_id: &str,
        at: Timestamp,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// Ends a grant and gives its proxy's place back; false when it was in none of `from`.
    async fn end_grant(&self, e: &GrantEnd<'_>) -> Result<bool>;
    /// Active grants whose last day is before `today` become expired, their places given back, with
    /// an audit entry each; returns how many.
    async fn expire_grants(
        &self,
        today: Date,
        at: Timestamp,
        logs: &ChangeLogFor<'_>,
    ) -> Result<u64>;
    async fn grant(&self, grant_id: &str) -> Result<Option<Grant>>;
    /// The household's grants, newest first.
    async fn household_grants(&self, household_id: &HouseholdId) -> Result<Vec<Grant>>;
    /// The grants naming this person as proxy, newest first.
    async fn grants_of_proxy(&self, national_id: &str) -> Result<Vec<Grant>>;
    /// How many households this person is proxy for now (open grants).
    async fn proxy_load(&self, national_id: &str) -> Result<i64>;
    /// Each grant's collections by its proxy made since `since`.
    async fn proxy_collected_since(&self, since: Timestamp) -> Result<Vec<ProxyCollected>>;
    /// The grants made since `since`, whatever became of them.
    async fn grants_since(&self, since: Timestamp) -> Result<Vec<Grant>>;
    /// Keeps, on a grant awaiting its proxy's answer, the evidence of the code check that matched and
    /// the hash of the ticket the proxy answers with, until `expires`; false when it awaits no answer.
    async fn set_proxy_ticket(
        &self,
        household_id: &HouseholdId,
        grant_id: &str,
        ticket_hash: &str,
        expires: Timestamp,
        evidence: &str,
    ) -> Result<bool>;
    /// Spends the grant's proxy ticket if its hash is this one and it is still in time: the evidence
    /// kept with it; None otherwise (a ticket answers once, also when two answers race).
    async fn take_proxy_ticket(
        &self,
        grant_id: &str,
        ticket_hash: &str,
        now: Timestamp,
    ) -> Result<Option<String>>;
    /// Keeps the challenge of a code sent to a proxy for a collection at an outlet, with its audit
    /// entry.
    async fn add_proxy_code(&self, c: &ProxyCode, log: &ChangeLog) -> Result<()>;
    /// The newest code sent to this person for this household at this outlet.
    async fn proxy_code(
        &self,
        national_id: &str,
        household_id: &HouseholdId,
        outlet_code: &str,
    ) -> Result<Option<ProxyCode>>;
}

/// The audit entry of one grant's expiry, made by the application for each grant the store expires.
pub type ChangeLogFor<'a> = dyn Fn(&Grant) -> ChangeLog + Send + Sync + 'a;
