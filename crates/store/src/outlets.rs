//! Outlets as data (issue 16 point 1; docs/outlets.md): the ration agents, flour agents, bakeries and
//! commodity outlets, their licence, and the households assigned to the agents. SQL in
//! `sql_outlets.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use tamwin_domain::outlet::{Licence, Outlet, OutletKind};

/// Which agent of a household a move or an assignment is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AgentSlot {
    /// `households.agent_code`.
    Ration,
    /// `households.flour_agent_code`.
    Flour,
}

impl AgentSlot {
    pub const fn of(kind: OutletKind) -> Option<AgentSlot> {
        match kind {
            OutletKind::RationAgent => Some(AgentSlot::Ration),
            OutletKind::FlourAgent => Some(AgentSlot::Flour),
            _ => None,
        }
    }
    pub(crate) const fn column(self) -> &'static str {
        match self {
            AgentSlot::Ration => "agent_code",
            AgentSlot::Flour => "flour_agent_code",
        }
    }
}

#[async_trait]
pub trait OutletStore: Send + Sync {
    /// Writes outlets, inserting or updating each by code (its licence included, its warehouse left
    /// to the warehouses file), with one audit entry, in one transaction.
    async fn save_outlets(&self, outlets: &[Outlet], log: &ChangeLog) -> Result<()>;
    async fn outlet(&self, code: &str) -> Result<Option<Outlet>>;
    /// The outlets of these districts, by district, kind and code.
    async fn outlets_in(&self, districts: &[String]) -> Result<Vec<Outlet>>;
    /// Sets an outlet's licence if it is still `from`; false when it was not.
    async fn set_licence(
        &self,
        code: &str,
        from: Licence,
        to: Licence,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// Moves every household of one agent to another (same slot), bumping each household's version,
    /// with one audit entry; returns how many moved.
    async fn move_households(
        &self,
        slot: AgentSlot,
        from: &str,
        to: &str,
        log: &ChangeLog,
    ) -> Result<u64>;
    /// Households assigned to an agent.
    async fn households_of_agent(&self, slot: AgentSlot, code: &str) -> Result<i64>;
    /// Assigns households (by id) to agents, one audit entry per household, in one transaction.
    async fn assign_agents(
        &self,
        slot: AgentSlot,
        assignments: &[(tamwin_domain::HouseholdId, String)],
        logs: &[ChangeLog],
    ) -> Result<()>;
}
