//! Reading the screening's input files (docs/formats.md, "Screening"): columns by name, every row
//! checked. A broken file (empty, a required column missing, a row with the wrong number of fields,
//! invalid UTF-8, a repeated record_id) stops the run before anything is written; a field that cannot
//! be read (an impossible date, a name made only of marks) is left missing and reported as a warning.

use std::path::Path;
use tamwin_matching::record::NO_HOUSEHOLD;
use tamwin_matching::screen::{Trip, days};
use tamwin_matching::silent::{Cycle, parse_cycle};
use tamwin_matching::{BirthDate, FieldWarning, RawPerson, Rec, Vocab};

/// A refused input file, with a stable code and the message in Arabic and English.
#[derive(Debug)]
pub struct InputError {
    pub file: String,
    pub code: &'static str,
    pub en: String,
    pub ar: String,
}

impl std::fmt::Display for InputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} [{}]: {} / {}",
            self.file, self.code, self.en, self.ar
        )
    }
}

impl std::error::Error for InputError {}

/// Record ids as one text with end offsets: tens of millions of ids without a string each.
#[derive(Default)]
pub struct Ids {
    text: String,
    ends: Vec<u64>,
}

impl Ids {
    fn push(&mut self, id: &str) {
        self.text.push_str(id);
        self.ends.push(self.text.len() as u64);
    }

    pub fn get(&self, i: u32) -> &str {
        let i = i as usize;
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// The first id seen twice, if any: hashes sorted, equal neighbours compared as text.
    fn repeated(&self) -> Option<&str> {
        use std::hash::{BuildHasher, BuildHasherDefault, DefaultHasher};
        let hasher = BuildHasherDefault::<DefaultHasher>::default();
        let mut h: Vec<(u64, u32)> = (0..self.len() as u32)
            .map(|i| (hasher.hash_one(self.get(i)), i))
            .collect();
        h.sort_unstable();
        h.windows(2)
            .find(|w| w[0].0 == w[1].0 && self.get(w[0].1) == self.get(w[1].1))
            .map(|w| self.get(w[0].1))
    }
}

/// One loaded file: its records, their ids, and per record whatever else the kind needs.
#[derive(Default)]
pub struct Loaded {
    pub recs: Vec<Rec>,
    pub ids: Ids,
    pub closed: Vec<bool>,
    pub trips: Vec<Trip>,
    pub warnings: Vec<Warning>,
    /// Households as numbered (people only).
    pub households: u32,
    /// The number of each household_id (people only; taken out once collections are read).
    pub household_numbers: std::collections::HashMap<String, u32>,
}

pub struct Warning {
    pub line: u64,
    pub record_id: String,
    pub field: &'static str,
    pub code: &'static str,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    People,
    Registry,
    Deaths,
    Exits,
}

const PERSON: [&str; 11] = tamwin_synth::PERSON_COLUMNS;
const EXIT: [&str; 6] = [
    "record_id",
    "national_id",
    "full_name",
    "birth_date",
    "exit_date",
    "return_date",
];

impl FileKind {
    fn required(self) -> Vec<&'static str> {
        match self {
            FileKind::People | FileKind::Registry => PERSON.to_vec(),
            FileKind::Deaths => PERSON.iter().copied().chain(["death_date"]).collect(),
            FileKind::Exits => EXIT.to_vec(),
        }
    }
}

fn refuse(path: &Path, code: &'static str, en: String, ar: String) -> InputError {
    InputError {
        file: path.display().to_string(),
        code,
        en,
        ar,
    }
}

type Reader = csv::Reader<std::io::BufReader<std::fs::File>>;

