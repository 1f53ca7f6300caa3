//! The command tree: every command, its flags and their `TAMWIN_*` variables.

use crate::{hub_http, logging, screen_cmd, sms_http};
use clap::{Parser, Subcommand};
use std::path::PathBuf;

pub(crate) use crate::cli_bench::BenchCommand;

#[derive(Parser)]
#[command(
    name = "tamwin",
    version,
    about = "Tamwin: the electronic ration-card registry (تموين)"
)]
pub(crate) struct Cli {
    /// Database: sqlite://path (embedded default) or postgres://…
    #[arg(
        long,
        env = "TAMWIN_DATABASE_URL",
        default_value = "sqlite://tamwin.db",
        global = true
    )]
    pub(crate) database_url: String,
    /// Days abroad (an exit without a later entry) after which a member's share is held.
    #[arg(
        long,
        env = "TAMWIN_ABROAD_AFTER_DAYS",
        default_value_t = tamwin_app::events::ABROAD_AFTER_DAYS,
        global = true
    )]
    pub(crate) abroad_after_days: i64,
    /// Months a temporary card issued at an update centre lasts.
    #[arg(
        long,
        env = "TAMWIN_TEMPORARY_CARD_MONTHS",
        default_value_t = tamwin_app::temporary_cards::TEMPORARY_CARD_MONTHS,
        value_parser = clap::value_parser!(i64).range(1..=24),
        global = true
    )]
    pub(crate) temporary_card_months: i64,
    /// Days between an auditor confirming a screening finding and its hold taking effect.
    #[arg(
        long,
        env = "TAMWIN_SCREENING_GRACE_DAYS",
        default_value_t = tamwin_app::screening::GRACE_DAYS,
        value_parser = clap::value_parser!(i64).range(0..=90),
        global = true
    )]
    pub(crate) screening_grace_days: i64,
    /// Log lines as text (in colour only on a terminal) or as JSON objects, one a line.
    #[arg(
        long,
        env = "TAMWIN_LOG_FORMAT",
        value_enum,
        default_value_t = logging::LogFormat::Text,
        global = true
    )]
    pub(crate) log_format: logging::LogFormat,
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Serve the API and the web pages.
    Serve {
        #[arg(long, env = "TAMWIN_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        hub: hub_http::HubFlags,
        /// The key that signs appointment forms (created, owner-only, if absent).
        #[arg(long, env = "TAMWIN_FORM_KEY", default_value = "tamwin-forms.key")]
        form_key: PathBuf,
        #[command(flatten)]
        sms: sms_http::SmsFlags,
        #[command(flatten)]
        payments: crate::payments_cmd::PaymentFlags,
        /// When set, `/metrics` answers only requests with `Authorization: Bearer <token>`
        /// (docs/operations.md); unset, it is open to whoever reaches the listen address.
        #[arg(long, env = "TAMWIN_METRICS_TOKEN", hide_env_values = true)]
        metrics_token: Option<String>,
        /// Run the background jobs here (`--jobs=false`: a server that only answers requests).
        #[arg(long, env = "TAMWIN_JOBS", default_value_t = true, action = clap::ArgAction::Set)]
        jobs: bool,
    },
    /// Apply database migrations.
    Migrate,
    /// Write a synthetic population as CSV (docs/formats.md).
    Generate {
        #[arg(long, default_value_t = 1000)]
        households: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Only this governorate (code, e.g. 11 for Karbala).
        #[arg(long)]
        governorate: Option<String>,
        /// Share of people without a unified national ID.
        #[arg(long, default_value_t = 0.03)]
        no_id_share: f64,
        /// Write the screening ground truth instead (people, registry, deaths, exits, collections, truth).
        #[arg(long)]
        screening: bool,
        /// Screening tier: standard, or hard (12% of given and 18% of family names disagree).
        #[arg(long, default_value = "standard")]
        tier: String,
        #[arg(long)]
        out: PathBuf,
    },
    /// Screen people against each other, deaths, exits and the civil registry (files in, findings out).
    Screen(screen_cmd::ScreenArgs),
    /// Import a directory of CSV files (docs/formats.md) into the database.
    Import {
        dir: PathBuf,
        /// Where rejected rows go (default: DIR/rejects.csv).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
    /// Staff accounts.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// API tokens for machine clients (outlet devices, other ministries).
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Update centres: holidays (days a centre, or every centre, does not open).
    Centre {
        #[command(subcommand)]
        command: CentreCommand,
    },
    /// Load benchmarks against a running server (bench/).
    Bench {
        #[command(subcommand)]
        command: BenchCommand,
    },
    /// Device keys: devices that sign each request with their own Ed25519 key (docs/access.md).
    Device {
        #[command(subcommand)]
        command: DeviceCommand,
    },
    /// The identity hub and the reference civil registry (docs/hub-protocol.md).
    Hub {
        #[command(subcommand)]
        command: HubCommand,
    },
    /// The tamper-evident audit log.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Programmes as versioned data (docs/formats.md, "Programme files").
    Programme {
        #[command(subcommand)]
        command: ProgrammeCommand,
    },
    /// The social-protection ministry's lists that eligibility reads (docs/formats.md).
    List {
        #[command(subcommand)]
        command: crate::list_cmd::ListCommand,
    },
    /// Ration agents, flour agents, bakeries and commodity outlets (docs/formats.md, "Outlets file").
    Outlet {
        #[command(subcommand)]
        command: crate::outlet_cmd::OutletCommand,
    },
    /// The ministry's warehouses and the agents each supplies (docs/formats.md, "Warehouses file").
    Warehouse {
        #[command(subcommand)]
        command: crate::warehouse_cmd::WarehouseCommand,
    },
    /// What households declare for eligibility, from a file (docs/formats.md, "Declarations file").
    Declarations {
        #[command(subcommand)]
        command: crate::list_cmd::DeclarationsCommand,
    },
    /// Monthly cycles: draft, dry run, approve (a second account), open, close (docs/distribution.md).
    Cycle {
        #[command(subcommand)]
        command: CycleCommand,
    },
    /// Create a demo database for Karbala, fill it with a synthetic population, and serve it.
    Demo {
        #[arg(long, default_value_t = 50_000)]
        households: u64,
        #[arg(long, env = "TAMWIN_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        /// The demo's own database file (replaced on every run).
        #[arg(long, default_value = "tamwin-demo.db")]
        db: PathBuf,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Start the demo's clock at this instant (RFC 3339) and run on from there, e.g. a weekday
        /// morning for a browser test of a centre's day.
        #[arg(long, env = "TAMWIN_DEMO_CLOCK_START")]
        clock_start: Option<String>,
    },
}

