//! The supervisors' pages of monthly cycles (issue 15): the cycles of their area with a form to draft
//! one, and each cycle with its dry run (households and persons by district, each agent's
//! quantities), who drafted and approved it, and the next step for those who may take it.

mod amounts;
mod baskets;
mod collections;

pub use amounts::{item, items_text, quantity};
pub use baskets::{BasketCard, basket_cards};
pub use collections::{CollectionsView, collections_view};

use crate::AppState;
use crate::extract::page::{Path, Query};
use crate::i18n::Tr;
use crate::notices::{error_html, message_html, refusal_codes};
use crate::page_error::PageError;
use crate::pages::appointments::{Pairs, field, tr_of, with_lang};
use crate::pages::landing::landing;
use crate::render::{LangLink, PageQuery, Who, href, lang_from, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use tamwin_app::cycles::{CycleView, DryRun};
use tamwin_domain::access::{Area, Permission};
use tamwin_store::CycleFilter;

pub struct CycleRow {
    pub id: String,
    pub programme: String,
    /// The programme's name in the page's language.
    pub programme_label: String,
    pub governorate_name: String,
    pub month: String,
    pub governorate: String,
    pub status: String,
    pub status_label: &'static str,
    pub households: String,
    pub persons: String,
}

pub struct Choice {
    pub code: String,
    pub label: String,
}

#[derive(Template)]
#[template(path = "cycles.html")]
struct CyclesPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    cycles: Vec<CycleRow>,
    may_draft: bool,
    programmes: Vec<Choice>,
    governorates: Vec<Choice>,
    month: String,
}

#[derive(serde::Deserialize)]
pub struct NoticeQuery {
    pub lang: Option<String>,
    pub message: Option<String>,
    pub error: Option<String>,
}

fn status_label(tr: Tr, status: &str) -> &'static str {
    tr.get(&format!("cycle_status_{status}"))
        .unwrap_or_else(|| tr.t("cycle_status_unknown"))
}

pub(crate) fn programme_label(tr: Tr, code: &str) -> String {
    tr.get(&format!("programme_{}", code.replace('-', "_")))
        .map_or_else(|| code.to_string(), str::to_string)
}

fn row(s: &AppState, tr: Tr, c: &CycleView) -> CycleRow {
    CycleRow {
        id: c.cycle_id.clone(),
        programme: c.programme.clone(),
        programme_label: programme_label(tr, &c.programme),
        governorate_name: s.reg.geo().governorate(&c.governorate).map_or_else(
            || c.governorate.clone(),
            |g| tr.pick(&g.name_ar, &g.name_en).to_string(),
        ),
        month: c.month.clone(),
        governorate: c.governorate.clone(),
        status: c.status.clone(),
        status_label: status_label(tr, &c.status),
        households: c.households.map(|n| n.to_string()).unwrap_or_default(),
        persons: c.persons.map(|n| n.to_string()).unwrap_or_default(),
    }
}

