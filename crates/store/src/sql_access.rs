//! SQL of access and accountability (sessions, one-time codes, outbox, API tokens, reads in the audit
//! log, aggregates), shared by both backends like `sql_impl`: inherent methods the `Store` impl calls.

macro_rules! access_sql {
    ($store:ident) => {
        impl $store {
            fn otp_from_row(r: &DbRow) -> Result<$crate::OtpChallenge> {
                Ok($crate::OtpChallenge {
                    challenge_id: r.try_get("challenge_id")?,
                    phone: r.try_get("phone")?,
                    household_id: r.try_get::<Option<String>, _>("household_id")?.map(Into::into),
                    code_hash: r.try_get("code_hash")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                    attempts: r.try_get("attempts")?,
                    used_at: parse_opt_ts(r.try_get("used_at")?)?,
                })
            }

            /// Runs `write` in a write transaction with `log` appended to the audit log, retried on conflicts.
            async fn audited<F>(&self, log: &ChangeLog, household: Option<&str>, write: F) -> Result<u64>
            where
                F: for<'c> Fn(&'c mut Conn) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<u64>> + Send + 'c>>
                    + Sync,
            {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = write(&mut tx).await?;
                    Self::append_audit(&mut tx, &[(household, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(n)
                })
                .await
            }

            /// Queues a message in the same transaction as the change it tells about.
            async fn outbox_insert(c: &mut Conn, m: &$crate::OutboxMessage) -> Result<()> {
                sqlx::query(concat!(
                    "INSERT INTO outbox (message_id, channel, recipient, body, created_at, delivered_at) ",
                    "VALUES ($1, $2, $3, $4, $5, $6)"
                ))
                .bind(m.message_id.as_str())
                .bind(m.channel.as_str())
                .bind(m.recipient.as_str())
                .bind(m.body.as_str())
                .bind(ts(&m.created_at))
                .bind(m.delivered_at.as_ref().map(ts))
                .execute(&mut *c)
                .await?;
                Ok(())
            }

            fn throttle_from_row(r: &DbRow) -> Result<$crate::Throttle> {
                Ok($crate::Throttle {
                    key: r.try_get("throttle_key")?,
                    failures: r.try_get("failures")?,
                    window_start: parse_ts(&r.try_get::<String, _>("window_start")?)?,
                    blocked_until: parse_opt_ts(r.try_get("blocked_until")?)?,
                })
            }

        }

        #[async_trait::async_trait]
        impl $crate::AccessStore for $store {
            async fn create_otp(&self, o: &$crate::OtpChallenge, msg: Option<&$crate::OutboxMessage>) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(concat!(
                        "INSERT INTO otp_challenges (challenge_id, phone, household_id, code_hash, created_at, expires_at, ",
                        "attempts, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)"
                    ))
                    .bind(o.challenge_id.as_str())
                    .bind(o.phone.as_str())
                    .bind(o.household_id.as_deref())
                    .bind(o.code_hash.as_str())
                    .bind(ts(&o.created_at))
                    .bind(ts(&o.expires_at))
                    .bind(o.attempts)
                    .execute(&mut *tx)
                    .await?;
                    if let Some(m) = msg {
                        Self::outbox_insert(&mut tx, m).await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn otps_since(&self, phone: &str, since: jiff::Timestamp) -> Result<i64> {
                let r = sqlx::query("SELECT COUNT(*) FROM otp_challenges WHERE phone = $1 AND created_at >= $2")
                    .bind(phone)
                    .bind(ts(&since))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(r.try_get(0)?)
            }

            async fn latest_otp(&self, phone: &str) -> Result<Option<$crate::OtpChallenge>> {
                let row = sqlx::query("SELECT * FROM otp_challenges WHERE phone = $1 ORDER BY created_at DESC, challenge_id DESC LIMIT 1")
                    .bind(phone)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::otp_from_row).transpose()
            }

            async fn otp_attempt(&self, id: &str, max: i64) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(
                        "UPDATE otp_challenges SET attempts = attempts + 1 WHERE challenge_id = $1 AND used_at IS NULL AND attempts < $2",
                    )
                    .bind(id)
                    .bind(max)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn otp_use(&self, id: &str, at: jiff::Timestamp) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query("UPDATE otp_challenges SET used_at = $1 WHERE challenge_id = $2 AND used_at IS NULL")
                        .bind(ts(&at))
                        .bind(id)
                        .execute(&self.pool)
                        .await?
                        .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn outbox_recent(&self, limit: u32) -> Result<Vec<$crate::OutboxMessage>> {
                let rows = sqlx::query(concat!(
                    "SELECT message_id, channel, recipient, body, created_at, delivered_at FROM outbox ",
                    "ORDER BY created_at DESC, message_id DESC LIMIT $1"
                ))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::OutboxMessage {
                            message_id: r.try_get(0)?,
                            channel: r.try_get(1)?,
                            recipient: r.try_get(2)?,
                            body: r.try_get(3)?,
                            created_at: parse_ts(&r.try_get::<String, _>(4)?)?,
                            delivered_at: parse_opt_ts(r.try_get(5)?)?,
                        })
                    })
                    .collect()
            }

            async fn outbox_update(&self, id: &str, at: Option<jiff::Timestamp>, body: Option<&str>) -> Result<()> {
                with_retry(|| async {
                    sqlx::query("UPDATE outbox SET delivered_at = COALESCE($1, delivered_at), body = COALESCE($2, body) WHERE message_id = $3")
                        .bind(at.as_ref().map(ts))
                        .bind(body)
                        .bind(id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
                .await
            }

            async fn throttles(&self, keys: &[String]) -> Result<Vec<$crate::Throttle>> {
                let mut out = Vec::new();
                for k in keys {
                    let row = sqlx::query("SELECT * FROM sign_in_throttle WHERE throttle_key = $1")
                        .bind(k.as_str())
                        .fetch_optional(&self.pool)
                        .await?;
                    if let Some(r) = row {
                        out.push(Self::throttle_from_row(&r)?);
                    }
                }
                Ok(out)
            }

            async fn throttle_fail(
                &self,
                key: &str,
                now: jiff::Timestamp,
                window_from: jiff::Timestamp,
                limit: i64,
                block_until: jiff::Timestamp,
            ) -> Result<$crate::Throttle> {
                // One statement, so concurrent failures are all counted.
                with_retry(|| async {
                    let r = sqlx::query(concat!(
                        "INSERT INTO sign_in_throttle (throttle_key, failures, window_start, blocked_until) ",
                        "VALUES ($1, 1, $2, CASE WHEN $4 <= 1 THEN $5 ELSE NULL END) ",
                        "ON CONFLICT (throttle_key) DO UPDATE SET ",
                        "failures = CASE WHEN sign_in_throttle.window_start < $3 THEN 1 ELSE sign_in_throttle.failures + 1 END, ",
                        "blocked_until = CASE WHEN (CASE WHEN sign_in_throttle.window_start < $3 THEN 1 ELSE sign_in_throttle.failures + 1 END) >= $4 ",
                        "THEN $5 ELSE sign_in_throttle.blocked_until END, ",
                        "window_start = CASE WHEN sign_in_throttle.window_start < $3 THEN $2 ELSE sign_in_throttle.window_start END ",
                        "RETURNING throttle_key, failures, window_start, blocked_until"
                    ))
                    .bind(key)
                    .bind(ts(&now))
                    .bind(ts(&window_from))
                    .bind(limit)
                    .bind(ts(&block_until))
                    .fetch_one(&self.pool)
                    .await?;
                    Self::throttle_from_row(&r)
                })
                .await
            }

            async fn throttle_reset(&self, key: &str, now: jiff::Timestamp) -> Result<()> {
                with_retry(|| async {
                    sqlx::query(concat!(
                        "INSERT INTO sign_in_throttle (throttle_key, failures, window_start, blocked_until) VALUES ($1, 0, $2, NULL) ",
                        "ON CONFLICT (throttle_key) DO UPDATE SET failures = 0, window_start = $2, blocked_until = NULL"
                    ))
                    .bind(key)
                    .bind(ts(&now))
                    .execute(&self.pool)
                    .await?;
                    Ok(())
                })
                .await
            }

            async fn throttle_forget(&self, before: jiff::Timestamp) -> Result<u64> {
                let b = ts(&before);
                with_retry(|| async {
                    Ok(sqlx::query(
                        "DELETE FROM sign_in_throttle WHERE window_start < $1 AND (blocked_until IS NULL OR blocked_until < $1)",
                    )
                    .bind(b.as_str())
                    .execute(&self.pool)
                    .await?
                    .rows_affected())
                })
                .await
            }
        }
    };
}

pub(crate) use access_sql;