#[derive(Subcommand)]
pub(crate) enum UserCommand {
    /// Add a staff account. The password is read from standard input when it is piped in; otherwise
    /// (or when the input is empty) one is generated and printed once.
    Add {
        #[arg(long)]
        username: String,
        /// ministry_admin, governorate_supervisor, centre_officer, mobile_team_officer, auditor, analyst,
        /// outlet_operator
        #[arg(long)]
        role: String,
        /// nation, a governorate code (11), a district code (1101) or an update-centre code (KRB-C01)
        #[arg(long)]
        area: String,
    },
    /// List staff accounts.
    List,
}

#[derive(Subcommand)]
pub(crate) enum CentreCommand {
    /// Closes a centre (or every centre, `--centre '*'`) on a day; bookings for it are refused.
    Holiday {
        /// An update centre or mobile team code, or `*` for all.
        #[arg(long)]
        centre: String,
        /// `YYYY-MM-DD`.
        #[arg(long)]
        day: String,
        #[arg(long)]
        name: String,
    },
    /// Lists the holidays of the coming year.
    Holidays {
        #[arg(long, default_value = "*")]
        centre: String,
    },
}

#[derive(Subcommand)]
pub(crate) enum TokenCommand {
    /// Create a token; its secret is printed once.
    Create {
        /// Who or what it is for, e.g. "outlet device KRB-0042" or "Ministry of Health".
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        area: String,
        /// Days until it expires (1-365).
        #[arg(long, default_value_t = 90)]
        days: i64,
    },
    /// List tokens.
    List,
    /// Revoke a token at once.
    Revoke { token_id: String },
}

