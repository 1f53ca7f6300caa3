//! The app crate's integration tests as one binary (one link instead of eleven); each module was a
//! test binary of its own and keeps its tests, now one per backend (`NAME::sqlite`, `NAME::postgres`).
//! `common` is shared by path (`common/booking.rs` holds the booking helpers).

#[path = "../common/mod.rs"]
mod common;

mod access;
mod adjustments;
mod allowance;
mod appointments;
mod audit;
mod births_exemptions;
mod civil_search;
mod complaints;
mod crvs;
mod crvs_spec;
mod cycles;
mod declarations;
mod events;
mod home_visits;
mod hub;
mod jobs;
mod payments;
mod proxies;
mod proxy_collection;
mod proxy_screening;
mod redemption;
mod screening;
mod screening_areas;
mod staff;
mod stock;
mod stories;
mod warehouses;
