//! API routes about the caller: who am I, a citizen's own household and who read it, aggregates for
//! analysts, and the household's contact phone.

use crate::AppState;
use crate::api::outcome_response;
use crate::auth::Caller;
use crate::extract::{Path, Query};
use crate::problem::{Mutation, Problem};
use axum::extract::State;
use axum::response::Response;
use serde::Serialize;
use tamwin_app::{DataUse, HouseholdView, PhoneChange};

#[derive(Serialize, utoipa::ToSchema)]
pub struct Me {
    pub name: String,
    /// `citizen`, `system`, or a staff role code.
    pub role: String,
    /// `nation`, an area code, or `household:<id>` for a citizen.
    pub area: String,
    /// `staff`, `citizen`, `token`, `device`.
    pub kind: &'static str,
}

#[utoipa::path(get, path = "/api/v1/me", tag = "access", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The caller", body = Me), (status = 401, description = "No valid credentials", body = Problem)))]
pub async fn me(Caller(a): Caller) -> axum::Json<Me> {
    axum::Json(Me {
        kind: match a.kind {
            tamwin_app::ActorKind::Citizen { .. } => "citizen",
            tamwin_app::ActorKind::Token { .. } => "token",
            tamwin_app::ActorKind::Device { .. } => "device",
            tamwin_app::ActorKind::Staff { .. } => "staff",
            tamwin_app::ActorKind::System => "system",
        },
        role: a.role_code().to_string(),
        area: a.area_code(),
        name: a.name,
    })
}

#[utoipa::path(get, path = "/api/v1/me/household", tag = "access", security(("session" = [])),
    responses((status = 200, description = "The citizen's own household", body = HouseholdView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_household(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<HouseholdView>, Problem> {
    Ok(axum::Json(s.reg.own_household(&a).await?))
}

/// A page of "who read my data".
#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DataUsesQuery {
    /// The `cursor` of the last row of the previous page: the rows older than it.
    pub before: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/me/data-uses", tag = "access", security(("session" = [])), params(DataUsesQuery),
    responses((status = 200, description = "Who other than the household read its data, newest first, at most 100 rows a page (a day's search and list appearances by one actor are one row with a count)", body = Vec<DataUse>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_data_uses(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<DataUsesQuery>,
) -> Result<axum::Json<Vec<DataUse>>, Problem> {
    Ok(axum::Json(s.reg.data_uses(&a, q.before.as_deref()).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AreaCountItem {
    pub governorate: String,
    pub district: String,
    pub state: String,
    pub households: i64,
    pub members: i64,
}

#[utoipa::path(get, path = "/api/v1/stats/households", tag = "households", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Households and present members by district and card state, within the caller's area", body = Vec<AreaCountItem>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem)))]
pub async fn household_stats(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<AreaCountItem>>, Problem> {
    Ok(axum::Json(
        s.reg
            .stats(&a)
            .await?
            .into_iter()
            .map(|c| AreaCountItem {
                governorate: c.governorate,
                district: c.district,
                state: c.state.code().into(),
                households: c.households,
                members: c.members,
            })
            .collect(),
    ))
}

#[utoipa::path(put, path = "/api/v1/households/{card_number}/phone", tag = "households", request_body = PhoneChange,
    security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    responses((status = 200, description = "OK", body = HouseholdView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such household", body = Problem), (status = 409, description = "Number registered to another open household", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn set_phone(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(c): Path<String>,
    m: Mutation<PhoneChange>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .set_phone(&crate::api::card(&c)?, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}
