//! Messages in and out: a request checked (signature, time, a fresh message id) and read, an answer
//! sealed with the registry's key, an asynchronous request recorded as a pending transaction and
//! acknowledged, and the address each answer or notification goes to.

use super::id;
use crate::server::HubServer;
use serde::Serialize;
use serde::de::DeserializeOwned;
use tamwin_hub::crvs::{self, CrvsError, Opened};
use tamwin_hub::services::PROVIDER;
use tamwin_store::{CrvsTxn, Delivery};

/// Where the answer to each asynchronous action goes under a client's default callback base.
fn callback_path(txn_type: &str) -> &'static str {
    match txn_type {
        "search" => "/registry/on-search",
        "subscribe" => "/registry/on-subscribe",
        "unsubscribe" => "/registry/on-unsubscribe",
        _ => "/registry/txn/on-status",
    }
}

impl HubServer {
    fn default_callback(&self, client: &str) -> Option<&str> {
        self.default_callbacks
            .iter()
            .find(|(c, _)| c == client)
            .map(|(_, b)| b.trim_end_matches('/'))
    }

    /// The full address the answer to this request goes to: its `sender_uri` as it is (the
    /// specification's example is the whole callback address), if the registry may call it; else the
    /// default set for the sender at onboarding.
    pub(super) fn callback_of(&self, o: &Opened, txn_type: &str) -> Result<String, CrvsError> {
        match o.header.sender_uri.as_deref().filter(|u| !u.is_empty()) {
            Some(uri) => {
                if !self
                    .callback_prefixes
                    .iter()
                    .any(|p| uri.starts_with(p.as_str()))
                {
                    return Err(CrvsError::SenderUriInvalid);
                }
                Ok(uri.to_string())
            }
            None => self
                .default_callback(&o.header.sender_id)
                .map(|b| format!("{b}{}", callback_path(txn_type)))
                .ok_or(CrvsError::SenderUriInvalid),
        }
    }

    /// Where notifications for a subscriber go: its onboarded default, else beside the address its
    /// subscription was confirmed to (`…/on-subscribe` → `…/notify`).
    pub(super) fn notify_uri(&self, subscriber: &str, on_subscribe: &str) -> Option<String> {
        if let Some(b) = self.default_callback(subscriber) {
            return Some(format!("{b}/registry/notify"));
        }
        on_subscribe
            .strip_suffix("on-subscribe")
            .map(|base| format!("{base}notify"))
    }

    /// Checks a request (signature, time, a fresh message id) and reads its message.
    pub(super) async fn accept<M: DeserializeOwned>(
        &self,
        body: &[u8],
        action: &str,
    ) -> Result<(Opened, M), CrvsError> {
        let now = (self.now)();
        let ring = crate::server::ring(self.store.as_ref()).await?;
        let o = crvs::open(body, action, &ring, now, crvs::MAX_REQUEST_AGE_SECONDS)?;
        let forget = now
            .checked_sub(jiff::SignedDuration::from_secs(
                2 * tamwin_hub::signing::MAX_SKEW_SECONDS,
            ))
            .unwrap_or(now);
        let fresh = self
            .store
            .hub_use_nonce(
                &o.header.sender_id,
                &format!("crvs:{}", o.header.message_id),
                now,
                forget,
            )
            .await
            .map_err(|_| CrvsError::Unavailable)?;
        if !fresh {
            return Err(CrvsError::Duplicate);
        }
        let m: M = serde_json::from_value(o.message.clone()).map_err(|_| CrvsError::Bad)?;
        Ok((o, m))
    }

    /// A signed message from the registry to `receiver`.
    pub(super) fn sealed<M: Serialize>(
        &self,
        action: &str,
        receiver: &str,
        count: usize,
        message: &M,
    ) -> Result<Vec<u8>, CrvsError> {
        let mut h = crvs::header(action, &id(), (self.now)(), PROVIDER, count);
        h.receiver_id = Some(receiver.to_string());
        h.status = Some("succ".into());
        h.completed_count = h.total_count.into();
        crvs::seal(&self.key, &self.key_id, &h, message).map_err(|_| CrvsError::Unavailable)
    }

    pub(super) fn delivery(&self, target: String, body: Vec<u8>) -> Delivery {
        Delivery {
            delivery_id: id(),
            target,
            body: String::from_utf8_lossy(&body).into_owned(),
            attempts: 0,
            next_attempt_at: None,
            delivered_at: None,
            last_error: None,
            created_at: (self.now)(),
        }
    }

    /// Acknowledges an asynchronous request after recording it as a pending transaction.
    pub(super) async fn acknowledge<M: Serialize>(
        &self,
        o: &Opened,
        txn_type: &str,
        transaction_id: &str,
        message: &M,
    ) -> Result<String, CrvsError> {
        let uri = self.callback_of(o, txn_type)?;
        if txn_type == "subscribe" && self.notify_uri(&o.header.sender_id, &uri).is_none() {
            // Nowhere to send the events subscribed to.
            return Err(CrvsError::SenderUriInvalid);
        }
        let t = CrvsTxn {
            correlation_id: id(),
            sender: o.header.sender_id.clone(),
            transaction_id: transaction_id.to_string(),
            txn_type: txn_type.into(),
            status: "pdng".into(),
            request: serde_json::to_string(message).map_err(|_| CrvsError::Bad)?,
            callback_uri: uri,
            response: None,
            created_at: (self.now)(),
        };
        if !self
            .store
            .crvs_save_txn(&t)
            .await
            .map_err(|_| CrvsError::Unavailable)?
        {
            // The same transaction sent again: the first acknowledgement stands.
            return self
                .store
                .crvs_txn(&t.sender, "transaction_id", transaction_id)
                .await
                .map_err(|_| CrvsError::Unavailable)?
                .map(|t| t.correlation_id)
                .ok_or(CrvsError::Unavailable);
        }
        Ok(t.correlation_id)
    }
}
