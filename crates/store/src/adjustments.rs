//! In-cycle adjustments (issue 15 point 4; docs/distribution.md, "Changes during an open cycle"): an
//! explicit line per item of a household's entitlement, changed only by a signed, reasoned, audited
//! adjustment, while the cycle is approved or open. The database keeps every line whole
//! (`entitlement_lines_whole`: never below zero, never below what was handed out). SQL in
//! `sql_adjustments.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::HouseholdId;

/// One adjustment of one item of a household's entitlement in a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Adjustment {
    pub household_id: HouseholdId,
    pub cycle_id: String,
    pub change_id: String,
    pub item: String,
    /// Signed, in the item's unit (grams, millilitres, loaves, the smallest money unit); never zero.
    pub amount: i64,
    pub reason: String,
    pub actor: String,
    pub at: Timestamp,
}

/// A household's line of one item in a cycle, once something wrote it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntitlementLine {
    pub cycle_id: String,
    pub item: String,
    /// Owed after adjustments.
    pub quantity: i64,
    pub redeemed: i64,
    pub suspended: i64,
}

#[async_trait]
pub trait AdjustmentStore: Send + Sync {
    /// Adds the adjustment to the household's line of its item (the line written first with `base`,
    /// what the entitlement gives, if nothing wrote it yet), with its change row and audit entry, in
    /// one transaction; returns the new quantity. None when the household has no entitlement in the
    /// cycle or the cycle is not approved or open (closing waits for an adjustment in progress). A
    /// line taken below zero or below what was handed out is `Conflict::LineBelowZero`.
    async fn adjust_line(&self, a: &Adjustment, base: i64, log: &ChangeLog) -> Result<Option<i64>>;
    /// The household's lines in every cycle.
    async fn household_lines(&self, household_id: &HouseholdId) -> Result<Vec<EntitlementLine>>;
    /// The household's adjustments in every cycle, oldest first.
    async fn household_adjustments(&self, household_id: &HouseholdId) -> Result<Vec<Adjustment>>;
}
