//! Staff accounts' SQL, shared by both backends like `sql_impl` (inherent methods the `Store` impl calls).

macro_rules! staff_sql {
    ($store:ident) => {
        impl $store {
            fn staff_from_row(r: &DbRow) -> Result<$crate::StaffUser> {
                Ok($crate::StaffUser {
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    role: parse_role("staff_users", &r.try_get::<String, _>("role")?)?,
                    area: r.try_get("area")?,
                    password_hash: r.try_get("password_hash")?,
                    failed_logins: r.try_get("failed_logins")?,
                    locked_until: parse_opt_ts(r.try_get("locked_until")?)?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    disabled_at: parse_opt_ts(r.try_get("disabled_at")?)?,
                    outlet_code: r.try_get("outlet_code")?,
                })
            }

        }

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
        }

        #[async_trait::async_trait]
        impl $crate::StaffStore for $store {
            async fn create_staff_user(&self, u: &$crate::StaffUser, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(concat!(
                        "INSERT INTO staff_users (user_id, username, role, area, password_hash, failed_logins, ",
                        "locked_until, created_at, disabled_at, outlet_code) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                    ))
                    .bind(u.user_id.as_str())
                    .bind(u.username.as_str())
                    .bind(u.role.code())
                    .bind(u.area.as_str())
                    .bind(u.password_hash.as_str())
                    .bind(u.failed_logins)
                    .bind(u.locked_until.as_ref().map(ts))
                    .bind(ts(&u.created_at))
                    .bind(u.disabled_at.as_ref().map(ts))
                    .bind(u.outlet_code.as_deref())
                    .execute(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn staff_user_by_username(&self, username: &str) -> Result<Option<$crate::StaffUser>> {
                let row = sqlx::query("SELECT * FROM staff_users WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::staff_from_row).transpose()
            }

            async fn save_login_outcome(&self, user_id: &str, failed: i64, until: Option<jiff::Timestamp>) -> Result<()> {
                with_retry(|| async {
                    sqlx::query("UPDATE staff_users SET failed_logins = $1, locked_until = $2 WHERE user_id = $3")
                        .bind(failed)
                        .bind(until.as_ref().map(ts))
                        .bind(user_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
                .await
            }

            async fn staff_users(&self) -> Result<Vec<$crate::StaffUser>> {
                let rows = sqlx::query("SELECT * FROM staff_users ORDER BY username").fetch_all(&self.pool).await?;
                rows.iter().map(Self::staff_from_row).collect()
            }

            async fn staff_user_by_id(&self, user_id: &str) -> Result<Option<$crate::StaffUser>> {
                let row = sqlx::query("SELECT * FROM staff_users WHERE user_id = $1")
                    .bind(user_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::staff_from_row).transpose()
            }

            async fn set_staff_password(&self, user_id: &str, hash: &str, keep: Option<&str>, log: &ChangeLog) -> Result<()> {
                let at = ts(&log.at);
                self.audited(log, None, |c| {
                    let (at, user_id, hash, keep) = (at.clone(), user_id.to_string(), hash.to_string(), keep.unwrap_or("").to_string());
                    Box::pin(async move {
                        sqlx::query("UPDATE staff_users SET password_hash = $1, failed_logins = 0, locked_until = NULL WHERE user_id = $2")
                            .bind(hash.as_str())
                            .bind(user_id.as_str())
                            .execute(&mut *c)
                            .await?;
                        sqlx::query("UPDATE sessions SET ended_at = $1 WHERE subject_id = $2 AND ended_at IS NULL AND session_hash <> $3")
                            .bind(at)
                            .bind(user_id.as_str())
                            .bind(keep.as_str())
                            .execute(&mut *c)
                            .await?;
                        Ok(1)
                    })
                })
                .await
                .map(|_| ())
            }

            async fn set_staff_disabled(&self, user_id: &str, disabled: Option<jiff::Timestamp>, log: &ChangeLog) -> Result<()> {
                let at = ts(&log.at);
                let disabled = disabled.as_ref().map(ts);
                self.audited(log, None, |c| {
                    let (at, disabled, user_id) = (at.clone(), disabled.clone(), user_id.to_string());
                    Box::pin(async move {
                        let ends = disabled.is_some();
                        sqlx::query("UPDATE staff_users SET disabled_at = $1 WHERE user_id = $2")
                            .bind(disabled)
                            .bind(user_id.as_str())
                            .execute(&mut *c)
                            .await?;
                        if ends {
                            sqlx::query("UPDATE sessions SET ended_at = $1 WHERE subject_id = $2 AND ended_at IS NULL")
                                .bind(at)
                                .bind(user_id.as_str())
                                .execute(&mut *c)
                                .await?;
                        }
                        Ok(1)
                    })
                })
                .await
                .map(|_| ())
            }

            async fn create_session(&self, s: &$crate::Session, log: &ChangeLog) -> Result<()> {
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

            async fn session(&self, hash: &str) -> Result<Option<$crate::Session>> {
                let row = sqlx::query("SELECT * FROM sessions WHERE session_hash = $1")
                    .bind(hash)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::session_from_row).transpose()
            }

            async fn touch_session(&self, hash: &str, at: jiff::Timestamp, expires: jiff::Timestamp) -> Result<()> {
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

            async fn end_session(&self, hash: &str, log: &ChangeLog) -> Result<()> {
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
        }
    };
}

pub(crate) use staff_sql;
