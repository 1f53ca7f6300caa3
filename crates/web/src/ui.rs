//! Server-rendered pages: Arabic and right to left by default, Kurdish (Sorani, right to left) by
//! `?lang=ckb`, English by `?lang=en`.

use crate::AppState;
use crate::extract::page::{Path, Query};
use crate::i18n::{Lang, Tr};
use crate::notices::{error_html, refusal_codes};
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use tamwin_app::{AppError, HouseholdView, SignedIn};
use tamwin_domain::access::{Area, Permission};
use tamwin_domain::{CardNumber, NationalId};

#[derive(Debug, Deserialize, Default)]
pub struct PageQuery {
    q: Option<String>,
    birth_year: Option<String>,
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
        }
    }
}

pub fn area_label(s: &AppState, area: &Area, tr: Tr) -> String {
    let geo = &s.reg.geo;
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

/// What a page needs of the session: a staff member who may read personal data. Anyone else is sent
/// to the sign-in page (or, for a citizen, to their own page), or told their role does not allow it.
pub async fn staff_reader(s: &AppState, headers: &HeaderMap, tr: Tr) -> Result<SignedIn, Response> {
    let signed = match crate::auth::session(s, headers).await {
        Ok(x) => x,
        Err(e) => return Err(error_page(s, None, tr, e)),
    };
    match signed {
        None => Err(Redirect::to(&href("/sign-in", tr.lang)).into_response()),
        Some(x) if x.actor.is_citizen() => {
            Err(Redirect::to(&href("/citizen", tr.lang)).into_response())
        }
        Some(x) if !x.actor.may(Permission::ReadPersonal) => {
            Err(error_page(s, Some(&x), tr, AppError::Forbidden))
        }
        Some(x) => Ok(x),
    }
}

/// A signed-in member of staff holding `p`; for a form, with its CSRF token checked. Anyone else is
/// sent to the sign-in page or refused.
pub async fn staff_holding(
    s: &AppState,
    headers: &HeaderMap,
    tr: Tr,
    p: Permission,
    form: Option<&crate::pages_appointments::Pairs>,
) -> Result<SignedIn, Response> {
    match crate::auth::session(s, headers).await {
        Ok(Some(x)) if !x.actor.is_citizen() && x.actor.may(p) => {
            if let Some(f) = form
                && !tamwin_app::secret::same(crate::pages_appointments::field(f, "csrf"), &x.csrf)
            {
                return Err(error_page(s, Some(&x), tr, AppError::Forbidden));
            }
            Ok(x)
        }
        Ok(Some(x)) => Err(error_page(s, Some(&x), tr, AppError::Forbidden)),
        Ok(None) => Err(Redirect::to(&href("/sign-in", tr.lang)).into_response()),
        Err(e) => Err(error_page(s, None, tr, e)),
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
pub fn error_page(s: &AppState, signed: Option<&SignedIn>, tr: Tr, e: AppError) -> Response {
    let status = crate::errors::status(&e);
    if status.is_server_error() {
        tracing::error!("page: {e}");
    }
    let title = if status == StatusCode::NOT_FOUND {
        tr.t("not_found_title").to_string()
    } else {
        crate::errors::text(tr, &e)
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
    let home = signed.map_or("/", |x| crate::pages_landing::landing(&x.actor));
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

#[derive(Template)]
#[template(path = "lookup.html")]
struct LookupPage {
    who: Option<Who>,
    tr: Tr,
    q: String,
    birth_year: String,
    error: Option<String>,
    results: Option<Vec<ResultRow>>,
    langs: Vec<LangLink>,
    back_href: String,
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

pub async fn lookup(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
) -> Response {
    let lang = lang_of(&q, &headers);
    let tr = Tr { lang };
    let signed = match staff_reader(&s, &headers, tr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let actor = &signed.actor;
    let text = q.q.clone().unwrap_or_default();
    let birth_year = q.birth_year.clone().unwrap_or_default();
    let mut error = None;
    let mut results = None;
    let compact: String = tamwin_text_ar::fold_digits(text.trim())
        .chars()
        .filter(|c| *c != '-' && *c != ' ')
        .collect();
    if !compact.is_empty() && compact.bytes().all(|b| b.is_ascii_digit()) {
        // A number: a card number (11 digits) or a national ID (12).
        // Refusals in the catalog's words, whose examples are isolated left to right.
        let found = if compact.len() == 11 {
            CardNumber::parse(&compact)
                .map(Some)
                .map_err(|e| error_html(tr, Some(e.code)))
        } else {
            match NationalId::parse(&compact) {
                Ok(id) => match s.reg.household_by_national_id(&id, actor).await {
                    Ok(v) => Ok(v.map(|v| v.household.card_number)),
                    Err(e) => Err(error_html(tr, Some(&refusal_codes(&e)))),
                },
                Err(e) => Err(error_html(tr, Some(e.code))),
            }
        };
        match found {
            Ok(Some(card)) => {
                return Redirect::to(&href(&format!("/households/{}", card.as_str()), lang))
                    .into_response();
            }
            Ok(None) => results = Some(vec![]),
            Err(m) => error = Some(m),
        }
    } else if !text.trim().is_empty() {
        let year = tamwin_text_ar::fold_digits(birth_year.trim());
        let year = if year.is_empty() {
            Ok(None)
        } else {
            year.parse::<i16>().map(Some)
        };
        match year {
            Err(_) => error = Some(tr.t("lookup_birth_year").to_string()),
            Ok(year) => match s.reg.search_by_name(&text, year, 50, actor).await {
                Ok(hits) => {
                    results = Some(
                        hits.into_iter()
                            .map(|h| ResultRow {
                                href: href(
                                    &format!("/households/{}", h.card_number.as_str()),
                                    lang,
                                ),
                                card: h.card_number.display(),
                                name: h.full_name,
                                birth_date: h.birth_date,
                                state_label: tr.state(h.state),
                                state: h.state.code(),
                            })
                            .collect(),
                    )
                }
                Err(e) => error = Some(error_html(tr, Some(&refusal_codes(&e)))),
            },
        }
    }
    let langs = switch(tr, |code| {
        format!(
            "/?lang={code}&q={}&birth_year={}",
            url_encode(&text),
            url_encode(&birth_year)
        )
    });
    page(
        LookupPage {
            who: Some(Who::of(&s, &signed, tr)),
            tr,
            q: text,
            birth_year,
            error,
            results,
            langs,
            back_href: href("/", lang),
        }
        .render(),
        lang,
        StatusCode::OK,
    )
}

pub(crate) fn url_encode(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

pub struct MemberRow {
    pub name: String,
    pub national_id: Option<String>,
    pub birth_date: String,
    pub relation: &'static str,
    pub mother: String,
    pub entitled: bool,
    pub removed: bool,
    pub vulnerable: bool,
}

pub struct HoldRow {
    pub reason: &'static str,
    pub on: String,
    pub since: String,
    pub evidence: String,
    pub source: String,
    pub cure: &'static str,
    pub active: bool,
    pub lifted: String,
}

#[derive(Template)]
#[template(path = "household.html")]
struct HouseholdPage {
    who: Option<Who>,
    tr: Tr,
    h: HouseholdBody,
    langs: Vec<LangLink>,
    back_href: String,
}

/// What the household page and the citizen's page show of a household.
pub struct HouseholdBody {
    pub card: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub governorate: String,
    pub district: String,
    pub address: String,
    pub agent: String,
    pub members: Vec<MemberRow>,
    pub holds: Vec<HoldRow>,
    pub card_raw: String,
}

pub fn household_page(s: &AppState, v: &HouseholdView, tr: Tr) -> HouseholdBody {
    let h = &v.household;
    let gov = s.reg.geo.governorate(&h.governorate);
    let dist = s.reg.geo.district(&h.district);
    let name_of = |id: &str| {
        v.members
            .iter()
            .find(|m| m.member.member_id == id)
            .map(|m| m.member.full_name())
    };
    HouseholdBody {
        card_raw: h.card_number.as_str().to_string(),
        card: v.card_number_display.clone(),
        state: h.state.code(),
        state_label: tr.state(h.state),
        governorate: gov
            .map(|g| tr.pick(&g.name_ar, &g.name_en).to_string())
            .unwrap_or_else(|| h.governorate.clone()),
        district: dist
            .map(|d| tr.pick(&d.name_ar, &d.name_en).to_string())
            .unwrap_or_else(|| h.district.clone()),
        address: h.address.clone(),
        agent: h.agent_code.clone().unwrap_or_default(),
        members: v
            .members
            .iter()
            .map(|m| {
                let d = &m.member;
                MemberRow {
                    name: d.full_name(),
                    national_id: d.national_id.as_ref().map(|n| n.to_string()),
                    birth_date: d.birth_date.to_string(),
                    relation: tr.relation(d.relation),
                    mother: d.mother_name.clone(),
                    entitled: m.entitled,
                    removed: d.presence == tamwin_domain::Presence::Removed,
                    vulnerable: d.vulnerability.elderly
                        || d.vulnerability.sick
                        || d.vulnerability.disabled,
                }
            })
            .collect(),
        holds: v
            .holds
            .iter()
            .map(|x| HoldRow {
                reason: tr.reason(x.hold.reason),
                on: x
                    .hold
                    .member_id
                    .as_deref()
                    .and_then(name_of)
                    .unwrap_or_else(|| tr.t("hold_household").to_string()),
                since: crate::display::local_date(x.hold.since),
                evidence: crate::evidence_text::evidence(tr, &x.hold.evidence),
                source: tr
                    .get(&format!("source_{}", x.hold.source))
                    .map_or_else(|| x.hold.source.clone(), str::to_string),
                cure: tr.cure(x.hold.reason),
                active: x.active,
                lifted: x
                    .hold
                    .lifted_at
                    .map(crate::display::local_date)
                    .unwrap_or_default(),
            })
            .collect(),
    }
}

pub async fn household(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(card): Path<String>,
    Query(q): Query<PageQuery>,
) -> Response {
    let lang = lang_of(&q, &headers);
    let tr = Tr { lang };
    let signed = match staff_reader(&s, &headers, tr).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Ok(card) = CardNumber::parse(&card) else {
        return error_page(&s, Some(&signed), tr, AppError::NotFound);
    };
    match s.reg.household(&card, &signed.actor).await {
        Ok(v) => {
            let h = household_page(&s, &v, tr);
            let p = HouseholdPage {
                who: Some(Who::of(&s, &signed, tr)),
                tr,
                langs: switch(tr, |code| format!("/households/{}?lang={code}", h.card_raw)),
                back_href: href("/", tr.lang),
                h,
            };
            page(p.render(), lang, StatusCode::OK)
        }
        Err(e) => error_page(&s, Some(&signed), tr, e),
    }
}

#[derive(Template)]
#[template(path = "not_found.html")]
struct NotFoundPage {
    who: Option<Who>,
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
}

fn not_found_page(tr: Tr) -> Response {
    let p = NotFoundPage {
        who: None,
        tr,
        langs: switch(tr, |code| format!("/?lang={code}")),
        back_href: href("/", tr.lang),
    };
    page(p.render(), tr.lang, StatusCode::NOT_FOUND)
}

pub async fn not_found(
    headers: HeaderMap,
    uri: axum::http::Uri,
    q: Result<Query<PageQuery>, crate::extract::page::Refused>,
) -> Response {
    if uri.path().starts_with("/api/") {
        return crate::problem::Problem::new(404, "route_not_found").into_response();
    }
    let q = q.map(|Query(q)| q).unwrap_or_default();
    not_found_page(Tr {
        lang: lang_of(&q, &headers),
    })
}

pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/app.css"),
    )
}

/// The pages' shared script for handing in a document.
pub async fn documents_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/documents.js"),
    )
}

/// The pages' behaviour (print buttons, the centre's camera, documents handed in): no page has inline
/// script, the CSP forbids it.
pub async fn pages_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/pages.js"),
    )
}

/// The installed app's icons (a seal on the programme's green), built into the binary.
pub async fn icon_192() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../assets/icon-192.png").as_slice(),
    )
}

