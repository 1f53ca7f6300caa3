//! Each member at the visit: present with the originals seen (then checked at the hub) or absent, a
//! correction of their data, and a member the head proposed online accepted onto the card.

use super::*;
use tamwin_domain::{AppointmentId, MemberId};

impl Registry {
    /// Records one member: present with the originals seen (then checked through the hub), or absent.
    pub async fn check_member(
        &self,
        appointment_id: &AppointmentId,
        member_id: &MemberId,
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
            .find(|m| m.member_id == *member_id)
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
            .find(|m| m.member_id == *member_id)
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
                        .find(|m| m.member_id == *member_id)
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
            member_id: member_id.clone(),
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
        appointment_id: &AppointmentId,
        member_id: &MemberId,
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
            .find(|m| m.member_id == *member_id)
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
                    .find(|m| m.member_id == *member_id)
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
            member_id: member_id.clone(),
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
        appointment_id: &AppointmentId,
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
}
