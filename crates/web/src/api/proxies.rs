//! API routes of electronic powers of attorney (issue 17; docs/proxies.md): the signed-in head makes,
//! lists, confirms and revokes the household's grants; the proxy, with no account, accepts or declines
//! with the code the civil registry sent to their phone.

use crate::AppState;
use crate::auth::Caller;
use crate::extract::Path;
use crate::problem::{Mutation, Problem};
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use tamwin_app::proxies::{GrantInput, GrantStarted, GrantView};

#[utoipa::path(post, path = "/api/v1/me/proxies", tag = "proxies", security(("session" = [])),
    request_body = GrantInput,
    responses((status = 201, description = "Made (`confirming`): the civil registry sent each side a code to their own phone, masked here", body = GrantStarted), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 409, description = "Refused: the person unknown, deceased, abroad, on hold, of the household, not matching the birth date, at the proxy limit (`proxy_at_limit`), a grant to them open already, the household's adults all held, the hub not answering", body = Problem), (status = 422, description = "A national ID or date malformed, a validity in the past or over 12 months, an unknown reason, programme or item (problem+json)", body = Problem)))]
pub async fn grant_proxy(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<GrantInput>, Problem>,
) -> Result<(StatusCode, axum::Json<GrantStarted>), Problem> {
    let m = m?;
    Ok((
        StatusCode::CREATED,
        axum::Json(s.reg.grant_proxy(&m.body, &a).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/me/proxies", tag = "proxies", security(("session" = [])),
    responses((status = 200, description = "The household's grants, newest first (the read audited)", body = Vec<GrantView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem)))]
pub async fn my_proxies(
    State(s): State<AppState>,
    Caller(a): Caller,
) -> Result<axum::Json<Vec<GrantView>>, Problem> {
    Ok(axum::Json(s.reg.own_grants(&a).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CodeBody {
    pub code: String,
}

#[utoipa::path(post, path = "/api/v1/me/proxies/{grant_id}/confirmation", tag = "proxies", security(("session" = [])),
    params(("grant_id" = String, Path)), request_body = CodeBody,
    responses((status = 200, description = "The head's confirmation kept as evidence; with the proxy's, the grant awaits its fee", body = GrantView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 404, description = "No such grant of this household", body = Problem), (status = 409, description = "The code wrong, used or expired; not waiting for the head's confirmation", body = Problem)))]
pub async fn confirm_proxy(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(grant_id): Path<String>,
    m: Result<Mutation<CodeBody>, Problem>,
) -> Result<axum::Json<GrantView>, Problem> {
    let m = m?;
    Ok(axum::Json(
        s.reg.confirm_grant(&grant_id, &m.body.code, &a).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevocationBody {
    #[serde(default)]
    pub reason: String,
}

#[utoipa::path(post, path = "/api/v1/me/proxies/{grant_id}/revocation", tag = "proxies", security(("session" = [])),
    params(("grant_id" = String, Path)), request_body = RevocationBody,
    responses((status = 200, description = "Revoked: the next request at any outlet is refused", body = GrantView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 404, description = "No such grant of this household", body = Problem), (status = 409, description = "Ended already", body = Problem)))]
pub async fn revoke_proxy(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(grant_id): Path<String>,
    m: Result<Mutation<RevocationBody>, Problem>,
) -> Result<axum::Json<GrantView>, Problem> {
    let m = m?;
    Ok(axum::Json(
        s.reg.revoke_grant(&grant_id, &m.body.reason, &a).await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AnswerBody {
    pub national_id: String,
    /// The code the civil registry sent to the proxy's phone.
    pub code: String,
    /// `true` accepts, `false` declines.
    pub accept: bool,
}

#[utoipa::path(post, path = "/api/v1/proxy-answers", tag = "proxies",
    request_body = AnswerBody,
    responses((status = 200, description = "The proxy's answer to the grant the code was sent for: accepted (kept as evidence) or declined", body = GrantView), (status = 409, description = "The code wrong, used or expired, or no grant waiting for this person's answer", body = Problem), (status = 422, description = "A malformed national ID (problem+json)", body = Problem)))]
pub async fn answer_proxy(
    State(s): State<AppState>,
    m: Result<Mutation<AnswerBody>, Problem>,
) -> Result<axum::Json<GrantView>, Problem> {
    let m = m?;
    let b = &m.body;
    Ok(axum::Json(
        s.reg
            .answer_grant(&b.national_id, &b.code, b.accept)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/me/proxies/{grant_id}/payment", tag = "proxies", security(("session" = [])),
    params(("grant_id" = String, Path)),
    responses((status = 201, description = "The fee's payment started (or the one under way shown again): pay on the provider's page at `redirect_url`", body = tamwin_app::payments::PaymentView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen, or CSRF token missing", body = Problem), (status = 404, description = "No such grant of this household", body = Problem), (status = 409, description = "Not awaiting its fee, no payment provider, the provider not answering", body = Problem)))]
pub async fn pay_proxy_fee(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(grant_id): Path<String>,
) -> Result<(StatusCode, axum::Json<tamwin_app::payments::PaymentView>), Problem> {
    // The provider sends the citizen back to their own page: never a URL the request names.
    let p = s
        .reg
        .pay_grant(&grant_id, crate::pages::proxies::RETURN_PAGE, &a)
        .await?;
    Ok((StatusCode::CREATED, axum::Json(p)))
}

#[utoipa::path(get, path = "/api/v1/me/proxies/{grant_id}/payments", tag = "proxies", security(("session" = [])),
    params(("grant_id" = String, Path)),
    responses((status = 200, description = "The grant's payments, newest first", body = Vec<tamwin_app::payments::PaymentView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not a citizen", body = Problem), (status = 404, description = "No such grant of this household", body = Problem)))]
pub async fn proxy_payments(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(grant_id): Path<String>,
) -> Result<axum::Json<Vec<tamwin_app::payments::PaymentView>>, Problem> {
    Ok(axum::Json(s.reg.grant_payments(&grant_id, &a).await?))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct CallbackAnswer {
    /// `pending`, `activated`, `failed`, `refunded`, `already`, `duplicate`.
    pub outcome: String,
}

#[utoipa::path(post, path = "/api/v1/payments/callback", tag = "proxies",
    params(("webhook-id" = String, Header), ("webhook-timestamp" = String, Header, description = "Unix seconds"), ("webhook-signature" = String, Header, description = "`v1,<base64 HMAC-SHA256 of id.timestamp.body>`")),
    request_body(content = String, description = "The provider's notification: `{\"type\", \"data\": {\"payment_id\", \"order_id\"}}`", content_type = "application/json"),
    responses((status = 200, description = "Received; what came of it after asking the provider for the payment's status (a duplicate is not acted on again)", body = CallbackAnswer), (status = 401, description = "Not signed with the provider's secret, or outside the five-minute window", body = Problem), (status = 409, description = "An unknown payment, a payment for another grant, an amount or currency that differs, no payment provider, the provider not answering", body = Problem)))]
pub async fn payment_callback(
    State(s): State<AppState>,
    headers: axum::http::HeaderMap,
    body: axum::body::Bytes,
) -> Result<axum::Json<CallbackAnswer>, Problem> {
    let h = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string()
    };
    let wh = tamwin_app::payments::WebhookHeaders {
        id: h("webhook-id"),
        timestamp: h("webhook-timestamp"),
        signature: h("webhook-signature"),
    };
    let outcome = s.reg.payment_callback(&wh, &body).await?;
    let outcome = serde_json::to_value(outcome)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    Ok(axum::Json(CallbackAnswer { outcome }))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ReconciliationQuery {
    /// `YYYY-MM-DD`, in Iraq's time.
    pub date: String,
}

#[utoipa::path(get, path = "/api/v1/payments/reconciliation", tag = "proxies", security(("bearer" = []), ("session" = [])),
    params(ReconciliationQuery),
    responses((status = 200, description = "The day's payments and grants that do not agree (paid and not granted, granted and not paid, another amount), in the reader's area, each household's read audited", body = tamwin_app::payments::Reconciliation), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an auditor", body = Problem), (status = 422, description = "A malformed date (problem+json)", body = Problem)))]
pub async fn payments_reconciliation(
    State(s): State<AppState>,
    Caller(a): Caller,
    crate::extract::Query(q): crate::extract::Query<ReconciliationQuery>,
) -> Result<axum::Json<tamwin_app::payments::Reconciliation>, Problem> {
    let day = q.date.trim().parse().map_err(|_| {
        Problem::from(tamwin_app::AppError::Validation(
            tamwin_domain::ValidationErrors(vec![tamwin_domain::FieldError::new(
                "date",
                "date_invalid",
                "a date as YYYY-MM-DD",
            )]),
        ))
    })?;
    Ok(axum::Json(s.reg.payments_reconciliation(day, &a).await?))
}

#[utoipa::path(get, path = "/api/v1/households/{card_number}/proxies", tag = "proxies", security(("bearer" = []), ("session" = [])),
    params(("card_number" = String, Path)),
    responses((status = 200, description = "The household's powers of attorney, newest first (the read audited)", body = Vec<GrantView>), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "May not read personal data", body = Problem), (status = 404, description = "No such card in the reader's area", body = Problem)))]
pub async fn household_proxies(
    State(s): State<AppState>,
    Caller(a): Caller,
    Path(card): Path<String>,
) -> Result<axum::Json<Vec<GrantView>>, Problem> {
    let card = crate::api::card(&card)?;
    Ok(axum::Json(s.reg.household_grants(&card, &a).await?))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxyCodeBody {
    pub national_id: String,
}

#[utoipa::path(post, path = "/api/v1/proxy-codes", tag = "proxies",
    request_body = ProxyCodeBody,
    responses((status = 202, description = "If a grant names this person, the civil registry sends a code to their phone; the answer is the same either way"), (status = 409, description = "Too many codes asked, no phone on file, the hub not answering", body = Problem), (status = 422, description = "A malformed national ID (problem+json)", body = Problem)))]
pub async fn proxy_code(
    State(s): State<AppState>,
    m: Result<Mutation<ProxyCodeBody>, Problem>,
) -> Result<StatusCode, Problem> {
    let m = m?;
    s.reg.proxy_code(&m.body.national_id).await?;
    Ok(StatusCode::ACCEPTED)
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GiveUpBody {
    pub national_id: String,
    pub grant_id: String,
    /// The code last sent to the proxy's phone (`/api/v1/proxy-codes`).
    pub code: String,
}

#[utoipa::path(post, path = "/api/v1/proxy-give-ups", tag = "proxies",
    request_body = GiveUpBody,
    responses((status = 200, description = "Given up (an active grant) or declined (one awaiting its fee); the place given back", body = GrantView), (status = 409, description = "The code wrong, used or expired, or the grant not this person's; ended already", body = Problem), (status = 422, description = "A malformed national ID (problem+json)", body = Problem)))]
pub async fn give_up_proxy(
    State(s): State<AppState>,
    m: Result<Mutation<GiveUpBody>, Problem>,
) -> Result<axum::Json<GrantView>, Problem> {
    let m = m?;
    let b = &m.body;
    Ok(axum::Json(
        s.reg
            .give_up_grant(&b.national_id, &b.grant_id, &b.code)
            .await?,
    ))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct OutletProxyCodeBody {
    /// The proxy's national ID.
    pub national_id: String,
    /// The card number of the household they collect for.
    pub for_card: String,
}

#[utoipa::path(post, path = "/api/v1/outlet/proxy-codes", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    request_body = OutletProxyCodeBody,
    responses((status = 202, description = "A grant in force names this proxy for the family: the civil registry sent a code to the proxy's phone, good at this outlet only", body = tamwin_app::redemption::ProxyCodeSent), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 404, description = "No such card", body = Problem), (status = 409, description = "No grant in force names them (`proxy_no_grant`), they run this outlet (`proxy_runs_outlet`), this outlet does not serve the family, the registry has no phone or sent too many codes, the hub not answering", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn outlet_proxy_code(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<OutletProxyCodeBody>, Problem>,
) -> Result<
    (
        StatusCode,
        axum::Json<tamwin_app::redemption::ProxyCodeSent>,
    ),
    Problem,
> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    let m = m?;
    let sent = s
        .reg
        .send_proxy_code(&m.body.national_id, &m.body.for_card, &a)
        .await?;
    Ok((StatusCode::ACCEPTED, axum::Json(sent)))
}

#[utoipa::path(post, path = "/api/v1/outlet/proxy-grants", tag = "outlets", security(("device" = []), ("bearer" = []), ("session" = [])),
    request_body = OutletProxyCodeBody,
    responses((status = 200, description = "The grant in force naming this proxy for the family: its scope and validity, nothing of why (the read audited)", body = tamwin_app::redemption::OutletGrantView), (status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Not an outlet's device or operator", body = Problem), (status = 404, description = "No such card", body = Problem), (status = 409, description = "No grant in force names them (`proxy_no_grant`), they run this outlet (`proxy_runs_outlet`), or this outlet does not serve the family", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn outlet_proxy_grant(
    State(s): State<AppState>,
    Caller(a): Caller,
    m: Result<Mutation<OutletProxyCodeBody>, Problem>,
) -> Result<axum::Json<tamwin_app::redemption::OutletGrantView>, Problem> {
    a.require(tamwin_domain::access::Permission::Redeem)?;
    let m = m?;
    Ok(axum::Json(
        s.reg
            .outlet_proxy_grant(&m.body.national_id, &m.body.for_card, &a)
            .await?,
    ))
}
