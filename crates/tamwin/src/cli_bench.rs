//! `tamwin bench …`: the benchmarks' commands and their flags (bench/*.sh run them).

use clap::Subcommand;
use std::path::PathBuf;

#[derive(Subcommand)]
pub(crate) enum BenchCommand {
    /// Households of a governorate book appointments at once over HTTP, each client on one connection;
    /// then every slot is counted against its capacity. Needs the server's database (global flag).
    Booking {
        /// The server, `http://host:port`.
        #[arg(long)]
        url: String,
        /// An API token allowed to book in the governorate (`tamwin token create`).
        #[arg(long, env = "TAMWIN_BENCH_TOKEN")]
        token: String,
        #[arg(long, default_value_t = 2000)]
        households: usize,
        #[arg(long, default_value_t = 200)]
        clients: usize,
        #[arg(long, default_value = "11")]
        governorate: String,
    },
    /// Outlet devices collecting at once over HTTP, each request signed with its key (bench/redeem.sh):
    /// this month's basket opened, the devices and the cards' QR made first on the server's database
    /// (global flag), which must share the server's form key.
    Redeem {
        #[arg(long)]
        url: String,
        #[arg(long, default_value_t = 16)]
        devices: usize,
        #[arg(long, default_value_t = 20)]
        seconds: u64,
        #[arg(long, default_value = "11")]
        governorate: String,
        /// The server's form key (`tamwin serve --form-key`).
        #[arg(long)]
        form_key: PathBuf,
        /// Write each acknowledged collection (device, transaction id) here.
        #[arg(long)]
        acks: Option<PathBuf>,
    },
    /// After `bench redeem` runs: every acknowledged collection present once, no line beyond its
    /// entitlement, every line equal to its collections; exits non-zero otherwise.
    RedeemCheck {
        acks: Vec<PathBuf>,
        #[arg(long, default_value = "11")]
        governorate: String,
    },
    /// The fictitious kind on a screening tier (`generate --screening`): the direct read of the civil
    /// registry beside the hub's batched search, in-process and over HTTP. Loads registry.csv into
    /// the database (global flag) when its civil registry is empty.
    Fictitious {
        /// The directory `generate --screening` wrote.
        dir: PathBuf,
    },
}
