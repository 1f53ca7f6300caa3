//! A household's basket as its page shows it, to the family on a phone and to staff: per item what
//! is owed, what a hold suspends and what is left to collect, and who is counted.

use super::amounts::{item, quantity};
use crate::i18n::Tr;
use tamwin_app::cycles::BasketView;

pub struct BasketLineRow {
    pub code: String,
    pub item: String,
    pub owed: String,
    pub suspended: String,
    pub available: String,
    pub held: bool,
    /// What in-cycle adjustments added or took, when they did.
    pub adjusted: Option<String>,
}

pub struct AdjustmentRow {
    pub item: String,
    pub amount: String,
    pub reason: String,
    pub actor: String,
    pub at: String,
}

pub struct BasketCard {
    pub cycle_id: String,
    /// Approved or open: a cycle manager may adjust it.
    pub adjustable: bool,
    pub programme: String,
    pub month: String,
    pub status: String,
    pub status_label: &'static str,
    pub persons: i64,
    pub members: Vec<(String, bool)>,
    pub whole_suspended: bool,
    pub lines: Vec<BasketLineRow>,
    pub adjustments: Vec<AdjustmentRow>,
}

/// The baskets of cycles that are open (or approved and about to open), newest first; closed ones
/// stay on the API.
pub fn basket_cards(tr: Tr, baskets: &[BasketView]) -> Vec<BasketCard> {
    baskets
        .iter()
        .filter(|b| b.cycle.status != "closed")
        .map(|b| BasketCard {
            cycle_id: b.cycle.cycle_id.clone(),
            adjustable: matches!(b.cycle.status.as_str(), "approved" | "open"),
            programme: super::programme_label(tr, &b.cycle.programme),
            month: b.cycle.month.clone(),
            status: b.cycle.status.clone(),
            status_label: super::status_label(tr, &b.cycle.status),
            persons: b.persons,
            members: b
                .members
                .iter()
                .map(|m| (m.full_name.clone(), m.suspended))
                .collect(),
            whole_suspended: b.suspended_whole,
            lines: b
                .lines
                .iter()
                .map(|l| BasketLineRow {
                    code: l.item.clone(),
                    item: item(tr, &l.item),
                    owed: quantity(tr, &l.unit, l.amount),
                    suspended: quantity(tr, &l.unit, l.suspended),
                    available: quantity(tr, &l.unit, l.available),
                    held: l.suspended > 0,
                    adjusted: (l.adjusted != 0).then(|| quantity(tr, &l.unit, l.adjusted)),
                })
                .collect(),
            adjustments: b
                .adjustments
                .iter()
                .map(|a| {
                    let unit = b
                        .lines
                        .iter()
                        .find(|l| l.item == a.item)
                        .map_or("", |l| l.unit.as_str());
                    AdjustmentRow {
                        item: item(tr, &a.item),
                        amount: quantity(tr, unit, a.amount),
                        reason: a.reason.clone(),
                        actor: a.actor.clone(),
                        at: a.at.strftime("%Y-%m-%d %H:%M").to_string(),
                    }
                })
                .collect(),
        })
        .collect()
}
