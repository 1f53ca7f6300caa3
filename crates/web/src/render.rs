//! Server-rendered pages: Arabic and right to left by default, Kurdish (Sorani, right to left) by
//! `?lang=ckb`, English by `?lang=en`.

use crate::AppState;
use crate::i18n::{Lang, Tr};
use askama::Template;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;
use tamwin_app::{AppError, SignedIn};
use tamwin_domain::access::{Area, Permission};

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    pub(crate) q: Option<String>,
    pub(crate) birth_year: Option<String>,
    pub lang: Option<String>,
}

/// The language: `?lang=` first, then the `lang` cookie, then Arabic.
pub fn lang_of(q: &PageQuery, headers: &HeaderMap) -> Lang {
    lang_from(q.lang.as_deref(), headers)
}

/// The same, from the `lang` parameter alone (extractors refusing a query that does not decode).
pub fn lang_from(lang: Option<&str>, headers: &HeaderMap) -> Lang {
    if let Some(l) = lang.and_then(Lang::parse) {
        return l;
    }
    headers
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .and_then(|c| c.split(';').find_map(|p| p.trim().strip_prefix("lang=")))
        .and_then(Lang::parse)
        .unwrap_or(Lang::PRIMARY)
}

fn lang_cookie(lang: Lang) -> String {
    format!(
        "lang={}; Path=/; Max-Age=31536000; SameSite=Lax",
        lang.code()
    )
}

