//! API routes of outlets and redemption (issue 16): an outlet's device (or operator) sends a card's
//! collection, voids its own, asks a collection code for a card and lists its day; supervisors list,
//! suspend and reinstate outlets, move an agent's households and assign a household's agents; the
//! citizen reads (and renews) the ration card's QR.

use crate::AppState;
use crate::api::{card, outcome_response};
use crate::auth::Caller;
use crate::extract::{Path, Query};
use crate::problem::{Mutation, Problem, body_problem};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};
use tamwin_app::outlets::OutletView;
use tamwin_app::redemption::{RedeemRequest, RedemptionView, VoidRequest};
use tamwin_app::stock::{MovementInput, StockLine};
use tamwin_domain::outlet::Licence;

#[utoipa::path(post, path = "/api/v1/outlet/redemptions", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    request_body = RedeemRequest,
    responses((status = 201, description = "Recorded: what was taken and what is left; a retry with the same transaction id answers the same (header `Idempotent-Replayed`)", body = RedemptionView), (status = 401, description = "No valid credentials, a device request not signed right, or a collection code refused", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 404, description = "No such card", body = Problem), (status = 409, description = "Refused: over what is left (`quantity_over_entitlement`), a forged, expired or revoked QR, a card this outlet does not serve, a household or collector on hold, no open cycle here, an outlet not active", body = Problem), (status = 422, description = "A quantity not whole and above zero, an unknown item, a bad transaction id, a transaction id used for another request (`idempotency_key_reused`) (problem+json)", body = Problem)))]
pub async fn redeem(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<serde_json::Value>, Problem>,
) -> Result<Response, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    let m = m?;
    // The request's digest over its canonical JSON (keys sorted): a retry of the same collection,
    // however its keys were ordered, is the same request.
    let canonical = m.body.to_string();
    let req: RedeemRequest = serde_json::from_value(m.body).map_err(|e| body_problem(&e, ""))?;
    let hash = tamwin_app::devices::body_sha256(canonical.as_bytes());
    Ok(outcome_response(s.reg.redeem(&req, &hash, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/outlet/redemptions/void", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    request_body = VoidRequest,
    responses((status = 200, description = "Voided: the quantities are back, the family told", body = RedemptionView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 404, description = "No collection of this device with that transaction id", body = Problem), (status = 409, description = "Voided already, or past the void window (`void_too_late`)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn void(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<VoidRequest>, Problem>,
) -> Result<axum::Json<RedemptionView>, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    Ok(axum::Json(s.reg.void_redemption(&m?.body, &a).await?))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeRequest {
    pub card_number: String,
}

#[utoipa::path(post, path = "/api/v1/outlet/collection-codes", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    request_body = CodeRequest,
    responses((status = 202, description = "A collection code, bound to this outlet, sent to the household's phone"), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 404, description = "No such card", body = Problem), (status = 409, description = "The card has no phone, or the outlet is not active", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem), (status = 429, description = "Too many codes for the number", body = Problem)))]
pub async fn collection_code(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<CodeRequest>, Problem>,
) -> Result<StatusCode, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    let m = m?;
    let c = card(&m.body.card_number)?;
    s.reg.send_collection_code(c.as_str(), &a).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct DayQuery {
    /// `YYYY-MM-DD`, the country's local date; today by default.
    pub date: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/outlet/redemptions", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    params(DayQuery),
    responses((status = 200, description = "The outlet's collections of the day, oldest first; each household's read is audited", body = Vec<RedemptionView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 422, description = "A date not written YYYY-MM-DD", body = Problem)))]
