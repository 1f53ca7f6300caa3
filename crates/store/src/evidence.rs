//! What the ration side keeps of its calls to the hub: the evidence of each call and every member's
//! verification state with its retry time. SQL in `sql_evidence.rs`.

use crate::*;
use async_trait::async_trait;
use tamwin_domain::{HouseholdId, MemberId};

#[async_trait]
pub trait EvidenceStore: Send + Sync {
    /// Keeps one call to the hub as evidence.
    async fn save_evidence(&self, e: &Evidence) -> Result<()>;
    /// Keeps the evidence of one call that concerned many records, in one transaction.
    async fn save_evidence_batch(&self, e: &[Evidence]) -> Result<()>;
    /// Records a member's verification state, and the evidence of the call behind it, in one transaction.
    async fn save_verification(
        &self,
        v: &MemberVerification,
        evidence: Option<&Evidence>,
    ) -> Result<()>;
    async fn verification(
        &self,
        household_id: &HouseholdId,
        member_id: &MemberId,
    ) -> Result<Option<MemberVerification>>;
    /// Pending checks whose retry time has come, oldest first.
    async fn due_verifications(
        &self,
        now: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<MemberVerification>>;
    async fn evidence_of(&self, household_id: &HouseholdId) -> Result<Vec<Evidence>>;
}
