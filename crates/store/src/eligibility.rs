//! What eligibility rules read of a household (issue 15 point 2): the head's employment sector and
//! declared income, the household's income, and the social-protection ministry's lists. Kept on the
//! household row, changed with an audit entry. SQL in `sql_eligibility.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use tamwin_domain::HouseholdId;

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
}
