//! The officer's day at a centre: the queue and check-in.

use super::*;

// ---- the officer's workspace ---------------------------------------------------------------------

/// The centres and mobile teams in an officer's area as (code, name), a mobile team officer's teams
/// first: the first is where the workspace opens.
async fn workplaces(s: &AppState, signed: &SignedIn, tr: Tr) -> Vec<(String, String)> {
    let a = &signed.actor;
    let geo = s.reg.geo();
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
    pub status: AppointmentStatus,
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
    Staff(signed, _): Staff<VerifyInPerson>,
) -> Result<Response, PageError> {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let centres = workplaces(&s, &signed, tr).await;
    let chosen = match q.centre.as_deref() {
        Some(code) => centres.iter().find(|c| c.0 == code),
        None => centres.first(),
    };
    let Some((centre, centre_name)) = chosen.cloned() else {
        return Err(AppError::NotFound.into());
    };
    let day = q
        .day
        .as_deref()
        .and_then(tamwin_domain::household::parse_date)
        .unwrap_or_else(|| s.reg.clock().today());
    let list = s.reg.centre_day(&centre, day, &signed.actor).await?;
    let rows = list
        .iter()
        .map(|v| QueueRow {
            hour: when(&v.starts_at).1,
            address: v.address.clone(),
            card_number: crate::display::card(&v.card_number),
            status: v.status,
            status_ar: tr.label("apstatus", v.status.code()).to_string(),
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
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// Check-in from the scanner field: a `TMW1:` text is the form's token, anything else a card number.
pub async fn centre_check_in(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<VerifyInPerson>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
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
    Ok(match s.reg.check_in(&req, &signed.actor).await {
        Ok(v) => Redirect::to(&href(
            &format!("/centre/visits/{}", v.appointment_id),
            tr.lang,
        ))
        .into_response(),
        Err(e) => Redirect::to(&with_lang(
            "/centre",
            tr,
            &format!("error={}", crate::url::encode(&refusal_codes(&e))),
        ))
        .into_response(),
    })
}
