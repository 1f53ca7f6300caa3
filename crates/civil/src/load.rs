//! Bulk load of `persons.csv` (docs/formats.md): every row validated, bad rows to a reject file, good
//! rows in batches (COPY on PostgreSQL). Parsing runs on its own thread while the previous batch is
//! written, so the two cores both work. A batch the database refuses (a national ID already present) is
//! split in halves until the offending rows are found and rejected; the rest goes in. The initial load
//! of an empty registry on PostgreSQL takes a faster path: see `load_persons`.

use std::collections::HashSet;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use tamwin_domain::csv_columns::CIVIL_PERSONS;
use tamwin_domain::{NationalId, Phone};
use tamwin_store::{CivilPerson, CivilRows, CivilStore, StoreError};

/// Rows per transaction: large enough that COPY runs at full speed, small enough to bisect quickly.
pub const BATCH: usize = 50_000;
/// Rows per COPY of an initial load, which never bisects: fewer round trips (about 20 MB a batch).
const INITIAL_BATCH: usize = 100_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadReport {
    pub persons: u64,
    pub rejected: u64,
    pub rejects: PathBuf,
}

#[derive(Debug)]
pub enum LoadError {
    Io(std::io::Error),
    Header(String),
    Store(StoreError),
}

impl std::fmt::Display for LoadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            LoadError::Io(e) => write!(f, "{e}"),
            LoadError::Header(m) => write!(f, "{m}"),
            LoadError::Store(e) => write!(f, "{e}"),
        }
    }
}
impl std::error::Error for LoadError {}

/// A row that failed: its line, national ID as written, code and English message.
type Reject = (u64, String, &'static str, String);

fn date(
    field: &'static str,
    v: &str,
    required: bool,
) -> Result<Option<String>, (&'static str, String)> {
    let v = v.trim();
    // Folding allocates; dates are nearly always ASCII already.
    let v: std::borrow::Cow<str> = if v.is_ascii() {
        v.into()
    } else {
        tamwin_text_ar::fold_digits(v).into()
    };
    if v.is_empty() {
        return if required {
            Err(("date_invalid", format!("{field} is required")))
        } else {
            Ok(None)
        };
    }
    v.parse::<jiff::civil::Date>()
        .map(|d| Some(d.to_string()))
        .map_err(|_| {
            (
                "date_invalid",
                format!("{field} is not a date (YYYY-MM-DD): {v}"),
            )
        })
}

/// One row checked and normalised (national ID and phone in their stored forms).
pub fn parse_row(f: &csv::StringRecord) -> Result<CivilPerson, (&'static str, String)> {
    if f.len() != CIVIL_PERSONS.len() {
        return Err((
            "column_count",
            format!("{} columns, expected {}", f.len(), CIVIL_PERSONS.len()),
        ));
    }
    let id = NationalId::parse(&f[0]).map_err(|e| (e.code, e.message_en))?;
    let name = |i: usize| -> Result<String, (&'static str, String)> {
        match tamwin_domain::check_free_text(CIVIL_PERSONS[i], &f[i], 100) {
            Some(e) => Err((e.code, e.message_en)),
            None if f[i].trim().is_empty() && i != 4 => {
                Err(("name_required", format!("{} is required", CIVIL_PERSONS[i])))
            }
            None => Ok(f[i].to_string()),
        }
    };
    let sex = match f[7].trim() {
        "male" | "female" => f[7].trim().to_string(),
        other => {
            return Err((
                "sex_invalid",
                format!("sex must be male or female: {other}"),
            ));
        }
    };
    let phone = match f[8].trim() {
        "" => None,
        p => Some(
            Phone::parse(p)
                .map_err(|e| (e.code, e.message_en))?
                .as_str()
                .to_string(),
        ),
    };
    let card_status = match f[9].trim() {
        "" => None,
        s @ ("valid" | "expired" | "lost" | "replaced") => Some(s.to_string()),
        other => {
            return Err((
                "card_status_invalid",
                format!("unknown card status: {other}"),
            ));
        }
    };
    let fingerprint = match f[11].trim() {
        "" => None,
        h if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Some(h.to_ascii_lowercase())
        }
        _ => {
            return Err((
                "fingerprint_invalid",
                "fingerprint_sha256 is 64 hex digits".into(),
            ));
        }
    };
    Ok(CivilPerson {
        national_id: id.as_str().to_string(),
        given_name: name(1)?,
        father_name: name(2)?,
        grandfather_name: name(3)?,
        family_name: Some(name(4)?).filter(|s| !s.trim().is_empty()),
        mother_name: name(5)?,
        birth_date: date("birth_date", &f[6], true)?.unwrap_or_default(),
        sex,
        phone,
        card_status,
        card_expires: date("card_expires", &f[10], false)?,
        fingerprint_sha256: fingerprint,
        death_date: date("death_date", &f[12], false)?,
        abroad_since: date("abroad_since", &f[13], false)?,
    })
}

