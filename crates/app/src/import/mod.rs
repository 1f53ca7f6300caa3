//! `tamwin import DIR`: the CSV files of docs/formats.md into either backend, in batches. Every row is
//! validated; bad rows go to a reject file with line number and reason; a household is imported whole or
//! not at all. Parsing runs on one thread while the database writes on another.

mod already_present;
mod csv_groups;
mod household_rows;

use csv_groups::{Groups, open, read_row};
use household_rows::Parser;

use crate::{Actor, Registry};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tamwin_domain::geography::RationAgent;
use tamwin_domain::{CardNumber, HouseholdRecord};
use tamwin_store::{ChangeLog, StoreError};

use tamwin_domain::csv_columns::{
    AGENTS as AGENT_COLUMNS, HOLDS as HOLD_COLUMNS, HOUSEHOLDS as HOUSEHOLD_COLUMNS,
    MEMBERS as MEMBER_COLUMNS,
};

/// Households per transaction: few enough commits that fsync latency does not dominate.
const BATCH: usize = 5000;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub agents: u64,
    pub households: u64,
    /// Households an earlier run of the same files already wrote, identically: skipped.
    pub already_present: u64,
    pub members: u64,
    pub holds: u64,
    pub rejected_households: u64,
    pub rejected_rows: u64,
    /// Batches that fell back to one transaction per household (a constraint the look-ups before the
    /// batch did not foresee, e.g. two households of the file sharing a national ID).
    pub row_by_row_batches: u64,
    pub rejects: PathBuf,
}

#[derive(Debug)]
pub enum ImportError {
    /// The file set itself is unusable (missing file, wrong header): nothing was imported.
    Input(String),
    Store(StoreError),
}

impl std::fmt::Display for ImportError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ImportError::Input(m) => write!(f, "{m}"),
            ImportError::Store(e) => write!(f, "{e}"),
        }
    }
}
impl std::error::Error for ImportError {}
impl From<StoreError> for ImportError {
    fn from(e: StoreError) -> Self {
        ImportError::Store(e)
    }
}

/// The reject file and how many rows it holds.
struct RejectFile {
    w: csv::Writer<std::fs::File>,
    rows: u64,
}

type Rejects = Arc<Mutex<RejectFile>>;

fn reject(w: &Rejects, file: &str, line: u64, card: &str, code: &str, message: &str) {
    if let Ok(mut r) = w.lock() {
        // A failure to write the reject file is reported at the end by the flush.
        let _ =
            r.w.write_record([file, &line.to_string(), card, code, message]);
        r.rows += 1;
    }
}