pub fn page(html: Result<String, askama::Error>, lang: Lang, status: StatusCode) -> Response {
    match html {
        Ok(body) => (
            status,
            [(header::SET_COOKIE, lang_cookie(lang))],
            Html(body),
        )
            .into_response(),
        Err(e) => {
            tracing::error!("template: {e}");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

/// Middleware: a language asked for with `?lang=` is remembered even when the answer is a redirect
/// (which names no language when it is Arabic, and would otherwise fall back to an older cookie).
pub async fn remember_lang(req: axum::extract::Request, next: axum::middleware::Next) -> Response {
    let asked = req.uri().query().and_then(|q| {
        q.split('&')
            .find_map(|p| p.strip_prefix("lang="))
            .and_then(Lang::parse)
    });
    let mut r = next.run(req).await;
    if let Some(lang) = asked
        && r.status().is_redirection()
        && !r
            .headers()
            .get_all(header::SET_COOKIE)
            .iter()
            .any(|c| c.as_bytes().starts_with(b"lang="))
        && let Ok(v) = header::HeaderValue::from_str(&lang_cookie(lang))
    {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

pub struct ResultRow {
    pub href: String,
    pub card: String,
    pub name: String,
    pub birth_date: String,
    pub state_label: &'static str,
    pub state: &'static str,
}

/// Who is signed in, shown in the header of every page, with the sign-out form's CSRF token.
pub struct Who {
    pub name: String,
    pub role: String,
    pub area: String,
    pub csrf: String,
    pub staff: bool,
    pub admin: bool,
    /// Works appointments at update centres (or in the field).
    pub officer: bool,
    /// Runs screening and decides its findings and appeals.
    pub auditor: bool,
    /// Reads (and, lifting holds, grants) exemptions from the abroad rule.
    pub exemptions: bool,
    /// Reads the statistics (counts, no names).
    pub stats: bool,
    /// Sees the background jobs.
    pub jobs: bool,
    /// Sees the monthly cycles (and, a supervisor, drafts and approves them).
    pub cycles: bool,
    /// Hands out at an outlet.
    pub outlet: bool,
    /// Manages the governorate's outlets and their complaints.
    pub complaints: bool,
}

impl Who {
    pub fn of(s: &AppState, signed: &SignedIn, tr: Tr) -> Who {
        let a = &signed.actor;
        let (role, area) = match a.role {
            Some(r) => (tr.role(r).to_string(), area_label(s, &a.area, tr)),
            None => (tr.t("role_citizen").to_string(), String::new()),
        };
        Who {
            // A citizen is known by the number they signed in with, written the usual way.
            name: match a.is_citizen() {
                true => tamwin_domain::Phone::parse(&a.name)
                    .map(|p| p.display())
                    .unwrap_or_else(|_| a.name.clone()),
                false => a.name.clone(),
            },
            role,
            area,
            csrf: signed.csrf.clone(),
            staff: !a.is_citizen(),
            admin: a.may(Permission::ManageAccess),
            officer: !a.is_citizen() && a.may(Permission::VerifyInPerson),
            auditor: !a.is_citizen() && a.may(Permission::Screen),
            exemptions: !a.is_citizen()
                && (a.may(Permission::LiftHold) || a.may(Permission::Screen)),
            stats: !a.is_citizen() && a.may(Permission::ReadAggregates),
            jobs: !a.is_citizen() && a.may(Permission::ViewJobs),
            cycles: !a.is_citizen() && a.may(Permission::ReadAggregates),
            outlet: a.outlet.is_some(),
            complaints: !a.is_citizen() && a.may(Permission::ManageOutlets),
        }
    }
}

pub fn area_label(s: &AppState, area: &Area, tr: Tr) -> String {
    let geo = s.reg.geo();
    let named = match area {
        Area::Nation => None,
        Area::Governorate(g) => geo.governorate(g).map(|x| (&x.name_ar, &x.name_en)),
        Area::District(d) => geo.district(d).map(|x| (&x.name_ar, &x.name_en)),
        Area::Centre { code, .. } => geo
            .centres
            .iter()
            .find(|c| &c.code == code)
            .map(|x| (&x.name_ar, &x.name_en)),
    };
    match named {
        Some((ar, en)) => tr.pick(ar, en).to_string(),
        None => tr.t("area_nation").to_string(),
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    tr: Tr,
    title: String,
    text: String,
    langs: Vec<LangLink>,
    back_href: String,
    /// The back link's text: to the search, or to the caller's own landing page.
    back_text: &'static str,
    who: Option<Who>,
}

/// A page for an error: its status, and its message in the page's language.
pub fn error_page(s: &AppState, signed: Option<&SignedIn>, tr: Tr, e: &AppError) -> Response {
    let status = crate::errors::status(e);
    if status.is_server_error() {
        tracing::error!("page: {e}");
    }
    let title = if status == StatusCode::NOT_FOUND {
        tr.t("not_found_title").to_string()
    } else {
        crate::errors::text(tr, e)
    };
    let text = if status == StatusCode::NOT_FOUND {
        tr.t("not_found_text").to_string()
    } else {
        String::new()
    };
    message_page(s, signed, tr, title, text, status)
}

pub fn message_page(
    s: &AppState,
    signed: Option<&SignedIn>,
    tr: Tr,
    title: String,
    text: String,
    status: StatusCode,
) -> Response {
    // Back to where the caller may be: never to "/" for a role that may not see it (it would be the
    // refusal again).
    let home = signed.map_or("/", |x| crate::pages::landing::landing(&x.actor));
    let p = MessagePage {
        tr,
        title,
        text,
        langs: switch(tr, |code| format!("{home}?lang={code}")),
        back_href: href(home, tr.lang),
        back_text: tr.t(if home == "/" { "back" } else { "back_home" }),
        who: signed.map(|x| Who::of(s, x, tr)),
    };
    page(p.render(), tr.lang, status)
}

/// One language of the switch on every page (العربية / کوردی / English): a link to the page in that
/// language, or the page's own language, marked; `to(code)` builds the address for one language.
pub struct LangLink {
    pub code: &'static str,
    pub name: &'static str,
    pub href: String,
    pub current: bool,
}

pub fn switch(tr: Tr, to: impl Fn(&str) -> String) -> Vec<LangLink> {
    Lang::all()
        .map(|l| LangLink {
            code: l.code(),
            name: l.native_name(),
            href: to(l.code()),
            current: l == tr.lang,
        })
        .collect()
}

pub fn href(path: &str, lang: Lang) -> String {
    if lang == Lang::PRIMARY {
        path.to_string()
    } else {
        format!("{path}?lang={}", lang.code())
    }
}
