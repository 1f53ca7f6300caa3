//! One finding: both records side by side, the explanation field by field, the decisions.

use super::*;
use tamwin_domain::FindingId;

pub struct ExplainRow {
    pub field: String,
    pub level: String,
    pub weight: String,
    pub strong: bool,
}

/// The explanation's terms as rows: `given=exact(+3.41,tf-1.20)`, `lineage_cap(-3.50)`, `prior(..)`;
/// anything else is a note.
fn explain(tr: Tr, text: &str) -> (Vec<ExplainRow>, Vec<String>, String) {
    let mut rows = vec![];
    let mut notes = vec![];
    let mut total = 0.0;
    for part in text.split(';').filter(|p| !p.is_empty()) {
        let (head, weight) = match part.split_once('(') {
            Some((h, rest)) => (h, rest.trim_end_matches(')')),
            None => {
                notes.push(crate::screening_text::note(tr, part));
                continue;
            }
        };
        let w: f64 = weight
            .split(',')
            .next()
            .and_then(|x| x.parse().ok())
            .unwrap_or(0.0);
        total += w;
        let (field, level) = match head.split_once('=') {
            Some((f, l)) => (
                tr.t(&format!("field_{f}")).to_string(),
                tr.t(&format!("level_{l}")).to_string(),
            ),
            None => (tr.t(&format!("field_{head}")).to_string(), String::new()),
        };
        rows.push(ExplainRow {
            field,
            level,
            weight: weight
                .replace(",tf", &format!(" · {} ", tr.t("finding_tf")))
                .replace(
                    ",sibling",
                    &format!(" · {}", tr.t("finding_against_siblings")),
                ),
            strong: w.abs() >= 5.0,
        });
    }
    (rows, notes, format!("{total:+.2}"))
}

pub struct SideRow {
    pub label: String,
    pub member: String,
    pub other: String,
    pub same: bool,
    /// A number or a date: isolated left to right, never broken.
    pub ltr: bool,
}

fn side_rows(tr: Tr, m: &SideView, o: Option<&SideView>) -> Vec<SideRow> {
    let get = |v: &SideView, k: usize| -> String {
        match k {
            0 => crate::display::card(&v.card_number),
            1 => v.national_id.clone().unwrap_or_default(),
            2 => v.given_name.clone(),
            3 => v.father_name.clone(),
            4 => v.grandfather_name.clone(),
            5 => v.family_name.clone().unwrap_or_default(),
            6 => v.mother_name.clone(),
            7 => v.birth_date.clone(),
            8 => tr
                .get(&format!("sex_{}", v.sex))
                .unwrap_or(&v.sex)
                .to_string(),
            9 => v.death_date.clone().unwrap_or_default(),
            _ => v.abroad_since.clone().unwrap_or_default(),
        }
    };
    let labels = [
        "field_card",
        "field_national_id",
        "field_given",
        "field_father",
        "field_grandfather",
        "field_family",
        "field_mother",
        "field_birth",
        "field_sex",
        "field_death",
        "field_abroad",
    ];
    labels
        .iter()
        .enumerate()
        .map(|(k, label)| {
            let (a, b) = (get(m, k), o.map(|o| get(o, k)).unwrap_or_default());
            SideRow {
                label: tr.t(label).to_string(),
                same: !a.is_empty() && a == b,
                ltr: matches!(k, 0 | 1 | 7 | 9 | 10),
                member: a,
                other: b,
            }
        })
        .filter(|r| !(r.member.is_empty() && r.other.is_empty()))
        .collect()
}

pub struct AppealRow {
    pub appeal_id: String,
    pub submitted_at: String,
    pub statement: String,
    pub document_name: String,
    pub document_href: String,
    pub status: String,
    pub code: AppealStatus,
    pub open: bool,
    pub note: String,
}

#[derive(Template)]
#[template(path = "finding.html")]
struct FindingPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    /// When the hold takes effect, in Iraq's time.
    effective: String,
    f: FindingView,
    kind: String,
    decision: String,
    status: String,
    reason: String,
    sides: Vec<SideRow>,
    has_other: bool,
    /// The other card of the match lies outside the reader's area: said, not shown.
    other_outside_area: bool,
    explain: Vec<ExplainRow>,
    notes: Vec<String>,
    total: String,
    appeals: Vec<AppealRow>,
    /// Abroad findings: the member's exemptions (look one up, or grant one with its document).
    exemptions_href: String,
}

