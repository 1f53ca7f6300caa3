//! Transactions: acknowledged requests worked through (each result computed, sealed and queued to its
//! callback with the transaction completed), and a transaction's status asked for, as a callback or
//! answered at once.

use super::{ack_response, id, json_response};
use crate::server::HubServer;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
use tamwin_hub::crvs::{self, Ack, CrvsError, Opened};
use tamwin_store::CrvsTxn;

impl HubServer {
    /// Works through acknowledged transactions: computes each result and queues its callback.
    pub async fn process_pending(&self, limit: u32) -> Result<usize, CrvsError> {
        let pending = self
            .store
            .crvs_pending_txns(limit)
            .await
            .map_err(|_| CrvsError::Unavailable)?;
        for t in &pending {
            let (status, body, response) = match t.txn_type.as_str() {
                "search" => {
                    let req: crvs::SearchRequest =
                        serde_json::from_str(&t.request).map_err(|_| CrvsError::Bad)?;
                    let r = self.search_results(&req, &t.correlation_id).await?;
                    let body = self.sealed("on-search", &t.sender, r.search_response.len(), &r)?;
                    ("succ", body, serde_json::to_string(&r))
                }
                "subscribe" => {
                    let req: crvs::SubscribeRequest =
                        serde_json::from_str(&t.request).map_err(|_| CrvsError::Bad)?;
                    let r = self.subscribe_results(t, &req).await?;
                    let body =
                        self.sealed("on-subscribe", &t.sender, r.subscribe_response.len(), &r)?;
                    ("succ", body, serde_json::to_string(&r))
                }
                _ => {
                    let req: crvs::UnsubscribeRequest =
                        serde_json::from_str(&t.request).map_err(|_| CrvsError::Bad)?;
                    let mut statuses = Vec::new();
                    let mut unknown = Vec::new();
                    for code in &req.subscription_codes {
                        let done = self
                            .store
                            .crvs_unsubscribe(&t.sender, code)
                            .await
                            .map_err(|_| CrvsError::Unavailable)?;
                        if done {
                            statuses
                                .push(serde_json::json!({"code": code, "status": "unsubscribe"}));
                        } else {
                            unknown.push(code.as_str());
                        }
                    }
                    // An item's status is only `subscribe` or `unsubscribe` in the specification: codes
                    // this sender does not hold make the whole answer `rjct`, naming them.
                    let mut r = serde_json::json!({
                        "transaction_id": req.transaction_id, "correlation_id": t.correlation_id,
                        "timestamp": (self.now)().to_string(), "status": "succ", "subscription_status": statuses,
                    });
                    if !unknown.is_empty() {
                        r["status"] = "rjct".into();
                        r["status_reason_code"] = "rjct.subscription_code.invalid".into();
                        r["status_reason_message"] =
                            format!("no such subscription: {}", unknown.join(", ")).into();
                    }
                    let body = self.sealed("on-unsubscribe", &t.sender, statuses.len(), &r)?;
                    ("succ", body, serde_json::to_string(&r))
                }
            };
            let response = response.map_err(|_| CrvsError::Bad)?;
            let d = self.delivery(t.callback_uri.clone(), body);
            self.store
                .crvs_complete_txn(&t.correlation_id, status, &response, &d)
                .await
                .map_err(|_| CrvsError::Unavailable)?;
        }
        Ok(pending.len())
    }
}

