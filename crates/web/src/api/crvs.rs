//! The callbacks the civil registry sends under our CRVS callback base (`/crvs`; each request names
//! the whole address in `sender_uri`): `notify`, `on-search`, `on-subscribe`, `on-unsubscribe`,
//! `txn/on-status`. No session or token: each message is signed by the registry, and that signature is
//! what is checked.

use crate::AppState;
use crate::extract::{Body, Path};
use crate::problem::Problem;
use axum::extract::State;
use axum::response::{IntoResponse, Response};

#[utoipa::path(post, path = "/crvs/registry/{callback}", tag = "hub",
    params(("callback" = String, Path, description = "`notify`, `on-search`, `on-subscribe`, `on-unsubscribe` or `txn/on-status`")),
    request_body(content = String, description = "SPDCI CRVS v1.0.0 message `{signature, header, message}` signed by the civil registry", content_type = "application/json"),
    responses((status = 200, description = "Acknowledgement (`ACK`, or `NACK` when valid but not applicable)", content_type = "application/json"),
        (status = 400, description = "`ERR`: not a message for this callback, or too old", content_type = "application/json"),
        (status = 401, description = "`ERR`: signature missing or invalid, or not the registry", content_type = "application/json"),
        (status = 404, description = "No such callback", body = Problem),
        (status = 503, description = "`ERR`: no hub configured, or the store failed (the registry retries)", content_type = "application/json")))]
pub async fn callback(
    State(s): State<AppState>,
    Path(callback): Path<String>,
    Body(body): Body,
) -> Result<Response, Problem> {
    receive(&s, &callback, &body).await
}

#[utoipa::path(post, path = "/crvs/registry/txn/on-status", tag = "hub",
    request_body(content = String, description = "SPDCI CRVS v1.0.0 `txn-on-status` message signed by the civil registry", content_type = "application/json"),
    responses((status = 200, description = "Acknowledgement", content_type = "application/json"),
        (status = 401, description = "`ERR`: signature missing or invalid, or not the registry", content_type = "application/json"),
        (status = 503, description = "`ERR`: no hub configured", content_type = "application/json")))]
pub async fn txn_on_status(
    State(s): State<AppState>,
    Body(body): Body,
) -> Result<Response, Problem> {
    receive(&s, "txn/on-status", &body).await
}

async fn receive(s: &AppState, callback: &str, body: &[u8]) -> Result<Response, Problem> {
    let (_, action) = tamwin_app::crvs::CALLBACKS
        .iter()
        .find(|(p, _)| *p == callback)
        .ok_or(tamwin_app::AppError::NotFound)?;
    let (status, ack) = s.reg.crvs_receive(action, body).await;
    Ok((
        axum::http::StatusCode::from_u16(status)
            .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        axum::Json(ack),
    )
        .into_response())
}