#[derive(serde::Deserialize)]
pub struct FindingQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

pub async fn finding_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<FindingQuery>,
    Path(id): Path<FindingId>,
    Staff(signed, _): Staff<Screen>,
) -> Result<Response, PageError> {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let d: FindingDetailView = s.reg.screening_finding(&signed.actor, &id).await?.view();
    let (explain_rows, notes, total) = explain(tr, &d.finding.explanation);
    let reason = d.finding.kind.hold_reason();
    let p = FindingPage {
        tr,
        langs: switch(tr, |c| format!("/screening/findings/{id}?lang={c}")),
        back_href: href("/screening", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        kind: kind_label(tr, d.finding.kind).to_string(),
        effective: d
            .finding
            .effective_at
            .as_deref()
            .map(local_time_str)
            .unwrap_or_default(),
        decision: tr
            .t(&format!("decision_{}", d.finding.decision))
            .to_string(),
        status: tr.t(&format!("fstatus_{}", d.finding.status)).to_string(),
        reason: tr.reason(reason).to_string(),
        exemptions_href: match (&d.member.national_id, d.finding.kind) {
            (Some(nid), FindingKind::Abroad) => {
                format!("/exemptions?national_id={nid}&lang={}", tr.lang.code())
            }
            _ => String::new(),
        },
        sides: side_rows(tr, &d.member, d.other.as_ref()),
        has_other: d.other.is_some(),
        other_outside_area: d.other_outside_area,
        explain: explain_rows,
        notes,
        total,
        appeals: d
            .appeals
            .iter()
            .map(|a| AppealRow {
                appeal_id: a.appeal_id.clone(),
                submitted_at: local_time_str(&a.submitted_at),
                statement: a.statement.clone(),
                document_name: a.document_name.clone(),
                document_href: format!("/screening/appeals/{}/document", a.appeal_id),
                status: tr.t(&format!("astatus_{}", a.status)).to_string(),
                code: a.status,
                open: a.status == AppealStatus::Open,
                note: a.decision_note.clone().unwrap_or_default(),
            })
            .collect(),
        f: d.finding,
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// Back to the finding with outcome codes (`?message=`) or a refusal's codes (`?error=`).
fn back_to_finding(tr: Tr, id: &str, outcome: Result<String, AppError>) -> Response {
    let query = match outcome {
        Ok(codes) => format!("message={}", crate::url::encode(&codes)),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Redirect::to(&with_lang(&format!("/screening/findings/{id}"), tr, &query)).into_response()
}

pub async fn finding_decide(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::render::PageQuery>,
    Path(id): Path<FindingId>,
    Staff(signed, _): Staff<Screen>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let confirm = field(&f, "decision") == "confirm";
    let outcome = s
        .reg
        .decide_screening_finding(&signed.actor, &id, confirm, field(&f, "note"))
        .await
        .map(|v| format!("fstatus_{}", v.status));
    Ok(back_to_finding(tr, &id, outcome))
}

pub async fn appeal_decide(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::render::PageQuery>,
    Path(id): Path<String>,
    Staff(signed, _): Staff<Screen>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let uphold = field(&f, "decision") == "uphold";
    let finding = field(&f, "finding").to_string();
    let outcome = s
        .reg
        .decide_appeal(&signed.actor, &id, uphold, field(&f, "note"))
        .await
        .map(|()| {
            if uphold {
                "astatus_upheld"
            } else {
                "astatus_rejected"
            }
            .to_string()
        });
    Ok(back_to_finding(tr, &finding, outcome))
}

/// The appeal's document, for the auditor deciding it.
pub async fn appeal_document(
    State(s): State<AppState>,
    // Read for its `lang` (the error page's language) and refused when it does not decode.
    Query(_): Query<crate::render::PageQuery>,
    Path(id): Path<String>,
    Staff(signed, _): Staff<Screen>,
) -> Result<Response, PageError> {
    let a = s.reg.appeal_document(&signed.actor, &id).await?;
    Ok(crate::pages::assets::attachment(
        &format!("appeal-{}", a.appeal_id),
        tamwin_app::documents::Document {
            name: a.document_name,
            content_type: a.document_type,
            bytes: a.document,
        },
    ))
}
