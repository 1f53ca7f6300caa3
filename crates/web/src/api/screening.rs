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
use tamwin_app::screening::{
    AppealView, FindingDetailView, FindingView, InboxPage, MyFinding, QueuePage, QueueQuery,
    RunView,
};
use tamwin_domain::FindingId;
use tamwin_domain::access::Permission;
use tamwin_domain::screening::AppealStatus;

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
    /// A district code within the caller's area (outside it: nothing).
    pub district: Option<String>,
    /// Keyset cursor: `next_after` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (100 by default); outside that, `limit_out_of_range`.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

impl FindingQuery {
    pub fn query(&self) -> QueueQuery {
        QueueQuery {
            status: self.status.clone(),
            kind: self.kind.clone(),
            decision: self.decision.clone(),
            district: self.district.clone(),
            after: self.after.clone(),
            limit: self.limit.unwrap_or(100),
        }
    }
}

#[utoipa::path(get, path = "/api/v1/screening/findings", tag = "screening", security(("bearer" = []), ("session" = [])),
    params(FindingQuery),
    responses((status = 200, description = "One keyset page of findings in the caller's area (holds pending review first, strongest first), each with the card, member and district it concerns (each read audited), the counts by kind and status, and the next page's cursor", body = QueuePage), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 422, description = "A cursor that is not one this route gave (`cursor_invalid`)", body = Problem)))]
pub async fn findings(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<FindingQuery>,
) -> Result<axum::Json<QueuePage>, Problem> {
    crate::extract::in_range("limit", q.limit, 1, 500)?;
    Ok(axum::Json(s.reg.screening_queue(&a, &q.query()).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct InboxQuery {
    /// Keyset cursor: `next_after` of the previous page.
    pub after: Option<String>,
    /// Page size, 1 to 500 (100 by default); outside that, `limit_out_of_range`.
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/screening/appeals", tag = "screening", security(("bearer" = []), ("session" = [])),
    params(InboxQuery),
    responses((status = 200, description = "Open appeals in the caller's area, oldest first, with their age in days and who they concern (each read audited); one keyset page", body = InboxPage), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 422, description = "A cursor that is not one this route gave (`cursor_invalid`)", body = Problem)))]
pub async fn appeals(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<InboxQuery>,
) -> Result<axum::Json<InboxPage>, Problem> {
    crate::extract::in_range("limit", q.limit, 1, 500)?;
    Ok(axum::Json(
        s.reg
            .appeal_inbox(&a, q.after.as_deref(), q.limit.unwrap_or(100))
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/screening/findings/{finding_id}", tag = "screening", security(("bearer" = []), ("session" = [])),
    params(("finding_id" = String, Path)),
    responses((status = 200, description = "The finding with both records side by side and its appeals (each household shown is audited as read). The other card of a match is shown only when it lies in the caller's area; otherwise `other` is absent and `other_outside_area` is true", body = FindingDetailView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such finding in the caller's area", body = Problem)))]
pub async fn finding(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<FindingId>,
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
    Problem::new(422, "decision_unknown")
}

#[utoipa::path(post, path = "/api/v1/screening/findings/{finding_id}/decision", tag = "screening", request_body = DecisionRequest,
    security(("bearer" = []), ("session" = [])), params(("finding_id" = String, Path)),
    responses((status = 200, description = "Confirmed (the hold takes effect after the grace period; the household is told now) or cleared", body = FindingView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such finding in the caller's area", body = Problem), (status = 409, description = "Already decided (`finding_decided`), or a note missing (`note_required`)", body = Problem), (status = 422, description = "An unknown decision (`decision_unknown`)", body = Problem)))]
pub async fn decide_finding(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<FindingId>,
    m: Result<Mutation<DecisionRequest>, Problem>,
) -> Result<axum::Json<FindingView>, Problem> {
    // The role first: a caller who may not decide learns nothing from their body's faults.
    a.require(Permission::Screen)?;
    let m = m?;
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
    m: Result<Mutation<DecisionRequest>, Problem>,
) -> Result<StatusCode, Problem> {
    a.require(Permission::Screen)?;
    let m = m?;
    let uphold = match m.body.decision.as_str() {
        "uphold" => true,
        "reject" => false,
        _ => return Err(unknown_decision()),
    };
    s.reg.decide_appeal(&a, &id, uphold, &m.body.note).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A finding on the citizen's card: who, why, its latest appeal with the auditor's reason, and what
/// the citizen can do next.
#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct MyFindingView {
    #[serde(flatten)]
    pub finding: FindingView,
    /// The member it concerns.
    pub member_name: String,
    /// The latest appeal, with the decision's reason (`decision_note`) once decided.
    pub appeal: Option<AppealView>,
    /// What the citizen can do next, in Arabic and English.
    pub next_step_ar: String,
    pub next_step_en: String,
}

/// The catalog key of what a citizen can do next about a finding, given its latest appeal.
pub fn next_step_key(m: &MyFinding) -> &'static str {
    match m.appeal.as_ref().map(|a| a.status) {
        Some(AppealStatus::Open) => "appeal_next_open",
        Some(AppealStatus::Upheld) => "appeal_next_upheld",
        Some(AppealStatus::Rejected) => "appeal_next_rejected",
        None => "appeal_next_none",
    }
}

#[utoipa::path(get, path = "/api/v1/me/findings", tag = "access", security(("session" = [])),
    responses((status = 200, description = "Findings confirmed against the citizen's household (reason, when the hold takes effect, the member, the latest appeal with the auditor's reason, what to do next); the read is audited", body = Vec<MyFindingView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_findings(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<MyFindingView>>, Problem> {
    let list = s.reg.my_screening(&a).await?;
    let (ar, en) = (
        crate::i18n::Tr {
            lang: crate::i18n::Lang::PRIMARY,
        },
        crate::i18n::Tr {
            lang: crate::i18n::Lang::parse("en").unwrap_or(crate::i18n::Lang::PRIMARY),
        },
    );
    Ok(axum::Json(
        list.iter()
            .map(|m| MyFindingView {
                finding: FindingView::from(&m.finding),
                member_name: m.member_name.clone(),
                appeal: m.appeal.as_ref().map(AppealView::from),
                next_step_ar: ar.t(next_step_key(m)).to_string(),
                next_step_en: en.t(next_step_key(m)).to_string(),
            })
            .collect(),
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
    Path(id): Path<FindingId>,
    m: Result<Mutation<AppealRequest>, Problem>,
) -> Result<(StatusCode, axum::Json<AppealView>), Problem> {
    // Only a citizen appeals: the role before the body and its document.
    if !a.is_citizen() {
        return Err(AppError::Forbidden.into());
    }
    let m = m?;
    let r = &m.body;
    let doc = Document::from_base64(&r.document_name, &r.document_type, &r.document_base64)?;
    let appeal_id = s.reg.submit_appeal(&a, &id, &r.statement, doc).await?;
    let appeal = s.reg.own_appeal(&a, &appeal_id).await?;
    Ok((StatusCode::CREATED, axum::Json(AppealView::from(&appeal))))
}
