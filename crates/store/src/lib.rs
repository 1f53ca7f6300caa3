//! The store, by capability, and its two implementations: SQLite, the embedded default, and
//! PostgreSQL for national scale. Each capability is a trait (`HouseholdStore`, `StaffStore`, …)
//! implemented once for both backends beside its SQL (`sql_*.rs`, expanded per driver by `sql_impl!`);
//! each backend keeps its own migrations, connection settings and bulk path (multi-row inserts on
//! SQLite, COPY on PostgreSQL). The ration side holds a `Store`, the bundle of its capabilities; the
//! reference civil registry and the hub hold a `CivilStore`, which the ration side never sees.

pub mod access;
pub mod adjustments;
pub mod appointments;
pub mod audit;
pub mod card_tokens;
pub mod civil;
pub mod complaints;
pub mod conversions;
pub mod credentials;
pub mod cycles;
pub mod eligibility;
mod error;
pub mod evidence;
pub mod household_events;
pub mod households;
pub mod jobs;
mod migrate;
pub mod outlets;
pub mod payments;
mod pool;
mod postgres;
pub mod programmes;
pub mod proxies;
pub mod redemptions;
pub mod reference;
mod retry;
mod rows;
pub mod screening;
mod sql_access;
mod sql_adjustments;
mod sql_appointments;
mod sql_audit;
mod sql_card_tokens;
mod sql_cards;
mod sql_civil;
mod sql_complaints;
mod sql_conversions;
mod sql_counting;
mod sql_credentials;
mod sql_crvs;
mod sql_cycles;
mod sql_eligibility;
mod sql_evidence;
mod sql_first_free;
mod sql_household_events;
mod sql_household_load;
mod sql_households;
mod sql_hub;
mod sql_impl;
mod sql_jobs;
mod sql_outlets;
mod sql_payments;
mod sql_programmes;
mod sql_proxies;
mod sql_redemptions;
mod sql_reference;
mod sql_screening;
mod sql_staff;
mod sql_stations;
mod sql_stock;
mod sql_vital_events;
mod sqlite;
pub mod staff;
pub mod stock;
mod types;
pub mod vital_events;

pub use access::AccessStore;
pub use adjustments::{Adjustment, AdjustmentStore, EntitlementLine};
pub use appointments::{
    Appointment, AppointmentMember, AppointmentStore, Booking, FirstFree, MobileTeam,
    PreparedBooking, Progress, ProgressScope, SlotLoad, TemporaryCard,
};
pub use audit::AuditStore;
pub use card_tokens::{CardToken, CardTokenStore};
pub use civil::{
    CardStore, CivilBulkLoad, CivilRegistryStore, CivilStore, CrvsStore, HubStore, StationStore,
};
pub use complaints::{Complaint, ComplaintStore};
pub use conversions::{Conversion, ConversionStore, Converted};
pub use credentials::CredentialStore;
pub use cycles::{
    AreaTotal, CountChange, Counting, Cycle, CycleFilter, CycleMove, CycleStore, Entitlement,
    Generated,
};
pub use eligibility::{Declarations, EligibilityStore};
pub use error::{Conflict, StoreError};
pub use evidence::EvidenceStore;
pub use household_events::HouseholdEventStore;
pub use households::HouseholdStore;
pub use jobs::{JobFinish, JobLease, JobRequest, JobRun, JobStore};
pub use outlets::{AgentSlot, OutletStore};
pub use payments::{Payment, PaymentStore, ProviderAnswer, ReconciliationRow, Settled};
pub use pool::{PoolStats, PoolUse};
pub use postgres::{CivilRows, PgStore};
pub use programmes::{ProgrammeRow, ProgrammeStore, StoredVersion};
pub use proxies::{
    Confirmation, Created, Grant, GrantEnd, ProxyCode, ProxyCollected, ProxyStore, Side,
};
pub use redemptions::{
    LineAfter, NewRedemption, ProxyCollection, Redeemed, Redemption, RedemptionStore, Take, Void,
    Voided,
};
pub use reference::ReferenceStore;
pub use retry::with_retry;
pub use screening::{
    Appeal, Concerned, FindingCount, FindingDecision, FindingFilter, InboxAppeal, QueueCursor,
    QueuedFinding, ScreeningFinding, ScreeningPerson, ScreeningRun, ScreeningStore,
};
pub use sqlite::SqliteStore;
pub use staff::StaffStore;
pub use stock::{AgentTotal, Movement, MovementKind, StockRow, StockStore};
pub use types::*;
pub use vital_events::VitalEventStore;

use async_trait::async_trait;
use std::sync::Arc;

pub type Result<T> = std::result::Result<T, StoreError>;

/// Everything the ration side asks of storage: the bundle of its capabilities. Each method is one
/// transaction. The civil registry's tables are not here (`CivilStore`).
#[async_trait]
pub trait Store:
    ReferenceStore
    + HouseholdStore
    + AuditStore
    + StaffStore
    + AccessStore
    + CredentialStore
    + EvidenceStore
    + VitalEventStore
    + HouseholdEventStore
    + AppointmentStore
    + ScreeningStore
    + JobStore
    + ProgrammeStore
    + CycleStore
    + AdjustmentStore
    + EligibilityStore
    + OutletStore
    + RedemptionStore
    + CardTokenStore
    + StockStore
    + ComplaintStore
    + ConversionStore
    + ProxyStore
    + PaymentStore
    + PoolUse
    + Send
    + Sync
{
    fn backend(&self) -> Backend;

    /// Applies pending migrations; returns how many were applied.
    async fn migrate(&self) -> Result<usize>;

    /// Runs one statement as it is: for tests that tamper with the database behind the application.
    #[cfg(feature = "testkit")]
    async fn execute_unchecked(&self, sql: &str) -> Result<()>;

    /// A trivial query: the database answers.
    async fn ping(&self) -> Result<()>;
}

/// Opens the ration side's store named by a `TAMWIN_DATABASE_URL`-style URL: `sqlite://path` or
/// `postgres://…`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    Ok(open(url).await?.0)
}

/// Opens the civil registry's store (the reference registry and the hub) at a URL.
pub async fn connect_civil(url: &str) -> Result<Arc<dyn CivilStore>> {
    Ok(open(url).await?.1)
}

/// One database serving both sides, as the embedded demo keeps it: one pool (on SQLite, one writer),
/// handed out as the ration side's store and the civil registry's.
pub async fn open(url: &str) -> Result<(Arc<dyn Store>, Arc<dyn CivilStore>)> {
    if url.starts_with("sqlite:") {
        let s = Arc::new(SqliteStore::connect(url).await?);
        Ok((s.clone(), s))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        let s = Arc::new(PgStore::connect(url).await?);
        Ok((s.clone(), s))
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL (expected sqlite:// or postgres://): {url}"
        )))
    }
}

#[cfg(feature = "testkit")]
pub mod testkit;
