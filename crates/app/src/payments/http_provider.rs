//! The payment port over HTTP, in the sandbox provider's protocol (docs/proxies.md, "The sandbox
//! provider"): JSON posts with the merchant's key, one connection each. A contracted company's own API
//! gets an adapter like this one beside it.

use super::{PaymentProvider, StartPayment, Started};
use crate::http_transport::HttpTransport;
use serde_json::json;
use tamwin_hub::HubTransport as _;
use tamwin_store::ProviderAnswer;

pub struct HttpProvider {
    pub name: String,
    pub transport: HttpTransport,
    /// Sent as `Authorization: Bearer …`.
    pub api_key: String,
    /// What its callbacks are signed with.
    pub webhook_secret: Vec<u8>,
    /// Where it sends its callbacks (this server's `/api/v1/payments/callback`).
    pub callback_url: String,
    /// Prefixed to a relative return path (this server's address as the citizen's browser knows it).
    pub public_base: String,
}

impl HttpProvider {
    async fn post(&self, path: &str, body: serde_json::Value) -> Result<serde_json::Value, String> {
        let headers = vec![
            ("authorization", format!("Bearer {}", self.api_key)),
            ("content-type", "application/json".to_string()),
        ];
        let (status, _, bytes) = self
            .transport
            .post(path, headers, body.to_string().into_bytes())
            .await?;
        if !(200..300).contains(&status) {
            return Err(format!(
                "{path}: {status} {}",
                String::from_utf8_lossy(&bytes)
            ));
        }
        serde_json::from_slice(&bytes).map_err(|e| format!("{path}: {e}"))
    }
}

fn text(v: &serde_json::Value, key: &str) -> Result<String, String> {
    v[key]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("the provider's answer lacks {key}"))
}

#[async_trait::async_trait]
impl PaymentProvider for HttpProvider {
    fn name(&self) -> &str {
        &self.name
    }
    fn webhook_secret(&self) -> &[u8] {
        &self.webhook_secret
    }
    async fn start(&self, p: &StartPayment) -> Result<Started, String> {
        let return_url = if p.return_url.starts_with('/') {
            format!("{}{}", self.public_base.trim_end_matches('/'), p.return_url)
        } else {
            p.return_url.clone()
        };
        let v = self
            .post(
                "/v1/payments",
                json!({
                    "order_id": p.order_id, "amount": p.amount, "currency": p.currency,
                    "description": p.description, "return_url": return_url, "callback_url": self.callback_url,
                }),
            )
            .await?;
        Ok(Started {
            provider_ref: text(&v, "id")?,
            redirect_url: text(&v, "redirect_url")?,
        })
    }
    async fn status(&self, provider_ref: &str) -> Result<ProviderAnswer, String> {
        let v = self
            .post("/v1/payments/status", json!({ "id": provider_ref }))
            .await?;
        Ok(ProviderAnswer {
            status: text(&v, "status")?,
            amount: v["amount"]
                .as_i64()
                .ok_or("the provider's answer lacks amount")?,
            currency: text(&v, "currency")?,
        })
    }
    async fn refund(&self, provider_ref: &str, amount: i64) -> Result<(), String> {
        self.post(
            "/v1/payments/refund",
            json!({ "id": provider_ref, "amount": amount }),
        )
        .await
        .map(|_| ())
    }
}
