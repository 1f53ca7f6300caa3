//! API routes of pre-registration and the centre visit (issue 5): the citizen's slots and bookings,
//! an officer booking for a household, the centre's day, check-in, per-member checks, completion, and
//! the progress figures.

use crate::AppState;
use crate::api::outcome_response;
use crate::auth::Caller;
use crate::extract::{Path, Query};
use crate::problem::{Mutation, Problem};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use tamwin_app::appointments::{AppointmentView, BookingRequest, CentreDay};
use tamwin_app::home_visits::HomeVisitRequest;
use tamwin_app::progress::{ProgressQuery, ProgressView};
use tamwin_app::temporary_cards::TemporaryCardView;
use tamwin_app::{CheckInRequest, MemberCheck, MemberCheckResult, Registry};
use tamwin_domain::{AppointmentId, MemberId};

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    /// `YYYY-MM-DD`; today when absent.
    #[serde(default)]
    pub day: Option<String>,
}

fn day(s: &AppState, q: &DayQuery) -> Result<jiff::civil::Date, Problem> {
    match &q.day {
        None => Ok(s.reg.clock().today()),
        Some(d) => {
            tamwin_domain::household::parse_date(d).ok_or_else(|| Problem::new(422, "date_invalid"))
        }
    }
}

#[utoipa::path(get, path = "/api/v1/me/slots", tag = "appointments", security(("session" = [])), params(DayQuery),
    responses((status = 200, description = "Free places that day at the household's update centres: its district's first, then the others of its governorate by distance", body = Vec<CentreDay>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem), (status = 422, description = "Invalid day", body = Problem)))]
