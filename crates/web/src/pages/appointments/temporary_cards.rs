//! Temporary cards: issued at the visit, printed, and listed for the citizen.

use super::*;
use tamwin_domain::{AppointmentId, MemberId};

// ---- the citizen's temporary cards ---------------------------------------------------------------

pub struct TempCardRow {
    pub name: String,
    pub status: TemporaryCardStatus,
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
    Path((id, member)): Path<(AppointmentId, MemberId)>,
    Staff(signed, _): Staff<VerifyInPerson>,
    _: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let outcome = s
        .reg
        .issue_temporary_card(&id, &member, &signed.actor)
        .await
        .map(|_| "tc_issued".to_string());
    Ok(back_to_visit(tr, &id, outcome))
}

/// The print page of a member's newest temporary card, from the visit (the same page the citizen prints).
pub async fn visit_temporary_card(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((id, member)): Path<(AppointmentId, MemberId)>,
    Staff(signed, _): Staff<VerifyInPerson>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let cards = s.reg.visit_temporary_cards(&id, &signed.actor).await?;
    let card = cards
        .into_iter()
        .find(|c| c.member_id == member)
        .ok_or(AppError::NotFound)?;
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
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

pub async fn citizen_temporary_cards(
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
    let list = s.reg.temporary_cards(hid, &signed.actor).await?;
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
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}
