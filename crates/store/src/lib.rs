//! The one store interface (`Store`) and its two implementations: SQLite, the embedded default, and
//! PostgreSQL for national scale. Both share their SQL through `sql_impl!`; each keeps its own
//! migrations, connection settings and bulk path (multi-row inserts on SQLite, COPY on PostgreSQL).

pub mod appointments;
pub mod audit;
mod error;
pub mod jobs;
mod migrate;
mod pool;
mod postgres;
mod retry;
mod rows;
pub mod screening;
mod sql_access;
mod sql_appointments;
mod sql_audit;
mod sql_cards;
mod sql_civil;
mod sql_crvs;
mod sql_devices;
mod sql_evidence;
mod sql_first_free;
mod sql_household_events;
mod sql_impl;
mod sql_jobs;
mod sql_screening;
mod sql_staff;
mod sql_stations;
mod sqlite;
mod types;

pub use appointments::{
    Appointment, AppointmentMember, AppointmentStore, Booking, FirstFree, MobileTeam,
    PreparedBooking, Progress, ProgressScope, SlotLoad, TemporaryCard,
};
pub use audit::AuditStore;
pub use error::{Conflict, StoreError};
pub use jobs::{JobFinish, JobLease, JobRequest, JobRun, JobStore};
pub use pool::{PoolStats, PoolUse};
pub use postgres::{CivilRows, PgStore};
pub use retry::with_retry;
pub use screening::{
    Appeal, Concerned, FindingCount, FindingDecision, FindingFilter, InboxAppeal, QueueCursor,
    QueuedFinding, ScreeningFinding, ScreeningPerson, ScreeningRun, ScreeningStore,
};
pub use sqlite::SqliteStore;
pub use types::*;

use async_trait::async_trait;
use std::sync::Arc;
use tamwin_domain::geography::RationAgent;
use tamwin_domain::{CardNumber, Geography, HouseholdRecord, NationalId};

pub type Result<T> = std::result::Result<T, StoreError>;

/// The initial load of an empty civil registry (`Store::civil_initial_load`), one transaction that
/// holds the table exclusively from the emptiness check to the commit. Rows go in without the primary
/// key, which is built once at the end: maintaining a random-key index row by row is what made the
/// national load slow. Dropped without `finish` (an error, a crash), it rolls back: the registry is
/// left empty and keyed, as before.
#[async_trait]
pub trait CivilBulkLoad: Send {
    /// Appends rows. No national ID may repeat across the whole load: the key is only checked at the end.
    async fn send(&mut self, rows: CivilRows) -> Result<()>;
    /// Builds the primary key and commits. A repeated national ID fails here, and nothing is loaded.
    async fn finish(self: Box<Self>) -> Result<()>;
}

