//! Payments of fees (issue 17 point 3; docs/proxies.md, "The fee"): a payment per try, one under way per
//! grant and a grant paid once (unique indexes), paid only for exactly what was asked (a CHECK), the
//! grant taking effect in the same transaction as its payment, and each provider callback kept by its
//! id so that a replay is never acted on. SQL in `sql_payments.rs`.

use crate::{ChangeLog, Result};
use async_trait::async_trait;
use jiff::Timestamp;
use tamwin_domain::HouseholdId;
use tamwin_domain::payment::PaymentStatus;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Payment {
    pub household_id: HouseholdId,
    pub payment_id: String,
    pub grant_id: String,
    pub provider: String,
    pub provider_ref: Option<String>,
    pub redirect_url: Option<String>,
    pub amount: i64,
    pub currency: String,
    pub status: PaymentStatus,
    pub created_at: Timestamp,
    pub settled_at: Option<Timestamp>,
    pub provider_status: Option<String>,
    pub provider_amount: Option<i64>,
    pub provider_currency: Option<String>,
    pub refunded_at: Option<Timestamp>,
}

/// What the provider's status check answered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderAnswer {
    /// `paid`, `failed`, `cancelled` (or `pending`, which settles nothing).
    pub status: String,
    pub amount: i64,
    pub currency: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Settled {
    /// Paid, and the grant took effect.
    Activated,
    /// Paid, but the grant no longer awaits its fee (revoked, declined meanwhile): to refund.
    GrantNotWaiting,
    /// Failed or cancelled at the provider.
    Failed,
    /// Settled before (a duplicate or late callback, a second check): nothing written.
    Already,
}

/// A line of the daily reconciliation of payments against grants.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReconciliationRow {
    /// `paid_not_granted`, `granted_not_paid`, `amount_differs`.
    pub kind: &'static str,
    pub household_id: HouseholdId,
    pub grant_id: String,
    pub payment_id: Option<String>,
    pub amount: Option<i64>,
    pub fee: i64,
    pub grant_status: String,
    pub payment_status: Option<String>,
}

#[async_trait]
pub trait PaymentStore: Send + Sync {
    /// Writes a new pending payment; false when the grant has one under way already.
    async fn create_payment(&self, p: &Payment, log: &ChangeLog) -> Result<bool>;
    /// The provider's id and page for a started payment.
    async fn set_payment_started(
        &self,
        payment_id: &str,
        provider_ref: &str,
        redirect_url: &str,
    ) -> Result<()>;
    async fn payment(&self, payment_id: &str) -> Result<Option<Payment>>;
    async fn payment_by_ref(&self, provider: &str, provider_ref: &str) -> Result<Option<Payment>>;
    /// A grant's payments, newest first.
    async fn grant_payments(
        &self,
        household_id: &HouseholdId,
        grant_id: &str,
    ) -> Result<Vec<Payment>>;
    /// Keeps a callback's id; false when it was received before (a replay or a duplicate).
    async fn record_callback(
        &self,
        provider: &str,
        webhook_id: &str,
        body_sha256: &str,
        at: Timestamp,
    ) -> Result<bool>;
    /// Settles a pending payment by the provider's answer: paid for exactly what was asked makes the
    /// grant take effect in the same transaction (an answer that differs is refused by the database
    /// and left pending, `Conflict`); failed or cancelled fails it. `logs` are the payment's and the
    /// grant's audit entries.
    async fn settle_payment(
        &self,
        payment_id: &str,
        answer: &ProviderAnswer,
        at: Timestamp,
        logs: &[&ChangeLog],
    ) -> Result<Settled>;
    /// A paid payment given back; false when it was not paid.
    async fn refund_payment(
        &self,
        payment_id: &str,
        at: Timestamp,
        log: &ChangeLog,
    ) -> Result<bool>;
    /// Payments still pending that were started before `before`, oldest first, at most `limit`.
    async fn pending_payments(&self, before: Timestamp, limit: u32) -> Result<Vec<Payment>>;
    /// Payments started in `[from, to)`, oldest first.
    async fn payments_between(&self, from: Timestamp, to: Timestamp) -> Result<Vec<Payment>>;
    /// Payments settled and grants paid in `[from, to)` that do not agree: paid and the grant not in
    /// effect, in effect and no paid payment, paid another amount than the grant's fee.
    async fn payment_reconciliation(
        &self,
        from: Timestamp,
        to: Timestamp,
    ) -> Result<Vec<ReconciliationRow>>;
}
