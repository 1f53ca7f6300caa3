//! Reading the import files: header check, rows with their line numbers, and rows grouped by card.

use super::ImportError;
use std::collections::HashMap;
use std::path::Path;
use tamwin_domain::CardNumber;

/// How many member groups may be read ahead looking for a household's group before giving up on it.
const LOOKAHEAD: usize = 1000;

/// The grouping key of a row: the card number in its stored form when it parses (so `11-00000001-5`
/// and `11000000015` group together), else the raw text.
fn card_key(raw: &str) -> String {
    CardNumber::parse(raw)
        .map(|c| c.as_str().to_string())
        .unwrap_or_else(|_| raw.trim().to_string())
}

/// One data row: its line and either its fields or why it could not be read.
pub(super) struct Row {
    pub line: u64,
    /// The first field, read leniently so that a damaged row still groups with its household.
    pub card: String,
    pub fields: Result<Vec<String>, (&'static str, String)>,
}

pub(super) fn open(
    path: &Path,
    expected: &[&str],
) -> Result<csv::Reader<std::fs::File>, ImportError> {
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

pub(super) fn read_row(r: &mut csv::Reader<std::fs::File>, ncols: usize) -> Option<Row> {
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
pub(super) struct Groups {
    reader: Option<csv::Reader<std::fs::File>>,
    ncols: usize,
    pending: Option<Row>,
    stash: HashMap<String, Vec<Row>>,
}

impl Groups {
    pub fn new(reader: Option<csv::Reader<std::fs::File>>, ncols: usize) -> Self {
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
    pub fn take(&mut self, card: &str) -> Vec<Row> {
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
    pub fn leftovers(mut self) -> Vec<(String, Vec<Row>)> {
        let mut out: Vec<_> = self.stash.drain().collect();
        while let Some(g) = self.next_group() {
            out.push(g);
        }
        out
    }
}
