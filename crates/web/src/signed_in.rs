//! Who a page is for, as handler arguments: `Staff<P>` (a signed-in member of staff holding the
//! permission `P` names), `Citizen` (a signed-in head of household), `Session` (anyone signed in), and
//! `CsrfForm<T>` (a posted form, decoded, whose CSRF token is the session's). They check who is calling
//! and in which role; whether a record is in the caller's area stays with each use case in `app`.
//! Refusals follow the pages' rules: not signed in, to the sign-in page; the wrong role, the 403 page
//! (or, where a caller may have a bookmark, their own landing page); a bad token, the form page's
//! refusal.

use crate::AppState;
use crate::auth;
use crate::extract::page::{read_form, reader};
use crate::page_error::{PageError, SignedSlot};
use crate::render::{href, message_page};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::StatusCode;
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use std::marker::PhantomData;
use tamwin_app::{AppError, SignedIn};
use tamwin_domain::HouseholdId;
use tamwin_domain::access::Permission;

/// What a staff page asks of its caller.
pub trait PermissionMarker: Send + Sync + 'static {
    /// The permission needed; `None`: any member of staff.
    const PERMISSION: Option<Permission>;
    /// A signed-in citizen is sent to their own page rather than refused (pages they may have
    /// bookmarked: the search and the landing pages).
    const CITIZEN_HOME: bool = false;
}

macro_rules! markers {
    ($($(#[$doc:meta])* $name:ident = $perm:expr, $home:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;
        impl PermissionMarker for $name {
            const PERMISSION: Option<Permission> = $perm;
            const CITIZEN_HOME: bool = $home;
        }
    )*};
}

markers! {
    /// Any member of staff (their own account's pages); a citizen is refused.
    AnyStaff = None, false;
    /// Any member of staff (the landing pages); a citizen goes to their own page.
    StaffHome = None, true;
    /// The household search: personal data; a citizen goes to their own page.
    Search = Some(Permission::ReadPersonal), true;
    /// The statistics page; a citizen goes to their own page.
    Statistics = Some(Permission::ReadAggregates), true;
    ReadPersonal = Some(Permission::ReadPersonal), false;
    VerifyInPerson = Some(Permission::VerifyInPerson), false;
    Screen = Some(Permission::Screen), false;
    ViewJobs = Some(Permission::ViewJobs), false;
    RunJobs = Some(Permission::RunJobs), false;
    ManageAccess = Some(Permission::ManageAccess), false;
    /// The cycles pages: totals, no names.
    Cycles = Some(Permission::ReadAggregates), false;
    ManageCycles = Some(Permission::ManageCycles), false;
    /// Complaints and outlets of the governorate.
    ManageOutlets = Some(Permission::ManageOutlets), false;
    /// The outlet's page: an outlet operator's account (its outlet checked by each use case).
    Redeem = Some(Permission::Redeem), false;
}

/// The session behind the request, kept for the error page's header.
async fn signed(parts: &Parts, s: &AppState) -> Result<Option<SignedIn>, PageError> {
    let signed = auth::session(s, &parts.headers).await?;
    if let (Some(x), Some(slot)) = (&signed, parts.extensions.get::<SignedSlot>()) {
        slot.put(x);
    }
    Ok(signed)
}

fn lang(parts: &Parts) -> crate::i18n::Lang {
    reader(parts.uri.query(), &parts.headers).lang
}

/// A signed-in member of staff holding `P`'s permission.
pub struct Staff<P: PermissionMarker>(pub SignedIn, pub PhantomData<P>);

impl<P: PermissionMarker> FromRequestParts<AppState> for Staff<P> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, PageError> {
        match signed(parts, s).await? {
            None => Err(PageError::redirect(&href("/sign-in", lang(parts)))),
            Some(x) if x.actor.is_citizen() && P::CITIZEN_HOME => {
                Err(PageError::redirect(&href("/citizen", lang(parts))))
            }
            Some(x) if x.actor.is_citizen() || !P::PERMISSION.is_none_or(|p| x.actor.may(p)) => {
                Err(AppError::Forbidden.into())
            }
            Some(x) => Ok(Staff(x, PhantomData)),
        }
    }
}

/// A signed-in citizen (the head of a household) and their household. Staff are refused or, with
/// `STAFF_HOME`, sent to the search.
pub struct Citizen<const STAFF_HOME: bool = false> {
    pub signed: SignedIn,
    pub household: HouseholdId,
}

impl<const STAFF_HOME: bool> FromRequestParts<AppState> for Citizen<STAFF_HOME> {
    type Rejection = PageError;

    async fn from_request_parts(parts: &mut Parts, s: &AppState) -> Result<Self, PageError> {
        match signed(parts, s).await? {
            None => Err(PageError::redirect(&href("/citizen/sign-in", lang(parts)))),
            Some(x) if !x.actor.is_citizen() && STAFF_HOME => {
                Err(PageError::redirect(&href("/", lang(parts))))
            }
            Some(x) => {
                let household = tamwin_app::Registry::own_household_id(&x.actor)?.clone();
                Ok(Citizen {
                    signed: x,
                    household,
                })
            }
        }
    }
}

/// A posted form (as `extract::page::Form` decodes it) whose `csrf` field is the session's token, with
/// the session. The form is read first: one that does not decode, or carries no token, is refused
/// before anything else is asked. Signed-in checks of a role run before it (`Staff`, `Citizen`).
pub struct CsrfForm<T> {
    pub form: T,
    pub signed: SignedIn,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = PageError;

    async fn from_request(req: Request, s: &AppState) -> Result<Self, PageError> {
        let (parts, body) = req.into_parts();
        let tr = reader(parts.uri.query(), &parts.headers);
        let known = parts
            .extensions
            .get::<SignedSlot>()
            .and_then(SignedSlot::get);
        let (form, bytes) = read_form::<T>(Request::from_parts(parts.clone(), body), s).await?;
        let signed = match known {
            Some(x) => x,
            None => match signed(&parts, s).await? {
                Some(x) => x,
                None => return Err(PageError::redirect(&href("/sign-in", tr.lang))),
            },
        };
        let sent = form_urlencoded::parse(&bytes)
            .find(|(k, _)| k == "csrf")
            .map(|(_, v)| v.into_owned())
            .unwrap_or_default();
        if !tamwin_app::secret::same(&sent, &signed.csrf) {
            return Err(PageError::Answer(message_page(
                s,
                Some(&signed),
                tr,
                tr.t("csrf_title").to_string(),
                tr.t("csrf_text").to_string(),
                StatusCode::FORBIDDEN,
            )));
        }
        Ok(CsrfForm { form, signed })
    }
}
