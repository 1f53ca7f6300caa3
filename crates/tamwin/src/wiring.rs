//! What the commands share: the settings from the global flags, the registry on the configured database,
//! progress bars, the forms' signing key, and line counts for progress.

use crate::Error;
use indicatif::{ProgressBar, ProgressStyle};
use std::sync::Arc;
use tamwin_app::appointments::FormKeys;
use tamwin_app::{RandomIds, Registry, SystemClock};
use tamwin_domain::Geography;

/// What every command reads from the global flags.
pub(crate) struct Settings {
    pub(crate) database_url: String,
    pub(crate) abroad_after_days: i64,
    pub(crate) temporary_card_months: i64,
    pub(crate) screening_grace_days: i64,
}

/// The civil registry's store on the configured database, migrated (the hub's and the reference
/// registry's commands work on it alone).
pub(crate) async fn migrated_civil_store(
    cli: &Settings,
) -> Result<Arc<dyn tamwin_store::CivilStore>, Error> {
    let (store, civil) = tamwin_store::open(&cli.database_url).await?;
    store.migrate().await?;
    Ok(civil)
}

pub(crate) async fn registry(cli: &Settings) -> Result<Arc<Registry>, Error> {
    Ok(Arc::new(new_registry(&cli.database_url, cli).await?))
}

/// The registry on a database, migrated, with the programme's rules from the flags.
pub(crate) async fn new_registry(url: &str, cli: &Settings) -> Result<Registry, Error> {
    Ok(wire(url, cli).await?.reg)
}

/// The registry and, on its database (one pool), the stores behind it: the operator's commands and
/// the demo's seeding work on the store directly, and the embedded default serves the reference civil
/// registry in-process from `civil` (the registry itself never reads it). `web` gets only `reg`.
pub(crate) struct Wired {
    pub(crate) reg: Registry,
    pub(crate) store: Arc<dyn tamwin_store::Store>,
    pub(crate) civil: Arc<dyn tamwin_store::CivilStore>,
}

/// `registry`, and the store it runs on.
pub(crate) async fn registry_and_store(
    cli: &Settings,
) -> Result<(Arc<Registry>, Arc<dyn tamwin_store::Store>), Error> {
    let w = wire(&cli.database_url, cli).await?;
    Ok((Arc::new(w.reg), w.store))
}

pub(crate) async fn wire(url: &str, cli: &Settings) -> Result<Wired, Error> {
    let (store, civil) = tamwin_store::open(url).await?;
    let mut reg = Registry::new(
        store.clone(),
        Arc::new(Geography::builtin()?),
        Arc::new(SystemClock),
        Arc::new(RandomIds),
    );
    reg.set_rules(
        cli.abroad_after_days,
        cli.temporary_card_months,
        cli.screening_grace_days,
    );
    // Receipts name items in the families' words, from the pages' catalogs.
    reg.set_item_names(tamwin_web::i18n::item_names());
    reg.prepare().await?;
    Ok(Wired { reg, store, civil })
}

pub(crate) fn bar(len: u64, what: &str) -> ProgressBar {
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
pub(crate) fn form_keys(path: &std::path::Path, now: jiff::Timestamp) -> Result<FormKeys, Error> {
    let (key, created) = tamwin_app::audit::ServerKey::load_or_create(path)?;
    if created {
        eprintln!("created the form signing key {}", path.display());
    }
    let id = format!("forms-{}", &key.public_hex()[..8]);
    // Trusted from a day back: forms signed just before a restart on a slightly different clock.
    let from = now.as_second() - 86_400;
    Ok(FormKeys::single(&id, key.signing_key().clone(), from)?)
}

/// Rows in members.csv, for the progress bar's length.
pub(crate) fn count_members(dir: &std::path::Path) -> u64 {
    count_lines(&dir.join("members.csv"))
}

/// Data rows of a CSV file (lines less the header).
pub(crate) fn count_lines(file: &std::path::Path) -> u64 {
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
