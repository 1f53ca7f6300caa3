//! The staff's household search and a household's page.

use crate::AppState;
use crate::extract::page::{Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, refusal_codes};
use crate::page_error::PageError;
use crate::render::*;
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::{AppError, HouseholdView};
use tamwin_domain::{CardNumber, NationalId};

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

pub async fn lookup(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<Search>,
) -> Result<Response, PageError> {
    let lang = lang_of(&q, &headers);
    let tr = Tr { lang };
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
                return Ok(
                    Redirect::to(&href(&format!("/households/{}", card.as_str()), lang))
                        .into_response(),
                );
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
            crate::url::encode(&text),
            crate::url::encode(&birth_year)
        )
    });
    Ok(page(
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
    ))
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
    baskets: Vec<crate::pages::cycles::BasketCard>,
    /// The household's powers of attorney, for staff who read personal data.
    grants: Vec<crate::pages::proxies::GrantRow>,
    /// The form's CSRF token when the viewer manages cycles (adjustments), else empty.
    adjust_csrf: String,
    message: String,
    error: String,
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
    let gov = s.reg.geo().governorate(&h.governorate);
    let dist = s.reg.geo().district(&h.district);
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

#[derive(serde::Deserialize)]
pub struct HouseholdQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

pub async fn household(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(card): Path<String>,
    Query(hq): Query<HouseholdQuery>,
    Staff(signed, _): Staff<Search>,
) -> Result<Response, PageError> {
    let q = PageQuery {
        lang: hq.lang.clone(),
        ..Default::default()
    };
    let lang = lang_of(&q, &headers);
    let tr = Tr { lang };
    let card = CardNumber::parse(&card).map_err(|_| AppError::NotFound)?;
    let v = s.reg.household(&card, &signed.actor).await?;
    let h = household_page(&s, &v, tr);
    let baskets = s.reg.baskets(&card, &signed.actor).await?;
    let grants = if signed
        .actor
        .may(tamwin_domain::access::Permission::ReadPersonal)
    {
        s.reg.household_grants(&card, &signed.actor).await?
    } else {
        vec![]
    };
    let p = HouseholdPage {
        grants: grants
            .iter()
            .map(|g| crate::pages::proxies::grant_row(tr, g))
            .collect(),
        baskets: crate::pages::cycles::basket_cards(tr, &baskets),
        adjust_csrf: if signed
            .actor
            .may(tamwin_domain::access::Permission::ManageCycles)
        {
            signed.csrf.clone()
        } else {
            String::new()
        },
        message: crate::notices::message_html(tr, hq.message.as_deref()),
        error: error_html(tr, hq.error.as_deref()),
        who: Some(Who::of(&s, &signed, tr)),
        tr,
        langs: switch(tr, |code| format!("/households/{}?lang={code}", h.card_raw)),
        back_href: href("/", tr.lang),
        h,
    };
    Ok(page(p.render(), lang, StatusCode::OK))
}
