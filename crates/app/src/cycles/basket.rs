//! A household's basket in each cycle (issue 15 point 5): per item, what the members counted are owed,
//! what a hold placed since generation suspends, and who is counted. The citizen sees their own; staff
//! see a household of their area; each read is audited before the data leaves.

use super::CycleView;
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::Permission;
use tamwin_domain::programme::cycle::categories_of;
use tamwin_domain::programme::{CycleStatus, catalog, owed};
use tamwin_domain::{CardNumber, HouseholdRecord};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CountedMember {
    pub member_no: i64,
    pub member_id: String,
    pub full_name: String,
    /// A hold placed since the cycle was generated suspends this member's share.
    pub suspended: bool,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BasketLine {
    pub item: String,
    pub unit: String,
    /// Owed for the members counted, after adjustments.
    pub amount: i64,
    /// Of which in-cycle adjustments added (negative: took away).
    pub adjusted: i64,
    /// Of which a hold suspends now.
    pub suspended: i64,
    /// What can be collected: `amount - suspended`, never below zero.
    pub available: i64,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BasketView {
    pub cycle: CycleView,
    /// `basket`, `bread` or `allowance`.
    pub kind: String,
    pub persons: i64,
    pub members: Vec<CountedMember>,
    pub suspended_persons: i64,
    pub suspended_whole: bool,
    pub lines: Vec<BasketLine>,
    /// In-cycle adjustments, oldest first.
    pub adjustments: Vec<super::AdjustmentView>,
}

const SHOWN: [CycleStatus; 3] = [
    CycleStatus::Approved,
    CycleStatus::Open,
    CycleStatus::Closed,
];

impl Registry {
    /// The baskets of a household of the staff member's area, newest month first.
    pub async fn baskets(&self, card: &CardNumber, actor: &Actor) -> Result<Vec<BasketView>> {
        if !actor.is_citizen() {
            actor.require(Permission::ReadPersonal)?;
        }
        let r = self.card_in_reach(card, actor).await?;
        self.baskets_of(&r, actor).await
    }

    /// The citizen's own baskets, in open cycles and the last closed ones.
    pub async fn own_baskets(&self, actor: &Actor) -> Result<Vec<BasketView>> {
        let hid = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let r = self
            .store
            .household_by_id(&hid)
            .await?
            .ok_or(AppError::NotFound)?;
        self.baskets_of(&r, actor).await
    }

    pub(super) async fn baskets_of(
        &self,
        r: &HouseholdRecord,
        actor: &Actor,
    ) -> Result<Vec<BasketView>> {
        let h = &r.household;
        self.record_reads(actor, "baskets.read", &[(&h.household_id, &h.card_number)])
            .await?;
        let stored = self.store.household_lines(&h.household_id).await?;
        let adjustments = self.store.household_adjustments(&h.household_id).await?;
        let mut out = vec![];
        for (c, e) in self
            .store
            .household_entitlements(&h.household_id, &SHOWN)
            .await?
        {
            let (p, v) = self.cycle_version(&c).await?;
            let categories = categories_of(e.categories);
            let overflow = |_| AppError::Internal("the programme's amounts overflow".into());
            let full = owed(&v, c.month, e.persons, &categories).map_err(overflow)?;
            let held = if e.suspended_whole {
                e.persons
            } else {
                e.suspended_persons
            };
            let suspended = owed(&v, c.month, held, &categories).map_err(overflow)?;
            let lines = full
                .iter()
                .map(|l| {
                    let s = suspended
                        .iter()
                        .find(|x| x.item == l.item)
                        .map_or(0, |x| x.amount);
                    let amount = stored
                        .iter()
                        .find(|x| x.cycle_id == c.cycle_id && x.item == l.item)
                        .map_or(l.amount, |x| x.quantity);
                    let s = s.min(amount);
                    BasketLine {
                        item: l.item.to_string(),
                        unit: catalog::unit_of(l.item)
                            .unwrap_or(p.country.money())
                            .code()
                            .to_string(),
                        amount,
                        adjusted: amount - l.amount,
                        suspended: s,
                        available: amount - s,
                    }
                })
                .collect();
            let held_now = |m: &tamwin_domain::Member| {
                e.suspended_whole
                    || r.active_holds().any(|x| {
                        x.member_id.as_ref() == Some(&m.member_id)
                            && x.reason.code() != "no_national_id"
                    })
            };
            let members = e
                .counted
                .iter()
                .filter_map(|no| r.members.iter().find(|m| m.member_no == *no))
                .map(|m| CountedMember {
                    member_no: m.member_no,
                    member_id: m.member_id.as_str().to_string(),
                    full_name: m.full_name(),
                    suspended: held_now(m),
                })
                .collect();
            out.push(BasketView {
                cycle: CycleView::of(&c),
                kind: v.benefit.kind().to_string(),
                persons: e.persons,
                members,
                suspended_persons: e.suspended_persons,
                suspended_whole: e.suspended_whole,
                lines,
                adjustments: adjustments
                    .iter()
                    .filter(|a| a.cycle_id == c.cycle_id)
                    .map(super::AdjustmentView::of)
                    .collect(),
            });
        }
        Ok(out)
    }
}