#[derive(Subcommand)]
pub(crate) enum HubCommand {
    /// Load the reference civil registry from persons.csv (docs/formats.md); bad rows go to a reject file.
    Load {
        /// persons.csv, or a directory holding it.
        path: PathBuf,
        /// Where rejected rows go (default: next to the file, civil-rejects.csv).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
    /// Ask the civil registry for the life status of every member of every open card (nightly), so a
    /// missed event cannot leave a card active. Resumes where an interrupted run stopped.
    /// Serve the reference civil registry as the hub on its own (its database: --database-url).
    Serve {
        #[arg(long, env = "TAMWIN_HUB_LISTEN", default_value = "127.0.0.1:8090")]
        listen: String,
        /// The hub's signing key file (created, owner-only, if absent).
        #[arg(long, env = "TAMWIN_HUB_SIGNING_KEY", default_value = "hub.key")]
        key: PathBuf,
        #[arg(long, default_value = "moi-1")]
        key_id: String,
        /// Callback addresses members may use (`sender_uri` must start with one), e.g.
        /// `https://tamwin.mot.gov.iq/crvs`; repeat the flag or separate with commas.
        #[arg(
            long = "allow-callback",
            env = "TAMWIN_HUB_CALLBACKS",
            value_delimiter = ','
        )]
        callbacks: Vec<String>,
        /// A member's default callback base, used when its requests name no `sender_uri` (set at
        /// onboarding, as the SPDCI specification has it): `CLIENT=BASE`, e.g.
        /// `IQ/GOV/MOT/tamwin=https://tamwin.mot.gov.iq/crvs`; repeat or separate with commas.
        #[arg(
            long = "client-callback",
            env = "TAMWIN_HUB_CLIENT_CALLBACKS",
            value_delimiter = ','
        )]
        client_callbacks: Vec<String>,
    },
    /// Register a member organisation's public key with the hub.
    MemberKey {
        /// `IQ/GOV/MOT`.
        #[arg(long)]
        member: String,
        #[arg(long)]
        key_id: String,
        /// 64 hex digits.
        #[arg(long)]
        public_key: String,
    },
    /// Record a death, exit or entry at the registry; the serving hub notifies subscribers.
    Event {
        /// `death`, `exit` or `entry`.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        national_id: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        /// The registry's event id (generated if absent).
        #[arg(long)]
        id: Option<String>,
        #[arg(long, env = "TAMWIN_HUB_SIGNING_KEY", default_value = "hub.key")]
        key: PathBuf,
        #[arg(long, default_value = "moi-1")]
        key_id: String,
    },
    /// Issue a unified card with a signed QR, optionally delivered home.
    CardIssue {
        #[arg(long)]
        national_id: String,
        /// Open a "your card at home" delivery order to this address.
        #[arg(long)]
        deliver_to: Option<String>,
        /// Write the QR as SVG to this file.
        #[arg(long)]
        svg: Option<PathBuf>,
        #[arg(long, env = "TAMWIN_HUB_SIGNING_KEY", default_value = "hub.key")]
        key: PathBuf,
        #[arg(long, default_value = "moi-1")]
        key_id: String,
    },
    /// Move a delivery order on: printed, out_for_delivery, delivered, failed.
    CardDelivery {
        #[arg(long)]
        order: String,
        #[arg(long)]
        status: String,
        #[arg(long, default_value = "")]
        note: String,
        #[arg(long, env = "TAMWIN_HUB_SIGNING_KEY", default_value = "hub.key")]
        key: PathBuf,
        #[arg(long, default_value = "moi-1")]
        key_id: String,
    },
    /// Add a civil registry office or mobile station.
    StationAdd {
        /// `office` or `mobile`.
        #[arg(long)]
        kind: String,
        #[arg(long)]
        name: String,
        /// Four-digit district code.
        #[arg(long)]
        district: String,
    },
    /// Schedule a mobile station's day at a care home, camp, remote area or hospital.
    VisitSchedule {
        #[arg(long)]
        site: String,
        /// `care_home`, `camp`, `remote_area`, `hospital`.
        #[arg(long)]
        place_kind: String,
        #[arg(long)]
        place_name: String,
        #[arg(long)]
        district: String,
        /// YYYY-MM-DD.
        #[arg(long)]
        date: String,
        #[arg(long, default_value = "09:00")]
        starts: String,
        #[arg(long, default_value = "14:00")]
        ends: String,
    },
    /// Record a person registered at today's visit.
    VisitRegister {
        #[arg(long)]
        visit: String,
        #[arg(long)]
        national_id: String,
        /// `card_application`, `card_with_delivery`, `record_update`.
        #[arg(long, default_value = "card_application")]
        service: String,
    },
    /// Close a visit (or cancel one nobody was registered at).
    VisitClose {
        #[arg(long)]
        visit: String,
        #[arg(long)]
        cancel: bool,
    },
    /// The stations' schedule between two dates, with the people registered at each visit.
    Visits {
        #[arg(long)]
        from: String,
        #[arg(long)]
        to: String,
    },
    /// Subscribe Tamwin to the registry's vital events (over HTTP).
    Subscribe {
        /// Tamwin's listening address (for the default callback URI).
        #[arg(long, env = "TAMWIN_LISTEN", default_value = "127.0.0.1:8080")]
        listen: String,
        #[command(flatten)]
        hub: hub_http::HubFlags,
    },
    Reconcile {
        /// Cards per batch (the resume point is saved after each).
        #[arg(long, default_value_t = 500)]
        batch: u32,
        /// Start from the first card even if the last run stopped midway.
        #[arg(long)]
        restart: bool,
    },
}

