//! The auditors' workspace: runs with their progress, the queue of findings, the appeals inbox.

use super::*;

pub struct QueueRow {
    pub href: String,
    pub card: String,
    pub name: String,
    pub district: String,
    pub kind: String,
    pub score: String,
    pub decision: String,
    pub decision_code: ScreenDecision,
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
    disputed_href: String,
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

const DECISIONS: [ScreenDecision; 2] = ScreenDecision::ALL;
const QUEUE_PAGE: u32 = 100;

const KINDS: [FindingKind; 6] = FindingKind::ALL;
const STATUSES: [FindingStatus; 4] = FindingStatus::ALL;

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
    Staff(signed, _): Staff<Screen>,
) -> Result<Response, PageError> {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let runs = s.reg.screening_runs(&signed.actor).await?;
    // Filters the page does not know are dropped (`status=all` among them).
    let kind = q.kind.as_deref().and_then(FindingKind::parse);
    let status = match q.status.as_deref() {
        None => Some(FindingStatus::Pending),
        Some(s) => FindingStatus::parse(s),
    };
    let decision = q.decision.as_deref().and_then(ScreenDecision::parse);
    let (kind, status, decision) = (
        kind.map(|k| k.code().to_string()),
        status.map(|s| s.code().to_string()),
        decision.map(|d| d.code().to_string()),
    );
    let district = q.district.clone().filter(|d| !d.is_empty());
    let query = QueueQuery {
        kind: kind.clone(),
        status: status.clone(),
        decision: decision.clone(),
        district: district.clone(),
        after: q.after.clone().filter(|a| !a.is_empty()),
        limit: QUEUE_PAGE,
    };
    let queue = s.reg.screening_queue(&signed.actor, &query).await?;
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
                kind: kind_label(tr, f.kind).to_string(),
                score: format!("{:.3}", f.score),
                decision: tr.t(&format!("decision_{}", f.decision)).to_string(),
                decision_code: f.decision,
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
                kind: kind_label(tr, *k).to_string(),
                code: k.to_string(),
                total: cells.iter().sum(),
                cells,
            }
        })
        .filter(|r| r.total > 0)
        .collect();
    // The districts the reader may filter on: those of their area.
    let scope = signed.actor.scope(s.reg.geo());
    let districts = s
        .reg
        .geo()
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
            format!("kind={}", crate::url::encode(kind.as_deref().unwrap_or(""))),
            format!(
                "status={}",
                crate::url::encode(status.as_deref().unwrap_or("all"))
            ),
            format!(
                "decision={}",
                crate::url::encode(decision.as_deref().unwrap_or(""))
            ),
            format!(
                "district={}",
                crate::url::encode(district.as_deref().unwrap_or(""))
            ),
        ];
        if !after.is_empty() {
            parts.push(format!("after={}", crate::url::encode(after)));
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
            .map(|k| (k.to_string(), kind_label(tr, *k).to_string()))
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
        disputed_href: href("/screening/disputed", tr.lang),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
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
    Staff(signed, _): Staff<Screen>,
) -> Result<Response, PageError> {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let after = q.after.as_deref().filter(|a| !a.is_empty());
    let inbox = s.reg.appeal_inbox(&signed.actor, after, QUEUE_PAGE).await?;
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
            kind: kind_label(tr, i.kind).to_string(),
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
            .map(|a| {
                with_lang(
                    "/screening/appeals",
                    tr,
                    &format!("after={}", crate::url::encode(a)),
                )
            })
            .unwrap_or_default(),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

pub async fn screening_start(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<crate::render::PageQuery>,
    Staff(signed, _): Staff<Screen>,
    _: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let query = match s.reg.start_screening(&signed.actor).await {
        Ok(_) => "message=screening_started".to_string(),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&with_lang("/screening", tr, &query)).into_response())
}