pub async fn my_slots(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<Vec<CentreDay>>, Problem> {
    let hid = Registry::own_household_id(&a)?;
    Ok(axum::Json(s.reg.free_slots(hid, day(&s, &q)?, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/me/appointments", tag = "appointments", security(("session" = [])),
    responses((status = 200, description = "The household's appointments, newest first; a booked one carries its form's signed token", body = Vec<AppointmentView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_appointments(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<AppointmentView>>, Problem> {
    let hid = Registry::own_household_id(&a)?;
    Ok(axum::Json(s.reg.household_appointments(hid, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/me/appointments", tag = "appointments", request_body = BookingRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key: a double submission books once")),
    security(("session" = [])),
    responses((status = 201, description = "Booked", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 409, description = "Already booked, or no free counter at that time (`slot_full`)", body = Problem), (status = 422, description = "A slot in the past, outside hours, on a closed day or holiday; a centre of another governorate; a minor marked required (problem+json)", body = Problem)))]
pub async fn book_mine(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Mutation<BookingRequest>,
) -> Result<Response, Problem> {
    let hid = Registry::own_household_id(&a)?;
    Ok(outcome_response(
        s.reg
            .book_appointment(hid, &m.body, false, &a, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/me/appointments/reschedule", tag = "appointments", request_body = BookingRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key")),
    security(("session" = [])),
    responses((status = 200, description = "Moved: the old form no longer admits anyone", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 409, description = "No booked appointment, the visit has started, or no free counter", body = Problem), (status = 422, description = "Invalid slot or centre (problem+json)", body = Problem)))]
pub async fn reschedule_mine(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Mutation<BookingRequest>,
) -> Result<Response, Problem> {
    let hid = Registry::own_household_id(&a)?;
    Ok(outcome_response(
        s.reg
            .book_appointment(hid, &m.body, true, &a, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/me/appointments/cancel", tag = "appointments", security(("session" = [])),
    responses((status = 204, description = "Cancelled; the place is free again"), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 409, description = "No booked appointment", body = Problem)))]
pub async fn cancel_mine(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<StatusCode, Problem> {
    let hid = Registry::own_household_id(&a)?;
    s.reg.cancel_appointment(hid, &a).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/appointments", tag = "appointments", request_body = BookingRequest,
    params(("card_number" = String, Path, description = "Ration card number"), ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Booked for the household (by an officer)", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such household in the caller's area", body = Problem), (status = 409, description = "Already booked, or no free counter", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn book_for(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(card): Path<String>,
    m: Mutation<BookingRequest>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .book_appointment_for_card(&card, &m.body, &a, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/centres/{centre}/appointments", tag = "appointments", params(("centre" = String, Path, description = "Update centre (or mobile team) code"), DayQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The day's appointments in time order", body = Vec<AppointmentView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an officer of this centre", body = Problem), (status = 422, description = "Invalid day", body = Problem)))]
pub async fn centre_day(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(centre): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<Vec<AppointmentView>>, Problem> {
    Ok(axum::Json(
        s.reg.centre_day(&centre, day(&s, &q)?, &a).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/check-ins", tag = "appointments", request_body = CheckInRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Checked in", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such appointment at the officer's centre", body = Problem), (status = 409, description = "Form already used, replaced, cancelled, or not for today", body = Problem), (status = 422, description = "A forged, damaged or expired form (`qr_*` codes)", body = Problem)))]
pub async fn check_in(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Mutation<CheckInRequest>,
) -> Result<axum::Json<AppointmentView>, Problem> {
    Ok(axum::Json(s.reg.check_in(&m.body, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/appointments/{appointment_id}", tag = "appointments", params(("appointment_id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The appointment with its members", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such appointment at the officer's centre", body = Problem)))]
pub async fn appointment(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<AppointmentId>,
) -> Result<axum::Json<AppointmentView>, Problem> {
    Ok(axum::Json(s.reg.visit(&id, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/appointments/{appointment_id}/members/{member_id}", tag = "appointments", request_body = MemberCheck,
    params(("appointment_id" = String, Path), ("member_id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Recorded; a present member with a national ID is checked through the hub (evidence kept; `pending` when the hub is unavailable)", body = MemberCheckResult), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such appointment or member", body = Problem), (status = 409, description = "Not checked in", body = Problem), (status = 422, description = "Invalid attendance, or originals that do not suffice", body = Problem)))]
pub async fn check_member(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((id, member)): Path<(AppointmentId, MemberId)>,
    m: Mutation<MemberCheck>,
) -> Result<axum::Json<MemberCheckResult>, Problem> {
    Ok(axum::Json(
        s.reg.check_member(&id, &member, &m.body, &a).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/appointments/{appointment_id}/completion", tag = "appointments", params(("appointment_id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Completed: absent adults held \"not verified in person\"", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such appointment at the officer's centre", body = Problem), (status = 409, description = "Not checked in, or an adult not yet recorded", body = Problem)))]
pub async fn complete(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<AppointmentId>,
) -> Result<axum::Json<AppointmentView>, Problem> {
    Ok(axum::Json(s.reg.complete_visit(&id, &a).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct AreaQuery {
    pub governorate: Option<String>,
    pub district: Option<String>,
    pub centre: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/stats/progress", tag = "appointments", params(AreaQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Progress of the update campaign in the narrowest area given (the caller's own by default)", body = ProgressView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or the area is outside the caller's", body = Problem), (status = 422, description = "Unknown area", body = Problem)))]
pub async fn progress(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<AreaQuery>,
) -> Result<axum::Json<ProgressView>, Problem> {
    let q = ProgressQuery {
        governorate: q.governorate,
        district: q.district,
        centre: q.centre,
    };
    Ok(axum::Json(s.reg.progress(&q, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/me/home-visits", tag = "appointments", request_body = HomeVisitRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key")),
    security(("session" = [])),
    responses((status = 201, description = "Scheduled with the district's mobile team on the earliest day with room", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 409, description = "Already scheduled, no team, or the teams are full", body = Problem), (status = 422, description = "Unknown reason or members (problem+json)", body = Problem)))]
pub async fn my_home_visit(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Mutation<HomeVisitRequest>,
) -> Result<Response, Problem> {
    let hid = Registry::own_household_id(&a)?;
    Ok(outcome_response(
        s.reg
            .request_home_visit(hid, &m.body, &a, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/home-visits", tag = "appointments", request_body = HomeVisitRequest,
    params(("card_number" = String, Path, description = "Ration card number"), ("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Scheduled (asked by an officer)", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such household in the caller's area", body = Problem), (status = 409, description = "Already scheduled, no team, or the teams are full", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn home_visit_for(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(card): Path<String>,
    m: Mutation<HomeVisitRequest>,
) -> Result<Response, Problem> {
    let hid = s.reg.household_id_of_card(&card).await?;
    Ok(outcome_response(
        s.reg
            .request_home_visit(&hid, &m.body, &a, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/teams/{team}/route", tag = "appointments", params(("team" = String, Path, description = "Mobile team code, e.g. MT-1101-1"), DayQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The team's visits of the day with the households' addresses", body = Vec<AppointmentView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an officer of this team's district", body = Problem), (status = 422, description = "Invalid day", body = Problem)))]
pub async fn team_route(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(team): Path<String>,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<Vec<AppointmentView>>, Problem> {
    Ok(axum::Json(s.reg.team_route(&team, day(&s, &q)?, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/appointments/{appointment_id}/members/{member_id}/temporary-card", tag = "appointments",
    params(("appointment_id" = String, Path), ("member_id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Issued, with its signed QR text (kind `tc`, marked temporary)", body = TemporaryCardView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such appointment or member", body = Problem), (status = 409, description = "Not present at a visit in progress, the unified card was seen, or an active temporary card exists", body = Problem)))]
pub async fn issue_temporary_card(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((id, member)): Path<(AppointmentId, MemberId)>,
) -> Result<(StatusCode, axum::Json<TemporaryCardView>), Problem> {
    Ok((
        StatusCode::CREATED,
        axum::Json(s.reg.issue_temporary_card(&id, &member, &a).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/me/temporary-cards", tag = "appointments", security(("session" = [])),
    responses((status = 200, description = "The household's temporary cards, newest first", body = Vec<TemporaryCardView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_temporary_cards(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<TemporaryCardView>>, Problem> {
    let hid = Registry::own_household_id(&a)?;
    Ok(axum::Json(s.reg.temporary_cards(hid, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/me/update", tag = "appointments", security(("session" = [])),
    responses((status = 200, description = "The household's data update: the last completed visit (day, centre, who was verified with which originals), whether another visit is needed, and the card's state now", body = tamwin_app::update_status::UpdateStatus), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_update(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<tamwin_app::update_status::UpdateStatus>, Problem> {
    let hid = Registry::own_household_id(&a)?;
    Ok(axum::Json(s.reg.update_status(hid, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/appointments/{appointment_id}/members/{member_id}/correction", tag = "appointments",
    request_body = tamwin_app::MemberChange, params(("appointment_id" = String, Path), ("member_id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Corrected (an audited member change with the reason) and, for a present member, checked at the hub again; a mismatch hold lifted when it now matches", body = MemberCheckResult), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such appointment or member", body = Problem), (status = 409, description = "Not checked in; the national ID belongs to another household", body = Problem), (status = 422, description = "Invalid member data or no reason (problem+json)", body = Problem)))]
pub async fn correct_member(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((id, member)): Path<(AppointmentId, MemberId)>,
    m: Mutation<tamwin_app::MemberChange>,
) -> Result<axum::Json<MemberCheckResult>, Problem> {
    Ok(axum::Json(
        s.reg.correct_member(&id, &member, &m.body, &a).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/appointments/{appointment_id}/proposals/{index}/accept", tag = "appointments",
    params(("appointment_id" = String, Path), ("index" = usize, Path, description = "The proposal's position, from 0")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The proposed member is on the card (an audited member change) and, with a national ID, checked at the hub", body = AppointmentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such appointment or proposal", body = Problem), (status = 409, description = "Not checked in, already accepted, or the national ID is on another card", body = Problem), (status = 422, description = "The proposal is no longer valid (problem+json)", body = Problem)))]
pub async fn accept_proposal(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((id, index)): Path<(AppointmentId, usize)>,
) -> Result<axum::Json<AppointmentView>, Problem> {
    Ok(axum::Json(s.reg.accept_proposal(&id, index, &a).await?))
}
