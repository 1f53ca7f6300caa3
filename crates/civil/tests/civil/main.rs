//! The civil crate's integration tests as one binary (one link instead of four); each module was a
//! test binary of its own and keeps its tests as they were.

mod cards;
mod hub_server;
mod load;
mod stations;
