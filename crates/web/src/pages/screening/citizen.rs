//! The citizen's page of findings on their card, where they appeal with a document.

use super::*;

pub struct CitizenFinding {
    pub finding_id: String,
    pub member: String,
    pub reason: String,
    pub cure: String,
    pub effective: String,
    pub status: String,
    pub appeal: String,
    /// The auditor's reason for the appeal's outcome.
    pub appeal_note: String,
    /// What the citizen can do next, given the appeal.
    pub next_step: String,
    pub can_appeal: bool,
}

#[derive(Template)]
#[template(path = "citizen_findings.html")]
struct CitizenFindingsPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    rows: Vec<CitizenFinding>,
}

pub async fn citizen_findings(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::render::PageQuery>,
    Citizen { signed, .. }: Citizen,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let list = s.reg.my_screening(&signed.actor).await?;
    let rows = list
        .iter()
        .map(|m| {
            let (f, a) = (&m.finding, &m.appeal);
            let reason = f.kind.hold_reason();
            let open = a.as_ref().is_some_and(|a| a.status == AppealStatus::Open);
            CitizenFinding {
                finding_id: f.finding_id.to_string(),
                member: m.member_name.clone(),
                reason: tr.reason(reason).to_string(),
                cure: tr.cure(reason).to_string(),
                effective: f
                    .effective_at
                    .map(crate::display::local_date)
                    .unwrap_or_default(),
                status: tr.t(&format!("fstatus_{}", f.status)).to_string(),
                appeal: a
                    .as_ref()
                    .map(|a| tr.t(&format!("astatus_{}", a.status)).to_string())
                    .unwrap_or_default(),
                appeal_note: a
                    .as_ref()
                    .and_then(|a| a.decision_note.clone())
                    .unwrap_or_default(),
                next_step: match a {
                    Some(_) => tr.t(crate::api::screening::next_step_key(m)).to_string(),
                    None => String::new(),
                },
                can_appeal: !open && f.status != FindingStatus::Cleared,
            }
        })
        .collect();
    let p = CitizenFindingsPage {
        tr,
        langs: switch(tr, |c| format!("/citizen/findings?lang={c}")),
        back_href: href("/citizen", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        rows,
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}
