//! API route of the job runner (issue 14, point 4): each background job with its last run, duration,
//! outcome and next run, for staff who administer.

use crate::AppState;
use crate::auth::Caller;
use crate::problem::Problem;
use axum::extract::State;
use tamwin_app::jobs::JobView;

#[utoipa::path(get, path = "/api/v1/jobs", tag = "system", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every background job: its schedule, whether it runs now, its last runs (duration, outcome, items, why it failed or was skipped) and its next run (RFC 3339, UTC; daily jobs are set in Iraq time)", body = Vec<JobView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem)))]
pub async fn jobs(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<JobView>>, Problem> {
    Ok(axum::Json(s.reg.jobs_overview(&a).await?))
}
