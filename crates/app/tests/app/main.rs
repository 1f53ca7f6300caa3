//! The app crate's integration tests as one binary (one link instead of eleven); each module was a
//! test binary of its own and keeps its tests, now one per backend (`NAME::sqlite`, `NAME::postgres`).
//! `common` stays beside the test files that are still binaries of their own.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod audit;
mod births_exemptions;
mod civil_search;
mod crvs;
mod crvs_spec;
mod events;
mod home_visits;
mod hub;
mod jobs;
mod screening;
mod screening_areas;
mod staff;
mod stories;
