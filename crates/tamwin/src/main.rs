//! The `tamwin` command: serve, demo, migrate, generate, import.

mod access_cmd;
mod bench_cmd;
mod bench_fictitious;
mod hub_cmd;
mod hub_http;
mod owner_only;
mod screen_cmd;
mod screen_files;
mod sms_http;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::path::PathBuf;
use std::sync::Arc;
use tamwin_app::appointments::FormKeys;
use tamwin_app::{RandomIds, Registry, SystemClock};
use tamwin_domain::Geography;

#[derive(Parser)]
#[command(
    name = "tamwin",
    version,
    about = "Tamwin: the electronic ration-card registry (تموين)"
)]
struct Cli {
    /// Database: sqlite://path (embedded default) or postgres://…
    #[arg(
        long,
        env = "TAMWIN_DATABASE_URL",
        default_value = "sqlite://tamwin.db",
        global = true
    )]
    database_url: String,
    /// Days abroad (an exit without a later entry) after which a member's share is held.
    #[arg(
        long,
        env = "TAMWIN_ABROAD_AFTER_DAYS",
        default_value_t = tamwin_app::events::ABROAD_AFTER_DAYS,
        global = true
    )]
    abroad_after_days: i64,
    /// Months a temporary card issued at an update centre lasts.
    #[arg(
        long,
        env = "TAMWIN_TEMPORARY_CARD_MONTHS",
        default_value_t = tamwin_app::temporary_cards::TEMPORARY_CARD_MONTHS,
        value_parser = clap::value_parser!(i64).range(1..=24),
        global = true
    )]
    temporary_card_months: i64,
    /// Days between an auditor confirming a screening finding and its hold taking effect.
    #[arg(
        long,
        env = "TAMWIN_SCREENING_GRACE_DAYS",
        default_value_t = tamwin_app::screening::GRACE_DAYS,
        value_parser = clap::value_parser!(i64).range(0..=90),
        global = true
    )]
    screening_grace_days: i64,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
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
enum UserCommand {
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
enum CentreCommand {
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
enum BenchCommand {
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
    /// The fictitious kind on a screening tier (`generate --screening`): the direct read of the civil
    /// registry beside the hub's batched search, in-process and over HTTP. Loads registry.csv into
    /// the database (global flag) when its civil registry is empty.
    Fictitious {
        /// The directory `generate --screening` wrote.
        dir: PathBuf,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
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
enum DeviceCommand {
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
enum AuditCommand {
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

type Error = Box<dyn std::error::Error + Send + Sync>;

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("TAMWIN_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("tamwin: cannot start the runtime: {e}");
            std::process::exit(1);
        }
    };
    if let Err(e) = rt.block_on(run(cli)) {
        eprintln!("tamwin: {e}");
        std::process::exit(1);
    }
}

/// What every command reads from the global flags.
struct Settings {
    database_url: String,
    abroad_after_days: i64,
    temporary_card_months: i64,
    screening_grace_days: i64,
}

/// The configured database, migrated (the hub's commands work on the store alone).
async fn migrated_store(cli: &Settings) -> Result<Arc<dyn tamwin_store::Store>, Error> {
    let store = tamwin_store::connect(&cli.database_url).await?;
    store.migrate().await?;
    Ok(store)
}

async fn registry(cli: &Settings) -> Result<Arc<Registry>, Error> {
    Ok(Arc::new(new_registry(&cli.database_url, cli).await?))
}

/// The registry on a database, migrated, with the programme's rules from the flags.
async fn new_registry(url: &str, cli: &Settings) -> Result<Registry, Error> {
    let store = tamwin_store::connect(url).await?;
    let mut reg = Registry::new(
        store,
        Arc::new(Geography::builtin()?),
        Arc::new(SystemClock),
        Arc::new(RandomIds),
    );
    reg.abroad_after_days = cli.abroad_after_days;
    reg.temporary_card_months = cli.temporary_card_months;
    reg.screening_grace_days = cli.screening_grace_days;
    reg.prepare().await?;
    Ok(reg)
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(
        "{msg:10} [{elapsed_precise}] {wide_bar} {pos}/{len} ({per_sec}, eta {eta})",
    ) {
        pb.set_style(style);
    }
    pb.set_message(what.to_string());
    pb
}

/// The appointment forms' signing key, named after its public key so that a new key is a new id.
fn form_keys(path: &std::path::Path, now: jiff::Timestamp) -> Result<FormKeys, Error> {
    let (key, created) = tamwin_app::audit::ServerKey::load_or_create(path)?;
    if created {
        eprintln!("created the form signing key {}", path.display());
    }
    let id = format!("forms-{}", &key.public_hex()[..8]);
    // Trusted from a day back: forms signed just before a restart on a slightly different clock.
    let from = now.as_second() - 86_400;
    Ok(FormKeys::single(&id, key.signing_key().clone(), from)?)
}

async fn serve(reg: Arc<Registry>, listen: &str, demo: bool) -> Result<(), Error> {
    let listener = tokio::net::TcpListener::bind(listen).await?;
    // Vital events that wait (a parent registered since, an exit whose six months have passed, an
    // exemption that ended) are applied by a pass every ten minutes.
    let pending = reg.clone();
    // A screening run cut short by a stop is run again.
    match reg.resume_screening().await {
        Ok(Some(id)) => tracing::info!("resumed screening run {id}"),
        Ok(None) => {}
        Err(e) => tracing::warn!("screening resume: {}", e.describe().3),
    }
    tokio::spawn(async move {
        loop {
            match pending.apply_pending_events(500).await {
                Ok(0) => {}
                Ok(n) => tracing::info!("applied {n} waiting vital events"),
                Err(e) => tracing::warn!("waiting vital events: {}", e.describe().3),
            }
            // Tomorrow's appointments are reminded; past days' unattended ones free their places.
            match pending.send_reminders().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("sent {n} appointment reminders"),
                Err(e) => tracing::warn!("appointment reminders: {}", e.describe().3),
            }
            // Temporary cards: converted once the unified card is linked and valid, held when run out.
            if pending.hub.is_some() {
                match pending.convert_temporary_cards().await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!("converted {n} temporary cards"),
                    Err(e) => tracing::warn!("temporary card conversion: {}", e.describe().3),
                }
            }
            match pending.expire_temporary_cards().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("expired {n} temporary cards"),
                Err(e) => tracing::warn!("temporary card expiry: {}", e.describe().3),
            }
            match pending.release_no_shows().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("released {n} missed appointments"),
                Err(e) => tracing::warn!("missed appointments: {}", e.describe().3),
            }
            // Sign-in throttle counters past any use are dropped.
            if let Err(e) = pending.forget_throttles().await {
                tracing::warn!("sign-in throttle: {}", e.describe().3);
            }
            // Confirmed screening findings whose grace period has ended become holds.
            match pending.apply_due_findings().await {
                Ok(0) => {}
                Ok(n) => tracing::info!("placed {n} holds from confirmed screening findings"),
                Err(e) => tracing::warn!("screening holds: {}", e.describe().3),
            }
            tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        }
    });
    println!(
        "Tamwin is serving on http://{}/ (API docs: http://{}/api/docs)",
        listener.local_addr()?,
        listener.local_addr()?
    );
    tamwin_web::serve(listener, reg, demo, async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}

fn generate(
    cfg: &tamwin_synth::Config,
    out: &std::path::Path,
) -> Result<tamwin_synth::Summary, Error> {
    let pb = bar(cfg.households, "generate");
    let s = tamwin_synth::generate(cfg, &Geography::builtin()?, out, &|n| pb.set_position(n))?;
    pb.finish();
    Ok(s)
}

fn generate_screening(
    households: u64,
    seed: u64,
    tier: &str,
    out: &std::path::Path,
) -> Result<(), Error> {
    let tier = match tier {
        "standard" => tamwin_synth::Tier::Standard,
        "hard" => tamwin_synth::Tier::Hard,
        other => return Err(format!("unknown tier {other} (standard or hard)").into()),
    };
    let cfg = tamwin_synth::ScreeningConfig {
        households,
        seed,
        tier,
        ..Default::default()
    };
    let pb = bar(households, "generate");
    let s = tamwin_synth::generate_screening(&cfg, &Geography::builtin()?, out, &|n| {
        pb.set_position(n)
    })?;
    pb.finish();
    println!(
        "wrote {} members ({} on a second card, {} fictitious, {} twin and {} namesake look-alikes), {} civil-registry persons, {} death records ({} of members), {} exit records ({} of members), collections ({} silent cards) to {}",
        s.people,
        s.duplicates,
        s.fictitious,
        s.twins,
        s.namesakes,
        s.registry,
        s.deaths,
        s.member_deaths,
        s.exits,
        s.member_exits,
        s.silent,
        out.display()
    );
    Ok(())
}

async fn import(
    reg: &Registry,
    dir: &std::path::Path,
    rejects: &std::path::Path,
    expected_members: u64,
) -> Result<(), Error> {
    let pb = bar(expected_members, "import");
    let p = pb.clone();
    let started = std::time::Instant::now();
    let report =
        tamwin_app::import::import_dir(reg, dir, rejects, Arc::new(move |n| p.set_position(n)))
            .await?;
    pb.finish();
    println!(
        "imported {} households, {} members, {} holds, {} agents in {:.1} s; {} households already present; rejected {} households ({} reject rows in {})",
        report.households,
        report.members,
        report.holds,
        report.agents,
        started.elapsed().as_secs_f64(),
        report.already_present,
        report.rejected_households,
        report.rejected_rows,
        report.rejects.display()
    );
    if report.row_by_row_batches > 0 {
        // Slow on PostgreSQL: say why, so that the operator can look at the reject file.
        println!(
            "{} batches were refused whole by the database and written one household at a time",
            report.row_by_row_batches
        );
    }
    Ok(())
}

/// Rows in members.csv, for the progress bar's length.
fn count_members(dir: &std::path::Path) -> u64 {
    count_lines(&dir.join("members.csv"))
}

/// Data rows of a CSV file (lines less the header).
fn count_lines(file: &std::path::Path) -> u64 {
    use std::io::Read;
    // Streamed: the files of a whole country are several gigabytes.
    let Ok(mut f) = std::fs::File::open(file) else {
        return 0;
    };
    let mut buf = vec![0u8; 1 << 20];
    let mut lines = 0u64;
    while let Ok(n) = f.read(&mut buf) {
        if n == 0 {
            break;
        }
        lines += buf[..n].iter().filter(|c| **c == b'\n').count() as u64;
    }
    lines.saturating_sub(1)
}

async fn run(cli: Cli) -> Result<(), Error> {
    let rules = Settings {
        database_url: cli.database_url.clone(),
        abroad_after_days: cli.abroad_after_days,
        temporary_card_months: cli.temporary_card_months,
        screening_grace_days: cli.screening_grace_days,
    };
    match cli.command {
        Command::Serve {
            listen,
            hub,
            form_key,
            sms,
        } => {
            // Checked first: a server that cannot deliver sign-in codes does not start by mistake.
            let gateway = sms_http::gateway(&sms)?;
            let mut reg = new_registry(&rules.database_url, &rules).await?;
            reg.sms = gateway;
            reg.forms = Some(Arc::new(form_keys(&form_key, reg.clock.now())?));
            hub_http::connect(&mut reg, &hub, &listen)?;
            if reg.hub.is_none() {
                hub_cmd::embed_civil_search(&mut reg).await?;
            }
            serve(Arc::new(reg), &listen, false).await
        }
        Command::Hub {
            command:
                HubCommand::Serve {
                    listen,
                    key,
                    key_id,
                    callbacks,
                    client_callbacks,
                },
        } => {
            let store = migrated_store(&rules).await?;
            let defaults = client_callbacks
                .iter()
                .map(|c| {
                    c.split_once('=')
                        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                        .ok_or_else(|| format!("--client-callback {c}: CLIENT=BASE expected"))
                })
                .collect::<Result<Vec<_>, _>>()?;
            let server = hub_http::server(store, &key, &key_id, callbacks, defaults)?;
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            println!(
                "The reference civil registry (hub) is serving on http://{}/",
                listener.local_addr()?
            );
            hub_http::serve(server, listener, async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
        }
        Command::Hub {
            command:
                HubCommand::MemberKey {
                    member,
                    key_id,
                    public_key,
                },
        } => {
            let store = migrated_store(&rules).await?;
            if tamwin_hub::unhex(&public_key).is_none_or(|b| b.len() != 32) {
                return Err("--public-key: 64 hex digits".into());
            }
            store
                .save_hub_key(&tamwin_store::HubKey {
                    member: member.clone(),
                    key_id: key_id.clone(),
                    public_key: public_key.to_lowercase(),
                    valid_from: jiff::Timestamp::now(),
                    valid_until: None,
                })
                .await?;
            println!("registered key {key_id} of {member}");
            Ok(())
        }
        Command::Hub {
            command:
                HubCommand::Event {
                    kind,
                    national_id,
                    date,
                    id,
                    key,
                    key_id,
                },
        } => {
            let store = migrated_store(&rules).await?;
            let server = hub_http::server(store, &key, &key_id, vec![], vec![])?;
            let new = server
                .record_event(&tamwin_civil::crvs::NewEvent {
                    event_id: id.unwrap_or_else(|| {
                        format!("moi-{}", jiff::Timestamp::now().as_nanosecond())
                    }),
                    kind,
                    national_id,
                    date,
                    newborn: None,
                    parents: vec![],
                })
                .await?;
            println!(
                "{}",
                if new {
                    "recorded; subscribers are notified by the serving hub"
                } else {
                    "already recorded"
                }
            );
            Ok(())
        }
        Command::Hub {
            command:
                HubCommand::CardIssue {
                    national_id,
                    deliver_to,
                    svg,
                    key,
                    key_id,
                },
        } => {
            let server =
                hub_http::server(migrated_store(&rules).await?, &key, &key_id, vec![], vec![])?;
            let (card, order) = server
                .issue_card(&national_id, deliver_to.as_deref())
                .await?;
            println!(
                "card {} issued, valid until {}",
                card.card_number, card.expires_at
            );
            println!("QR: {}", card.qr);
            if let Some(o) = order {
                println!("delivery order {} ({})", o.order_id, o.status);
            }
            if let Some(path) = svg {
                std::fs::write(
                    &path,
                    tamwin_card::qr_svg(&card.qr).map_err(|e| e.message_en())?,
                )?;
                println!("QR written to {}", path.display());
            }
            Ok(())
        }
        Command::Hub {
            command:
                HubCommand::CardDelivery {
                    order,
                    status,
                    note,
                    key,
                    key_id,
                },
        } => {
            let server =
                hub_http::server(migrated_store(&rules).await?, &key, &key_id, vec![], vec![])?;
            let d = server.advance_delivery(&order, &status, &note).await?;
            println!("order {}: {}", d.order_id, d.status);
            Ok(())
        }
        Command::Hub {
            command:
                command @ (HubCommand::StationAdd { .. }
                | HubCommand::VisitSchedule { .. }
                | HubCommand::VisitRegister { .. }
                | HubCommand::VisitClose { .. }
                | HubCommand::Visits { .. }),
        } => hub_cmd::stations(migrated_store(&rules).await?.as_ref(), command).await,
        Command::Hub {
            command: HubCommand::Subscribe { listen, hub },
        } => {
            let mut reg = new_registry(&rules.database_url, &rules).await?;
            hub_http::connect(&mut reg, &hub, &listen)?;
            if reg.hub.is_none() {
                return Err("--hub-url is needed".into());
            }
            let c = reg.crvs_subscribe().await.map_err(|e| e.describe().3)?;
            println!(
                "subscription acknowledged (correlation id {c}); the hub confirms to the callback"
            );
            Ok(())
        }
        Command::Hub {
            command: HubCommand::Load { path, rejects },
        } => {
            let store = tamwin_store::connect(&cli.database_url).await?;
            store.migrate().await?;
            let file = if path.is_dir() {
                path.join("persons.csv")
            } else {
                path.clone()
            };
            let rejects = rejects.unwrap_or_else(|| {
                file.parent()
                    .unwrap_or(std::path::Path::new("."))
                    .join("civil-rejects.csv")
            });
            let pb = bar(count_lines(&file), "load");
            let p = pb.clone();
            let started = std::time::Instant::now();
            let r = tamwin_civil::load::load_persons(
                store,
                &file,
                &rejects,
                Arc::new(move |n| p.set_position(n)),
            )
            .await?;
            pb.finish();
            let secs = started.elapsed().as_secs_f64();
            println!(
                "loaded {} persons into the civil registry in {secs:.1} s ({:.0}/s); rejected {} rows ({})",
                r.persons,
                r.persons as f64 / secs.max(0.001),
                r.rejected,
                r.rejects.display()
            );
            Ok(())
        }
        Command::Hub {
            command: HubCommand::Reconcile { batch, restart },
        } => {
            // The embedded default: the reference registry lives in the same database.
            let mut reg = new_registry(&rules.database_url, &rules).await?;
            hub_cmd::embed(&mut reg).await?;
            hub_cmd::reconcile(&reg, batch, restart).await
        }
        Command::Device { command } => {
            let reg = registry(&rules).await?;
            match command {
                DeviceCommand::Add {
                    name,
                    role,
                    area,
                    public_key,
                } => access_cmd::device_add(&reg, &name, &role, &area, &public_key).await,
                DeviceCommand::List => access_cmd::device_list(&reg).await,
                DeviceCommand::Revoke { device_id } => {
                    access_cmd::device_revoke(&reg, &device_id).await
                }
            }
        }
        Command::Centre {
            command: CentreCommand::Holiday { centre, day, name },
        } => {
            let reg = registry(&rules).await?;
            let d = tamwin_domain::household::parse_date(&day).ok_or("--day: YYYY-MM-DD")?;
            let known = centre == "*"
                || reg.geo.centre(&centre).is_some()
                || reg
                    .store
                    .teams()
                    .await?
                    .iter()
                    .any(|t| t.team_code == centre);
            if !known {
                return Err(format!("--centre: unknown centre or team {centre}").into());
            }
            if name.trim().is_empty() {
                return Err("--name: the holiday's name is needed".into());
            }
            reg.store
                .save_holiday(&centre, &d.to_string(), name.trim())
                .await?;
            println!("{centre} closed on {d}: {}", name.trim());
            Ok(())
        }
        Command::Centre {
            command: CentreCommand::Holidays { centre },
        } => {
            let reg = registry(&rules).await?;
            let today = reg.clock.today();
            let until = today.saturating_add(jiff::Span::new().days(366));
            for d in reg
                .store
                .holidays(&centre, &today.to_string(), &until.to_string())
                .await?
            {
                println!("{d}");
            }
            Ok(())
        }
        Command::Bench {
            command:
                BenchCommand::Booking {
                    url,
                    token,
                    households,
                    clients,
                    governorate,
                },
        } => {
            let reg = registry(&rules).await?;
            bench_cmd::booking(&reg, &url, &token, households, clients, &governorate).await
        }
        Command::Bench {
            command: BenchCommand::Fictitious { dir },
        } => {
            let reg = registry(&rules).await?;
            bench_fictitious::fictitious_kind(reg.store.clone(), &dir).await
        }
        Command::Token { command } => {
            let reg = registry(&rules).await?;
            match command {
                TokenCommand::Create {
                    name,
                    role,
                    area,
                    days,
                } => access_cmd::token_create(&reg, &name, &role, &area, days).await,
                TokenCommand::List => access_cmd::token_list(&reg).await,
                TokenCommand::Revoke { token_id } => {
                    access_cmd::token_revoke(&reg, &token_id).await
                }
            }
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    area,
                },
        } => {
            use std::io::{IsTerminal, Read};
            let mut piped = String::new();
            if !std::io::stdin().is_terminal() {
                std::io::stdin().read_to_string(&mut piped)?;
            }
            let piped = piped.trim_end_matches(['\r', '\n']);
            let password = (!piped.is_empty()).then_some(piped);
            let reg = registry(&rules).await?;
            match reg
                .add_staff(
                    &username,
                    &role,
                    &area,
                    password,
                    &tamwin_app::Actor::system("cli"),
                )
                .await
            {
                Ok((acct, generated)) => {
                    println!(
                        "added {} ({}, area {})",
                        acct.username,
                        acct.role.code(),
                        acct.area.code()
                    );
                    if let Some(p) = generated {
                        println!("password (shown once): {p}");
                    }
                    Ok(())
                }
                Err(tamwin_app::AppError::Validation(v)) => Err(v.to_string().into()),
                Err(e) => Err(e.describe().3.into()),
            }
        }
        Command::User {
            command: UserCommand::List,
        } => {
            let reg = registry(&rules).await?;
            let all = reg
                .staff_list(&tamwin_app::Actor::system("cli"))
                .await
                .map_err(|e| e.describe().3)?;
            for u in all {
                let locked = u
                    .locked_until
                    .map(|t| format!(" locked until {t}"))
                    .unwrap_or_default();
                println!(
                    "{}\t{}\t{}{locked}",
                    u.account.username,
                    u.account.role.code(),
                    u.account.area.code()
                );
            }
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Checkpoint { key },
        } => {
            let reg = registry(&rules).await?;
            let (key, created) = tamwin_app::audit::ServerKey::load_or_create(&key)?;
            if created {
                eprintln!(
                    "created the server key; its public key is {}",
                    key.public_hex()
                );
            }
            let cp = tamwin_app::audit::checkpoint(&reg, &key).await?;
            println!("{}", serde_json::to_string_pretty(&cp)?);
            Ok(())
        }
        Command::Audit {
            command:
                AuditCommand::Verify {
                    checkpoint,
                    public_key,
                    key,
                },
        } => {
            let reg = registry(&rules).await?;
            let pb = ProgressBar::new_spinner();
            let p = pb.clone();
            let outcome =
                tamwin_app::audit::verify(&reg, &move |n| p.set_message(format!("{n} entries")))
                    .await?;
            pb.finish_and_clear();
            match outcome {
                Ok(r) => {
                    println!(
                        "audit log intact: {} entries in {} chains",
                        r.entries, r.chains
                    );
                    let Some(path) = checkpoint else {
                        return Ok(());
                    };
                    let cp: tamwin_domain::audit::Checkpoint =
                        serde_json::from_str(&std::fs::read_to_string(&path)?)?;
                    let trusted = match public_key {
                        Some(k) => k,
                        None => {
                            if !key.exists() {
                                return Err(format!(
                                    "{}: no server key to trust; give --public-key",
                                    key.display()
                                )
                                .into());
                            }
                            tamwin_app::audit::ServerKey::load_or_create(&key)?
                                .0
                                .public_hex()
                        }
                    };
                    match tamwin_app::audit::verify_checkpoint(&reg, &cp, &trusted).await? {
                        Ok(()) => {
                            println!("checkpoint of {} holds", cp.at);
                            Ok(())
                        }
                        Err(f) => {
                            println!("checkpoint of {} does not hold: {}", cp.at, f.describe());
                            std::process::exit(1);
                        }
                    }
                }
                Err(f) => {
                    println!(
                        "audit log broken: chain {} position {}{}: {}",
                        f.chain,
                        f.position,
                        f.entry_id
                            .map(|e| format!(" (entry {e})"))
                            .unwrap_or_default(),
                        f.kind.code()
                    );
                    std::process::exit(1);
                }
            }
        }
        Command::Migrate => {
            let store = tamwin_store::connect(&cli.database_url).await?;
            let n = store.migrate().await?;
            println!("{n} migration(s) applied");
            Ok(())
        }
        Command::Generate {
            households,
            seed,
            governorate,
            no_id_share,
            screening,
            tier,
            out,
        } => {
            if screening {
                return generate_screening(households, seed, &tier, &out);
            }
            let cfg = tamwin_synth::Config {
                households,
                seed,
                governorate,
                no_id_share,
                ..Default::default()
            };
            let s = generate(&cfg, &out)?;
            println!(
                "wrote {} households, {} members, {} agents, {} holds ({} twins, {} namesakes, {} without ID), {} civil-registry persons ({} deceased, {} abroad, {} without a card; {} ration members left out) to {}",
                s.households,
                s.members,
                s.agents,
                s.holds,
                s.twins,
                s.namesakes,
                s.without_id,
                s.civil_persons,
                s.civil_deceased,
                s.civil_abroad,
                s.civil_without_card,
                s.civil_missing,
                out.display()
            );
            Ok(())
        }
        Command::Screen(args) => screen_cmd::run(args),
        Command::Import { dir, rejects } => {
            let reg = registry(&rules).await?;
            let rejects = rejects.unwrap_or_else(|| dir.join("rejects.csv"));
            import(&reg, &dir, &rejects, count_members(&dir)).await
        }
        Command::Demo {
            households,
            listen,
            db,
            seed,
            clock_start,
        } => {
            for suffix in ["", "-wal", "-shm"] {
                let mut p = db.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(PathBuf::from(p));
            }
            let url = format!("sqlite://{}", db.display());
            let mut reg = new_registry(&url, &rules).await?;
            if let Some(start) = clock_start {
                let start: jiff::Timestamp = start
                    .parse()
                    .map_err(|e| format!("--clock-start {start}: {e}"))?;
                let offset = start.duration_since(jiff::Timestamp::now());
                reg.clock = Arc::new(tamwin_app::OffsetClock(offset));
                println!("The demo's clock starts at {start}");
            }
            reg.forms = Some(Arc::new(form_keys(
                &db.with_extension("forms.key"),
                reg.clock.now(),
            )?));
            let dir = std::env::temp_dir().join(format!("tamwin-demo-{}", std::process::id()));
            let cfg = tamwin_synth::Config {
                households,
                seed,
                governorate: Some("11".into()),
                ..Default::default()
            };
            generate(&cfg, &dir)?;
            import(&reg, &dir, &dir.join("rejects.csv"), count_members(&dir)).await?;
            println!(
                "Karbala demo: {} households in {} with Karbala's 10 update centres",
                reg.store.count_households().await?,
                db.display()
            );
            let server = hub_cmd::demo_registry(&mut reg, &dir.join("persons.csv")).await?;
            let _ = std::fs::remove_dir_all(&dir);
            let reg = Arc::new(reg);
            hub_cmd::demo_subscribe(&reg, server.clone()).await?;
            let citizen =
                access_cmd::demo_accounts(&reg, &db.with_extension("accounts.json")).await?;
            if let Some(phone) = citizen {
                hub_cmd::demo_birth(&reg, &server, &phone).await?;
            }
            serve(reg, &listen, true).await
        }
    }
}
