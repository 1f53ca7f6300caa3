//! The day's queue of a centre (or team) and check-in by the form's QR or the card number.

use super::*;
use tamwin_domain::{AppointmentId, HouseholdId};

impl Registry {
    /// A centre's (or team's) appointments of one day, in time order.
    pub async fn centre_day(
        &self,
        centre: &str,
        day: jiff::civil::Date,
        actor: &Actor,
    ) -> Result<Vec<AppointmentView>> {
        actor.require(Permission::VerifyInPerson)?;
        if !self.works_at(actor, centre).await? {
            return Err(AppError::Forbidden);
        }
        let next = day
            .tomorrow()
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let list = self
            .store
            .appointments_at(centre, &day.to_string(), &next.to_string())
            .await?;
        let mut recs = vec![];
        for a in &list {
            if let Some(rec) = self.store.household_by_id(&a.household_id).await? {
                recs.push((rec, a));
            }
        }
        let read: Vec<(&HouseholdId, &CardNumber)> = recs
            .iter()
            .map(|(r, _)| (&r.household.household_id, &r.household.card_number))
            .collect();
        self.record_reads(actor, "household.listed", &read).await?;
        let mut out = vec![];
        for (rec, a) in &recs {
            let mut v = self.appointment_view(rec, a)?;
            v.token = None;
            out.push(v);
        }
        Ok(out)
    }

    pub async fn visit(
        &self,
        appointment_id: &AppointmentId,
        actor: &Actor,
    ) -> Result<AppointmentView> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        let mut v = self.appointment_view(&rec, &a)?;
        v.token = None;
        Ok(v)
    }

    /// Everything the visit page shows, read once and audited once (`visit.read`): the visit, the
    /// temporary cards of its members, and while checked in what the household declares.
    pub async fn visit_page(
        &self,
        appointment_id: &AppointmentId,
        actor: &Actor,
    ) -> Result<VisitPageData> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        let mut visit = self.appointment_view(&rec, &a)?;
        visit.token = None;
        let temporary_cards = self.cards_at_visit(&visit, &rec).await?;
        let declarations = if a.status == AppointmentStatus::CheckedIn {
            actor.require(Permission::ReadPersonal)?;
            Some(self.declarations_unrecorded(&rec).await?)
        } else {
            None
        };
        Ok(VisitPageData {
            visit,
            temporary_cards,
            declarations,
        })
    }

    /// Checks in by the form's signed token or by the card number typed: the appointment must be
    /// booked, today, at a centre the officer works at. A forged, expired, replaced or used form is
    /// refused with the reason.
    pub async fn check_in(&self, req: &CheckInRequest, actor: &Actor) -> Result<AppointmentView> {
        actor.require(Permission::VerifyInPerson)?;
        let now = self.clock.now();
        let appointment_id = match (&req.token, &req.card_number) {
            (Some(t), _) => {
                let keys = self
                    .forms
                    .as_deref()
                    .ok_or_else(|| AppError::Internal("no form key configured".into()))?;
                let p = tamwin_card::verify(t.trim(), &keys.ring, now.as_second())
                    .map_err(code_error)?;
                if p.kind != tamwin_card::Kind::Appointment {
                    return Err(invalid(
                        "qr_not_appointment",
                        "the QR code is not an appointment form",
                    ));
                }
                p.claims
                    .get("appointment_id")
                    .map(|id| AppointmentId::new(id.as_str()))
                    .ok_or_else(|| code_error(tamwin_card::CardError::PayloadInvalid))?
            }
            (None, Some(card)) => {
                let card = CardNumber::parse(card)
                    .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
                let rec = self
                    .store
                    .household_by_card(&card)
                    .await?
                    .ok_or(AppError::NotFound)?;
                // Today's booked appointment where the officer works (a centre's, or a team's visit).
                let today = self.clock.today().to_string();
                let mut found = None;
                for a in self
                    .store
                    .appointments_of(&rec.household.household_id)
                    .await?
                {
                    if a.status == AppointmentStatus::Booked
                        && (found.is_none() || a.starts_at.starts_with(&today))
                        && self.works_at(actor, &a.centre_code).await?
                    {
                        found = Some(a.appointment_id);
                    }
                }
                found.ok_or(AppError::rule("no_open_appointment"))?
            }
            (None, None) => {
                return Err(invalid(
                    "check_in_needs_token_or_card",
                    "scan the form's code or type the card number",
                ));
            }
        };
        let (a, rec) = self.visit_of(&appointment_id, actor).await?;
        match a.status {
            AppointmentStatus::Booked => {}
            AppointmentStatus::CheckedIn | AppointmentStatus::Completed => {
                return Err(AppError::rule("appointment_already_used"));
            }
            AppointmentStatus::Rescheduled => {
                return Err(AppError::rule("appointment_replaced"));
            }
            AppointmentStatus::Cancelled | AppointmentStatus::NoShow => {
                return Err(AppError::rule("appointment_closed"));
            }
        }
        let today = self.clock.today().to_string();
        if !a.starts_at.starts_with(&today) {
            return Err(AppError::rule("appointment_not_today"));
        }
        let waited = (now.as_second() - a.booked_at.as_second()).max(0) / 60;
        let log = self.log(
            "appointment_checked_in",
            None,
            None,
            actor,
            serde_json::json!({ "appointment_id": a.appointment_id, "by": if req.token.is_some() { "qr" } else { "card_number" } }),
        );
        if !self
            .store
            .check_in(&a.household_id, &a.appointment_id, now, waited, &log)
            .await?
        {
            return Err(AppError::rule("appointment_already_used"));
        }
        // The read was recorded by `visit_of` above: the view after check-in is not another one.
        let after = self
            .store
            .appointment(&a.appointment_id)
            .await?
            .unwrap_or(a);
        let mut v = self.appointment_view(&rec, &after)?;
        v.token = None;
        Ok(v)
    }
}

/// What the visit page shows (`Registry::visit_page`).
pub struct VisitPageData {
    pub visit: AppointmentView,
    pub temporary_cards: Vec<crate::temporary_cards::TemporaryCardView>,
    pub declarations: Option<crate::declarations::DeclarationsView>,
}
