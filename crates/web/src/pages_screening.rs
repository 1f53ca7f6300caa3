//! Pages of screening (issue 6): the auditors' workspace (runs with their progress, the queue of
//! findings, a finding with both records side by side, the explanation field by field, the decision,
//! the appeals) and the citizen's page of findings on their card, where they appeal with a document.

use crate::AppState;
use crate::auth;
use crate::display::local_time_str;
use crate::extract::page::{Form, Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::pages_appointments::{Pairs, field, page_query, tr_of, url_part, with_lang};
use crate::ui::{LangLink, Who, error_page, href, page, switch};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::screening::{
    FindingDetailView, FindingView, QueueQuery, RunView, SideView, hold_reason,
};
use tamwin_app::{AppError, SignedIn};
use tamwin_domain::access::Permission;

/// A signed-in auditor (or anyone with the screening permission); for a form, with its CSRF checked.
async fn auditor(
    s: &AppState,
    headers: &HeaderMap,
    tr: Tr,
    form: Option<&Pairs>,
) -> Result<SignedIn, Response> {
    crate::ui::staff_holding(s, headers, tr, Permission::Screen, form).await
}

fn kind_label(tr: Tr, kind: &str) -> &'static str {
    tr.t(&format!("kind_{kind}"))
}

pub struct QueueRow {
    pub href: String,
    pub card: String,
    pub name: String,
    pub district: String,
    pub kind: String,
    pub score: String,
    pub decision: String,
    pub decision_code: String,
    pub status: String,
}

pub struct RunRow {
    pub status: String,
    pub status_label: String,
    pub phase: String,
    pub progress: String,
    pub started_by: String,
    pub started_at: String,
    pub summary: String,
}

#[derive(Template)]
#[template(path = "screening.html")]
struct ScreeningPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    running: bool,
    runs: Vec<RunRow>,
    rows: Vec<QueueRow>,
    kinds: Vec<(String, String)>,
    statuses: Vec<(String, String)>,
    decisions: Vec<(String, String)>,
    districts: Vec<(String, String)>,
    kind: String,
    status: String,
    decision: String,
    district: String,
    /// Findings by kind (rows) and status (columns) in the reader's area.
    counts: Vec<CountRow>,
    /// The next page of the queue with the same filters; empty on the last page.
    next_href: String,
    appeals_href: String,
}

pub struct CountRow {
    pub kind: String,
    pub code: String,
    pub cells: Vec<i64>,
    pub total: i64,
}

