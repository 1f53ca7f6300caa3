//! One visit at the centre: each member's attendance and originals, corrections, completion.

use super::*;
use tamwin_domain::{AppointmentId, CardNumber, MemberId};

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
    /// While checked in: what the household declares for eligibility, for the officer to confirm.
    decl: Option<DeclForm>,
}

/// The declarations form's current values; incomes in whole dinars (stored in fils).
struct DeclForm {
    sector: String,
    head_income: String,
    household_income: String,
    sectors: Vec<(&'static str, &'static str)>,
    band: String,
    bands: Vec<(&'static str, &'static str)>,
}

const FILS_PER_DINAR: i64 = 1000;

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
    Path(id): Path<AppointmentId>,
    Staff(signed, _): Staff<VerifyInPerson>,
) -> Result<Response, PageError> {
    let tr = tr_of(&page_query(&q.lang), &headers);
    // One read of the visit, audited once, for everything the page shows.
    let data = s.reg.visit_page(&id, &signed.actor).await?;
    let v = data.visit;
    let minutes = match (&v.checked_in_at, &v.completed_at) {
        (Some(a), Some(b)) => match (a.parse::<jiff::Timestamp>(), b.parse::<jiff::Timestamp>()) {
            (Ok(a), Ok(b)) => ((b.as_second() - a.as_second()) / 60).to_string(),
            _ => String::new(),
        },
        _ => String::new(),
    };
    let cards = data.temporary_cards;
    let mut members = member_rows(&v, tr);
    for m in &mut members {
        // Newest first: the first card of the member is the one that counts.
        let card = cards.iter().find(|c| c.member_id == m.member_id);
        m.temp_card = card
            .map(|c| c.status.code().to_string())
            .unwrap_or_default();
        let unified = v.members.iter().any(|x| {
            x.member_id == m.member_id && x.documents_seen.iter().any(|d| d == "unified_card")
        });
        m.can_issue = v.status == AppointmentStatus::CheckedIn
            && m.attendance == Attendance::Present
            && !unified
            && card.is_none_or(|c| c.status != TemporaryCardStatus::Active);
    }
    let proposal_cards = v
        .proposed_members
        .iter()
        .map(|p| {
            let id = p.accepted.clone().unwrap_or_default();
            let card = cards.iter().find(|c| !id.is_empty() && c.member_id == id);
            let status = card
                .map(|c| c.status.code().to_string())
                .unwrap_or_default();
            let no_id = p
                .member
                .national_id
                .as_deref()
                .is_none_or(|n| n.trim().is_empty());
            let can = v.status == AppointmentStatus::CheckedIn
                && !id.is_empty()
                && no_id
                && card.is_none_or(|c| c.status != TemporaryCardStatus::Active);
            (id.into_string(), status, can)
        })
        .collect();
    let decl = if let Some(d) = data.declarations {
        let dinars = |f: Option<i64>| {
            f.map(|n| (n / FILS_PER_DINAR).to_string())
                .unwrap_or_default()
        };
        Some(DeclForm {
            sector: d.head_sector.unwrap_or_default(),
            head_income: dinars(d.head_monthly_income),
            household_income: dinars(d.household_monthly_income),
            sectors: tamwin_domain::programme::eligibility::SECTORS
                .iter()
                .map(|c| (*c, tr.t(&format!("sector_{c}"))))
                .collect(),
            band: d.income_band.unwrap_or_default(),
            bands: tamwin_domain::programme::income_band::INCOME_BANDS
                .iter()
                .map(|b| (b.code, tr.t(&format!("band_{}", b.code))))
                .collect(),
        })
    } else {
        None
    };
    let p = VisitPage {
        decl,
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
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

pub async fn visit_member(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, member)): Path<(AppointmentId, MemberId)>,
    Staff(signed, _): Staff<VerifyInPerson>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
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
    Ok(back_to_visit(tr, &id, outcome))
}

/// A correction at the visit: the member's fields as the officer read them off the card, and the reason.
pub async fn visit_correct(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, member)): Path<(AppointmentId, MemberId)>,
    Staff(signed, _): Staff<VerifyInPerson>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
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
    Ok(back_to_visit(tr, &id, outcome))
}

pub async fn visit_accept(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, index)): Path<(AppointmentId, usize)>,
    Staff(signed, _): Staff<VerifyInPerson>,
    _: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let outcome = s
        .reg
        .accept_proposal(&id, index, &signed.actor)
        .await
        .map(|_| "proposal_added".to_string());
    Ok(back_to_visit(tr, &id, outcome))
}

pub async fn visit_complete(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path(id): Path<AppointmentId>,
    Staff(signed, _): Staff<VerifyInPerson>,
    _: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let outcome = s
        .reg
        .complete_visit(&id, &signed.actor)
        .await
        .map(|_| "visit_done".to_string());
    Ok(back_to_visit(tr, &id, outcome))
}

/// The head's sector, the incomes and the income band as the officer confirmed them at the visit (dinars; blank
/// clears), posted from the visit page: back to the visit named in the form, else to the household.
pub async fn declare_at_visit(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path(card): Path<String>,
    Staff(signed, _): Staff<VerifyInPerson>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let visit = field(&f, "appointment").trim().to_string();
    let visit = (!visit.is_empty() && visit.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        .then_some(visit);
    let outcome = async {
        let number = CardNumber::parse(&card).map_err(|_| AppError::NotFound)?;
        let money = |k: &'static str| -> Result<Option<i64>, AppError> {
            let t = field(&f, k).trim().replace([',', '٬'], "");
            if t.is_empty() {
                return Ok(None);
            }
            t.parse::<i64>()
                .ok()
                .filter(|n| *n >= 0)
                .and_then(|n| n.checked_mul(FILS_PER_DINAR))
                .map(Some)
                .ok_or_else(|| {
                    AppError::Validation(tamwin_domain::error::ValidationErrors(vec![
                        tamwin_domain::error::FieldError::new(
                            k,
                            "income_negative",
                            "an income is a whole, non-negative amount of the smallest unit",
                        ),
                    ]))
                })
        };
        let sector = field(&f, "head_sector").trim().to_string();
        let input = tamwin_app::declarations::DeclarationsInput {
            head_sector: Some(Some(sector).filter(|x| !x.is_empty())),
            head_monthly_income: Some(money("head_monthly_income")?),
            household_monthly_income: Some(money("household_monthly_income")?),
            income_band: Some(
                Some(field(&f, "income_band").trim().to_string()).filter(|x| !x.is_empty()),
            ),
            ..Default::default()
        };
        match &visit {
            // At a visit: the visit puts the household in the officer's reach.
            Some(id) => {
                let id = AppointmentId::from(id.clone());
                s.reg
                    .declare_at_visit(&id, &number, &input, &signed.actor)
                    .await?
            }
            None => s.reg.declare(&number, &input, &signed.actor).await?,
        };
        Ok("decl_saved".to_string())
    }
    .await;
    if let Some(id) = &visit {
        return Ok(back_to_visit(tr, id, outcome));
    }
    let query = match outcome {
        Ok(codes) => format!("message={codes}"),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    let to = format!("/households/{}", crate::url::encode(&card));
    Ok(Redirect::to(&with_lang(&to, tr, &query)).into_response())
}
