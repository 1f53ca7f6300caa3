//! Electronic powers of attorney on pages (issue 17 point 6; docs/proxies.md): the head of the
//! household makes a grant, types the code the civil registry sent to their phone, pays the fee at the
//! provider's page, sees each grant's state and revokes it; the proxy, without an account, accepts or
//! declines on their own page (`proxy.rs`).

mod proxy;

pub use proxy::{proxy_page, proxy_step};

use crate::AppState;
use crate::extract::page::{Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::page_error::PageError;
use crate::pages::appointments::{Pairs, field, tr_of, with_lang};
use crate::pages::cycles::{item, quantity};
use crate::render::{LangLink, PageQuery, Who, href, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tamwin_app::proxies::{GrantInput, GrantView};
use tamwin_domain::proxy::GrantReason;

/// One grant as its household reads it, with what the head may do now.
pub struct GrantRow {
    pub grant_id: String,
    pub proxy: String,
    pub status: String,
    pub status_label: String,
    pub scope: String,
    pub from: String,
    pub to: String,
    pub reason: String,
    pub fee: String,
    pub head_confirmed: bool,
    pub proxy_confirmed: bool,
    pub confirm: bool,
    pub pay: bool,
    /// The provider's page of the payment under way, if one is.
    pub pay_url: String,
    pub revoke: bool,
}

/// The grant's items and programmes in words: "all" when none is named.
pub fn scope_text(tr: Tr, items: &[String], programmes: &[String]) -> String {
    let items = if items.is_empty() {
        tr.t("proxy_all_items").to_string()
    } else {
        items
            .iter()
            .map(|i| item(tr, i))
            .collect::<Vec<_>>()
            .join(tr.t("list_sep"))
    };
    if programmes.is_empty() {
        items
    } else {
        let programmes = programmes
            .iter()
            .map(|p| crate::pages::cycles::programme_label(tr, p))
            .collect::<Vec<_>>()
            .join(tr.t("list_sep"));
        format!("{items} ({programmes})")
    }
}

pub fn grant_row(tr: Tr, g: &GrantView) -> GrantRow {
    let reason = match &g.reason_text {
        Some(t) if !t.is_empty() => format!("{} — {t}", tr.t(&format!("greason_{}", g.reason))),
        _ => tr.t(&format!("greason_{}", g.reason)).to_string(),
    };
    let unit = if g.currency == "EGP" {
        "piastre"
    } else {
        "fils"
    };
    let open = matches!(
        g.status.as_str(),
        "confirming" | "awaiting_payment" | "active"
    );
    GrantRow {
        grant_id: g.grant_id.clone(),
        proxy: g.proxy_national_id.clone(),
        status_label: tr.t(&format!("gstatus_{}", g.status)).to_string(),
        scope: scope_text(tr, &g.items, &g.programmes),
        from: g.valid_from.clone(),
        to: g.valid_to.clone(),
        reason,
        fee: quantity(tr, unit, g.fee),
        head_confirmed: g.head_confirmed,
        proxy_confirmed: g.proxy_confirmed,
        confirm: g.status == "confirming" && !g.head_confirmed,
        pay: g.status == "awaiting_payment",
        pay_url: String::new(),
        revoke: open,
        status: g.status.clone(),
    }
}

#[derive(Template)]
#[template(path = "citizen_proxies.html")]
struct ProxiesPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    grants: Vec<GrantRow>,
    items: Vec<(String, String)>,
    reasons: Vec<(&'static str, &'static str)>,
    today: String,
    until: String,
}

#[derive(Deserialize)]
pub struct NoticeQuery {
    message: Option<String>,
    error: Option<String>,
}

/// The household's grants and the form of a new one.
pub async fn proxies_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Query(n): Query<NoticeQuery>,
    Citizen { signed, .. }: Citizen,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let grants = s.reg.own_grants(&signed.actor).await?;
    let mut rows: Vec<GrantRow> = grants.iter().map(|g| grant_row(tr, g)).collect();
    for r in rows.iter_mut().filter(|r| r.pay) {
        r.pay_url = s
            .reg
            .grant_payments(&r.grant_id, &signed.actor)
            .await?
            .into_iter()
            .find(|p| p.status == "pending")
            .and_then(|p| p.redirect_url)
            .unwrap_or_default();
    }
    let today = s.reg.clock().today();
    // The items of the family's own baskets, the money of an allowance aside (it goes with goods).
    let mut codes: Vec<String> = vec![];
    for b in s.reg.own_baskets(&signed.actor).await? {
        for l in b.lines {
            if l.item != "money" && !codes.contains(&l.item) {
                codes.push(l.item);
            }
        }
    }
    let items = codes
        .into_iter()
        .map(|c| {
            let name = item(tr, &c);
            (c, name)
        })
        .collect();
    let until = today
        .checked_add(jiff::Span::new().months(3))
        .unwrap_or(today);
    let p = ProxiesPage {
        tr,
        langs: switch(tr, |c| format!("/citizen/proxies?lang={c}")),
        back_href: href("/citizen", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, n.message.as_deref()),
        error: error_html(tr, n.error.as_deref()),
        grants: rows,
        items,
        reasons: GrantReason::ALL
            .iter()
            .map(|r| (r.code(), tr.t(&format!("greason_{}", r.code()))))
            .collect(),
        today: today.to_string(),
        until: until.to_string(),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

fn back(tr: Tr, query: &str) -> Response {
    Redirect::to(&with_lang("/citizen/proxies", tr, query)).into_response()
}

fn refused(tr: Tr, e: &tamwin_app::AppError) -> Response {
    back(
        tr,
        &format!("error={}", crate::url::encode(&refusal_codes(e))),
    )
}

/// A new grant from the form: the codes go to both phones.
pub async fn make_grant(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Citizen { signed, .. }: Citizen,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let reason_text = field(&f, "reason_text").trim().to_string();
    let input = GrantInput {
        proxy_national_id: field(&f, "proxy_national_id").trim().to_string(),
        proxy_birth_date: field(&f, "proxy_birth_date").trim().to_string(),
        programmes: vec![],
        items: f
            .iter()
            .filter(|(k, _)| k == "item")
            .map(|(_, v)| v.clone())
            .collect(),
        valid_from: field(&f, "valid_from").trim().to_string(),
        valid_to: field(&f, "valid_to").trim().to_string(),
        reason: field(&f, "reason").to_string(),
        reason_text: Some(reason_text).filter(|t| !t.is_empty()),
    };
    Ok(match s.reg.grant_proxy(&input, &signed.actor).await {
        Ok(_) => back(tr, "message=msg_grant_made"),
        Err(e) => refused(tr, &e),
    })
}

/// The head's step on one grant: `confirm` (with the code), `pay` (on to the provider's page) or
/// `revoke`.
pub async fn grant_step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Path((grant_id, step)): Path<(String, String)>,
    Citizen { signed, .. }: Citizen,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let a = &signed.actor;
    let done = match step.as_str() {
        "confirm" => s
            .reg
            .confirm_grant(&grant_id, field(&f, "code"), a)
            .await
            .map(|_| "message=msg_grant_confirmed".to_string()),
        "revoke" => s
            .reg
            .revoke_grant(&grant_id, field(&f, "reason"), a)
            .await
            .map(|_| "message=msg_grant_revoked".to_string()),
        // The payment started, the page links to the provider's own page (a form may not lead to
        // another site: the pages' form-action is their own), which sends the head back here.
        "pay" => s
            .reg
            .pay_grant(&grant_id, RETURN_PAGE, a)
            .await
            .map(|p| match p.redirect_url {
                Some(_) => "message=msg_grant_pay_ready".to_string(),
                None => "message=msg_grant_paid".to_string(),
            }),
        _ => return Err(tamwin_app::AppError::NotFound.into()),
    };
    Ok(match done {
        Ok(m) => back(tr, &m),
        Err(e) => refused(tr, &e),
    })
}

/// Where the payment provider sends the head back to.
pub const RETURN_PAGE: &str = "/citizen/proxies";
