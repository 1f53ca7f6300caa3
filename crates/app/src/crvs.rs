//! The ration side of the SPDCI CRVS subscription (`tamwin_hub::crvs`, docs/hub-protocol.md): subscribe
//! to deaths, births, exits and entries; receive the registry's signed callbacks (`notify`,
//! `on-subscribe`, `on-search`, …) and turn them into vital events, which are idempotent by the
//! registry's event id, so a second delivery or a callback arriving late changes nothing.

use crate::hub_client::CallError;
use crate::{AppError, Registry, Result};
use tamwin_hub::crvs::{self, Ack, CrvsError, EventType};
use tamwin_hub::services::PROVIDER;

/// The callbacks this side serves under its callback base (`HubClient::callback_uri`), and the
/// action each carries.
pub const CALLBACKS: [(&str, &str); 5] = [
    ("notify", "notify"),
    ("on-search", "on-search"),
    ("on-subscribe", "on-subscribe"),
    ("on-unsubscribe", "on-unsubscribe"),
    ("txn/on-status", "txn-on-status"),
];

impl Registry {
    fn crvs_header(&self, action: &str, count: usize) -> Result<crvs::Header> {
        let hub = self.hub()?;
        let mut h = crvs::header(
            action,
            &self.ids.id(),
            self.clock.now(),
            &hub.client.to_string(),
            count,
        );
        // `sender_uri` is the whole address the answer goes to, as the specification has it; a
        // synchronous call is answered in the same exchange and names none.
        let callback = match action {
            "search" => Some("on-search"),
            "subscribe" => Some("on-subscribe"),
            "unsubscribe" => Some("on-unsubscribe"),
            "txn-status" => Some("txn/on-status"),
            _ => None,
        };
        h.sender_uri =
            callback.map(|c| format!("{}/registry/{c}", hub.callback_uri.trim_end_matches('/')));
        h.receiver_id = Some(PROVIDER.into());
        Ok(h)
    }

    async fn send_crvs<M: serde::Serialize>(
        &self,
        path: &str,
        action: &str,
        count: usize,
        m: &M,
    ) -> Result<(u16, Vec<u8>)> {
        let hub = self.hub()?;
        let body = crvs::seal(&hub.key, &hub.key_id, &self.crvs_header(action, count)?, m)
            .map_err(AppError::Internal)?;
        hub.post_crvs(path, body).await.map_err(|e| match e {
            CallError::Unavailable(why) => AppError::Internal(format!("hub unavailable: {why}")),
            other => AppError::Internal(format!("{other:?}")),
        })
    }

    /// Asks the registry to notify us of every event type; it confirms through `on-subscribe`.
    /// Returns the acknowledgement's correlation id.
    pub async fn crvs_subscribe(&self) -> Result<String> {
        let now = self.clock.now().to_string();
        let m = crvs::SubscribeRequest {
            transaction_id: self.ids.id(),
            subscribe_request: EventType::ALL
                .iter()
                .enumerate()
                .map(|(i, e)| crvs::SubscribeItem {
                    reference_id: format!("sub-{i}"),
                    timestamp: now.clone(),
                    subscribe_criteria: crvs::SubscribeCriteria {
                        version: crvs::VERSION.into(),
                        reg_type: crvs::REG_TYPE.into(),
                        reg_event_type: e.code().into(),
                    },
                })
                .collect(),
        };
        let (status, raw) = self
            .send_crvs("/registry/subscribe", "subscribe", 4, &m)
            .await?;
        let ack: Ack = serde_json::from_slice(&raw)
            .map_err(|_| AppError::Internal(format!("hub answered {status} without an ack")))?;
        match ack.message.ack_status.as_str() {
            "ACK" | "NACK" => Ok(ack.message.correlation_id),
            _ => Err(AppError::Internal(format!(
                "subscription refused: {}",
                ack.message.error.map(|e| e.code).unwrap_or_default()
            ))),
        }
    }

    /// Searches the registry for people by national ID, synchronously, and applies what it says
    /// (deaths, departures) as events. Returns the records found.
    pub async fn crvs_search(&self, national_ids: &[String]) -> Result<Vec<crvs::Person>> {
        let s = self.crvs_search_signed(national_ids).await.map_err(|e| {
            AppError::Internal(e.unwrap_or_else(|| "the hub does not answer".into()))
        })?;
        self.apply_search(&s.response).await
    }

    async fn apply_search(&self, r: &crvs::SearchResponse) -> Result<Vec<crvs::Person>> {
        let mut found = Vec::new();
        for p in r
            .search_response
            .iter()
            .filter_map(|x| x.data.as_ref())
            .flat_map(|d| d.reg_records.iter())
        {
            let nid = &p.identifier.identifier_value;
            let details =
                serde_json::json!({"source": "crvs search", "transaction_id": r.transaction_id});
            if let Some(d) = &p.death_date {
                self.receive_vital_event(
                    &format!("search:death:{nid}:{d}"),
                    "death",
                    nid,
                    d,
                    details.clone(),
                )
                .await?;
            }
            if let Some(d) = &p.exit_date {
                self.receive_vital_event(
                    &format!("search:exit:{nid}:{d}"),
                    "exit",
                    nid,
                    d,
                    details.clone(),
                )
                .await?;
            }
            found.push(p.clone());
        }
        Ok(found)
    }

