//! Stock at outlets (issue 16 point 2; docs/outlets.md, "Stock"): when a cycle opens, each agent's
//! allocation per item is computed from its households' entitlements; the warehouse's dispatch and
//! the outlet's receipt (with the reason of a discrepancy) and returns are recorded; collections draw
//! the stock down in their own transaction; the reconciliation per outlet shows allocated, received,
//! handed out, returned and the variance.

use crate::{Actor, AppError, Registry, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use tamwin_domain::access::Permission;
use tamwin_domain::outlet::OutletKind;
use tamwin_domain::programme::cycle::categories_of;
use tamwin_domain::programme::{catalog, owed};
use tamwin_store::{Cycle, Movement, MovementKind, StockRow};

/// One outlet's stock of one item, as the outlet and the reconciliation show it.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StockLine {
    pub outlet_code: String,
    pub cycle_id: String,
    pub item: String,
    pub unit: String,
    pub allocated: i64,
    pub dispatched: i64,
    pub received: i64,
    pub handed_out: i64,
    pub returned: i64,
    /// Received less handed out and returned: what should be on the shelf (below zero: more handed
    /// out than received).
    pub variance: i64,
}

impl StockLine {
    fn of(r: &StockRow) -> Self {
        Self {
            outlet_code: r.outlet_code.clone(),
            cycle_id: r.cycle_id.clone(),
            item: r.item.clone(),
            unit: catalog::unit_of(&r.item)
                .map(|u| u.code().to_string())
                .unwrap_or_else(|| "money".into()),
            allocated: r.allocated,
            dispatched: r.dispatched,
            received: r.received,
            handed_out: r.handed_out,
            returned: r.returned,
            variance: r.on_hand(),
        }
    }
}

/// A dispatch, receipt or return as it is sent.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MovementInput {
    pub cycle_id: String,
    /// Item code to quantity, in the item's unit: whole and above zero.
    #[cfg_attr(feature = "openapi", schema(value_type = BTreeMap<String, i64>))]
    pub items: BTreeMap<String, serde_json::Value>,
    /// Why a receipt differs from the dispatch, or why stock goes back.
    pub reason: Option<String>,
}

impl Registry {
    /// Computes and stores each agent's allocation of a cycle from its households' entitlements: a
    /// ration agent the basket but flour, a flour agent the flour.
    pub(crate) async fn allocate(&self, c: &Cycle, actor: &Actor) -> Result<usize> {
        let (_, v) = self.cycle_version(c).await?;
        let mut by: BTreeMap<(String, String), i64> = BTreeMap::new();
        for t in self.store.agent_totals(&c.cycle_id).await? {
            let kind = if t.flour {
                OutletKind::FlourAgent
            } else {
                OutletKind::RationAgent
            };
            let lines = owed(&v, c.month, t.persons, &categories_of(t.categories))
                .map_err(|_| AppError::Internal("the programme's amounts overflow".into()))?;
            for l in lines.iter().filter(|l| kind.hands_out(&v.benefit, l.item)) {
                *by.entry((t.outlet_code.clone(), l.item.to_string()))
                    .or_default() += l.amount;
            }
        }
        let rows: Vec<(String, String, i64)> =
            by.into_iter().map(|((o, i), q)| (o, i, q)).collect();
        let log = self.log(
            "stock.allocated",
            Some(c.cycle_id.clone()),
            None,
            actor,
            serde_json::json!({ "outlets": rows.len() }),
        );
        self.store.set_allocation(&c.cycle_id, &rows, &log).await?;
        Ok(rows.len())
    }

    /// Computes the allocation again (after households moved between agents).
    pub async fn reallocate(&self, cycle_id: &str, actor: &Actor) -> Result<usize> {
        actor.require(Permission::ManageCycles)?;
        let c = self.cycle_for(cycle_id, actor).await?;
        self.allocate(&c, actor).await
    }

    fn movement_items(&self, input: &MovementInput) -> Result<Vec<(String, i64)>> {
        let mut errs = tamwin_domain::ValidationErrors::default();
        let out = crate::redemption::parse_items(&input.items, false, &mut errs);
        if let Some(r) = &input.reason
            && let Some(e) = tamwin_domain::check_free_text("reason", r.trim(), 500)
        {
            errs.push(e);
        }
        if !errs.is_empty() {
            return Err(AppError::Validation(errs));
        }
        Ok(out)
    }

    async fn record(
        &self,
        outlet: &str,
        c: &Cycle,
        kind: MovementKind,
        items: Vec<(String, i64)>,
        reason: Option<String>,
        actor: &Actor,
    ) -> Result<Vec<StockLine>> {
        let m = Movement {
            outlet_code: outlet.to_string(),
            cycle_id: c.cycle_id.clone(),
            movement_id: self.ids.id(),
            kind,
            items,
            reason: reason.clone(),
            actor: actor.name.clone(),
            at: self.clock.now(),
        };
        let log = self.log(
            match kind {
                MovementKind::Dispatch => "stock.dispatched",
                MovementKind::Receipt => "stock.received",
                MovementKind::Return => "stock.returned",
            },
            Some(outlet.to_string()),
            reason,
            actor,
            serde_json::json!({ "cycle_id": c.cycle_id, "movement_id": m.movement_id,
                "items": m.items.iter().map(|(i, q)| serde_json::json!({ "item": i, "quantity": q })).collect::<Vec<_>>() }),
        );
        self.store.record_movement(&m, &log).await?;
        Ok(self
            .store
            .outlet_stock(outlet, &c.cycle_id)
            .await?
            .iter()
            .map(StockLine::of)
            .collect())
    }

