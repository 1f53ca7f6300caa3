//! The registry side of the SPDCI CRVS API v1.0.0 (`tamwin_hub::crvs`): subscriptions to deaths, births,
//! exits and entries with notifications to the subscriber's callback; search by national ID, in batches,
//! asynchronous (acknowledged now, `on-search` later) or synchronous; transaction status. Every message
//! in and out is signed; callbacks are queued signed in `crvs_deliveries` and retried until acknowledged.

use crate::server::HubServer;
use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::Arc;
use tamwin_hub::crvs::{self, Ack, CrvsError, EventType, Opened};
use tamwin_hub::{HubTransport, services::PROVIDER};
use tamwin_store::{CivilEvent, CivilPerson, CrvsSubscription, CrvsTxn, Delivery};

/// Callbacks tried this many times at most; the wait doubles from 5 s up to an hour.
pub const MAX_ATTEMPTS: i64 = 30;
/// How long one callback may take.
pub const CALLBACK_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// Works the registry's queue (pending transactions, then due callbacks) every second, for as long as
/// the process runs; if a pass panics, the worker logs it and starts again.
pub fn spawn_worker(
    server: Arc<HubServer>,
    transport: Arc<dyn HubTransport>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let (s, t) = (server.clone(), transport.clone());
            let pass = tokio::spawn(async move {
                loop {
                    if let Err(e) = s.process_pending(100).await {
                        tracing::warn!("registry queue: {}", e.message());
                    }
                    if let Err(e) = s.deliver_due(t.as_ref(), 100).await {
                        tracing::warn!("registry callbacks: {e}");
                    }
                    tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                }
            });
            // The pass only ever ends by panicking.
            let Err(e) = pass.await;
            tracing::error!("registry worker stopped ({e}); starting again");
            tokio::time::sleep(std::time::Duration::from_secs(5)).await;
        }
    })
}

pub fn routes(s: Arc<HubServer>) -> Router {
    use axum::routing::post;
    Router::new()
        .route("/registry/search", post(search))
        .route("/registry/sync/search", post(sync_search))
        .route("/registry/subscribe", post(subscribe))
        .route("/registry/unsubscribe", post(unsubscribe))
        .route("/registry/txn/status", post(txn_status))
        .route("/registry/sync/txn/status", post(sync_txn_status))
        .with_state(s)
}

fn id() -> String {
    uuid::Uuid::now_v7().to_string()
}

