//! The web crate's HTTP tests as one binary (one link instead of eight); each module was a test
//! binary of its own and keeps its tests, now one per backend (`NAME::sqlite`, `NAME::postgres`).
//! `common` is shared by path.

#[path = "../common/mod.rs"]
mod common;

mod access;
mod headers;
mod http;
mod landing;
mod local_time;
mod notices;
mod numbers;
mod refusals;
mod screening;
