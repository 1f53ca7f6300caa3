//! JSON API under /api/v1. Handlers parse, call the app, and answer; nothing else.

use crate::AppState;
use crate::auth::Caller;
use crate::extract::{Path, Query};
use crate::problem::{Mutation, Problem};
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use tamwin_app::{
    Closure, HeadChange, HoldInput, HoldLift, HouseholdView, MemberChange, MemberRemoval, Outcome,
};
use tamwin_domain::{CardNumber, CardState, FieldError, MemberId, NationalId, NewHousehold};
use tamwin_store::ListFilter;

pub(crate) fn outcome_response(o: Outcome) -> Response {
    let status = StatusCode::from_u16(o.status).unwrap_or(StatusCode::OK);
    let mut r = (status, [(header::CONTENT_TYPE, "application/json")], o.body).into_response();
    if o.replayed
        && let Ok(v) = "true".parse()
    {
        r.headers_mut().insert("idempotent-replayed", v);
    }
    r
}

pub(crate) fn card(s: &str) -> Result<CardNumber, Problem> {
    CardNumber::parse(s).map_err(|e| Problem::invalid(&e.under("card_number")))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
}

#[utoipa::path(get, path = "/healthz", tag = "system", responses((status = 200, description = "OK", body = Health), (status = 503, description = "Database unavailable", body = Problem)))]
pub async fn healthz(State(s): State<AppState>) -> Result<axum::Json<Health>, Problem> {
    s.reg.ping().await.map_err(|e| {
        tracing::warn!("health check: {e}");
        Problem::new(503, "database_unavailable")
    })?;
    let database = s.reg.backend().code();
    Ok(axum::Json(Health {
        status: "ok",
        database,
    }))
}

