//! The visit at the update centre (or at home, by a mobile team), issue 5: check-in by the form's QR or
//! the card number, per member present or absent with the original documents seen and the identity
//! checked through the hub (evidence kept), and completion: verified members active, adults who did
//! not come held "not verified in person" with the cure path, the visit's length recorded.

use crate::appointments::{AppointmentView, invalid};
use crate::{Actor, AppError, HoldInput, HoldLift, Registry, Result};
use serde::Deserialize;
use tamwin_domain::access::Permission;
use tamwin_domain::appointment::{self as rules, AppointmentKind, AppointmentStatus, Attendance};
use tamwin_domain::{CardNumber, HoldReason, HouseholdRecord};
use tamwin_store::{Appointment, AppointmentMember};

/// What the officer scanned or typed at check-in.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CheckInRequest {
    /// The text of the form's QR code (`TMW1:…`).
    #[serde(default)]
    pub token: Option<String>,
    /// Or the ration card number, typed.
    #[serde(default)]
    pub card_number: Option<String>,
}

/// What the officer records of one member.
#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MemberCheck {
    /// `present` or `absent`.
    pub attendance: String,
    /// Originals seen: `unified_card`, or `civil_id` with `nationality_certificate`.
    #[serde(default)]
    pub documents_seen: Vec<String>,
    /// A remark (a correction made, a document's state).
    #[serde(default)]
    pub note: Option<String>,
    /// A fingerprint template captured at the counter, checked 1:1 against the unified card's through
    /// the hub when the member is present (sent, never stored).
    #[serde(default)]
    pub fingerprint: Option<String>,
}

/// The outcome of recording one member.
#[derive(Debug, Clone, serde::Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MemberCheckResult {
    pub member_id: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub attendance: Attendance,
    /// The hub's answer: `verified`, `mismatch`, `deceased`, `not_found`, `pending` (hub unavailable:
    /// retried later), `no_national_id` (a temporary card is the way), or `hub_not_configured`.
    pub verification: Option<String>,
    /// The fingerprint check, when a capture was sent: `matched`, `not_matched`, `unavailable`.
    pub fingerprint: Option<String>,
}

fn code_error(e: tamwin_card::CardError) -> AppError {
    AppError::Validation(tamwin_domain::ValidationErrors(vec![
        tamwin_domain::FieldError::new("token", e.code(), e.message_en()),
    ]))
}

impl Registry {
    /// Whether the actor works at this centre (or team): its code for a centre officer, its area otherwise.
    async fn works_at(&self, actor: &Actor, code: &str) -> Result<bool> {
        let district = match self.geo.centre(code) {
            Some(c) => Some(c.district_code.clone()),
            None => self
                .store
                .teams()
                .await?
                .into_iter()
                .find(|t| t.team_code == code)
                .map(|t| t.district_code),
        };
        Ok(match (&actor.kind, district) {
            (crate::ActorKind::System, _) => true,
            (_, Some(d)) => actor.area.has_centre(code, &d, &self.geo),
            (_, None) => false,
        })
    }

