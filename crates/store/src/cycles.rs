//! Monthly cycles and their entitlements (issue 15; docs/distribution.md). A cycle is drafted,
//! approved by someone else, generated in one transaction (one set-based statement for the approved cycles of a month) and
//! opened; the database keeps four eyes, one entitlement per household and cycle, and counts that
//! never go below zero. SQL in `sql_cycles.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::HouseholdId;
use tamwin_domain::programme::eligibility::Rule;
use tamwin_domain::programme::{CycleMonth, CycleStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cycle {
    pub cycle_id: String,
    pub programme: String,
    pub version: i64,
    pub month: CycleMonth,
    pub governorate: String,
    pub status: CycleStatus,
    pub drafted_by: String,
    pub drafted_at: Timestamp,
    pub approved_by: Option<String>,
    pub approved_at: Option<Timestamp>,
    pub generated_at: Option<Timestamp>,
    pub generation_run: Option<String>,
    pub households: Option<i64>,
    pub persons: Option<i64>,
    pub error: Option<String>,
    pub opened_by: Option<String>,
    pub opened_at: Option<Timestamp>,
    pub closed_by: Option<String>,
    pub closed_at: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CycleFilter {
    pub programme: Option<String>,
    pub month: Option<CycleMonth>,
    pub governorate: Option<String>,
    pub status: Option<CycleStatus>,
}

/// A move of a cycle from one status to the next, by someone, now.
#[derive(Debug, Clone)]
pub struct CycleMove<'a> {
    pub cycle_id: &'a str,
    pub from: CycleStatus,
    pub to: CycleStatus,
    pub by: &'a str,
    pub at: Timestamp,
    pub log: &'a ChangeLog,
}

/// What generation or a dry run counts of one household: who it counts by the rules in force.
#[derive(Debug, Clone, Copy)]
pub struct Counting<'a> {
    pub month: CycleMonth,
    /// Rules that exclude a household as a whole.
    pub rules: &'a [Rule],
}

/// A dry run's totals for one district, agent, set of categories and suspension.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AreaTotal {
    pub district: String,
    pub agent: Option<String>,
    /// `entitlements.categories` bits.
    pub categories: i64,
    /// Held as a whole at generation (the share waits for the hold to be lifted).
    pub suspended: bool,
    pub households: i64,
    pub persons: i64,
}

/// A household counted differently than in the previous cycle: entering (no `before`), leaving (no
/// `after`), or with other members counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CountChange {
    pub household_id: HouseholdId,
    pub card_number: String,
    pub district: String,
    pub persons_before: Option<i64>,
    pub counted_before: Vec<i64>,
    pub persons_after: Option<i64>,
    pub counted_after: Vec<i64>,
}

/// One household's entitlement in a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entitlement {
    pub household_id: HouseholdId,
    pub cycle_id: String,
    pub persons: i64,
    /// Member numbers of the members counted, in order.
    pub counted: Vec<i64>,
    pub categories: i64,
    pub district: String,
    pub agent: Option<String>,
    /// Counted members a hold placed since generation suspends.
    pub suspended_persons: i64,
    /// The household cannot collect now (a hold on it, or its head).
    pub suspended_whole: bool,
}

/// How a generation ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Generated {
    /// Written now, in one transaction: each cycle with its households and persons.
    Done {
        cycles: Vec<(String, i64, i64)>,
    },
    /// The cycle was not waiting for generation (generated already, or not approved): nothing written.
    NotPending(CycleStatus),
    NoSuchCycle,
}

#[async_trait]
pub trait CycleStore: Send + Sync {
    /// A new draft; another cycle of the same programme, month and governorate is
    /// `Conflict::CycleExists`.
    async fn draft_cycle(&self, c: &Cycle, log: &ChangeLog) -> Result<()>;
    async fn cycle(&self, cycle_id: &str) -> Result<Option<Cycle>>;
    /// Newest month first.
    async fn cycles(&self, f: &CycleFilter) -> Result<Vec<Cycle>>;
    /// Moves a cycle if it is still in `from` (approve, open, close, approve again after a failure);
    /// false when it was not. The database refuses an approval by the drafter and opening an
    /// ungenerated cycle (`Conflict::FourEyes`, `Conflict::CycleNotGenerated`).
    async fn move_cycle(&self, m: &CycleMove<'_>) -> Result<bool>;
    /// Generates the entitlements of approved, ungenerated cycles (the first the one asked for; the
    /// others of the same programme, month and version) in one transaction and one statement, and
    /// marks them generated; `progress(cycles done, of)`. Nothing is left of a generation that fails or
    /// is interrupted; a second generation writes nothing. `logs` are the cycles' audit entries, each
    /// naming its cycle as `member_id`: those generated are written.
    async fn generate_cycles(
        &self,
        cycle_ids: &[String],
        counting: Counting<'_>,
        run: &str,
        at: Timestamp,
        progress: &(dyn Fn(u64, u64) + Send + Sync),
        logs: &[ChangeLog],
    ) -> Result<Generated>;
    /// Records a failed generation: the cycle, still approved and ungenerated, becomes `failed`.
    async fn fail_generation(&self, cycle_id: &str, error: &str, log: &ChangeLog) -> Result<bool>;
    /// What generation would write for a governorate's households (`None`: the nation's), totalled;
    /// nothing is written.
    async fn dry_run(
        &self,
        governorate: Option<&str>,
        counting: Counting<'_>,
    ) -> Result<Vec<AreaTotal>>;
    /// The households a dry run counts differently from the `previous` cycle's entitlements, in
    /// district and card order; nothing is written.
    async fn dry_run_changes(
        &self,
        governorate: &str,
        counting: Counting<'_>,
        previous: &str,
    ) -> Result<Vec<CountChange>>;
    async fn entitlement(
        &self,
        household_id: &HouseholdId,
        cycle_id: &str,
    ) -> Result<Option<Entitlement>>;
    /// The household's entitlements in cycles of these statuses, newest month first.
    async fn household_entitlements(
        &self,
        household_id: &HouseholdId,
        statuses: &[CycleStatus],
    ) -> Result<Vec<(Cycle, Entitlement)>>;
}
