//! Staff accounts' SQL, shared by both backends like `sql_impl` (inherent methods the `Store` impl calls).

macro_rules! staff_sql {
    ($store:ident) => {
        impl $store {
            fn staff_from_row(r: &DbRow) -> Result<$crate::StaffUser> {
                Ok($crate::StaffUser {
                    user_id: r.try_get("user_id")?,
                    username: r.try_get("username")?,
                    role: r.try_get("role")?,
                    area: r.try_get("area")?,
                    password_hash: r.try_get("password_hash")?,
                    failed_logins: r.try_get("failed_logins")?,
                    locked_until: parse_opt_ts(r.try_get("locked_until")?)?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    disabled_at: parse_opt_ts(r.try_get("disabled_at")?)?,
                })
            }

            async fn staff_create(&self, u: &$crate::StaffUser, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(concat!(
                        "INSERT INTO staff_users (user_id, username, role, area, password_hash, failed_logins, ",
                        "locked_until, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                    ))
                    .bind(u.user_id.as_str())
                    .bind(u.username.as_str())
                    .bind(u.role.as_str())
                    .bind(u.area.as_str())
                    .bind(u.password_hash.as_str())
                    .bind(u.failed_logins)
                    .bind(u.locked_until.as_ref().map(ts))
                    .bind(ts(&u.created_at))
                    .bind(u.disabled_at.as_ref().map(ts))
                    .execute(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn staff_by_username(&self, username: &str) -> Result<Option<$crate::StaffUser>> {
                let row = sqlx::query("SELECT * FROM staff_users WHERE username = $1")
                    .bind(username)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::staff_from_row).transpose()
            }

            async fn staff_login_outcome(&self, user_id: &str, failed: i64, until: Option<jiff::Timestamp>) -> Result<()> {
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

            async fn staff_all(&self) -> Result<Vec<$crate::StaffUser>> {
                let rows = sqlx::query("SELECT * FROM staff_users ORDER BY username").fetch_all(&self.pool).await?;
                rows.iter().map(Self::staff_from_row).collect()
            }
        }
    };
}

pub(crate) use staff_sql;