    /// An appointment the actor may work on, with its household; the read of the household is in the
    /// audit log (`visit.read`) before anything of it is shown or changed.
    async fn visit_of(
        &self,
        appointment_id: &str,
        actor: &Actor,
    ) -> Result<(Appointment, HouseholdRecord)> {
        actor.require(Permission::VerifyInPerson)?;
        let a = self
            .store
            .appointment(appointment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        if !self.works_at(actor, &a.centre_code).await? {
            return Err(AppError::NotFound);
        }
        let rec = self
            .store
            .household_by_id(&a.household_id)
            .await?
            .ok_or(AppError::NotFound)?;
        self.record_reads(
            actor,
            "visit.read",
            &[(&rec.household.household_id, &rec.household.card_number)],
        )
        .await?;
        Ok((a, rec))
    }

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
        let read: Vec<(&String, &CardNumber)> = recs
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

    pub async fn visit(&self, appointment_id: &str, actor: &Actor) -> Result<AppointmentView> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        let mut v = self.appointment_view(&rec, &a)?;
        v.token = None;
        Ok(v)
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
                    .cloned()
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

    /// Records one member: present with the originals seen (then checked through the hub), or absent.
    pub async fn check_member(
        &self,
        appointment_id: &str,
        member_id: &str,
        req: &MemberCheck,
        actor: &Actor,
    ) -> Result<MemberCheckResult> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        if a.status != AppointmentStatus::CheckedIn {
            return Err(not_checked_in());
        }
        let slot = a
            .members
            .iter()
            .find(|m| m.member_id == member_id)
            .ok_or(AppError::NotFound)?;
        let attendance = Attendance::parse(req.attendance.trim())
            .filter(|x| *x != Attendance::Expected)
            .ok_or_else(|| invalid("attendance_invalid", "attendance is present or absent"))?;
        let docs = rules::parse_documents(&req.documents_seen, "documents_seen")
            .map_err(|e| AppError::Validation(tamwin_domain::ValidationErrors(vec![e])))?;
        if attendance == Attendance::Present && !rules::documents_suffice(&docs) {
            return Err(invalid(
                "documents_insufficient",
                "the original unified national card is needed, or the civil-status ID with the nationality certificate",
            ));
        }
        let note = req
            .note
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
            .map(str::to_string);
        if let Some(n) = &note
            && let Some(e) = tamwin_domain::check_free_text("note", n, 500)
        {
            return Err(AppError::Validation(tamwin_domain::ValidationErrors(vec![
                e,
            ])));
        }
        let record = AppointmentMember {
            attendance,
            documents_seen: rules::documents_text(&docs),
            note,
            ..slot.clone()
        };
        let log = self.log(
            "attendance_recorded",
            Some(member_id.to_string()),
            None,
            actor,
            serde_json::json!({ "appointment_id": a.appointment_id, "attendance": record.attendance, "documents_seen": record.documents_seen }),
        );
        if !self
            .store
            .save_attendance(&a.household_id, &a.appointment_id, &record, &log)
            .await?
        {
            return Err(AppError::Busy);
        }
        let mut member = rec
            .present_members()
            .find(|m| m.member_id == member_id)
            .cloned();
        // The head declared this member's unified national ID online; the officer has the card in hand:
        // it is linked now (audited as a member change with the reason), then checked at the hub.
        if let (Attendance::Present, Some(m), Some(nid)) =
            (attendance, &member, slot.declared_national_id.as_deref())
            && m.national_id.is_none()
            && docs.contains(&rules::Document::UnifiedCard)
        {
            let change = crate::MemberChange {
                member: tamwin_domain::MemberInput {
                    national_id: Some(nid.to_string()),
                    ..crate::appointments::member_input(&m.data)
                },
                reason: format!(
                    "unified national card seen at the update centre ({}); declared by the head online",
                    a.appointment_id
                ),
            };
            let mut by = Actor::system(&format!("visit {}", actor.name));
            by.channel = actor.channel;
            self.update_member(&rec.household.card_number, member_id, &change, &by, None)
                .await?;
            member = self
                .store
                .household_by_id(&a.household_id)
                .await?
                .and_then(|r| {
                    r.present_members()
                        .find(|m| m.member_id == member_id)
                        .cloned()
                });
        }
        let fingerprint = match (attendance, &member, req.fingerprint.as_deref()) {
            (Attendance::Present, Some(m), Some(t))
                if !t.trim().is_empty() && self.hub.is_some() =>
            {
                match &m.national_id {
                    Some(nid) => Some(
                        self.verify_fingerprint(&a.household_id, member_id, nid.as_str(), t.trim())
                            .await?,
                    ),
                    None => None,
                }
            }
            _ => None,
        };
        let verification = match (attendance, member) {
            (Attendance::Present, Some(m)) if m.national_id.is_some() && self.hub.is_none() => {
                Some("hub_not_configured".to_string())
            }
            (Attendance::Present, Some(m)) if m.national_id.is_some() => {
                // The hub's answer is kept as evidence; a hub that does not answer leaves the member
                // pending and queued for a retry, and the visit goes on.
                Some(self.verify_member(&a.household_id, member_id).await?.status)
            }
            (Attendance::Present, Some(_)) => Some("no_national_id".to_string()),
            _ => None,
        };
        Ok(MemberCheckResult {
            member_id: member_id.to_string(),
            attendance: record.attendance,
            verification,
            fingerprint,
        })
    }