/// Good rows, as the load will write them.
enum Rows {
    /// For `Store::civil_load`, with the line of each person in the same order (to reject by line).
    Persons {
        lines: Vec<u64>,
        persons: Vec<CivilPerson>,
    },
    /// For an initial load (`CivilBulkLoad`): encoded while the previous batch is written.
    Encoded(CivilRows),
}

impl Rows {
    fn len(&self) -> usize {
        match self {
            Rows::Persons { persons, .. } => persons.len(),
            Rows::Encoded(rows) => rows.len(),
        }
    }
}

/// A batch of good rows, and the rejects met while reading it.
struct Batch {
    rows: Rows,
    rejects: Vec<Reject>,
}

impl Batch {
    fn new(initial: bool) -> Batch {
        Batch {
            rows: if initial {
                Rows::Encoded(CivilRows::with_capacity(INITIAL_BATCH))
            } else {
                Rows::Persons {
                    lines: Vec::with_capacity(BATCH),
                    persons: Vec::with_capacity(BATCH),
                }
            },
            rejects: vec![],
        }
    }

    fn full(&self) -> bool {
        match &self.rows {
            Rows::Persons { persons, .. } => persons.len() >= BATCH,
            Rows::Encoded(rows) => rows.len() >= INITIAL_BATCH,
        }
    }
}

