//! What the store keeps of the hash-chained audit log (docs/audit.md): every write appends to it in its
//! own transaction (`sql_audit.rs`); this interface reads chains for `tamwin audit verify` and
//! checkpoints, writes the entries of reads, and lists a household's entries. `Store` includes it.

use crate::{ChangeLog, HouseholdReadRow, Result};
use async_trait::async_trait;
use tamwin_domain::HouseholdId;

#[async_trait]
pub trait AuditStore: Send + Sync {
    /// The head of an audit chain: (position, hash) of its last entry, (0, GENESIS) when empty.
    async fn audit_head(&self, chain: i64) -> Result<(i64, String)>;

    /// Every chain's head as (chain, position, hash), in chain order: one read for a checkpoint.
    async fn audit_heads(&self) -> Result<Vec<(i64, i64, String)>>;

    /// Entries of one chain after `after` in position order, at most `limit`.
    async fn audit_page(
        &self,
        chain: i64,
        after: i64,
        limit: u32,
    ) -> Result<Vec<tamwin_domain::audit::AuditEntry>>;

    /// Whether some entry of the chain has this hash (a scan: asked only when verification fails).
    async fn audit_hash_exists(&self, chain: i64, hash: &str) -> Result<bool>;

    /// Appends one audit entry per household whose personal data was shown (`household.read`, …).
    async fn record_reads(&self, reads: &[(HouseholdId, ChangeLog)]) -> Result<()>;
    /// A household's audit entries with one of these actions, newest first, whole (for audits and
    /// tests that look at an entry's details).
    async fn household_audit(
        &self,
        household_id: &HouseholdId,
        actions: &[&str],
        limit: u32,
    ) -> Result<Vec<tamwin_domain::audit::AuditContent>>;
    /// Every read entry of a household (actions `*.read` and `*.listed`, as `record_reads` writes them)
    /// by anyone but the household itself, newest first, a day's list appearances by one actor
    /// collapsed into one row; keyset-paged: rows before the cursor `(last_at, group_key)`.
    async fn household_reads(
        &self,
        household_id: &HouseholdId,
        before: Option<(&str, &str)>,
        limit: u32,
    ) -> Result<Vec<HouseholdReadRow>>;
}