    /// The cycle an outlet's movement is for: of the outlet's governorate, approved or open (stock
    /// arrives before the cycle opens, and is returned before it closes).
    async fn stock_cycle(&self, cycle_id: &str, outlet_district: &str) -> Result<Cycle> {
        use tamwin_domain::programme::CycleStatus;
        let c = self
            .store
            .cycle(cycle_id)
            .await?
            .ok_or(AppError::NotFound)?;
        let gov = self
            .geo
            .district(outlet_district)
            .map(|d| d.governorate_code.as_str());
        if gov != Some(c.governorate.as_str()) {
            return Err(AppError::NotFound);
        }
        if !matches!(c.status, CycleStatus::Approved | CycleStatus::Open) {
            return Err(AppError::rule("no_open_cycle_here"));
        }
        Ok(c)
    }

    /// The warehouse's dispatch to an outlet of the actor's area.
    pub async fn dispatch_stock(
        &self,
        outlet: &str,
        input: &MovementInput,
        actor: &Actor,
    ) -> Result<Vec<StockLine>> {
        actor.require(Permission::ManageOutlets)?;
        let o = self.outlet_in_reach(outlet, actor).await?;
        let items = self.movement_items(input)?;
        let c = self.stock_cycle(&input.cycle_id, &o.district_code).await?;
        let reason = input
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        self.record(
            &o.code,
            &c,
            MovementKind::Dispatch,
            items,
            reason.map(str::to_string),
            actor,
        )
        .await
    }

    /// The outlet's receipt of what was dispatched: a quantity other than what is still on its way
    /// needs its reason.
    pub async fn receive_stock(
        &self,
        input: &MovementInput,
        actor: &Actor,
    ) -> Result<Vec<StockLine>> {
        let o = self.outlet_of_actor(actor).await?;
        let items = self.movement_items(input)?;
        let c = self.stock_cycle(&input.cycle_id, &o.district_code).await?;
        let stock = self.store.outlet_stock(&o.code, &c.cycle_id).await?;
        let differs = items.iter().any(|(item, q)| {
            let due = stock
                .iter()
                .find(|s| s.item == *item)
                .map_or(0, |s| s.dispatched - s.received);
            *q != due
        });
        let reason = input
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        if differs && reason.is_none() {
            return Err(AppError::rule("receipt_reason_missing"));
        }
        self.record(
            &o.code,
            &c,
            MovementKind::Receipt,
            items,
            reason.map(str::to_string),
            actor,
        )
        .await
    }

    /// What the outlet sends back (at the cycle's end, or spoiled), with the reason.
    pub async fn return_stock(
        &self,
        input: &MovementInput,
        actor: &Actor,
    ) -> Result<Vec<StockLine>> {
        let o = self.outlet_of_actor(actor).await?;
        let items = self.movement_items(input)?;
        let c = self.stock_cycle(&input.cycle_id, &o.district_code).await?;
        let reason = input
            .reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty());
        let Some(reason) = reason else {
            return Err(AppError::rule("reason_missing"));
        };
        self.record(
            &o.code,
            &c,
            MovementKind::Return,
            items,
            Some(reason.to_string()),
            actor,
        )
        .await
    }

    /// The outlet's own stock in a cycle.
    pub async fn own_stock(&self, cycle_id: &str, actor: &Actor) -> Result<Vec<StockLine>> {
        let o = self.outlet_of_actor(actor).await?;
        Ok(self
            .store
            .outlet_stock(&o.code, cycle_id)
            .await?
            .iter()
            .map(StockLine::of)
            .collect())
    }

    /// The outlet's own stock in every open cycle of its governorate.
    pub async fn own_stock_now(&self, actor: &Actor) -> Result<Vec<StockLine>> {
        let o = self.outlet_of_actor(actor).await?;
        let gov = self
            .geo
            .district(&o.district_code)
            .map(|d| d.governorate_code.clone());
        let filter = tamwin_store::CycleFilter {
            governorate: gov,
            status: Some(tamwin_domain::programme::CycleStatus::Open),
            ..Default::default()
        };
        let mut out = vec![];
        for c in self.store.cycles(&filter).await? {
            for r in self.store.outlet_stock(&o.code, &c.cycle_id).await? {
                out.push(StockLine::of(&r));
            }
        }
        Ok(out)
    }

    /// Every outlet's stock in a cycle of the actor's area: the reconciliation (quantities, no
    /// personal data).
    pub async fn reconciliation(&self, cycle_id: &str, actor: &Actor) -> Result<Vec<StockLine>> {
        actor.require(Permission::ReadAggregates)?;
        let c = self.cycle_seen(cycle_id, actor).await?;
        Ok(self
            .store
            .cycle_stock(&c.cycle_id)
            .await?
            .iter()
            .map(StockLine::of)
            .collect())
    }
}
