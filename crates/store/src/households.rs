//! The household registry: households with their members and holds, each change under optimistic
//! versioning with its history entry and idempotency key, lookups by card, national ID, phone and name,
//! bulk import and the registry's counts. SQL in `sql_households.rs`.

use crate::*;
use async_trait::async_trait;
use tamwin_domain::{CardNumber, HouseholdId, HouseholdRecord, NationalId};

#[async_trait]
pub trait HouseholdStore: Send + Sync {
    /// Inserts a new household with its members and holds, and the idempotency entry if given.
    async fn create_household(
        &self,
        rec: &HouseholdRecord,
        log: &ChangeLog,
        idem: Option<&IdemEntry>,
    ) -> Result<()>;
    /// Writes a change to one household if its version is still `change.expected_version`.
    async fn save_change(&self, change: &HouseholdChange, idem: Option<&IdemEntry>) -> Result<()>;
    async fn household_by_card(&self, card: &CardNumber) -> Result<Option<HouseholdRecord>>;
    /// The household a card number belongs to, without reading the household (one index lookup).
    async fn household_id_by_card(&self, card: &CardNumber) -> Result<Option<HouseholdId>>;
    async fn household_by_national_id(&self, id: &NationalId) -> Result<Option<HouseholdRecord>>;
    /// Which of these national IDs already belong to an open household, and to which card.
    async fn national_id_owners(&self, ids: &[NationalId])
    -> Result<Vec<(NationalId, CardNumber)>>;
    /// Present members whose name key, or given-and-family key, starts with `key` on a word boundary.
    async fn search_by_name(
        &self,
        key: &str,
        birth_year: Option<i16>,
        scope: &Scope,
        limit: u32,
    ) -> Result<Vec<NameHit>>;
    /// The households holding these card numbers, whole, in no particular order; one statement for
    /// any number of cards (a bulk import asks it of every batch to skip what an earlier run wrote).
    async fn households_by_cards(&self, cards: &[CardNumber]) -> Result<Vec<HouseholdRecord>>;
    /// One page of households in card-number order after `filter.after`.
    async fn list_households(&self, filter: &ListFilter) -> Result<Vec<HouseholdSummary>>;
    async fn idempotency_entry(&self, key: &str) -> Result<Option<IdemEntry>>;
    /// Inserts many new households in one transaction, each with its history entry: all or none.
    async fn import_batch(&self, batch: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()>;
    /// Removes a household and everything of it, in one transaction. Only for undoing an import that
    /// turned out incomplete (docs/formats.md, grouping rule); a registered household is closed instead.
    async fn delete_imported(&self, rec: &HouseholdRecord, log: &ChangeLog) -> Result<()>;
    async fn household_by_id(&self, household_id: &HouseholdId) -> Result<Option<HouseholdRecord>>;
    /// The open household registered with this mobile number.
    async fn household_by_phone(&self, phone: &tamwin_domain::Phone)
    -> Result<Option<HouseholdId>>;
    /// Households and present members by district and state, within the scope.
    async fn household_stats(&self, scope: &Scope) -> Result<Vec<AreaCount>>;
    async fn count_households(&self) -> Result<i64>;
    async fn count_members(&self) -> Result<i64>;
}
