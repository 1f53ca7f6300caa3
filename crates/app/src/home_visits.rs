//! Home visits by mobile teams (issue 5, point 5): the head or an officer asks for a visit to an
//! elderly, sick or disabled member; the district's team with room on the earliest open day takes it
//! (target: within two days); each team has its day's route list, and verifies at the door with the
//! same steps as a centre (check-in by card number, each member, completion).

use crate::appointments::{AppointmentView, local};
use crate::{Actor, AppError, IdemRequest, Outcome, Registry, Result};
use serde::Deserialize;
use tamwin_domain::HouseholdId;
use tamwin_domain::access::Permission;
use tamwin_domain::appointment::{
    AppointmentKind, AppointmentStatus, Attendance, BOOKING_HORIZON_DAYS,
};
use tamwin_store::{Appointment, AppointmentMember, Booking};

/// Days within which a visit should happen (facts.md: a team came two days after the request).
pub const HOME_VISIT_TARGET_DAYS: i64 = 2;

pub const HOME_VISIT_REASONS: [&str; 3] = ["elderly", "sick", "disabled"];

#[derive(Debug, Clone, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct HomeVisitRequest {
    /// The members to visit (present members of the household).
    pub member_ids: Vec<String>,
    /// `elderly`, `sick` or `disabled`.
    pub reason: String,
}

impl Registry {
    /// Schedules a home visit with the household's district team on the earliest day with room.
    pub async fn request_home_visit(
        &self,
        household_id: &HouseholdId,
        req: &HomeVisitRequest,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        let idem = IdemRequest::scoped(idem, actor);
        let idem = idem.as_ref();
        let result = self.home_visit_once(household_id, req, actor, idem).await;
        self.settle(idem, result).await
    }

    async fn home_visit_once(
        &self,
        household_id: &HouseholdId,
        req: &HomeVisitRequest,
        actor: &Actor,
        idem: Option<&IdemRequest>,
    ) -> Result<Outcome> {
        if let Some(o) = self.replay(idem).await? {
            return Ok(o);
        }
        let rec = self.household_for_booking(household_id, actor).await?;
        if !HOME_VISIT_REASONS.contains(&req.reason.as_str()) {
            return Err(crate::appointments::invalid(
                "home_visit_reason_unknown",
                "a home visit's reason is elderly, sick or disabled",
            ));
        }
        if req.member_ids.is_empty()
            || req
                .member_ids
                .iter()
                .any(|id| !rec.present_members().any(|m| &m.member_id == id))
        {
            return Err(crate::appointments::invalid(
                "home_visit_members_invalid",
                "choose one or more members of the household to visit",
            ));
        }
        let teams: Vec<_> = self
            .store
            .teams()
            .await?
            .into_iter()
            .filter(|t| t.district_code == rec.household.district)
            .collect();
        if teams.is_empty() {
            return Err(AppError::rule("no_mobile_team"));
        }
        let today = local(self.clock.now()).date();
        let mut day = today;
        for _ in 0..BOOKING_HORIZON_DAYS {
            day = day
                .tomorrow()
                .map_err(|e| AppError::Internal(e.to_string()))?;
            // Teams rest on Fridays and holidays like the centres.
            if day.weekday() == jiff::civil::Weekday::Friday {
                continue;
            }
            for t in &teams {
                let d = day.to_string();
                if !self.store.holidays(&t.team_code, &d, &d).await?.is_empty() {
                    continue;
                }
                let appt = Appointment {
                    household_id: household_id.clone(),
                    appointment_id: self.ids.id().into(),
                    kind: AppointmentKind::Home,
                    centre_code: t.team_code.clone(),
                    starts_at: d.clone(),
                    status: AppointmentStatus::Booked,
                    booked_at: self.clock.now(),
                    booked_by: actor.name.clone(),
                    reason: Some(req.reason.clone()),
                    checked_in_at: None,
                    completed_at: None,
                    closed_at: None,
                    reminded_at: None,
                    waited_minutes: None,
                    visit_seconds: None,
                    proposed_members: "[]".into(),
                    members: req
                        .member_ids
                        .iter()
                        .map(|id| AppointmentMember {
                            member_id: id.clone().into(),
                            required: true,
                            declared_documents: String::new(),
                            declared_national_id: None,
                            attendance: Attendance::Expected,
                            documents_seen: String::new(),
                            note: None,
                        })
                        .collect(),
                };
                let view = self.appointment_view(&rec, &appt)?;
                let body =
                    serde_json::to_string(&view).map_err(|e| AppError::Internal(e.to_string()))?;
                let log = self.log(
                    "home_visit_requested",
                    None,
                    Some(req.reason.clone()),
                    actor,
                    serde_json::json!({
                        "appointment_id": appt.appointment_id, "team": t.team_code, "day": d,
                        "members": req.member_ids,
                        "within_target": (day - today).get_days() as i64 <= HOME_VISIT_TARGET_DAYS,
                    }),
                );
                let entry = self.idem_entry(idem, 201, &body);
                let booking = Booking {
                    appointment: &appt,
                    capacity: t.visits_per_day,
                    replaces: None,
                    log: &log,
                    idem: entry.as_ref(),
                };
                let open = AppError::rule("home_visit_already_requested");
                if let Some(o) = self.try_booking(&booking, 201, body, idem, open).await? {
                    return Ok(o);
                }
            }
        }
        Err(AppError::rule("mobile_teams_full"))
    }

    /// The mobile teams (reference data: codes, districts and names, no personal data).
    pub async fn teams(&self) -> Result<Vec<tamwin_store::MobileTeam>> {
        Ok(self.store.teams().await?)
    }

    /// A team's route for a day: its visits with the households' addresses, in booking order.
    pub async fn team_route(
        &self,
        team: &str,
        day: jiff::civil::Date,
        actor: &Actor,
    ) -> Result<Vec<AppointmentView>> {
        actor.require(Permission::VerifyInPerson)?;
        self.centre_day(team, day, actor).await
    }
}
