//! Temporary electronic ration cards (issue 5, point 4): issued at the visit to a member seen in person
//! without the unified national card, for a few months (6 by default), signed like every card and
//! clearly marked temporary. When the member's unified card is linked and the hub reports it valid, the
//! temporary card is converted; when it runs out first, the member is held with the cure path.

use crate::{Actor, AppError, HoldInput, Registry, Result};
use serde::Serialize;
use std::collections::BTreeMap;
use tamwin_card::{Kind, Payload};
use tamwin_domain::access::Permission;
use tamwin_domain::appointment::{AppointmentStatus, Attendance, TemporaryCardStatus};
use tamwin_domain::{AppointmentId, HoldReason, HouseholdId, MemberId};
use tamwin_hub::services::{CardStatus, NationalIdQuery, Service};
use tamwin_store::{Conflict, StoreError, TemporaryCard};

/// How long a temporary card lasts unless configured otherwise.
pub const TEMPORARY_CARD_MONTHS: i64 = 6;

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TemporaryCardView {
    pub card_id: String,
    pub card_number: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    pub member_name: String,
    pub issued_at: String,
    pub expires_at: String,
    /// `active`, `converted`, `expired`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub status: TemporaryCardStatus,
    pub national_id: Option<String>,
    /// The signed QR text, marked as a temporary card (`kind` = `tc`).
    pub token: Option<String>,
}

impl Registry {
    fn temporary_view(
        &self,
        c: &TemporaryCard,
        card_number: &str,
        name: &str,
    ) -> Result<TemporaryCardView> {
        let token = match (&self.forms, c.status) {
            (Some(keys), TemporaryCardStatus::Active) => {
                let mut claims = BTreeMap::new();
                claims.insert("card_id".to_string(), c.card_id.clone());
                claims.insert("card_number".to_string(), card_number.to_string());
                claims.insert("name".to_string(), name.to_string());
                claims.insert("temporary".to_string(), "true".to_string());
                let p = Payload {
                    kind: Kind::TemporaryCard,
                    issued_at: c.issued_at.as_second(),
                    expires_at: c.expires_at.as_second(),
                    claims,
                };
                Some(tamwin_card::sign(&p, &keys.signer).map_err(|e| {
                    AppError::Internal(format!("signing a temporary card: {}", e.code()))
                })?)
            }
            _ => None,
        };
        Ok(TemporaryCardView {
            card_id: c.card_id.clone(),
            card_number: card_number.to_string(),
            member_id: c.member_id.clone(),
            member_name: name.to_string(),
            issued_at: c.issued_at.to_string(),
            expires_at: c.expires_at.to_string(),
            status: c.status,
            national_id: c.national_id.clone(),
            token,
        })
    }

    /// Issues a temporary card at a checked-in visit to a member recorded present whose originals did
    /// not include the unified national card.
    pub async fn issue_temporary_card(
        &self,
        appointment_id: &AppointmentId,
        member_id: &MemberId,
        actor: &Actor,
    ) -> Result<TemporaryCardView> {
        actor.require(Permission::VerifyInPerson)?;
        let v = self.visit(appointment_id, actor).await?;
        let rec = self
            .store
            .appointment(appointment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        // A member on the booking, or one the head proposed and the officer added at this visit (seen
        // with the documents, and the one most likely to have no unified card yet).
        let (name, present, unified) = match v.members.iter().find(|m| m.member_id == *member_id) {
            Some(m) => (
                m.name.clone(),
                m.attendance == Attendance::Present,
                m.documents_seen.iter().any(|d| d == "unified_card"),
            ),
            None => {
                if !v
                    .proposed_members
                    .iter()
                    .any(|p| p.accepted.as_deref() == Some(member_id))
                {
                    return Err(AppError::NotFound);
                }
                let h = self
                    .store
                    .household_by_id(&rec.household_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                let m = h
                    .present_members()
                    .find(|m| m.member_id == *member_id)
                    .ok_or(AppError::NotFound)?;
                (m.full_name(), true, m.national_id.is_some())
            }
        };
        if v.status != AppointmentStatus::CheckedIn || !present {
            return Err(AppError::rule("temporary_card_needs_presence"));
        }
        if unified {
            return Err(AppError::rule("temporary_card_not_needed"));
        }
        let now = self.clock.now();
        let expires = now
            .to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(3)))
            .checked_add(jiff::Span::new().months(self.temporary_card_months))
            .map_err(|e| AppError::Internal(e.to_string()))?
            .timestamp();
        let card = TemporaryCard {
            household_id: rec.household_id.clone(),
            card_id: self.ids.id(),
            member_id: member_id.clone(),
            issued_at: now,
            issued_by: actor.name.clone(),
            expires_at: expires,
            status: TemporaryCardStatus::Active,
            closed_at: None,
            national_id: None,
        };
        let log = self.log(
            "temporary_card_issued",
            Some(member_id.to_string()),
            None,
            actor,
            serde_json::json!({ "card_id": card.card_id, "appointment_id": appointment_id, "expires_at": expires.to_string() }),
        );
        match self.store.issue_temporary_card(&card, &log).await {
            Ok(()) => {}
            Err(StoreError::Conflict(Conflict::TemporaryCardActive, _)) => {
                return Err(AppError::rule("temporary_card_active"));
            }
            Err(e) => return Err(e.into()),
        }
        self.temporary_view(&card, &v.card_number, &name)
    }

