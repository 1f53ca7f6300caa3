//! Unified cards: issued by the registry with a QR signed in the project's payload format
//! (`tamwin-card`: CBOR, COSE_Sign1 Ed25519, zlib, Base45, `TMW1:`), verifiable offline with the
//! registry's public key; and "your card at home" delivery orders whose tracking the holder can read.

use crate::server::HubServer;
use std::collections::BTreeMap;
use tamwin_domain::delivery::DeliveryStatus;
use tamwin_hub::HubErrorCode;
use tamwin_hub::services::{CardDeliveries, CardDeliveryQuery, DeliveryOrder, DeliveryStep};
use tamwin_store::{CardDelivery, CivilCard, CivilStore};

/// A unified card is valid ten years.
pub const CARD_YEARS: i64 = 10;
/// The most people one tracking question may name (a household).
pub const MAX_PEOPLE: usize = 40;

impl HubServer {
    /// The key ring that verifies the registry's card QR codes (its one key, from the Unix epoch).
    pub fn card_keys(&self) -> tamwin_card::KeyRing {
        let mut k = tamwin_card::KeyRing::new();
        k.add(self.key_id.clone(), self.key.verifying_key(), 0, None);
        k
    }

    /// Issues a unified card to a living person on file (an earlier one becomes `replaced`) and, with
    /// an address, opens a home-delivery order.
    pub async fn issue_card(
        &self,
        national_id: &str,
        deliver_to: Option<&str>,
    ) -> Result<(CivilCard, Option<CardDelivery>), String> {
        let id = tamwin_domain::NationalId::parse(national_id).map_err(|e| e.message_en)?;
        let p = self
            .store
            .civil_person(id.as_str())
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no person with this national ID")?;
        if p.death_date.is_some() {
            return Err("the holder is deceased".into());
        }
        if let Some(a) = deliver_to
            && (a.trim().is_empty() || tamwin_domain::check_free_text("address", a, 200).is_some())
        {
            return Err("the delivery address is empty or not valid text".into());
        }
        let now = (self.now)();
        let expires = now
            .checked_add(jiff::SignedDuration::from_hours(24 * 365 * CARD_YEARS))
            .map_err(|e| e.to_string())?;
        for attempt in 0..5 {
            // Twelve digits: at national scale a random number still collides now and then.
            let card_number = format!(
                "IQ{:012}",
                uuid::Uuid::new_v4().as_u128() % 1_000_000_000_000
            );
            let name = [
                Some(p.given_name.as_str()),
                Some(p.father_name.as_str()),
                Some(p.grandfather_name.as_str()),
                p.family_name.as_deref(),
            ]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" ");
            let claims = BTreeMap::from([
                ("national_id".to_string(), p.national_id.clone()),
                ("name".to_string(), name),
                ("mother_name".to_string(), p.mother_name.clone()),
                ("birth_date".to_string(), p.birth_date.clone()),
                ("sex".to_string(), p.sex.clone()),
                ("card_number".to_string(), card_number.clone()),
            ]);
            let signer = tamwin_card::Signer::new(self.key_id.clone(), self.key.clone())
                .map_err(|e| e.message_en().to_string())?;
            let qr = tamwin_card::sign(
                &tamwin_card::Payload {
                    kind: tamwin_card::Kind::NationalCard,
                    issued_at: now.as_second(),
                    expires_at: expires.as_second(),
                    claims,
                },
                &signer,
            )
            .map_err(|e| e.message_en().to_string())?;
            let card = CivilCard {
                card_id: uuid::Uuid::now_v7().to_string(),
                national_id: p.national_id.clone(),
                card_number,
                issued_at: now,
                expires_at: expires,
                status: "valid".into(),
                qr,
            };
            let delivery = deliver_to.map(|a| CardDelivery {
                order_id: uuid::Uuid::now_v7().to_string(),
                card_id: card.card_id.clone(),
                national_id: p.national_id.clone(),
                address: a.trim().to_string(),
                status: DeliveryStatus::Requested,
                created_at: now,
                updated_at: now,
                steps: vec![],
            });
            match self.store.civil_issue_card(&card, delivery.as_ref()).await {
                Ok(()) => return Ok((card, delivery)),
                // Another card got this number, or another issue for the same person committed first:
                // a fresh number, and the other card becomes `replaced`.
                Err(tamwin_store::StoreError::Conflict(..)) if attempt < 4 => continue,
                Err(e) => return Err(e.to_string()),
            }
        }
        Err("no free card number after several attempts".into())
    }

    /// Moves a delivery order on (printed, out for delivery, delivered, failed); refuses a step the
    /// order's state does not allow, and a step lost to a concurrent one.
    pub async fn advance_delivery(
        &self,
        order_id: &str,
        to: &str,
        note: &str,
    ) -> Result<CardDelivery, String> {
        let next = DeliveryStatus::parse(to).ok_or("unknown delivery status")?;
        let d = self
            .store
            .card_delivery(order_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("no such delivery order")?;
        if !d.status.may_become(next) {
            return Err(format!(
                "an order {} cannot become {}",
                d.status.code(),
                next.code()
            ));
        }
        if !self
            .store
            .card_delivery_step(
                order_id,
                d.status.code(),
                next.code(),
                (self.now)(),
                note.trim(),
            )
            .await
            .map_err(|e| e.to_string())?
        {
            return Err("the order changed meanwhile; read it again".into());
        }
        self.store
            .card_delivery(order_id)
            .await
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "no such delivery order".to_string())
    }
}

/// The `card-delivery` service: the orders of the people asked about (a household), for tracking.
pub async fn card_deliveries(
    store: &dyn CivilStore,
    q: &CardDeliveryQuery,
) -> Result<CardDeliveries, HubErrorCode> {
    if q.national_ids.is_empty() || q.national_ids.len() > MAX_PEOPLE {
        return Err(HubErrorCode::InvalidInput);
    }
    let mut orders = Vec::new();
    for n in &q.national_ids {
        let id = tamwin_domain::NationalId::parse(n).map_err(|_| HubErrorCode::InvalidInput)?;
        for d in store
            .card_deliveries(id.as_str())
            .await
            .map_err(|_| HubErrorCode::Unavailable)?
        {
            orders.push(DeliveryOrder {
                national_id: d.national_id,
                order_id: d.order_id,
                // The hub's wire form is the code.
                status: d.status.code().to_string(),
                updated_at: d.updated_at.to_string(),
                steps: d
                    .steps
                    .into_iter()
                    .map(|(status, at, note)| DeliveryStep {
                        status: status.code().to_string(),
                        at: at.to_string(),
                        note,
                    })
                    .collect(),
            });
        }
    }
    Ok(CardDeliveries { orders })
}
