//! API routes of screening on the database (issue 6): runs, the auditors' queue and decisions,
//! appeals; and the citizen's findings and appeals.

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{Path, Query};
use crate::problem::{Mutation, Problem};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tamwin_app::AppError;
use tamwin_app::documents::Document;
use tamwin_app::screening::{AppealView, FindingDetailView, FindingView, RunView};
use tamwin_store::FindingFilter;

#[utoipa::path(post, path = "/api/v1/screening/runs", tag = "screening", security(("bearer" = []), ("session" = [])),
    responses((status = 202, description = "Started in the background; poll the runs for progress", body = RunView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 409, description = "Another run is in progress (`screening_running`)", body = Problem)))]
pub async fn start_run(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<(StatusCode, axum::Json<RunView>), Problem> {
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(s.reg.start_screening(&a).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/screening/runs", tag = "screening", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The latest runs, newest first, with phase and progress", body = Vec<RunView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem)))]
pub async fn runs(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<RunView>>, Problem> {
    Ok(axum::Json(s.reg.screening_runs(&a).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct FindingQuery {
    /// `pending`, `confirmed`, `in_effect`, `cleared`.
    pub status: Option<String>,
    /// `same_id`, `duplicate`, `deceased`, `abroad`, `fictitious`.
    pub kind: Option<String>,
    /// `hold` or `review`.
    pub decision: Option<String>,
    /// 1-1000 (default 100); outside that, `limit_out_of_range`.
    #[param(minimum = 1, maximum = 1000)]
    pub limit: Option<u32>,
    pub offset: Option<u32>,
}

impl FindingQuery {
    pub fn filter(&self) -> FindingFilter {
        FindingFilter {
            status: self.status.clone(),
            kind: self.kind.clone(),
            decision: self.decision.clone(),
            limit: self.limit.unwrap_or(100).clamp(1, 1000),
            offset: self.offset.unwrap_or(0),
            ..Default::default()
        }
    }
}

#[utoipa::path(get, path = "/api/v1/screening/findings", tag = "screening", security(("bearer" = []), ("session" = [])),
    params(FindingQuery),
    responses((status = 200, description = "Findings in the caller's area: holds pending review first, strongest first", body = Vec<FindingView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem)))]
pub async fn findings(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<FindingQuery>,
) -> Result<axum::Json<Vec<FindingView>>, Problem> {
    crate::extract::in_range("limit", q.limit, 1, 1000)?;
    let list = s.reg.screening_findings(&a, q.filter()).await?;
    Ok(axum::Json(list.iter().map(FindingView::from).collect()))
}

#[utoipa::path(get, path = "/api/v1/screening/findings/{finding_id}", tag = "screening", security(("bearer" = []), ("session" = [])),
    params(("finding_id" = String, Path)),
    responses((status = 200, description = "The finding with both records side by side and its appeals", body = FindingDetailView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such finding in the caller's area", body = Problem)))]
pub async fn finding(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<FindingDetailView>, Problem> {
    Ok(axum::Json(s.reg.screening_finding(&a, &id).await?.view()))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionRequest {
    /// `confirm` or `clear` (findings); `uphold` or `reject` (appeals).
    pub decision: String,
    /// Why (required to clear, to uphold and to reject).
    #[serde(default)]
    pub note: String,
}

fn unknown_decision() -> Problem {
    Problem::new(
        422,
        "decision_unknown",
        "القرار غير معروف",
        "unknown decision",
    )
}

#[utoipa::path(post, path = "/api/v1/screening/findings/{finding_id}/decision", tag = "screening", request_body = DecisionRequest,
    security(("bearer" = []), ("session" = [])), params(("finding_id" = String, Path)),
    responses((status = 200, description = "Confirmed (the hold takes effect after the grace period; the household is told now) or cleared", body = FindingView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such finding in the caller's area", body = Problem), (status = 409, description = "Already decided (`finding_decided`), or a note missing (`note_required`)", body = Problem), (status = 422, description = "An unknown decision (`decision_unknown`)", body = Problem)))]
pub async fn decide_finding(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    m: Mutation<DecisionRequest>,
) -> Result<axum::Json<FindingView>, Problem> {
    let confirm = match m.body.decision.as_str() {
        "confirm" => true,
        "clear" => false,
        _ => return Err(unknown_decision()),
    };
    let f = s
        .reg
        .decide_screening_finding(&a, &id, confirm, &m.body.note)
        .await?;
    Ok(axum::Json(FindingView::from(&f)))
}

#[utoipa::path(post, path = "/api/v1/screening/appeals/{appeal_id}/decision", tag = "screening", request_body = DecisionRequest,
    security(("bearer" = []), ("session" = [])), params(("appeal_id" = String, Path)),
    responses((status = 204, description = "Upheld (the finding cleared, its hold lifted) or rejected"), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such appeal in the caller's area", body = Problem), (status = 409, description = "Already decided (`appeal_decided`), or a note missing (`note_required`)", body = Problem), (status = 422, description = "An unknown decision (`decision_unknown`)", body = Problem)))]
pub async fn decide_appeal(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    m: Mutation<DecisionRequest>,
) -> Result<StatusCode, Problem> {
    let uphold = match m.body.decision.as_str() {
        "uphold" => true,
        "reject" => false,
        _ => return Err(unknown_decision()),
    };
    s.reg.decide_appeal(&a, &id, uphold, &m.body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/me/findings", tag = "access", security(("session" = [])),
    responses((status = 200, description = "Findings confirmed against the citizen's household (reason, when the hold takes effect, appeals)", body = Vec<FindingView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_findings(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<FindingView>>, Problem> {
    let list = s.reg.my_screening(&a).await?;
    Ok(axum::Json(
        list.iter().map(|(f, _)| FindingView::from(f)).collect(),
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AppealRequest {
    pub statement: String,
    pub document_name: String,
    /// `application/pdf`, `image/jpeg` or `image/png`.
    pub document_type: String,
    /// The document, base64 (standard alphabet), at most 2 MB once decoded.
    pub document_base64: String,
}

#[utoipa::path(post, path = "/api/v1/me/findings/{finding_id}/appeals", tag = "access", request_body = AppealRequest,
    security(("session" = [])), params(("finding_id" = String, Path)),
    responses((status = 201, description = "The appeal, open", body = AppealView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 404, description = "No such finding for this household", body = Problem), (status = 409, description = "No standing hold (`appeal_hold_lifted`), one already open (`appeal_open`), or the statement or document missing or not accepted (`statement_required`, `document_required`, `document_type`)", body = Problem), (status = 422, description = "A statement that is not acceptable text", body = Problem)))]
pub async fn appeal(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    m: Mutation<AppealRequest>,
) -> Result<(StatusCode, axum::Json<AppealView>), Problem> {
    let r = &m.body;
    let doc = Document::from_base64(&r.document_name, &r.document_type, &r.document_base64)?;
    let appeal_id = s.reg.submit_appeal(&a, &id, &r.statement, doc).await?;
    let appeal = s
        .reg
        .store
        .appeal(&appeal_id)
        .await
        .map_err(|e| Problem::from(AppError::from(e)))?
        .ok_or_else(|| Problem::from(AppError::NotFound))?;
    Ok((StatusCode::CREATED, axum::Json(AppealView::from(&appeal))))
}