pub async fn day(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<DayQuery>,
) -> Result<axum::Json<Vec<RedemptionView>>, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    let date = match q.date.as_deref() {
        Some(d) => d.parse::<jiff::civil::Date>().map_err(|_| {
            Problem::invalid(&tamwin_domain::FieldError::new(
                "date",
                "date_invalid",
                "a date as YYYY-MM-DD",
            ))
        })?,
        None => s.reg.clock().today(),
    };
    Ok(axum::Json(s.reg.outlet_day(date, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/outlets", tag = "outlets", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "The outlets of the caller's area, by district, kind and code", body = Vec<OutletView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem)))]
pub async fn outlets(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<OutletView>>, Problem> {
    let geo = s.reg.geo().clone();
    Ok(axum::Json(
        s.reg
            .outlets(&a)
            .await?
            .iter()
            .map(|o| OutletView::of(o, &geo))
            .collect(),
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LicenceRequest {
    /// `active` (reinstate), `suspended` or `revoked`.
    pub licence: String,
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/outlets/{outlet}/licence", tag = "outlets", security(("bearer" = []), ("session" = [])),
    params(("outlet" = String, Path, description = "The outlet's code")),
    request_body = LicenceRequest,
    responses((status = 200, description = "The outlet with its new licence; audited with the reason", body = OutletView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such outlet in the caller's area", body = Problem), (status = 409, description = "The licence is already so, or revoked for good", body = Problem), (status = 422, description = "An unknown licence, or no reason", body = Problem)))]
pub async fn licence(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(code): Path<String>,
    m: Result<Mutation<LicenceRequest>, Problem>,
) -> Result<axum::Json<OutletView>, Problem> {
    a.require(tamwin_domain::access::Permission::ManageOutlets)?;
    let m = m?;
    let to = Licence::parse(m.body.licence.trim()).ok_or_else(|| {
        Problem::invalid(&tamwin_domain::FieldError::new(
            "licence",
            "licence_unknown",
            "active, suspended or revoked",
        ))
    })?;
    let o = s
        .reg
        .set_outlet_licence(&code, to, &m.body.reason, &a)
        .await?;
    Ok(axum::Json(OutletView::of(&o, s.reg.geo())))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MoveRequest {
    /// The agent the households go to: same kind, same governorate, active.
    pub to: String,
    pub reason: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Moved {
    pub moved: u64,
}

#[utoipa::path(post, path = "/api/v1/outlets/{outlet}/households-move", tag = "outlets", security(("bearer" = []), ("session" = [])),
    params(("outlet" = String, Path, description = "The agent the households leave")),
    request_body = MoveRequest,
    responses((status = 200, description = "How many households moved; the open cycles' entitlements follow", body = Moved), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such outlet in the caller's area", body = Problem), (status = 409, description = "Not agents of one kind and governorate, or the receiving agent not active", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn move_households(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(code): Path<String>,
    m: Result<Mutation<MoveRequest>, Problem>,
) -> Result<axum::Json<Moved>, Problem> {
    a.require(tamwin_domain::access::Permission::ManageOutlets)?;
    let m = m?;
    let moved = s
        .reg
        .move_outlet_households(&code, m.body.to.trim(), &m.body.reason, &a)
        .await?;
    Ok(axum::Json(Moved { moved }))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AgentRequest {
    /// A ration agent or a flour agent of the household's governorate.
    pub outlet: String,
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/agent", tag = "outlets", security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path, description = "Ration card number, with or without dashes")),
    request_body = AgentRequest,
    responses((status = 204, description = "Assigned: the household's ration or flour agent, by the outlet's kind"), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such household or outlet in the caller's area", body = Problem), (status = 409, description = "Not an agent, another governorate's, or not active", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn assign_agent(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(c): Path<String>,
    m: Result<Mutation<AgentRequest>, Problem>,
) -> Result<StatusCode, Problem> {
    a.require(tamwin_domain::access::Permission::ManageOutlets)?;
    let m = m?;
    let c = card(&c)?;
    s.reg.assign_agent(&c, m.body.outlet.trim(), &a).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct CardQr {
    /// The QR text (`TMW1:…`), to show as a QR code or print on the card.
    pub qr: String,
}

#[utoipa::path(get, path = "/api/v1/me/card-qr", tag = "access", security(("session" = [])),
    responses((status = 200, description = "The citizen's ration-card QR (issued the first time)", body = CardQr), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_card_qr(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<CardQr>, Problem> {
    Ok(axum::Json(CardQr {
        qr: s.reg.own_card_qr(false, &a).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/me/card-qr", tag = "access", security(("session" = [])),
    responses((status = 200, description = "A new QR: the card was lost, and the one before stops working at once", body = CardQr), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem)))]
pub async fn renew_card_qr(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<CardQr>, Problem> {
    Ok(axum::Json(CardQr {
        qr: s.reg.own_card_qr(true, &a).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/card-qr", tag = "households", security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path, description = "Ration card number, with or without dashes")),
    responses((status = 200, description = "A new QR for the household's card (lost or stolen): the one before stops working at once", body = CardQr), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such household in the caller's area", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn reissue_card_qr(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(c): Path<String>,
) -> Result<axum::Json<CardQr>, Problem> {
    let c = card(&c)?;
    Ok(axum::Json(CardQr {
        qr: s.reg.reissue_card_qr(&c, &a).await?,
    }))
}

#[utoipa::path(post, path = "/api/v1/outlets/{outlet}/dispatches", tag = "outlets", security(("bearer" = []), ("session" = [])),
    params(("outlet" = String, Path, description = "The outlet the warehouse sends to")),
    request_body = MovementInput,
    responses((status = 200, description = "Recorded and audited: the outlet's stock in the cycle", body = Vec<StockLine>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such outlet in the caller's area, or a cycle of another governorate", body = Problem), (status = 409, description = "The cycle is neither approved nor open", body = Problem), (status = 422, description = "An unknown item, a quantity not whole and above zero (problem+json)", body = Problem)))]
pub async fn dispatch(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(outlet): Path<String>,
    m: Result<Mutation<MovementInput>, Problem>,
) -> Result<axum::Json<Vec<StockLine>>, Problem> {
    a.require(tamwin_domain::access::Permission::ManageOutlets)?;
    Ok(axum::Json(
        s.reg.dispatch_stock(&outlet, &m?.body, &a).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/outlet/receipts", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    request_body = MovementInput,
    responses((status = 200, description = "The outlet's receipt, audited: its stock in the cycle", body = Vec<StockLine>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 404, description = "No such cycle of the outlet's governorate", body = Problem), (status = 409, description = "A quantity other than dispatched without a reason (`receipt_reason_missing`), or a cycle neither approved nor open", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn receipt(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<MovementInput>, Problem>,
) -> Result<axum::Json<Vec<StockLine>>, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    Ok(axum::Json(s.reg.receive_stock(&m?.body, &a).await?))
}

#[utoipa::path(post, path = "/api/v1/outlet/returns", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    request_body = MovementInput,
    responses((status = 200, description = "What the outlet sends back, with its reason, audited: its stock in the cycle", body = Vec<StockLine>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 404, description = "No such cycle of the outlet's governorate", body = Problem), (status = 409, description = "No reason (`reason_missing`), or a cycle neither approved nor open", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn stock_return(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<MovementInput>, Problem>,
) -> Result<axum::Json<Vec<StockLine>>, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    Ok(axum::Json(s.reg.return_stock(&m?.body, &a).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct StockQuery {
    pub cycle_id: String,
}

#[utoipa::path(get, path = "/api/v1/outlet/stock", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    params(StockQuery),
    responses((status = 200, description = "The outlet's own stock in the cycle, by item", body = Vec<StockLine>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 422, description = "No cycle named", body = Problem)))]
pub async fn stock(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<StockQuery>,
) -> Result<axum::Json<Vec<StockLine>>, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    Ok(axum::Json(s.reg.own_stock(&q.cycle_id, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/cycles/{cycle_id}/reconciliation", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("cycle_id" = String, Path, description = "The cycle")),
    responses((status = 200, description = "Every outlet's allocated, dispatched, received, handed out and returned quantities and the variance, by outlet and item (no personal data)", body = Vec<StockLine>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such cycle in the caller's area", body = Problem)))]
pub async fn reconciliation(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(cycle_id): Path<String>,
) -> Result<axum::Json<Vec<StockLine>>, Problem> {
    Ok(axum::Json(s.reg.reconciliation(&cycle_id, &a).await?))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Allocated {
    /// Outlet and item rows written.
    pub rows: usize,
}

#[utoipa::path(post, path = "/api/v1/cycles/{cycle_id}/allocation", tag = "cycles", security(("bearer" = []), ("session" = [])),
    params(("cycle_id" = String, Path, description = "The cycle")),
    responses((status = 200, description = "Each agent's allocation computed again from its households' entitlements (after households moved)", body = Allocated), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such cycle in the caller's area", body = Problem)))]
pub async fn allocation(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(cycle_id): Path<String>,
) -> Result<axum::Json<Allocated>, Problem> {
    Ok(axum::Json(Allocated {
        rows: s.reg.reallocate(&cycle_id, &a).await?,
    }))
}

#[utoipa::path(get, path = "/api/v1/me/collections", tag = "access", security(("session" = [])),
    responses((status = 200, description = "The citizen's agents and every collection of the household, newest first; the read is audited", body = tamwin_app::redemption::CitizenDistribution), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_collections(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<tamwin_app::redemption::CitizenDistribution>, Problem> {
    Ok(axum::Json(s.reg.own_collections(&a).await?))
}

#[utoipa::path(post, path = "/api/v1/me/complaints", tag = "access", security(("session" = [])),
    request_body = tamwin_app::complaints::ComplaintInput,
    responses((status = 201, description = "Filed and audited; a collection the family did not make is marked for auditors", body = tamwin_app::complaints::ComplaintView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 409, description = "A receipt not the family's, missing where the kind needs one, or complained of already", body = Problem), (status = 422, description = "An unknown kind, or no statement (problem+json)", body = Problem)))]
pub async fn file_complaint(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<tamwin_app::complaints::ComplaintInput>, Problem>,
) -> Result<
    (
        StatusCode,
        axum::Json<tamwin_app::complaints::ComplaintView>,
    ),
    Problem,
> {
    let m = m?;
    Ok((
        StatusCode::CREATED,
        axum::Json(s.reg.file_complaint(&m.body, &a).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/me/complaints", tag = "access", security(("session" = [])),
    responses((status = 200, description = "The family's complaints, newest first, with the replies", body = Vec<tamwin_app::complaints::ComplaintView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_complaints(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<tamwin_app::complaints::ComplaintView>>, Problem> {
    Ok(axum::Json(s.reg.own_complaints(&a).await?))
}

#[derive(Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ComplaintQuery {
    pub governorate: String,
    /// `open`, `assigned`, `resolved`.
    pub status: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/complaints", tag = "outlets", security(("bearer" = []), ("session" = [])),
    params(ComplaintQuery),
    responses((status = 200, description = "The governorate's complaints, newest first; each household's read is audited", body = Vec<tamwin_app::complaints::ComplaintView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem), (status = 404, description = "No such governorate in the caller's area", body = Problem), (status = 409, description = "An unknown status", body = Problem)))]
pub async fn complaints(
    State(s): State<AppState>,
    Caller(a): Caller,
    Query(q): Query<ComplaintQuery>,
) -> Result<axum::Json<Vec<tamwin_app::complaints::ComplaintView>>, Problem> {
    Ok(axum::Json(
        s.reg
            .complaints(&q.governorate, q.status.as_deref(), &a)
            .await?,
    ))
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignRequest {
    /// Who looks into it.
    pub to: String,
}

#[utoipa::path(post, path = "/api/v1/complaints/{complaint_id}/assignment", tag = "outlets", security(("bearer" = []), ("session" = [])),
    params(("complaint_id" = String, Path, description = "The complaint")),
    request_body = AssignRequest,
    responses((status = 204, description = "Assigned, audited"), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such complaint in the caller's area", body = Problem), (status = 409, description = "Resolved already", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn assign_complaint(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    m: Result<Mutation<AssignRequest>, Problem>,
) -> Result<StatusCode, Problem> {
    a.require(tamwin_domain::access::Permission::ManageOutlets)?;
    s.reg.assign_complaint(&id, &m?.body.to, &a).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ResolveRequest {
    /// What the family reads.
    pub reply: String,
}

#[utoipa::path(post, path = "/api/v1/complaints/{complaint_id}/resolution", tag = "outlets", security(("bearer" = []), ("session" = [])),
    params(("complaint_id" = String, Path, description = "The complaint")),
    request_body = ResolveRequest,
    responses((status = 204, description = "Resolved with the reply the family reads, audited; the time to resolution kept"), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 404, description = "No such complaint in the caller's area", body = Problem), (status = 409, description = "Not assigned", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn resolve_complaint(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(id): Path<String>,
    m: Result<Mutation<ResolveRequest>, Problem>,
) -> Result<StatusCode, Problem> {
    a.require(tamwin_domain::access::Permission::ManageOutlets)?;
    s.reg.resolve_complaint(&id, &m?.body.reply, &a).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/screening/disputed-collections", tag = "screening", security(("bearer" = []), ("session" = [])),
    responses((status = 200, description = "Collections families say they did not make, newest first, of the caller's area; each household's read is audited", body = Vec<tamwin_app::complaints::DisputedView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it", body = Problem)))]
pub async fn disputed(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<tamwin_app::complaints::DisputedView>>, Problem> {
    Ok(axum::Json(s.reg.disputed_collections(&a).await?))
}
