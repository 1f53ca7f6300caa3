//! The fee of a power of attorney (issue 17 point 3; docs/proxies.md, "The fee"), through a payment
//! provider behind a port: the head starts a payment and is sent to the provider's page; the provider
//! calls back, signed; the callback is checked (signature, five-minute window, never twice) and then
//! only prompts the question that counts — the provider's own status of the payment, for exactly the
//! amount and currency asked, as some Iraqi providers' callbacks carry no verifiable signature. Paid,
//! the grant takes effect in the same transaction; a paid grant that can no longer take effect is
//! refunded. A job asks about payments left pending (a callback lost).

mod http_provider;
mod reconciliation;
pub mod webhook;

pub use http_provider::HttpProvider;
pub use reconciliation::{Reconciliation, ReconciliationLine};

use crate::{Actor, AppError, Registry, Result};
use serde::Serialize;
use sha2::Digest;
use std::sync::Arc;
use tamwin_domain::payment::PaymentStatus;
use tamwin_domain::proxy::GrantStatus;
use tamwin_store::{Payment, ProviderAnswer, Settled};
pub use webhook::WebhookHeaders;

/// The job that asks the provider about payments left pending.
pub const CHECK_JOB: &str = "payments.check";
/// A payment pending this long is asked about by the job.
const CHECK_AFTER_MINUTES: i64 = 2;

/// What the provider is asked to collect.
#[derive(Debug, Clone)]
pub struct StartPayment {
    /// Our payment id: the provider's order id.
    pub order_id: String,
    pub amount: i64,
    pub currency: String,
    pub description: String,
    /// Where the provider sends the citizen back.
    pub return_url: String,
}

/// A payment started at the provider: its id there and its page.
#[derive(Debug, Clone)]
pub struct Started {
    pub provider_ref: String,
    pub redirect_url: String,
}

/// A payment provider (a contracted private payment company; the sandbox for the demo and tests).
#[async_trait::async_trait]
pub trait PaymentProvider: Send + Sync {
    /// Stored with each payment.
    fn name(&self) -> &str;
    /// The secret its callbacks are signed with.
    fn webhook_secret(&self) -> &[u8];
    async fn start(&self, p: &StartPayment) -> std::result::Result<Started, String>;
    /// The provider's own status of a payment: what counts.
    async fn status(&self, provider_ref: &str) -> std::result::Result<ProviderAnswer, String>;
    async fn refund(&self, provider_ref: &str, amount: i64) -> std::result::Result<(), String>;
}

#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PaymentView {
    pub payment_id: String,
    pub grant_id: String,
    /// `pending`, `paid`, `failed`, `refunded`.
    pub status: String,
    pub amount: i64,
    pub currency: String,
    /// The provider's page to pay on, while pending.
    pub redirect_url: Option<String>,
}

fn view(p: &Payment) -> PaymentView {
    PaymentView {
        payment_id: p.payment_id.clone(),
        grant_id: p.grant_id.clone(),
        status: p.status.code().to_string(),
        amount: p.amount,
        currency: p.currency.clone(),
        redirect_url: p
            .redirect_url
            .clone()
            .filter(|_| p.status == PaymentStatus::Pending),
    }
}

/// What came of a callback or a check.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentOutcome {
    /// The provider still says pending.
    Pending,
    Activated,
    Failed,
    /// Paid, but the grant could no longer take effect: given back.
    Refunded,
    /// Settled before; a duplicated or late callback changes nothing.
    Already,
    /// This callback id was received before: not acted on again.
    Duplicate,
}

impl Registry {
    fn provider(&self) -> Result<&Arc<dyn PaymentProvider>> {
        self.payments
            .as_ref()
            .ok_or_else(|| AppError::rule("payments_unavailable"))
    }

