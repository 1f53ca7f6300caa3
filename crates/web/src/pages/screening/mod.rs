//! Pages of screening (issue 6): the auditors' workspace (runs with their progress, the queue of
//! findings, a finding with both records side by side, the explanation field by field, the decision,
//! the appeals) and the citizen's page of findings on their card, where they appeal with a document.

use crate::AppState;
use crate::display::local_time_str;
use crate::extract::page::{Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::page_error::PageError;
use crate::pages::appointments::{Pairs, field, page_query, tr_of, with_lang};
use crate::render::{LangLink, Who, href, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::AppError;
use tamwin_app::screening::{FindingDetailView, FindingView, QueueQuery, RunView, SideView};
use tamwin_domain::screening::{AppealStatus, FindingKind, FindingStatus, ScreenDecision};

fn kind_label(tr: Tr, kind: FindingKind) -> &'static str {
    tr.t(&format!("kind_{kind}"))
}

mod citizen;
mod disputed;
mod finding;
mod queue;
pub use citizen::*;
pub use disputed::*;
pub use finding::*;
pub use queue::*;