#[derive(Subcommand)]
pub(crate) enum DeviceCommand {
    /// Register a device's public key.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        role: String,
        #[arg(long)]
        area: String,
        /// Ed25519 public key, 64 hex digits.
        #[arg(long)]
        public_key: String,
    },
    /// List devices.
    List,
    /// Revoke a device at once.
    Revoke { device_id: String },
}

#[derive(Subcommand)]
pub(crate) enum AuditCommand {
    /// Walk every chain; exit 1 naming the first modified, deleted or reordered entry. With
    /// --checkpoint, also check that the log still contains every head the signed checkpoint recorded.
    Verify {
        /// A checkpoint file written by `tamwin audit checkpoint`.
        #[arg(long)]
        checkpoint: Option<PathBuf>,
        /// The trusted public key (hex) the checkpoint must be signed with; default: the server key's.
        #[arg(long)]
        public_key: Option<String>,
        #[arg(long, env = "TAMWIN_SERVER_KEY", default_value = "tamwin-server.key")]
        key: PathBuf,
    },
    /// Print a checkpoint (the head of every chain, signed with the server key) to keep outside the system.
    Checkpoint {
        /// The server's Ed25519 key file; created on first use.
        #[arg(long, env = "TAMWIN_SERVER_KEY", default_value = "tamwin-server.key")]
        key: PathBuf,
    },
}

#[derive(Subcommand)]
pub(crate) enum ProgrammeCommand {
    /// Check programme files and add their new versions (versions already stored must be unchanged).
    Import { files: Vec<PathBuf> },
    /// The programmes and the version each is at.
    List,
    /// A programme with its history of versions, as JSON.
    Show { code: String },
}

#[derive(Subcommand)]
pub(crate) enum CycleCommand {
    /// Draft the cycle of a programme for a month and governorate.
    Draft {
        #[arg(long)]
        programme: String,
        /// `YYYY-MM`.
        #[arg(long)]
        month: String,
        /// A governorate code, e.g. 11 for Karbala.
        #[arg(long)]
        governorate: String,
        /// The staff account drafting it.
        #[arg(long = "as")]
        r#as: String,
    },
    /// What a cycle would hold, before approval: counts by district, each item's total, and with
    /// `--agents-csv` each agent's quantities, with `--warehouses-csv` each warehouse's.
    DryRun {
        /// A drafted cycle; or give --programme and --month, and --governorate (else the nation).
        cycle: Option<String>,
        #[arg(long)]
        programme: Option<String>,
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        governorate: Option<String>,
        #[arg(long)]
        agents_csv: Option<PathBuf>,
        #[arg(long)]
        warehouses_csv: Option<PathBuf>,
        /// With a cycle: who enters, leaves and changes against the previous cycle, and why.
        #[arg(long)]
        changes_csv: Option<PathBuf>,
    },
    /// Approve another's draft (four eyes) and generate its entitlements here, with a progress bar.
    Approve {
        cycle: String,
        #[arg(long = "as")]
        r#as: String,
        /// Only approve: a server's job runner generates it.
        #[arg(long)]
        no_generate: bool,
    },
    /// Generate the approved cycles waiting (a server's job runner does it too), with a progress bar;
    /// the approved cycles of one programme's month are generated together, in one pass.
    Generate,
    /// Open a generated cycle: outlets may hand out its entitlements.
    Open {
        cycle: String,
        #[arg(long = "as")]
        r#as: String,
    },
    /// Close an open cycle.
    Close {
        cycle: String,
        #[arg(long = "as")]
        r#as: String,
    },
    /// Adjust one item of a household's entitlement in an approved or open cycle, with the reason
    /// (an explicit, audited line; the item's line never goes below zero).
    Adjust {
        cycle: String,
        /// The household's ration card number.
        #[arg(long)]
        card: String,
        /// The item's code, e.g. rice.
        #[arg(long)]
        item: String,
        /// Signed, in the item's unit: grams, millilitres, loaves, fils or piastres.
        #[arg(long, allow_hyphen_values = true)]
        amount: i64,
        #[arg(long)]
        reason: String,
        #[arg(long = "as")]
        r#as: String,
    },
    /// A cycle's status, or the cycles of a month and governorate.
    Status {
        cycle: Option<String>,
        #[arg(long)]
        month: Option<String>,
        #[arg(long)]
        governorate: Option<String>,
    },
}
