//! Complaints about outlets (issue 16 point 7; docs/outlets.md, "Complaints"). SQL in
//! `sql_complaints.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::HouseholdId;
use tamwin_domain::complaint::{ComplaintKind, ComplaintStatus};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Complaint {
    pub household_id: HouseholdId,
    pub complaint_id: String,
    pub outlet_code: String,
    pub governorate: String,
    pub kind: ComplaintKind,
    pub redemption_id: Option<String>,
    pub statement: String,
    pub status: ComplaintStatus,
    pub created_at: Timestamp,
    pub assigned_to: Option<String>,
    pub assigned_at: Option<Timestamp>,
    pub resolved_by: Option<String>,
    pub resolved_at: Option<Timestamp>,
    pub reply: Option<String>,
}

#[async_trait]
pub trait ComplaintStore: Send + Sync {
    /// Files a complaint, audited; a collection the family says it did not make is marked disputed in
    /// the same transaction. Another complaint of the kind about the same collection is
    /// `Conflict::Other` (`complaints_one_per_receipt`).
    async fn file_complaint(&self, c: &Complaint, log: &ChangeLog) -> Result<()>;
    async fn complaint(&self, complaint_id: &str) -> Result<Option<Complaint>>;
    /// Assigns a complaint not resolved; false when it was resolved meanwhile.
    async fn assign_complaint(
        &self,
        household_id: &HouseholdId,
        complaint_id: &str,
        to: &str,
        at: Timestamp,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// Resolves an assigned complaint with the reply the citizen reads; false when it was not assigned.
    async fn resolve_complaint(
        &self,
        household_id: &HouseholdId,
        complaint_id: &str,
        by: &str,
        reply: &str,
        at: Timestamp,
        log: &ChangeLog,
    ) -> Result<bool>;
    async fn household_complaints(&self, household_id: &HouseholdId) -> Result<Vec<Complaint>>;
    /// A governorate's complaints, newest first, at most `limit`, optionally of one status.
    async fn governorate_complaints(
        &self,
        governorate: &str,
        status: Option<ComplaintStatus>,
        limit: u32,
    ) -> Result<Vec<Complaint>>;
}
