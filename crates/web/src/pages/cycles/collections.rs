//! The family's collections and its agents as the citizen's page shows them (issue 16 point 6): where
//! to collect (name, address, days and hours), and each collection of the cycle — what, how much, where,
//! when, who — so that a family notices a collection it did not make.

use super::amounts::{item, quantity};
use crate::i18n::Tr;
use tamwin_app::redemption::CitizenDistribution;

pub struct AgentCard {
    pub code: String,
    pub kind: String,
    pub name: String,
    pub address: String,
    pub days: String,
    pub hours: String,
}

pub struct CollectionRow {
    pub redemption_id: String,
    pub month: String,
    pub programme: String,
    pub outlet: String,
    pub outlet_code: String,
    pub at: String,
    pub collector: String,
    pub taken: Vec<(String, String)>,
    pub voided: Option<String>,
}

pub struct CollectionsView {
    pub agents: Vec<AgentCard>,
    pub rows: Vec<CollectionRow>,
    /// Outlets the family may complain about: its agents and where it collected, `(code, name)`.
    pub outlets: Vec<(String, String)>,
}

pub fn collections_view(tr: Tr, d: &CitizenDistribution) -> CollectionsView {
    CollectionsView {
        agents: d
            .agents
            .iter()
            .map(|o| AgentCard {
                code: o.code.clone(),
                kind: tr.t(&format!("outlet_kind_{}", o.kind)).to_string(),
                name: o.name_ar.clone(),
                address: o.address.clone(),
                days: o
                    .opening_days
                    .iter()
                    .map(|d| tr.t(&format!("weekday_{d}")))
                    .collect::<Vec<_>>()
                    .join(tr.t("list_sep")),
                hours: format!("{}–{}", o.opens, o.closes),
            })
            .collect(),
        rows: d
            .collections
            .iter()
            .map(|c| CollectionRow {
                redemption_id: c.redemption_id.clone(),
                month: c.month.clone(),
                programme: super::programme_label(tr, &c.programme),
                outlet: c.outlet_name.clone(),
                outlet_code: c.outlet_code.clone(),
                at: crate::display::local_time_str(&c.at),
                collector: c.collector_name.clone(),
                taken: c
                    .taken
                    .iter()
                    .map(|t| (item(tr, &t.item), quantity(tr, &t.unit, t.quantity)))
                    .collect(),
                voided: c.void_reason.clone(),
            })
            .collect(),
        outlets: {
            let mut o: Vec<(String, String)> = d
                .agents
                .iter()
                .map(|a| (a.code.clone(), a.name_ar.clone()))
                .chain(
                    d.collections
                        .iter()
                        .map(|c| (c.outlet_code.clone(), c.outlet_name.clone())),
                )
                .collect();
            o.sort();
            o.dedup();
            o
        },
    }
}
