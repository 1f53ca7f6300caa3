//! The civil registry's side (the reference registry and the hub), apart from the ration side's
//! `Store`: persons and their vital events, the registry's one-time codes and SMS, CRVS subscriptions
//! and notifications, identity cards and their delivery, registration stations, and the hub's member
//! keys. One `CivilStore` holds them; the ration side reaches them only through the hub.

use crate::*;
use async_trait::async_trait;

#[async_trait]
pub trait CivilRegistryStore: Send + Sync {
    /// Inserts civil-registry persons in one transaction (COPY on PostgreSQL): all or none.
    async fn civil_load(&self, persons: &[CivilPerson]) -> Result<()>;
    /// Starts the initial load of an empty civil registry where the backend has a faster way for it
    /// (PostgreSQL: see `CivilBulkLoad`). None when the registry already holds persons, or on SQLite:
    /// then load with `civil_load`.
    async fn civil_initial_load(&self) -> Result<Option<Box<dyn CivilBulkLoad>>>;
    async fn civil_person(&self, national_id: &str) -> Result<Option<CivilPerson>>;
    /// The persons on file among these IDs (unknown ones are simply absent), in no particular order.
    async fn civil_persons(&self, national_ids: &[String]) -> Result<Vec<CivilPerson>>;
    /// Civil-registry persons in national-ID order after `after` (`vital_only`: the deceased and those
    /// abroad). The registry's own reads for its search index and vital records: never the ration side's.
    async fn civil_page(
        &self,
        after: Option<&str>,
        limit: u32,
        vital_only: bool,
    ) -> Result<Vec<CivilPerson>>;
    async fn civil_count(&self) -> Result<i64>;
    /// The registry records a vital event: the event, the person as it leaves them (a newborn is
    /// inserted), and the notifications owed to subscribers, in one transaction. False if the event id
    /// was recorded before (nothing changes).
    async fn civil_record_event(
        &self,
        e: &CivilEvent,
        person: &CivilPerson,
        notify: &[Delivery],
    ) -> Result<bool>;
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
}

#[async_trait]
pub trait CrvsStore: Send + Sync {
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
}

#[async_trait]
pub trait CardStore: Send + Sync {
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
}

#[async_trait]
pub trait StationStore: Send + Sync {
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
}

#[async_trait]
pub trait HubStore: Send + Sync {
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
}
/// The initial load of an empty civil registry (`CivilRegistryStore::civil_initial_load`), one
/// transaction that holds the table exclusively from the emptiness check to the commit. Rows go in
/// without the primary key, which is built once at the end: maintaining a random-key index row by row
/// is what made the national load slow. Dropped without `finish` (an error, a crash), it rolls back:
/// the registry is left empty and keyed, as before.
#[async_trait]
pub trait CivilBulkLoad: Send {
    /// Appends rows. No national ID may repeat across the whole load: the key is only checked at the end.
    async fn send(&mut self, rows: CivilRows) -> Result<()>;
    /// Builds the primary key and commits. A repeated national ID fails here, and nothing is loaded.
    async fn finish(self: Box<Self>) -> Result<()>;
}

/// Everything the civil registry's side asks of storage.
pub trait CivilStore:
    CivilRegistryStore + CrvsStore + CardStore + StationStore + HubStore + PoolUse + Send + Sync
{
    fn backend(&self) -> Backend;
}
