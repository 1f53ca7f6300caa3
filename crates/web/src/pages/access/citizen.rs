//! The citizen's sign-in by one-time code and their own page.

use super::*;

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
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let (csrf, set) = pre_token(&headers);
    Ok(citizen_page(
        &s,
        tr,
        csrf,
        String::new(),
        false,
        None,
        StatusCode::OK,
        set,
    ))
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
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    if !pre_ok(&headers, &f.csrf) {
        return Err(csrf_page(&s, tr));
    }
    match s.reg.request_code_from(&f.phone, &source).await {
        Ok(()) => Ok(citizen_page(
            &s,
            tr,
            f.csrf,
            f.phone,
            true,
            None,
            StatusCode::OK,
            None,
        )),
        Err(e) => {
            let status = crate::errors::status(&e);
            if status.is_server_error() {
                return Err(e.into());
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
            Ok(with_retry_after(r, &e))
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
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    if !pre_ok(&headers, &f.csrf) {
        return Err(csrf_page(&s, tr));
    }
    match s.reg.verify_code_from(&f.phone, &f.code, &source).await {
        Ok(n) => Ok(with_cookies(
            Redirect::to(&href("/citizen", tr.lang)).into_response(),
            &[auth::session_cookie(&n.cookie)],
        )),
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
            Ok(with_retry_after(r, &e))
        }
        Err(e) => Err(e.into()),
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
    Citizen { signed, .. }: Citizen,
    _: CsrfForm<TokenOnly>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let confirm = match decision.as_str() {
        "confirm" => true,
        "decline" => false,
        _ => return Err(AppError::NotFound.into()),
    };
    s.reg.decide_suggestion(&signed.actor, &id, confirm).await?;
    Ok(Redirect::to(&format!("{}#suggestions", href("/citizen", tr.lang))).into_response())
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
    baskets: Vec<crate::pages::cycles::BasketCard>,
    collections: crate::pages::cycles::CollectionsView,
    complaints: Vec<crate::pages::complaints::ComplaintRow>,
    complaint_message: String,
    complaint_error: String,
    complaint_kinds: Vec<(&'static str, &'static str)>,
    /// Staff only (the shared basket template's adjustment form): always empty here.
    adjust_csrf: String,
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
    update: Option<crate::pages::appointments::UpdateDone>,
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
    /// What came of a complaint filed from the page.
    message: Option<String>,
    error: Option<String>,
}

pub async fn citizen_home(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Query(uq): Query<UsesQuery>,
    Citizen {
        signed,
        household: hid,
    }: Citizen<true>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    // Who read the data is listed before this read is recorded, so the page does not list itself.
    let uses = s.reg.data_uses(&signed.actor, uq.before.as_deref()).await?;
    let v = s.reg.own_household(&signed.actor).await?;
    let suggestions = s.reg.own_suggestions(&signed.actor).await?;
    let suggestions = suggestions
        .into_iter()
        .map(|x| SuggestionRow::of(x, tr))
        .collect();
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
    let u = s.reg.update_status(&hid, &signed.actor).await?;
    let update = crate::pages::appointments::update_done(&u, tr);
    let baskets = s.reg.own_baskets(&signed.actor).await?;
    let collections = s.reg.own_collections(&signed.actor).await?;
    let p = CitizenHome {
        collections: crate::pages::cycles::collections_view(tr, &collections),
        complaints: crate::pages::complaints::complaint_rows(
            tr,
            &s.reg.own_complaints(&signed.actor).await?,
        ),
        complaint_message: crate::notices::message_html(tr, uq.message.as_deref()),
        complaint_error: crate::notices::error_html(tr, uq.error.as_deref()),
        complaint_kinds: tamwin_domain::complaint::ComplaintKind::ALL
            .iter()
            .map(|k| (k.code(), tr.t(&format!("complaint_kind_{}", k.code()))))
            .collect(),
        adjust_csrf: String::new(),
        baskets: crate::pages::cycles::basket_cards(tr, &baskets),
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
                    crate::url::encode(&u.cursor)
                )
            }),
        uses: uses.into_iter().map(|u| use_row(u, tr)).collect(),
        langs: switch(tr, |c| format!("/citizen?lang={c}")),
        back_href: href("/citizen", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}
