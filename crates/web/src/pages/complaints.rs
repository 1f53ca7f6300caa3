//! Complaints on pages (issue 16 point 7): the family complains from its page about an outlet, naming
//! the collection it concerns, and reads the reply; the governorate's supervisors see the complaints,
//! assign each to someone to look into and resolve it with a reply.

use crate::AppState;
use crate::display::local_time_str;
use crate::extract::page::{Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::page_error::PageError;
use crate::pages::appointments::{Pairs, field, tr_of, with_lang};
use crate::render::{LangLink, PageQuery, Who, href, lang_from, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::complaints::{ComplaintInput, ComplaintView};
use tamwin_domain::access::Area;

pub struct ComplaintRow {
    pub id: String,
    pub card: String,
    pub outlet: String,
    pub outlet_code: String,
    pub kind: String,
    pub statement: String,
    pub status: String,
    pub status_label: String,
    pub at: String,
    pub assigned_to: String,
    pub reply: String,
    pub hours: String,
    pub disputed: bool,
}

pub fn complaint_rows(tr: Tr, list: &[ComplaintView]) -> Vec<ComplaintRow> {
    list.iter()
        .map(|c| ComplaintRow {
            id: c.complaint_id.clone(),
            card: c.card_number.clone(),
            outlet: c.outlet_name.clone(),
            outlet_code: c.outlet_code.clone(),
            kind: tr.t(&format!("complaint_kind_{}", c.kind)).to_string(),
            statement: c.statement.clone(),
            status: c.status.clone(),
            status_label: tr.t(&format!("complaint_status_{}", c.status)).to_string(),
            at: local_time_str(&c.created_at),
            assigned_to: c.assigned_to.clone().unwrap_or_default(),
            reply: c.reply.clone().unwrap_or_default(),
            hours: c
                .hours_to_resolve
                .map(|h| h.to_string())
                .unwrap_or_default(),
            disputed: c.kind == "collection_not_made",
        })
        .collect()
}

/// The family's complaint, from its page: back to it with what came of it.
pub async fn file(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Citizen { signed, .. }: Citizen,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let receipt = field(&f, "receipt").trim();
    let input = ComplaintInput {
        outlet: Some(field(&f, "outlet").trim().to_string()).filter(|o| !o.is_empty()),
        kind: field(&f, "kind").to_string(),
        redemption_id: Some(receipt.to_string()).filter(|r| !r.is_empty()),
        statement: field(&f, "statement").to_string(),
    };
    let query = match s.reg.file_complaint(&input, &signed.actor).await {
        Ok(_) => "message=msg_complaint_filed".to_string(),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&(with_lang("/citizen", tr, &query) + "#complaints")).into_response())
}

#[derive(Template)]
#[template(path = "complaints.html")]
struct ComplaintsPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    governorate: String,
    rows: Vec<ComplaintRow>,
}

#[derive(serde::Deserialize)]
pub struct ComplaintsQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
    pub governorate: Option<String>,
    pub status: Option<String>,
}

/// The governorate's complaints for its supervisors (the ministry names the governorate).
pub async fn complaints_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ComplaintsQuery>,
    Staff(signed, _): Staff<ManageOutlets>,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: lang_from(q.lang.as_deref(), &headers),
    };
    let governorate = match (&q.governorate, &signed.actor.area) {
        (Some(g), _) => g.trim().to_string(),
        (None, Area::Governorate(g)) => g.clone(),
        (None, Area::District(d)) | (None, Area::Centre { district: d, .. }) => s
            .reg
            .geo()
            .district(d)
            .map(|x| x.governorate_code.clone())
            .unwrap_or_default(),
        (None, Area::Nation) => "11".to_string(),
    };
    let list = s
        .reg
        .complaints(&governorate, q.status.as_deref(), &signed.actor)
        .await?;
    let p = ComplaintsPage {
        tr,
        langs: switch(tr, |c| format!("/complaints?lang={c}")),
        back_href: href(crate::pages::landing::landing(&signed.actor), tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        governorate,
        rows: complaint_rows(tr, &list),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// Assigns (`step` = `assign`, with `to`) or resolves (`resolve`, with `reply`) a complaint.
pub async fn step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageOutlets>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let done = match step.as_str() {
        "assign" => s
            .reg
            .assign_complaint(&id, field(&f, "to"), &signed.actor)
            .await
            .map(|_| "msg_complaint_assigned"),
        "resolve" => s
            .reg
            .resolve_complaint(&id, field(&f, "reply"), &signed.actor)
            .await
            .map(|_| "msg_complaint_resolved_done"),
        _ => Err(tamwin_app::AppError::NotFound),
    };
    let query = match done {
        Ok(m) => format!("message={m}"),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&with_lang("/complaints", tr, &query)).into_response())
}
