//! API routes for what vital events lead to: the head's birth suggestions, and exemptions from the
//! abroad rule granted by staff.

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{Path, Query};
use crate::problem::{Mutation, Problem};
use axum::extract::State;
use axum::http::StatusCode;
use tamwin_app::births::SuggestionView;
use tamwin_app::exemptions::{ExemptionRequest, ExemptionView};

#[utoipa::path(get, path = "/api/v1/me/suggestions", tag = "access", security(("session" = [])),
    responses((status = 200, description = "Changes the civil registry's news suggests for the citizen's household (births), newest first", body = Vec<SuggestionView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_suggestions(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<SuggestionView>>, Problem> {
    Ok(axum::Json(s.reg.own_suggestions(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/me/suggestions/{suggestion_id}/{decision}", tag = "access", security(("session" = [])),
    params(("suggestion_id" = String, Path), ("decision" = String, Path, description = "`confirm` or `decline`")),
    responses((status = 200, description = "The suggestion as decided (confirming adds the newborn)", body = SuggestionView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 404, description = "No such suggestion for this household", body = Problem), (status = 409, description = "Already decided the other way (`suggestion_decided`)", body = Problem)))]
pub async fn decide_suggestion(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((id, decision)): Path<(String, String)>,
) -> Result<axum::Json<SuggestionView>, Problem> {
    let confirm = match decision.as_str() {
        "confirm" => true,
        "decline" => false,
        _ => return Err(tamwin_app::AppError::NotFound.into()),
    };
    Ok(axum::Json(s.reg.decide_suggestion(&a, &id, confirm).await?))
}

#[utoipa::path(post, path = "/api/v1/exemptions", tag = "holds", request_body = ExemptionRequest,
    security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Granted (an abroad hold it covers is lifted); the same grant again returns the first", body = ExemptionView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No registered member with this national ID in the caller's area", body = Problem), (status = 409, description = "Refused by a rule: unknown reason, dates, evidence missing, or the document missing or not accepted (`document_required`, `document_type`)", body = Problem), (status = 422, description = "Invalid national ID or text (problem+json)", body = Problem)))]
pub async fn grant_exemption(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<ExemptionRequest>, Problem>,
) -> Result<(StatusCode, axum::Json<ExemptionView>), Problem> {
    // The role before the body: a caller who may not grant learns nothing from their body's faults.
    a.require(tamwin_domain::access::Permission::LiftHold)?;
    let m = m?;
    Ok((
        StatusCode::CREATED,
        axum::Json(s.reg.grant_exemption(&m.body, &a).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/exemptions/{exemption_id}/document", tag = "holds", security(("bearer" = []), ("session" = [])),
    params(("exemption_id" = String, Path)),
    responses((status = 200, description = "The document the exemption rests on (PDF, JPEG or PNG)", content_type = "application/octet-stream"), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such exemption with a document in the caller's area", body = Problem)))]
pub async fn exemption_document(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<axum::response::Response, Problem> {
    let d = s.reg.exemption_document(&id, &a).await?;
    Ok(crate::pages::assets::attachment(
        &format!("exemption-{id}"),
        d,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ExemptionQuery {
    pub national_id: String,
}

#[utoipa::path(get, path = "/api/v1/exemptions", tag = "holds", security(("bearer" = []), ("session" = [])),
    params(ExemptionQuery),
    responses((status = 200, description = "A registered member's exemptions from the abroad rule", body = Vec<ExemptionView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No registered member with this national ID in the caller's area", body = Problem), (status = 422, description = "Invalid national ID", body = Problem)))]
pub async fn exemptions(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<ExemptionQuery>,
) -> Result<axum::Json<Vec<ExemptionView>>, Problem> {
    Ok(axum::Json(s.reg.exemptions_of(&q.national_id, &a).await?))
}
