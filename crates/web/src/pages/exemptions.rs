//! The exemptions page: staff find a person's exemptions from the abroad rule by national ID, open the
//! document each rests on, and (with the permission to lift holds) grant one with its document. The
//! file is read in the browser and sent base64 to `POST /api/v1/exemptions`, like an appeal's.

use crate::AppState;
use crate::extract::page::Query;
use crate::i18n::Tr;
use crate::page_error::PageError;
use crate::pages::appointments::{page_query, tr_of};
use crate::render::{LangLink, Who, href, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tamwin_app::AppError;
use tamwin_app::exemptions::EXEMPTION_REASONS;
use tamwin_domain::access::Permission;

pub struct ExemptionRow {
    pub reason: String,
    pub valid_from: String,
    pub valid_until: String,
    pub evidence: String,
    pub granted_by: String,
    /// Empty when the exemption has no document (granted before documents were kept).
    pub document_href: String,
}

#[derive(Template)]
#[template(path = "exemptions.html")]
struct ExemptionsPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    national_id: String,
    message: String,
    error: String,
    looked_up: bool,
    rows: Vec<ExemptionRow>,
    may_grant: bool,
    reasons: Vec<(String, String)>,
}

#[derive(serde::Deserialize)]
pub struct ExemptionsQuery {
    pub national_id: Option<String>,
    pub message: Option<String>,
    pub lang: Option<String>,
}

pub async fn exemptions_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<ExemptionsQuery>,
    Staff(signed, _): Staff<ReadPersonal>,
) -> Result<Response, PageError> {
    let tr = tr_of(&page_query(&q.lang), &headers);
    let national_id = q.national_id.unwrap_or_default().trim().to_string();
    let (mut rows, mut error) = (Vec::new(), String::new());
    if !national_id.is_empty() {
        match s.reg.exemptions_of(&national_id, &signed.actor).await {
            Ok(list) => {
                rows = list
                    .into_iter()
                    .map(|e| ExemptionRow {
                        reason: tr.t(&format!("exemption_{}", e.reason)).to_string(),
                        document_href: if e.document_type.is_some() {
                            format!("/api/v1/exemptions/{}/document", e.exemption_id)
                        } else {
                            String::new()
                        },
                        valid_from: e.valid_from,
                        valid_until: e.valid_until,
                        evidence: e.evidence,
                        granted_by: e.granted_by,
                    })
                    .collect()
            }
            Err(AppError::NotFound) => error = tr.t("exemptions_not_found").to_string(),
            Err(e) => error = crate::pages::appointments::refusal(tr, &e),
        }
    }
    let p = ExemptionsPage {
        tr,
        langs: switch(tr, |c| {
            format!(
                "/exemptions?national_id={}&lang={c}",
                crate::url::encode(&national_id)
            )
        }),
        back_href: href("/", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        looked_up: !national_id.is_empty() && error.is_empty(),
        national_id,
        message: match q.message.as_deref() {
            Some("granted") => tr.t("exemption_granted").to_string(),
            _ => String::new(),
        },
        error,
        rows,
        may_grant: signed.actor.may(Permission::LiftHold),
        reasons: EXEMPTION_REASONS
            .iter()
            .map(|r| (r.to_string(), tr.t(&format!("exemption_{r}")).to_string()))
            .collect(),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}
