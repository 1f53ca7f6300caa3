//! The reference civil registry: persons with their unified-card data, life events, phone and
//! fingerprint digest, as the Interior Ministry keeps them. It plays the ministry behind the identity
//! hub for the demo and the tests (`docs/hub-protocol.md`).

pub mod cards;
mod codes;
pub mod crvs;
pub mod in_process;
pub mod load;
pub mod search;
pub mod server;
mod services;
pub mod stations;