impl HubServer {
    /// The status of a transaction, in one of the specification's `txn_status` shapes: the response
    /// as it stands when done; while pending, the same response with every item `pdng`; for a
    /// transaction this sender never sent, the response shape of its type with `rjct` and
    /// `rjct.reference_id.invalid`. `correlation_id` is the transaction's, or this status request's
    /// own when there is no transaction to name.
    async fn txn_status_of(
        &self,
        o: &Opened,
        m: &crvs::TxnStatusRequest,
        own_correlation: &str,
    ) -> Result<crvs::TxnStatusResponse, CrvsError> {
        let q = &m.txnstatus_request;
        if !["search", "subscribe", "unsubscribe"].contains(&q.txn_type.as_str())
            || !["transaction_id", "correlation_id"].contains(&q.attribute_type.as_str())
        {
            return Err(CrvsError::Bad);
        }
        let t = self
            .store
            .crvs_txn(&o.header.sender_id, &q.attribute_type, &q.attribute_value)
            .await
            .map_err(|_| CrvsError::Unavailable)?
            .filter(|t| t.txn_type == q.txn_type);
        let now = (self.now)().to_string();
        let (correlation, status) = match t {
            Some(t) => (
                t.correlation_id.clone(),
                match t.response {
                    Some(r) => serde_json::from_str(&r).map_err(|_| CrvsError::Unavailable)?,
                    None => pending_status(&t, &now),
                },
            ),
            None => {
                let asked = if q.attribute_type == "transaction_id" {
                    q.attribute_value.clone()
                } else {
                    m.transaction_id.clone()
                };
                (
                    own_correlation.to_string(),
                    unknown_status(&q.txn_type, &asked, own_correlation, &q.reference_id, &now),
                )
            }
        };
        Ok(crvs::TxnStatusResponse {
            transaction_id: m.transaction_id.clone(),
            correlation_id: correlation,
            txnstatus_response: crvs::TxnStatusBody {
                txn_type: q.txn_type.clone(),
                txn_status: status,
            },
        })
    }
}

/// A pending transaction as the response it will become, every item `pdng`.
fn pending_status(t: &CrvsTxn, now: &str) -> serde_json::Value {
    let request: serde_json::Value = serde_json::from_str(&t.request).unwrap_or_default();
    let items = |list: &str| -> Vec<serde_json::Value> {
        request[list]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| serde_json::json!({"reference_id": i["reference_id"], "timestamp": now, "status": "pdng"}))
            .collect()
    };
    match t.txn_type.as_str() {
        "search" => serde_json::json!({
            "transaction_id": t.transaction_id, "correlation_id": t.correlation_id,
            "search_response": items("search_request"),
        }),
        "subscribe" => serde_json::json!({
            "transaction_id": t.transaction_id, "correlation_id": t.correlation_id,
            "subscribe_response": items("subscribe_request"),
        }),
        _ => serde_json::json!({
            "transaction_id": t.transaction_id, "correlation_id": t.correlation_id,
            "timestamp": now, "status": "pdng",
        }),
    }
}

/// The answer about a transaction the registry does not know, in the response shape of its type.
fn unknown_status(
    txn_type: &str,
    transaction_id: &str,
    correlation_id: &str,
    reference_id: &str,
    now: &str,
) -> serde_json::Value {
    let item = serde_json::json!({
        "reference_id": reference_id, "timestamp": now, "status": "rjct",
        "status_reason_code": "rjct.reference_id.invalid",
        "status_reason_message": "no transaction of this type and sender has this id",
    });
    match txn_type {
        "search" => serde_json::json!({
            "transaction_id": transaction_id, "correlation_id": correlation_id, "search_response": [item],
        }),
        "subscribe" => serde_json::json!({
            "transaction_id": transaction_id, "correlation_id": correlation_id, "subscribe_response": [item],
        }),
        _ => serde_json::json!({
            "transaction_id": transaction_id, "correlation_id": correlation_id, "timestamp": now,
            "status": "rjct", "status_reason_code": "rjct.reference_id.invalid",
            "status_reason_message": "no transaction of this type and sender has this id",
        }),
    }
}

pub(super) async fn txn_status(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    let r = async {
        let (o, m) = s
            .accept::<crvs::TxnStatusRequest>(&body, "txn-status")
            .await?;
        let uri = s.callback_of(&o, "txn-status")?;
        // The status request is itself acknowledged with a correlation id, whether or not the
        // transaction it asks about exists.
        let r = s.txn_status_of(&o, &m, &id()).await?;
        let body = s.sealed("txn-on-status", &o.header.sender_id, 1, &r)?;
        let d = s.delivery(uri, body);
        s.store
            .crvs_enqueue(&d)
            .await
            .map_err(|_| CrvsError::Unavailable)?;
        Ok::<_, CrvsError>(r.correlation_id)
    }
    .await;
    match r {
        Ok(c) => ack_response(&Ack::accepted(now, &c), 202),
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}

pub(super) async fn sync_txn_status(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    let r = async {
        let (o, m) = s
            .accept::<crvs::TxnStatusRequest>(&body, "txn-status")
            .await?;
        let r = s.txn_status_of(&o, &m, &id()).await?;
        s.sealed("txn-on-status", &o.header.sender_id, 1, &r)
    }
    .await;
    match r {
        Ok(body) => json_response(200, body),
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}
