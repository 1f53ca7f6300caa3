//! Redemptions at outlets (issue 16 point 3; docs/outlets.md): a collection draws the household's
//! entitlement lines down in the same transaction that records it, and the database refuses more than
//! a line holds — a guarded upsert per item, and the line's CHECK behind it — under any concurrency, on
//! both backends. A void puts the quantities back. SQL in `sql_redemptions.rs`.

use crate::{ChangeLog, IdemEntry, OutboxMessage, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::HouseholdId;

/// One item of a collection, with what the application computed of its line from the entitlement it
/// read: the write goes on only while they hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Take {
    pub item: String,
    pub quantity: i64,
    /// The line's quantity when nothing wrote it yet (what the entitlement gives).
    pub base: i64,
    /// What a hold suspends of the line now: never handed out.
    pub held: i64,
    /// The most `redeemed` may reach with this collection (bread accrues by the day); `i64::MAX`
    /// when only the line's quantity bounds it. A take of nothing with a ceiling of 0 is a guard: the
    /// collection goes on only while the line is untouched (the other items of an allowance's
    /// choose-one group).
    pub ceiling: i64,
    /// Whether it draws the outlet's stock: goods do, an allowance's money does not.
    pub stock: bool,
}

/// A collection to record.
#[derive(Debug, Clone)]
pub struct NewRedemption {
    pub household_id: HouseholdId,
    pub redemption_id: String,
    pub cycle_id: String,
    pub outlet_code: String,
    pub device_id: String,
    pub device_txn: String,
    pub collector_member_id: String,
    /// `qr`, `otp`, `fingerprint`.
    pub identified_by: &'static str,
    pub at: Timestamp,
    pub takes: Vec<Take>,
    /// The entitlement's `suspended_persons` the application read: a hold placed since changes what
    /// is held, and the write stops (`Redeemed::Stale`).
    pub suspended_persons: i64,
    /// Refuse a collection that would take the outlet's stock below zero (a setting).
    pub stock_guard: bool,
    /// A proxy's collection: the grant, re-checked active and in force today under its row's lock.
    pub proxy: Option<ProxyCollection>,
}

/// Who collected for the household under a power of attorney.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProxyCollection {
    pub grant_id: String,
    pub national_id: String,
    /// As on the proxy's own card.
    pub name: String,
    /// Today in the country: the grant must be in force on it.
    pub today: jiff::civil::Date,
}

/// A line after a collection (or a void).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineAfter {
    pub item: String,
    pub quantity: i64,
    pub redeemed: i64,
}

/// What the application writes with a collection, from the lines as the collection left them: the
/// answer kept for a retry, and the household's receipt.
pub type Finish<'a> =
    &'a (dyn Fn(&[LineAfter]) -> (IdemEntry, Option<OutboxMessage>) + Send + Sync);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Redeemed {
    /// Written, with the lines as they now stand.
    Done(Vec<LineAfter>),
    /// This item would go beyond what its line holds: nothing written.
    Exceeds(String),
    /// This item would take the outlet's stock below zero, which the setting refuses: nothing written.
    OutOfStock(String),
    /// The cycle is not open, the household has no entitlement in it, or it cannot collect now
    /// (a hold on it as a whole): nothing written.
    NotOpen,
    /// A hold changed the entitlement since it was read: nothing written; read again.
    Stale,
    /// The proxy's grant is no longer active or in force (revoked, given up, expired): nothing written.
    ProxyEnded,
}

/// A recorded collection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Redemption {
    pub household_id: HouseholdId,
    pub redemption_id: String,
    pub cycle_id: String,
    pub outlet_code: String,
    pub device_id: String,
    pub device_txn: String,
    pub collector_member_id: String,
    pub identified_by: String,
    pub at: Timestamp,
    pub voided_at: Option<Timestamp>,
    pub void_reason: Option<String>,
    /// The complaint of the family that says it did not make this collection: for auditors.
    pub disputed_by: Option<String>,
    /// A proxy's collection: the grant, the proxy's national ID and name.
    pub proxy: Option<(String, String, String)>,
    /// `(item, quantity)`, by item.
    pub lines: Vec<(String, i64)>,
}

/// A void to record: by the device that collected, after `not_before` (the void window's start).
#[derive(Debug, Clone)]
pub struct Void<'a> {
    pub household_id: &'a HouseholdId,
    pub redemption_id: &'a str,
    pub device_id: &'a str,
    pub not_before: Timestamp,
    pub reason: &'a str,
    pub at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Voided {
    Done(Vec<LineAfter>),
    /// No such redemption of this device, voided already, or too old: nothing written.
    Refused,
}

#[async_trait]
pub trait RedemptionStore: Send + Sync {
    /// Records a collection and draws its lines down, with its audit entry, the answer `finish` makes
    /// for a retry and the receipt, in one transaction. A transaction id the device used before is
    /// `Conflict::DeviceTxnTaken` (or `IdempotencyKeyTaken`, for the answer's key): nothing written.
    async fn redeem(
        &self,
        r: &NewRedemption,
        log: &ChangeLog,
        finish: Finish<'_>,
    ) -> Result<Redeemed>;
    /// Voids a collection, putting its quantities back, with its audit entry and message.
    async fn void_redemption(
        &self,
        v: &Void<'_>,
        log: &ChangeLog,
        message: Option<&OutboxMessage>,
    ) -> Result<Voided>;
    async fn redemption(
        &self,
        household_id: &HouseholdId,
        redemption_id: &str,
    ) -> Result<Option<Redemption>>;
    async fn redemption_by_txn(&self, device_id: &str, txn: &str) -> Result<Option<Redemption>>;
    /// The household's collections, newest first.
    async fn household_redemptions(&self, household_id: &HouseholdId) -> Result<Vec<Redemption>>;
    /// A cycle's consistency: how many lines hold more than their quantity allows, and how many
    /// lines' `redeemed` differs from the sum of their collections not voided (both 0 when whole).
    async fn redemption_check(&self, cycle_id: &str) -> Result<(i64, i64)>;
    /// Collections a family says it did not make, newest first, at most `limit`.
    async fn disputed_redemptions(&self, limit: u32) -> Result<Vec<Redemption>>;
    /// An outlet's collections in `[from, to)`, oldest first.
    async fn outlet_redemptions(
        &self,
        outlet: &str,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<Redemption>>;
}
