//! `tamwin outlet import FILE`: the ration agents, flour agents, bakeries and commodity outlets
//! (docs/formats.md, "Outlets file"), inserted or updated by code; lines it cannot use go to a reject
//! file.

use crate::Error;
use crate::wiring::{Settings, registry_and_store};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use tamwin_app::{Actor, Registry};

#[derive(Subcommand)]
pub(crate) enum OutletCommand {
    /// Write the outlets of a file, in one transaction.
    Import {
        file: PathBuf,
        /// Where lines that cannot be used go (default: FILE with the extension .rejects.csv).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
}

pub(crate) async fn run(rules: &Settings, command: OutletCommand) -> Result<(), Error> {
    let (reg, _) = registry_and_store(rules).await?;
    let OutletCommand::Import { file, rejects } = command;
    let rejects = rejects.unwrap_or_else(|| file.with_extension("rejects.csv"));
    import(&reg, &file, &rejects).await
}

/// Also run by `tamwin demo` on the generated directory's `outlets.csv`.
pub(crate) async fn import(reg: &Registry, file: &Path, rejects: &Path) -> Result<(), Error> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let r = reg
        .import_outlets(&bytes, &Actor::system("import"))
        .await
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let mut w = csv::Writer::from_path(rejects)?;
    w.write_record(["line", "outlet_code", "code"])?;
    for x in &r.rejects {
        w.write_record([x.line.to_string().as_str(), &x.outlet_code, x.code])?;
    }
    w.flush()?;
    println!(
        "outlets: {} written; {} lines rejected ({})",
        r.outlets,
        r.rejects.len(),
        rejects.display()
    );
    Ok(())
}
