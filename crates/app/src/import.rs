//! `tamwin import DIR`: the CSV files of docs/formats.md into either backend, in batches. Every row is
//! validated; bad rows go to a reject file with line number and reason; a household is imported whole or
//! not at all. Parsing runs on one thread while the database writes on another.

use crate::{Actor, Registry};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use tamwin_domain::geography::RationAgent;
use tamwin_domain::household::{MemberInput, NewHousehold};
use tamwin_domain::{
    CardNumber, Hold, HoldReason, Household, HouseholdRecord, Member, Presence, Vulnerability,
};
use tamwin_store::{ChangeLog, StoreError};

use tamwin_domain::csv_columns::{
    AGENTS as AGENT_COLUMNS, HOLDS as HOLD_COLUMNS, HOUSEHOLDS as HOUSEHOLD_COLUMNS,
    MEMBERS as MEMBER_COLUMNS,
};

/// Households per transaction: few enough commits that fsync latency does not dominate.
const BATCH: usize = 5000;
/// How many member groups may be read ahead looking for a household's group before giving up on it.
const LOOKAHEAD: usize = 1000;

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct ImportReport {
    pub agents: u64,
    pub households: u64,
    pub members: u64,
    pub holds: u64,
    pub rejected_households: u64,
    pub rejected_rows: u64,
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

/// The grouping key of a row: the card number in its stored form when it parses (so `11-00000001-5`
/// and `11000000015` group together), else the raw text.
fn card_key(raw: &str) -> String {
    CardNumber::parse(raw)
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|_| raw.trim().to_string())
}

/// One data row: its line and either its fields or why it could not be read.
struct Row {
    line: u64,
    /// The first field, read leniently so that a damaged row still groups with its household.
    card: String,
    fields: Result<Vec<String>, (&'static str, String)>,
}

fn open(path: &Path, expected: &[&str]) -> Result<csv::Reader<std::fs::File>, ImportError> {
    let mut r = csv::ReaderBuilder::new()
        .flexible(true)
        .from_path(path)
        .map_err(|e| ImportError::Input(format!("{}: {e}", path.display())))?;
    let header = r
        .byte_headers()
        .map_err(|e| ImportError::Input(format!("{}: {e}", path.display())))?;
    let got: Vec<String> = header
        .iter()
        .map(|f| {
            String::from_utf8_lossy(f)
                .trim_start_matches('\u{feff}')
                .to_string()
        })
        .collect();
    if got != expected {
        return Err(ImportError::Input(format!(
            "{}: header must be `{}`, found `{}`",
            path.display(),
            expected.join(","),
            got.join(",")
        )));
    }
    Ok(r)
}

fn read_row(r: &mut csv::Reader<std::fs::File>, ncols: usize) -> Option<Row> {
    let mut rec = csv::ByteRecord::new();
    match r.read_byte_record(&mut rec) {
        Ok(false) => None,
        Ok(true) => {
            let line = rec.position().map(|p| p.line()).unwrap_or(0);
            let card = rec
                .get(0)
                .map(|b| card_key(&String::from_utf8_lossy(b)))
                .unwrap_or_default();
            if rec.len() != ncols {
                let msg = format!("expected {ncols} columns, found {}", rec.len());
                return Some(Row {
                    line,
                    card,
                    fields: Err(("column_count", msg)),
                });
            }
            let fields: Result<Vec<String>, _> = rec
                .iter()
                .map(|f| std::str::from_utf8(f).map(str::to_string))
                .collect();
            let fields =
                fields.map_err(|_| ("encoding_invalid", "the row is not valid UTF-8".to_string()));
            Some(Row { line, card, fields })
        }
        Err(e) => {
            let line = e.position().map(|p| p.line()).unwrap_or(0);
            Some(Row {
                line,
                card: String::new(),
                fields: Err(("csv_malformed", e.to_string())),
            })
        }
    }
}

/// Reads a file grouped by card number (rows of one card are contiguous, cards in households.csv order).
struct Groups {
    reader: Option<csv::Reader<std::fs::File>>,
    ncols: usize,
    pending: Option<Row>,
    stash: HashMap<String, Vec<Row>>,
}

impl Groups {
    fn new(reader: Option<csv::Reader<std::fs::File>>, ncols: usize) -> Self {
        Self {
            reader,
            ncols,
            pending: None,
            stash: HashMap::new(),
        }
    }

    fn next_group(&mut self) -> Option<(String, Vec<Row>)> {
        let r = self.reader.as_mut()?;
        let first = self.pending.take().or_else(|| read_row(r, self.ncols))?;
        let card = first.card.clone();
        let mut rows = vec![first];
        while let Some(row) = read_row(r, self.ncols) {
            if row.card == card {
                rows.push(row);
            } else {
                self.pending = Some(row);
                break;
            }
        }
        Some((card, rows))
    }

