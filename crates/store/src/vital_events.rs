//! Vital events the civil registry notified (deaths, births, exits, entries), waiting and applied, and
//! the ration side's confirmed subscriptions to them. SQL in `sql_vital_events.rs`.

use crate::*;
use async_trait::async_trait;

#[async_trait]
pub trait VitalEventStore: Send + Sync {
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
}
