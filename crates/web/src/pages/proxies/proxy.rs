//! The proxy's own page: no account — the national ID and the code the civil registry sent to their
//! phone accept or decline the grant naming them; the answer shows the grant. Its form carries the
//! pre-session CSRF token as the sign-in forms do.

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
    /// The grant just answered, and whether it was accepted.
    answered: Option<(GrantRow, bool)>,
}

fn render(tr: Tr, csrf: String, error: String, answered: Option<(GrantRow, bool)>) -> Response {
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
        answered,
    };
    page(p.render(), tr.lang, status)
}

pub async fn proxy_page(headers: HeaderMap, Query(q): Query<PageQuery>) -> Response {
    let tr = tr_of(&q, &headers);
    let (csrf, set) = pre_token(&headers);
    with_cookies(
        render(tr, csrf, String::new(), None),
        &set.into_iter().collect::<Vec<_>>(),
    )
}

/// The proxy's answer: `accept` or `decline`, with their national ID and code.
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
    let accept = field(&f, "answer") == "accept";
    match s
        .reg
        .answer_grant(field(&f, "national_id"), field(&f, "code"), accept)
        .await
    {
        Ok(g) => Ok(render(
            tr,
            csrf,
            String::new(),
            Some((grant_row(tr, &g), accept)),
        )),
        Err(e) => {
            let err = error_html(tr, Some(&crate::notices::refusal_codes(&e)));
            Ok(render(tr, csrf, err, None))
        }
    }
}
