//! The month-end conversion of unused bread into commodity credit (issue 16 point 4; docs/outlets.md,
//! "Bread"): one set-based transaction per closed bread cycle, crediting each household's money line in
//! the allowance cycle of the next month, once. SQL in `sql_conversions.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;

/// A bread cycle's conversion, with the figures of its programme versions.
#[derive(Debug, Clone)]
pub struct Conversion<'a> {
    pub bread_cycle: &'a str,
    pub into_cycle: &'a str,
    /// Bread's figures: loaves a counted person a day, the month's days, and what an unused loaf
    /// becomes in the money unit.
    pub loaves_per_person_per_day: i64,
    pub days: i64,
    pub loaf_value: i64,
    /// What the allowance gives a counted person in the target's month: a money line nothing wrote
    /// yet starts from it.
    pub money_per_person: i64,
    pub reason: &'a str,
    pub actor: &'a str,
    pub at: Timestamp,
    pub log: &'a ChangeLog,
}

/// What a conversion credited.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Converted {
    pub households: i64,
    /// In the money unit.
    pub credit: i64,
}

#[async_trait]
pub trait ConversionStore: Send + Sync {
    /// Credits every household of the bread cycle with unused bread (owed, less handed out, less what
    /// a hold kept; none for a household held as a whole) and an entitlement in the target, marks the
    /// bread cycle converted and appends the audit entry, in one transaction. None, writing nothing,
    /// when the bread cycle is not closed or was converted already, or the target is neither open nor
    /// approved and generated.
    async fn convert_unused_bread(&self, c: &Conversion<'_>) -> Result<Option<Converted>>;
    /// Closed cycles of these programmes not converted yet, oldest month first.
    async fn cycles_to_convert(&self, programmes: &[String]) -> Result<Vec<String>>;
}