/// Opens a CSV file with its columns by name, each required one present.
fn open(
    path: &Path,
    required: &[&str],
) -> Result<(Reader, std::collections::HashMap<String, usize>), InputError> {
    let file = std::fs::File::open(path).map_err(|e| {
        refuse(
            path,
            "screen_file_unreadable",
            format!("cannot open: {e}"),
            format!("تعذّر فتح الملف: {e}"),
        )
    })?;
    let mut rdr = csv::ReaderBuilder::new()
        .flexible(false)
        .from_reader(std::io::BufReader::with_capacity(1 << 20, file));
    let headers = match rdr.headers() {
        Ok(h) if h.iter().any(|c| !c.trim().is_empty()) => h.clone(),
        Ok(_) => {
            return Err(refuse(
                path,
                "screen_file_empty",
                "the file is empty (no header row)".into(),
                "الملف فارغ (لا يوجد صف عناوين)".into(),
            ));
        }
        Err(e) => return Err(row_error(path, e)),
    };
    let mut col = std::collections::HashMap::new();
    for (i, h) in headers.iter().enumerate() {
        col.insert(h.trim().trim_start_matches('\u{feff}').to_string(), i);
    }
    for c in required {
        if !col.contains_key(*c) {
            return Err(refuse(
                path,
                "screen_missing_column",
                format!("required column \"{c}\" is missing"),
                format!("العمود المطلوب \"{c}\" غير موجود"),
            ));
        }
    }
    Ok((rdr, col))
}

/// Reads one input file into records keyed in `vocab`; `progress` gets the bytes read so far.
pub fn load(
    path: &Path,
    kind: FileKind,
    vocab: &mut Vocab,
    progress: &dyn Fn(u64),
) -> Result<Loaded, InputError> {
    let (mut rdr, col) = open(path, &kind.required())?;
    let at = |name: &str| col.get(name).copied();
    let status = at("status");
    let mut out = Loaded::default();
    let mut households: std::collections::HashMap<String, u32> = Default::default();
    let mut last_household: Option<(String, u32)> = None;
    let mut row = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut row) {
            Ok(true) => {}
            Ok(false) => break,
            Err(e) => return Err(row_error(path, e)),
        }
        let line = row.position().map_or(0, |p| p.line());
        let f = |name: &str| at(name).and_then(|i| row.get(i)).unwrap_or("");
        let id = f("record_id").trim();
        if id.is_empty() {
            return Err(refuse(
                path,
                "screen_missing_record_id",
                format!("line {line}: record_id is empty"),
                format!("السطر {line}: معرّف السجل فارغ"),
            ));
        }
        let mut warn = |field: &'static str, w: FieldWarning| {
            out.warnings.push(Warning {
                line,
                record_id: id.to_string(),
                field,
                code: w.code(),
            })
        };
        let rec = match kind {
            FileKind::Exits => {
                let r = Rec::from_full_name(
                    vocab,
                    f("national_id"),
                    f("full_name"),
                    f("birth_date"),
                    &mut warn,
                );
                let mut date = |field: &'static str| {
                    let text = f(field).trim();
                    if text.is_empty() {
                        return None;
                    }
                    let d = BirthDate::parse(text).and_then(days);
                    if d.is_none() {
                        warn(field, FieldWarning::BadDate);
                    }
                    d
                };
                let trip = Trip {
                    exit: date("exit_date"),
                    returned: date("return_date"),
                };
                out.trips.push(trip);
                r
            }
            _ => {
                let household = if kind == FileKind::People {
                    let h = f("household_id").trim();
                    match &last_household {
                        Some((last, n)) if last == h => *n,
                        _ => {
                            let next = households.len() as u32;
                            let n = *households.entry(h.to_string()).or_insert(next);
                            last_household = Some((h.to_string(), n));
                            n
                        }
                    }
                } else {
                    NO_HOUSEHOLD
                };
                let raw = RawPerson {
                    national_id: f("national_id"),
                    given: f("given_name"),
                    father: f("father_name"),
                    grandfather: f("grandfather_name"),
                    family: f("family_name"),
                    mother: f("mother_name"),
                    birth: f("birth_date"),
                    sex: f("sex"),
                };
                if kind == FileKind::Deaths
                    && BirthDate::parse(f("death_date")).and_then(days).is_none()
                {
                    warn("death_date", FieldWarning::BadDate);
                }
                Rec::from_raw(vocab, &raw, household, &mut warn)
            }
        };
        if kind == FileKind::People {
            rec.count_names(vocab);
        }
        out.recs.push(rec);
        out.ids.push(id);
        let closed = status
            .and_then(|i| row.get(i))
            .is_some_and(|s| matches!(s.trim(), "closed" | "removed" | "deceased"));
        out.closed.push(closed);
        if out.recs.len() % 65_536 == 0 {
            progress(row.position().map_or(0, |p| p.byte()));
        }
    }
    if out.recs.is_empty() {
        return Err(refuse(
            path,
            "screen_no_records",
            "the file has a header but no records".into(),
            "الملف يحوي العناوين ولا سجلات فيه".into(),
        ));
    }
    if out.recs.len() >= (1 << 31) {
        return Err(refuse(
            path,
            "screen_too_many_records",
            "more than 2^31 records in one file".into(),
            "عدد السجلات في الملف يتجاوز 2^31".into(),
        ));
    }
    if let Some(id) = out.ids.repeated() {
        return Err(refuse(
            path,
            "screen_repeated_record_id",
            format!("record_id {id} appears more than once"),
            format!("معرّف السجل {id} مكرر"),
        ));
    }
    out.households = households.len() as u32;
    out.household_numbers = households;
    Ok(out)
}

