//! `tamwin warehouse import FILE`: the ministry's warehouses and the agents each supplies
//! (docs/formats.md, "Warehouses file"); lines it cannot use go to a reject file.

use crate::Error;
use crate::wiring::{Settings, registry_and_store};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use tamwin_app::{Actor, Registry};

#[derive(Subcommand)]
pub(crate) enum WarehouseCommand {
    /// Write the warehouses of a file and assign them their agents, in one transaction.
    Import {
        file: PathBuf,
        /// Where lines that cannot be used go (default: FILE with the extension .rejects.csv).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
}

pub(crate) async fn run(rules: &Settings, command: WarehouseCommand) -> Result<(), Error> {
    let (reg, _) = registry_and_store(rules).await?;
    let WarehouseCommand::Import { file, rejects } = command;
    let rejects = rejects.unwrap_or_else(|| file.with_extension("rejects.csv"));
    import(&reg, &file, &rejects).await
}

/// Also run by `tamwin demo` on the generated directory's `warehouses.csv`.
pub(crate) async fn import(reg: &Registry, file: &Path, rejects: &Path) -> Result<(), Error> {
    let bytes = std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let r = reg
        .import_warehouses(&bytes, &Actor::system("import"))
        .await
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let mut w = csv::Writer::from_path(rejects)?;
    w.write_record(["line", "warehouse_code", "agent_code", "code"])?;
    for x in &r.rejects {
        w.write_record([
            x.line.to_string().as_str(),
            &x.warehouse_code,
            &x.agent_code,
            x.code,
        ])?;
    }
    w.flush()?;
    println!(
        "warehouses: {} written, {} agents assigned; {} lines rejected ({})",
        r.warehouses,
        r.agents,
        r.rejects.len(),
        rejects.display()
    );
    Ok(())
}
