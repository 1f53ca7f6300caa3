//! The JSON API under /api/v1, one file per capability. Handlers take the caller (`auth::Caller`) and
//! the validated input (`extract`), call the app, and answer; a refusal is a `Problem`.

pub mod access;
pub mod appointments;
pub mod crvs;
pub mod cycles;
pub mod events;
pub mod households;
pub mod jobs;
pub mod outlets;
pub mod proxies;
pub mod screening;

pub(crate) use households::{card, outcome_response};
