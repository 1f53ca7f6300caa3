//! Callbacks delivered: the worker that works the registry's queue every second, and each due
//! callback posted, acknowledged or tried again later with a doubling wait.

use crate::server::HubServer;
use std::sync::Arc;
use tamwin_hub::HubTransport;
use tamwin_hub::crvs::Ack;

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

impl HubServer {
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