#[derive(serde::Deserialize)]
pub struct ScreeningQuery {
    pub kind: Option<String>,
    pub status: Option<String>,
    pub decision: Option<String>,
    pub district: Option<String>,
    pub after: Option<String>,
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

const DECISIONS: [&str; 2] = ["hold", "review"];
const QUEUE_PAGE: u32 = 100;

const KINDS: [&str; 5] = ["same_id", "duplicate", "deceased", "abroad", "fictitious"];
const STATUSES: [&str; 4] = ["pending", "confirmed", "in_effect", "cleared"];

fn run_row(tr: Tr, r: &RunView) -> RunRow {
    use crate::screening_text as st;
    RunRow {
        status: r.status.clone(),
        status_label: st::run_status(tr, &r.status),
        phase: st::phase(tr, &r.phase),
        progress: if r.total > 0 {
            format!("{} / {}", r.done, r.total)
        } else {
            r.done.to_string()
        },
        started_by: r.started_by.clone(),
        started_at: local_time_str(&r.started_at),
        summary: if r.status == "failed" {
            r.error.clone().unwrap_or_default()
        } else {
            st::summary(tr, &r.summary)
        },
    }
}

pub async fn screening_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ScreeningQuery>,
) -> Response {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let signed = match auditor(&s, &headers, tr, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let runs = match s.reg.screening_runs(&signed.actor).await {
        Ok(r) => r,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let kind = q.kind.clone().filter(|k| KINDS.contains(&k.as_str()));
    let status = q
        .status
        .clone()
        .filter(|k| STATUSES.contains(&k.as_str()))
        .or_else(|| q.status.is_none().then(|| "pending".to_string()));
    let decision = q
        .decision
        .clone()
        .filter(|k| DECISIONS.contains(&k.as_str()));
    let district = q.district.clone().filter(|d| !d.is_empty());
    let query = QueueQuery {
        kind: kind.clone(),
        status: status.clone(),
        decision: decision.clone(),
        district: district.clone(),
        after: q.after.clone().filter(|a| !a.is_empty()),
        limit: QUEUE_PAGE,
    };
    let queue = match s.reg.screening_queue(&signed.actor, &query).await {
        Ok(l) => l,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let rows = queue
        .items
        .iter()
        .map(|i| {
            let f = &i.finding;
            QueueRow {
                href: href(&format!("/screening/findings/{}", f.finding_id), tr.lang),
                card: i.who.card_number.clone(),
                name: i.who.member_name.clone(),
                district: tr
                    .pick(&i.who.district_name_ar, &i.who.district_name_en)
                    .to_string(),
                kind: kind_label(tr, &f.kind).to_string(),
                score: format!("{:.3}", f.score),
                decision: tr.t(&format!("decision_{}", f.decision)).to_string(),
                decision_code: f.decision.clone(),
                status: tr.t(&format!("fstatus_{}", f.status)).to_string(),
            }
        })
        .collect();
    let counts = KINDS
        .iter()
        .map(|k| {
            let cells: Vec<i64> = STATUSES
                .iter()
                .map(|st| {
                    queue
                        .counts
                        .iter()
                        .filter(|c| c.kind == *k && c.status == *st)
                        .map(|c| c.count)
                        .sum()
                })
                .collect();
            CountRow {
                kind: kind_label(tr, k).to_string(),
                code: k.to_string(),
                total: cells.iter().sum(),
                cells,
            }
        })
        .filter(|r| r.total > 0)
        .collect();
    // The districts the reader may filter on: those of their area.
    let scope = signed.actor.scope(&s.reg.geo);
    let districts = s
        .reg
        .geo
        .districts
        .iter()
        .filter(|d| {
            scope
                .governorate
                .as_ref()
                .is_none_or(|g| *g == d.governorate_code)
        })
        .filter(|d| scope.district.as_ref().is_none_or(|x| *x == d.code))
        .map(|d| (d.code.clone(), tr.pick(&d.name_ar, &d.name_en).to_string()))
        .collect();
    let filters = |after: &str| {
        let mut parts = vec![
            format!("kind={}", url_part(kind.as_deref().unwrap_or(""))),
            format!("status={}", url_part(status.as_deref().unwrap_or("all"))),
            format!("decision={}", url_part(decision.as_deref().unwrap_or(""))),
            format!("district={}", url_part(district.as_deref().unwrap_or(""))),
        ];
        if !after.is_empty() {
            parts.push(format!("after={}", url_part(after)));
        }
        parts.join("&")
    };
    let next_href = queue
        .next_after
        .as_deref()
        .map(|a| with_lang("/screening", tr, &filters(a)))
        .unwrap_or_default();
    let p = ScreeningPage {
        tr,
        langs: switch(tr, |c| format!("/screening?{}&lang={c}", filters(""))),
        back_href: href("/", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        running: runs.iter().any(|r| r.status == "running"),
        runs: runs.iter().take(5).map(|r| run_row(tr, r)).collect(),
        rows,
        kinds: KINDS
            .iter()
            .map(|k| (k.to_string(), kind_label(tr, k).to_string()))
            .collect(),
        statuses: STATUSES
            .iter()
            .map(|k| (k.to_string(), tr.t(&format!("fstatus_{k}")).to_string()))
            .collect(),
        decisions: DECISIONS
            .iter()
            .map(|k| (k.to_string(), tr.t(&format!("decision_{k}")).to_string()))
            .collect(),
        districts,
        kind: kind.clone().unwrap_or_default(),
        status: status.clone().unwrap_or_default(),
        decision: decision.clone().unwrap_or_default(),
        district: district.clone().unwrap_or_default(),
        counts,
        next_href,
        appeals_href: href("/screening/appeals", tr.lang),
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

pub struct InboxRow {
    pub href: String,
    pub card: String,
    pub name: String,
    pub district: String,
    pub kind: String,
    pub submitted_at: String,
    pub age_days: i64,
    pub statement: String,
}

#[derive(Template)]
#[template(path = "screening_appeals.html")]
struct InboxPageView {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    rows: Vec<InboxRow>,
    next_href: String,
}

#[derive(serde::Deserialize)]
pub struct InboxQuery {
    pub after: Option<String>,
    pub lang: Option<String>,
}

/// The appeals inbox: open appeals in the reader's area, oldest first, with their age.
pub async fn appeals_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<InboxQuery>,
) -> Response {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let signed = match auditor(&s, &headers, tr, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let inbox = match s.reg.appeal_inbox(&signed.actor, after, QUEUE_PAGE).await {
        Ok(l) => l,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let rows = inbox
        .items
        .iter()
        .map(|i| InboxRow {
            href: href(
                &format!("/screening/findings/{}", i.appeal.finding_id),
                tr.lang,
            ),
            card: i.who.card_number.clone(),
            name: i.who.member_name.clone(),
            district: tr
                .pick(&i.who.district_name_ar, &i.who.district_name_en)
                .to_string(),
            kind: kind_label(tr, &i.kind).to_string(),
            submitted_at: i
                .appeal
                .submitted_at
                .chars()
                .take(16)
                .collect::<String>()
                .replace('T', " "),
            age_days: i.age_days,
            statement: i.appeal.statement.clone(),
        })
        .collect();
    let p = InboxPageView {
        tr,
        langs: switch(tr, |c| format!("/screening/appeals?lang={c}")),
        back_href: href("/screening", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        rows,
        next_href: inbox
            .next_after
            .as_deref()
            .map(|a| with_lang("/screening/appeals", tr, &format!("after={}", url_part(a))))
            .unwrap_or_default(),
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

pub async fn screening_start(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::ui::PageQuery>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auditor(&s, &headers, tr, Some(&f)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let query = match s.reg.start_screening(&signed.actor).await {
        Ok(_) => "message=screening_started".to_string(),
        Err(e) => format!("error={}", url_part(&refusal_codes(&e))),
    };
    Redirect::to(&with_lang("/screening", tr, &query)).into_response()
}

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
    pub code: String,
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
    Path(id): Path<String>,
) -> Response {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let signed = match auditor(&s, &headers, tr, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let d: FindingDetailView = match s.reg.screening_finding(&signed.actor, &id).await {
        Ok(d) => d.view(),
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let (explain_rows, notes, total) = explain(tr, &d.finding.explanation);
    let reason = hold_reason(&d.finding.kind);
    let p = FindingPage {
        tr,
        langs: switch(tr, |c| format!("/screening/findings/{id}?lang={c}")),
        back_href: href("/screening", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        kind: kind_label(tr, &d.finding.kind).to_string(),
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
        exemptions_href: match (&d.member.national_id, d.finding.kind.as_str()) {
            (Some(nid), "abroad") => {
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
                code: a.status.clone(),
                open: a.status == "open",
                note: a.decision_note.clone().unwrap_or_default(),
            })
            .collect(),
        f: d.finding,
    };
    page(p.render(), tr.lang, StatusCode::OK)
}

/// Back to the finding with outcome codes (`?message=`) or a refusal's codes (`?error=`).
fn back_to_finding(tr: Tr, id: &str, outcome: Result<String, AppError>) -> Response {
    let query = match outcome {
        Ok(codes) => format!("message={}", url_part(&codes)),
        Err(e) => format!("error={}", url_part(&refusal_codes(&e))),
    };
    Redirect::to(&with_lang(&format!("/screening/findings/{id}"), tr, &query)).into_response()
}

pub async fn finding_decide(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::ui::PageQuery>,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auditor(&s, &headers, tr, Some(&f)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let confirm = field(&f, "decision") == "confirm";
    let outcome = s
        .reg
        .decide_screening_finding(&signed.actor, &id, confirm, field(&f, "note"))
        .await
        .map(|v| format!("fstatus_{}", v.status));
    back_to_finding(tr, &id, outcome)
}

pub async fn appeal_decide(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::ui::PageQuery>,
    Path(id): Path<String>,
    Form(f): Form<Pairs>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auditor(&s, &headers, tr, Some(&f)).await {
        Ok(x) => x,
        Err(r) => return r,
    };
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
    back_to_finding(tr, &finding, outcome)
}

/// The appeal's document, for the auditor deciding it.
pub async fn appeal_document(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::ui::PageQuery>,
    Path(id): Path<String>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auditor(&s, &headers, tr, None).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match s.reg.appeal_document(&signed.actor, &id).await {
        Ok(a) => crate::ui::attachment(
            &format!("appeal-{}", a.appeal_id),
            tamwin_app::documents::Document {
                name: a.document_name,
                content_type: a.document_type,
                bytes: a.document,
            },
        ),
        Err(e) => error_page(&s, Some(&signed), tr, e),
    }
}

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
    Query(q): Query<crate::ui::PageQuery>,
) -> Response {
    let tr = tr_of(&q, &headers);
    let signed = match auth::session(&s, &headers).await {
        Ok(Some(x)) if x.actor.is_citizen() => x,
        Ok(Some(x)) => return error_page(&s, Some(&x), tr, AppError::Forbidden),
        Ok(None) => return Redirect::to(&href("/citizen/sign-in", tr.lang)).into_response(),
        Err(e) => return error_page(&s, None, tr, e),
    };
    let list = match s.reg.my_screening(&signed.actor).await {
        Ok(l) => l,
        Err(e) => return error_page(&s, Some(&signed), tr, e),
    };
    let rows = list
        .iter()
        .map(|m| {
            let (f, a) = (&m.finding, &m.appeal);
            let reason = hold_reason(&f.kind);
            let open = a.as_ref().is_some_and(|a| a.status == "open");
            CitizenFinding {
                finding_id: f.finding_id.clone(),
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
                    Some(_) => tr.t(crate::api_screening::next_step_key(m)).to_string(),
                    None => String::new(),
                },
                can_appeal: !open && f.status != "cleared",
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
    page(p.render(), tr.lang, StatusCode::OK)
}