pub async fn icon_512() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "image/png"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        include_bytes!("../assets/icon-512.png").as_slice(),
    )
}

pub async fn manifest() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "application/manifest+json"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/manifest.webmanifest"),
    )
}

/// A kept document sent back as a download named `stem` with the extension of its type (never the
/// name it came with: that is the sender's text). The type is the one its bytes show, never the one it
/// was declared with; anything unrecognised goes as opaque bytes, and the browser is told not to guess.
pub fn attachment(stem: &str, d: tamwin_app::documents::Document) -> Response {
    let (content_type, ext) = match tamwin_app::documents::sniff(&d.bytes) {
        Some("application/pdf") => ("application/pdf", "pdf"),
        Some("image/png") => ("image/png", "png"),
        Some(_) => ("image/jpeg", "jpg"),
        None => ("application/octet-stream", "bin"),
    };
    // The stem is made by the caller from ids; only safe characters reach the header all the same.
    let stem: String = stem
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .collect();
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{ext}\""),
            ),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff".to_string()),
        ],
        d.bytes,
    )
        .into_response()
}

#[cfg(test)]
mod attachment_tests {
    #![allow(clippy::unwrap_used)]
    use super::attachment;
    use tamwin_app::documents::Document;

    fn served(stem: &str, content_type: &str, bytes: &[u8]) -> (String, String) {
        let r = attachment(
            stem,
            Document {
                name: "whatever the sender said".into(),
                content_type: content_type.into(),
                bytes: bytes.to_vec(),
            },
        );
        let h = |k: axum::http::header::HeaderName| {
            r.headers().get(k).unwrap().to_str().unwrap().to_string()
        };
        assert_eq!(h(axum::http::header::X_CONTENT_TYPE_OPTIONS), "nosniff");
        (
            h(axum::http::header::CONTENT_TYPE),
            h(axum::http::header::CONTENT_DISPOSITION),
        )
    }

    #[test]
    fn documents_go_back_with_the_type_their_bytes_show() {
        let (t, d) = served("appeal-1", "application/pdf", b"%PDF-1.4 x");
        assert_eq!(t, "application/pdf");
        assert_eq!(d, "attachment; filename=\"appeal-1.pdf\"");
        let png = [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, 0];
        assert_eq!(served("e-2", "image/jpeg", &png).0, "image/png");
        // A script kept before the check, declared an image: opaque bytes, never HTML.
        let (t, d) = served("e-3", "image/png", b"<html><script>alert(1)</script>");
        assert_eq!(t, "application/octet-stream");
        assert_eq!(d, "attachment; filename=\"e-3.bin\"");
        // Only safe characters reach the header.
        let (_, d) = served("a\r\nX: 1\"/..", "application/pdf", b"%PDF-1.4");
        assert_eq!(d, "attachment; filename=\"aX1.pdf\"");
    }
}