/// Everything the application asks of storage. Each method is one transaction.
#[async_trait]
pub trait Store:
    AuditStore + AppointmentStore + ScreeningStore + JobStore + PoolUse + Send + Sync
{
    fn backend(&self) -> Backend;

    /// Applies pending migrations; returns how many were applied.
    async fn migrate(&self) -> Result<usize>;

    /// Writes the reference tables (governorates, districts, centres), inserting or updating rows.
    async fn save_geography(&self, geo: &Geography) -> Result<()>;
    async fn save_agents(&self, agents: &[RationAgent]) -> Result<()>;
    async fn agents_in_district(&self, district: &str) -> Result<Vec<RationAgent>>;

    /// Inserts a new household with its members and holds, and the idempotency entry if given.
    async fn create_household(
        &self,
        rec: &HouseholdRecord,
        log: &ChangeLog,
        idem: Option<&IdemEntry>,
    ) -> Result<()>;

    /// Writes a change to one household if its version is still `change.expected_version`.
    async fn save_change(&self, change: &HouseholdChange, idem: Option<&IdemEntry>) -> Result<()>;

    async fn household_by_card(&self, card: &CardNumber) -> Result<Option<HouseholdRecord>>;
    /// The household a card number belongs to, without reading the household (one index lookup).
    async fn household_id_by_card(&self, card: &CardNumber) -> Result<Option<String>>;
    async fn household_by_national_id(&self, id: &NationalId) -> Result<Option<HouseholdRecord>>;

    /// Which of these national IDs already belong to an open household, and to which card.
    async fn national_id_owners(&self, ids: &[NationalId])
    -> Result<Vec<(NationalId, CardNumber)>>;

    /// Present members whose name key, or given-and-family key, starts with `key` on a word boundary.
    async fn search_by_name(
        &self,
        key: &str,
        birth_year: Option<i16>,
        scope: &Scope,
        limit: u32,
    ) -> Result<Vec<NameHit>>;

    /// The households holding these card numbers, whole, in no particular order; a few statements per
    /// 500 cards (a bulk import asks it of every batch to skip what an earlier run already wrote).
    async fn households_by_cards(&self, cards: &[CardNumber]) -> Result<Vec<HouseholdRecord>>;

    /// One page of households in card-number order after `filter.after`.
    async fn list_households(&self, filter: &ListFilter) -> Result<Vec<HouseholdSummary>>;

    async fn idempotency_entry(&self, key: &str) -> Result<Option<IdemEntry>>;

    /// Inserts many new households in one transaction, each with its history entry: all or none.
    async fn import_batch(&self, batch: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()>;

    /// Removes a household and everything of it, in one transaction. Only for undoing an import that
    /// turned out incomplete (docs/formats.md, grouping rule); a registered household is closed instead.
    async fn delete_imported(&self, rec: &HouseholdRecord, log: &ChangeLog) -> Result<()>;

    /// Runs one statement as it is: for tests that tamper with the database behind the application.
    #[cfg(feature = "testkit")]
    async fn execute_unchecked(&self, sql: &str) -> Result<()>;

    /// Adds a staff account (with its audit entry); `Conflict::UsernameTaken` if the name is in use.
    async fn create_staff_user(&self, user: &StaffUser, log: &ChangeLog) -> Result<()>;
    async fn staff_user_by_username(&self, username: &str) -> Result<Option<StaffUser>>;
    /// Records the outcome of a sign-in: the failure count and lock after it.
    async fn save_login_outcome(
        &self,
        user_id: &str,
        failed_logins: i64,
        locked_until: Option<jiff::Timestamp>,
    ) -> Result<()>;
    async fn staff_users(&self) -> Result<Vec<StaffUser>>;

    async fn household_by_id(&self, household_id: &str) -> Result<Option<HouseholdRecord>>;
    /// The open household registered with this mobile number.
    async fn household_by_phone(&self, phone: &tamwin_domain::Phone) -> Result<Option<String>>;
    /// Households and present members by district and state, within the scope.
    async fn household_stats(&self, scope: &Scope) -> Result<Vec<AreaCount>>;

    /// Starts a session, with the audit entry of the sign-in.
    async fn create_session(&self, s: &Session, log: &ChangeLog) -> Result<()>;
    async fn session(&self, session_hash: &str) -> Result<Option<Session>>;
    /// Slides an open session's idle expiry.
    async fn touch_session(
        &self,
        session_hash: &str,
        at: jiff::Timestamp,
        expires_at: jiff::Timestamp,
    ) -> Result<()>;
    /// Ends a session (sign-out), with its audit entry.
    async fn end_session(&self, session_hash: &str, log: &ChangeLog) -> Result<()>;

    async fn staff_user_by_id(&self, user_id: &str) -> Result<Option<StaffUser>>;
    /// Replaces a password and ends every other session of the account, with the audit entry.
    async fn set_staff_password(
        &self,
        user_id: &str,
        password_hash: &str,
        keep_session: Option<&str>,
        log: &ChangeLog,
    ) -> Result<()>;
    /// Disables (ending every session) or re-enables an account, with the audit entry.
    async fn set_staff_disabled(
        &self,
        user_id: &str,
        disabled_at: Option<jiff::Timestamp>,
        log: &ChangeLog,
    ) -> Result<()>;

    /// Stores a one-time code and the message that carries it, in one transaction.
    async fn create_otp(&self, c: &OtpChallenge, msg: Option<&OutboxMessage>) -> Result<()>;
    /// How many codes were sent to this number since `since` (throttling).
    async fn otps_since(&self, phone: &str, since: jiff::Timestamp) -> Result<i64>;
    async fn latest_otp(&self, phone: &str) -> Result<Option<OtpChallenge>>;
    /// Counts one attempt if the code is unused and below `max` attempts; false if none is left.
    async fn otp_attempt(&self, challenge_id: &str, max: i64) -> Result<bool>;
    /// Marks the code used; false if it already was (so it works once, even under concurrency).
    async fn otp_use(&self, challenge_id: &str, at: jiff::Timestamp) -> Result<bool>;
    async fn outbox_recent(&self, limit: u32) -> Result<Vec<OutboxMessage>>;
    /// After a delivery attempt: the time the gateway took the message, if it did, and the body to
    /// keep instead, if given (a one-time code is kept only until its gateway had it).
    async fn outbox_update(
        &self,
        message_id: &str,
        delivered_at: Option<jiff::Timestamp>,
        body: Option<&str>,
    ) -> Result<()>;

    /// The sign-in throttle counters under these keys (missing keys have none).
    async fn throttles(&self, keys: &[String]) -> Result<Vec<Throttle>>;
    /// Counts one failure under `key`: a window that began before `window_from` starts again at one;
    /// reaching `limit` refuses the key until `block_until`. Returns the counter after it.
    async fn throttle_fail(
        &self,
        key: &str,
        now: jiff::Timestamp,
        window_from: jiff::Timestamp,
        limit: i64,
        block_until: jiff::Timestamp,
    ) -> Result<Throttle>;
    /// Sets `key` to no failures as of `now` (a success: also marks an address as known).
    async fn throttle_reset(&self, key: &str, now: jiff::Timestamp) -> Result<()>;
    /// Deletes counters whose window began before `before` and that refuse nothing any more.
    async fn throttle_forget(&self, before: jiff::Timestamp) -> Result<u64>;

    async fn create_api_token(&self, t: &ApiToken, log: &ChangeLog) -> Result<()>;
    async fn api_token(&self, token_id: &str) -> Result<Option<ApiToken>>;
    /// Revokes a token; false if there was none or it already was.
    async fn revoke_api_token(&self, token_id: &str, log: &ChangeLog) -> Result<bool>;
    async fn api_tokens(&self) -> Result<Vec<ApiToken>>;

    async fn create_device_key(&self, d: &DeviceKey, log: &ChangeLog) -> Result<()>;
    async fn device_key(&self, device_id: &str) -> Result<Option<DeviceKey>>;
    async fn revoke_device_key(&self, device_id: &str, log: &ChangeLog) -> Result<bool>;
    async fn device_keys(&self) -> Result<Vec<DeviceKey>>;
    /// Records a request's nonce; false if the device used it before (a replay). Nonces older than
    /// `forget_before` are dropped on the way: their timestamps are refused anyway.
    async fn use_nonce(
        &self,
        device_id: &str,
        nonce: &str,
        at: jiff::Timestamp,
        forget_before: jiff::Timestamp,
    ) -> Result<bool>;

    /// Inserts civil-registry persons in one transaction (COPY on PostgreSQL): all or none.
    async fn civil_load(&self, persons: &[CivilPerson]) -> Result<()>;
    /// Starts the initial load of an empty civil registry where the backend has a faster way for it
    /// (PostgreSQL: see `CivilBulkLoad`). None when the registry already holds persons, or on SQLite:
    /// then load with `civil_load`.
    async fn civil_initial_load(&self) -> Result<Option<Box<dyn CivilBulkLoad>>>;
    async fn civil_person(&self, national_id: &str) -> Result<Option<CivilPerson>>;
    /// The persons on file among these IDs (unknown ones are simply absent), in no particular order.
    async fn civil_persons(&self, national_ids: &[String]) -> Result<Vec<CivilPerson>>;
    async fn civil_count(&self) -> Result<i64>;
    /// Civil-registry persons in national-ID order after `after` (`vital_only`: the deceased and those
    /// abroad). The registry's own reads for its search index and vital records: never the ration side's.
    async fn civil_page(
        &self,
        after: Option<&str>,
        limit: u32,
        vital_only: bool,
    ) -> Result<Vec<CivilPerson>>;

    /// Registers (or replaces) a member organisation's key at the hub.
    async fn save_hub_key(&self, k: &HubKey) -> Result<()>;
    async fn hub_keys(&self) -> Result<Vec<HubKey>>;
    /// Records a signed request's nonce; false if the client used it before. Older nonces are dropped.
    async fn hub_use_nonce(
        &self,
        client: &str,
        nonce: &str,
        at: jiff::Timestamp,
        forget_before: jiff::Timestamp,
    ) -> Result<bool>;

    /// Records a member's verification state, and the evidence of the call behind it, in one transaction.
    async fn save_verification(
        &self,
        v: &MemberVerification,
        evidence: Option<&Evidence>,
    ) -> Result<()>;
    async fn verification(
        &self,
        household_id: &str,
        member_id: &str,
    ) -> Result<Option<MemberVerification>>;
    /// Pending checks whose retry time has come, oldest first.
    async fn due_verifications(
        &self,
        now: jiff::Timestamp,
        limit: u32,
    ) -> Result<Vec<MemberVerification>>;
    async fn evidence_of(&self, household_id: &str) -> Result<Vec<Evidence>>;

    /// Stores an event; false if one with this id was stored before (a second delivery).
    async fn save_vital_event(&self, e: &VitalEvent) -> Result<bool>;
    /// Events not applied yet, oldest first, after `(received_at, event_id)` of the last one seen (a
    /// pass pages through all of them, also past events that wait for a long time).
    async fn pending_vital_events(
        &self,
        after: Option<(jiff::Timestamp, String)>,
        limit: u32,
    ) -> Result<Vec<VitalEvent>>;
    /// A person's exit and entry events, newest first: the latest decides whether they are abroad.
    async fn travel_events(&self, national_id: &str) -> Result<Vec<VitalEvent>>;
    async fn mark_vital_event_applied(&self, event_id: &str, at: jiff::Timestamp) -> Result<()>;

    /// Stores a suggestion (and the message telling the head, in the same transaction); false if the
    /// event already has one.
    async fn save_suggestion(&self, s: &Suggestion, notice: Option<&OutboxMessage>)
    -> Result<bool>;
    /// A household's suggestions, newest first.
    async fn suggestions(&self, household_id: &str) -> Result<Vec<Suggestion>>;
    /// Moves a suggestion from `from` to `to`; false if it was not at `from` (decided meanwhile).
    async fn decide_suggestion(
        &self,
        suggestion_id: &str,
        from: &str,
        to: &str,
        at: jiff::Timestamp,
        by: &str,
    ) -> Result<bool>;
    /// Grants an exemption with its document, audited under the member's household.
    async fn save_exemption(
        &self,
        e: &Exemption,
        document: &[u8],
        household_id: &str,
        log: &ChangeLog,
    ) -> Result<()>;
    /// A person's exemptions, latest ending first.
    async fn exemptions(&self, national_id: &str) -> Result<Vec<Exemption>>;
    /// One exemption and its document's bytes (empty when it has none).
    async fn exemption_document(&self, exemption_id: &str) -> Result<Option<(Exemption, Vec<u8>)>>;

    /// The registry records a vital event: the event, the person as it leaves them (a newborn is
    /// inserted), and the notifications owed to subscribers, in one transaction. False if the event id
    /// was recorded before (nothing changes).
    async fn civil_record_event(
        &self,
        e: &CivilEvent,
        person: &CivilPerson,
        notify: &[Delivery],
    ) -> Result<bool>;
    async fn crvs_save_subscriptions(&self, subs: &[CrvsSubscription]) -> Result<()>;
    /// Active subscriptions to an event type.
    async fn crvs_subscribers(&self, event_type: &str) -> Result<Vec<CrvsSubscription>>;
    async fn crvs_subscriptions_of(&self, subscriber: &str) -> Result<Vec<CrvsSubscription>>;
    /// Ends a subscriber's subscription; false if it has none by that code.
    async fn crvs_unsubscribe(&self, subscriber: &str, code: &str) -> Result<bool>;
    /// Records an acknowledged request; false if the sender used this transaction id for this type.
    async fn crvs_save_txn(&self, t: &CrvsTxn) -> Result<bool>;
    async fn crvs_txn(&self, sender: &str, attribute: &str, value: &str)
    -> Result<Option<CrvsTxn>>;
    async fn crvs_pending_txns(&self, limit: u32) -> Result<Vec<CrvsTxn>>;
    /// Settles a transaction and queues its callback, in one transaction.
    async fn crvs_complete_txn(
        &self,
        correlation_id: &str,
        status: &str,
        response: &str,
        callback: &Delivery,
    ) -> Result<()>;
    async fn crvs_enqueue(&self, d: &Delivery) -> Result<()>;
    /// Callbacks not delivered whose time has come, oldest first.
    async fn crvs_due(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<Delivery>>;
    /// Records an attempt: delivered at `at`, or failed with the error and the next try.
    async fn crvs_attempted(
        &self,
        delivery_id: &str,
        delivered: Option<jiff::Timestamp>,
        error: Option<&str>,
        next: Option<jiff::Timestamp>,
    ) -> Result<()>;
    /// The registry stores a code and the message to the phone on file, in one transaction.
    async fn civil_otp_create(&self, o: &CivilOtp, phone: &str, body: &str) -> Result<()>;
    /// Codes asked for a person since a time (the throttle).
    async fn civil_otps_since(&self, national_id: &str, since: jiff::Timestamp) -> Result<i64>;
    async fn civil_otp(&self, challenge_id: &str) -> Result<Option<CivilOtp>>;
    /// Counts an attempt; false once `max` attempts were made.
    async fn civil_otp_attempt(&self, challenge_id: &str, max: i64) -> Result<bool>;
    /// Marks the code used; false if it was used before (one use, also under concurrency).
    async fn civil_otp_use(&self, challenge_id: &str, at: jiff::Timestamp) -> Result<bool>;
    /// The registry's SMS, newest first: (phone, body, time).
    async fn civil_sms_recent(&self, limit: u32) -> Result<Vec<(String, String, jiff::Timestamp)>>;
    /// Issues a card: earlier valid cards of the person become `replaced`, the person's file gets the
    /// card's status and expiry, and the delivery order (if any) is opened, in one transaction.
    async fn civil_issue_card(
        &self,
        card: &CivilCard,
        delivery: Option<&CardDelivery>,
    ) -> Result<()>;
    async fn civil_cards(&self, national_id: &str) -> Result<Vec<CivilCard>>;
    /// Moves an order from `from` to `to` with a step; false if it was not at `from` any more.
    async fn card_delivery_step(
        &self,
        order_id: &str,
        from: &str,
        to: &str,
        at: jiff::Timestamp,
        note: &str,
    ) -> Result<bool>;
    async fn card_delivery(&self, order_id: &str) -> Result<Option<CardDelivery>>;
    /// A person's orders, newest first, with their steps.
    async fn card_deliveries(&self, national_id: &str) -> Result<Vec<CardDelivery>>;
    async fn save_site(&self, s: &RegistrationSite) -> Result<()>;
    async fn site(&self, site_id: &str) -> Result<Option<RegistrationSite>>;
    /// Schedules a visit; `Conflict` if the station already has one that day.
    async fn save_visit(&self, v: &StationVisit) -> Result<()>;
    async fn visit(&self, visit_id: &str) -> Result<Option<StationVisit>>;
    /// Visits between two dates (inclusive), in date order, with their registration counts.
    async fn visits(&self, from: &str, to: &str) -> Result<Vec<StationVisit>>;
    /// Moves a visit from `from` to `to`; false if it was not at `from`.
    async fn set_visit_status(&self, visit_id: &str, from: &str, to: &str) -> Result<bool>;
    /// Records a person registered at a visit; false if they already were.
    async fn register_at_visit(
        &self,
        visit_id: &str,
        national_id: &str,
        service: &str,
        at: jiff::Timestamp,
    ) -> Result<bool>;
    /// The people registered at a visit: (national ID, service, time).
    async fn visit_registrations(
        &self,
        visit_id: &str,
    ) -> Result<Vec<(String, String, jiff::Timestamp)>>;
    /// The ration side keeps the subscriptions the registry confirmed.
    async fn crvs_client_confirmed(
        &self,
        code: &str,
        event_type: &str,
        status: &str,
        at: jiff::Timestamp,
    ) -> Result<()>;
    /// The ration side's confirmed subscriptions: (code, event type, status).
    async fn crvs_client_subscriptions(&self) -> Result<Vec<(String, String, String)>>;

    /// Keeps one call to the hub as evidence.
    async fn save_evidence(&self, e: &Evidence) -> Result<()>;
    /// Keeps the evidence of one call that concerned many records, in one transaction.
    async fn save_evidence_batch(&self, e: &[Evidence]) -> Result<()>;
    /// A trivial query: the database answers.
    async fn ping(&self) -> Result<()>;
    async fn count_households(&self) -> Result<i64>;
    async fn count_members(&self) -> Result<i64>;
}

/// Opens the store named by a `TAMWIN_DATABASE_URL`-style URL: `sqlite://path` or `postgres://…`.
pub async fn connect(url: &str) -> Result<Arc<dyn Store>> {
    if url.starts_with("sqlite:") {
        Ok(Arc::new(SqliteStore::connect(url).await?))
    } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
        Ok(Arc::new(PgStore::connect(url).await?))
    } else {
        Err(StoreError::Config(format!(
            "unsupported database URL (expected sqlite:// or postgres://): {url}"
        )))
    }
}

#[cfg(feature = "testkit")]
pub mod testkit;
