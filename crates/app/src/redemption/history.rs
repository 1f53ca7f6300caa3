//! The citizen's side of distribution (issue 16 point 6): each collection of the household, by cycle —
//! what, how much, where, when and who collected, and whether it was voided — and the household's
//! agents with their address and opening days. The read is audited before the data leaves.

use super::ItemTaken;
use crate::outlets::OutletView;
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::programme::catalog;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CollectionView {
    pub redemption_id: String,
    pub cycle_id: String,
    pub programme: String,
    pub month: String,
    pub outlet_code: String,
    pub outlet_name: String,
    /// `ration_agent`, `flour_agent`, `bakery`, `commodity_outlet`.
    pub outlet_kind: String,
    pub at: String,
    pub collector_name: String,
    /// Collected by a proxy under a power of attorney.
    pub by_proxy: bool,
    /// `qr`, `otp`, `fingerprint`.
    pub identified_by: String,
    pub taken: Vec<ItemTaken>,
    pub voided_at: Option<String>,
    pub void_reason: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CitizenDistribution {
    /// The household's ration agent and flour agent, where assigned.
    pub agents: Vec<OutletView>,
    /// Newest first.
    pub collections: Vec<CollectionView>,
}

impl Registry {
    /// The signed-in citizen's agents and collections.
    pub async fn own_collections(&self, actor: &Actor) -> Result<CitizenDistribution> {
        let hid = actor.citizen_household().ok_or(AppError::Forbidden)?;
        let r = self
            .store
            .household_by_id(&hid)
            .await?
            .ok_or(AppError::NotFound)?;
        let h = &r.household;
        self.record_reads(
            actor,
            "collections.read",
            &[(&h.household_id, &h.card_number)],
        )
        .await?;
        let mut agents = vec![];
        for code in [&h.agent_code, &h.flour_agent_code].into_iter().flatten() {
            if let Some(o) = self.store.outlet(code).await? {
                agents.push(OutletView::of(&o, &self.geo));
            }
        }
        let mut collections = vec![];
        let mut outlets: Vec<tamwin_domain::outlet::Outlet> = vec![];
        let mut cycles: Vec<tamwin_store::Cycle> = vec![];
        for red in self.store.household_redemptions(&hid).await? {
            if !outlets.iter().any(|o| o.code == red.outlet_code)
                && let Some(o) = self.store.outlet(&red.outlet_code).await?
            {
                outlets.push(o);
            }
            if !cycles.iter().any(|c| c.cycle_id == red.cycle_id)
                && let Some(c) = self.store.cycle(&red.cycle_id).await?
            {
                cycles.push(c);
            }
            let o = outlets.iter().find(|o| o.code == red.outlet_code);
            let c = cycles.iter().find(|c| c.cycle_id == red.cycle_id);
            // A proxy is not on this card: the name their own card gave.
            let collector = match &red.proxy {
                Some((_, _, name)) => name.clone(),
                None => r
                    .members
                    .iter()
                    .find(|m| m.member_id.as_str() == red.collector_member_id)
                    .map(|m| m.full_name())
                    .unwrap_or_default(),
            };
            collections.push(CollectionView {
                redemption_id: red.redemption_id.clone(),
                cycle_id: red.cycle_id.clone(),
                programme: c.map(|c| c.programme.clone()).unwrap_or_default(),
                month: c.map(|c| c.month.to_string()).unwrap_or_default(),
                outlet_code: red.outlet_code.clone(),
                outlet_name: o.map(|o| o.name_ar.clone()).unwrap_or_default(),
                outlet_kind: o.map(|o| o.kind.code().to_string()).unwrap_or_default(),
                at: red.at.to_string(),
                collector_name: collector,
                by_proxy: red.proxy.is_some(),
                identified_by: red.identified_by.clone(),
                taken: red
                    .lines
                    .iter()
                    .map(|(item, q)| ItemTaken {
                        item: item.clone(),
                        unit: catalog::unit_of(item)
                            .map(|u| u.code().to_string())
                            .unwrap_or_else(|| "money".into()),
                        quantity: *q,
                    })
                    .collect(),
                voided_at: red.voided_at.map(|t| t.to_string()),
                void_reason: red.void_reason.clone(),
            });
        }
        Ok(CitizenDistribution {
            agents,
            collections,
        })
    }
}
