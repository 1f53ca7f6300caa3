//! The OpenAPI 3.1 document, derived from the handlers' annotations, and an offline page that reads it.

use axum::http::header;
use axum::response::{Html, IntoResponse};
use utoipa::OpenApi;

#[derive(OpenApi)]
#[openapi(
    info(title = "Tamwin API", description = "Ration-card household registry (البطاقة التموينية الإلكترونية)", version = "0.1.0"),
    paths(
        crate::api::healthz,
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
        serve_json,
        docs_page,
    ),
    tags((name = "households"), (name = "members"), (name = "holds"), (name = "geography"), (name = "system"))
)]
struct ApiDoc;

pub fn openapi_json() -> String {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
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
