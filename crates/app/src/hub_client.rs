//! The ration side's client of the identity hub: signs every request with the Ministry of Trade's key,
//! checks that each answer is the hub's answer to that very request, retries with backoff, and stops
//! calling for a while when the hub keeps failing (circuit breaker), so that work goes on and checks
//! wait in the retry queue instead of piling up on a dead connection.

use crate::Clock;
use crate::secret::random_hex;
use ed25519_dalek::SigningKey;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tamwin_hub::services::{HUB_MEMBER, Service};
use tamwin_hub::signing::{self, RequestParts, ResponseParts};
use tamwin_hub::{ClientId, Envelope, HubErrorCode, KeyRing};

pub use tamwin_hub::HubTransport;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallError {
    /// No usable answer: down, timed out, 5xx, or the breaker is open. Try later.
    Unavailable(String),
    /// The hub refused the request itself (our signature, our body): retrying will not help.
    Refused(HubErrorCode),
    /// An answer that is not the hub's answer to this request.
    Forged,
}

/// An answer that verified, with what the evidence keeps of it.
#[derive(Debug, Clone)]
pub struct Called<R> {
    pub envelope: Envelope<R>,
    pub request_hash: String,
    pub response_hash: String,
}

/// Consecutive failures that open the breaker, and for how long it stays open.
pub const BREAKER_FAILURES: u32 = 5;
pub const BREAKER_OPEN_SECONDS: i64 = 60;

#[derive(Default)]
struct Breaker {
    failures: u32,
    open_until: Option<jiff::Timestamp>,
}

pub struct HubClient {
    pub transport: Arc<dyn HubTransport>,
    pub client: ClientId,
    pub key: SigningKey,
    pub key_id: String,
    /// The hub's keys, to check its answers.
    pub hub_keys: KeyRing,
    pub clock: Arc<dyn Clock>,
    pub timeout: Duration,
    /// The timeout of a search batch or a vital-records page (the registry keys itself on a run's
    /// first batch: tens of seconds at national scale).
    pub search_timeout: Duration,
    /// Tries per call (the first and the retries).
    pub attempts: u32,
    pub backoff: Duration,
    /// The base under which we serve CRVS callbacks: `https://…/crvs`, or `/crvs` in-process; a
    /// request's `sender_uri` is the callback's whole address under it (`…/crvs/registry/on-search`).
    pub callback_uri: String,
    breaker: Mutex<Breaker>,
}

impl HubClient {
    pub fn new(
        transport: Arc<dyn HubTransport>,
        client: ClientId,
        key: SigningKey,
        key_id: &str,
        hub_keys: KeyRing,
        clock: Arc<dyn Clock>,
    ) -> Self {
        HubClient {
            transport,
            client,
            key,
            key_id: key_id.to_string(),
            hub_keys,
            clock,
            timeout: Duration::from_secs(5),
            search_timeout: Duration::from_secs(600),
            attempts: 3,
            backoff: Duration::from_millis(200),
            callback_uri: "/crvs".into(),
            breaker: Mutex::new(Breaker::default()),
        }
    }

    fn breaker_open(&self, now: jiff::Timestamp) -> bool {
        self.breaker
            .lock()
            .map(|b| b.open_until.is_some_and(|u| now < u))
            .unwrap_or(false)
    }

    fn record(&self, ok: bool, now: jiff::Timestamp) {
        if let Ok(mut b) = self.breaker.lock() {
            if ok {
                *b = Breaker::default();
            } else {
                b.failures += 1;
                if b.failures >= BREAKER_FAILURES {
                    b.open_until = now
                        .checked_add(jiff::SignedDuration::from_secs(BREAKER_OPEN_SECONDS))
                        .ok();
                }
            }
        }
    }

    /// Calls a service; the request hash comes back even on failure, for the evidence.
    pub async fn call<Q: Serialize, R: DeserializeOwned>(
        &self,
        service: Service,
        query: &Q,
    ) -> (String, Result<Called<R>, CallError>) {
        self.call_within(service, query, self.timeout).await
    }

