//! What an outlet sees of a card before a collection (issue 16 point 5): by its QR (the card
//! identified) or by its number typed (a code or fingerprint then identifies it at the collection),
//! the open cycle this outlet hands out, what is left of each item now and who may collect. The read is
//! audited before the data leaves.

use super::ItemLeft;
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::{CardNumber, Presence};

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Collector {
    pub member_no: i64,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OutletCardView {
    pub card_number: String,
    /// The card was identified by its QR; else a code or a fingerprint must identify it.
    pub identified: bool,
    /// The QR as scanned, to send with the collection.
    pub qr: Option<String>,
    /// A code can be sent: the household has a phone on record.
    pub has_phone: bool,
    pub cycle_id: String,
    pub programme: String,
    pub month: String,
    /// Present members not on hold.
    pub collectors: Vec<Collector>,
    pub lines: Vec<ItemLeft>,
}

impl Registry {
    /// A card at this outlet: `scanned` is the QR's text (`TMW1:…`) or the card number typed.
    pub async fn outlet_look_up(&self, scanned: &str, actor: &Actor) -> Result<OutletCardView> {
        let outlet = self.outlet_of_actor(actor).await?;
        let scanned = scanned.trim();
        let (record, qr) = if scanned.starts_with("TMW1:") {
            let card = super::CardPresented {
                qr: Some(scanned.to_string()),
                card_number: None,
                code: None,
                fingerprint: None,
            };
            (
                self.identify(&card, &outlet.code).await?.record,
                Some(scanned.to_string()),
            )
        } else {
            let card = CardNumber::parse(scanned)
                .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
            let r = self
                .store
                .household_by_card(&card)
                .await?
                .ok_or(AppError::NotFound)?;
            (r, None)
        };
        let h = &record.household;
        if !matches!(
            h.state,
            tamwin_domain::CardState::Active | tamwin_domain::CardState::Temporary
        ) {
            return Err(AppError::rule("household_on_hold"));
        }
        let plan = self.plan_collection(&outlet, &record, None, &[]).await?;
        self.record_reads(
            actor,
            "outlet.card_read",
            &[(&h.household_id, &h.card_number)],
        )
        .await?;
        let view = self.redemption_view(
            &tamwin_store::NewRedemption {
                household_id: h.household_id.clone(),
                redemption_id: String::new(),
                cycle_id: plan.cycle.cycle_id.clone(),
                outlet_code: outlet.code.clone(),
                device_id: String::new(),
                device_txn: String::new(),
                collector_member_id: String::new(),
                identified_by: "qr",
                at: self.clock.now(),
                takes: vec![],
                suspended_persons: plan.suspended_persons,
                stock_guard: false,
                proxy: None,
            },
            &outlet,
            &plan,
            &record,
            (record.members[0].member_no, record.members[0].full_name()),
            &[],
            None,
        );
        let collectors = record
            .members
            .iter()
            .filter(|m| m.presence == Presence::Present)
            .filter(|m| {
                !record
                    .active_holds()
                    .any(|x| x.member_id.as_ref() == Some(&m.member_id))
            })
            .map(|m| Collector {
                member_no: m.member_no,
                name: m.full_name(),
            })
            .collect();
        Ok(OutletCardView {
            card_number: h.card_number.to_string(),
            identified: qr.is_some(),
            qr,
            has_phone: h.phone.is_some(),
            cycle_id: plan.cycle.cycle_id.clone(),
            programme: plan.cycle.programme.clone(),
            month: plan.cycle.month.to_string(),
            collectors,
            lines: view.left,
        })
    }
}
