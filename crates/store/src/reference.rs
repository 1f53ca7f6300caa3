//! The reference tables the registry is organised by: governorates, districts, update centres and
//! ration agents. SQL in `sql_reference.rs`.

use crate::*;
use async_trait::async_trait;
use tamwin_domain::Geography;
use tamwin_domain::geography::RationAgent;

#[async_trait]
pub trait ReferenceStore: Send + Sync {
    /// Writes the reference tables (governorates, districts, centres), inserting or updating rows.
    async fn save_geography(&self, geo: &Geography) -> Result<()>;
    async fn save_agents(&self, agents: &[RationAgent]) -> Result<()>;
    async fn agents_in_district(&self, district: &str) -> Result<Vec<RationAgent>>;
}
