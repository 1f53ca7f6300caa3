//! The OpenAPI 3.1 document, derived from the handlers' annotations, and an offline page that reads it.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tamwin API", description = "Ration-card household registry (البطاقة التموينية الإلكترونية)", version = "0.1.0"),
    paths(
        crate::api::households::healthz,
        crate::prometheus::serve,
        crate::api::households::create_household,
        crate::api::households::list_households,
        crate::api::households::get_household,
        crate::api::households::add_member,
        crate::api::households::update_member,
        crate::api::households::remove_member,
        crate::api::households::change_head,
        crate::api::households::close_household,
        crate::api::households::place_hold,
        crate::api::households::lift_hold,
        crate::api::households::governorates,
        crate::api::access::me,
        crate::api::access::my_household,
        crate::api::access::my_data_uses,
        crate::api::access::household_stats,
        crate::api::access::set_phone,
        crate::api::events::my_suggestions,
        crate::api::events::decide_suggestion,
        crate::api::events::grant_exemption,
        crate::api::events::exemption_document,
        crate::api::events::exemptions,
        crate::api::appointments::my_slots,
        crate::api::appointments::my_appointments,
        crate::api::appointments::book_mine,
        crate::api::appointments::reschedule_mine,
        crate::api::appointments::cancel_mine,
        crate::api::appointments::book_for,
        crate::api::appointments::centre_day,
        crate::api::appointments::check_in,
        crate::api::appointments::appointment,
        crate::api::appointments::check_member,
        crate::api::appointments::complete,
        crate::api::appointments::progress,
        crate::api::appointments::my_home_visit,
        crate::api::appointments::home_visit_for,
        crate::api::appointments::team_route,
        crate::api::appointments::issue_temporary_card,
        crate::api::appointments::my_temporary_cards,
        crate::api::appointments::my_update,
        crate::api::appointments::correct_member,
        crate::api::appointments::accept_proposal,
        crate::api::screening::start_run,
        crate::api::screening::runs,
        crate::api::screening::findings,
        crate::api::screening::finding,
        crate::api::screening::decide_finding,
        crate::api::screening::decide_appeal,
        crate::api::screening::appeals,
        crate::api::screening::my_findings,
        crate::api::screening::appeal,
        crate::api::jobs::jobs,
        crate::api::cycles::programmes,
        crate::api::cycles::programme,
        crate::api::cycles::import_programme,
        crate::api::cycles::cycles,
        crate::api::cycles::draft,
        crate::api::cycles::cycle,
        crate::api::cycles::dry_run,
        crate::api::cycles::changes,
        crate::api::cycles::step,
        crate::api::cycles::baskets,
        crate::api::cycles::adjust,
        crate::api::cycles::my_baskets,
        crate::api::cycles::declarations,
        crate::api::cycles::declare,
        crate::api::outlets::redeem,
        crate::api::outlets::day,
        crate::api::outlets::void,
        crate::api::outlets::collection_code,
        crate::api::proxies::outlet_proxy_code,
        crate::api::proxies::outlet_proxy_grant,
        crate::api::outlets::outlets,
        crate::api::outlets::licence,
        crate::api::outlets::move_households,
        crate::api::outlets::assign_agent,
        crate::api::outlets::reissue_card_qr,
        crate::api::outlets::my_card_qr,
        crate::api::outlets::renew_card_qr,
        crate::api::outlets::my_collections,
        crate::api::outlets::file_complaint,
        crate::api::outlets::my_complaints,
        crate::api::outlets::complaints,
        crate::api::outlets::assign_complaint,
        crate::api::outlets::resolve_complaint,
        crate::api::outlets::disputed,
        crate::api::proxies::grant_proxy,
        crate::api::proxies::my_proxies,
        crate::api::proxies::confirm_proxy,
        crate::api::proxies::revoke_proxy,
        crate::api::proxies::answer_proxy,
        crate::api::proxies::pay_proxy_fee,
        crate::api::proxies::proxy_payments,
        crate::api::proxies::payment_callback,
        crate::api::proxies::payments_reconciliation,
        crate::api::proxies::household_proxies,
        crate::api::proxies::proxy_code,
        crate::api::proxies::give_up_proxy,
        crate::api::outlets::dispatch,
        crate::api::outlets::receipt,
        crate::api::outlets::stock_return,
        crate::api::outlets::stock,
        crate::api::outlets::reconciliation,
        crate::api::outlets::allocation,
        crate::api::crvs::callback,
        crate::api::crvs::txn_on_status,
        serve_json,
        docs_page,
    ),
    modifiers(&Security),
    tags((name = "households"), (name = "members"), (name = "holds"), (name = "geography"), (name = "access"), (name = "appointments"), (name = "screening"), (name = "cycles"), (name = "outlets"), (name = "proxies"), (name = "hub"), (name = "system"))
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
        // An outlet's device signs each request with its key (docs/access.md, "Device keys"): this
        // header names the device; the time, nonce and signature headers go with it.
        c.add_security_scheme(
            "device",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new(crate::auth::DEVICE_HEADER))),
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
