//! The registry side of the SPDCI CRVS API v1.0.0 (`tamwin_hub::crvs`): subscriptions to deaths, births,
//! exits and entries with notifications to the subscriber's callback; search by national ID, in batches,
//! asynchronous (acknowledged now, `on-search` later) or synchronous; transaction status. Every message
//! in and out is signed; callbacks are queued signed in `crvs_deliveries` and retried until acknowledged.
//!
//! This file holds the routes and what the parts share; each part is a file in `crvs/`: the envelope
//! (requests checked, answers sealed and acknowledged), search, subscriptions, transactions and their
//! status, vital events, and the delivery of callbacks.

mod delivery;
mod envelope;
mod events;
mod search;
mod subscriptions;
mod transactions;

pub use delivery::{CALLBACK_TIMEOUT, MAX_ATTEMPTS, spawn_worker};
pub use events::NewEvent;

use crate::server::HubServer;
use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use std::sync::Arc;
use tamwin_hub::crvs::{self, Ack};
use tamwin_store::CivilPerson;

pub fn routes(s: Arc<HubServer>) -> Router {
    use axum::routing::post;
    Router::new()
        .route("/registry/search", post(search::search))
        .route("/registry/sync/search", post(search::sync_search))
        .route("/registry/subscribe", post(subscriptions::subscribe))
        .route("/registry/unsubscribe", post(subscriptions::unsubscribe))
        .route("/registry/txn/status", post(transactions::txn_status))
        .route(
            "/registry/sync/txn/status",
            post(transactions::sync_txn_status),
        )
        .with_state(s)
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn json_response(status: u16, body: Vec<u8>) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn ack_response(a: &Ack, status: u16) -> Response {
    json_response(status, serde_json::to_vec(a).unwrap_or_default())
}

/// The CRVS Person for a civil file.
pub fn person_record(p: &CivilPerson, entry_date: Option<String>) -> crvs::Person {
    crvs::Person {
        identifier: crvs::Identifier::uin(&p.national_id),
        name: crvs::Name {
            given_name: p.given_name.clone(),
            second_name: p.father_name.clone(),
            third_name: p.grandfather_name.clone(),
            surname: p.family_name.clone(),
        },
        mother_name: Some(p.mother_name.clone()),
        sex: p.sex.clone(),
        birth_date: p.birth_date.clone(),
        death_date: p.death_date.clone(),
        exit_date: p.abroad_since.clone(),
        entry_date,
        parent1_identifier: None,
        parent2_identifier: None,
    }
}
