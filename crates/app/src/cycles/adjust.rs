//! In-cycle adjustments (issue 15 point 4; docs/distribution.md, "Changes during an open cycle"): a
//! supervisor of the household's governorate adds to or takes from one item of its entitlement in an
//! approved or open cycle, with a reason; each adjustment is its own line in `cycle_changes` and an
//! audit entry, and the database keeps the item's line whole.

use super::BasketView;
use crate::{Actor, AppError, Registry, Result};
use serde::{Deserialize, Serialize};
use tamwin_domain::CardNumber;
use tamwin_domain::access::Permission;
use tamwin_domain::error::{FieldError, ValidationErrors};
use tamwin_domain::programme::cycle::categories_of;
use tamwin_domain::programme::{CycleStatus, owed};
use tamwin_store::Adjustment;

/// Longest reason kept, in characters.
const REASON_MAX: usize = 500;

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct AdjustmentInput {
    /// An item the cycle's programme gives this household.
    pub item: String,
    /// Signed, in the item's unit (grams, millilitres, loaves, fils or piastres); never zero.
    pub amount: i64,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AdjustmentView {
    pub item: String,
    pub amount: i64,
    pub reason: String,
    pub actor: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub at: jiff::Timestamp,
}

impl AdjustmentView {
    pub fn of(a: &Adjustment) -> Self {
        Self {
            item: a.item.clone(),
            amount: a.amount,
            reason: a.reason.clone(),
            actor: a.actor.clone(),
            at: a.at,
        }
    }
}

fn checked(input: &AdjustmentInput) -> Result<String> {
    let mut errs = ValidationErrors::default();
    if input.amount == 0 {
        errs.push(FieldError::new(
            "amount",
            "adjustment_zero",
            "an adjustment adds or takes a whole, non-zero amount of the item's unit",
        ));
    }
    let reason = input.reason.trim();
    if reason.is_empty() || reason.chars().count() > REASON_MAX {
        errs.push(
            FieldError::new(
                "reason",
                "adjustment_reason",
                "an adjustment needs its reason, at most {max} characters",
            )
            .with("max", REASON_MAX),
        );
    }
    if errs.is_empty() {
        Ok(reason.to_string())
    } else {
        Err(AppError::Validation(errs))
    }
}

impl Registry {
    /// Adjusts one item of the household's entitlement in the cycle; returns the household's basket
    /// in that cycle, adjusted.
    pub async fn adjust_entitlement(
        &self,
        card: &CardNumber,
        cycle_id: &str,
        input: &AdjustmentInput,
        actor: &Actor,
    ) -> Result<BasketView> {
        actor.require(Permission::ManageCycles)?;
        let reason = checked(input)?;
        let r = self.card_in_reach(card, actor).await?;
        let hid = &r.household.household_id;
        let c = self.cycle_for(cycle_id, actor).await?;
        if !matches!(c.status, CycleStatus::Approved | CycleStatus::Open) {
            return Err(super::rule(
                "cycle_not_adjustable",
                vec![("status", c.status.code().into())],
            ));
        }
        let e = self
            .store
            .entitlement(hid, cycle_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let (_, v) = self.cycle_version(&c).await?;
        let lines = owed(&v, c.month, e.persons, &categories_of(e.categories))
            .map_err(|_| AppError::Internal("the programme's amounts overflow".into()))?;
        let Some(base) = lines
            .iter()
            .find(|l| l.item == input.item)
            .map(|l| l.amount)
        else {
            return Err(super::rule(
                "adjustment_item",
                vec![("item", input.item.clone())],
            ));
        };
        let a = Adjustment {
            household_id: hid.clone(),
            cycle_id: cycle_id.to_string(),
            change_id: self.ids.id(),
            item: input.item.clone(),
            amount: input.amount,
            reason: reason.clone(),
            actor: actor.name.clone(),
            at: self.clock.now(),
        };
        let log = self.log(
            "entitlement_adjusted",
            None,
            Some(reason),
            actor,
            serde_json::json!({
                "cycle_id": cycle_id,
                "item": input.item,
                "amount": input.amount,
                "change_id": a.change_id,
            }),
        );
        if self.store.adjust_line(&a, base, &log).await?.is_none() {
            // Closed meanwhile.
            return Err(super::rule(
                "cycle_not_adjustable",
                vec![("status", "closed".into())],
            ));
        }
        self.baskets_of(&r, actor)
            .await?
            .into_iter()
            .find(|b| b.cycle.cycle_id == cycle_id)
            .ok_or(AppError::NotFound)
    }
}
