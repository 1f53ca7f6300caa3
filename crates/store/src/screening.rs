//! What the store keeps of screening on the database (issue 6): runs and their progress, findings
//! waiting for an auditor, confirmed findings waiting for their grace period, and citizens' appeals.
//! `Store` includes this interface.

use crate::{ChangeLog, OutboxMessage, Result};
use async_trait::async_trait;
use tamwin_domain::screening::{AppealStatus, FindingKind, FindingStatus, ScreenDecision};
use tamwin_domain::{FindingId, HouseholdId, MemberId};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningRun {
    pub run_id: String,
    pub started_by: String,
    pub started_at: jiff::Timestamp,
    pub finished_at: Option<jiff::Timestamp>,
    /// `running`, `done`, `failed`.
    pub status: String,
    pub phase: String,
    pub done: i64,
    pub total: i64,
    pub written: i64,
    /// The report as text (pairs compared, blocks dropped, findings per kind and decision).
    pub summary: String,
    pub error: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScreeningFinding {
    pub finding_id: FindingId,
    pub run_id: String,
    pub kind: FindingKind,
    pub household_id: HouseholdId,
    pub member_id: MemberId,
    pub other_household_id: Option<HouseholdId>,
    pub other_member_id: Option<MemberId>,
    pub other_national_id: Option<String>,
    /// Stable across runs: the same pair is never raised twice.
    pub pair_key: String,
    pub score_micros: i64,
    pub decision: ScreenDecision,
    pub explanation: String,
    pub status: FindingStatus,
    pub created_at: jiff::Timestamp,
    pub decided_at: Option<jiff::Timestamp>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
    pub effective_at: Option<jiff::Timestamp>,
    pub hold_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Appeal {
    pub appeal_id: String,
    pub finding_id: FindingId,
    pub household_id: HouseholdId,
    pub submitted_at: jiff::Timestamp,
    pub statement: String,
    pub document_name: String,
    pub document_type: String,
    /// Left empty when listing; read with `appeal_document`.
    pub document: Vec<u8>,
    pub status: AppealStatus,
    pub decided_at: Option<jiff::Timestamp>,
    pub decided_by: Option<String>,
    pub decision_note: Option<String>,
}

/// A person as screening reads them: a present member of an open card, or a civil-registry person.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ScreeningPerson {
    /// The card's household id (members), empty for civil-registry persons.
    pub household_id: HouseholdId,
    /// The member id, or the civil registry's national ID.
    pub id: String,
    pub national_id: Option<String>,
    pub given: String,
    pub father: String,
    pub grandfather: String,
    pub family: Option<String>,
    pub mother: String,
    pub birth_date: String,
    pub sex: String,
    /// Civil registry only.
    pub death_date: Option<String>,
    pub abroad_since: Option<String>,
}

/// Which findings to list.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub status: Option<String>,
    pub kind: Option<String>,
    pub decision: Option<String>,
    pub household_id: Option<HouseholdId>,
    /// Households of this governorate, or district, only (the reader's area).
    pub governorate: Option<String>,
    pub district: Option<String>,
    pub limit: u32,
    /// Keyset paging: the page starts after this finding in the queue's order.
    pub after: Option<QueueCursor>,
}

/// A position in the auditors' queue, whose order is decision, strongest score first, finding id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueueCursor {
    pub decision: String,
    pub score_micros: i64,
    pub finding_id: FindingId,
}

/// Who a finding or an appeal concerns, for the auditors' lists: the card and the member.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Concerned {
    pub card_number: String,
    pub governorate_code: String,
    pub district_code: String,
    /// Given, father's, grandfather's and family name, as registered (empty if the member is gone).
    pub member_name: String,
}

/// A finding in the auditors' queue with who it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedFinding {
    pub finding: ScreeningFinding,
    pub who: Concerned,
}

/// An open appeal in the auditors' inbox with its finding's kind and who it concerns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxAppeal {
    pub appeal: Appeal,
    pub kind: FindingKind,
    pub member_id: MemberId,
    pub who: Concerned,
}

/// How many findings of a kind and status lie in an area.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FindingCount {
    pub kind: FindingKind,
    pub status: FindingStatus,
    pub count: i64,
}