    /// The rows of `card`, looking a bounded distance ahead.
    fn take(&mut self, card: &str) -> Vec<Row> {
        if let Some(rows) = self.stash.remove(card) {
            return rows;
        }
        for _ in 0..LOOKAHEAD {
            match self.next_group() {
                Some((c, rows)) if c == card => return rows,
                Some((c, rows)) => self.stash.entry(c).or_default().extend(rows),
                None => break,
            }
        }
        Vec::new()
    }

    /// Rows never claimed by a household.
    fn leftovers(mut self) -> Vec<(String, Vec<Row>)> {
        let mut out: Vec<_> = self.stash.drain().collect();
        while let Some(g) = self.next_group() {
            out.push(g);
        }
        out
    }
}

fn flag(s: &str) -> Option<bool> {
    match s.trim() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" | "" => Some(false),
        _ => None,
    }
}

struct Parser {
    reg_ids: Arc<dyn crate::IdGen>,
    geo: Arc<tamwin_domain::Geography>,
    today: jiff::civil::Date,
    now: jiff::Timestamp,
    /// Agent code to district, when agents.csv came with the import.
    agents: Option<HashMap<String, String>>,
    rejects: Rejects,
}

impl Parser {
    /// The closing row of a refused household, after the rows that say why.
    fn reject_household(&self, line: u64, card: &str) {
        reject(
            &self.rejects,
            "households.csv",
            line,
            card,
            "household_rejected",
            "household not imported: see the rows above",
        );
    }