fn json_response(status: u16, body: Vec<u8>) -> Response {
    (
        StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn ack_response(a: &Ack, status: u16) -> Response {
    json_response(status, serde_json::to_vec(a).unwrap_or_default())
}

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
    fn callback_of(&self, o: &Opened, txn_type: &str) -> Result<String, CrvsError> {
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
    fn notify_uri(&self, subscriber: &str, on_subscribe: &str) -> Option<String> {
        if let Some(b) = self.default_callback(subscriber) {
            return Some(format!("{b}/registry/notify"));
        }
        on_subscribe
            .strip_suffix("on-subscribe")
            .map(|base| format!("{base}notify"))
    }

    /// Checks a request (signature, time, a fresh message id) and reads its message.
    async fn accept<M: DeserializeOwned>(
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
    fn sealed<M: Serialize>(
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

    fn delivery(&self, target: String, body: Vec<u8>) -> Delivery {
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
    async fn acknowledge<M: Serialize>(
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

    async fn search_results(
        &self,
        req: &crvs::SearchRequest,
        correlation_id: &str,
    ) -> Result<crvs::SearchResponse, CrvsError> {
        // Every valid ID of the batch read in a few statements, not one query per person.
        let ids: Vec<String> = req
            .search_request
            .iter()
            .filter_map(|i| i.uin())
            .filter_map(|u| tamwin_domain::NationalId::parse(u).ok())
            .map(|n| n.as_str().to_string())
            .collect();
        let on_file: std::collections::HashMap<String, CivilPerson> = self
            .store
            .civil_persons(&ids)
            .await
            .map_err(|_| CrvsError::Unavailable)?
            .into_iter()
            .map(|p| (p.national_id.clone(), p))
            .collect();
        let mut out = Vec::with_capacity(req.search_request.len());
        for item in &req.search_request {
            let now = (self.now)().to_string();
            let rjct = |code: &str, msg: &str| crvs::SearchResult {
                reference_id: item.reference_id.clone(),
                timestamp: now.clone(),
                status: "rjct".into(),
                status_reason_code: Some(code.into()),
                status_reason_message: Some(msg.into()),
                data: None,
            };
            let Some(uin) = item.uin() else {
                out.push(rjct(
                    "rjct.search_criteria.invalid",
                    "only idtype-value queries by UIN are answered",
                ));
                continue;
            };
            let Ok(nid) = tamwin_domain::NationalId::parse(uin) else {
                out.push(rjct(
                    "rjct.search_criteria.invalid",
                    "not a valid national ID",
                ));
                continue;
            };
            let found = on_file.get(nid.as_str());
            out.push(crvs::SearchResult {
                reference_id: item.reference_id.clone(),
                timestamp: now.clone(),
                status: "succ".into(),
                status_reason_code: None,
                status_reason_message: None,
                data: Some(crvs::Records {
                    version: crvs::VERSION.into(),
                    reg_type: crvs::REG_TYPE.into(),
                    reg_record_type: crvs::RECORD_TYPE.into(),
                    reg_records: found.map(|p| person_record(p, None)).into_iter().collect(),
                }),
            });
        }
        Ok(crvs::SearchResponse {
            transaction_id: req.transaction_id.clone(),
            correlation_id: correlation_id.into(),
            search_response: out,
        })
    }

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

    async fn subscribe_results(
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

    /// Records a vital event at the registry (the person's file changes) and queues a notification to
    /// every subscriber of its type. False if the event id was recorded before.
    pub async fn record_event(&self, ev: &NewEvent) -> Result<bool, String> {
        let kind = EventType::of_kind(&ev.kind).ok_or("unknown event kind")?;
        let nid = tamwin_domain::NationalId::parse(&ev.national_id).map_err(|e| e.message_en)?;
        let date: jiff::civil::Date = ev.date.parse().map_err(|_| "event date is not a date")?;
        let on_file = self
            .store
            .civil_person(nid.as_str())
            .await
            .map_err(|e| e.to_string())?;
        let mut p = match (kind, on_file) {
            (EventType::Birth, Some(_)) => return Err("the newborn's ID is already on file".into()),
            (EventType::Birth, None) => ev.newborn.clone().ok_or("a birth needs the newborn")?,
            (_, Some(p)) => p,
            (_, None) => return Err("no person with this national ID".into()),
        };
        p.national_id = nid.as_str().to_string();
        let d = date.to_string();
        let mut record = person_record(&p, None);
        match kind {
            EventType::Death => {
                p.death_date = Some(d.clone());
                record.death_date = Some(d.clone());
            }
            EventType::Birth => {
                p.birth_date = d.clone();
                record = person_record(&p, None);
                record.parent1_identifier = ev.parents.first().map(|x| crvs::Identifier::uin(x));
                record.parent2_identifier = ev.parents.get(1).map(|x| crvs::Identifier::uin(x));
            }
            EventType::Exit => {
                p.abroad_since = Some(d.clone());
                record.exit_date = Some(d.clone());
            }
            EventType::Entry => {
                p.abroad_since = None;
                record.exit_date = None;
                record.entry_date = Some(d.clone());
            }
        }
        let subscribers = self
            .store
            .crvs_subscribers(kind.code())
            .await
            .map_err(|e| e.to_string())?;
        let mut notify = Vec::new();
        for s in &subscribers {
            let m = crvs::NotifyEventRequest {
                transaction_id: id(),
                notify_event: vec![crvs::NotifyItem {
                    reference_id: ev.event_id.clone(),
                    timestamp: (self.now)().to_string(),
                    data: crvs::EventData {
                        version: crvs::VERSION.into(),
                        reg_type: crvs::REG_TYPE.into(),
                        reg_event_type: kind.code().into(),
                        reg_record_type: crvs::RECORD_TYPE.into(),
                        reg_records: record.clone(),
                    },
                }],
            };
            let body = self
                .sealed("notify", &s.subscriber, 1, &m)
                .map_err(|e| e.message().to_string())?;
            notify.push(self.delivery(s.notify_uri.clone(), body));
        }
        let e = CivilEvent {
            event_id: ev.event_id.clone(),
            kind: kind.kind().into(),
            national_id: p.national_id.clone(),
            event_date: d,
            details: serde_json::to_string(&record).map_err(|e| e.to_string())?,
            recorded_at: (self.now)(),
        };
        self.store
            .civil_record_event(&e, &p, &notify)
            .await
            .map_err(|e| e.to_string())
    }

    /// Delivers the callbacks whose time has come; a refused or failed one is tried again later.
    /// Returns (delivered, failed).
    pub async fn deliver_due(
        &self,
        transport: &dyn HubTransport,
        limit: u32,
    ) -> Result<(usize, usize), String> {
        let now = (self.now)();
        let due = self
            .store
            .crvs_due(now, limit)
            .await
            .map_err(|e| e.to_string())?;
        let (mut ok, mut failed) = (0, 0);
        for d in due {
            // A receiver that takes the connection and never answers must not stop the queue.
            let outcome = tokio::time::timeout(
                CALLBACK_TIMEOUT,
                transport.post(
                    &d.target,
                    vec![("content-type", "application/json".into())],
                    d.body.clone().into_bytes(),
                ),
            )
            .await
            .unwrap_or_else(|_| Err("timed out".into()));
            let refused = match outcome {
                Ok((status, _, body)) => match serde_json::from_slice::<Ack>(&body) {
                    Ok(a) if a.message.ack_status != "ERR" && status < 300 => None,
                    Ok(a) => Some(format!(
                        "{status} {}",
                        a.message.error.map(|e| e.code).unwrap_or_default()
                    )),
                    Err(_) => Some(format!("{status}: not an acknowledgement")),
                },
                Err(e) => Some(e),
            };
            match refused {
                None => {
                    ok += 1;
                    self.store
                        .crvs_attempted(&d.delivery_id, Some(now), None, None)
                        .await
                        .map_err(|e| e.to_string())?;
                }
                Some(why) => {
                    failed += 1;
                    let wait = (5_i64 << d.attempts.clamp(0, 10)).min(3600);
                    let next = (d.attempts + 1 < MAX_ATTEMPTS)
                        .then(|| now.checked_add(jiff::SignedDuration::from_secs(wait)).ok())
                        .flatten();
                    tracing::warn!("CRVS callback to {} refused: {why}", d.target);
                    self.store
                        .crvs_attempted(
                            &d.delivery_id,
                            None,
                            Some(&why),
                            next.or(Some(far_future())),
                        )
                        .await
                        .map_err(|e| e.to_string())?;
                }
            }
        }
        Ok((ok, failed))
    }
}

/// Where a callback that ran out of attempts is parked (it stays in the table for an operator).
fn far_future() -> jiff::Timestamp {
    jiff::Timestamp::MAX
}

/// A vital event as the registry's clerks record it.
#[derive(Debug, Clone)]
pub struct NewEvent {
    pub event_id: String,
    /// `death`, `birth`, `exit`, `entry`.
    pub kind: String,
    pub national_id: String,
    pub date: String,
    /// For a birth: the newborn's file (names, sex; the ID and date come from the event).
    pub newborn: Option<CivilPerson>,
    /// For a birth: the parents' national IDs.
    pub parents: Vec<String>,
}

/// The CRVS Person for a civil file.
pub fn person_record(p: &CivilPerson, entry_date: Option<String>) -> crvs::Person {
    crvs::Person {
        identifier: crvs::Identifier::uin(&p.national_id),
        name: crvs::Name {
            given_name: p.given_name.clone(),
            second_name: p.father_name.clone(),
            third_name: p.grandfather_name.clone(),
            surname: p.family_name.clone(),
        },
        mother_name: Some(p.mother_name.clone()),
        sex: p.sex.clone(),
        birth_date: p.birth_date.clone(),
        death_date: p.death_date.clone(),
        exit_date: p.abroad_since.clone(),
        entry_date,
        parent1_identifier: None,
        parent2_identifier: None,
    }
}

async fn search(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    match s.accept::<crvs::SearchRequest>(&body, "search").await {
        Ok((_, m)) if m.search_request.len() > crvs::MAX_BATCH || m.search_request.is_empty() => {
            ack_response(&Ack::err(now, "", CrvsError::Bad), 400)
        }
        Ok((o, m)) => match s.acknowledge(&o, "search", &m.transaction_id, &m).await {
            Ok(c) => ack_response(&Ack::accepted(now, &c), 202),
            Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
        },
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}

async fn sync_search(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
    let now = (s.now)();
    let answer = async {
        let (o, m) = s.accept::<crvs::SearchRequest>(&body, "search").await?;
        if m.search_request.len() > crvs::MAX_BATCH || m.search_request.is_empty() {
            return Err(CrvsError::Bad);
        }
        let r = s.search_results(&m, &id()).await?;
        s.sealed(
            "on-search",
            &o.header.sender_id,
            r.search_response.len(),
            &r,
        )
    }
    .await;
    match answer {
        Ok(body) => json_response(200, body),
        Err(e) => ack_response(&Ack::err(now, "", e), e.status()),
    }
}

async fn subscribe(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
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

async fn unsubscribe(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
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

async fn txn_status(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
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

async fn sync_txn_status(State(s): State<Arc<HubServer>>, body: Bytes) -> Response {
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