    /// Starts (or, while one is under way, shows again) the payment of a grant awaiting its fee.
    pub async fn pay_grant(
        &self,
        grant_id: &str,
        return_url: &str,
        actor: &Actor,
    ) -> Result<PaymentView> {
        let (g, _) = self.own_grant(grant_id, actor).await?;
        let provider = self.provider()?;
        if g.status != GrantStatus::AwaitingPayment {
            return Err(AppError::rule("grant_not_awaiting_payment"));
        }
        let under_way =
            |ps: Vec<Payment>| ps.into_iter().find(|p| p.status == PaymentStatus::Pending);
        if let Some(p) = under_way(
            self.store
                .grant_payments(&g.household_id, &g.grant_id)
                .await?,
        ) {
            return Ok(view(&p));
        }
        let p = Payment {
            household_id: g.household_id.clone(),
            payment_id: self.ids.id(),
            grant_id: g.grant_id.clone(),
            provider: provider.name().to_string(),
            provider_ref: None,
            redirect_url: None,
            amount: g.fee,
            currency: g.currency.clone(),
            status: PaymentStatus::Pending,
            created_at: self.clock.now(),
            settled_at: None,
            provider_status: None,
            provider_amount: None,
            provider_currency: None,
            refunded_at: None,
        };
        let log = self.log(
            "payment.started",
            None,
            None,
            actor,
            serde_json::json!({ "payment_id": p.payment_id, "grant_id": g.grant_id, "amount": p.amount, "currency": p.currency, "provider": p.provider }),
        );
        if !self.store.create_payment(&p, &log).await? {
            // Another tab started one at the same moment: that one.
            return under_way(
                self.store
                    .grant_payments(&g.household_id, &g.grant_id)
                    .await?,
            )
            .map(|p| view(&p))
            .ok_or(AppError::Busy);
        }
        let start = StartPayment {
            order_id: p.payment_id.clone(),
            amount: p.amount,
            currency: p.currency.clone(),
            description: format!("وكالة إلكترونية {}", g.grant_id),
            return_url: return_url.to_string(),
        };
        match provider.start(&start).await {
            Ok(s) => {
                self.store
                    .set_payment_started(&p.payment_id, &s.provider_ref, &s.redirect_url)
                    .await?;
            }
            Err(why) => {
                // Never started: failed, so that the head may try again.
                let answer = ProviderAnswer {
                    status: "failed".into(),
                    amount: 0,
                    currency: p.currency.clone(),
                };
                let log = self.log(
                    "payment.failed",
                    None,
                    Some(why),
                    actor,
                    serde_json::json!({ "payment_id": p.payment_id }),
                );
                self.store
                    .settle_payment(&p.payment_id, &answer, self.clock.now(), &[&log])
                    .await?;
                return Err(AppError::rule("payment_provider_unavailable"));
            }
        }
        let p = self
            .store
            .payment(&p.payment_id)
            .await?
            .ok_or(AppError::NotFound)?;
        Ok(view(&p))
    }

