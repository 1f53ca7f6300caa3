//! Runs a transaction again after a serialization failure, a deadlock or a busy SQLite database
//! (DESIGN.md: writes go through a retry helper).

use crate::StoreError;
use std::future::Future;
use std::time::Duration;

const ATTEMPTS: u32 = 8;

pub async fn with_retry<T, F, Fut>(mut op: F) -> Result<T, StoreError>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    let mut delay = Duration::from_millis(5);
    let mut attempt = 1;
    loop {
        match op().await {
            Err(StoreError::Retryable(m)) if attempt < ATTEMPTS => {
                tracing::debug!(attempt, "retrying transaction: {m}");
                tokio::time::sleep(delay).await;
                delay = (delay * 2).min(Duration::from_millis(500));
                attempt += 1;
            }
            other => return other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU32, Ordering};

    #[tokio::test]
    async fn retries_transient_errors_then_gives_up() {
        let calls = AtomicU32::new(0);
        let r: Result<u32, _> = with_retry(|| async {
            let n = calls.fetch_add(1, Ordering::SeqCst);
            if n < 2 {
                Err(StoreError::Retryable("busy".into()))
            } else {
                Ok(n)
            }
        })
        .await;
        assert_eq!(r.unwrap(), 2);
        calls.store(0, Ordering::SeqCst);
        let r: Result<u32, _> = with_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Retryable("busy".into()))
        })
        .await;
        assert!(matches!(r, Err(StoreError::Retryable(_))));
        assert_eq!(calls.load(Ordering::SeqCst), ATTEMPTS);
        // Other errors are not retried.
        calls.store(0, Ordering::SeqCst);
        let r: Result<u32, _> = with_retry(|| async {
            calls.fetch_add(1, Ordering::SeqCst);
            Err(StoreError::Database("no".into()))
        })
        .await;
        assert!(r.is_err());
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
