//! The head's booking page and the printable appointment form.

use super::*;

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
    Citizen { signed, household }: Citizen,
) -> Result<Response, PageError> {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let a = &signed.actor;
    let hid = &household;
    let list = s.reg.household_appointments(hid, a).await?;
    let current = list
        .into_iter()
        .find(|v| v.kind == AppointmentKind::Centre && v.status.is_open());
    let status = s.reg.update_status(hid, a).await?;
    let today = s.reg.clock().today();
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
    let centres = s.reg.free_slots(hid, day, a).await?;
    // The members to declare documents for: from the booked appointment, or the household itself.
    let members = match &current {
        Some(v) => member_rows(v, tr),
        None => s
            .reg
            .own_household(a)
            .await?
            .members
            .iter()
            .filter(|m| m.member.presence == tamwin_domain::Presence::Present)
            .map(|m| MemberRow {
                member_id: m.member.member_id.to_string(),
                data: None,
                no_nid: m.member.national_id.is_none(),
                declared_nid: String::new(),
                name: m.member.full_name(),
                age: m.member.age_on(day),
                required: tamwin_domain::appointment::must_attend(&m.member, day),
                declared: String::new(),
                attendance: Attendance::Expected,
                seen: String::new(),
                temp_card: String::new(),
                can_issue: false,
            })
            .collect(),
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
            Some(c) => c.status == AppointmentStatus::Booked,
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
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// Books (or moves) the appointment: `slot` is `CENTRE|YYYY-MM-DDTHH:MM`; `doc_<member>` the documents.
pub async fn citizen_book(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Citizen {
        signed,
        household: hid,
    }: Citizen,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let hid = &hid;
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
                    member_id: member.to_string().into(),
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
    Ok(
        match s
            .reg
            .book_appointment(hid, &req, reschedule, &signed.actor, None)
            .await
        {
            Ok(_) => Redirect::to(&href("/citizen/appointment/form", tr.lang)).into_response(),
            Err(e) => Redirect::to(&with_lang(
                "/citizen/appointment",
                tr,
                &format!("error={}", crate::url::encode(&refusal_codes(&e))),
            ))
            .into_response(),
        },
    )
}

/// Asks a mobile team to visit a member at home: `member` and `reason`.
pub async fn citizen_home_visit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Citizen {
        signed,
        household: hid,
    }: Citizen,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let hid = &hid;
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
            format!(
                "message=home_visit_booked&visit_day={}",
                crate::url::encode(&day)
            )
        }
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&with_lang(
        "/citizen/appointment",
        tr,
        &format!("{query}#home-visit"),
    ))
    .into_response())
}

pub async fn citizen_cancel(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Citizen {
        signed,
        household: hid,
    }: Citizen,
    _: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let hid = &hid;
    s.reg.cancel_appointment(hid, &signed.actor).await?;
    Ok(Redirect::to(&href("/citizen/appointment", tr.lang)).into_response())
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
    Citizen {
        signed,
        household: hid,
    }: Citizen,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let hid = &hid;
    let list = s.reg.household_appointments(hid, &signed.actor).await?;
    let v = list
        .into_iter()
        .find(|v| v.kind == AppointmentKind::Centre && v.status == AppointmentStatus::Booked);
    let Some(v) = v else {
        return Ok(Redirect::to(&href("/citizen/appointment", tr.lang)).into_response());
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
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}