#[utoipa::path(post, path = "/api/v1/households", tag = "households", request_body = NewHousehold,
    params(("Idempotency-Key" = Option<String>, Header, description = "Replays the first answer for the same key")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 201, description = "Created", body = HouseholdView), (status = 409, description = "Conflicts with the registry (problem+json)", body = Problem), (status = 413, description = "Body over the size limit", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn create_household(
    State(s): State<AppState>,
    Caller(actor): Caller,
    m: Mutation<NewHousehold>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .create_household(&m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/households/{card_number}", tag = "households",
    params(("card_number" = String, Path, description = "Ration card number, with or without dashes")),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 200, description = "OK", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn get_household(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(c): Path<String>,
) -> Result<axum::Json<HouseholdView>, Problem> {
    Ok(axum::Json(s.reg.household(&card(&c)?, &actor).await?))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Find the household holding this national ID.
    pub national_id: Option<String>,
    /// Find members by name (any spelling variant of the chain, or given name and family name).
    pub name: Option<String>,
    /// With `name`: only members born this year.
    #[param(value_type = Option<i16>)]
    pub birth_year: Option<String>,
    pub governorate: Option<String>,
    pub district: Option<String>,
    /// Card state: active, temporary, pending_verification, suspended, blocked, closed.
    pub state: Option<String>,
    /// Keyset cursor: `next_after` of the previous page.
    pub after: Option<String>,
    /// Page size, 1-200 (default 50); outside that, `limit_out_of_range`.
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdItem {
    pub card_number: String,
    pub card_number_display: String,
    pub governorate: String,
    pub district: String,
    #[schema(value_type = String)]
    pub state: CardState,
    pub head_name: Option<String>,
    pub members: Option<i64>,
    /// With a name or national-ID search: the member that matched.
    #[schema(value_type = Option<String>)]
    pub matched_member_id: Option<MemberId>,
    pub matched_name: Option<String>,
    pub matched_birth_date: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HouseholdList {
    pub items: Vec<HouseholdItem>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_after: Option<String>,
}

/// One kind of query at a time: a national ID, a name (with an optional birth year), or a filtered list.
/// A parameter that would be ignored is refused instead.
fn check_combination(q: &ListQuery) -> Result<(), Problem> {
    let filters =
        q.governorate.is_some() || q.district.is_some() || q.state.is_some() || q.after.is_some();
    let conflict = (q.national_id.is_some()
        && (q.name.is_some() || q.birth_year.is_some() || filters))
        || (q.name.is_some() && filters)
        || (q.birth_year.is_some() && q.name.is_none());
    if conflict {
        return Err(Problem::new(422, "query_conflict"));
    }
    Ok(())
}

/// Governorate and district codes, digits folded, checked against the geography.
fn area(s: &AppState, q: &ListQuery) -> Result<(Option<String>, Option<String>), Problem> {
    let fold = |v: &Option<String>| v.as_deref().map(|x| tamwin_text_ar::fold_digits(x.trim()));
    let (g, d) = (fold(&q.governorate), fold(&q.district));
    if let Some(g) = &g
        && s.reg.geo().governorate(g).is_none()
    {
        return Err(Problem::invalid(&FieldError::new(
            "governorate",
            "governorate_unknown",
            "unknown governorate code",
        )));
    }
    if let Some(d) = &d {
        match s.reg.geo().district(d) {
            Some(x) if g.as_ref().is_none_or(|g| *g == x.governorate_code) => {}
            _ => {
                return Err(Problem::invalid(&FieldError::new(
                    "district",
                    "district_unknown",
                    "unknown district code for this governorate",
                )));
            }
        }
    }
    Ok((g, d))
}

fn number<T: std::str::FromStr>(field: &str, v: &Option<String>) -> Result<Option<T>, Problem> {
    match v.as_deref().map(|s| tamwin_text_ar::fold_digits(s.trim())) {
        None => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            Problem::invalid(&FieldError::new(
                field,
                "number_invalid",
                "the value must be a number",
            ))
        }),
    }
}

#[utoipa::path(get, path = "/api/v1/households", tag = "households", params(ListQuery),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 200, description = "OK", body = HouseholdList), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn list_households(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<HouseholdList>, Problem> {
    let limit =
        crate::extract::in_range("limit", number::<u32>("limit", &q.limit)?, 1, 200)?.unwrap_or(50);
    check_combination(&q)?;
    if let Some(n) = &q.national_id {
        let id = NationalId::parse(n).map_err(|e| Problem::invalid(&e.under("national_id")))?;
        let items = match s.reg.household_by_national_id(&id, &actor).await? {
            Some(v) => {
                let m = v
                    .members
                    .iter()
                    .find(|m| m.member.national_id.as_ref() == Some(&id));
                vec![HouseholdItem {
                    card_number: v.household.card_number.as_str().into(),
                    card_number_display: v.card_number_display.clone(),
                    governorate: v.household.governorate.clone(),
                    district: v.household.district.clone(),
                    state: v.household.state,
                    head_name: v
                        .members
                        .iter()
                        .find(|x| x.member.member_id == v.household.head_member_id)
                        .map(|x| x.member.full_name()),
                    members: Some(
                        v.members
                            .iter()
                            .filter(|x| x.member.presence == tamwin_domain::Presence::Present)
                            .count() as i64,
                    ),
                    matched_member_id: m.map(|m| m.member.member_id.clone()),
                    matched_name: m.map(|m| m.member.full_name()),
                    matched_birth_date: m.map(|m| m.member.birth_date.to_string()),
                }]
            }
            None => vec![],
        };
        return Ok(axum::Json(HouseholdList {
            items,
            next_after: None,
        }));
    }
    if let Some(name) = &q.name {
        let year = number::<i16>("birth_year", &q.birth_year)?;
        let hits = s.reg.search_by_name(name, year, limit, &actor).await?;
        let items = hits
            .into_iter()
            .map(|h| HouseholdItem {
                card_number_display: h.card_number.display(),
                card_number: h.card_number.as_str().into(),
                governorate: h.card_number.governorate_code().into(),
                district: String::new(),
                state: h.state,
                head_name: None,
                members: None,
                matched_member_id: Some(h.member_id.clone()),
                matched_name: Some(h.full_name),
                matched_birth_date: Some(h.birth_date),
            })
            .collect();
        return Ok(axum::Json(HouseholdList {
            items,
            next_after: None,
        }));
    }
    let state = match &q.state {
        None => None,
        Some(x) => Some(CardState::parse(x).ok_or_else(|| {
            Problem::invalid(&FieldError::new(
                "state",
                "state_unknown",
                "unknown card state",
            ))
        })?),
    };
    let after = q.after.as_deref().map(card).transpose()?;
    let (governorate, district) = area(&s, &q)?;
    let filter = ListFilter {
        governorate,
        district,
        state,
        after,
        limit,
    };
    let rows = s.reg.list(&filter, &actor).await?;
    let next_after = if rows.len() as u32 == limit {
        rows.last().map(|r| r.card_number.as_str().to_string())
    } else {
        None
    };
    let items = rows
        .into_iter()
        .map(|r| HouseholdItem {
            card_number_display: r.card_number.display(),
            card_number: r.card_number.as_str().into(),
            governorate: r.governorate,
            district: r.district,
            state: r.state,
            head_name: Some(r.head_name),
            members: Some(r.members),
            matched_member_id: None,
            matched_name: None,
            matched_birth_date: None,
        })
        .collect();
    Ok(axum::Json(HouseholdList { items, next_after }))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/members", tag = "members", request_body = MemberChange,
    params(("card_number" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 201, description = "Created", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 409, description = "Conflicts with the registry (problem+json)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn add_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(c): Path<String>,
    m: Mutation<MemberChange>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .add_member(&card(&c)?, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/households/{card_number}/members/{member_id}", tag = "members", request_body = MemberChange,
    params(("card_number" = String, Path), ("member_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 200, description = "OK", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 409, description = "Conflicts with the registry (problem+json)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn update_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path((c, id)): Path<(String, MemberId)>,
    m: Mutation<MemberChange>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .update_member(&card(&c)?, &id, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/members/{member_id}/removal", tag = "members", request_body = MemberRemoval,
    params(("card_number" = String, Path), ("member_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 200, description = "OK", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 409, description = "Conflicts with the registry (problem+json)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn remove_member(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path((c, id)): Path<(String, MemberId)>,
    m: Mutation<MemberRemoval>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .remove_member(&card(&c)?, &id, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/head", tag = "members", request_body = HeadChange,
    params(("card_number" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 200, description = "OK", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 409, description = "Conflicts with the registry (problem+json)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn change_head(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(c): Path<String>,
    m: Mutation<HeadChange>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .change_head(&card(&c)?, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/closure", tag = "households", request_body = Closure,
    params(("card_number" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 200, description = "OK", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 409, description = "Conflicts with the registry (problem+json)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn close_household(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(c): Path<String>,
    m: Mutation<Closure>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .close_household(&card(&c)?, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/holds", tag = "holds", request_body = HoldInput,
    params(("card_number" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 201, description = "Created", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 409, description = "Conflicts with the registry (problem+json)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn place_hold(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path(c): Path<String>,
    m: Mutation<HoldInput>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .place_hold(&card(&c)?, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/households/{card_number}/holds/{hold_id}/lift", tag = "holds", request_body = HoldLift,
    params(("card_number" = String, Path), ("hold_id" = String, Path), ("Idempotency-Key" = Option<String>, Header)),
    security(("bearer" = []), ("session" = [])),
    responses((status = 401, description = "No valid credentials", body = Problem), (status = 403, description = "Role does not allow it, or CSRF token missing", body = Problem), (status = 200, description = "OK", body = HouseholdView), (status = 404, description = "No such household, member or hold", body = Problem), (status = 409, description = "The card is closed (`household_closed`), or changed meanwhile (`concurrent_change`)", body = Problem), (status = 422, description = "Invalid input (problem+json)", body = Problem)))]
pub async fn lift_hold(
    State(s): State<AppState>,
    Caller(actor): Caller,
    Path((c, id)): Path<(String, String)>,
    m: Mutation<HoldLift>,
) -> Result<Response, Problem> {
    Ok(outcome_response(
        s.reg
            .lift_hold(&card(&c)?, &id, &m.body, &actor, m.idem.as_ref())
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/governorates", tag = "geography", responses((status = 200, description = "OK", body = Vec<tamwin_domain::Governorate>)))]
pub async fn governorates(
    State(s): State<AppState>,
) -> axum::Json<Vec<tamwin_domain::Governorate>> {
    axum::Json(s.reg.geo().governorates.clone())
}