    /// Builds one household record, or writes every reason it is refused to the reject file.
    fn household(
        &self,
        line: u64,
        hf: &[String],
        members: Vec<Row>,
        holds: Vec<Row>,
    ) -> Option<HouseholdRecord> {
        let card_text = &hf[0];
        let mut problems: Vec<(&str, u64, String, String)> = Vec::new();
        let gov = tamwin_text_ar::fold_digits(hf[1].trim());
        let district = tamwin_text_ar::fold_digits(hf[2].trim());
        let card = match CardNumber::parse(card_text) {
            Ok(c) if c.governorate_code() == gov => Some(c),
            Ok(_) => {
                problems.push((
                    "households.csv",
                    line,
                    "card_governorate_mismatch".into(),
                    "the card number's first two digits are not the governorate code".into(),
                ));
                None
            }
            Err(e) => {
                problems.push(("households.csv", line, e.code.into(), e.message_en));
                None
            }
        };
        let agent = Some(hf[4].trim().to_string()).filter(|a| !a.is_empty());
        if let (Some(a), Some(known)) = (&agent, &self.agents) {
            match known.get(a) {
                None => problems.push((
                    "households.csv",
                    line,
                    "agent_unknown".into(),
                    format!("agent {a} is not in agents.csv"),
                )),
                Some(d) if *d != district => problems.push((
                    "households.csv",
                    line,
                    "agent_wrong_district".into(),
                    format!("agent {a} serves district {d}, not {district}"),
                )),
                Some(_) => {}
            }
        }
        let mut inputs = Vec::new();
        let mut numbers = Vec::new();
        for m in &members {
            match &m.fields {
                Err((code, msg)) => {
                    problems.push(("members.csv", m.line, (*code).into(), msg.clone()))
                }
                Ok(f) => {
                    let (Some(elderly), Some(sick), Some(disabled)) =
                        (flag(&f[11]), flag(&f[12]), flag(&f[13]))
                    else {
                        problems.push((
                            "members.csv",
                            m.line,
                            "flag_invalid".into(),
                            "elderly, sick and disabled are 0 or 1".into(),
                        ));
                        continue;
                    };
                    let no = f[1].trim().parse::<i64>().ok().filter(|n| *n > 0);
                    let Some(no) = no.filter(|n| !numbers.iter().any(|(x, _)| x == n)) else {
                        problems.push((
                            "members.csv",
                            m.line,
                            "member_no_invalid".into(),
                            "member_no must be a positive number, once per card".into(),
                        ));
                        continue;
                    };
                    numbers.push((no, m.line));
                    inputs.push(MemberInput {
                        national_id: Some(f[2].clone()).filter(|s| !s.trim().is_empty()),
                        given_name: f[3].clone(),
                        father_name: f[4].clone(),
                        grandfather_name: f[5].clone(),
                        family_name: Some(f[6].clone()).filter(|s| !s.trim().is_empty()),
                        mother_name: f[7].clone(),
                        birth_date: f[8].clone(),
                        sex: f[9].clone(),
                        relation: f[10].clone(),
                        vulnerability: Vulnerability {
                            elderly,
                            sick,
                            disabled,
                        },
                    });
                }
            }
        }
        let new = NewHousehold {
            governorate: hf[1].clone(),
            district: hf[2].clone(),
            address: hf[3].clone(),
            agent_code: agent,
            members: inputs,
        };
        let valid = match new.validate(&self.geo, self.today) {
            Ok(v) if problems.is_empty() => Some(v),
            Ok(_) => None,
            Err(errs) => {
                for e in errs.0 {
                    // Point member errors at their own line.
                    let (file, l) = e
                        .field
                        .strip_prefix("members[")
                        .and_then(|s| s.split(']').next())
                        .and_then(|i| i.parse::<usize>().ok())
                        .and_then(|i| numbers.get(i))
                        .map(|(_, l)| ("members.csv", *l))
                        .unwrap_or(("households.csv", line));
                    problems.push((
                        file,
                        l,
                        e.code.into(),
                        format!("{}: {}", e.field, e.message_en),
                    ));
                }
                None
            }
        };
        let (Some(card), Some(valid)) = (card, valid) else {
            for (file, l, code, msg) in &problems {
                reject(&self.rejects, file, *l, card_text, code, msg);
            }
            self.reject_household(line, card_text);
            return None;
        };
        let mut by_no: HashMap<i64, String> = HashMap::new();
        let members: Vec<Member> = valid
            .members
            .into_iter()
            .zip(&numbers)
            .map(|(data, (no, _))| {
                let id = self.reg_ids.id();
                by_no.insert(*no, id.clone());
                Member {
                    member_id: id,
                    member_no: *no,
                    data,
                    presence: Presence::Present,
                    removed_reason: None,
                }
            })
            .collect();
        let mut hold_list: Vec<Hold> = Vec::new();
        let mk = |member_id: Option<String>, reason, evidence: &str, source: &str| Hold {
            hold_id: self.reg_ids.id(),
            member_id,
            reason,
            evidence: evidence.into(),
            source: source.into(),
            since: self.now,
            placed_by: "import".into(),
            lifted_at: None,
            lifted_by: None,
            lift_reason: None,
        };
        for m in &members {
            for r in tamwin_domain::household::automatic_holds(&m.data) {
                hold_list.push(mk(
                    Some(m.member_id.clone()),
                    r,
                    crate::rule_evidence(r),
                    "registry_rule",
                ));
            }
        }
        for h in &holds {
            let parsed = match &h.fields {
                Err((code, msg)) => Err(((*code).to_string(), msg.clone())),
                Ok(f) => {
                    let member = if f[1].trim().is_empty() {
                        Ok(None)
                    } else {
                        f[1].trim()
                            .parse::<i64>()
                            .ok()
                            .and_then(|n| by_no.get(&n).cloned())
                            .map(Some)
                            .ok_or(())
                    };
                    let text = tamwin_domain::check_free_text("evidence", &f[3], 1000)
                        .or_else(|| tamwin_domain::check_free_text("source", &f[4], 100));
                    match (member, HoldReason::parse(f[2].trim())) {
                        _ if text.is_some() => Err((
                            "text_invalid_characters".into(),
                            text.map(|e| e.message_en).unwrap_or_default(),
                        )),
                        (Ok(_), Some(_)) if f[4].trim().is_empty() => Err((
                            "source_required".into(),
                            "a hold needs the source of its evidence".into(),
                        )),
                        (Ok(m), Some(r)) if !f[3].trim().is_empty() => Ok(mk(m, r, &f[3], &f[4])),
                        (Err(()), _) => Err((
                            "member_unknown".into(),
                            "member_no names no member of this card".into(),
                        )),
                        (_, None) => Err((
                            "hold_reason_unknown".into(),
                            format!("unknown hold reason {}", f[2]),
                        )),
                        _ => Err((
                            "evidence_required".into(),
                            "a hold needs its evidence".into(),
                        )),
                    }
                }
            };
            match parsed {
                Ok(h) => hold_list.push(h),
                Err((code, msg)) => {
                    reject(&self.rejects, "holds.csv", h.line, card_text, &code, &msg);
                    self.reject_household(line, card_text);
                    return None;
                }
            }
        }
        let head = members
            .iter()
            .find(|m| m.relation == tamwin_domain::Relation::Head)?
            .member_id
            .clone();
        let mut rec = HouseholdRecord {
            household: Household {
                household_id: self.reg_ids.id(),
                card_number: card,
                governorate: valid.governorate,
                district: valid.district,
                address: valid.address,
                agent_code: valid.agent_code,
                state: tamwin_domain::CardState::Active,
                head_member_id: head,
                version: 1,
                created_at: self.now,
                updated_at: self.now,
                closed_at: None,
            },
            members,
            holds: hold_list,
        };
        rec.household.state = rec.derived_state();
        Some(rec)
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

    let actor = Actor("import".into());
    let mut committed = Cards::default();
    while let Some(batch) = rx.recv().await {
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
                report.households -= 1;
                report.members -= r.members.len() as u64;
                report.holds -= r.holds.len() as u64;
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
