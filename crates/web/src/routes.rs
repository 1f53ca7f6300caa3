//! Every route the server answers, API and pages, in one table: `routes()` builds the router and the
//! list of (method, path) that the authorisation matrix and the OpenAPI tests hold to it.

use crate::{APPEAL_BODY_LIMIT, AppState, api, openapi, pages, prometheus};
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{MethodRouter, get, patch, post, put};

/// The router and the list of (method, path) it serves, so a test can hold the OpenAPI document to it.
pub struct Routes {
    pub(crate) router: Router<AppState>,
    pub list: Vec<(&'static str, &'static str)>,
}

impl Routes {
    pub(crate) fn add(
        mut self,
        method: &'static str,
        path: &'static str,
        mr: MethodRouter<AppState>,
    ) -> Self {
        self.list.push((method, path));
        self.router = self.router.route(path, mr);
        self
    }
}

pub fn routes() -> Routes {
    Routes {
        router: Router::new(),
        list: vec![],
    }
    .add("get", "/healthz", get(api::households::healthz))
    .add("get", "/metrics", get(prometheus::serve))
    .add(
        "post",
        "/api/v1/households",
        post(api::households::create_household),
    )
    .add(
        "get",
        "/api/v1/households",
        get(api::households::list_households),
    )
    .add(
        "get",
        "/api/v1/households/{card_number}",
        get(api::households::get_household),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/members",
        post(api::households::add_member),
    )
    .add(
        "put",
        "/api/v1/households/{card_number}/members/{member_id}",
        put(api::households::update_member),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/members/{member_id}/removal",
        post(api::households::remove_member),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/head",
        post(api::households::change_head),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/closure",
        post(api::households::close_household),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/holds",
        post(api::households::place_hold),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/holds/{hold_id}/lift",
        post(api::households::lift_hold),
    )
    .add(
        "put",
        "/api/v1/households/{card_number}/phone",
        put(api::access::set_phone),
    )
    .add(
        "get",
        "/api/v1/governorates",
        get(api::households::governorates),
    )
    .add("get", "/api/v1/me", get(api::access::me))
    .add(
        "get",
        "/api/v1/me/household",
        get(api::access::my_household),
    )
    .add(
        "get",
        "/api/v1/me/data-uses",
        get(api::access::my_data_uses),
    )
    .add(
        "get",
        "/api/v1/me/suggestions",
        get(api::events::my_suggestions),
    )
    .add(
        "post",
        "/api/v1/me/suggestions/{suggestion_id}/{decision}",
        post(api::events::decide_suggestion),
    )
    .add(
        "post",
        "/api/v1/exemptions",
        // With its document of up to 2 MB, base64 in JSON.
        post(api::events::grant_exemption).layer(DefaultBodyLimit::max(APPEAL_BODY_LIMIT)),
    )
    .add("get", "/api/v1/exemptions", get(api::events::exemptions))
    .add(
        "get",
        "/api/v1/exemptions/{exemption_id}/document",
        get(api::events::exemption_document),
    )
    .add(
        "post",
        "/crvs/registry/{callback}",
        post(api::crvs::callback),
    )
    .add(
        "post",
        "/crvs/registry/txn/on-status",
        post(api::crvs::txn_on_status),
    )
    .add("get", "/api/v1/me/slots", get(api::appointments::my_slots))
    .add(
        "get",
        "/api/v1/me/appointments",
        get(api::appointments::my_appointments),
    )
    .add(
        "post",
        "/api/v1/me/appointments",
        post(api::appointments::book_mine),
    )
    .add(
        "post",
        "/api/v1/me/appointments/reschedule",
        post(api::appointments::reschedule_mine),
    )
    .add(
        "post",
        "/api/v1/me/appointments/cancel",
        post(api::appointments::cancel_mine),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/appointments",
        post(api::appointments::book_for),
    )
    .add(
        "get",
        "/api/v1/centres/{centre}/appointments",
        get(api::appointments::centre_day),
    )
    .add(
        "post",
        "/api/v1/check-ins",
        post(api::appointments::check_in),
    )
    .add(
        "get",
        "/api/v1/appointments/{appointment_id}",
        get(api::appointments::appointment),
    )
    .add(
        "post",
        "/api/v1/appointments/{appointment_id}/members/{member_id}",
        post(api::appointments::check_member),
    )
    .add(
        "post",
        "/api/v1/appointments/{appointment_id}/completion",
        post(api::appointments::complete),
    )
    .add(
        "post",
        "/api/v1/me/home-visits",
        post(api::appointments::my_home_visit),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/home-visits",
        post(api::appointments::home_visit_for),
    )
    .add(
        "get",
        "/api/v1/teams/{team}/route",
        get(api::appointments::team_route),
    )
    .add(
        "post",
        "/api/v1/appointments/{appointment_id}/members/{member_id}/temporary-card",
        post(api::appointments::issue_temporary_card),
    )
    .add(
        "post",
        "/api/v1/appointments/{appointment_id}/members/{member_id}/correction",
        post(api::appointments::correct_member),
    )
    .add(
        "post",
        "/api/v1/appointments/{appointment_id}/proposals/{index}/accept",
        post(api::appointments::accept_proposal),
    )
    .add(
        "get",
        "/api/v1/me/temporary-cards",
        get(api::appointments::my_temporary_cards),
    )
    .add(
        "get",
        "/api/v1/me/update",
        get(api::appointments::my_update),
    )
    .add(
        "get",
        "/api/v1/stats/progress",
        get(api::appointments::progress),
    )
    .add(
        "get",
        "/api/v1/stats/households",
        get(api::access::household_stats),
    )
    .add(
        "post",
        "/api/v1/screening/runs",
        post(api::screening::start_run),
    )
    .add("get", "/api/v1/screening/runs", get(api::screening::runs))
    .add("get", "/api/v1/jobs", get(api::jobs::jobs))
    .add("get", "/api/v1/programmes", get(api::cycles::programmes))
    .add(
        "post",
        "/api/v1/programmes",
        post(api::cycles::import_programme),
    )
    .add(
        "get",
        "/api/v1/programmes/{code}",
        get(api::cycles::programme),
    )
    .add("get", "/api/v1/cycles", get(api::cycles::cycles))
    .add("post", "/api/v1/cycles", post(api::cycles::draft))
    .add("get", "/api/v1/cycles/{cycle_id}", get(api::cycles::cycle))
    .add(
        "get",
        "/api/v1/cycles/{cycle_id}/dry-run",
        get(api::cycles::dry_run),
    )
    .add(
        "get",
        "/api/v1/cycles/{cycle_id}/changes",
        get(api::cycles::changes),
    )
    .add(
        "post",
        "/api/v1/cycles/{cycle_id}/{step}",
        post(api::cycles::step),
    )
    .add(
        "get",
        "/api/v1/households/{card_number}/baskets",
        get(api::cycles::baskets),
    )
    .add(
        "post",
        "/api/v1/households/{card_number}/baskets/{cycle_id}/adjustments",
        post(api::cycles::adjust),
    )
    .add(
        "post",
        "/households/{card_number}/baskets/{cycle_id}/adjustments",
        post(pages::cycles::adjust),
    )
    .add("get", "/api/v1/me/baskets", get(api::cycles::my_baskets))
    .outlets()
    .add(
        "get",
        "/api/v1/households/{card_number}/declarations",
        get(api::cycles::declarations),
    )
    .add(
        "patch",
        "/api/v1/households/{card_number}/declarations",
        patch(api::cycles::declare),
    )
    .add(
        "get",
        "/api/v1/screening/findings",
        get(api::screening::findings),
    )
    .add(
        "get",
        "/api/v1/screening/findings/{finding_id}",
        get(api::screening::finding),
    )
    .add(
        "post",
        "/api/v1/screening/findings/{finding_id}/decision",
        post(api::screening::decide_finding),
    )
    .add(
        "post",
        "/api/v1/screening/appeals/{appeal_id}/decision",
        post(api::screening::decide_appeal),
    )
    .add(
        "get",
        "/api/v1/screening/appeals",
        get(api::screening::appeals),
    )
    .add(
        "get",
        "/api/v1/me/findings",
        get(api::screening::my_findings),
    )
    .add(
        "post",
        "/api/v1/me/findings/{finding_id}/appeals",
        // A document of up to 2 MB, base64 in JSON.
        post(api::screening::appeal).layer(DefaultBodyLimit::max(APPEAL_BODY_LIMIT)),
    )
    .add("get", "/api/openapi.json", get(openapi::serve_json))
    .add("get", "/api/docs", get(openapi::docs_page))
    .add("get", "/", get(pages::households::lookup))
    .add(
        "get",
        "/households/{card_number}",
        get(pages::households::household),
    )
    .add("get", "/sign-in", get(pages::access::sign_in_form))
    .add("post", "/sign-in", post(pages::access::sign_in))
    .add("post", "/sign-out", post(pages::access::sign_out))
    .add("get", "/account", get(pages::landing::account_page))
    .add("get", "/stats", get(pages::landing::stats_page))
    .add("get", "/jobs", get(pages::jobs::jobs_page))
    .add("get", "/cycles", get(pages::cycles::cycles_page))
    .add("post", "/cycles", post(pages::cycles::draft))
    .add("get", "/cycles/{cycle_id}", get(pages::cycles::cycle_page))
    .add(
        "get",
        "/cycles/{cycle_id}/changes.csv",
        get(pages::cycles::changes_csv),
    )
    .add(
        "post",
        "/cycles/{cycle_id}/{step}",
        post(pages::cycles::step),
    )
    .add("post", "/jobs/{job}/run", post(pages::jobs::run_now))
    .add(
        "get",
        "/account/password",
        get(pages::access::password_form),
    )
    .add(
        "post",
        "/account/password",
        post(pages::access::change_password),
    )
    .add("get", "/admin/users", get(pages::access::admin_users))
    .add("post", "/admin/users", post(pages::access::add_user))
    .add(
        "post",
        "/admin/users/{username}/status",
        post(pages::access::user_status),
    )
    .add(
        "get",
        "/citizen/sign-in",
        get(pages::access::citizen_sign_in_form),
    )
    .add(
        "post",
        "/citizen/suggestions/{suggestion_id}/{decision}",
        post(pages::access::citizen_decide),
    )
    .add(
        "post",
        "/citizen/code",
        post(pages::access::citizen_request_code),
    )
    .add(
        "post",
        "/citizen/sign-in",
        post(pages::access::citizen_sign_in),
    )
    .add("get", "/citizen", get(pages::access::citizen_home))
    .add(
        "get",
        "/citizen/appointment",
        get(pages::appointments::citizen_appointment),
    )
    .add(
        "post",
        "/citizen/appointment",
        post(pages::appointments::citizen_book),
    )
    .add(
        "post",
        "/citizen/home-visit",
        post(pages::appointments::citizen_home_visit),
    )
    .add(
        "post",
        "/citizen/appointment/cancel",
        post(pages::appointments::citizen_cancel),
    )
    .add(
        "get",
        "/citizen/appointment/form",
        get(pages::appointments::citizen_form),
    )
    .add("get", "/centre", get(pages::appointments::centre_page))
    .add(
        "post",
        "/centre/check-in",
        post(pages::appointments::centre_check_in),
    )
    .add(
        "get",
        "/centre/visits/{appointment_id}",
        get(pages::appointments::visit_page),
    )
    .add(
        "post",
        "/centre/visits/{appointment_id}/members/{member_id}",
        post(pages::appointments::visit_member),
    )
    .add(
        "post",
        "/centre/visits/{appointment_id}/members/{member_id}/correction",
        post(pages::appointments::visit_correct),
    )
    .add(
        "post",
        "/centre/visits/{appointment_id}/proposals/{index}/accept",
        post(pages::appointments::visit_accept),
    )
    .add(
        "get",
        "/centre/visits/{appointment_id}/members/{member_id}/temporary-card",
        get(pages::appointments::visit_temporary_card),
    )
    .add(
        "post",
        "/centre/visits/{appointment_id}/members/{member_id}/temporary-card",
        post(pages::appointments::visit_issue_temporary_card),
    )
    .add(
        "get",
        "/citizen/temporary-cards",
        get(pages::appointments::citizen_temporary_cards),
    )
    .add(
        "post",
        "/households/{card_number}/declarations",
        post(pages::appointments::declare_at_visit),
    )
    .add(
        "post",
        "/centre/visits/{appointment_id}/complete",
        post(pages::appointments::visit_complete),
    )
    .add("get", "/screening", get(pages::screening::screening_page))
    .add(
        "get",
        "/screening/appeals",
        get(pages::screening::appeals_page),
    )
    .add(
        "post",
        "/screening/runs",
        post(pages::screening::screening_start),
    )
    .add(
        "get",
        "/screening/findings/{finding_id}",
        get(pages::screening::finding_page),
    )
    .add(
        "post",
        "/screening/findings/{finding_id}/decision",
        post(pages::screening::finding_decide),
    )
    .add(
        "post",
        "/screening/appeals/{appeal_id}/decision",
        post(pages::screening::appeal_decide),
    )
    .add(
        "get",
        "/exemptions",
        get(pages::exemptions::exemptions_page),
    )
    .add(
        "get",
        "/screening/appeals/{appeal_id}/document",
        get(pages::screening::appeal_document),
    )
    .add(
        "get",
        "/citizen/findings",
        get(pages::screening::citizen_findings),
    )
    .add("get", "/demo/outbox", get(pages::access::demo_outbox))
    .add("get", "/assets/app.css", get(pages::assets::css))
    .add(
        "get",
        "/assets/documents.js",
        get(pages::assets::documents_js),
    )
    .add("get", "/assets/pages.js", get(pages::assets::pages_js))
    .add("get", "/assets/api-docs.js", get(openapi::docs_js))
    .add("get", "/assets/api-docs.css", get(openapi::docs_css))
    .add("get", "/manifest.webmanifest", get(pages::assets::manifest))
    .add("get", "/assets/icon-192.png", get(pages::assets::icon_192))
    .add("get", "/assets/icon-512.png", get(pages::assets::icon_512))
}
