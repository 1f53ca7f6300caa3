//! What follows a vital event or a screening decision for a household: suggestions to the head and
//! exemptions with their documents. SQL in `sql_household_events.rs`.

use crate::*;
use async_trait::async_trait;
use tamwin_domain::HouseholdId;

#[async_trait]
pub trait HouseholdEventStore: Send + Sync {
    /// Stores a suggestion (and the message telling the head, in the same transaction); false if the
    /// event already has one.
    async fn save_suggestion(&self, s: &Suggestion, notice: Option<&OutboxMessage>)
    -> Result<bool>;
    /// A household's suggestions, newest first.
    async fn suggestions(&self, household_id: &HouseholdId) -> Result<Vec<Suggestion>>;
    /// Moves a suggestion from `from` to `to`; false if it was not at `from` (decided meanwhile).
    async fn decide_suggestion(
        &self,
        suggestion_id: &str,
        from: &str,
        to: &str,
        at: jiff::Timestamp,
        by: &str,
    ) -> Result<bool>;
    /// Grants an exemption with its document, audited under the member's household.
    async fn save_exemption(
        &self,
        e: &Exemption,
        document: &[u8],
        household_id: &HouseholdId,
        log: &ChangeLog,
    ) -> Result<()>;
    /// A person's exemptions, latest ending first.
    async fn exemptions(&self, national_id: &str) -> Result<Vec<Exemption>>;
    /// One exemption and its document's bytes (empty when it has none).
    async fn exemption_document(&self, exemption_id: &str) -> Result<Option<(Exemption, Vec<u8>)>>;
}
