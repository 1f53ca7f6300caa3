//! Pages of access: staff sign-in and sign-out, password change, the users' administration page, the
//! citizen's sign-in by one-time code and their own page, and the demo's stand-in for a phone.
//! Every form posts a CSRF token: the session's, or before sign-in the `tamwin_pre` cookie's value.

use crate::AppState;
use crate::auth::{self, PRE_COOKIE};
use crate::display::local_time_str;
use crate::extract::page::{Form, Path, Query};
use crate::i18n::Tr;
use crate::ui::{
    HouseholdBody, LangLink, PageQuery, Who, area_label, error_page, household_page, href, lang_of,
    message_page, page, switch,
};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tamwin_app::secret::{random_hex, same};
use tamwin_app::{AppError, DataUse, SignedIn};
use tamwin_domain::access::{Area, Permission, Role};

fn tr_of(q: &PageQuery, h: &HeaderMap) -> Tr {
    Tr {
        lang: lang_of(q, h),
    }
}

/// A refusal for too many attempts says when to come back (`Retry-After`, seconds).
fn with_retry_after(mut r: Response, e: &AppError) -> Response {
    if let AppError::TooManyAttempts(secs) = e
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

fn with_cookies(mut r: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// The pre-session CSRF value: the cookie's if the browser has one, else a new one to set.
fn pre_token(h: &HeaderMap) -> (String, Option<String>) {
    match auth::cookie(h, PRE_COOKIE) {
        Some(v) => (v.to_string(), None),
        None => {
            let v = random_hex(16).unwrap_or_default();
            (v.clone(), Some(auth::pre_cookie(&v)))
        }
    }
}

fn pre_ok(h: &HeaderMap, sent: &str) -> bool {
    auth::cookie(h, PRE_COOKIE).is_some_and(|c| same(c, sent))
}

fn csrf_page(s: &AppState, signed: Option<&SignedIn>, tr: Tr) -> Response {
    message_page(
        s,
        signed,
        tr,
        tr.t("csrf_title").to_string(),
        tr.t("csrf_text").to_string(),
        StatusCode::FORBIDDEN,
    )
}

// ---- staff sign-in -------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignInPage {
    tr: Tr,
    csrf: String,
    username: String,
    error: Option<String>,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

fn sign_in_page(
    tr: Tr,
    csrf: String,
    username: String,
    error: Option<String>,
    status: StatusCode,
    set: Option<String>,
) -> Response {
    let p = SignInPage {
        tr,
        csrf,
        username,
        error,
        langs: switch(tr, |c| format!("/sign-in?lang={c}")),
        back_href: href("/", tr.lang),
        who: None,
    };
    with_cookies(
        page(p.render(), tr.lang, status),
        &set.into_iter().collect::<Vec<_>>(),
    )
}

pub async fn sign_in_form(headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    let tr = tr_of(&q, &headers);
    let (csrf, set) = pre_token(&headers);
    sign_in_page(tr, csrf, String::new(), None, StatusCode::OK, set)
}

#[derive(Deserialize)]
pub struct SignInForm {
    username: String,
    password: String,
    csrf: String,
}

pub async fn sign_in(
    State(s): State<AppState>,
    auth::Source(source): auth::Source,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<SignInForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    if !pre_ok(&headers, &f.csrf) {
        return csrf_page(&s, None, tr);
    }
    match s
        .reg
        .staff_session_from(f.username.trim(), &f.password, &source)
        .await
    {
        Ok(n) => with_cookies(
            Redirect::to(&href(crate::pages_landing::landing(&n.actor), tr.lang)).into_response(),
            &[auth::session_cookie(&n.cookie)],
        ),
        Err(e @ (AppError::SignInRefused | AppError::TooManyAttempts(_))) => {
            let status = crate::errors::status(&e);
            let r = sign_in_page(
                tr,
                f.csrf,
                f.username,
                Some(crate::errors::text(tr, &e)),
                status,
                None,
            );
            with_retry_after(r, &e)
        }
        Err(e) => error_page(&s, None, tr, e),
    }
}

#[derive(Deserialize)]
pub struct CsrfForm {
    csrf: String,
}

pub async fn sign_out(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auth::session(&s, &headers).await {
        Ok(Some(x)) => x,
        Ok(None) => return Redirect::to(&href("/sign-in", tr.lang)).into_response(),
        Err(e) => return error_page(&s, None, tr, e),
    };
    if !same(&f.csrf, &signed.csrf) {
        return csrf_page(&s, Some(&signed), tr);
    }
    if let Err(e) = s.reg.sign_out(&signed).await {
        return error_page(&s, Some(&signed), tr, e);
    }
    let to = if signed.actor.is_citizen() {
        "/citizen/sign-in"
    } else {
        "/sign-in"
    };
    with_cookies(
        Redirect::to(&href(to, tr.lang)).into_response(),
        &[auth::clear_session_cookie()],
    )
}

/// Any signed-in staff member (for their own account's pages).
async fn staff(s: &AppState, headers: &HeaderMap, tr: Tr) -> Result<SignedIn, Response> {
    match auth::session(s, headers).await {
        Ok(Some(x)) if !x.actor.is_citizen() => Ok(x),
        Ok(Some(x)) => Err(error_page(s, Some(&x), tr, AppError::Forbidden)),
        Ok(None) => Err(Redirect::to(&href("/sign-in", tr.lang)).into_response()),
        Err(e) => Err(error_page(s, None, tr, e)),
    }
}

// ---- password change -----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    tr: Tr,
    csrf: String,
    error: Option<String>,
    done: bool,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

fn password_page(
    s: &AppState,
    signed: &SignedIn,
    tr: Tr,
    error: Option<String>,
    done: bool,
    status: StatusCode,
) -> Response {
    let p = PasswordPage {
        tr,
        csrf: signed.csrf.clone(),
        error,
        done,
        langs: switch(tr, |c| format!("/account/password?lang={c}")),
        back_href: href("/", tr.lang),
        who: Some(Who::of(s, signed, tr)),
    };
    page(p.render(), tr.lang, status)
}

pub async fn password_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    match staff(&s, &headers, tr).await {
        Ok(signed) => password_page(&s, &signed, tr, None, false, StatusCode::OK),
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current: String,
    new: String,
    confirm: String,
    csrf: String,
}

pub async fn change_password(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<PasswordForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match staff(&s, &headers, tr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !same(&f.csrf, &signed.csrf) {
        return csrf_page(&s, Some(&signed), tr);
    }
    if f.new != f.confirm {
        return password_page(
            &s,
            &signed,
            tr,
            Some(tr.t("password_mismatch").into()),
            false,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    match s.reg.change_password(&signed, &f.current, &f.new).await {
        Ok(()) => password_page(&s, &signed, tr, None, true, StatusCode::OK),
        Err(e) => {
            let status = crate::errors::status(&e);
            if status.is_server_error() {
                return error_page(&s, Some(&signed), tr, e);
            }
            let msg = crate::errors::refusal(tr, &e);
            password_page(&s, &signed, tr, Some(msg), false, status)
        }
    }
}

// ---- users' administration -----------------------------------------------------------------------

pub struct UserRow {
    pub username: String,
    pub role: String,
    pub area: String,
    pub status: String,
    pub disabled: bool,
}

pub struct Choice {
    pub code: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "admin_users.html")]
struct AdminUsersPage {
    tr: Tr,
    csrf: String,
    users: Vec<UserRow>,
    roles: Vec<Choice>,
    areas: Vec<Choice>,
    error: Option<String>,
    created: Option<(String, String)>,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

async fn admin(s: &AppState, headers: &HeaderMap, tr: Tr) -> Result<SignedIn, Response> {
    let signed = staff(s, headers, tr).await?;
    if !signed.actor.may(Permission::ManageAccess) {
        return Err(error_page(s, Some(&signed), tr, AppError::Forbidden));
    }
    Ok(signed)
}

/// Areas an administrator may grant: their own and every area inside it (the dropdown is scoped too).
fn grantable_areas(s: &AppState, signed: &SignedIn, tr: Tr) -> Vec<Choice> {
    let geo = &s.reg.geo;
    let mut all = vec![tamwin_domain::access::Area::Nation];
    for g in &geo.governorates {
        all.push(tamwin_domain::access::Area::Governorate(g.code.clone()));
        for d in geo
            .districts
            .iter()
            .filter(|d| d.governorate_code == g.code)
        {
            all.push(tamwin_domain::access::Area::District(d.code.clone()));
            for c in geo.centres.iter().filter(|c| c.district_code == d.code) {
                all.push(tamwin_domain::access::Area::Centre {
                    code: c.code.clone(),
                    district: d.code.clone(),
                });
            }
        }
    }
    all.into_iter()
        .filter(|a| signed.actor.area.covers(a, geo))
        .map(|a| Choice {
            code: a.code().to_string(),
            // The code beside the name where it is a number people use (`11`, `1101`, `KRB-C01`).
            label: match a {
                Area::Nation => area_label(s, &a, tr),
                _ => format!("{} ({})", area_label(s, &a, tr), a.code()),
            },
        })
        .collect()
}

async fn admin_page(
    s: &AppState,
    signed: &SignedIn,
    tr: Tr,
    error: Option<String>,
    created: Option<(String, String)>,
    status: StatusCode,
) -> Response {
    let users = match s.reg.staff_list(&signed.actor).await {
        Ok(u) => u,
        Err(e) => return error_page(s, Some(signed), tr, e),
    };
    let p = AdminUsersPage {
        tr,
        csrf: signed.csrf.clone(),
        users: users
            .into_iter()
            .map(|u| UserRow {
                status: if u.disabled {
                    tr.t("user_disabled").to_string()
                } else if u.locked_until.is_some() {
                    tr.t("user_locked").to_string()
                } else {
                    tr.t("user_active").to_string()
                },
                disabled: u.disabled,
                role: tr.role(u.account.role).to_string(),
                area: area_label(s, &u.account.area, tr),
                username: u.account.username,
            })
            .collect(),
        roles: Role::ALL
            .iter()
            .map(|r| Choice {
                code: r.code().into(),
                label: tr.role(*r).into(),
            })
            .collect(),
        areas: grantable_areas(s, signed, tr),
        error,
        created,
        langs: switch(tr, |c| format!("/admin/users?lang={c}")),
        back_href: href("/", tr.lang),
        who: Some(Who::of(s, signed, tr)),
    };
    page(p.render(), tr.lang, status)
}

pub async fn admin_users(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    match admin(&s, &headers, tr).await {
        Ok(signed) => admin_page(&s, &signed, tr, None, None, StatusCode::OK).await,
        Err(r) => r,
    }
}

#[derive(Deserialize)]
pub struct AddUserForm {
    username: String,
    role: String,
    area: String,
    csrf: String,
}

pub async fn add_user(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<AddUserForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match admin(&s, &headers, tr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !same(&f.csrf, &signed.csrf) {
        return csrf_page(&s, Some(&signed), tr);
    }
    match s
        .reg
        .add_staff(f.username.trim(), &f.role, &f.area, None, &signed.actor)
        .await
    {
        Ok((acc, Some(pw))) => {
            admin_page(
                &s,
                &signed,
                tr,
                None,
                Some((acc.username, pw)),
                StatusCode::CREATED,
            )
            .await
        }
        Ok((_, None)) => admin_page(&s, &signed, tr, None, None, StatusCode::CREATED).await,
        Err(e) => {
            let status = crate::errors::status(&e);
            if status.is_server_error() || status == StatusCode::FORBIDDEN {
                return error_page(&s, Some(&signed), tr, e);
            }
            let msg = crate::errors::refusal(tr, &e);
            admin_page(&s, &signed, tr, Some(msg), None, status).await
        }
    }
}

#[derive(Deserialize)]
pub struct StatusForm {
    disabled: String,
    csrf: String,
}

pub async fn user_status(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(username): Path<String>,
    Query(q): Query<PageQuery>,
    Form(f): Form<StatusForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match admin(&s, &headers, tr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    if !same(&f.csrf, &signed.csrf) {
        return csrf_page(&s, Some(&signed), tr);
    }
    match s
        .reg
        .set_staff_disabled(&username, f.disabled == "true", &signed.actor)
        .await
    {
        Ok(()) => Redirect::to(&href("/admin/users", tr.lang)).into_response(),
        Err(e) => error_page(&s, Some(&signed), tr, e),
    }
}

// ---- citizens ------------------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "citizen_sign_in.html")]
struct CitizenSignInPage {
    tr: Tr,
    csrf: String,
    phone: String,
    /// The code was asked for: show the code form.
    code_step: bool,
    error: Option<String>,
    demo: bool,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

#[allow(clippy::too_many_arguments)]
fn citizen_page(
    s: &AppState,
    tr: Tr,
    csrf: String,
    phone: String,
    code_step: bool,
    error: Option<String>,
    status: StatusCode,
    set: Option<String>,
) -> Response {
    let p = CitizenSignInPage {
        tr,
        csrf,
        phone,
        code_step,
        error,
        demo: s.demo,
        langs: switch(tr, |c| format!("/citizen/sign-in?lang={c}")),
        back_href: href("/citizen/sign-in", tr.lang),
        who: None,
    };
    with_cookies(
        page(p.render(), tr.lang, status),
        &set.into_iter().collect::<Vec<_>>(),
    )
}

pub async fn citizen_sign_in_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let (csrf, set) = pre_token(&headers);
    citizen_page(
        &s,
        tr,
        csrf,
        String::new(),
        false,
        None,
        StatusCode::OK,
        set,
    )
}

#[derive(Deserialize)]
pub struct PhoneForm {
    phone: String,
    csrf: String,
}

pub async fn citizen_request_code(
    State(s): State<AppState>,
    auth::Source(source): auth::Source,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<PhoneForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    if !pre_ok(&headers, &f.csrf) {
        return csrf_page(&s, None, tr);
    }
    match s.reg.request_code_from(&f.phone, &source).await {
        Ok(()) => citizen_page(&s, tr, f.csrf, f.phone, true, None, StatusCode::OK, None),
        Err(e) => {
            let status = crate::errors::status(&e);
            if status.is_server_error() {
                return error_page(&s, None, tr, e);
            }
            let msg = match &e {
                AppError::Validation(v) => {
                    v.0.iter()
                        .map(|fe| crate::errors::field_text(tr, fe))
                        .collect::<Vec<_>>()
                        .join(" — ")
                }
                _ => crate::errors::text(tr, &e),
            };
            let r = citizen_page(&s, tr, f.csrf, f.phone, false, Some(msg), status, None);
            with_retry_after(r, &e)
        }
    }
}

#[derive(Deserialize)]
pub struct CodeForm {
    phone: String,
    code: String,
    csrf: String,
}

pub async fn citizen_sign_in(
    State(s): State<AppState>,
    auth::Source(source): auth::Source,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<CodeForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    if !pre_ok(&headers, &f.csrf) {
        return csrf_page(&s, None, tr);
    }
    match s.reg.verify_code_from(&f.phone, &f.code, &source).await {
        Ok(n) => with_cookies(
            Redirect::to(&href("/citizen", tr.lang)).into_response(),
            &[auth::session_cookie(&n.cookie)],
        ),
        Err(e @ (AppError::CodeRefused | AppError::TooManyAttempts(_))) => {
            let status = crate::errors::status(&e);
            let r = citizen_page(
                &s,
                tr,
                f.csrf,
                f.phone,
                true,
                Some(crate::errors::text(tr, &e)),
                status,
                None,
            );
            with_retry_after(r, &e)
        }
        Err(e) => error_page(&s, None, tr, e),
    }
}

pub struct DeliveryRow {
    pub member_name: String,
    pub status: String,
    pub status_label: String,
    /// (time, label, note)
    pub steps: Vec<(String, String, String)>,
}

impl DeliveryRow {
    fn of(d: tamwin_app::card_delivery::DeliveryView, tr: Tr) -> Self {
        let label = |s: &str| {
            tamwin_domain::delivery::DeliveryStatus::parse(s)
                .map(|x| tr.label("dstatus", x.code()).to_string())
                .unwrap_or_else(|| s.to_string())
        };
        DeliveryRow {
            member_name: d.member_name,
            status_label: label(&d.status),
            status: d.status,
            steps: d
                .steps
                .into_iter()
                .map(|(s, at, note)| (local_time_str(&at), label(&s), note))
                .collect(),
        }
    }
}

pub struct SuggestionRow {
    pub suggestion_id: String,
    pub status: String,
    pub full_name: String,
    pub relation: String,
    pub birth_date: String,
    pub national_id: String,
}

impl SuggestionRow {
    fn of(v: tamwin_app::births::SuggestionView, tr: Tr) -> Self {
        let relation = tamwin_domain::Relation::parse(&v.relation)
            .map(|r| tr.relation(r).to_string())
            .unwrap_or(v.relation);
        SuggestionRow {
            suggestion_id: v.suggestion_id,
            status: v.status,
            full_name: v.full_name,
            relation,
            birth_date: v.birth_date,
            national_id: v.national_id,
        }
    }
}

/// The head confirms or declines a suggested change from the citizen page.
pub async fn citizen_decide(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, decision)): Path<(String, String)>,
    Form(f): Form<CsrfForm>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auth::session(&s, &headers).await {
        Ok(Some(x)) if x.actor.is_citizen() => x,
        Ok(Some(x)) => return error_page(&s, Some(&x), tr, AppError::Forbidden),
        Ok(None) => return Redirect::to(&href("/citizen/sign-in", tr.lang)).into_response(),
        Err(e) => return error_page(&s, None, tr, e),
    };
    if !same(&f.csrf, &signed.csrf) {
        return csrf_page(&s, Some(&signed), tr);
    }
    let confirm = match decision.as_str() {
        "confirm" => true,
        "decline" => false,
        _ => return error_page(&s, Some(&signed), tr, AppError::NotFound),
    };
    match s.reg.decide_suggestion(&signed.actor, &id, confirm).await {
        Ok(_) => {
            Redirect::to(&format!("{}#suggestions", href("/citizen", tr.lang))).into_response()
        }
        Err(e) => error_page(&s, Some(&signed), tr, e),
    }
}

pub struct UseRow {
    pub at: String,
    pub institution: String,
    pub role: String,
    pub what: String,
    pub channel: String,
}

#[derive(Template)]
#[template(path = "citizen.html")]
struct CitizenHome {
    tr: Tr,
    h: HouseholdBody,
    suggestions: Vec<SuggestionRow>,
    deliveries: Vec<DeliveryRow>,
    deliveries_unavailable: bool,
    csrf: String,
    uses: Vec<UseRow>,
    /// The next (older) page of reads, when this one is full.
    older_href: Option<String>,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    update: Option<crate::pages_appointments::UpdateDone>,
}

/// The institution that read the data, in the catalog's words: the household, the system, or the
/// ministry's office of a place (the place's name is data, as the geography writes it).
fn institution(tr: Tr, u: &DataUse) -> String {
    match u.role.as_str() {
        "citizen" => tr.t("inst_household").to_string(),
        "system" => tr.t("inst_system").to_string(),
        _ if tr.lang.code() == "en" => u.institution_en.clone(),
        _ if u.institution_en.ends_with("national office") => tr.t("inst_national").to_string(),
        _ => match u.institution_ar.split_once(" — ") {
            Some((_, place)) => tr.t("inst_ministry").replace("{place}", place),
            None => tr.t("inst_national").to_string(),
        },
    }
}

fn use_row(u: DataUse, tr: Tr) -> UseRow {
    let at = local_time_str(&u.at);
    let mut what = tr
        .t(match u.action.as_str() {
            "household.read" => "use_read",
            "visit.read" => "use_visit",
            a if a.ends_with(".listed") => "use_listed",
            _ => "use_other_read",
        })
        .to_string();
    if u.count > 1 {
        what = format!(
            "{what} — {}",
            tr.t("use_times").replace("{n}", &u.count.to_string())
        );
    }
    UseRow {
        at,
        institution: institution(tr, &u),
        role: match Role::parse(&u.role) {
            Ok(r) => tr.role(r).to_string(),
            Err(_) if u.role == "citizen" => tr.t("role_citizen").to_string(),
            Err(_) => tr.t("role_system").to_string(),
        },
        what,
        channel: tr
            .get(&format!("channel_{}", u.channel))
            .map_or(u.channel, str::to_string),
    }
}

/// The page of "who read my data" asked for: rows older than this cursor.
#[derive(Deserialize)]
pub struct UsesQuery {
    before: Option<String>,
}

pub async fn citizen_home(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Query(uq): Query<UsesQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auth::session(&s, &headers).await {
        Ok(Some(x)) if x.actor.is_citizen() => x,
        Ok(Some(_)) => return Redirect::to(&href("/", tr.lang)).into_response(),
        Ok(None) => return Redirect::to(&href("/citizen/sign-in", tr.lang)).into_response(),
        Err(e) => return error_page(&s, None, tr, e),
    };
    // Who read the data is listed before this read is recorded, so the page does not list itself.
    let uses = match s.reg.data_uses(&signed.actor, uq.before.as_deref()).await {
        Ok(u) => u,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let v = match s.reg.own_household(&signed.actor).await {
        Ok(v) => v,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let suggestions = match s.reg.own_suggestions(&signed.actor).await {
        Ok(v) => v.into_iter().map(|x| SuggestionRow::of(x, tr)).collect(),
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let (deliveries, deliveries_unavailable) = match s.reg.own_card_deliveries(&signed.actor).await
    {
        Ok(v) => (
            v.into_iter().map(|d| DeliveryRow::of(d, tr)).collect(),
            false,
        ),
        Err(e) => {
            tracing::info!("card delivery tracking: {e:?}");
            (vec![], true)
        }
    };
    let update = match tamwin_app::Registry::own_household_id(&signed.actor) {
        Ok(hid) => match s.reg.update_status(hid, &signed.actor).await {
            Ok(u) => crate::pages_appointments::update_done(&u, tr),
            Err(e) => return error_page(&s, Some(&signed), tr, e),
        },
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let p = CitizenHome {
        update,
        tr,
        h: household_page(&s, &v, tr),
        suggestions,
        deliveries,
        deliveries_unavailable,
        csrf: signed.csrf.clone(),
        older_href: (uses.len() >= tamwin_app::DATA_USES_PAGE as usize)
            .then(|| uses.last())
            .flatten()
            .map(|u| {
                format!(
                    "/citizen?lang={}&before={}#data-uses",
                    tr.lang.code(),
                    crate::ui::url_encode(&u.cursor)
                )
            }),
        uses: uses.into_iter().map(|u| use_row(u, tr)).collect(),
        langs: switch(tr, |c| format!("/citizen?lang={c}")),
        back_href: href("/citizen", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

// ---- demo outbox ---------------------------------------------------------------------------------

pub struct OutboxRow {
    pub at: String,
    pub to: String,
    pub body: String,
}

#[derive(Template)]
#[template(path = "outbox.html")]
struct OutboxPage {
    tr: Tr,
    rows: Vec<OutboxRow>,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
}

/// Only in the demo: the messages that a real gateway would have sent, so a tester can read the code.
pub async fn demo_outbox(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    if !s.demo {
        return error_page(&s, None, tr, AppError::NotFound);
    }
    let msgs = match s.reg.outbox(50).await {
        Ok(m) => m,
        Err(e) => return error_page(&s, None, tr, e),
    };
    let p = OutboxPage {
        tr,
        rows: msgs
            .into_iter()
            .map(|m| OutboxRow {
                at: crate::display::local_time(m.created_at),
                to: tamwin_domain::Phone::parse(&m.recipient)
                    .map(|p| p.display())
                    .unwrap_or(m.recipient),
                body: m.body,
            })
            .collect(),
        langs: switch(tr, |c| format!("/demo/outbox?lang={c}")),
        back_href: href("/citizen/sign-in", tr.lang),
        who: None,
    };
    page(p.render(), tr.lang, StatusCode::OK)
}
