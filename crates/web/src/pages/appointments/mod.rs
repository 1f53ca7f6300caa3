//! Pages of pre-registration and the centre visit (issue 5): the head's booking page and printable form
//! with its QR code, and the officer's workspace: the day's queue, check-in by scanner, camera or card
//! number, each adult's attendance and originals, completion. Thin: parse, call the app, render.

use crate::AppState;
use crate::extract::page::{Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::page_error::PageError;
use crate::render::{LangLink, PageQuery, Who, href, lang_of, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::appointments::{AppointmentView, BookingRequest, CentreDay, MemberDeclaration};
use tamwin_app::temporary_cards::TemporaryCardView;
use tamwin_app::{AppError, CheckInRequest, MemberCheck, SignedIn};
use tamwin_domain::appointment::{
    AppointmentKind, AppointmentStatus, Attendance, Document, TemporaryCardStatus,
};

pub(crate) fn tr_of(q: &PageQuery, h: &HeaderMap) -> Tr {
    Tr {
        lang: lang_of(q, h),
    }
}

/// The form's fields as pairs: checkboxes repeat their name.
pub(crate) type Pairs = Vec<(String, String)>;

pub(crate) fn field<'a>(f: &'a Pairs, name: &str) -> &'a str {
    f.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

pub(crate) fn refusal(tr: Tr, e: &AppError) -> String {
    crate::errors::refusal(tr, e)
}

pub(crate) fn with_lang(path: &str, tr: Tr, extra: &str) -> String {
    let base = href(path, tr.lang);
    if extra.is_empty() {
        base
    } else if base.contains('?') {
        format!("{base}&{extra}")
    } else {
        format!("{base}?{extra}")
    }
}

/// Back to the visit page with what came of the officer's action: `Ok` outcome codes for `?message=`,
/// or a refusal's codes for `?error=` (the page shows the catalog's texts, never the link's).
fn back_to_visit(tr: Tr, id: &str, outcome: Result<String, AppError>) -> Response {
    let query = match outcome {
        Ok(codes) => format!("message={}", crate::url::encode(&codes)),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Redirect::to(&with_lang(&format!("/centre/visits/{id}"), tr, &query)).into_response()
}

pub struct DocChoice {
    pub code: &'static str,
    pub label: &'static str,
}

fn doc_choices(tr: Tr) -> Vec<DocChoice> {
    Document::ALL
        .into_iter()
        .map(|d| DocChoice {
            code: d.code(),
            label: tr.label("doc", d.code()),
        })
        .collect()
}

fn doc_labels(tr: Tr, codes: &[String]) -> String {
    codes
        .iter()
        .filter_map(|c| Document::parse(c))
        .map(|d| tr.label("doc", d.code()))
        .collect::<Vec<_>>()
        .join(&format!("{} ", tr.t("list_sep")))
}

pub struct MemberRow {
    pub member_id: String,
    /// The registered data, for the correction form at the visit.
    pub data: Option<tamwin_domain::MemberInput>,
    /// The card holds no national ID for this member (one may be declared online).
    pub no_nid: bool,
    pub declared_nid: String,
    pub name: String,
    pub age: i16,
    pub required: bool,
    pub declared: String,
    pub attendance: Attendance,
    pub seen: String,
    /// At the visit: the status of the member's newest temporary card (`active`…), or empty.
    pub temp_card: String,
    /// At the visit: a temporary card may be issued now (present without the unified card, none active).
    pub can_issue: bool,
}

fn member_rows(v: &AppointmentView, tr: Tr) -> Vec<MemberRow> {
    v.members
        .iter()
        .map(|m| MemberRow {
            member_id: m.member_id.to_string(),
            data: m.data.clone(),
            no_nid: false,
            declared_nid: m.declared_national_id.clone().unwrap_or_default(),
            name: m.name.clone(),
            age: m.age,
            required: m.required,
            declared: doc_labels(tr, &m.declared_documents),
            attendance: m.attendance,
            seen: doc_labels(tr, &m.documents_seen),
            temp_card: String::new(),
            can_issue: false,
        })
        .collect()
}

/// `2026-11-23T09:30` as a day and an hour for people.
fn when(starts_at: &str) -> (String, String) {
    match starts_at.split_once('T') {
        Some((d, t)) => (d.to_string(), t.to_string()),
        None => (starts_at.to_string(), String::new()),
    }
}

// ---- the household's completed update ------------------------------------------------------------

/// What the citizen's pages show of the last completed visit (`update_done.html`).
pub struct UpdateDone {
    pub day: String,
    pub centre: String,
    /// (name, originals seen)
    pub verified: Vec<(String, String)>,
    pub still: String,
    pub state: &'static str,
    pub state_label: String,
    pub visit_needed: bool,
}

/// The shown form of an update status: `None` before any visit was completed.
pub(crate) fn update_done(
    u: &tamwin_app::update_status::UpdateStatus,
    tr: Tr,
) -> Option<UpdateDone> {
    let c = u.last_completed.as_ref()?;
    Some(UpdateDone {
        day: c.day.clone(),
        centre: tr.pick(&c.centre_name_ar, &c.centre_name_en).to_string(),
        verified: c
            .verified
            .iter()
            .map(|m| (m.name.clone(), doc_labels(tr, &m.documents_seen)))
            .collect(),
        still: u.still_to_verify.join(&format!("{} ", tr.t("list_sep"))),
        state: u.state.code(),
        state_label: tr.state(u.state).to_string(),
        visit_needed: u.visit_needed,
    })
}

mod booking;
mod centre_day;
mod temporary_cards;
mod visit;
pub use booking::*;
pub use centre_day::*;
pub use temporary_cards::*;
pub use visit::*;
