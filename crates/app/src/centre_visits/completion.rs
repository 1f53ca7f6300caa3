//! Completing the visit: absent adults held "not verified in person", present members cleared, the
//! visit's length recorded.

use super::*;
use tamwin_domain::{AppointmentId, MemberId};

impl Registry {
    /// Completes the visit: every required member recorded; absent adults held "not verified in
    /// person" (cure: book again or ask for a home visit); a present member's earlier such hold lifted.
    pub async fn complete_visit(
        &self,
        appointment_id: &AppointmentId,
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
        let at_home: Vec<MemberId> = self
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
