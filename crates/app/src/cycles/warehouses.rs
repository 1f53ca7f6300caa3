//! A dry run's tonnage per warehouse (issue 15 point 3): the agents' quantities summed by the warehouse
//! that supplies each agent (`ReferenceStore::agent_warehouses`, from the warehouses file).

use super::dry_run::{AgentTonnage, ItemAmount};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use tamwin_domain::geography::Warehouse;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WarehouseTonnage {
    /// None: agents no warehouse supplies yet, and households with no agent.
    pub warehouse: Option<String>,
    pub name_ar: Option<String>,
    pub agents: i64,
    pub households: i64,
    pub persons: i64,
    pub items: Vec<ItemAmount>,
}

/// One warehouse's line being summed, and its items by (item, unit).
type Sum<'a> = (WarehouseTonnage, BTreeMap<(&'a str, &'a str), i64>);

/// The agents' totals by warehouse, warehouses in code order and the unsupplied last.
pub(crate) fn by_warehouse(
    agents: &[AgentTonnage],
    supplier: &HashMap<String, Warehouse>,
) -> Vec<WarehouseTonnage> {
    let mut out: BTreeMap<Option<&str>, Sum<'_>> = BTreeMap::new();
    for a in agents {
        let w = a.agent.as_deref().and_then(|c| supplier.get(c));
        let (t, items) = out.entry(w.map(|w| w.code.as_str())).or_insert_with(|| {
            (
                WarehouseTonnage {
                    warehouse: w.map(|w| w.code.clone()),
                    name_ar: w.map(|w| w.name_ar.clone()),
                    agents: 0,
                    households: 0,
                    persons: 0,
                    items: vec![],
                },
                BTreeMap::new(),
            )
        });
        t.agents += i64::from(a.agent.is_some());
        t.households += a.households;
        t.persons += a.persons;
        for i in &a.items {
            *items.entry((i.item.as_str(), i.unit.as_str())).or_default() += i.amount;
        }
    }
    let mut rows: Vec<WarehouseTonnage> = out
        .into_values()
        .map(|(mut t, items)| {
            t.items = items
                .into_iter()
                .map(|((item, unit), amount)| ItemAmount {
                    item: item.to_string(),
                    unit: unit.to_string(),
                    amount,
                })
                .collect();
            t
        })
        .collect();
    // `None` sorts first in the map; the unsupplied go last.
    rows.sort_by_key(|t| t.warehouse.is_none());
    rows
}
