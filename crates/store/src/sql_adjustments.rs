//! `AdjustmentStore` for both backends, like `sql_impl`.

macro_rules! adjustments_sql {
    ($store:ident) => {
        use $crate::adjustments::{Adjustment, AdjustmentStore, EntitlementLine};

        #[async_trait::async_trait]
        impl AdjustmentStore for $store {
            async fn adjust_line(&self, a: &Adjustment, base: i64, log: &ChangeLog) -> Result<Option<i64>> {
                let hid = a.household_id.as_str();
                // PostgreSQL: the cycle's row is held shared, so that closing it waits for this
                // adjustment (SQLite's write lock already serialises the two).
                let share = match Self::BACKEND {
                    Backend::Postgres => " FOR SHARE",
                    Backend::Sqlite => "",
                };
                let status_sql = format!("SELECT status FROM cycles WHERE cycle_id = $1{share}");
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let status: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(status_sql.as_str()))
                        .bind(a.cycle_id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    let entitled: Option<i64> =
                        sqlx::query_scalar("SELECT persons FROM entitlements WHERE household_id = $1 AND cycle_id = $2")
                            .bind(hid)
                            .bind(a.cycle_id.as_str())
                            .fetch_optional(&mut *tx)
                            .await?;
                    if !matches!(status.as_deref(), Some("approved" | "open")) || entitled.is_none() {
                        return Ok(None);
                    }
                    sqlx::query(concat!(
                        "INSERT INTO entitlement_lines (household_id, cycle_id, item, quantity) VALUES ($1, $2, $3, $4) ",
                        "ON CONFLICT (household_id, cycle_id, item) DO NOTHING"
                    ))
                    .bind(hid)
                    .bind(a.cycle_id.as_str())
                    .bind(a.item.as_str())
                    .bind(base)
                    .execute(&mut *tx)
                    .await?;
                    let quantity: i64 = sqlx::query_scalar(concat!(
                        "UPDATE entitlement_lines SET quantity = quantity + $4 ",
                        "WHERE household_id = $1 AND cycle_id = $2 AND item = $3 RETURNING quantity"
                    ))
                    .bind(hid)
                    .bind(a.cycle_id.as_str())
                    .bind(a.item.as_str())
                    .bind(a.amount)
                    .fetch_one(&mut *tx)
                    .await?;
                    sqlx::query(concat!(
                        "INSERT INTO cycle_changes (household_id, cycle_id, change_id, item, amount, reason, actor, at) ",
                        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"
                    ))
                    .bind(hid)
                    .bind(a.cycle_id.as_str())
                    .bind(a.change_id.as_str())
                    .bind(a.item.as_str())
                    .bind(a.amount)
                    .bind(a.reason.as_str())
                    .bind(a.actor.as_str())
                    .bind(ts(&a.at))
                    .execute(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(Some(quantity))
                })
                .await
            }

            async fn household_lines(&self, household_id: &HouseholdId) -> Result<Vec<EntitlementLine>> {
                sqlx::query(
                    "SELECT cycle_id, item, quantity, redeemed, suspended FROM entitlement_lines WHERE household_id = $1 ORDER BY cycle_id, item",
                )
                .bind(household_id.as_str())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(EntitlementLine {
                        cycle_id: r.try_get("cycle_id")?,
                        item: r.try_get("item")?,
                        quantity: r.try_get("quantity")?,
                        redeemed: r.try_get("redeemed")?,
                        suspended: r.try_get("suspended")?,
                    })
                })
                .collect()
            }

            async fn household_adjustments(&self, household_id: &HouseholdId) -> Result<Vec<Adjustment>> {
                sqlx::query(
                    "SELECT cycle_id, change_id, item, amount, reason, actor, at FROM cycle_changes WHERE household_id = $1 ORDER BY at, change_id",
                )
                .bind(household_id.as_str())
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| {
                    Ok(Adjustment {
                        household_id: household_id.clone(),
                        cycle_id: r.try_get("cycle_id")?,
                        change_id: r.try_get("change_id")?,
                        item: r.try_get("item")?,
                        amount: r.try_get("amount")?,
                        reason: r.try_get("reason")?,
                        actor: r.try_get("actor")?,
                        at: parse_ts(&r.try_get::<String, _>("at")?)?,
                    })
                })
                .collect()
            }
        }
    };
}

pub(crate) use adjustments_sql;
