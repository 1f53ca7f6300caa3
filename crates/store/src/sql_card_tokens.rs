//! `CardTokenStore` for both backends, like `sql_impl`.

macro_rules! card_tokens_sql {
    ($store:ident) => {
        use $crate::card_tokens::{CardToken, CardTokenStore};

        #[async_trait::async_trait]
        impl CardTokenStore for $store {
            async fn issue_card_token(&self, t: &CardToken, log: &ChangeLog) -> Result<()> {
                let hid = t.household_id.as_str();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("UPDATE card_tokens SET revoked_at = $1 WHERE household_id = $2 AND revoked_at IS NULL")
                        .bind(ts(&t.issued_at))
                        .bind(hid)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query("INSERT INTO card_tokens (household_id, token_id, issued_at, expires_at) VALUES ($1, $2, $3, $4)")
                        .bind(hid)
                        .bind(t.token_id.as_str())
                        .bind(ts(&t.issued_at))
                        .bind(ts(&t.expires_at))
                        .execute(&mut *tx)
                        .await?;
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn valid_card_token(&self, household_id: &HouseholdId) -> Result<Option<CardToken>> {
                let row = sqlx::query(
                    "SELECT token_id, issued_at, expires_at FROM card_tokens WHERE household_id = $1 AND revoked_at IS NULL",
                )
                .bind(household_id.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    Ok(CardToken {
                        household_id: household_id.clone(),
                        token_id: r.try_get(0)?,
                        issued_at: parse_ts(&r.try_get::<String, _>(1)?)?,
                        expires_at: parse_ts(&r.try_get::<String, _>(2)?)?,
                        revoked_at: None,
                    })
                })
                .transpose()
            }
        }
    };
}

pub(crate) use card_tokens_sql;
