//! SQL of access and accountability (sessions, one-time codes, outbox, API tokens, reads in the audit
//! log, aggregates), shared by both backends like `sql_impl`: inherent methods the `Store` impl calls.

macro_rules! access_sql {
    ($store:ident) => {
        impl $store {
            fn session_from_row(r: &DbRow) -> Result<$crate::Session> {
                Ok($crate::Session {
                    session_hash: r.try_get("session_hash")?,
                    kind: r.try_get("kind")?,
                    subject_id: r.try_get("subject_id")?,
                    subject_name: r.try_get("subject_name")?,
                    csrf_token: r.try_get("csrf_token")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    last_seen_at: parse_ts(&r.try_get::<String, _>("last_seen_at")?)?,
                    expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                    ended_at: parse_opt_ts(r.try_get("ended_at")?)?,
                })
            }

            fn otp_from_row(r: &DbRow) -> Result<$crate::OtpChallenge> {
                Ok($crate::OtpChallenge {
                    challenge_id: r.try_get("challenge_id")?,
                    phone: r.try_get("phone")?,
                    household_id: r.try_get("household_id")?,
                    code_hash: r.try_get("code_hash")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                    attempts: r.try_get("attempts")?,
                    used_at: parse_opt_ts(r.try_get("used_at")?)?,
                })
            }

            fn token_from_row(r: &DbRow) -> Result<$crate::ApiToken> {
                Ok($crate::ApiToken {
                    token_id: r.try_get("token_id")?,
                    name: r.try_get("name")?,
                    role: parse_role("api_tokens", &r.try_get::<String, _>("role")?)?,
                    area: r.try_get("area")?,
                    secret_hash: r.try_get("secret_hash")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    created_by: r.try_get("created_by")?,
                    expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                    revoked_at: parse_opt_ts(r.try_get("revoked_at")?)?,
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

            async fn access_household_stats(&self, scope: &$crate::Scope) -> Result<Vec<$crate::AreaCount>> {
                let rows = sqlx::query(concat!(
                    "SELECT h.governorate_code, h.district_code, h.state, COUNT(*) AS households, ",
                    "CAST(SUM((SELECT COUNT(*) FROM members m WHERE m.household_id = h.household_id ",
                    "AND m.presence = 'present')) AS BIGINT) AS members FROM households h ",
                    "WHERE ($1 = '' OR h.governorate_code = $1) AND ($2 = '' OR h.district_code = $2) ",
                    "GROUP BY h.governorate_code, h.district_code, h.state ",
                    "ORDER BY h.governorate_code, h.district_code, h.state"
                ))
                .bind(scope.governorate.as_deref().unwrap_or(""))
                .bind(scope.district.as_deref().unwrap_or(""))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let state: String = r.try_get(2)?;
                        Ok($crate::AreaCount {
                            governorate: r.try_get(0)?,
                            district: r.try_get(1)?,
                            state: CardState::parse(&state).ok_or_else(|| corrupt("card state", &state))?,
                            households: r.try_get(3)?,
                            members: r.try_get(4)?,
                        })
                    })
                    .collect()
            }

            async fn access_create_session(&self, s: &$crate::Session, log: &ChangeLog) -> Result<()> {
                self.audited(log, None, |c| {
                    let s = s.clone();
                    Box::pin(async move {
                        sqlx::query(concat!(
                            "INSERT INTO sessions (session_hash, kind, subject_id, subject_name, csrf_token, created_at, ",
                            "last_seen_at, expires_at, ended_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)"
                        ))
                        .bind(s.session_hash.as_str())
                        .bind(s.kind.as_str())
                        .bind(s.subject_id.as_str())
                        .bind(s.subject_name.as_str())
                        .bind(s.csrf_token.as_str())
                        .bind(ts(&s.created_at))
                        .bind(ts(&s.last_seen_at))
                        .bind(ts(&s.expires_at))
                        .execute(&mut *c)
                        .await?;
                        Ok(1)
                    })
                })
                .await
                .map(|_| ())
            }

            async fn access_session(&self, hash: &str) -> Result<Option<$crate::Session>> {
                let row = sqlx::query("SELECT * FROM sessions WHERE session_hash = $1")
                    .bind(hash)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::session_from_row).transpose()
            }

            async fn access_touch_session(&self, hash: &str, at: jiff::Timestamp, expires: jiff::Timestamp) -> Result<()> {
                with_retry(|| async {
                    sqlx::query("UPDATE sessions SET last_seen_at = $1, expires_at = $2 WHERE session_hash = $3 AND ended_at IS NULL")
                        .bind(ts(&at))
                        .bind(ts(&expires))
                        .bind(hash)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
                .await
            }

            async fn access_end_session(&self, hash: &str, log: &ChangeLog) -> Result<()> {
                let at = ts(&log.at);
                self.audited(log, None, |c| {
                    let (at, hash) = (at.clone(), hash.to_string());
                    Box::pin(async move {
                        Ok(sqlx::query("UPDATE sessions SET ended_at = $1 WHERE session_hash = $2 AND ended_at IS NULL")
                            .bind(at)
                            .bind(hash.as_str())
                            .execute(&mut *c)
                            .await?
                            .rows_affected())
                    })
                })
                .await
                .map(|_| ())
            }

            async fn access_create_otp(&self, o: &$crate::OtpChallenge, msg: Option<&$crate::OutboxMessage>) -> Result<()> {
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

            async fn access_otps_since(&self, phone: &str, since: jiff::Timestamp) -> Result<i64> {
                let r = sqlx::query("SELECT COUNT(*) FROM otp_challenges WHERE phone = $1 AND created_at >= $2")
                    .bind(phone)
                    .bind(ts(&since))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(r.try_get(0)?)
            }

            async fn access_latest_otp(&self, phone: &str) -> Result<Option<$crate::OtpChallenge>> {
                let row = sqlx::query("SELECT * FROM otp_challenges WHERE phone = $1 ORDER BY created_at DESC, challenge_id DESC LIMIT 1")
                    .bind(phone)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::otp_from_row).transpose()
            }

            async fn access_otp_attempt(&self, id: &str, max: i64) -> Result<bool> {
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

            async fn access_otp_use(&self, id: &str, at: jiff::Timestamp) -> Result<bool> {
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

            async fn access_outbox_recent(&self, limit: u32) -> Result<Vec<$crate::OutboxMessage>> {
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

            async fn access_outbox_update(&self, id: &str, at: Option<jiff::Timestamp>, body: Option<&str>) -> Result<()> {
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

            fn throttle_from_row(r: &DbRow) -> Result<$crate::Throttle> {
                Ok($crate::Throttle {
                    key: r.try_get("throttle_key")?,
                    failures: r.try_get("failures")?,
                    window_start: parse_ts(&r.try_get::<String, _>("window_start")?)?,
                    blocked_until: parse_opt_ts(r.try_get("blocked_until")?)?,
                })
            }

            async fn access_throttles(&self, keys: &[String]) -> Result<Vec<$crate::Throttle>> {
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

            async fn access_throttle_fail(
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

            async fn access_throttle_reset(&self, key: &str, now: jiff::Timestamp) -> Result<()> {
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

            async fn access_throttle_forget(&self, before: jiff::Timestamp) -> Result<u64> {
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

            async fn access_create_token(&self, t: &$crate::ApiToken, log: &ChangeLog) -> Result<()> {
                self.audited(log, None, |c| {
                    let t = t.clone();
                    Box::pin(async move {
                        sqlx::query(concat!(
                            "INSERT INTO api_tokens (token_id, name, role, area, secret_hash, created_at, created_by, ",
                            "expires_at, revoked_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)"
                        ))
                        .bind(t.token_id.as_str())
                        .bind(t.name.as_str())
                        .bind(t.role.code())
                        .bind(t.area.as_str())
                        .bind(t.secret_hash.as_str())
                        .bind(ts(&t.created_at))
                        .bind(t.created_by.as_str())
                        .bind(ts(&t.expires_at))
                        .execute(&mut *c)
                        .await?;
                        Ok(1)
                    })
                })
                .await
                .map(|_| ())
            }

            async fn access_token(&self, id: &str) -> Result<Option<$crate::ApiToken>> {
                let row = sqlx::query("SELECT * FROM api_tokens WHERE token_id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::token_from_row).transpose()
            }

            async fn access_revoke_token(&self, id: &str, log: &ChangeLog) -> Result<bool> {
                let at = ts(&log.at);
                // Nothing to revoke: no audit entry either.
                if self.access_token(id).await?.is_none_or(|t| t.revoked_at.is_some()) {
                    return Ok(false);
                }
                let n = self
                    .audited(log, None, |c| {
                        let (at, id) = (at.clone(), id.to_string());
                        Box::pin(async move {
                            Ok(sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL")
                                .bind(at)
                                .bind(id.as_str())
                                .execute(&mut *c)
                                .await?
                                .rows_affected())
                        })
                    })
                    .await?;
                Ok(n == 1)
            }

            async fn access_tokens(&self) -> Result<Vec<$crate::ApiToken>> {
                let rows = sqlx::query("SELECT * FROM api_tokens ORDER BY created_at, token_id")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::token_from_row).collect()
            }
        }
    };
}

pub(crate) use access_sql;
