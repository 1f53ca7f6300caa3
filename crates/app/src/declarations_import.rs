//! The declarations file (docs/formats.md, "Declarations file"): what households declare for
//! eligibility, a line per household, from a survey or another ministry's records. Only the columns the
//! file has are changed; an empty cell clears that declaration. A file that is not UTF-8, or whose
//! header lacks `card_number` or names a column the format does not have, is refused whole. A line whose
//! card is unknown or outside the caller's area, or whose values the API would refuse, is a reject
//! row; the rest is applied in one transaction, each household with its history and audit entry.

use crate::declarations::{DeclarationsInput, apply};
use crate::lists::refused;
use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::CardNumber;
use tamwin_domain::access::Permission;

/// The columns a declarations file may have besides `card_number`.
pub const DECLARATION_COLUMNS: [&str; 4] = [
    "head_sector",
    "head_monthly_income",
    "household_monthly_income",
    "income_band",
];

/// A line the import could not use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DeclarationReject {
    pub line: u64,
    pub card_number: String,
    pub code: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct DeclarationsImport {
    /// Households whose declarations changed.
    pub changed: usize,
    /// Lines that declared what was on record already.
    pub unchanged: usize,
    pub rejects: Vec<DeclarationReject>,
}

/// One line's cells as the API's change: a cell present is a change, an empty one clears.
fn input_of(
    cols: &[(usize, &str)],
    rec: &csv::StringRecord,
) -> std::result::Result<DeclarationsInput, &'static str> {
    let mut input = DeclarationsInput::default();
    for (i, name) in cols {
        let cell = rec.get(*i).unwrap_or("").trim();
        let text = (!cell.is_empty()).then(|| cell.to_string());
        match *name {
            "head_sector" => input.head_sector = Some(text),
            "income_band" => input.income_band = Some(text),
            money => {
                let amount = match &text {
                    None => None,
                    Some(t) => Some(t.parse::<i64>().map_err(|_| "income_negative")?),
                };
                if money == "head_monthly_income" {
                    input.head_monthly_income = Some(amount);
                } else {
                    input.household_monthly_income = Some(amount);
                }
            }
        }
    }
    Ok(input)
}

impl Registry {
    pub async fn import_declarations(
        &self,
        bytes: &[u8],
        actor: &Actor,
    ) -> Result<DeclarationsImport> {
        actor.require(Permission::EditMembers)?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| refused("file_encoding_invalid", "the file is not UTF-8 text"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rd = csv::ReaderBuilder::new().from_reader(text.as_bytes());
        let header_invalid = || {
            refused(
                "declarations_header_invalid",
                "the first line names the columns: card_number and at least one of head_sector, \
                 head_monthly_income, household_monthly_income, income_band",
            )
        };
        let header = rd.headers().map_err(|_| header_invalid())?.clone();
        let names: Vec<&str> = header.iter().map(str::trim).collect();
        let card_col = names
            .iter()
            .position(|h| *h == "card_number")
            .ok_or_else(header_invalid)?;
        let mut cols: Vec<(usize, &str)> = vec![];
        for (i, h) in names.iter().enumerate() {
            match DECLARATION_COLUMNS.iter().find(|c| **c == *h) {
                Some(c) if !cols.iter().any(|(_, x)| x == c) => cols.push((i, c)),
                None if i == card_col => {}
                _ => return Err(header_invalid()),
            }
        }
        if cols.is_empty() {
            return Err(header_invalid());
        }
        let (mut rejects, mut changes, mut unchanged) = (vec![], vec![], 0);
        let mut seen = std::collections::HashSet::new();
        for (i, rec) in rd.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|_| {
                refused("file_encoding_invalid", "a line of the file cannot be read")
            })?;
            let raw = rec.get(card_col).unwrap_or("").trim().to_string();
            let mut reject = |code: &'static str| {
                rejects.push(DeclarationReject {
                    line,
                    card_number: raw.clone(),
                    code,
                });
            };
            let card = match CardNumber::parse(&raw) {
                Ok(c) => c,
                Err(e) => {
                    reject(e.code);
                    continue;
                }
            };
            if !seen.insert(card.clone()) {
                reject("card_repeated");
                continue;
            }
            let input = match input_of(&cols, &rec) {
                Ok(i) => i,
                Err(code) => {
                    reject(code);
                    continue;
                }
            };
            let r = match self.card_in_reach(&card, actor).await {
                Ok(r) if r.household.closed_at.is_none() => r,
                Ok(_) | Err(AppError::NotFound) => {
                    reject("card_unknown");
                    continue;
                }
                Err(e) => return Err(e),
            };
            let hid = r.household.household_id.clone();
            let now = self
                .store
                .declarations(&hid)
                .await?
                .ok_or(AppError::NotFound)?;
            let new = match apply(&now, &input) {
                Ok(d) => d,
                Err(AppError::Validation(v)) => {
                    reject(v.0.first().map_or("declarations_invalid", |e| e.code));
                    continue;
                }
                Err(e) => return Err(e),
            };
            if new == now {
                unchanged += 1;
                continue;
            }
            let log = self.declarations_log(&card, &now, &new, actor);
            changes.push((hid, new, log));
        }
        if !changes.is_empty() {
            self.store.set_many_declarations(&changes).await?;
        }
        Ok(DeclarationsImport {
            changed: changes.len(),
            unchanged,
            rejects,
        })
    }
}
