//! Subscriptions to deaths, births, exits and entries: each asked-for event type granted a code once
//! per subscriber, and the subscribe and unsubscribe requests acknowledged (their answers come from
//! `transactions`).

use super::{ack_response, id};
use crate::server::HubServer;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::Response;
use std::sync::Arc;
use tamwin_hub::crvs::{self, Ack, CrvsError, EventType};
use tamwin_store::{CrvsSubscription, CrvsTxn};

impl HubServer {
    pub(super) async fn subscribe_results(
        &self,
        t: &CrvsTxn,
        req: &crvs::SubscribeRequest,
    ) -> Result<crvs::SubscribeResponse, CrvsError> {
        let existing = self
            .store
            .crvs_subscriptions_of(&t.sender)
            .await
            .map_err(|_| CrvsError::Unavailable)?;
        let now = (self.now)();
        // Checked when acknowledged; a transaction recorded before then had a base as its address.
        let notify_uri = self
            .notify_uri(&t.sender, &t.callback_uri)
            .unwrap_or_else(|| format!("{}/registry/notify", t.callback_uri));
        let mut new = Vec::new();
        let mut out = Vec::new();
        for item in &req.subscribe_request {
            let ev = &item.subscribe_criteria.reg_event_type;
            let result = |status: &str, code: Option<&str>, subs: Vec<crvs::Subscription>| {
                crvs::SubscribeResult {
                    reference_id: item.reference_id.clone(),
                    timestamp: now.to_string(),
                    status: status.into(),
                    status_reason_code: code.map(str::to_string),
                    subscriptions: subs,
                }
            };
            let sub = |code: &str| crvs::Subscription {
                version: crvs::VERSION.into(),
                code: code.into(),
                status: "subscribe".into(),
                timestamp: now.to_string(),
                reg_type: crvs::REG_TYPE.into(),
                reg_event_type: ev.clone(),
            };
            if EventType::parse(ev).is_none() {
                out.push(result("rjct", Some("rjct.notify_types.invalid"), vec![]));
            } else if let Some(s) = existing
                .iter()
                .chain(new.iter())
                .find(|s| &s.event_type == ev && s.status == "subscribe")
            {
                out.push(result(
                    "rjct",
                    Some("rjct.event.already_subscribed"),
                    vec![sub(&s.code)],
                ));
            } else {
                let code = format!("sub-{}", id());
                new.push(CrvsSubscription {
                    code: code.clone(),
                    subscriber: t.sender.clone(),
                    notify_uri: notify_uri.clone(),
                    event_type: ev.clone(),
                    status: "subscribe".into(),
                    created_at: now,
                });
                out.push(result("succ", None, vec![sub(&code)]));
            }
        }
        self.store
            .crvs_save_subscriptions(&new)
            .await
            .map_err(|_| CrvsError::Unavailable)?;
        Ok(crvs::SubscribeResponse {
            transaction_id: req.transaction_id.clone(),
            correlation_id: t.correlation_id.clone(),
            subscribe_response: out,
        })
    }
}

pub(super) async fn subscribe(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    let r = async {
        let (o, m) = s
            .accept::<crvs::SubscribeRequest>(&body, "subscribe")
            .await?;
        if m.subscribe_request.is_empty() {
            return Err(CrvsError::Bad);
        }
        s.acknowledge(&o, "subscribe", &m.transaction_id, &m).await
    }
    .await;
    match r {
        Ok(c) => ack_response(&Ack::accepted(now, &c), 202),
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}

pub(super) async fn unsubscribe(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    let r = async {
        let (o, m) = s
            .accept::<crvs::UnsubscribeRequest>(&body, "unsubscribe")
            .await?;
        s.acknowledge(&o, "unsubscribe", &m.transaction_id, &m)
            .await
    }
    .await;
    match r {
        Ok(c) => ack_response(&Ack::accepted(now, &c), 202),
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}
