//! Collections a family says it did not make (issue 16 point 7), for auditors: each with its outlet,
//! time, collector, how the card was identified and the complaint that flagged it. A collection by QR
//! the family did not make points at the card's holder or a copy of its QR; by code, at its phone.

use super::*;
use crate::pages::cycles::items_text;

pub struct DisputedRow {
    pub card: String,
    pub outlet: String,
    pub outlet_code: String,
    pub at: String,
    pub collector: String,
    pub identified_by: String,
    pub items: String,
    pub complaint: String,
    pub voided: bool,
}

#[derive(Template)]
#[template(path = "screening_disputed.html")]
struct DisputedPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    rows: Vec<DisputedRow>,
}

pub async fn disputed_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::render::PageQuery>,
    Staff(signed, _): Staff<Screen>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let list = s.reg.disputed_collections(&signed.actor).await?;
    let rows = list
        .iter()
        .map(|d| DisputedRow {
            card: d.card_number.clone(),
            outlet: d.outlet_name.clone(),
            outlet_code: d.outlet_code.clone(),
            at: local_time_str(&d.at),
            collector: d.collector_name.clone(),
            identified_by: tr
                .t(&format!("disputed_by_{}", d.identified_by))
                .to_string(),
            items: items_text(tr, &d.items),
            complaint: d.complaint_id.clone(),
            voided: d.voided,
        })
        .collect();
    let p = DisputedPage {
        tr,
        langs: switch(tr, |c| format!("/screening/disputed?lang={c}")),
        back_href: href("/screening", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        rows,
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}
