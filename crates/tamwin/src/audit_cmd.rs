//! `tamwin audit verify|checkpoint`: the hash-chained audit log checked end to end, and signed
//! checkpoints to keep outside the system.

use crate::Error;
use crate::cli::AuditCommand;
use crate::wiring::{Settings, registry};
use indicatif::ProgressBar;

pub(crate) async fn run(rules: &Settings, command: AuditCommand) -> Result<(), Error> {
    match command {
        AuditCommand::Checkpoint { key } => {
            let reg = registry(rules).await?;
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
        AuditCommand::Verify {
            checkpoint,
            public_key,
            key,
        } => {
            let reg = registry(rules).await?;
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
    }
}
