//! `tamwin list import FILE --list social_welfare|low_income`: the social-protection ministry's list,
//! applied whole (docs/formats.md, "Eligibility list file"); lines it cannot use go to a reject file.

use crate::Error;
use crate::cli::ListCommand;
use crate::wiring::{Settings, registry_and_store};
use tamwin_app::Actor;

pub(crate) async fn run(rules: &Settings, command: ListCommand) -> Result<(), Error> {
    let (reg, _) = registry_and_store(rules).await?;
    match command {
        ListCommand::Import {
            file,
            list,
            rejects,
        } => {
            let bytes = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
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