/// Hashes a national ID taken as a number (`id_key`): one multiply and a fold of the high half into
/// the low, which is all that numbers this evenly spread need, at a fraction of SipHash's cost. (The file
/// comes from the ministry, not from the public: no defence against chosen collisions is needed.)
#[derive(Default)]
struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.write_u64(self.0 ^ u64::from(*b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

type IdSet = HashSet<u64, std::hash::BuildHasherDefault<IdHasher>>;

const DUPLICATE: &str = "the national ID is already in the civil registry";

/// The national ID (12 digits, checked) as a number: 8 bytes a person in the set of IDs seen.
fn id_key(national_id: &str) -> u64 {
    national_id
        .bytes()
        .fold(0u64, |n, b| n * 10 + u64::from(b.wrapping_sub(b'0')))
}

/// Reads and checks the file, sending batches of good rows. For an initial load (`initial`), the IDs
/// seen so far are kept to reject a repeated one here, the first occurrence winning as the database's
/// key would have it: the key is only built at the end of such a load.
fn read_batches(
    path: PathBuf,
    initial: bool,
    tx: tokio::sync::mpsc::Sender<Result<Batch, LoadError>>,
) {
    let send_err = |e: LoadError| {
        let _ = tx.blocking_send(Err(e));
    };
    let (mut rdr, size) = match std::fs::File::open(&path) {
        Ok(f) => {
            let size = f.metadata().map(|m| m.len()).unwrap_or(0);
            let rdr = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(std::io::BufReader::with_capacity(1 << 20, f));
            (rdr, size)
        }
        Err(e) => return send_err(LoadError::Io(e)),
    };
    match rdr.headers() {
        Ok(h) if h.iter().eq(CIVIL_PERSONS.iter().copied()) => {}
        Ok(h) => {
            return send_err(LoadError::Header(format!(
                "{}: header {:?}, expected {:?}",
                path.display(),
                h.iter().collect::<Vec<_>>(),
                CIVIL_PERSONS
            )));
        }
        Err(e) => return send_err(LoadError::Header(format!("{}: {e}", path.display()))),
    }
    // Sized for the file up front (rows are about 200 bytes), so the set does not grow by doubling,
    // which would hold the old and the new table at once: ~600 MB for the national 44.5M.
    let mut seen = if initial {
        IdSet::with_capacity_and_hasher(
            usize::try_from(size / 256).unwrap_or(0),
            Default::default(),
        )
    } else {
        IdSet::default()
    };
    let mut batch = Batch::new(initial);
    let mut rec = csv::StringRecord::new();
    let mut line = 1u64;
    loop {
        match rdr.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {
                line += 1;
                match parse_row(&rec) {
                    Ok(p) => match &mut batch.rows {
                        Rows::Persons { lines, persons } => {
                            lines.push(line);
                            persons.push(p);
                        }
                        Rows::Encoded(rows) => {
                            if seen.insert(id_key(&p.national_id)) {
                                rows.push(&p);
                            } else {
                                batch.rejects.push((
                                    line,
                                    p.national_id,
                                    "national_id_duplicate",
                                    DUPLICATE.into(),
                                ));
                            }
                        }
                    },
                    Err((code, msg)) => {
                        batch
                            .rejects
                            .push((line, rec.get(0).unwrap_or("").to_string(), code, msg))
                    }
                }
            }
            Err(e) => {
                line += 1;
                batch
                    .rejects
                    .push((line, String::new(), "row_unreadable", e.to_string()));
            }
        }
        if batch.full() {
            let full = std::mem::replace(&mut batch, Batch::new(initial));
            if tx.blocking_send(Ok(full)).is_err() {
                return;
            }
        }
    }
    let _ = tx.blocking_send(Ok(batch));
}

/// Loads the rows, bisecting on a refusal: the rows the database refused come back as rejects.
async fn load_bisect(
    store: &dyn CivilStore,
    lines: &[u64],
    persons: &[CivilPerson],
) -> Result<Vec<Reject>, StoreError> {
    let mut pending = vec![(0, persons.len())];
    let mut rejects = vec![];
    while let Some((from, to)) = pending.pop() {
        if from == to {
            continue;
        }
        match store.civil_load(&persons[from..to]).await {
            Ok(()) => {}
            Err(StoreError::Conflict(..)) if to - from == 1 => {
                rejects.push((
                    lines[from],
                    persons[from].national_id.clone(),
                    "national_id_duplicate",
                    DUPLICATE.into(),
                ));
            }
            Err(StoreError::Conflict(..)) => {
                let mid = from + (to - from) / 2;
                pending.push((mid, to));
                pending.push((from, mid));
            }
            Err(e) => return Err(e),
        }
    }
    Ok(rejects)
}

/// Loads `persons.csv` into the civil registry; returns what went in and what was rejected.
///
/// Into an empty registry on PostgreSQL (the initial national load), everything goes in one
/// transaction without the primary key, which is built at the end (`CivilBulkLoad`); repeated IDs are
/// caught while reading. All or nothing: on an error nothing is loaded. Otherwise (a registry that
/// already holds persons, or SQLite), batches of `BATCH` rows are committed one by one.
pub async fn load_persons(
    store: Arc<dyn CivilStore>,
    file: &Path,
    rejects_path: &Path,
    progress: Arc<dyn Fn(u64) + Send + Sync>,
) -> Result<LoadReport, LoadError> {
    let mut out =
        std::io::BufWriter::new(std::fs::File::create(rejects_path).map_err(LoadError::Io)?);
    writeln!(out, "file,line,national_id,code,message").map_err(LoadError::Io)?;
    let mut bulk = store.civil_initial_load().await.map_err(LoadError::Store)?;
    let initial = bulk.is_some();
    let (tx, mut rx) = tokio::sync::mpsc::channel(2);
    let path = file.to_path_buf();
    let reader = tokio::task::spawn_blocking(move || read_batches(path, initial, tx));
    let mut report = LoadReport {
        persons: 0,
        rejected: 0,
        rejects: rejects_path.to_path_buf(),
    };
    let mut lines_done = 0u64;
    let write_rejects =
        |rs: &[Reject], out: &mut std::io::BufWriter<std::fs::File>| -> Result<(), LoadError> {
            let mut w = csv::Writer::from_writer(out);
            for (line, id, code, msg) in rs {
                w.write_record([
                    "persons.csv",
                    &line.to_string(),
                    id.as_str(),
                    code,
                    msg.as_str(),
                ])
                .map_err(|e| LoadError::Io(e.into()))?;
            }
            w.flush().map_err(LoadError::Io)?;
            Ok(())
        };
    while let Some(batch) = rx.recv().await {
        let batch = batch?;
        let good = batch.rows.len();
        let refused = match (batch.rows, bulk.as_mut()) {
            (Rows::Encoded(rows), Some(bulk)) => {
                bulk.send(rows).await.map_err(LoadError::Store)?;
                vec![]
            }
            (Rows::Persons { lines, persons }, None) => {
                load_bisect(store.as_ref(), &lines, &persons)
                    .await
                    .map_err(LoadError::Store)?
            }
            // `initial` chose the kind of batch from `bulk`: they cannot disagree.
            _ => {
                return Err(LoadError::Io(std::io::Error::other(
                    "internal: batch kind and load path disagree",
                )));
            }
        };
        write_rejects(&batch.rejects, &mut out)?;
        write_rejects(&refused, &mut out)?;
        report.persons += (good - refused.len()) as u64;
        report.rejected += (batch.rejects.len() + refused.len()) as u64;
        lines_done += (good + batch.rejects.len()) as u64;
        progress(lines_done);
    }
    reader
        .await
        .map_err(|e| LoadError::Io(std::io::Error::other(e.to_string())))?;
    if let Some(bulk) = bulk {
        tracing::info!("building the civil registry's primary key");
        bulk.finish().await.map_err(LoadError::Store)?;
    }
    out.flush().map_err(LoadError::Io)?;
    Ok(report)
}