/// Imports the directory. `progress` receives the number of member rows read so far.
pub async fn import_dir(
    reg: &Registry,
    dir: &Path,
    rejects_path: &Path,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> Result<ImportReport, ImportError> {
    let mut w = csv::Writer::from_path(rejects_path)
        .map_err(|e| ImportError::Input(format!("{}: {e}", rejects_path.display())))?;
    w.write_record(["file", "line", "card_number", "code", "message"])
        .map_err(|e| ImportError::Input(e.to_string()))?;
    let rejects: Rejects = Arc::new(Mutex::new(RejectFile { w, rows: 0 }));
    let mut report = ImportReport {
        rejects: rejects_path.to_path_buf(),
        ..Default::default()
    };

    // Agents first: households reference them.
    let agents_path = dir.join("agents.csv");
    let mut known_agents = None;
    if agents_path.exists() {
        let mut r = open(&agents_path, &AGENT_COLUMNS)?;
        let mut agents = Vec::new();
        while let Some(row) = read_row(&mut r, AGENT_COLUMNS.len()) {
            match row.fields {
                Ok(f) if tamwin_domain::check_free_text("agent", &f.join(" "), 400).is_some() => {
                    reject(
                        &rejects,
                        "agents.csv",
                        row.line,
                        "",
                        "text_invalid_characters",
                        "the row contains control characters",
                    )
                }
                Ok(f) if reg.geo.district(f[1].trim()).is_some() && !f[0].trim().is_empty() => {
                    agents.push(RationAgent {
                        code: f[0].trim().into(),
                        district_code: f[1].trim().into(),
                        name_ar: f[2].clone(),
                    })
                }
                Ok(f) => reject(
                    &rejects,
                    "agents.csv",
                    row.line,
                    "",
                    "district_unknown",
                    &format!("unknown district {}", f[1]),
                ),
                Err((code, msg)) => reject(&rejects, "agents.csv", row.line, "", code, &msg),
            }
        }
        for chunk in agents.chunks(5000) {
            reg.store.save_agents(chunk).await?;
        }
        report.agents = agents.len() as u64;
        known_agents = Some(
            agents
                .into_iter()
                .map(|a| (a.code, a.district_code))
                .collect(),
        );
    }

    let mut households = open(&dir.join("households.csv"), &HOUSEHOLD_COLUMNS)?;
    let members = Groups::new(
        Some(open(&dir.join("members.csv"), &MEMBER_COLUMNS)?),
        MEMBER_COLUMNS.len(),
    );
    let holds_path = dir.join("holds.csv");
    let holds = Groups::new(
        if holds_path.exists() {
            Some(open(&holds_path, &HOLD_COLUMNS)?)
        } else {
            None
        },
        HOLD_COLUMNS.len(),
    );
    let started = reg.clock.now();
    let parser = Parser {
        reg_ids: reg.ids.clone(),
        geo: reg.geo.clone(),
        today: reg.clock.today(),
        now: started,
        agents: known_agents,
        rejects: rejects.clone(),
    };

    let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<HouseholdRecord>>(4);
    let producer = tokio::task::spawn_blocking(move || {
        let (mut members, mut holds) = (members, holds);
        let mut batch = Vec::with_capacity(BATCH);
        let mut rows_read = 0u64;
        let mut rejected = 0u64;
        let mut leftovers: Vec<(&'static str, String, u64)> = Vec::new();
        let mut seen = Cards::default();
        while let Some(row) = read_row(&mut households, HOUSEHOLD_COLUMNS.len()) {
            let card = row.card.clone();
            let m = members.take(&card);
            let h = holds.take(&card);
            rows_read += m.len() as u64;
            if !seen.insert(&card) {
                // The card again: its rows are split across two household rows. Settled at the end.
                leftovers.push(("households.csv", card.clone(), row.line));
                leftovers.extend(m.iter().map(|r| ("members.csv", card.clone(), r.line)));
                leftovers.extend(h.iter().map(|r| ("holds.csv", card.clone(), r.line)));
                continue;
            }
            match row.fields {
                Ok(f) => match parser.household(row.line, &f, m, h) {
                    Some(rec) => batch.push(rec),
                    None => rejected += 1,
                },
                Err((code, msg)) => {
                    reject(
                        &parser.rejects,
                        "households.csv",
                        row.line,
                        &card,
                        code,
                        &msg,
                    );
                    for (file, rows) in [("members.csv", &m), ("holds.csv", &h)] {
                        for r in rows {
                            reject(
                                &parser.rejects,
                                file,
                                r.line,
                                &card,
                                "household_not_imported",
                                NOT_IMPORTED,
                            );
                        }
                    }
                    parser.reject_household(row.line, &card);
                    rejected += 1;
                }
            }
            if batch.len() >= BATCH {
                progress(rows_read);
                if tx.blocking_send(std::mem::take(&mut batch)).is_err() {
                    return (rejected, Vec::new(), seen);
                }
            }
        }
        if !batch.is_empty() {
            let _ = tx.blocking_send(batch);
        }
        progress(rows_read);
        for (file, g) in [
            ("members.csv", members.leftovers()),
            ("holds.csv", holds.leftovers()),
        ] {
            for (card, rows) in g {
                leftovers.extend(rows.into_iter().map(|r| (file, card.clone(), r.line)));
            }
        }
        (rejected, leftovers, seen)
    });

    let actor = Actor::system("import");
    let mut committed = Cards::default();
    let mut present = Cards::default();
    while let Some(batch) = rx.recv().await {
        // What an earlier, interrupted run already wrote is skipped here, and keys other households
        // hold are refused here, so that the batch itself goes in whole, by the bulk path.
        let sorted = already_present::sort_batch(reg.store.as_ref(), batch, &rejects).await?;
        report.already_present += sorted.present.len() as u64;
        report.rejected_households += sorted.refused;
        for card in &sorted.present {
            committed.insert(card);
            present.insert(card);
        }
        let batch = sorted.fresh;
        if batch.is_empty() {
            continue;
        }
        let logs: Vec<ChangeLog> = batch
            .iter()
            .map(|r| {
                reg.log(
                    "imported",
                    None,
                    None,
                    &actor,
                    serde_json::json!({ "members": r.members.len() }),
                )
            })
            .collect();
        match reg.store.import_batch(&batch, &logs).await {
            Ok(()) => {
                count(&mut report, &batch);
                batch
                    .iter()
                    .for_each(|r| _ = committed.insert(r.household.card_number.as_str()));
            }
            Err(StoreError::Conflict(..)) => {
                report.row_by_row_batches += 1;
                // Find the households that break an invariant (a national ID or card number already used).
                for (rec, log) in batch.iter().zip(&logs) {
                    match reg
                        .store
                        .import_batch(std::slice::from_ref(rec), std::slice::from_ref(log))
                        .await
                    {
                        Ok(()) => {
                            count(&mut report, std::slice::from_ref(rec));
                            committed.insert(rec.household.card_number.as_str());
                        }
                        Err(StoreError::Conflict(c, m)) => {
                            let code = match c {
                                tamwin_store::Conflict::NationalIdTaken => {
                                    "national_id_in_other_household"
                                }
                                tamwin_store::Conflict::CardNumberTaken => "card_number_taken",
                                tamwin_store::Conflict::UnknownReference => "reference_unknown",
                                tamwin_store::Conflict::PhoneTaken => "phone_in_other_household",
                                _ => "constraint_violated",
                            };
                            reject(
                                &rejects,
                                "households.csv",
                                0,
                                rec.household.card_number.as_str(),
                                code,
                                &m,
                            );
                            report.rejected_households += 1;
                        }
                        Err(e) => return Err(e.into()),
                    }
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    let (rejected, leftovers, seen) = producer
        .await
        .map_err(|e| ImportError::Input(format!("reader failed: {e}")))?;
    report.rejected_households += rejected;
    // Rows no household claimed, and household rows that repeat a card: the file breaks the grouping
    // rule. A household this run imported without some of its rows is taken out again: whole or nothing.
    let mut undone = Cards::default();
    for (file, card, line) in leftovers {
        if committed.contains(&card) && undone.insert(&card) {
            let rec = match CardNumber::parse(&card) {
                Ok(c) => reg.store.household_by_card(&c).await?,
                Err(_) => None,
            };
            if let Some(r) = rec {
                let log = reg.log(
                    "import_undone",
                    None,
                    Some("rows apart from the rest of the card".into()),
                    &actor,
                    serde_json::json!({}),
                );
                reg.store.delete_imported(&r, &log).await?;
                // A household an earlier run of these files wrote is taken out as this run would.
                if present.contains(&card) {
                    report.already_present -= 1;
                } else {
                    report.households -= 1;
                }
                if !present.contains(&card) {
                    report.members -= r.members.len() as u64;
                    report.holds -= r.holds.len() as u64;
                }
                report.rejected_households += 1;
                let why = "household taken out again: some of its rows stand apart from the others";
                reject(
                    &rejects,
                    "households.csv",
                    0,
                    &card,
                    "household_rejected",
                    why,
                );
            }
        }
        let (code, msg) = if undone.contains(&card) {
            (
                "rows_not_contiguous",
                "these rows stand apart from the other rows of their card; the household was not imported",
            )
        } else if seen.contains(&card) {
            ("household_not_imported", NOT_IMPORTED)
        } else {
            (
                "household_missing",
                "no household with this card number precedes these rows in households.csv",
            )
        };
        reject(&rejects, file, line, &card, code, msg);
    }
    let mut r = rejects
        .lock()
        .map_err(|_| ImportError::Input("reject file lock".into()))?;
    r.w.flush()
        .map_err(|e| ImportError::Input(format!("{}: {e}", rejects_path.display())))?;
    report.rejected_rows = r.rows;
    Ok(report)
}

const NOT_IMPORTED: &str = "the household of these rows was not imported (see its rows)";

/// A set of card numbers, eight bytes each when they parse (the common case), so that a national
/// import (9 million cards) holds it in about 150 MB.
#[derive(Default)]
struct Cards {
    numbers: std::collections::HashSet<u64>,
    other: std::collections::HashSet<String>,
}

impl Cards {
    /// Adds a card; false if it was already there.
    fn insert(&mut self, card: &str) -> bool {
        match card.parse::<u64>() {
            Ok(n) if card.len() == 11 => self.numbers.insert(n),
            _ => self.other.insert(card.to_string()),
        }
    }
    fn contains(&self, card: &str) -> bool {
        match card.parse::<u64>() {
            Ok(n) if card.len() == 11 => self.numbers.contains(&n),
            _ => self.other.contains(card),
        }
    }
}

fn count(report: &mut ImportReport, batch: &[HouseholdRecord]) {
    report.households += batch.len() as u64;
    report.members += batch.iter().map(|r| r.members.len() as u64).sum::<u64>();
    report.holds += batch.iter().map(|r| r.holds.len() as u64).sum::<u64>();
}
