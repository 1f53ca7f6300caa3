//! Where a household stands in the data update (issue 13, point 17): its last completed visit (when,
//! where, who was verified with which originals), the card's state now, and whether another visit is
//! still needed, so that the family is told the update is done and is not asked to book again.

use crate::appointments::AppointmentView;
use crate::{Actor, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::Permission;
use tamwin_domain::appointment::{AppointmentKind, AppointmentStatus, Attendance};
use tamwin_domain::{AppointmentId, CardState, HoldReason, HouseholdId, MemberId};

/// One member seen at the completed visit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VerifiedMember {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub member_id: MemberId,
    pub name: String,
    /// Originals the officer saw: `unified_card`, `civil_id`, `nationality_certificate`.
    pub documents_seen: Vec<String>,
}

/// The household's last completed visit.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CompletedUpdate {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub appointment_id: AppointmentId,
    /// `centre` or `home`.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub kind: AppointmentKind,
    /// The day of the visit, in the country's time (`YYYY-MM-DD`).
    pub day: String,
    pub completed_at: String,
    pub centre_name_ar: String,
    pub centre_name_en: String,
    /// Members recorded present and checked in person.
    pub verified: Vec<VerifiedMember>,
    /// Members recorded absent.
    pub absent: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct UpdateStatus {
    pub last_completed: Option<CompletedUpdate>,
    /// Another visit is needed: no visit completed yet, or someone on the card is still held "not
    /// verified in person" (absent at the visit, or added since).
    pub visit_needed: bool,
    /// Names of the members still to be seen in person.
    pub still_to_verify: Vec<String>,
    /// The card's state now, by the domain rule (docs/card-states.md).
    pub state: CardState,
}

fn completed(v: &AppointmentView) -> CompletedUpdate {
    let at = v.completed_at.clone().unwrap_or_default();
    let day = at
        .parse::<jiff::Timestamp>()
        .map(|t| {
            t.to_zoned(jiff::tz::TimeZone::fixed(jiff::tz::Offset::constant(3)))
                .date()
                .to_string()
        })
        .unwrap_or_else(|_| v.starts_at.get(..10).unwrap_or_default().to_string());
    CompletedUpdate {
        appointment_id: v.appointment_id.clone(),
        kind: v.kind,
        day,
        completed_at: at,
        centre_name_ar: v.centre_name_ar.clone(),
        centre_name_en: v.centre_name_en.clone(),
        verified: v
            .members
            .iter()
            .filter(|m| m.attendance == Attendance::Present)
            .map(|m| VerifiedMember {
                member_id: m.member_id.clone(),
                name: m.name.clone(),
                documents_seen: m.documents_seen.clone(),
            })
            .collect(),
        absent: v
            .members
            .iter()
            .filter(|m| m.attendance == Attendance::Absent)
            .map(|m| m.name.clone())
            .collect(),
    }
}

impl Registry {
    /// The household's update status (a citizen's own, or within a staff member's area).
    pub async fn update_status(
        &self,
        household_id: &HouseholdId,
        actor: &Actor,
    ) -> Result<UpdateStatus> {
        let rec = self
            .household_in_reach(household_id, actor, Permission::ReadPersonal)
            .await?;
        let list = self.household_appointments(household_id, actor).await?;
        let last = list
            .iter()
            .filter(|v| v.status == AppointmentStatus::Completed && v.completed_at.is_some())
            .max_by(|a, b| a.completed_at.cmp(&b.completed_at))
            .map(completed);
        let not_seen = |member: Option<&str>| {
            rec.active_holds().any(|h| {
                h.reason == HoldReason::NotVerifiedInPerson && h.member_id.as_deref() == member
            })
        };
        let still_to_verify: Vec<String> = rec
            .present_members()
            .filter(|m| not_seen(Some(m.member_id.as_str())))
            .map(|m| m.full_name())
            .collect();
        Ok(UpdateStatus {
            visit_needed: last.is_none() || not_seen(None) || !still_to_verify.is_empty(),
            last_completed: last,
            still_to_verify,
            state: rec.derived_state(),
        })
    }
}
