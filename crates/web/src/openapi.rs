//! The OpenAPI 3.1 document, derived from the handlers' annotations, and an offline page that reads it.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tamwin API", description = "Ration-card household registry (البطاقة التموينية الإلكترونية)", version = "0.1.0"),
    paths(
        crate::api::healthz,
        crate::prometheus::serve,
        crate::api::create_household,
        crate::api::list_households,
        crate::api::get_household,
        crate::api::add_member,
        crate::api::update_member,
        crate::api::remove_member,
        crate::api::change_head,
        crate::api::close_household,
        crate::api::place_hold,
        crate::api::lift_hold,
        crate::api::governorates,
        crate::api_access::me,
        crate::api_access::my_household,
        crate::api_access::my_data_uses,
        crate::api_access::household_stats,
        crate::api_access::set_phone,
        crate::api_events::my_suggestions,
        crate::api_events::decide_suggestion,
        crate::api_events::grant_exemption,
        crate::api_events::exemption_document,
        crate::api_events::exemptions,
        crate::api_appointments::my_slots,
        crate::api_appointments::my_appointments,
        crate::api_appointments::book_mine,
        crate::api_appointments::reschedule_mine,
        crate::api_appointments::cancel_mine,
        crate::api_appointments::book_for,
        crate::api_appointments::centre_day,
        crate::api_appointments::check_in,
        crate::api_appointments::appointment,
        crate::api_appointments::check_member,
        crate::api_appointments::complete,
        crate::api_appointments::progress,
        crate::api_appointments::my_home_visit,
        crate::api_appointments::home_visit_for,
        crate::api_appointments::team_route,
        crate::api_appointments::issue_temporary_card,
        crate::api_appointments::my_temporary_cards,
        crate::api_appointments::my_update,
        crate::api_appointments::correct_member,
        crate::api_appointments::accept_proposal,
        crate::api_screening::start_run,
        crate::api_screening::runs,
        crate::api_screening::findings,
        crate::api_screening::finding,
        crate::api_screening::decide_finding,
        crate::api_screening::decide_appeal,
        crate::api_screening::appeals,
        crate::api_screening::my_findings,
        crate::api_screening::appeal,
        crate::api_jobs::jobs,
        crate::api_crvs::callback,
        crate::api_crvs::txn_on_status,
        serve_json,
        docs_page,
    ),
    modifiers(&Security),
    tags((name = "households"), (name = "members"), (name = "holds"), (name = "geography"), (name = "access"), (name = "appointments"), (name = "screening"), (name = "hub"), (name = "system"))
)]
struct ApiDoc;

/// Bearer tokens (`tamwin token create`) for machine clients; the session cookie for the browser, whose
/// state-changing requests also carry `X-CSRF-Token`.
struct Security;
impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{
            ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme,
        };
        let c = doc.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(
                crate::auth::SESSION_COOKIE,
            ))),
        );
    }
}

/// The document, held to what the server sends (openapi_conform.rs).
pub fn openapi_json() -> String {
    let mut doc = serde_json::to_value(ApiDoc::openapi()).unwrap_or_default();
    crate::openapi_conform::conform(&mut doc);
    serde_json::to_string_pretty(&doc).unwrap_or_else(|_| "{}".into())
}

/// This document.
#[utoipa::path(get, path = "/api/openapi.json", tag = "system", responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn serve_json() -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "application/json")], openapi_json())
}

/// A documentation page that works offline: it renders the document with a few lines of script.
#[utoipa::path(get, path = "/api/docs", tag = "system", responses((status = 200, description = "HTML page")))]
pub async fn docs_page() -> Html<&'static str> {
    Html(include_str!("../assets/api-docs.html"))
}

/// The documentation page's script and style, served as files (the CSP allows no inline ones).
pub async fn docs_js() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/api-docs.js"),
    )
}

pub async fn docs_css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../assets/api-docs.css"),
    )
}
