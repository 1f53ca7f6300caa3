//! The proxy's own page: no account — the national ID and the code the civil registry sent to their
//! phone show the grant naming them (the card, what, until when, why); then they accept or decline it
//! with the ticket the page carries. Its forms carry the pre-session CSRF token as the sign-in forms
//! do.

use super::{GrantRow, grant_row};
use crate::AppState;
use crate::extract::page::Query;
use crate::i18n::Tr;
use crate::notices::error_html;
use crate::page_error::PageError;
use crate::pages::access::{csrf_page, pre_ok, pre_token, with_cookies};
use crate::pages::appointments::{Pairs, field, tr_of};
use crate::render::{LangLink, PageQuery, Who, href, page, switch};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

#[derive(Template)]
#[template(path = "proxy.html")]
struct ProxyPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    error: String,
    /// What came of asking for a code or giving a grant up.
    message: String,
    /// The grant read, to answer: its row, its card and the ticket.
    seen: Option<(GrantRow, String, String)>,
    /// The grant just answered, and whether it was accepted.
    answered: Option<(GrantRow, bool)>,
}

fn render(
    tr: Tr,
    csrf: String,
    error: String,
    message: &str,
    seen: Option<(GrantRow, String, String)>,
    answered: Option<(GrantRow, bool)>,
) -> Response {
    let status = if error.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::CONFLICT
    };
    let p = ProxyPage {
        tr,
        langs: switch(tr, |c| format!("/proxy?lang={c}")),
        back_href: href("/", tr.lang),
        who: None,
        csrf,
        error,
        message: crate::notices::message_html(tr, Some(message).filter(|m| !m.is_empty())),
        seen,
        answered,
    };
    page(p.render(), tr.lang, status)
}

pub async fn proxy_page(headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    let tr = tr_of(&q, &headers);
    let (csrf, set) = pre_token(&headers);
    with_cookies(
        render(tr, csrf, String::new(), "", None, None),
        &set.into_iter().collect::<Vec<_>>(),
    )
}

/// `read`: the grant the national ID and code name; `answer`: `accept` or `decline` it with the
/// ticket.
pub async fn proxy_step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    crate::extract::page::Form(f): crate::extract::page::Form<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let csrf = field(&f, "csrf").to_string();
    if !pre_ok(&headers, &csrf) {
        return Err(csrf_page(&s, tr));
    }
    let refused =
        |e: tamwin_app::AppError| error_html(tr, Some(&crate::notices::refusal_codes(&e)));
    // Giving a grant up: a code to the proxy's phone (the same answer whether or not a grant names
    // them), then the family's card number with it.
    if field(&f, "step") == "code" {
        return Ok(match s.reg.proxy_code(field(&f, "national_id")).await {
            Ok(()) => render(tr, csrf, String::new(), "msg_proxy_code_sent", None, None),
            Err(e) => render(tr, csrf, refused(e), "", None, None),
        });
    }
    if field(&f, "step") == "give_up" {
        let done = s
            .reg
            .give_up_for_card(
                field(&f, "national_id"),
                field(&f, "card"),
                field(&f, "code"),
            )
            .await;
        return Ok(match done {
            Ok(_) => render(tr, csrf, String::new(), "msg_proxy_gave_up", None, None),
            Err(e) => render(tr, csrf, refused(e), "", None, None),
        });
    }
    if field(&f, "step") == "answer" {
        let accept = field(&f, "answer") == "accept";
        let done = s
            .reg
            .answer_with_ticket(field(&f, "grant_id"), field(&f, "ticket"), accept)
            .await;
        return Ok(match done {
            Ok(g) => {
                let row = grant_row(tr, &g);
                render(tr, csrf, String::new(), "", None, Some((row, accept)))
            }
            Err(e) => render(tr, csrf, refused(e), "", None, None),
        });
    }
    let read = s
        .reg
        .proxy_reads_grant(field(&f, "national_id"), field(&f, "code"))
        .await;
    Ok(match read {
        Ok((g, ticket)) => {
            let card = crate::display::card(&g.card_number);
            let row = grant_row(tr, &g);
            render(tr, csrf, String::new(), "", Some((row, card, ticket)), None)
        }
        Err(e) => render(tr, csrf, refused(e), "", None, None),
    })
}
