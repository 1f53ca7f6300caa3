//! "Your card at home" as the citizen sees it: the delivery orders of their household's members,
//! asked of the civil registry through the hub (the registry prints and carries the unified card).

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_hub::services::{CardDeliveries, CardDeliveryQuery, Service};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DeliveryView {
    pub member_name: String,
    pub national_id: String,
    pub order_id: String,
    pub status: String,
    pub status_ar: String,
    pub status_en: String,
    /// (status, time, note), oldest first.
    pub steps: Vec<(String, String, String)>,
}

impl Registry {
    /// The citizen's household's card deliveries. Without a hub, or when it does not answer, an error
    /// the page shows as "tracking unavailable now"; the rest of the page does not depend on it.
    pub async fn own_card_deliveries(&self, actor: &Actor) -> Result<Vec<DeliveryView>> {
        let hid = Self::own_household_id(actor)?;
        let rec = self
            .store
            .household_by_id(hid)
            .await?
            .ok_or(AppError::NotFound)?;
        let members: Vec<(String, String)> = rec
            .present_members()
            .filter_map(|m| {
                m.national_id.as_ref().map(|n| {
                    (
                        n.as_str().to_string(),
                        format!("{} {}", m.data.given_name, m.data.father_name),
                    )
                })
            })
            .collect();
        if members.is_empty() {
            return Ok(vec![]);
        }
        let hub = self.hub()?;
        let q = CardDeliveryQuery {
            national_ids: members.iter().map(|(n, _)| n.clone()).collect(),
        };
        let (_, answer) = hub
            .call::<_, CardDeliveries>(Service::CardDelivery, &q)
            .await;
        let c = answer.map_err(|e| AppError::Internal(format!("card delivery: {e:?}")))?;
        let orders = c.envelope.response.map(|r| r.orders).unwrap_or_default();
        Ok(orders
            .into_iter()
            .map(|o| {
                let status = tamwin_domain::delivery::DeliveryStatus::parse(&o.status);
                DeliveryView {
                    member_name: members
                        .iter()
                        .find(|(n, _)| *n == o.national_id)
                        .map(|(_, name)| name.clone())
                        .unwrap_or_default(),
                    national_id: o.national_id,
                    order_id: o.order_id,
                    status_ar: status.map(|s| s.label_ar()).unwrap_or_default().into(),
                    status_en: status.map(|s| s.label_en()).unwrap_or_default().into(),
                    status: o.status,
                    steps: o
                        .steps
                        .into_iter()
                        .map(|s| (s.status, s.at, s.note))
                        .collect(),
                }
            })
            .collect())
    }
}
