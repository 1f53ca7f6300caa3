//! `HubStore` for both backends, like `sql_impl`: the hub's member keys and request nonces.

macro_rules! hub_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::HubStore for $store {
            async fn save_hub_key(&self, k: &$crate::HubKey) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM hub_member_keys WHERE member = $1 AND key_id = $2")
                        .bind(k.member.as_str())
                        .bind(k.key_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO hub_member_keys (member, key_id, public_key, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(k.member.as_str())
                    .bind(k.key_id.as_str())
                    .bind(k.public_key.as_str())
                    .bind(ts(&k.valid_from))
                    .bind(k.valid_until.as_ref().map(ts))
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn hub_keys(&self) -> Result<Vec<$crate::HubKey>> {
                let rows = sqlx::query("SELECT member, key_id, public_key, valid_from, valid_until FROM hub_member_keys ORDER BY member, key_id")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::HubKey {
                            member: r.try_get(0)?,
                            key_id: r.try_get(1)?,
                            public_key: r.try_get(2)?,
                            valid_from: parse_ts(&r.try_get::<String, _>(3)?)?,
                            valid_until: parse_opt_ts(r.try_get(4)?)?,
                        })
                    })
                    .collect()
            }

            async fn hub_use_nonce(&self, client: &str, nonce: &str, at: jiff::Timestamp, forget: jiff::Timestamp) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM hub_nonces WHERE at < $1")
                        .bind(ts(&forget))
                        .execute(&mut *tx)
                        .await?;
                    let fresh = sqlx::query("INSERT INTO hub_nonces (client, nonce, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(client)
                        .bind(nonce)
                        .bind(ts(&at))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        == 1;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(fresh)
                })
                .await
            }
        }
    };
}
pub(crate) use hub_sql;