    /// Corrects a member's data at the visit (a spelling that differs from the unified card, a wrong
    /// birth date, the national ID read off the card), with the reason, as an audited member change;
    /// then checks the member at the hub again. Only while the household is checked in.
    pub async fn correct_member(
        &self,
        appointment_id: &str,
        member_id: &str,
        change: &crate::MemberChange,
        actor: &Actor,
    ) -> Result<MemberCheckResult> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        if a.status != AppointmentStatus::CheckedIn {
            return Err(not_checked_in());
        }
        let slot = a
            .members
            .iter()
            .find(|m| m.member_id == member_id)
            .ok_or(AppError::NotFound)?;
        // The officer's own area may not reach a household from a neighbouring district: the visit does.
        let mut by = Actor::system(&format!("visit {}", actor.name));
        by.channel = actor.channel;
        if change.reason.trim().is_empty() {
            return Err(invalid(
                "reason_required",
                "the reason for the correction is required",
            ));
        }
        let corrected = crate::MemberChange {
            member: change.member.clone(),
            reason: format!(
                "{} (at the visit {})",
                change.reason.trim(),
                a.appointment_id
            ),
        };
        self.update_member(&rec.household.card_number, member_id, &corrected, &by, None)
            .await?;
        let has_id = self
            .store
            .household_by_id(&a.household_id)
            .await?
            .and_then(|r| {
                r.present_members()
                    .find(|m| m.member_id == member_id)
                    .map(|m| m.national_id.is_some())
            })
            .unwrap_or(false);
        let verification = if has_id && self.hub.is_some() && slot.attendance == Attendance::Present
        {
            Some(self.verify_member(&a.household_id, member_id).await?.status)
        } else {
            None
        };
        // Corrected to match the civil registry: the mismatch hold the hub's earlier answer placed goes.
        if verification.as_deref() == Some("verified") {
            for h in rec.active_holds().filter(|h| {
                h.member_id.as_deref() == Some(member_id)
                    && h.reason == HoldReason::DataMismatch
                    && h.source == "civil_registry"
            }) {
                let lift = HoldLift {
                    reason: format!("corrected at the visit {} and verified", a.appointment_id),
                };
                match self
                    .lift_hold(&rec.household.card_number, &h.hold_id, &lift, &by, None)
                    .await
                {
                    Ok(_) | Err(AppError::NotFound) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(MemberCheckResult {
            member_id: member_id.to_string(),
            attendance: slot.attendance,
            verification,
            fingerprint: None,
        })
    }

    /// Accepts a member the head proposed online (proposal `index`), seen with their documents at the
    /// visit: added to the card (an audited member change whose reason names the visit) and, with a
    /// national ID, checked at the hub.
    pub async fn accept_proposal(
        &self,
        appointment_id: &str,
        index: usize,
        actor: &Actor,
    ) -> Result<AppointmentView> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        if a.status != AppointmentStatus::CheckedIn {
            return Err(not_checked_in());
        }
        let mut list = crate::appointments::proposals(&a.proposed_members)?;
        let p = list.get_mut(index).ok_or(AppError::NotFound)?;
        if p.accepted.is_some() {
            return Err(AppError::rule("proposal_already_accepted"));
        }
        let data = p
            .member
            .validate(self.clock.today())
            .map_err(AppError::Validation)?;
        // Added already (an acceptance cut short before it was marked): the same person is not added twice.
        let same = |m: &&tamwin_domain::Member| match (&m.national_id, &data.national_id) {
            (Some(x), Some(y)) => x == y,
            _ => m.name_key() == data.name_key() && m.birth_date == data.birth_date,
        };
        let member_id = match rec.present_members().find(same) {
            Some(m) => m.member_id.clone(),
            None => {
                let mut by = Actor::system(&format!("visit {}", actor.name));
                by.channel = actor.channel;
                let change = crate::MemberChange {
                    member: p.member.clone(),
                    reason: format!(
                        "proposed online by the head; seen with the documents at the visit {}",
                        a.appointment_id
                    ),
                };
                self.add_member(&rec.household.card_number, &change, &by, None)
                    .await?;
                let after = self
                    .store
                    .household_by_id(&a.household_id)
                    .await?
                    .ok_or(AppError::NotFound)?;
                after
                    .present_members()
                    .find(same)
                    .map(|m| m.member_id.clone())
                    .ok_or_else(|| {
                        AppError::Internal("the added member is not on the card".into())
                    })?
            }
        };
        p.accepted = Some(member_id.clone());
        let json = serde_json::to_string(&list).map_err(|e| AppError::Internal(e.to_string()))?;
        if !self
            .store
            .save_proposals(
                &a.household_id,
                &a.appointment_id,
                &a.proposed_members,
                &json,
            )
            .await?
        {
            return Err(AppError::Busy);
        }
        if data.national_id.is_some() && self.hub.is_some() {
            self.verify_member(&a.household_id, &member_id).await?;
        }
        self.visit(appointment_id, actor).await
    }

    /// Completes the visit: every required member recorded; absent adults held "not verified in
    /// person" (cure: book again or ask for a home visit); a present member's earlier such hold lifted.
    pub async fn complete_visit(
        &self,
        appointment_id: &str,
        actor: &Actor,
    ) -> Result<AppointmentView> {
        let (a, rec) = self.visit_of(appointment_id, actor).await?;
        if a.status != AppointmentStatus::CheckedIn {
            return Err(not_checked_in());
        }
        if a.members
            .iter()
            .any(|m| m.required && m.attendance == Attendance::Expected)
        {
            return Err(AppError::rule("attendance_incomplete"));
        }
        let card = rec.household.card_number.clone();
        // A member a mobile team visits (or has visited) at home is not held for missing the centre.
        let at_home: Vec<String> = self
            .store
            .appointments_of(&a.household_id)
            .await?
            .into_iter()
            .filter(|x| {
                x.kind == AppointmentKind::Home
                    && x.appointment_id != a.appointment_id
                    && (x.status.is_open() || x.status == AppointmentStatus::Completed)
            })
            .flat_map(|x| x.members.into_iter().map(|m| m.member_id))
            .collect();
        // The visit's outcome places and lifts these holds whatever the officer's own hold rights or
        // district (a centre serves households of neighbouring districts too); the completion's audit
        // entry names the officer.
        let mut by = Actor::system(&format!("visit {}", actor.name));
        by.channel = actor.channel;
        let day = a.starts_at.get(..10).unwrap_or_default().to_string();
        for m in &a.members {
            // A member removed since the booking (a death, a move) is neither held nor cleared here.
            if !rec.present_members().any(|p| p.member_id == m.member_id) {
                continue;
            }
            let held = rec.active_holds().find(|h| {
                h.member_id.as_deref() == Some(m.member_id.as_str())
                    && h.reason == HoldReason::NotVerifiedInPerson
            });
            match (m.attendance, held) {
                (Attendance::Absent, None) if m.required && !at_home.contains(&m.member_id) => {
                    let input = HoldInput {
                        member_id: Some(m.member_id.clone()),
                        reason: HoldReason::NotVerifiedInPerson.code().into(),
                        evidence: format!(
                            "absent at the update-centre appointment of {day} ({}); cure: book a new appointment, or request a home visit if unable to come",
                            a.appointment_id
                        ),
                        source: "update_centre".into(),
                    };
                    self.place_hold_once(&card, &input, &by).await?;
                }
                (Attendance::Present, Some(h)) => {
                    let lift = HoldLift {
                        reason: format!("verified in person on {day} ({})", a.appointment_id),
                    };
                    match self.lift_hold(&card, &h.hold_id, &lift, &by, None).await {
                        Ok(_) | Err(AppError::NotFound) => {}
                        Err(e) => return Err(e),
                    }
                }
                _ => {}
            }
        }
        let now = self.clock.now();
        let seconds = a
            .checked_in_at
            .map_or(0, |t| (now.as_second() - t.as_second()).max(0));
        let log = self.log(
            "appointment_completed",
            None,
            None,
            actor,
            serde_json::json!({
                "appointment_id": a.appointment_id,
                "visit_minutes": seconds / 60,
                "over_target": seconds > rules::VISIT_TARGET_MINUTES * 60,
                "present": a.members.iter().filter(|m| m.attendance == Attendance::Present).count(),
                "absent": a.members.iter().filter(|m| m.attendance == Attendance::Absent).count(),
            }),
        );
        if !self
            .store
            .complete_appointment(&a.household_id, &a.appointment_id, now, seconds, &log)
            .await?
        {
            return Err(AppError::Busy);
        }
        self.visit(appointment_id, actor).await
    }
}

fn not_checked_in() -> AppError {
    AppError::rule("appointment_not_checked_in")
}
