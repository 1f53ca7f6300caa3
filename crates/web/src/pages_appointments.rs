//! Pages of pre-registration and the centre visit (issue 5): the head's booking page and printable form
//! with its QR code, and the officer's workspace: the day's queue, check-in by scanner, camera or card
//! number, each adult's attendance and originals, completion. Thin: parse, call the app, render.

use crate::AppState;
use crate::auth;
use crate::extract::page::{Form, Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::ui::{LangLink, PageQuery, Who, error_page, href, lang_of, page, switch};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::appointments::{AppointmentView, BookingRequest, CentreDay, MemberDeclaration};
use tamwin_app::secret::same;
use tamwin_app::temporary_cards::TemporaryCardView;
use tamwin_app::{AppError, CheckInRequest, MemberCheck, Registry, SignedIn};
use tamwin_domain::access::Permission;
use tamwin_domain::appointment::Document;

pub(crate) fn tr_of(q: &PageQuery, h: &HeaderMap) -> Tr {
    Tr {
        lang: lang_of(q, h),
    }
}

/// The signed-in caller if `ok` accepts them; otherwise the response to send (sign-in or refusal).
async fn signed(
    s: &AppState,
    headers: &HeaderMap,
    tr: Tr,
    citizen: bool,
) -> Result<SignedIn, Response> {
    let sign_in = if citizen {
        "/citizen/sign-in"
    } else {
        "/sign-in"
    };
    match auth::session(s, headers).await {
        Ok(Some(x)) if x.actor.is_citizen() == citizen => {
            if !citizen && !x.actor.may(Permission::VerifyInPerson) {
                return Err(error_page(s, Some(&x), tr, AppError::Forbidden));
            }
            Ok(x)
        }
        Ok(Some(x)) => Err(error_page(s, Some(&x), tr, AppError::Forbidden)),
        Ok(None) => Err(Redirect::to(&href(sign_in, tr.lang)).into_response()),
        Err(e) => Err(error_page(s, None, tr, e)),
    }
}

/// A signed-in citizen and their household (for a form post, with the session's CSRF token checked).
async fn citizen(
    s: &AppState,
    headers: &HeaderMap,
    tr: Tr,
    form: Option<&Pairs>,
) -> Result<(SignedIn, String), Response> {
    let x = match form {
        Some(f) => signed_form(s, headers, tr, true, f).await?,
        None => signed(s, headers, tr, true).await?,
    };
    match Registry::own_household_id(&x.actor) {
        Ok(h) => {
            let h = h.to_string();
            Ok((x, h))
        }
        Err(_) => Err(error_page(s, Some(&x), tr, AppError::Forbidden)),
    }
}

/// The form's fields as pairs: checkboxes repeat their name.
pub(crate) type Pairs = Vec<(String, String)>;

pub(crate) fn field<'a>(f: &'a Pairs, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// `signed`, for a form post: its CSRF token must be the session's.
async fn signed_form(
    s: &AppState,
    headers: &HeaderMap,
    tr: Tr,
    citizen: bool,
    f: &Pairs,
) -> Result<SignedIn, Response> {
    let x = signed(s, headers, tr, citizen).await?;
    if !same(field(f, "csrf"), &x.csrf) {
        return Err(error_page(s, Some(&x), tr, AppError::Forbidden));
    }
    Ok(x)
}

pub(crate) fn refusal(tr: Tr, e: &AppError) -> String {
    crate::errors::refusal(tr, e)
}

pub(crate) fn with_lang(path: &str, tr: Tr, extra: &str) -> String {
    let base = href(path, tr.lang);
    if extra.is_empty() {
        base
    } else if base.contains('?') {
        format!("{base}&{extra}")
    } else {
        format!("{base}?{extra}")
    }
}

/// Back to the visit page with what came of the officer's action: `Ok` outcome codes for `?message=`,
/// or a refusal's codes for `?error=` (the page shows the catalog's texts, never the link's).
fn back_to_visit(tr: Tr, id: &str, outcome: Result<String, AppError>) -> Response {
    let query = match outcome {
        Ok(codes) => format!("message={}", url_part(&codes)),
        Err(e) => format!("error={}", url_part(&refusal_codes(&e))),
    };
    Redirect::to(&with_lang(&format!("/centre/visits/{id}"), tr, &query)).into_response()
}

pub(crate) fn url_part(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

pub struct DocChoice {
    pub code: &'static str,
    pub label: &'static str,
}

fn doc_choices(tr: Tr) -> Vec<DocChoice> {
    Document::ALL
        .into_iter()
        .map(|d| DocChoice {
            code: d.code(),
            label: tr.label("doc", d.code()),
        })
        .collect()
}

fn doc_labels(tr: Tr, codes: &[String]) -> String {
    codes
        .iter()
        .filter_map(|c| Document::parse(c))
        .map(|d| tr.label("doc", d.code()))
        .collect::<Vec<_>>()
        .join(&format!("{} ", tr.t("list_sep")))
}

pub struct MemberRow {
    pub member_id: String,
    /// The registered data, for the correction form at the visit.
    pub data: Option<tamwin_domain::MemberInput>,
    /// The card holds no national ID for this member (one may be declared online).
    pub no_nid: bool,
    pub declared_nid: String,
    pub name: String,
    pub age: i16,
    pub required: bool,
    pub declared: String,
    pub attendance: String,
    pub seen: String,
    /// At the visit: the status of the member's newest temporary card (`active`…), or empty.
    pub temp_card: String,
    /// At the visit: a temporary card may be issued now (present without the unified card, none active).
    pub can_issue: bool,
}

fn member_rows(v: &AppointmentView, tr: Tr) -> Vec<MemberRow> {
    v.members
        .iter()
        .map(|m| MemberRow {
            member_id: m.member_id.clone(),
            data: m.data.clone(),
            no_nid: false,
            declared_nid: m.declared_national_id.clone().unwrap_or_default(),
            name: m.name.clone(),
            age: m.age,
            required: m.required,
            declared: doc_labels(tr, &m.declared_documents),
            attendance: m.attendance.clone(),
            seen: doc_labels(tr, &m.documents_seen),
            temp_card: String::new(),
            can_issue: false,
        })
        .collect()
}

/// `2026-11-23T09:30` as a day and an hour for people.
fn when(starts_at: &str) -> (String, String) {
    match starts_at.split_once('T') {
        Some((d, t)) => (d.to_string(), t.to_string()),
        None => (starts_at.to_string(), String::new()),
    }
}

// ---- the household's completed update ------------------------------------------------------------

/// What the citizen's pages show of the last completed visit (`update_done.html`).
pub struct UpdateDone {
    pub day: String,
    pub centre: String,
    /// (name, originals seen)
    pub verified: Vec<(String, String)>,
    pub still: String,
    pub state: &'static str,
    pub state_label: String,
    pub visit_needed: bool,
}

/// The shown form of an update status: `None` before any visit was completed.
pub(crate) fn update_done(
    u: &tamwin_app::update_status::UpdateStatus,
    tr: Tr,
) -> Option<UpdateDone> {
    let c = u.last_completed.as_ref()?;
    Some(UpdateDone {
        day: c.day.clone(),
        centre: tr.pick(&c.centre_name_ar, &c.centre_name_en).to_string(),
        verified: c
            .verified
            .iter()
            .map(|m| (m.name.clone(), doc_labels(tr, &m.documents_seen)))
            .collect(),
        still: u.still_to_verify.join(&format!("{} ", tr.t("list_sep"))),
        state: u.state.code(),
        state_label: tr.state(u.state).to_string(),
        visit_needed: u.visit_needed,
    })
}

// ---- the head's booking page ---------------------------------------------------------------------

pub struct DayLink {
    pub day: String,
    pub href: String,
    pub current: bool,
}

#[derive(Template)]
#[template(path = "appointment.html")]
struct AppointmentPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    error: String,
    message: String,
    current: Option<AppointmentView>,
    /// No appointment yet, or a booked one that may still move.
    can_book: bool,
    day: String,
    hour: String,
    members: Vec<MemberRow>,
    docs: Vec<DocChoice>,
    days: Vec<DayLink>,
    centres: Vec<CentreDay>,
    form_href: String,
    update: Option<UpdateDone>,
}

#[derive(serde::Deserialize)]
pub struct DayQuery {
    pub day: Option<String>,
    pub lang: Option<String>,
    pub error: Option<String>,
    pub message: Option<String>,
    /// The day of a home visit just booked, shown with its message.
    pub visit_day: Option<String>,
}

pub(crate) fn page_query(lang: &Option<String>) -> PageQuery {
    serde_json::from_value(serde_json::json!({ "lang": lang })).unwrap_or_default()
}

pub async fn citizen_appointment(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<DayQuery>,
) -> Response {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let signed = match signed(&s, &headers, tr, true).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let a = &signed.actor;
    let Ok(hid) = Registry::own_household_id(a) else {
        return error_page(&s, Some(&signed), tr, AppError::Forbidden);
    };
    let list = match s.reg.household_appointments(hid, a).await {
        Ok(l) => l,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let current = list
        .into_iter()
        .find(|v| v.kind == "centre" && (v.status == "booked" || v.status == "checked_in"));
    let status = match s.reg.update_status(hid, a).await {
        Ok(u) => u,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let today = s.reg.clock.today();
    let day = q
        .day
        .as_deref()
        .and_then(tamwin_domain::household::parse_date)
        .unwrap_or(today);
    let mut days = vec![];
    let mut d = today;
    for _ in 0..14 {
        days.push(DayLink {
            day: d.to_string(),
            href: with_lang("/citizen/appointment", tr, &format!("day={d}")),
            current: d == day,
        });
        match d.tomorrow() {
            Ok(n) => d = n,
            Err(_) => break,
        }
    }
    let centres = match s.reg.free_slots(hid, day, a).await {
        Ok(c) => c,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    // The members to declare documents for: from the booked appointment, or the household itself.
    let members = match &current {
        Some(v) => member_rows(v, tr),
        None => match s.reg.own_household(a).await {
            Ok(h) => h
                .members
                .iter()
                .filter(|m| m.member.presence == tamwin_domain::Presence::Present)
                .map(|m| MemberRow {
                    member_id: m.member.member_id.clone(),
                    data: None,
                    no_nid: m.member.national_id.is_none(),
                    declared_nid: String::new(),
                    name: m.member.full_name(),
                    age: m.member.age_on(day),
                    required: tamwin_domain::appointment::must_attend(&m.member, day),
                    declared: String::new(),
                    attendance: String::new(),
                    seen: String::new(),
                    temp_card: String::new(),
                    can_issue: false,
                })
                .collect(),
            Err(e) => return error_page(&s, Some(&signed), tr, e),
        },
    };
    let (d, h) = current
        .as_ref()
        .map(|v| when(&v.starts_at))
        .unwrap_or_default();
    let p = AppointmentPage {
        tr,
        langs: switch(tr, |c| format!("/citizen/appointment?lang={c}")),
        back_href: href("/citizen", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        error: error_html(tr, q.error.as_deref()),
        message: {
            let mut m = message_html(tr, q.message.as_deref());
            // Only a date that parses is shown with it.
            if let Some(d) = q
                .visit_day
                .as_deref()
                .and_then(tamwin_domain::household::parse_date)
                .filter(|_| !m.is_empty())
            {
                m.push_str(&format!(" <bdi dir=\"ltr\" class=\"ltr\">{d}</bdi>"));
            }
            m
        },
        // A booked appointment may move; otherwise a new one only while a visit is still needed.
        can_book: match &current {
            Some(c) => c.status == "booked",
            None => status.visit_needed,
        },
        update: update_done(&status, tr),
        current,
        day: d,
        hour: h,
        members,
        docs: doc_choices(tr),
        days,
        centres,
        form_href: href("/citizen/appointment/form", tr.lang),
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

/// Books (or moves) the appointment: `slot` is `CENTRE|YYYY-MM-DDTHH:MM`; `doc_<member>` the documents.
pub async fn citizen_book(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let (signed, hid) = match citizen(&s, &headers, tr, Some(&f)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let hid = hid.as_str();
    let (centre, starts_at) = match field(&f, "slot").split_once('|') {
        Some((c, t)) => (Some(c.to_string()), Some(t.to_string())),
        None => (None, None),
    };
    // `doc_<member>` (repeated): a document held; `nid_<member>`: a declared national ID.
    let mut members: Vec<MemberDeclaration> = vec![];
    for (k, v) in &f {
        let (member, doc) = match (k.strip_prefix("doc_"), k.strip_prefix("nid_")) {
            (Some(m), _) => (m, true),
            (_, Some(m)) if !v.is_empty() => (m, false),
            _ => continue,
        };
        let i = match members.iter().position(|x| x.member_id == member) {
            Some(i) => i,
            None => {
                members.push(MemberDeclaration {
                    member_id: member.to_string(),
                    documents: vec![],
                    required: None,
                    national_id: None,
                });
                members.len() - 1
            }
        };
        if doc {
            members[i].documents.push(v.clone());
        } else {
            members[i].national_id = Some(v.clone());
        }
    }
    // One member not on the card yet, when the form's `new_*` fields are filled.
    let text = |k: &str| field(&f, k).trim().to_string();
    let new_members = if text("new_given_name").is_empty() {
        vec![]
    } else {
        vec![tamwin_domain::MemberInput {
            // Untrimmed: spaces alone are refused, not taken as "no ID".
            national_id: Some(field(&f, "new_national_id").to_string()).filter(|v| !v.is_empty()),
            given_name: text("new_given_name"),
            father_name: text("new_father_name"),
            grandfather_name: text("new_grandfather_name"),
            family_name: Some(text("new_family_name")).filter(|v| !v.is_empty()),
            mother_name: text("new_mother_name"),
            birth_date: text("new_birth_date"),
            sex: text("new_sex"),
            relation: text("new_relation"),
            vulnerability: Default::default(),
        }]
    };
    let req = BookingRequest {
        starts_at,
        centre,
        members,
        new_members,
    };
    let reschedule = field(&f, "mode") == "reschedule";
    match s
        .reg
        .book_appointment(hid, &req, reschedule, &signed.actor, None)
        .await
    {
        Ok(_) => Redirect::to(&href("/citizen/appointment/form", tr.lang)).into_response(),
        Err(e) => Redirect::to(&with_lang(
            "/citizen/appointment",
            tr,
            &format!("error={}", url_part(&refusal_codes(&e))),
        ))
        .into_response(),
    }
}

/// Asks a mobile team to visit a member at home: `member` and `reason`.
pub async fn citizen_home_visit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let (signed, hid) = match citizen(&s, &headers, tr, Some(&f)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let hid = hid.as_str();
    let req = tamwin_app::home_visits::HomeVisitRequest {
        member_ids: vec![field(&f, "member").to_string()],
        reason: field(&f, "reason").to_string(),
    };
    let query = match s
        .reg
        .request_home_visit(hid, &req, &signed.actor, None)
        .await
    {
        Ok(o) => {
            let v: serde_json::Value = serde_json::from_str(&o.body).unwrap_or_default();
            let day: String = v["starts_at"]
                .as_str()
                .unwrap_or_default()
                .chars()
                .take(10)
                .collect();
            format!("message=home_visit_booked&visit_day={}", url_part(&day))
        }
        Err(e) => format!("error={}", url_part(&refusal_codes(&e))),
    };
    Redirect::to(&with_lang(
        "/citizen/appointment",
        tr,
        &format!("{query}#home-visit"),
    ))
    .into_response()
}

pub async fn citizen_cancel(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let (signed, hid) = match citizen(&s, &headers, tr, Some(&f)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let hid = hid.as_str();
    match s.reg.cancel_appointment(hid, &signed.actor).await {
        Ok(()) => Redirect::to(&href("/citizen/appointment", tr.lang)).into_response(),
        Err(e) => error_page(&s, Some(&signed), tr, e),
    }
}

// ---- the printable form --------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "appointment_form.html")]
struct FormPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    /// The card number as printed.
    card: String,
    v: AppointmentView,
    day: String,
    hour: String,
    ends: String,
    members: Vec<MemberRow>,
    qr_svg: String,
    token: String,
}

pub async fn citizen_form(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let (signed, hid) = match citizen(&s, &headers, tr, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let hid = hid.as_str();
    let v = match s.reg.household_appointments(hid, &signed.actor).await {
        Ok(l) => l
            .into_iter()
            .find(|v| v.kind == "centre" && v.status == "booked"),
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let Some(v) = v else {
        return Redirect::to(&href("/citizen/appointment", tr.lang)).into_response();
    };
    let token = v.token.clone().unwrap_or_default();
    // The QR is drawn here as SVG: nothing is fetched, and it prints sharp.
    let qr_svg = tamwin_card::qr_svg(&token).unwrap_or_default();
    let (day, hour) = when(&v.starts_at);
    let (_, ends) = when(&v.ends_at);
    let p = FormPage {
        tr,
        langs: switch(tr, |c| format!("/citizen/appointment/form?lang={c}")),
        back_href: href("/citizen/appointment", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        members: member_rows(&v, tr),
        card: crate::display::card(&v.card_number),
        day,
        hour,
        ends,
        qr_svg,
        token,
        v,
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

// ---- the officer's workspace ---------------------------------------------------------------------

/// The centres and mobile teams in an officer's area as (code, name), a mobile team officer's teams
/// first: the first is where the workspace opens.
async fn workplaces(s: &AppState, signed: &SignedIn, tr: Tr) -> Vec<(String, String)> {
    let a = &signed.actor;
    let geo = &s.reg.geo;
    let centres = geo
        .centres
        .iter()
        .filter(|c| a.area.has_centre(&c.code, &c.district_code, geo))
        .map(|c| (c.code.clone(), tr.pick(&c.name_ar, &c.name_en).to_string()));
    let teams: Vec<(String, String)> = s
        .reg
        .teams()
        .await
        .unwrap_or_default()
        .into_iter()
        .filter(|t| a.area.has_centre(&t.team_code, &t.district_code, geo))
        .map(|t| (t.team_code, t.name_ar))
        .collect();
    if a.role == Some(tamwin_domain::access::Role::MobileTeamOfficer) {
        teams.into_iter().chain(centres).collect()
    } else {
        centres.chain(teams).collect()
    }
}

pub struct QueueRow {
    pub address: String,
    pub hour: String,
    pub card_number: String,
    pub status: String,
    pub status_ar: String,
    pub adults: usize,
    pub href: String,
}

#[derive(Template)]
#[template(path = "centre.html")]
struct CentrePage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    error: String,
    centre: String,
    centre_name: String,
    day: String,
    rows: Vec<QueueRow>,
    centres: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
pub struct CentreQuery {
    pub day: Option<String>,
    pub centre: Option<String>,
    pub lang: Option<String>,
    pub error: Option<String>,
}

pub async fn centre_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<CentreQuery>,
) -> Response {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let signed = match signed(&s, &headers, tr, false).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let centres = workplaces(&s, &signed, tr).await;
    let chosen = match q.centre.as_deref() {
        Some(code) => centres.iter().find(|c| c.0 == code),
        None => centres.first(),
    };
    let Some((centre, centre_name)) = chosen.cloned() else {
        return error_page(&s, Some(&signed), tr, AppError::NotFound);
    };
    let day = q
        .day
        .as_deref()
        .and_then(tamwin_domain::household::parse_date)
        .unwrap_or_else(|| s.reg.clock.today());
    let list = match s.reg.centre_day(&centre, day, &signed.actor).await {
        Ok(l) => l,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let rows = list
        .iter()
        .map(|v| QueueRow {
            hour: when(&v.starts_at).1,
            address: v.address.clone(),
            card_number: crate::display::card(&v.card_number),
            status: v.status.clone(),
            status_ar: tr.label("apstatus", &v.status).to_string(),
            adults: v.members.iter().filter(|m| m.required).count(),
            href: href(&format!("/centre/visits/{}", v.appointment_id), tr.lang),
        })
        .collect();
    let p = CentrePage {
        tr,
        langs: switch(tr, |c| format!("/centre?lang={c}")),
        back_href: href("/centre", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        error: error_html(tr, q.error.as_deref()),
        centre,
        centre_name,
        day: day.to_string(),
        rows,
        centres,
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

/// Check-in from the scanner field: a `TMW1:` text is the form's token, anything else a card number.
pub async fn centre_check_in(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match signed_form(&s, &headers, tr, false, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let scanned = field(&f, "scan").trim().to_string();
    let req = if scanned.starts_with(tamwin_card::PREFIX) {
        CheckInRequest {
            token: Some(scanned),
            card_number: None,
        }
    } else {
        CheckInRequest {
            token: None,
            card_number: Some(scanned),
        }
    };
    match s.reg.check_in(&req, &signed.actor).await {
        Ok(v) => Redirect::to(&href(
            &format!("/centre/visits/{}", v.appointment_id),
            tr.lang,
        ))
        .into_response(),
        Err(e) => Redirect::to(&with_lang(
            "/centre",
            tr,
            &format!("error={}", url_part(&refusal_codes(&e))),
        ))
        .into_response(),
    }
}

#[derive(Template)]
#[template(path = "visit.html")]
struct VisitPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    /// The card number as printed.
    card: String,
    v: AppointmentView,
    hour: String,
    members: Vec<MemberRow>,
    docs: Vec<DocChoice>,
    minutes: String,
    /// Per proposal, in order: (accepted member id, its temporary card's status, may issue one now).
    proposal_cards: Vec<(String, String, bool)>,
}

#[derive(serde::Deserialize)]
pub struct VisitQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

pub async fn visit_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<VisitQuery>,
    Path(id): Path<String>,
) -> Response {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let signed = match signed(&s, &headers, tr, false).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let v = match s.reg.visit(&id, &signed.actor).await {
        Ok(v) => v,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let minutes = match (&v.checked_in_at, &v.completed_at) {
        (Some(a), Some(b)) => match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
            (Ok(a), Ok(b)) => ((b.as_second() - a.as_second()) / 60).to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let cards = match s.reg.visit_temporary_cards(&id, &signed.actor).await {
        Ok(c) => c,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let mut members = member_rows(&v, tr);
    for m in &mut members {
        // Newest first: the first card of the member is the one that counts.
        m.temp_card = cards
            .iter()
            .find(|c| c.member_id == m.member_id)
            .map(|c| c.status.clone())
            .unwrap_or_default();
        let unified = v.members.iter().any(|x| {
            x.member_id == m.member_id && x.documents_seen.iter().any(|d| d == "unified_card")
        });
        m.can_issue = v.status == "checked_in"
            && m.attendance == "present"
            && !unified
            && m.temp_card != "active";
    }
    let proposal_cards = v
        .proposed_members
        .iter()
        .map(|p| {
            let id = p.accepted.clone().unwrap_or_default();
            let status = cards
                .iter()
                .find(|c| !id.is_empty() && c.member_id == id)
                .map(|c| c.status.clone())
                .unwrap_or_default();
            let no_id = p
                .member
                .national_id
                .as_deref()
                .is_none_or(|n| n.trim().is_empty());
            let can = v.status == "checked_in" && !id.is_empty() && no_id && status != "active";
            (id, status, can)
        })
        .collect();
    let p = VisitPage {
        proposal_cards,
        tr,
        langs: switch(tr, |c| format!("/centre/visits/{id}?lang={c}")),
        back_href: href("/centre", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        card: crate::display::card(&v.card_number),
        hour: when(&v.starts_at).1,
        members,
        docs: doc_choices(tr),
        minutes,
        v,
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

pub async fn visit_member(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, member)): Path<(String, String)>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match signed_form(&s, &headers, tr, false, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let req = MemberCheck {
        attendance: field(&f, "attendance").to_string(),
        documents_seen: f
            .iter()
            .filter(|(k, _)| k == "doc")
            .map(|(_, v)| v.clone())
            .collect(),
        note: Some(field(&f, "note").to_string()),
        fingerprint: None,
    };
    let outcome = s
        .reg
        .check_member(&id, &member, &req, &signed.actor)
        .await
        .map(|r| format!("verif_{}", r.verification.as_deref().unwrap_or("none")));
    back_to_visit(tr, &id, outcome)
}

/// A correction at the visit: the member's fields as the officer read them off the card, and the reason.
pub async fn visit_correct(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, member)): Path<(String, String)>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match signed_form(&s, &headers, tr, false, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let text = |k: &str| field(&f, k).trim().to_string();
    let optional = |k: &str| Some(text(k)).filter(|v| !v.is_empty());
    let change = tamwin_app::MemberChange {
        member: tamwin_domain::MemberInput {
            national_id: Some(field(&f, "national_id").to_string()).filter(|v| !v.is_empty()),
            given_name: text("given_name"),
            father_name: text("father_name"),
            grandfather_name: text("grandfather_name"),
            family_name: optional("family_name"),
            mother_name: text("mother_name"),
            birth_date: text("birth_date"),
            sex: text("sex"),
            relation: text("relation"),
            vulnerability: Default::default(),
        },
        reason: text("reason"),
    };
    let outcome = s
        .reg
        .correct_member(&id, &member, &change, &signed.actor)
        .await
        .map(|r| {
            format!(
                "visit_corrected,verif_{}",
                r.verification.as_deref().unwrap_or("none_checked")
            )
        });
    back_to_visit(tr, &id, outcome)
}

// ---- the citizen's temporary cards ---------------------------------------------------------------

pub struct TempCardRow {
    pub name: String,
    pub status: String,
    pub expires: String,
    pub qr_svg: String,
}

#[derive(Template)]
#[template(path = "temporary_cards.html")]
struct TempCardsPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    card_number: String,
    cards: Vec<TempCardRow>,
}

fn temp_card_rows(list: Vec<TemporaryCardView>) -> Vec<TempCardRow> {
    list.into_iter()
        .map(|c| TempCardRow {
            qr_svg: c
                .token
                .as_deref()
                .and_then(|t| tamwin_card::qr_svg(t).ok())
                .unwrap_or_default(),
            name: c.member_name,
            status: c.status,
            expires: crate::display::local_date_str(&c.expires_at),
        })
        .collect()
}

/// The officer issues a member's temporary card from the visit page.
pub async fn visit_issue_temporary_card(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, member)): Path<(String, String)>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match signed_form(&s, &headers, tr, false, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let outcome = s
        .reg
        .issue_temporary_card(&id, &member, &signed.actor)
        .await
        .map(|_| "tc_issued".to_string());
    back_to_visit(tr, &id, outcome)
}

/// The print page of a member's newest temporary card, from the visit (the same page the citizen prints).
pub async fn visit_temporary_card(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, member)): Path<(String, String)>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match signed(&s, &headers, tr, false).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let card = match s.reg.visit_temporary_cards(&id, &signed.actor).await {
        Ok(l) => l.into_iter().find(|c| c.member_id == member),
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let Some(card) = card else {
        return error_page(&s, Some(&signed), tr, AppError::NotFound);
    };
    let p = TempCardsPage {
        tr,
        langs: switch(tr, |c| {
            format!("/centre/visits/{id}/members/{member}/temporary-card?lang={c}")
        }),
        back_href: href(&format!("/centre/visits/{id}"), tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        card_number: card.card_number.clone(),
        cards: temp_card_rows(vec![card]),
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

pub async fn citizen_temporary_cards(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let (signed, hid) = match citizen(&s, &headers, tr, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let hid = hid.as_str();
    let list = match s.reg.temporary_cards(hid, &signed.actor).await {
        Ok(l) => l,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let p = TempCardsPage {
        tr,
        langs: switch(tr, |c| format!("/citizen/temporary-cards?lang={c}")),
        back_href: href("/citizen", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        card_number: list
            .first()
            .map(|c| crate::display::card(&c.card_number))
            .unwrap_or_default(),
        cards: temp_card_rows(list),
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

pub async fn visit_accept(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, index)): Path<(String, usize)>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match signed_form(&s, &headers, tr, false, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let outcome = s
        .reg
        .accept_proposal(&id, index, &signed.actor)
        .await
        .map(|_| "proposal_added".to_string());
    back_to_visit(tr, &id, outcome)
}

pub async fn visit_complete(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match signed_form(&s, &headers, tr, false, &f).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let outcome = s
        .reg
        .complete_visit(&id, &signed.actor)
        .await
        .map(|_| "visit_done".to_string());
    back_to_visit(tr, &id, outcome)
}
