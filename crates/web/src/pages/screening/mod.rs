//! Pages of screening (issue 6): the auditors' workspace (runs with their progress, the queue of
//! findings, a finding with both records side by side, the explanation field by field, the decision,
//! the appeals) and the citizen's page of findings on their card, where they appeal with a document.

use crate::AppState;
use crate::auth;
use crate::display::local_time_str;
use crate::extract::page::{Form, Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::pages::appointments::{Pairs, field, page_query, tr_of, url_part, with_lang};
use crate::render::{LangLink, Who, error_page, href, page, switch};
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
    crate::render::staff_holding(s, headers, tr, Permission::Screen, form).await
}

fn kind_label(tr: Tr, kind: &str) -> &'static str {
    tr.t(&format!("kind_{kind}"))
}

mod citizen;
mod finding;
mod queue;
pub use citizen::*;
pub use finding::*;
pub use queue::*;
