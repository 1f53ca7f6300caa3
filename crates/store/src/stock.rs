//! Stock at outlets (issue 16 point 2; docs/outlets.md, "Stock"): each outlet's allocation per cycle and
//! item from its households' entitlements, what the warehouse dispatched and the outlet received and
//! returned, and what it handed out (drawn by each collection in its own transaction, in
//! `sql_redemptions.rs`). SQL in `sql_stock.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;

/// The entitlements of a cycle grouped by the agent that hands them out: a ration agent (the
/// entitlement's) or a flour agent (the household's), and the categories that give a supplement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentTotal {
    pub outlet_code: String,
    pub flour: bool,
    /// `entitlements.categories` bits.
    pub categories: i64,
    pub households: i64,
    pub persons: i64,
}

/// One outlet's stock of one item in a cycle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StockRow {
    pub outlet_code: String,
    pub cycle_id: String,
    pub item: String,
    pub allocated: i64,
    pub dispatched: i64,
    pub received: i64,
    pub handed_out: i64,
    pub returned: i64,
}

impl StockRow {
    /// What the outlet should still hold: received less handed out and returned (below zero: it
    /// handed out more than it received).
    pub fn on_hand(&self) -> i64 {
        self.received - self.handed_out - self.returned
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MovementKind {
    Dispatch,
    Receipt,
    Return,
}

impl MovementKind {
    pub const fn code(self) -> &'static str {
        match self {
            MovementKind::Dispatch => "dispatch",
            MovementKind::Receipt => "receipt",
            MovementKind::Return => "return",
        }
    }
    pub(crate) const fn column(self) -> &'static str {
        match self {
            MovementKind::Dispatch => "dispatched",
            MovementKind::Receipt => "received",
            MovementKind::Return => "returned",
        }
    }
}

/// A dispatch, receipt or return of some items at one outlet in one cycle.
#[derive(Debug, Clone)]
pub struct Movement {
    pub outlet_code: String,
    pub cycle_id: String,
    pub movement_id: String,
    pub kind: MovementKind,
    /// `(item, quantity)`, each above zero.
    pub items: Vec<(String, i64)>,
    pub reason: Option<String>,
    pub actor: String,
    pub at: Timestamp,
}

#[async_trait]
pub trait StockStore: Send + Sync {
    /// The cycle's entitlements grouped by ration agent and by flour agent (households with none are
    /// left out), with their categories.
    async fn agent_totals(&self, cycle_id: &str) -> Result<Vec<AgentTotal>>;
    /// Sets the allocation of each `(outlet, item)` of a cycle (rows written if missing), with one
    /// audit entry, in one transaction.
    async fn set_allocation(
        &self,
        cycle_id: &str,
        rows: &[(String, String, i64)],
        log: &ChangeLog,
    ) -> Result<()>;
    /// Records a movement and adds it to the outlet's stock, with its audit entry, in one transaction.
    async fn record_movement(&self, m: &Movement, log: &ChangeLog) -> Result<()>;
    /// An outlet's stock in a cycle, by item.
    async fn outlet_stock(&self, outlet: &str, cycle_id: &str) -> Result<Vec<StockRow>>;
    /// Every outlet's stock in a cycle, by outlet and item.
    async fn cycle_stock(&self, cycle_id: &str) -> Result<Vec<StockRow>>;
}
