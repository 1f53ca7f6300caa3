//! Citizens' one-time codes, the outbox of messages that carries them (and every other SMS), and the
//! sign-in throttle counters. SQL in `sql_access.rs`.

use crate::*;
use async_trait::async_trait;

#[async_trait]
pub trait AccessStore: Send + Sync {
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
}