    /// A callback from the registry: checked (signed by the registry, not older than the retry
    /// window), applied, and acknowledged. The HTTP status goes with the acknowledgement.
    pub async fn crvs_receive(&self, action: &str, body: &[u8]) -> (u16, Ack) {
        let now = self.clock.now();
        let Ok(hub) = self.hub() else {
            return (503, Ack::err(now, "", CrvsError::Unavailable));
        };
        let o = match crvs::open(
            body,
            action,
            &hub.hub_keys,
            now,
            crvs::MAX_CALLBACK_AGE_SECONDS,
        ) {
            Ok(o) if o.header.sender_id == PROVIDER => o,
            Ok(_) => return (401, Ack::err(now, "", CrvsError::SenderInvalid)),
            Err(e) => return (e.status(), Ack::err(now, "", e)),
        };
        let correlation = o.header.message_id.clone();
        let applied = match action {
            "notify" => self.crvs_notified(o.message).await,
            "on-search" => match serde_json::from_value::<crvs::SearchResponse>(o.message) {
                Ok(r) => self.apply_search(&r).await.map(|_| ()),
                Err(_) => return (400, Ack::err(now, &correlation, CrvsError::Bad)),
            },
            "on-subscribe" => match serde_json::from_value::<crvs::SubscribeResponse>(o.message) {
                Ok(r) => self.crvs_confirmed(&r).await,
                Err(_) => return (400, Ack::err(now, &correlation, CrvsError::Bad)),
            },
            "on-unsubscribe" => self.crvs_unsubscribed(&o.message).await,
            // Status answers are for the operator; they are logged and acknowledged.
            _ => {
                tracing::info!("CRVS {action}: {}", o.message);
                Ok(())
            }
        };
        match applied {
            Ok(()) => (200, Ack::accepted(now, &correlation)),
            // Retrying cannot mend what the registry sent; say so, and keep it in the log.
            Err(AppError::Validation(_) | AppError::Rule(..)) => {
                tracing::warn!("CRVS {action} {correlation}: not applicable");
                (200, Ack::with_nack(now, &correlation))
            }
            Err(e) => {
                tracing::error!("CRVS {action} {correlation}: {e:?}");
                (503, Ack::err(now, &correlation, CrvsError::Unavailable))
            }
        }
    }

    async fn crvs_notified(&self, m: serde_json::Value) -> Result<()> {
        let n: crvs::NotifyEventRequest =
            serde_json::from_value(m).map_err(|_| AppError::rule("crvs_message_invalid"))?;
        for item in &n.notify_event {
            let Some(kind) = EventType::parse(&item.data.reg_event_type) else {
                tracing::warn!(
                    "CRVS notify: unknown event type {}",
                    item.data.reg_event_type
                );
                continue;
            };
            let p = &item.data.reg_records;
            let date = match kind {
                EventType::Death => p.death_date.clone(),
                EventType::Birth => Some(p.birth_date.clone()),
                EventType::Exit => p.exit_date.clone(),
                EventType::Entry => p.entry_date.clone(),
            }
            .unwrap_or_default();
            let parents: Vec<String> = [&p.parent1_identifier, &p.parent2_identifier]
                .into_iter()
                .flatten()
                .map(|i| i.identifier_value.clone())
                .collect();
            let details = match kind {
                EventType::Birth => serde_json::json!({
                    "given_name": p.name.given_name, "father_name": p.name.second_name,
                    "grandfather_name": p.name.third_name, "family_name": p.name.surname,
                    "mother_name": p.mother_name, "sex": p.sex,
                    "parents": parents,
                    "transaction_id": n.transaction_id,
                }),
                _ => serde_json::json!({"transaction_id": n.transaction_id}),
            };
            self.receive_vital_event(
                &item.reference_id,
                kind.kind(),
                &p.identifier.identifier_value,
                &date,
                details,
            )
            .await?;
        }
        Ok(())
    }

    async fn crvs_confirmed(&self, r: &crvs::SubscribeResponse) -> Result<()> {
        for s in r
            .subscribe_response
            .iter()
            .flat_map(|x| x.subscriptions.iter())
        {
            self.store
                .crvs_client_confirmed(&s.code, &s.reg_event_type, &s.status, self.clock.now())
                .await?;
        }
        Ok(())
    }

    async fn crvs_unsubscribed(&self, m: &serde_json::Value) -> Result<()> {
        let mine = self.store.crvs_client_subscriptions().await?;
        for s in m["subscription_status"].as_array().into_iter().flatten() {
            let code = s["code"].as_str().unwrap_or_default();
            if let Some((_, ev, _)) = mine.iter().find(|(c, _, _)| c == code) {
                self.store
                    .crvs_client_confirmed(code, ev, "unsubscribe", self.clock.now())
                    .await?;
            }
        }
        Ok(())
    }

    /// The subscriptions the registry confirmed: (code, event type, status).
    pub async fn crvs_subscriptions(&self) -> Result<Vec<(String, String, String)>> {
        Ok(self.store.crvs_client_subscriptions().await?)
    }
}
