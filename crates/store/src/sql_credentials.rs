//! Device keys' SQL, shared by both backends like `sql_impl`: inherent methods the `Store` impl calls.

macro_rules! credentials_sql {
    ($store:ident) => {
        impl $store {
            /// Revokes one credential still in force with `sql` (`$1` the time, `$2` the id), audited;
            /// false if it was revoked meanwhile.
            async fn revoke_audited(&self, sql: &'static str, id: &str, at: &str, log: &ChangeLog) -> Result<bool> {
                let n = self
                    .audited(log, None, |c| {
                        let (at, id) = (at.to_string(), id.to_string());
                        Box::pin(async move { Ok(sqlx::query(sql).bind(at).bind(id.as_str()).execute(&mut *c).await?.rows_affected()) })
                    })
                    .await?;
                Ok(n == 1)
            }

            fn device_from_row(r: &DbRow) -> Result<$crate::DeviceKey> {
                Ok($crate::DeviceKey {
                    device_id: r.try_get("device_id")?,
                    name: r.try_get("name")?,
                    role: parse_role("device_keys", &r.try_get::<String, _>("role")?)?,
                    area: r.try_get("area")?,
                    public_key: r.try_get("public_key")?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    created_by: r.try_get("created_by")?,
                    revoked_at: parse_opt_ts(r.try_get("revoked_at")?)?,
                    outlet_code: r.try_get("outlet_code")?,
                })
            }

            async fn device_get(&self, id: &str) -> Result<Option<$crate::DeviceKey>> {
                let row = sqlx::query("SELECT * FROM device_keys WHERE device_id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::device_from_row).transpose()
            }

        }

        impl $store {
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
                    outlet_code: r.try_get("outlet_code")?,
                })
            }

            async fn access_token(&self, id: &str) -> Result<Option<$crate::ApiToken>> {
                let row = sqlx::query("SELECT * FROM api_tokens WHERE token_id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::token_from_row).transpose()
            }
        }

        #[async_trait::async_trait]
        impl $crate::CredentialStore for $store {
            async fn create_api_token(&self, t: &$crate::ApiToken, log: &ChangeLog) -> Result<()> {
                self.audited(log, None, |c| {
                    let t = t.clone();
                    Box::pin(async move {
                        sqlx::query(concat!(
                            "INSERT INTO api_tokens (token_id, name, role, area, secret_hash, created_at, created_by, ",
                            "expires_at, revoked_at, outlet_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, $9)"
                        ))
                        .bind(t.token_id.as_str())
                        .bind(t.name.as_str())
                        .bind(t.role.code())
                        .bind(t.area.as_str())
                        .bind(t.secret_hash.as_str())
                        .bind(ts(&t.created_at))
                        .bind(t.created_by.as_str())
                        .bind(ts(&t.expires_at))
                        .bind(t.outlet_code.as_deref())
                        .execute(&mut *c)
                        .await?;
                        Ok(1)
                    })
                })
                .await
                .map(|_| ())
            }

            async fn api_token(&self, token_id: &str) -> Result<Option<$crate::ApiToken>> {
                self.access_token(token_id).await
            }

            async fn revoke_api_token(&self, id: &str, log: &ChangeLog) -> Result<bool> {
                let at = ts(&log.at);
                // Nothing to revoke: no audit entry either.
                if self.access_token(id).await?.is_none_or(|t| t.revoked_at.is_some()) {
                    return Ok(false);
                }
                self.revoke_audited("UPDATE api_tokens SET revoked_at = $1 WHERE token_id = $2 AND revoked_at IS NULL", id, &at, log).await
            }

            async fn api_tokens(&self) -> Result<Vec<$crate::ApiToken>> {
                let rows = sqlx::query("SELECT * FROM api_tokens ORDER BY created_at, token_id")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::token_from_row).collect()
            }

            async fn create_device_key(&self, d: &$crate::DeviceKey, log: &ChangeLog) -> Result<()> {
                self.audited(log, None, |c| {
                    let d = d.clone();
                    Box::pin(async move {
                        sqlx::query(concat!(
                            "INSERT INTO device_keys (device_id, name, role, area, public_key, created_at, created_by, revoked_at, outlet_code) ",
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, NULL, $8)"
                        ))
                        .bind(d.device_id.as_str())
                        .bind(d.name.as_str())
                        .bind(d.role.code())
                        .bind(d.area.as_str())
                        .bind(d.public_key.as_str())
                        .bind(ts(&d.created_at))
                        .bind(d.created_by.as_str())
                        .bind(d.outlet_code.as_deref())
                        .execute(&mut *c)
                        .await?;
                        Ok(1)
                    })
                })
                .await
                .map(|_| ())
            }

            async fn device_key(&self, device_id: &str) -> Result<Option<$crate::DeviceKey>> {
                self.device_get(device_id).await
            }

            async fn revoke_device_key(&self, id: &str, log: &ChangeLog) -> Result<bool> {
                if self.device_get(id).await?.is_none_or(|d| d.revoked_at.is_some()) {
                    return Ok(false);
                }
                let at = ts(&log.at);
                self.revoke_audited("UPDATE device_keys SET revoked_at = $1 WHERE device_id = $2 AND revoked_at IS NULL", id, &at, log).await
            }

            async fn device_keys(&self) -> Result<Vec<$crate::DeviceKey>> {
                let rows = sqlx::query("SELECT * FROM device_keys ORDER BY created_at, device_id")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::device_from_row).collect()
            }

            async fn use_nonce(&self, id: &str, nonce: &str, at: jiff::Timestamp) -> Result<bool> {
                const SQL: &str = "INSERT INTO device_nonces (device_id, nonce, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";
                with_retry(|| async {
                    let q = sqlx::query(SQL).bind(id).bind(nonce).bind(ts(&at));
                    let n = match Self::BACKEND {
                        // One round trip, committed by itself: a device's every request pays it.
                        Backend::Postgres => q.execute(&self.pool).await?.rows_affected(),
                        // In the writer's turn, as every write here.
                        Backend::Sqlite => {
                            let mut tx = self.begin_write().await?;
                            let n = q.execute(&mut *tx).await?.rows_affected();
                            tx.commit().await.map_err(crate::error::commit_error)?;
                            n
                        }
                    };
                    Ok(n == 1)
                })
                .await
            }

            async fn forget_nonces(&self, before: jiff::Timestamp) -> Result<u64> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query("DELETE FROM device_nonces WHERE at < $1")
                        .bind(ts(&before))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(n)
                })
                .await
            }
        }
    };
}

pub(crate) use credentials_sql;