    /// `call` with its own timeout per try.
    pub async fn call_within<Q: Serialize, R: DeserializeOwned>(
        &self,
        service: Service,
        query: &Q,
        timeout: Duration,
    ) -> (String, Result<Called<R>, CallError>) {
        let body = match serde_json::to_vec(query) {
            Ok(b) => b,
            Err(e) => return (String::new(), Err(CallError::Unavailable(e.to_string()))),
        };
        let path = service.id().path();
        let mut last_hash = String::new();
        let mut last_err = CallError::Unavailable("not tried".into());
        for attempt in 0..self.attempts.max(1) {
            let now = self.clock.now();
            if self.breaker_open(now) {
                return (
                    last_hash,
                    Err(CallError::Unavailable("circuit breaker open".into())),
                );
            }
            if attempt > 0 {
                tokio::time::sleep(self.backoff * 2u32.pow(attempt - 1)).await;
            }
            let nonce = random_hex(16).unwrap_or_default();
            let ts = format!("{:.0}", self.clock.now());
            let (headers, request_hash) = signing::sign_request(
                &self.key,
                &RequestParts {
                    client: &self.client,
                    key_id: &self.key_id,
                    method: "POST",
                    target: &path,
                    timestamp: &ts,
                    nonce: &nonce,
                    body: &body,
                },
            );
            last_hash = request_hash.clone();
            let mut pairs = headers.pairs();
            pairs.push(("content-type", "application/json".into()));
            let sent =
                tokio::time::timeout(timeout, self.transport.post(&path, pairs, body.clone()))
                    .await;
            let (status, hdrs, raw) = match sent {
                Err(_) => {
                    self.record(false, now);
                    last_err = CallError::Unavailable("timed out".into());
                    continue;
                }
                Ok(Err(e)) => {
                    self.record(false, now);
                    last_err = CallError::Unavailable(e);
                    continue;
                }
                Ok(Ok(x)) => x,
            };
            let get = |n: &str| {
                hdrs.iter()
                    .find(|(k, _)| k.eq_ignore_ascii_case(n))
                    .map(|(_, v)| v.clone())
                    .unwrap_or_default()
            };
            let parts = ResponseParts {
                request_hash: get(signing::REQUEST_HASH_HEADER),
                key_id: get(signing::KEY_ID_HEADER),
                signature: get(signing::SIGNATURE_HEADER),
            };
            if status >= 500 {
                self.record(false, now);
                last_err = CallError::Unavailable(format!("hub answered {status}"));
                continue;
            }
            let Ok(response_hash) = signing::verify_response(
                &self.hub_keys,
                HUB_MEMBER,
                &request_hash,
                &parts,
                status,
                &raw,
                self.clock.now(),
            ) else {
                // Refusals of the signature itself come back unbound (the hub could not trust the
                // request); anything else that does not verify is not the hub's answer.
                self.record(false, now);
                return (
                    request_hash,
                    Err(refusal(&raw).unwrap_or(CallError::Forged)),
                );
            };
            self.record(true, now);
            return match serde_json::from_slice::<Envelope<R>>(&raw) {
                Ok(envelope) if status == 200 => (
                    request_hash.clone(),
                    Ok(Called {
                        envelope,
                        request_hash,
                        response_hash,
                    }),
                ),
                Ok(envelope) => (
                    request_hash,
                    Err(CallError::Refused(
                        envelope.error_code().unwrap_or(HubErrorCode::Internal),
                    )),
                ),
                Err(_) => (request_hash, Err(CallError::Forged)),
            };
        }
        (last_hash, Err(last_err))
    }
}

impl HubClient {
    /// Sends a signed CRVS message (the signature is inside it) once, within the timeout; its
    /// acknowledgement or answer, or why none came. CRVS flows retry on their own terms.
    pub async fn post_crvs(&self, path: &str, body: Vec<u8>) -> Result<(u16, Vec<u8>), CallError> {
        let now = self.clock.now();
        if self.breaker_open(now) {
            return Err(CallError::Unavailable("circuit breaker open".into()));
        }
        let sent = tokio::time::timeout(
            self.timeout,
            self.transport.post(
                path,
                vec![("content-type", "application/json".into())],
                body,
            ),
        )
        .await;
        match sent {
            Ok(Ok((status, _, raw))) if status < 500 => {
                self.record(true, now);
                Ok((status, raw))
            }
            Ok(Ok((status, _, _))) => {
                self.record(false, now);
                Err(CallError::Unavailable(format!("hub answered {status}")))
            }
            Ok(Err(e)) => {
                self.record(false, now);
                Err(CallError::Unavailable(e))
            }
            Err(_) => {
                self.record(false, now);
                Err(CallError::Unavailable("timed out".into()))
            }
        }
    }
}

/// A protocol refusal (bad signature, stale time, replay) read from an answer that could not be bound.
fn refusal(raw: &[u8]) -> Option<CallError> {
    let env: Envelope<serde_json::Value> = serde_json::from_slice(raw).ok()?;
    let code = env.error_code()?;
    matches!(
        code,
        HubErrorCode::MissingSignature
            | HubErrorCode::InvalidSignature
            | HubErrorCode::StaleTimestamp
            | HubErrorCode::ReplayedNonce
            | HubErrorCode::UnknownClient
    )
    .then_some(CallError::Refused(code))
}
