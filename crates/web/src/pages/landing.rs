//! Where each role lands after sign-in (issue 13, point 16), and the two landing pages for roles that may
//! not read personal data: the statistics page (the progress figures and household counts of the
//! caller's area, the same as `/api/v1/stats/progress` and `/api/v1/stats/households`) and the account
//! page (what the account can do now, password change, sign-out).

use crate::AppState;
use crate::extract::page::Query;
use crate::i18n::Tr;
use crate::page_error::PageError;
use crate::pages::appointments::tr_of;
use crate::render::{LangLink, PageQuery, Who, area_label, href, page, switch};
use crate::signed_in::*;
use askama::Template;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use tamwin_app::Actor;
use tamwin_app::progress::{ProgressQuery, ProgressView};
use tamwin_domain::access::Permission;

/// The first page a signed-in caller may see: the citizen's own page; an outlet operator's outlet; the
/// lookup for staff who read personal data; the statistics for those who read only counts; else the
/// account page.
pub fn landing(actor: &Actor) -> &'static str {
    if actor.is_citizen() {
        "/citizen"
    } else if actor.outlet.is_some() {
        "/outlet"
    } else if actor.may(Permission::ReadPersonal) {
        "/"
    } else if actor.may(Permission::ReadAggregates) {
        "/stats"
    } else {
        "/account"
    }
}

/// Each permission with the catalog key that says what it lets the account do.
const PERMISSIONS: [(Permission, &str); 17] = [
    (Permission::ReadPersonal, "perm_read_personal"),
    (Permission::Register, "perm_register"),
    (Permission::EditMembers, "perm_edit_members"),
    (Permission::PlaceHold, "perm_place_hold"),
    (Permission::LiftHold, "perm_lift_hold"),
    (Permission::CloseHousehold, "perm_close_household"),
    (Permission::ReadAggregates, "perm_read_aggregates"),
    (Permission::ReadAudit, "perm_read_audit"),
    (Permission::ManageAccess, "perm_manage_access"),
    (Permission::VerifyInPerson, "perm_verify_in_person"),
    (Permission::Screen, "perm_screen"),
    (Permission::ViewJobs, "perm_view_jobs"),
    (Permission::RunJobs, "perm_run_jobs"),
    (Permission::ManageProgrammes, "perm_manage_programmes"),
    (Permission::ManageCycles, "perm_manage_cycles"),
    (Permission::ManageOutlets, "perm_manage_outlets"),
    (Permission::Redeem, "perm_redeem"),
];

// ---- the account page ----------------------------------------------------------------------------

#[derive(Template)]
#[template(path = "account.html")]
struct AccountPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    username: String,
    role: String,
    area: String,
    can: Vec<&'static str>,
    csrf: String,
}

pub async fn account_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<StaffHome>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let a = &signed.actor;
    let p = AccountPage {
        tr,
        langs: switch(tr, |c| format!("/account?lang={c}")),
        back_href: href(landing(a), tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        username: a.name.clone(),
        role: a.role.map(|r| tr.role(r).to_string()).unwrap_or_default(),
        area: area_label(&s, &a.area, tr),
        can: PERMISSIONS
            .iter()
            .filter(|(p, _)| a.may(*p))
            .map(|(_, key)| tr.t(key))
            .collect(),
        csrf: signed.csrf.clone(),
    };
    Ok(page(p.render(), tr.lang, StatusCode::OK))
}

// ---- the statistics page -------------------------------------------------------------------------

pub struct CountRow {
    pub governorate: String,
    pub district: String,
    pub state: &'static str,
    pub state_label: &'static str,
    pub households: i64,
    pub members: i64,
}

#[derive(Template)]
#[template(path = "stats.html")]
struct StatsPage {
    tr: Tr,
    langs: Vec<LangLink>,
    back_href: String,
    who: Option<Who>,
    area: String,
    p: ProgressView,
    visit_avg: String,
    visit_p90: String,
    wait_avg: String,
    holds: Vec<(&'static str, i64)>,
    counts: Vec<CountRow>,
}

/// A figure with one decimal, or a dash where there is none yet.
fn one_decimal(v: Option<f64>) -> String {
    v.map(|x| format!("{x:.1}"))
        .unwrap_or_else(|| "—".to_string())
}

pub async fn stats_page(
    State(s): State<AppState>,
    headers: HeaderMap,
    Query(q): Query<PageQuery>,
    Staff(signed, _): Staff<Statistics>,
) -> Result<Response, PageError> {
    let tr = tr_of(&q, &headers);
    let a = &signed.actor;
    let p = s.reg.progress(&ProgressQuery::default(), a).await?;
    let counts = s.reg.stats(a).await?;
    let geo = s.reg.geo();
    let page_ = StatsPage {
        tr,
        langs: switch(tr, |c| format!("/stats?lang={c}")),
        back_href: href(landing(a), tr.lang),
        who: Some(Who::of(&s, &signed, tr)),
        area: area_label(&s, &a.area, tr),
        visit_avg: one_decimal(p.visit_minutes_avg),
        visit_p90: one_decimal(p.visit_minutes_p90),
        wait_avg: one_decimal(p.wait_minutes_avg),
        holds: p
            .holds_by_reason
            .iter()
            .map(|h| {
                let label = tamwin_domain::HoldReason::parse(&h.reason)
                    .map(|r| tr.reason(r))
                    .unwrap_or("?");
                (label, h.count)
            })
            .collect(),
        counts: counts
            .into_iter()
            .map(|c| CountRow {
                governorate: geo
                    .governorate(&c.governorate)
                    .map(|g| tr.pick(&g.name_ar, &g.name_en).to_string())
                    .unwrap_or_else(|| c.governorate.clone()),
                district: geo
                    .district(&c.district)
                    .map(|d| tr.pick(&d.name_ar, &d.name_en).to_string())
                    .unwrap_or_else(|| c.district.clone()),
                state: c.state.code(),
                state_label: tr.state(c.state),
                households: c.households,
                members: c.members,
            })
            .collect(),
        p,
    };
    Ok(page(page_.render(), tr.lang, StatusCode::OK))
}
