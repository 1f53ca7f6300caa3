//! What eligibility rules read of a household (issue 15 point 2): the head's employment sector and
//! declared income, the household's income or income band, and the social-protection ministry's lists. Kept on the
//! household row, changed with an audit entry. SQL in `sql_eligibility.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use tamwin_domain::programme::Category;
use tamwin_domain::{HouseholdId, NationalId};

/// `None`: not declared; a rule never excludes on it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Declarations {
    /// One of `eligibility::SECTORS`.
    pub head_sector: Option<String>,
    /// In the country's smallest money unit (fils, piastres).
    pub head_monthly_income: Option<i64>,
    pub household_monthly_income: Option<i64>,
    pub social_welfare: bool,
    pub low_income: bool,
    /// One of `income_band::INCOME_BANDS` (Egypt).
    pub income_band: Option<String>,
}

#[async_trait]
pub trait EligibilityStore: Send + Sync {
    async fn declarations(&self, household_id: &HouseholdId) -> Result<Option<Declarations>>;
    /// Replaces the household's declarations, with its change history entry and audit entry; false
    /// when there is no such household.
    async fn set_declarations(
        &self,
        household_id: &HouseholdId,
        d: &Declarations,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// Replaces the declarations of many households in one transaction, each with its change history
    /// entry and audit entry (a declarations file is applied whole or not at all).
    async fn set_many_declarations(
        &self,
        changes: &[(HouseholdId, Declarations, ChangeLog)],
    ) -> Result<()>;
    /// The open households on a list now.
    async fn households_on_list(&self, list: Category) -> Result<Vec<HouseholdId>>;
    /// The households national IDs belong to (present members of open households).
    async fn households_of_ids(&self, ids: &[NationalId])
    -> Result<Vec<(NationalId, HouseholdId)>>;
    /// Puts households on and off a list in one transaction, each with its change history entry and
    /// audit entry: a list is applied whole or not at all.
    async fn apply_list(
        &self,
        list: Category,
        on: &[(HouseholdId, ChangeLog)],
        off: &[(HouseholdId, ChangeLog)],
    ) -> Result<()>;
}
