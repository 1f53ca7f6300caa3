//! Programmes as versioned data (issue 15): the programme and each of its versions, as checked
//! canonical JSON. A version is never changed; a change is a new version. SQL in `sql_programmes.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::programme::CycleMonth;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProgrammeRow {
    pub code: String,
    /// `IQ` or `EG`.
    pub country: String,
    /// `basket`, `bread` or `allowance`.
    pub kind: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredVersion {
    pub programme: String,
    pub version: i64,
    pub effective_from: CycleMonth,
    /// The version as the file gave it, checked, as canonical JSON (keys sorted).
    pub content: String,
    pub imported_by: String,
    pub imported_at: Timestamp,
}

#[async_trait]
pub trait ProgrammeStore: Send + Sync {
    /// Writes the programme (the first time) and these new versions, with the audit entry, in one
    /// transaction. A version number or month the programme has already is `Conflict::VersionExists`
    /// and nothing is written.
    async fn add_programme_versions(
        &self,
        p: &ProgrammeRow,
        versions: &[StoredVersion],
        log: &ChangeLog,
    ) -> Result<()>;
    async fn programmes(&self) -> Result<Vec<ProgrammeRow>>;
    async fn programme_row(&self, code: &str) -> Result<Option<ProgrammeRow>>;
    /// Oldest first.
    async fn programme_versions(&self, code: &str) -> Result<Vec<StoredVersion>>;
}
