//! The social-protection ministry's lists (issue 15 point 2): the social-welfare list and the
//! low-income list, each a file of national IDs (docs/formats.md, "Eligibility list file"). The file is
//! the whole list: households with a member listed are put on it, households on it no longer listed are
//! taken off. A file that is not UTF-8 or has no `national_id` column is refused whole; an ID that is
//! invalid or belongs to nobody in the registry is a reject row; the rest is applied in one
//! transaction, each household changed with its audit entry.

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use std::collections::{BTreeSet, HashSet};
use tamwin_domain::access::Permission;
use tamwin_domain::error::{FieldError, ValidationErrors};
use tamwin_domain::programme::Category;
use tamwin_domain::{HouseholdId, NationalId};

/// A line the import could not use.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ListReject {
    pub line: u64,
    pub national_id: String,
    /// `national_id_invalid` or `national_id_unknown`.
    pub code: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ListImport {
    pub list: &'static str,
    /// Households on the list after the import.
    pub households: usize,
    pub added: usize,
    pub removed: usize,
    pub rejects: Vec<ListReject>,
}

/// A file refused whole (the import files of `lists`, `declarations_import`, `warehouses`).
pub(crate) fn refused(code: &'static str, en: &str) -> AppError {
    AppError::Validation(ValidationErrors(vec![FieldError::new("", code, en)]))
}

impl Registry {
    pub async fn import_list(&self, list: &str, bytes: &[u8], actor: &Actor) -> Result<ListImport> {
        actor.require(Permission::ManageProgrammes)?;
        let category = Category::parse(list).ok_or_else(|| {
            AppError::Validation(ValidationErrors(vec![
                FieldError::new(
                    "list",
                    "category_unknown",
                    "the list is social_welfare or low_income",
                )
                .with("value", list),
            ]))
        })?;
        let text = std::str::from_utf8(bytes)
            .map_err(|_| refused("file_encoding_invalid", "the file is not UTF-8 text"))?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rd = csv::ReaderBuilder::new()
            .flexible(true)
            .from_reader(text.as_bytes());
        let header = rd
            .headers()
            .map_err(|_| refused("file_header_invalid", "the first line names the columns"))?
            .clone();
        let col = header
            .iter()
            .position(|h| h.trim() == "national_id")
            .ok_or_else(|| refused("file_header_invalid", "the file needs a national_id column"))?;
        let mut rejects = vec![];
        let mut ids: Vec<(u64, NationalId)> = vec![];
        for (i, rec) in rd.records().enumerate() {
            let line = i as u64 + 2;
            let rec = rec.map_err(|_| {
                refused("file_encoding_invalid", "a line of the file cannot be read")
            })?;
            let raw = rec.get(col).unwrap_or("").trim();
            if raw.is_empty() {
                continue;
            }
            match NationalId::parse(raw) {
                Ok(n) => ids.push((line, n)),
                Err(_) => rejects.push(ListReject {
                    line,
                    national_id: raw.to_string(),
                    code: "national_id_invalid",
                }),
            }
        }
        let wanted: Vec<NationalId> = ids.iter().map(|(_, n)| n.clone()).collect();
        let owners = self.store.households_of_ids(&wanted).await?;
        let known: HashSet<&str> = owners.iter().map(|(n, _)| n.as_str()).collect();
        for (line, n) in &ids {
            if !known.contains(n.as_str()) {
                rejects.push(ListReject {
                    line: *line,
                    national_id: n.as_str().to_string(),
                    code: "national_id_unknown",
                });
            }
        }
        rejects.sort_by_key(|r| r.line);
        let listed: BTreeSet<HouseholdId> = owners.into_iter().map(|(_, h)| h).collect();
        let now: BTreeSet<HouseholdId> = self
            .store
            .households_on_list(category)
            .await?
            .into_iter()
            .collect();
        let log = |hid: &HouseholdId, on: bool| {
            (
                hid.clone(),
                self.log(
                    "list_changed",
                    None,
                    None,
                    actor,
                    serde_json::json!({ "household_id": hid.as_str(), "list": category.code(), "on": on }),
                ),
            )
        };
        let on: Vec<_> = listed.difference(&now).map(|h| log(h, true)).collect();
        let off: Vec<_> = now.difference(&listed).map(|h| log(h, false)).collect();
        self.store.apply_list(category, &on, &off).await?;
        Ok(ListImport {
            list: category.code(),
            households: listed.len(),
            added: on.len(),
            removed: off.len(),
            rejects,
        })
    }
}
