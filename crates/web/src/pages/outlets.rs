//! The supervisors' page of outlets (issue 16 point 1): the outlets of their area with kind, district,
//! address, hours and licence; suspend, reinstate or revoke one with a reason; move an agent's
//! households to another agent of its kind and governorate.

use crate::AppState;
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
use tamwin_domain::outlet::Licence;

pub struct OutletRow {
    pub code: String,
    pub kind: String,
    pub agent: bool,
    pub name: String,
    pub district: String,
    pub address: String,
    pub hours: String,
    pub licence: String,
    pub licence_label: String,
}

#[derive(Template)]
#[template(path = "outlets.html")]
struct OutletsPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    rows: Vec<OutletRow>,
}

#[derive(serde::Deserialize)]
pub struct OutletsQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

pub async fn outlets_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<OutletsQuery>,
    Staff(signed, _): Staff<ManageOutlets>,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: lang_from(q.lang.as_deref(), &headers),
    };
    let geo = s.reg.geo().clone();
    let rows = s
        .reg
        .outlets(&signed.actor)
        .await?
        .iter()
        .map(|o| OutletRow {
            code: o.code.clone(),
            kind: tr.t(&format!("outlet_kind_{}", o.kind.code())).to_string(),
            agent: o.kind.assigned(),
            name: o.name_ar.clone(),
            district: geo
                .district(&o.district_code)
                .map(|d| match tr.lang.code() {
                    "en" => d.name_en.clone(),
                    _ => d.name_ar.clone(),
                })
                .unwrap_or_else(|| o.district_code.clone()),
            address: o.address.clone(),
            hours: format!("{}–{}", o.opens, o.closes),
            licence: o.licence.code().to_string(),
            licence_label: tr.t(&format!("licence_{}", o.licence.code())).to_string(),
        })
        .collect();
    let p = OutletsPage {
        tr,
        langs: switch(tr, |c| format!("/outlets?lang={c}")),
        back_href: href(crate::pages::landing::landing(&signed.actor), tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        rows,
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// A licence change (`step` = `licence`, with `licence` and `reason`) or a move of an agent's
/// households (`move`, with `to` and `reason`): back to the page with what came of it.
pub async fn step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((code, step)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageOutlets>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let reason = field(&f, "reason");
    let done = match step.as_str() {
        "licence" => match Licence::parse(field(&f, "licence").trim()) {
            Some(to) => s
                .reg
                .set_outlet_licence(&code, to, reason, &signed.actor)
                .await
                .map(|_| "msg_outlet_licence".to_string()),
            None => Err(tamwin_app::AppError::rule("licence_unchanged")),
        },
        "move" => s
            .reg
            .move_outlet_households(&code, field(&f, "to").trim(), reason, &signed.actor)
            .await
            .map(|_| "msg_outlet_moved".to_string()),
        _ => Err(tamwin_app::AppError::NotFound),
    };
    let query = match done {
        Ok(m) => format!("message={m}"),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&with_lang("/outlets", tr, &query)).into_response())
}
