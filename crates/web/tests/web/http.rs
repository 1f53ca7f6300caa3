//! The HTTP surface on both backends: documented routes, problem+json errors, idempotency, pages, metrics.
//! Each part is a file in `http/`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod api;
mod arabic;
mod bad_input;
mod metrics;
mod visit;

use crate::common;

use axum::http::StatusCode;
use common::{call, citizen_session, clock, household, nid, staff_session};
use serde_json::{Value, json};
