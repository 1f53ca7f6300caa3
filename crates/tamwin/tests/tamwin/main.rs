//! The binary's integration tests as one test binary (one link instead of two); each module was a
//! test binary of its own and keeps its tests as they were.

mod cli;
mod screen_cli;
