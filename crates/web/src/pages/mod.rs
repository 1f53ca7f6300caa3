//! The server-rendered pages, one folder or file per capability. A page handler takes the signed-in
//! caller and its validated input as extractors and returns `Result<_, PageError>`; the shared
//! helpers (rendering, language, extractors, notices) live in the crate's top-level modules.

pub mod access;
pub mod appointments;
pub mod assets;
pub mod complaints;
pub mod cycles;
pub mod exemptions;
pub mod households;
pub mod jobs;
pub mod landing;
pub mod outlet;
pub mod outlet_proxy;
pub mod outlets;
pub mod proxies;
pub mod screening;
