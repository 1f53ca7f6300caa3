//! Programmes as versioned data (issue 15 point 1): a programme file is checked whole, and its
//! versions new to the store are added in one transaction; versions already stored must be unchanged.
//! A new version takes effect from a month no cycle of the programme has reached yet, so that every
//! cycle keeps the version it was drafted with.

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use tamwin_domain::access::Permission;
use tamwin_domain::error::{FieldError, ValidationErrors};
use tamwin_domain::programme::{CycleMonth, Programme, RawProgramme, parse};
use tamwin_store::{CycleFilter, ProgrammeRow, StoredVersion};

/// What an import did.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeImport {
    pub code: String,
    /// Version numbers written now.
    pub added: Vec<i64>,
    /// Version numbers the store had already, unchanged.
    pub unchanged: Vec<i64>,
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct VersionView {
    pub version: i64,
    pub effective_from: String,
    pub imported_by: String,
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = DateTime))]
    pub imported_at: jiff::Timestamp,
    /// The version as its file gave it.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub content: serde_json::Value,
}

/// A programme with its history, oldest version first.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProgrammeView {
    pub code: String,
    pub country: String,
    pub kind: String,
    pub versions: Vec<VersionView>,
}

fn file_error(code: &'static str, en: &str) -> AppError {
    AppError::Validation(ValidationErrors(vec![FieldError::new("", code, en)]))
}

impl Registry {
    /// Checks a programme file (docs/formats.md, "Programme files") and adds its new versions.
    pub async fn import_programme(&self, text: &str, actor: &Actor) -> Result<ProgrammeImport> {
        actor.require(Permission::ManageProgrammes)?;
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|_| file_error("programme_file_invalid", "the file is not JSON"))?;
        let raw: RawProgramme = serde_json::from_value(value.clone()).map_err(|e| {
            file_error(
                "programme_file_invalid",
                &format!("the file does not have the programme's shape: {e}"),
            )
        })?;
        let p = parse::programme(&raw).map_err(AppError::Validation)?;
        let contents: Vec<&serde_json::Value> = value["versions"]
            .as_array()
            .map(|v| v.iter().collect())
            .unwrap_or_default();
        if let Some(row) = self.store.programme_row(&p.code).await?
            && (row.country != p.country.code() || row.kind != raw.kind)
        {
            return Err(AppError::Rule(crate::error::Rule {
                code: "programme_kind_changed",
                params: vec![("value", p.code.clone())],
            }));
        }
        let stored = self.load_programme_opt(&p.code).await?;
        let (mut added, mut unchanged, mut new) = (vec![], vec![], vec![]);
        for (v, content) in p.versions.iter().zip(contents) {
            let same = stored
                .as_ref()
                .and_then(|s| s.versions.iter().find(|x| x.version == v.version));
            match same {
                Some(old) if old == v => unchanged.push(v.version),
                Some(_) => {
                    return Err(AppError::Rule(crate::error::Rule {
                        code: "programme_version_changed",
                        params: vec![("version", v.version.to_string())],
                    }));
                }
                None => {
                    added.push(v.version);
                    new.push(StoredVersion {
                        programme: p.code.clone(),
                        version: v.version,
                        effective_from: v.effective_from,
                        content: content.to_string(),
                        imported_by: actor.name.clone(),
                        imported_at: self.clock.now(),
                    });
                }
            }
        }
        if let (Some(s), Some(first)) = (&stored, new.first()) {
            let last = s.versions.last();
            if last.is_some_and(|l| {
                first.version <= l.version || first.effective_from <= l.effective_from
            }) {
                return Err(AppError::Rule(crate::error::Rule {
                    code: "programme_versions_overlap",
                    params: vec![("month", first.effective_from.to_string())],
                }));
            }
            let reached = self
                .store
                .cycles(&CycleFilter {
                    programme: Some(p.code.clone()),
                    ..CycleFilter::default()
                })
                .await?
                .into_iter()
                .map(|c| c.month)
                .max();
            if reached.is_some_and(|m| first.effective_from <= m) {
                return Err(AppError::Rule(crate::error::Rule {
                    code: "programme_version_after_cycles",
                    params: vec![("month", first.effective_from.to_string())],
                }));
            }
        }
        if !new.is_empty() {
            let row = ProgrammeRow {
                code: p.code.clone(),
                country: p.country.code().to_string(),
                kind: raw.kind.clone(),
                created_at: self.clock.now(),
            };
            let log = self.log(
                "programme_imported",
                Some(p.code.clone()),
                None,
                actor,
                serde_json::json!({ "programme": p.code, "versions": added }),
            );
            self.store.add_programme_versions(&row, &new, &log).await?;
        }
        Ok(ProgrammeImport {
            code: p.code,
            added,
            unchanged,
        })
    }

    pub async fn programmes(&self, actor: &Actor) -> Result<Vec<ProgrammeView>> {
        actor.require(Permission::ReadAggregates)?;
        let mut out = vec![];
        for row in self.store.programmes().await? {
            out.push(self.programme_view(row).await?);
        }
        Ok(out)
    }

    pub async fn programme(&self, code: &str, actor: &Actor) -> Result<ProgrammeView> {
        actor.require(Permission::ReadAggregates)?;
        let row = self
            .store
            .programme_row(code)
            .await?
            .ok_or(AppError::NotFound)?;
        self.programme_view(row).await
    }

    async fn programme_view(&self, row: ProgrammeRow) -> Result<ProgrammeView> {
        let versions = self.store.programme_versions(&row.code).await?;
        Ok(ProgrammeView {
            code: row.code,
            country: row.country,
            kind: row.kind,
            versions: versions
                .into_iter()
                .map(|v| VersionView {
                    version: v.version,
                    effective_from: v.effective_from.to_string(),
                    imported_by: v.imported_by,
                    imported_at: v.imported_at,
                    content: serde_json::from_str(&v.content).unwrap_or(serde_json::Value::Null),
                })
                .collect(),
        })
    }

    /// The programme as stored, its versions checked again (they were when imported).
    pub(crate) async fn load_programme(&self, code: &str) -> Result<Programme> {
        self.load_programme_opt(code)
            .await?
            .ok_or(AppError::NotFound)
    }

    async fn load_programme_opt(&self, code: &str) -> Result<Option<Programme>> {
        let Some(row) = self.store.programme_row(code).await? else {
            return Ok(None);
        };
        let versions = self.store.programme_versions(code).await?;
        let corrupt =
            |e: String| AppError::Internal(format!("programme_versions.content of {code}: {e}"));
        let raw = RawProgramme {
            code: row.code.clone(),
            country: row.country.clone(),
            kind: row.kind.clone(),
            versions: versions
                .iter()
                .map(|v| serde_json::from_str(&v.content).map_err(|e| corrupt(e.to_string())))
                .collect::<Result<_>>()?,
        };
        parse::programme(&raw)
            .map(Some)
            .map_err(|e| corrupt(e.to_string()))
    }
}

/// The month a cycle would cover now (the current month in Iraq).
pub fn current_month(now: jiff::Timestamp) -> CycleMonth {
    CycleMonth::in_iraq(now)
}
