//! `VitalEventStore` for both backends, like `sql_impl`.

macro_rules! vital_events_sql {
    ($store:ident) => {
        impl $store {
            async fn vital_query(&self, rest: &'static str, national_id: Option<&str>, limit: i64) -> Result<Vec<$crate::VitalEvent>> {
                let sql = format!(
                    "SELECT event_id, national_id, kind, event_date, received_at, applied_at, details FROM vital_events {rest}"
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(limit);
                if let Some(n) = national_id {
                    q = q.bind(n);
                }
                q.fetch_all(&self.pool).await?.iter().map(Self::vital_from_row).collect()
            }

            fn vital_from_row(r: &DbRow) -> Result<$crate::VitalEvent> {
                Ok($crate::VitalEvent {
                    event_id: r.try_get(0)?,
                    national_id: r.try_get(1)?,
                    kind: r.try_get(2)?,
                    event_date: r.try_get(3)?,
                    received_at: parse_ts(&r.try_get::<String, _>(4)?)?,
                    applied_at: parse_opt_ts(r.try_get(5)?)?,
                    details: r.try_get(6)?,
                })
            }

            async fn vital_pending_after(&self, at: jiff::Timestamp, id: &str, limit: i64) -> Result<Vec<$crate::VitalEvent>> {
                sqlx::query(concat!(
                    "SELECT event_id, national_id, kind, event_date, received_at, applied_at, details FROM vital_events ",
                    "WHERE applied_at IS NULL AND (received_at > $1 OR (received_at = $1 AND event_id > $2)) ",
                    "ORDER BY received_at, event_id LIMIT $3"
                ))
                .bind(ts(&at))
                .bind(id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(Self::vital_from_row)
                .collect()
            }
        }

        #[async_trait::async_trait]
        impl $crate::VitalEventStore for $store {
            async fn save_vital_event(&self, e: &$crate::VitalEvent) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(concat!(
                        "INSERT INTO vital_events (event_id, national_id, kind, event_date, received_at, applied_at, details) ",
                        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING"
                    ))
                    .bind(e.event_id.as_str())
                    .bind(e.national_id.as_str())
                    .bind(e.kind.as_str())
                    .bind(e.event_date.as_str())
                    .bind(ts(&e.received_at))
                    .bind(e.applied_at.as_ref().map(ts))
                    .bind(e.details.as_str())
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn pending_vital_events(&self, after: Option<(jiff::Timestamp, String)>, limit: u32) -> Result<Vec<$crate::VitalEvent>> {
                match after {
                    None => self.vital_query("WHERE applied_at IS NULL ORDER BY received_at, event_id LIMIT $1", None, i64::from(limit)).await,
                    Some((at, id)) => self.vital_pending_after(at, &id, i64::from(limit)).await,
                }
            }

            async fn travel_events(&self, national_id: &str) -> Result<Vec<$crate::VitalEvent>> {
                self.vital_query(
                    "WHERE national_id = $2 AND kind IN ('exit', 'entry') ORDER BY event_date DESC, received_at DESC LIMIT $1",
                    Some(national_id),
                    100,
                )
                .await
            }

            async fn mark_vital_event_applied(&self, event_id: &str, at: jiff::Timestamp) -> Result<()> {
                with_retry(|| async {
                    sqlx::query("UPDATE vital_events SET applied_at = $1 WHERE event_id = $2 AND applied_at IS NULL")
                        .bind(ts(&at))
                        .bind(event_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
                .await
            }

            async fn crvs_client_confirmed(&self, code: &str, event_type: &str, status: &str, at: jiff::Timestamp) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM crvs_client_subscriptions WHERE code = $1").bind(code).execute(&mut *tx).await?;
                    sqlx::query("INSERT INTO crvs_client_subscriptions (code, event_type, status, confirmed_at) VALUES ($1, $2, $3, $4)")
                        .bind(code)
                        .bind(event_type)
                        .bind(status)
                        .bind(ts(&at))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn crvs_client_subscriptions(&self) -> Result<Vec<(String, String, String)>> {
                sqlx::query("SELECT code, event_type, status FROM crvs_client_subscriptions ORDER BY event_type, code")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                    .collect()
            }
        }
    };
}
pub(crate) use vital_events_sql;
