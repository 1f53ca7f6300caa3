//! The staff page of background jobs (issue 14, point 4): each job with its schedule, last run
//! (started, duration, outcome, items, why), next run and its latest runs; "run now" for those who may.
//! Times in Iraq's local time; the same figures as `GET /api/v1/jobs`.

use crate::AppState;
use crate::display::local_time_str;
use crate::extract::page::{Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::page_error::PageError;
use crate::pages::appointments::{Pairs, tr_of, with_lang};
use crate::pages::landing::landing;
use crate::render::{LangLink, PageQuery, Who, href, lang_from, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::jobs::{JobRunView, JobView};
use tamwin_domain::access::Permission;

pub struct RunRow {
    pub started_at: String,
    pub duration: String,
    /// `ok`, `failed`, `skipped`, or `running` / `unfinished` while it has no outcome.
    pub outcome: &'static str,
    pub outcome_label: &'static str,
    pub cause: &'static str,
    pub items: i64,
    pub progress: String,
    /// Why it failed or was skipped: the catalog's text of a known reason, else the diagnostic as is.
    pub why: String,
    pub why_known: bool,
    pub holder: String,
    pub attempts: i64,
}

pub struct JobRow {
    pub name: String,
    pub label: &'static str,
    /// The catalog's schedule text with its figures in `<span class="num">`.
    pub schedule: String,
    pub last: Option<RunRow>,
    /// In Iraq time; empty for queued work.
    pub next: String,
    pub requested_by: String,
    pub run_now: bool,
    pub recent: Vec<RunRow>,
}

#[derive(Template)]
#[template(path = "jobs.html")]
struct JobsPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    jobs: Vec<JobRow>,
}

#[derive(serde::Deserialize)]
pub struct JobsQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

fn label(tr: Tr, prefix: &str, code: &str) -> &'static str {
    tr.get(&format!("{prefix}{}", code.replace('.', "_")))
        .unwrap_or_else(|| tr.t("job_unknown"))
}

fn num(n: impl std::fmt::Display) -> String {
    format!(r#"<span class="num">{n}</span>"#)
}

fn schedule(tr: Tr, j: &JobView) -> String {
    match (j.every_minutes, j.daily_at.as_deref()) {
        (Some(m), _) if m % (24 * 60) == 0 => tr.t("job_every_day").to_string(),
        (Some(m), _) => tr.t("job_every").replace("{n}", &num(m)),
        (None, Some(at)) => tr.t("job_daily").replace("{t}", &num(at)),
        _ => tr.t("job_queued").to_string(),
    }
}

/// Seconds with a tenth, or milliseconds under a second (the ten-minute passes take a few).
fn duration(tr: Tr, seconds: f64) -> String {
    if seconds < 1.0 {
        tr.t("job_millis")
            .replace("{n}", &num(format!("{:.0}", seconds * 1000.0)))
    } else {
        tr.t("job_seconds")
            .replace("{n}", &num(format!("{seconds:.1}")))
    }
}

fn run_row(tr: Tr, r: &JobRunView, running: bool) -> RunRow {
    let outcome: &'static str = match r.outcome.as_deref() {
        Some("ok") => "ok",
        Some("failed") => "failed",
        Some("skipped") => "skipped",
        Some(_) => "unknown",
        None if running => "running",
        None => "unfinished",
    };
    let why = r.error.clone().unwrap_or_default();
    let known = tr.get(&format!("job_reason_{why}"));
    RunRow {
        started_at: local_time_str(&r.started_at),
        duration: r
            .duration_seconds
            .map(|d| duration(tr, d))
            .unwrap_or_default(),
        outcome,
        outcome_label: label(tr, "job_outcome_", outcome),
        cause: label(tr, "job_cause_", &r.cause),
        items: r.items,
        progress: match (r.progress_done, r.progress_total) {
            (Some(d), Some(t)) => format!("{} / {}", num(d), num(t)),
            (Some(d), None) => num(d),
            _ => String::new(),
        },
        why_known: known.is_some(),
        why: known.map(str::to_string).unwrap_or(why),
        holder: r.holder.clone(),
        attempts: r.attempts,
    }
}

fn job_row(tr: Tr, j: &JobView, may_run: bool) -> JobRow {
    JobRow {
        name: j.name.clone(),
        label: label(tr, "job_", &j.name),
        schedule: schedule(tr, j),
        last: j.last_run.as_ref().map(|r| run_row(tr, r, j.running)),
        next: j
            .next_run
            .as_deref()
            .map(local_time_str)
            .unwrap_or_default(),
        requested_by: j.requested_by.clone().unwrap_or_default(),
        run_now: may_run && j.on_request,
        recent: j
            .recent_runs
            .iter()
            .enumerate()
            .map(|(i, r)| run_row(tr, r, i == 0 && j.running))
            .collect(),
    }
}

pub async fn jobs_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<JobsQuery>,
    Staff(signed, _): Staff<ViewJobs>,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: lang_from(q.lang.as_deref(), &headers),
    };
    let jobs = s.reg.jobs_overview(&signed.actor).await?;
    let may_run = signed.actor.may(Permission::RunJobs);
    let p = JobsPage {
        tr,
        langs: switch(tr, |c| format!("/jobs?lang={c}")),
        back_href: href(landing(&signed.actor), tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        jobs: jobs.iter().map(|j| job_row(tr, j, may_run)).collect(),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// "Run now" (CSRF-checked, audited): back to the page with what came of it.
pub async fn run_now(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(job): Path<String>,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<RunJobs>,
    _: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let query = match s.reg.request_job_run(&job, &signed.actor).await {
        Ok(()) => "message=job_requested".to_string(),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&with_lang("/jobs", tr, &query)).into_response())
}
