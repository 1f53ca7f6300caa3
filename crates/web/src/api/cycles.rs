//! API routes of programmes and monthly cycles (issue 15): programmes and their versions, cycles from
//! draft to closed (approval by a second person), dry runs, each household's basket, and the
//! declarations eligibility reads.

use crate::AppState;
use crate::api::card;
use crate::auth::Caller;
use crate::extract::{Path, Query};
use crate::problem::{Mutation, Problem};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tamwin_app::cycles::{AdjustmentInput, BasketView, CycleChanges, CycleView, DryRun};
use tamwin_app::declarations::{DeclarationsInput, DeclarationsView};
use tamwin_app::programmes::{ProgrammeImport, ProgrammeView};
use tamwin_domain::programme::{CycleMonth, CycleStatus};
use tamwin_store::CycleFilter;

#[utoipa::path(get, path = "/api/v1/programmes", tag = "cycles", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Every programme with its history of versions, oldest first", body = Vec<ProgrammeView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem)))]
pub async fn programmes(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<ProgrammeView>>, Problem> {
    Ok(axum::Json(s.reg.programmes(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/programmes/{code}", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("code" = String, Path, description = "e.g. iq-pds")),
    responses((status = 200, description = "The programme and its versions", body = ProgrammeView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such programme", body = Problem)))]
pub async fn programme(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(code): Path<String>,
) -> Result<axum::Json<ProgrammeView>, Problem> {
    Ok(axum::Json(s.reg.programme(&code, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/programmes", tag = "cycles", security(("bearer" = []), ("session" = [])),
    request_body(content = Object, description = "A programme file (docs/formats.md, \"Programme files\")"),
    responses((status = 200, description = "Checked whole; its new versions added, versions already stored unchanged", body = ProgrammeImport), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 409, description = "A stored version changed (`programme_version_changed`), a version before the last cycle (`programme_version_after_cycles`), another country or kind (`programme_kind_changed`)", body = Problem), (status = 422, description = "The file's problems, each with its field and code", body = Problem)))]
pub async fn import_programme(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<serde_json::Value>, Problem>,
) -> Result<axum::Json<ProgrammeImport>, Problem> {
    a.require(tamwin_domain::access::Permission::ManageProgrammes)?;
    let m = m?;
    Ok(axum::Json(
        s.reg.import_programme(&m.body.to_string(), &a).await?,
    ))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct CycleQuery {
    pub programme: Option<String>,
    /// `YYYY-MM`.
    pub month: Option<String>,
    pub governorate: Option<String>,
    /// `draft`, `approved`, `open`, `closed`, `failed`.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/cycles", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(CycleQuery),
    responses((status = 200, description = "Cycles of the caller's area, newest month first", body = Vec<CycleView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 422, description = "A month not written YYYY-MM, or an unknown status", body = Problem)))]
pub async fn cycles(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<CycleQuery>,
) -> Result<axum::Json<Vec<CycleView>>, Problem> {
    let month = q
        .month
        .as_deref()
        .map(|m| CycleMonth::parse(m).map_err(|e| Problem::invalid(&e.under("month"))))
        .transpose()?;
    let status = q
        .status
        .as_deref()
        .map(|v| CycleStatus::parse(v).ok_or_else(|| Problem::new(422, "cycle_status_unknown")))
        .transpose()?;
    let f = CycleFilter {
        programme: q.programme,
        month,
        governorate: q.governorate,
        status,
    };
    Ok(axum::Json(s.reg.cycles(&f, &a).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DraftRequest {
    pub programme: String,
    /// `YYYY-MM`.
    pub month: String,
    /// A governorate code within the caller's area, e.g. 11.
    pub governorate: String,
}

#[utoipa::path(post, path = "/api/v1/cycles", tag = "cycles", request_body = DraftRequest, security(("bearer" = []), ("session" = [])),
    responses((status = 201, description = "Drafted; another supervisor approves it", body = CycleView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such programme, or a governorate outside the caller's area", body = Problem), (status = 409, description = "A cycle exists for that month (`cycle_exists`), no version in force (`cycle_no_version`), a skipped month (`cycle_month_skipped`)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn draft(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<DraftRequest>, Problem>,
) -> Result<(StatusCode, axum::Json<CycleView>), Problem> {
    a.require(tamwin_domain::access::Permission::ManageCycles)?;
    let b = m?.body;
    let c = s
        .reg
        .draft_cycle(&b.programme, &b.month, &b.governorate, &a)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(c)))
}

#[utoipa::path(get, path = "/api/v1/cycles/{cycle_id}", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("cycle_id" = String, Path)),
    responses((status = 200, description = "The cycle: status, who drafted and approved it, the generation's counts", body = CycleView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such cycle in the caller's area", body = Problem)))]
pub async fn cycle(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<CycleView>, Problem> {
    Ok(axum::Json(s.reg.cycle_status(&id, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/cycles/{cycle_id}/dry-run", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("cycle_id" = String, Path)),
    responses((status = 200, description = "What generation would write now: households and persons by district, each agent's quantities, the totals", body = DryRun), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such cycle in the caller's area", body = Problem), (status = 409, description = "The cycle is closed", body = Problem)))]
pub async fn dry_run(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<DryRun>, Problem> {
    Ok(axum::Json(s.reg.dry_run_cycle(&id, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/cycles/{cycle_id}/changes", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("cycle_id" = String, Path)),
    responses((status = 200, description = "Against the previous generated cycle of the programme and governorate: the households the dry run counts differently (entering, leaving, other members counted) with why, those of the caller's area only; each listed household's read is audited", body = CycleChanges), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such cycle in the caller's area", body = Problem), (status = 409, description = "The cycle is closed", body = Problem)))]
pub async fn changes(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
) -> Result<axum::Json<CycleChanges>, Problem> {
    Ok(axum::Json(s.reg.cycle_changes(&id, &a).await?))
}

/// The cycle's next step, by the caller: `approval`, `opening` or `closing`.
#[utoipa::path(post, path = "/api/v1/cycles/{cycle_id}/{step}", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("cycle_id" = String, Path), ("step" = String, Path, description = "`approval` (by someone other than the drafter; queues the generation), `opening` (once generated), `closing`")),
    responses((status = 200, description = "The cycle after the step", body = CycleView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such cycle in the caller's area, or no such step", body = Problem), (status = 409, description = "Approving one's own draft (`cycle_own_draft`), opening before generation (`cycle_not_generated`) or after a failed one (`cycle_generation_failed`), a step the status does not allow", body = Problem)))]
pub async fn step(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((id, step)): Path<(String, String)>,
) -> Result<axum::Json<CycleView>, Problem> {
    a.require(tamwin_domain::access::Permission::ManageCycles)?;
    let c = match step.as_str() {
        "approval" => s.reg.approve_cycle(&id, &a).await?,
        "opening" => s.reg.open_cycle(&id, &a).await?,
        "closing" => s.reg.close_cycle(&id, &a).await?,
        _ => return Err(Problem::new(404, "not_found")),
    };
    Ok(axum::Json(c))
}

#[utoipa::path(get, path = "/api/v1/households/{card_number}/baskets", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path, description = "Ration card number, with or without dashes")),
    responses((status = 200, description = "The household's basket in each approved, open or closed cycle, newest first: per item what is owed, suspended and available, and the members counted; the read is audited", body = Vec<BasketView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such household in the caller's area", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn baskets(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(c): Path<String>,
) -> Result<axum::Json<Vec<BasketView>>, Problem> {
    Ok(axum::Json(s.reg.baskets(&card(&c)?, &a).await?))
}

/// An in-cycle adjustment of one item of the household's entitlement, with its reason (issue 15
/// point 4): an explicit, audited line; the database keeps the item's line at or above zero.
#[utoipa::path(post, path = "/api/v1/households/{card_number}/baskets/{cycle_id}/adjustments", tag = "cycles", request_body = AdjustmentInput,
    security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path, description = "Ration card number, with or without dashes"), ("cycle_id" = String, Path)),
    responses((status = 200, description = "The household's basket in the cycle, adjusted; the adjustment is in `adjustments` and the audit log", body = BasketView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such household or cycle in the caller's area, or no entitlement of the household in it", body = Problem), (status = 409, description = "The cycle is not approved or open (`cycle_not_adjustable`), the item is not in it (`adjustment_item`), or the line would go below zero or below what was handed out (`entitlement_below_zero`)", body = Problem), (status = 422, description = "A zero amount or a missing reason", body = Problem)))]
pub async fn adjust(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path((c, cycle_id)): Path<(String, String)>,
    m: Result<Mutation<AdjustmentInput>, Problem>,
) -> Result<axum::Json<BasketView>, Problem> {
    a.require(tamwin_domain::access::Permission::ManageCycles)?;
    let card = card(&c)?;
    let b = m?.body;
    Ok(axum::Json(
        s.reg.adjust_entitlement(&card, &cycle_id, &b, &a).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/me/baskets", tag = "access", security(("session" = [])),
    responses((status = 200, description = "The citizen's baskets, newest first; the read is audited", body = Vec<BasketView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_baskets(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<BasketView>>, Problem> {
    Ok(axum::Json(s.reg.own_baskets(&a).await?))
}

#[utoipa::path(get, path = "/api/v1/households/{card_number}/declarations", tag = "households", security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path, description = "Ration card number, with or without dashes")),
    responses((status = 200, description = "What eligibility reads of the household; the read is audited", body = DeclarationsView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such household in the caller's area", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn declarations(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(c): Path<String>,
) -> Result<axum::Json<DeclarationsView>, Problem> {
    Ok(axum::Json(s.reg.declarations(&card(&c)?, &a).await?))
}

#[utoipa::path(patch, path = "/api/v1/households/{card_number}/declarations", tag = "households", request_body = DeclarationsInput,
    security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path, description = "Ration card number, with or without dashes")),
    responses((status = 200, description = "Changed (fields left out stay, `null` clears); the change history keeps what they were", body = DeclarationsView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such household in the caller's area", body = Problem), (status = 422, description = "An unknown sector or a negative income", body = Problem)))]
pub async fn declare(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(c): Path<String>,
    m: Result<Mutation<DeclarationsInput>, Problem>,
) -> Result<axum::Json<DeclarationsView>, Problem> {
    a.require(tamwin_domain::access::Permission::EditMembers)?;
    let card = card(&c)?;
    let b = m?.body;
    Ok(axum::Json(s.reg.declare(&card, &b, &a).await?))
}
