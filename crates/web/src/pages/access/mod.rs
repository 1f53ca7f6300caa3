//! Pages of access: staff sign-in and sign-out, password change, the users' administration page, the
//! citizen's sign-in by one-time code and their own page, and the demo's stand-in for a phone.
//! Every form posts a CSRF token: the session's, or before sign-in the `tamwin_pre` cookie's value.

use crate::AppState;
use crate::auth::{self, PRE_COOKIE};
use crate::display::local_time_str;
use crate::extract::page::{Form, Path, Query};
use crate::i18n::Tr;
use crate::page_error::PageError;
use crate::pages::households::{HouseholdBody, household_page};
use crate::render::{
    LangLink, PageQuery, Who, area_label, href, lang_of, message_page, page, switch,
};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use tamwin_app::secret::{random_hex, same};
use tamwin_app::{AppError, DataUse, SignedIn};
use tamwin_domain::access::{Area, Role};

fn tr_of(q: &PageQuery, h: &HeaderMap) -> Tr {
    Tr {
        lang: lang_of(q, h),
    }
}

/// A refusal for too many attempts says when to come back (`Retry-After`, seconds).
fn with_retry_after(mut r: Response, e: &AppError) -> Response {
    if let AppError::TooManyAttempts(secs) = e
        && let Ok(v) = HeaderValue::from_str(&secs.to_string())
    {
        r.headers_mut().insert(header::RETRY_AFTER, v);
    }
    r
}

pub(crate) fn with_cookies(mut r: Response, cookies: &[String]) -> Response {
    for c in cookies {
        if let Ok(v) = HeaderValue::from_str(c) {
            r.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    r
}

/// The pre-session CSRF value: the cookie's if the browser has one, else a new one to set.
pub(crate) fn pre_token(h: &HeaderMap) -> (String, Option<String>) {
    match auth::cookie(h, PRE_COOKIE) {
        Some(v) => (v.to_string(), None),
        None => {
            let v = random_hex(16).unwrap_or_default();
            (v.clone(), Some(auth::pre_cookie(&v)))
        }
    }
}

pub(crate) fn pre_ok(h: &HeaderMap, sent: &str) -> bool {
    auth::cookie(h, PRE_COOKIE).is_some_and(|c| same(c, sent))
}

/// A sign-in form whose token is not the `tamwin_pre` cookie's.
pub(crate) fn csrf_page(s: &AppState, tr: Tr) -> PageError {
    PageError::Answer(message_page(
        s,
        None,
        tr,
        tr.t("csrf_title").to_string(),
        tr.t("csrf_text").to_string(),
        StatusCode::FORBIDDEN,
    ))
}

/// The form of a button (sign-out, a decision): its CSRF token and nothing else.
#[derive(Deserialize)]
pub struct TokenOnly {
    #[serde(rename = "csrf")]
    _csrf: String,
}

mod citizen;
mod outbox;
mod sign_in;
mod users;
pub use citizen::*;
pub use outbox::*;
pub use sign_in::*;
pub use users::*;
