//! The SPDCI CRVS subscription's SQL (both sides), shared by both backends like `sql_impl`.

macro_rules! crvs_sql {
    ($store:ident) => {
        impl $store {
            fn q_delivery(r: &DbRow) -> Result<$crate::Delivery> {
                Ok($crate::Delivery {
                    delivery_id: r.try_get("delivery_id")?,
                    target: r.try_get("target")?,
                    body: r.try_get("body")?,
                    attempts: r.try_get("attempts")?,
                    next_attempt_at: parse_opt_ts(r.try_get("next_attempt_at")?)?,
                    delivered_at: parse_opt_ts(r.try_get("delivered_at")?)?,
                    last_error: r.try_get("last_error")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                })
            }

            fn q_subscription(r: &DbRow) -> Result<$crate::CrvsSubscription> {
                Ok($crate::CrvsSubscription {
                    code: r.try_get("code")?,
                    subscriber: r.try_get("subscriber")?,
                    notify_uri: r.try_get("notify_uri")?,
                    event_type: r.try_get("event_type")?,
                    status: r.try_get("status")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                })
            }

            fn q_txn_row(r: &DbRow) -> Result<$crate::CrvsTxn> {
                Ok($crate::CrvsTxn {
                    correlation_id: r.try_get("correlation_id")?,
                    sender: r.try_get("sender")?,
                    transaction_id: r.try_get("transaction_id")?,
                    txn_type: r.try_get("txn_type")?,
                    status: r.try_get("status")?,
                    request: r.try_get("request")?,
                    callback_uri: r.try_get("callback_uri")?,
                    response: r.try_get("response")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                })
            }

            async fn q_enqueue(c: &mut Conn, d: &$crate::Delivery) -> Result<()> {
                sqlx::query(concat!(
                    "INSERT INTO crvs_deliveries (delivery_id, target, body, attempts, next_attempt_at, delivered_at, ",
                    "last_error, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                ))
                .bind(d.delivery_id.as_str())
                .bind(d.target.as_str())
                .bind(d.body.as_str())
                .bind(d.attempts)
                .bind(d.next_attempt_at.as_ref().map(ts))
                .bind(d.delivered_at.as_ref().map(ts))
                .bind(d.last_error.as_deref())
                .bind(ts(&d.created_at))
                .execute(&mut *c)
                .await?;
                Ok(())
            }

            async fn q_subscriptions(&self, sql: &'static str, v: &str) -> Result<Vec<$crate::CrvsSubscription>> {
                sqlx::query(sql).bind(v).fetch_all(&self.pool).await?.iter().map(Self::q_subscription).collect()
            }

        }

        #[async_trait::async_trait]
        impl $crate::CrvsStore for $store {
            async fn crvs_save_subscriptions(&self, subs: &[$crate::CrvsSubscription]) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    for s in subs {
                        sqlx::query(concat!(
                            "INSERT INTO crvs_subscriptions (code, subscriber, notify_uri, event_type, status, created_at) ",
                            "VALUES ($1, $2, $3, $4, $5, $6)"
                        ))
                        .bind(s.code.as_str())
                        .bind(s.subscriber.as_str())
                        .bind(s.notify_uri.as_str())
                        .bind(s.event_type.as_str())
                        .bind(s.status.as_str())
                        .bind(ts(&s.created_at))
                        .execute(&mut *tx)
                        .await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn crvs_subscribers(&self, event_type: &str) -> Result<Vec<$crate::CrvsSubscription>> {
                self.q_subscriptions("SELECT * FROM crvs_subscriptions WHERE event_type = $1 AND status = 'subscribe' ORDER BY created_at, code", event_type).await
            }

            async fn crvs_subscriptions_of(&self, subscriber: &str) -> Result<Vec<$crate::CrvsSubscription>> {
                self.q_subscriptions("SELECT * FROM crvs_subscriptions WHERE subscriber = $1 ORDER BY created_at, code", subscriber).await
            }

            async fn crvs_unsubscribe(&self, subscriber: &str, code: &str) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(
                        "UPDATE crvs_subscriptions SET status = 'unsubscribe' WHERE subscriber = $1 AND code = $2 AND status = 'subscribe'",
                    )
                    .bind(subscriber)
                    .bind(code)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn crvs_save_txn(&self, t: &$crate::CrvsTxn) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(concat!(
                        "INSERT INTO crvs_transactions (correlation_id, sender, transaction_id, txn_type, status, request, ",
                        "callback_uri, response, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING"
                    ))
                    .bind(t.correlation_id.as_str())
                    .bind(t.sender.as_str())
                    .bind(t.transaction_id.as_str())
                    .bind(t.txn_type.as_str())
                    .bind(t.status.as_str())
                    .bind(t.request.as_str())
                    .bind(t.callback_uri.as_str())
                    .bind(t.response.as_deref())
                    .bind(ts(&t.created_at))
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn crvs_txn(&self, sender: &str, attribute: &str, value: &str) -> Result<Option<$crate::CrvsTxn>> {
                let sql = if attribute == "correlation_id" {
                    "SELECT * FROM crvs_transactions WHERE sender = $1 AND correlation_id = $2"
                } else {
                    "SELECT * FROM crvs_transactions WHERE sender = $1 AND transaction_id = $2 ORDER BY created_at DESC LIMIT 1"
                };
                let row = sqlx::query(sql).bind(sender).bind(value).fetch_optional(&self.pool).await?;
                row.as_ref().map(Self::q_txn_row).transpose()
            }

            async fn crvs_pending_txns(&self, limit: u32) -> Result<Vec<$crate::CrvsTxn>> {
                sqlx::query("SELECT * FROM crvs_transactions WHERE status = 'pdng' ORDER BY created_at LIMIT $1")
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(Self::q_txn_row)
                    .collect()
            }

            async fn crvs_complete_txn(&self, id: &str, status: &str, response: &str, callback: &$crate::Delivery) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query("UPDATE crvs_transactions SET status = $1, response = $2 WHERE correlation_id = $3 AND status = 'pdng'")
                        .bind(status)
                        .bind(response)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    // Settled by an earlier pass: its callback is already queued.
                    if n == 1 {
                        Self::q_enqueue(&mut tx, callback).await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn crvs_enqueue(&self, d: &$crate::Delivery) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    Self::q_enqueue(&mut tx, d).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn crvs_due(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<$crate::Delivery>> {
                sqlx::query(concat!(
                    "SELECT * FROM crvs_deliveries WHERE delivered_at IS NULL AND (next_attempt_at IS NULL OR next_attempt_at <= $1) ",
                    "ORDER BY created_at, delivery_id LIMIT $2"
                ))
                .bind(ts(&now))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(Self::q_delivery)
                .collect()
            }

            async fn crvs_attempted(&self, id: &str, delivered: Option<jiff::Timestamp>, error: Option<&str>, next: Option<jiff::Timestamp>) -> Result<()> {
                with_retry(|| async {
                    sqlx::query(concat!(
                        "UPDATE crvs_deliveries SET attempts = attempts + 1, delivered_at = $1, last_error = $2, next_attempt_at = $3 ",
                        "WHERE delivery_id = $4 AND delivered_at IS NULL"
                    ))
                    .bind(delivered.as_ref().map(ts))
                    .bind(error)
                    .bind(next.as_ref().map(ts))
                    .bind(id)
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
                .await
            }
        }
    };
}

pub(crate) use crvs_sql;