/// An auditor's decision on a pending finding.
pub struct FindingDecision<'a> {
    pub finding_id: &'a FindingId,
    /// `Confirmed` or `Cleared`.
    pub status: FindingStatus,
    pub at: jiff::Timestamp,
    pub by: &'a str,
    pub note: &'a str,
    /// Confirmed: when the hold takes effect.
    pub effective_at: Option<jiff::Timestamp>,
    pub log: &'a ChangeLog,
    /// The citizen's notice, queued in the same transaction.
    pub message: Option<&'a OutboxMessage>,
}

#[async_trait]
pub trait ScreeningStore: Send + Sync {
    /// Present members of open households, in (household, member) order after `after`.
    async fn screening_members(
        &self,
        after: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<ScreeningPerson>>;
    /// Starts a run; `Conflict::ScreeningRunning` when one is already running.
    async fn start_screening_run(&self, run: &ScreeningRun, log: &ChangeLog) -> Result<()>;
    async fn screening_progress(
        &self,
        run_id: &str,
        phase: &str,
        done: i64,
        total: i64,
    ) -> Result<()>;
    /// Saves a batch of findings (a pair already known is skipped) and the run's written count, in one
    /// transaction; returns how many were new.
    async fn save_findings(
        &self,
        run_id: &str,
        findings: &[ScreeningFinding],
        written: i64,
    ) -> Result<u64>;
    async fn finish_screening_run(
        &self,
        run_id: &str,
        status: &str,
        summary: &str,
        error: Option<&str>,
        at: jiff::Timestamp,
        log: &ChangeLog,
    ) -> Result<()>;
    async fn screening_runs(&self, limit: u32) -> Result<Vec<ScreeningRun>>;
    /// The run that is running (or queued, or cut short by a stop): at most one.
    async fn running_screening_run(&self) -> Result<Option<ScreeningRun>>;
    async fn screening_run(&self, run_id: &str) -> Result<Option<ScreeningRun>>;
    async fn findings(&self, f: &FindingFilter) -> Result<Vec<ScreeningFinding>>;
    /// The queue: findings with who they concern, in the filter and area, one keyset page.
    async fn finding_queue(&self, f: &FindingFilter) -> Result<Vec<QueuedFinding>>;
    /// Findings by kind and status within an area (governorate and/or district; none: the nation).
    async fn finding_counts(
        &self,
        governorate: Option<&str>,
        district: Option<&str>,
    ) -> Result<Vec<FindingCount>>;
    /// Open appeals within an area, oldest first, after (submitted_at, appeal_id).
    async fn appeal_inbox(
        &self,
        governorate: Option<&str>,
        district: Option<&str>,
        after: Option<(jiff::Timestamp, &str)>,
        limit: u32,
    ) -> Result<Vec<InboxAppeal>>;
    async fn finding(&self, finding_id: &FindingId) -> Result<Option<ScreeningFinding>>;
    /// pending → confirmed or cleared; false when the finding was not pending any more.
    async fn decide_finding(&self, d: &FindingDecision<'_>) -> Result<bool>;
    /// Confirmed findings whose grace period has ended and whose hold is not placed yet.
    async fn due_findings(&self, now: jiff::Timestamp, limit: u32)
    -> Result<Vec<ScreeningFinding>>;
    /// confirmed → in_effect with the hold that was placed.
    async fn finding_in_effect(&self, finding_id: &FindingId, hold_id: &str) -> Result<bool>;
    /// Clears a confirmed or in-effect finding (an appeal upheld); false if it was neither.
    async fn clear_finding(
        &self,
        finding_id: &FindingId,
        at: jiff::Timestamp,
        by: &str,
        note: &str,
    ) -> Result<bool>;
    /// Saves an open appeal; `Conflict::AppealOpen` when the finding has one already.
    async fn submit_appeal(&self, appeal: &Appeal, log: &ChangeLog) -> Result<()>;
    async fn appeals(
        &self,
        status: Option<AppealStatus>,
        household_id: Option<&HouseholdId>,
        limit: u32,
    ) -> Result<Vec<Appeal>>;
    /// The appeal with its document.
    async fn appeal(&self, appeal_id: &str) -> Result<Option<Appeal>>;
    /// open → upheld or rejected; false when it was not open.
    async fn decide_appeal(
        &self,
        appeal_id: &str,
        status: AppealStatus,
        at: jiff::Timestamp,
        by: &str,
        note: &str,
        log: &ChangeLog,
    ) -> Result<bool>;
}