pub async fn cycles_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<NoticeQuery>,
    Staff(signed, _): Staff<Cycles>,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: lang_from(q.lang.as_deref(), &headers),
    };
    let a = &signed.actor;
    let cycles = s.reg.cycles(&CycleFilter::default(), a).await?;
    let programmes = s
        .reg
        .programmes(a)
        .await?
        .into_iter()
        .map(|p| Choice {
            label: programme_label(tr, &p.code),
            code: p.code,
        })
        .collect();
    let geo = s.reg.geo();
    let governorates = geo
        .governorates
        .iter()
        .filter(|g| match &a.area {
            Area::Nation => true,
            Area::Governorate(x) => *x == g.code,
            _ => false,
        })
        .map(|g| Choice {
            code: g.code.clone(),
            label: tr.pick(&g.name_ar, &g.name_en).to_string(),
        })
        .collect();
    let p = CyclesPage {
        tr,
        langs: switch(tr, |c| format!("/cycles?lang={c}")),
        back_href: href(landing(a), tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        cycles: cycles.iter().map(|c| row(&s, tr, c)).collect(),
        may_draft: a.may(Permission::ManageCycles),
        programmes,
        governorates,
        month: tamwin_app::programmes::current_month(s.reg.clock().now()).to_string(),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// Drafts a cycle (CSRF-checked, audited) and shows it with its dry run.
pub async fn draft(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageCycles>,
    form: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let f = &form.form;
    let to = match s
        .reg
        .draft_cycle(
            field(f, "programme"),
            field(f, "month"),
            field(f, "governorate"),
            &signed.actor,
        )
        .await
    {
        Ok(c) => with_lang(
            &format!("/cycles/{}", c.cycle_id),
            tr,
            "message=cycle_msg_drafted",
        ),
        Err(e) => with_lang(
            "/cycles",
            tr,
            &format!("error={}", crate::url::encode(&refusal_codes(&e))),
        ),
    };
    Ok(Redirect::to(&to).into_response())
}

pub struct DistrictLine {
    pub district: String,
    pub name: String,
    pub households: i64,
    pub persons: i64,
    pub held: i64,
}

pub struct ItemLine {
    pub item: String,
    pub code: String,
    pub amount: String,
}

pub struct AgentLine {
    pub agent: String,
    pub district: String,
    pub households: i64,
    pub persons: i64,
    pub items: Vec<ItemLine>,
}

pub struct WarehouseLine {
    pub warehouse: String,
    pub name: String,
    pub agents: i64,
    pub households: i64,
    pub items: Vec<ItemLine>,
}

#[derive(Template)]
#[template(path = "cycle.html")]
struct CyclePage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    csrf: String,
    message: String,
    error: String,
    c: CycleRow,
    drafted_by: String,
    approved_by: String,
    failure: String,
    waiting: bool,
    may_approve: bool,
    may_open: bool,
    may_close: bool,
    dry: Option<DryRun>,
    /// Against the previous cycle: entering, leaving, changing households.
    changes: Option<(usize, usize, usize)>,
    may_list: bool,
    districts: Vec<DistrictLine>,
    items: Vec<ItemLine>,
    agents: Vec<AgentLine>,
    warehouses: Vec<WarehouseLine>,
}

fn items(tr: Tr, list: &[tamwin_app::cycles::ItemAmount]) -> Vec<ItemLine> {
    list.iter()
        .map(|i| ItemLine {
            item: item(tr, &i.item),
            code: i.item.clone(),
            amount: quantity(tr, &i.unit, i.amount),
        })
        .collect()
}

pub async fn cycle_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<NoticeQuery>,
    Staff(signed, _): Staff<Cycles>,
) -> Result<Response, PageError> {
    let tr = Tr {
        lang: lang_from(q.lang.as_deref(), &headers),
    };
    let a = &signed.actor;
    let c = s.reg.cycle_status(&id, a).await?;
    let dry = match c.status.as_str() {
        "closed" => None,
        _ => Some(s.reg.dry_run_cycle(&id, a).await?),
    };
    let geo = s.reg.geo();
    let district_name = |d: &str| {
        geo.district(d).map_or_else(
            || d.to_string(),
            |x| tr.pick(&x.name_ar, &x.name_en).to_string(),
        )
    };
    let manage = a.may(Permission::ManageCycles) && a.covers_code(&c.governorate, geo);
    let changes = s.reg.cycle_change_counts(&id, a).await?;
    let p = CyclePage {
        tr,
        langs: switch(tr, |l| format!("/cycles/{id}?lang={l}")),
        back_href: href("/cycles", tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        csrf: signed.csrf.clone(),
        message: message_html(tr, q.message.as_deref()),
        error: error_html(tr, q.error.as_deref()),
        drafted_by: c.drafted_by.clone(),
        approved_by: c.approved_by.clone().unwrap_or_default(),
        failure: c.error.clone().unwrap_or_default(),
        waiting: c.status == "approved" && c.generated_at.is_none(),
        changes,
        may_list: a.may(Permission::ReadPersonal),
        may_approve: manage
            && matches!(c.status.as_str(), "draft" | "failed")
            && c.drafted_by != a.name,
        may_open: manage && c.status == "approved" && c.generated_at.is_some(),
        may_close: manage && c.status == "open",
        districts: dry
            .iter()
            .flat_map(|d| &d.districts)
            .map(|d| DistrictLine {
                name: district_name(&d.district),
                district: d.district.clone(),
                households: d.households,
                persons: d.persons,
                held: d.suspended_households,
            })
            .collect(),
        items: dry
            .as_ref()
            .map(|d| items(tr, &d.items))
            .unwrap_or_default(),
        agents: dry
            .iter()
            .flat_map(|d| &d.agents)
            .map(|x| AgentLine {
                agent: x
                    .agent
                    .clone()
                    .unwrap_or_else(|| tr.t("cycle_no_agent").to_string()),
                district: district_name(&x.district),
                households: x.households,
                persons: x.persons,
                items: items(tr, &x.items),
            })
            .collect(),
        warehouses: dry
            .iter()
            .flat_map(|d| &d.warehouses)
            .map(|w| WarehouseLine {
                warehouse: w.warehouse.clone().unwrap_or_default(),
                name: w
                    .name_ar
                    .clone()
                    .unwrap_or_else(|| tr.t("cycle_no_warehouse").to_string()),
                agents: w.agents,
                households: w.households,
                items: items(tr, &w.items),
            })
            .collect(),
        c: row(&s, tr, &c),
        dry,
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

/// Who enters, leaves and changes against the previous cycle, as a CSV download (personal data:
/// each household listed is checked against the caller's area and its read audited).
pub async fn changes_csv(
    State(s): State<AppState>,
    Path(id): Path<String>,
    Staff(signed, _): Staff<ReadPersonal>,
) -> Result<Response, PageError> {
    let ch = s.reg.cycle_changes(&id, &signed.actor).await?;
    let name = format!(
        "changes-{}-{}-{}.csv",
        ch.cycle.programme, ch.cycle.month, ch.cycle.governorate
    );
    Ok((
        [
            (
                axum::http::header::CONTENT_TYPE,
                "text/csv; charset=utf-8".to_string(),
            ),
            (
                axum::http::header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
            (axum::http::header::CACHE_CONTROL, "no-store".to_string()),
        ],
        ch.to_csv()?,
    )
        .into_response())
}

/// Approve, open or close (CSRF-checked, audited): back to the cycle with what came of it.
pub async fn step(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((id, step)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageCycles>,
    _: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let a = &signed.actor;
    let (done, msg) = match step.as_str() {
        "approve" => (s.reg.approve_cycle(&id, a).await, "cycle_msg_approved"),
        "open" => (s.reg.open_cycle(&id, a).await, "cycle_msg_opened"),
        "close" => (s.reg.close_cycle(&id, a).await, "cycle_msg_closed"),
        _ => (Err(tamwin_app::AppError::NotFound), ""),
    };
    let query = match done {
        Ok(_) => format!("message={msg}"),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    Ok(Redirect::to(&with_lang(&format!("/cycles/{id}"), tr, &query)).into_response())
}

/// An in-cycle adjustment from the household page's basket (`Registry::adjust_entitlement`): back to
/// the household with the outcome.
pub async fn adjust(
    State(s): State<AppState>,
    headers: HeaderMap,
    Path((card, cycle_id)): Path<(String, String)>,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<ManageCycles>,
    CsrfForm { form: f, .. }: CsrfForm<Pairs>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let number =
        tamwin_domain::CardNumber::parse(&card).map_err(|_| tamwin_app::AppError::NotFound)?;
    let input = tamwin_app::cycles::AdjustmentInput {
        item: field(&f, "item").trim().to_string(),
        // Not a whole number: refused as a zero amount, with its message.
        amount: field(&f, "amount").trim().parse().unwrap_or(0),
        reason: field(&f, "reason").to_string(),
    };
    let query = match s
        .reg
        .adjust_entitlement(&number, &cycle_id, &input, &signed.actor)
        .await
    {
        Ok(_) => "message=basket_adjust_done".to_string(),
        Err(e) => format!("error={}", crate::url::encode(&refusal_codes(&e))),
    };
    let to = format!("/households/{}", crate::url::encode(&card));
    Ok(Redirect::to(&with_lang(&to, tr, &query)).into_response())
}
