//! The reference tables the registry is organised by: governorates, districts, update centres and
//! ration agents, and the warehouses that supply the agents. SQL in `sql_reference.rs`.

use crate::*;
use async_trait::async_trait;
use tamwin_domain::Geography;
use tamwin_domain::geography::{RationAgent, Warehouse};

#[async_trait]
pub trait ReferenceStore: Send + Sync {
    /// Writes the reference tables (governorates, districts, centres), inserting or updating rows.
    async fn save_geography(&self, geo: &Geography) -> Result<()>;
    async fn save_agents(&self, agents: &[RationAgent]) -> Result<()>;
    async fn agents_in_district(&self, district: &str) -> Result<Vec<RationAgent>>;
    /// The agents of these codes that exist.
    async fn agents_of_codes(&self, codes: &[String]) -> Result<Vec<RationAgent>>;
    /// Writes warehouses (inserting or updating) and assigns agents to them, in one transaction.
    async fn save_warehouses(
        &self,
        warehouses: &[Warehouse],
        agents: &[(String, String)],
    ) -> Result<()>;
    /// Every agent that has a warehouse, with it: `(agent code, warehouse)`.
    async fn agent_warehouses(&self) -> Result<Vec<(String, Warehouse)>>;
}
