//! What eligibility reads, from files: `tamwin list import FILE --list social_welfare|low_income`, the
//! social-protection ministry's list applied whole (docs/formats.md, "Eligibility list file"), and
//! `tamwin declarations import FILE`, households' declarations (docs/formats.md, "Declarations
//! file"). Lines either cannot use go to a reject file.

use crate::Error;
use crate::wiring::{Settings, registry_and_store};
use clap::Subcommand;
use std::path::{Path, PathBuf};
use tamwin_app::Actor;

#[derive(Subcommand)]
pub(crate) enum ListCommand {
    /// Apply a list file whole: households with a member listed go on the list, the others come off.
    Import {
        file: PathBuf,
        /// `social_welfare` or `low_income`.
        #[arg(long)]
        list: String,
        /// Where lines that cannot be used go (default: FILE with the extension .rejects.csv).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
}

#[derive(Subcommand)]
pub(crate) enum DeclarationsCommand {
    /// Apply a declarations file: the columns it has, for the households it names, in one transaction.
    Import {
        file: PathBuf,
        /// Where lines that cannot be used go (default: FILE with the extension .rejects.csv).
        #[arg(long)]
        rejects: Option<PathBuf>,
    },
}

fn read(file: &Path) -> Result<Vec<u8>, Error> {
    Ok(std::fs::read(file).map_err(|e| format!("{}: {e}", file.display()))?)
}

pub(crate) async fn declarations(
    rules: &Settings,
    command: DeclarationsCommand,
) -> Result<(), Error> {
    let (reg, _) = registry_and_store(rules).await?;
    let DeclarationsCommand::Import { file, rejects } = command;
    let r = reg
        .import_declarations(&read(&file)?, &Actor::system("import"))
        .await
        .map_err(|e| format!("{}: {e}", file.display()))?;
    let rejects = rejects.unwrap_or_else(|| file.with_extension("rejects.csv"));
    let mut w = csv::Writer::from_path(&rejects)?;
    w.write_record(["line", "card_number", "code"])?;
    for x in &r.rejects {
        w.write_record([x.line.to_string().as_str(), &x.card_number, x.code])?;
    }
    w.flush()?;
    println!(
        "declarations: {} households changed, {} unchanged; {} lines rejected ({})",
        r.changed,
        r.unchanged,
        r.rejects.len(),
        rejects.display()
    );
    Ok(())
}

pub(crate) async fn run(rules: &Settings, command: ListCommand) -> Result<(), Error> {
    let (reg, _) = registry_and_store(rules).await?;
    match command {
        ListCommand::Import {
            file,
            list,
            rejects,
        } => {
            let bytes = read(&file)?;
            let r = reg
                .import_list(&list, &bytes, &Actor::system("import"))
                .await
                .map_err(|e| format!("{}: {e}", file.display()))?;
            let rejects = rejects.unwrap_or_else(|| file.with_extension("rejects.csv"));
            let mut w = csv::Writer::from_path(&rejects)?;
            w.write_record(["line", "national_id", "code"])?;
            for x in &r.rejects {
                w.write_record([x.line.to_string().as_str(), &x.national_id, x.code])?;
            }
            w.flush()?;
            println!(
                "{}: {} households on the list ({} added, {} taken off); {} lines rejected ({})",
                r.list,
                r.households,
                r.added,
                r.removed,
                r.rejects.len(),
                rejects.display()
            );
        }
    }
    Ok(())
}
