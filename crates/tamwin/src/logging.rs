//! Where the log goes and in what form (issue 14, point 8). Lines go to stderr, filtered by
//! `TAMWIN_LOG` (default `info,sqlx=warn`); in colour only when stderr is a terminal (and `NO_COLOR`
//! is unset), so a log captured to a file or read by a collector holds no escape codes; as JSON lines
//! with `--log-format json` (`TAMWIN_LOG_FORMAT`), one object per event with its request's span
//! (`request_id`, method, route), for a log collector in production.

use std::io::IsTerminal;
use tracing_subscriber::EnvFilter;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Text,
    /// One JSON object per line.
    Json,
}

pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env("TAMWIN_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let fmt = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => fmt
            .json()
            .with_current_span(true)
            .with_span_list(false)
            .init(),
        LogFormat::Text => fmt
            .with_ansi(std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none())
            .init(),
    }
}