/// Collections read for silent cards: (household number, cycle) per row, and how many rows named a
/// household the people file does not hold (ignored, reported).
pub struct CollectionRows {
    pub rows: Vec<(u32, Cycle)>,
    pub unknown_households: u64,
}

/// Reads `household_id, cycle (YYYY-MM)` rows (more columns allowed) against the people's households.
pub fn load_collections(
    path: &Path,
    households: &std::collections::HashMap<String, u32>,
) -> Result<CollectionRows, InputError> {
    let (mut rdr, col) = open(path, &["household_id", "cycle"])?;
    let (hh, cy) = (col["household_id"], col["cycle"]);
    let mut out = CollectionRows {
        rows: Vec::new(),
        unknown_households: 0,
    };
    let mut row = csv::StringRecord::new();
    while rdr.read_record(&mut row).map_err(|e| row_error(path, e))? {
        let line = row.position().map_or(0, |p| p.line());
        let text = row.get(cy).unwrap_or("");
        let cycle = parse_cycle(text).ok_or_else(|| {
            refuse(
                path,
                "screen_bad_cycle",
                format!("line {line}: cycle \"{text}\" is not a month YYYY-MM"),
                format!("السطر {line}: الدورة \"{text}\" ليست شهراً بصيغة YYYY-MM"),
            )
        })?;
        match households.get(row.get(hh).unwrap_or("").trim()) {
            Some(n) => out.rows.push((*n, cycle)),
            None => out.unknown_households += 1,
        }
    }
    if out.rows.is_empty() && out.unknown_households == 0 {
        return Err(refuse(
            path,
            "screen_no_records",
            "the file has a header but no records".into(),
            "الملف يحوي العناوين ولا سجلات فيه".into(),
        ));
    }
    Ok(out)
}

fn row_error(path: &Path, e: csv::Error) -> InputError {
    let line = e.position().map_or(0, |p| p.line());
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => refuse(
            path,
            "screen_invalid_utf8",
            format!("line {line}: not valid UTF-8"),
            format!("السطر {line}: ترميز غير صالح (ليس UTF-8)"),
        ),
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => refuse(
            path,
            "screen_column_count",
            format!("line {line}: {len} fields where the header has {expected_len}"),
            format!("السطر {line}: {len} حقول والعناوين {expected_len}"),
        ),
        _ => refuse(
            path,
            "screen_malformed",
            format!("line {line}: {e}"),
            format!("السطر {line}: ملف تالف ({e})"),
        ),
    }
}

/// The size of a file, for the progress bar.
pub fn size(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}