    /// A household's temporary cards (a citizen's own, or within a staff member's area).
    pub async fn temporary_cards(
        &self,
        household_id: &HouseholdId,
        actor: &Actor,
    ) -> Result<Vec<TemporaryCardView>> {
        // Members' names leave with the cards.
        let rec = self.household_read(household_id, actor).await?;
        self.store
            .temporary_cards_of(household_id)
            .await?
            .iter()
            .map(|c| {
                let name = rec
                    .members
                    .iter()
                    .find(|m| m.member_id == c.member_id)
                    .map(|m| m.full_name())
                    .unwrap_or_default();
                self.temporary_view(c, rec.household.card_number.as_str(), &name)
            })
            .collect()
    }

    /// The temporary cards of the members at this visit, newest first, for the officer to print: the
    /// visit's own reach (role, centre), not the officer's area, decides.
    pub async fn visit_temporary_cards(
        &self,
        appointment_id: &AppointmentId,
        actor: &Actor,
    ) -> Result<Vec<TemporaryCardView>> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        let mut v = self.appointment_view(&rec, &a)?;
        v.token = None;
        self.cards_at_visit(&v, &rec).await
    }

    /// The temporary cards of the members a visit (as viewed) concerns, of the household read with it.
    pub(crate) async fn cards_at_visit(
        &self,
        v: &crate::appointments::AppointmentView,
        rec: &tamwin_domain::HouseholdRecord,
    ) -> Result<Vec<TemporaryCardView>> {
        let at_visit = |id: &str| {
            v.members.iter().any(|m| m.member_id == id)
                || v.proposed_members
                    .iter()
                    .any(|p| p.accepted.as_deref() == Some(id))
        };
        self.store
            .temporary_cards_of(&rec.household.household_id)
            .await?
            .iter()
            .filter(|c| at_visit(&c.member_id))
            .map(|c| {
                let name = rec
                    .member(&c.member_id)
                    .map(|m| m.full_name())
                    .unwrap_or_default();
                self.temporary_view(c, &v.card_number, &name)
            })
            .collect()
    }

    /// Converts the active temporary cards of members whose unified card is now linked and valid at the
    /// hub; returns how many. Members the hub cannot answer for stay as they are until the next pass.
    pub async fn convert_temporary_cards(&self) -> Result<usize> {
        let hub = self.hub()?;
        let mut after = String::new();
        let mut converted = 0;
        loop {
            let page = self.store.active_temporary_cards(&after, 200).await?;
            let Some(last) = page.last() else {
                return Ok(converted);
            };
            after = last.card_id.clone();
            for c in &page {
                let Some(rec) = self.store.household_by_id(&c.household_id).await? else {
                    continue;
                };
                let Some(nid) = rec
                    .present_members()
                    .find(|m| m.member_id == c.member_id)
                    .and_then(|m| m.national_id.clone())
                else {
                    continue;
                };
                let q = NationalIdQuery {
                    national_id: nid.as_str().to_string(),
                };
                let (_, answer) = hub.call::<_, CardStatus>(Service::CardStatus, &q).await;
                let valid = answer
                    .ok()
                    .and_then(|a| a.envelope.response)
                    .is_some_and(|s| s.status == "valid");
                if !valid {
                    continue;
                }
                let log = self.log(
                    "temporary_card_converted",
                    Some(c.member_id.to_string()),
                    None,
                    &Actor::system("temporary-cards"),
                    serde_json::json!({ "card_id": c.card_id, "national_id": nid.as_str() }),
                );
                if self
                    .store
                    .close_temporary_card(
                        &c.household_id,
                        &c.card_id,
                        TemporaryCardStatus::Converted,
                        Some(nid.as_str()),
                        self.clock.now(),
                        &log,
                    )
                    .await?
                {
                    converted += 1;
                }
            }
        }
    }

    /// Expires the temporary cards whose time ran out before a unified card was linked, and holds the
    /// member with the cure path; returns how many.
    pub async fn expire_temporary_cards(&self) -> Result<usize> {
        let mut expired = 0;
        loop {
            let due = self
                .store
                .expired_temporary_cards(self.clock.now(), 200)
                .await?;
            if due.is_empty() {
                return Ok(expired);
            }
            for c in &due {
                let by = Actor::system("temporary-cards");
                // The hold first (placing it twice is harmless), then the card closed: a crash between
                // the two leaves the card active and the next pass finishes. A member no longer on an
                // open card needs no hold.
                let rec = self.store.household_by_id(&c.household_id).await?;
                if let Some(rec) = rec.filter(|r| {
                    r.household.closed_at.is_none()
                        && r.present_members().any(|m| m.member_id == c.member_id)
                }) {
                    let input = HoldInput {
                        member_id: Some(c.member_id.clone()),
                        reason: HoldReason::Other.code().into(),
                        evidence: format!(
                            "temporary card {} expired on {} without a unified national card; cure: obtain the unified card (civil-status office or a mobile station) and bring it to the update centre",
                            c.card_id, c.expires_at
                        ),
                        source: "temporary_card".into(),
                    };
                    self.place_hold_once(&rec.household.card_number, &input, &by)
                        .await?;
                }
                let log = self.log(
                    "temporary_card_expired",
                    Some(c.member_id.to_string()),
                    None,
                    &by,
                    serde_json::json!({ "card_id": c.card_id }),
                );
                if !self
                    .store
                    .close_temporary_card(
                        &c.household_id,
                        &c.card_id,
                        TemporaryCardStatus::Expired,
                        None,
                        self.clock.now(),
                        &log,
                    )
                    .await?
                {
                    continue;
                }
                expired += 1;
            }
        }
    }
}
