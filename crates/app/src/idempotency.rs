//! Idempotency keys: what a state-changing request carries, the answer stored with its change, and the
//! replay of that answer to a retry (byte for byte), also when two requests with one key race.

use crate::{Actor, AppError, Registry, Result};
use tamwin_store::{Conflict, IdemEntry, StoreError};

/// What a state-changing request carries for idempotency.
#[derive(Debug, Clone)]
pub struct IdemRequest {
    pub key: String,
    pub request_hash: String,
}

impl IdemRequest {
    /// The key as stored: prefixed by the caller, so keys of different callers never meet.
    pub(crate) fn scoped(idem: Option<&IdemRequest>, actor: &Actor) -> Option<IdemRequest> {
        idem.map(|i| IdemRequest {
            key: format!("{}|{}", actor.key(), i.key),
            request_hash: i.request_hash.clone(),
        })
    }
}

/// The result of a state-changing use case: what to answer, already serialised, so that a replay with
/// the same idempotency key answers byte for byte the same.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub status: u16,
    pub body: String,
    pub replayed: bool,
}

impl Registry {
    /// Replays the stored answer for a key, refuses a key reused for another request, or says "go on".
    pub(crate) async fn replay(&self, idem: Option<&IdemRequest>) -> Result<Option<Outcome>> {
        let Some(req) = idem else { return Ok(None) };
        match self.store.idempotency_entry(&req.key).await? {
            Some(e) if e.request_hash == req.request_hash => Ok(Some(Outcome {
                status: e.status,
                body: e.body,
                replayed: true,
            })),
            Some(_) => Err(AppError::IdempotencyKeyReused),
            None => Ok(None),
        }
    }

    pub(crate) fn idem_entry(
        &self,
        idem: Option<&IdemRequest>,
        status: u16,
        body: &str,
    ) -> Option<IdemEntry> {
        idem.map(|r| IdemEntry {
            key: r.key.clone(),
            request_hash: r.request_hash.clone(),
            status,
            body: body.to_string(),
            created_at: self.clock.now(),
        })
    }

    /// A failure can be a retry of a request that succeeded meanwhile (the same key, in flight at the
    /// same time): then the stored answer is the answer.
    pub(crate) async fn settle(
        &self,
        idem: Option<&IdemRequest>,
        result: Result<Outcome>,
    ) -> Result<Outcome> {
        match result {
            Err(e) if idem.is_some() && !matches!(e, AppError::IdempotencyKeyReused) => {
                match self.replay(idem).await {
                    Ok(Some(o)) => Ok(o),
                    Err(AppError::IdempotencyKeyReused) => Err(AppError::IdempotencyKeyReused),
                    _ => Err(e),
                }
            }
            other => other,
        }
    }

    /// A concurrent request with the same key won the race: answer what it stored.
    pub(crate) async fn after_idem_race(&self, idem: Option<&IdemRequest>) -> Result<Outcome> {
        match self.replay(idem).await? {
            Some(o) => Ok(o),
            None => Err(AppError::Store(StoreError::Conflict(
                Conflict::IdempotencyKeyTaken,
                "vanished".into(),
            ))),
        }
    }
}