    /// A provider's callback (see the module's comment). A forged or stale one is refused; one seen
    /// before is not acted on again.
    pub async fn payment_callback(
        &self,
        h: &WebhookHeaders,
        body: &[u8],
    ) -> Result<PaymentOutcome> {
        let provider = self.provider()?;
        webhook::verify(
            provider.webhook_secret(),
            h,
            body,
            self.clock.now().as_second(),
        )
        .map_err(|_| AppError::Unauthenticated)?;
        let digest: String = sha2::Sha256::digest(body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        if !self
            .store
            .record_callback(provider.name(), &h.id, &digest, self.clock.now())
            .await?
        {
            return Ok(PaymentOutcome::Duplicate);
        }
        let v: serde_json::Value = serde_json::from_slice(body)
            .map_err(|_| AppError::rule("payment_callback_malformed"))?;
        let reference = v["data"]["payment_id"]
            .as_str()
            .ok_or_else(|| AppError::rule("payment_callback_malformed"))?;
        let p = self
            .store
            .payment_by_ref(provider.name(), reference)
            .await?
            .ok_or_else(|| AppError::rule("payment_unknown"))?;
        // The callback's own order id must be this payment's: a callback for another grant is refused.
        if v["data"]["order_id"]
            .as_str()
            .is_some_and(|o| o != p.payment_id)
        {
            return Err(AppError::rule("payment_unknown"));
        }
        self.settle_payment(&p).await
    }

    /// Settles a payment by the provider's own status.
    pub(crate) async fn settle_payment(&self, p: &Payment) -> Result<PaymentOutcome> {
        if p.status != PaymentStatus::Pending {
            return Ok(PaymentOutcome::Already);
        }
        let provider = self.provider()?;
        let Some(reference) = p.provider_ref.as_deref() else {
            return Ok(PaymentOutcome::Pending);
        };
        let answer = provider
            .status(reference)
            .await
            .map_err(|_| AppError::rule("payment_provider_unavailable"))?;
        match answer.status.as_str() {
            "paid" if answer.amount != p.amount || answer.currency != p.currency => {
                return Err(AppError::Rule(crate::error::Rule {
                    code: "payment_amount_differs",
                    params: vec![
                        ("asked", format!("{} {}", p.amount, p.currency)),
                        ("paid", format!("{} {}", answer.amount, answer.currency)),
                    ],
                }));
            }
            "paid" | "failed" | "cancelled" => {}
            _ => return Ok(PaymentOutcome::Pending),
        }
        let actor = Actor::system("payments");
        let details = serde_json::json!({ "payment_id": p.payment_id, "grant_id": p.grant_id, "provider_status": answer.status });
        let paid = answer.status == "paid";
        let settled = self.log(
            if paid {
                "payment.paid"
            } else {
                "payment.failed"
            },
            None,
            None,
            &actor,
            details.clone(),
        );
        let activated = self.log("grant.activated", None, None, &actor, details.clone());
        let logs: Vec<&tamwin_store::ChangeLog> = if paid {
            vec![&settled, &activated]
        } else {
            vec![&settled]
        };
        match self
            .store
            .settle_payment(&p.payment_id, &answer, self.clock.now(), &logs)
            .await?
        {
            Settled::Activated => Ok(PaymentOutcome::Activated),
            Settled::Failed => Ok(PaymentOutcome::Failed),
            Settled::Already => Ok(PaymentOutcome::Already),
            Settled::GrantNotWaiting => {
                provider
                    .refund(reference, p.amount)
                    .await
                    .map_err(|_| AppError::rule("payment_provider_unavailable"))?;
                let log = self.log("payment.refunded", None, None, &actor, details);
                self.store
                    .refund_payment(&p.payment_id, self.clock.now(), &log)
                    .await?;
                Ok(PaymentOutcome::Refunded)
            }
        }
    }

    /// Asks the provider about payments pending for a while (the job `payments.check`): a callback
    /// lost, or never sent, settles nothing by itself.
    pub async fn check_pending_payments(&self) -> Result<u64> {
        if self.payments.is_none() {
            return Ok(0);
        }
        let before = self
            .clock
            .now()
            .checked_sub(jiff::SignedDuration::from_mins(CHECK_AFTER_MINUTES))
            .map_err(|e| AppError::Internal(e.to_string()))?;
        let mut settled = 0;
        for p in self.store.pending_payments(before, 200).await? {
            match self.settle_payment(&p).await {
                Ok(PaymentOutcome::Pending) => {}
                Ok(_) => settled += 1,
                // One payment's trouble (a differing amount, the provider down) does not stop the rest.
                Err(e) => {
                    tracing::warn!(payment_id = %p.payment_id, error = %e, "payment left pending")
                }
            }
        }
        Ok(settled)
    }

    /// The payments of a grant of the signed-in head, newest first.
    pub async fn grant_payments(&self, grant_id: &str, actor: &Actor) -> Result<Vec<PaymentView>> {
        let (g, _) = self.own_grant(grant_id, actor).await?;
        Ok(self
            .store
            .grant_payments(&g.household_id, &g.grant_id)
            .await?
            .iter()
            .map(view)
            .collect())
    }
}
