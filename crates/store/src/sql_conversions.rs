//! `ConversionStore` for both backends, like `sql_impl`.

/// Each household's credit: its unused loaves (the line's quantity, or what the entitlement gives if
/// nothing wrote it, less what was handed out and what a hold kept) times a loaf's value, for the
/// households with an entitlement in the target too. `$1` bread cycle, `$2` target, `$3` change id,
/// `$4` reason, `$5` actor, `$6` at, `$7` loaves a person a day, `$8` days, `$9` a loaf's value.
pub(crate) const CREDIT_SQL: &str = concat!(
    "INSERT INTO cycle_changes (household_id, cycle_id, change_id, item, amount, reason, actor, at) ",
    "SELECT u.household_id, $2, $3, 'money', u.unused * $9, $4, $5, $6 FROM (",
    "SELECT e.household_id, COALESCE(l.quantity, $7 * e.persons * $8) - COALESCE(l.redeemed, 0) - $7 * e.suspended_persons * $8 AS unused ",
    "FROM entitlements e JOIN entitlements t ON t.household_id = e.household_id AND t.cycle_id = $2 ",
    "LEFT JOIN entitlement_lines l ON l.household_id = e.household_id AND l.cycle_id = e.cycle_id AND l.item = 'bread' ",
    "WHERE e.cycle_id = $1 AND NOT e.suspended_whole) u WHERE u.unused > 0 AND $9 > 0"
);

/// The money lines the credits go to, written with what the allowance gives where nothing wrote them.
pub(crate) const LINES_SQL: &str = concat!(
    "INSERT INTO entitlement_lines (household_id, cycle_id, item, quantity, redeemed) ",
    "SELECT c.household_id, c.cycle_id, 'money', t.persons * $3, 0 FROM cycle_changes c ",
    "JOIN entitlements t ON t.household_id = c.household_id AND t.cycle_id = c.cycle_id ",
    "WHERE c.cycle_id = $1 AND c.change_id = $2 ",
    "ON CONFLICT (household_id, cycle_id, item) DO NOTHING"
);

pub(crate) const ADD_SQL: &str = concat!(
    "UPDATE entitlement_lines SET quantity = quantity + (SELECT c.amount FROM cycle_changes c ",
    "WHERE c.household_id = entitlement_lines.household_id AND c.cycle_id = $1 AND c.change_id = $2) ",
    "WHERE cycle_id = $1 AND item = 'money' AND household_id IN ",
    "(SELECT household_id FROM cycle_changes WHERE cycle_id = $1 AND change_id = $2)"
);

macro_rules! conversions_sql {
    ($store:ident) => {
        use $crate::conversions::{Conversion, ConversionStore, Converted};

        #[async_trait::async_trait]
        impl ConversionStore for $store {
            async fn convert_unused_bread(&self, c: &Conversion<'_>) -> Result<Option<Converted>> {
                // PostgreSQL: the target's row held shared, so that it cannot close meanwhile.
                let share = match Self::BACKEND {
                    Backend::Postgres => " FOR SHARE",
                    Backend::Sqlite => "",
                };
                let target_sql = format!("SELECT status, generated_at FROM cycles WHERE cycle_id = $1{share}");
                let change_id = format!("bread:{}", c.bread_cycle);
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    // Marked first: a second server's conversion waits on the row, then finds it done.
                    let marked = sqlx::query(
                        "UPDATE cycles SET converted_into = $2, converted_at = $3 WHERE cycle_id = $1 AND status = 'closed' AND converted_into IS NULL",
                    )
                    .bind(c.bread_cycle)
                    .bind(c.into_cycle)
                    .bind(ts(&c.at))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if marked != 1 {
                        return Ok(None);
                    }
                    let target: Option<(String, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(target_sql.as_str()))
                        .bind(c.into_cycle)
                        .fetch_optional(&mut *tx)
                        .await?;
                    match target.as_ref().map(|(s, g)| (s.as_str(), g.is_some())) {
                        Some(("open", _) | ("approved", true)) => {}
                        _ => return Ok(None),
                    }
                    sqlx::query($crate::sql_conversions::CREDIT_SQL)
                        .bind(c.bread_cycle)
                        .bind(c.into_cycle)
                        .bind(change_id.as_str())
                        .bind(c.reason)
                        .bind(c.actor)
                        .bind(ts(&c.at))
                        .bind(c.loaves_per_person_per_day)
                        .bind(c.days)
                        .bind(c.loaf_value)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query($crate::sql_conversions::LINES_SQL)
                        .bind(c.into_cycle)
                        .bind(change_id.as_str())
                        .bind(c.money_per_person)
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query($crate::sql_conversions::ADD_SQL)
                        .bind(c.into_cycle)
                        .bind(change_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    let (households, credit): (i64, i64) = sqlx::query_as(
                        "SELECT CAST(COUNT(*) AS BIGINT), CAST(COALESCE(SUM(amount), 0) AS BIGINT) FROM cycle_changes WHERE cycle_id = $1 AND change_id = $2",
                    )
                    .bind(c.into_cycle)
                    .bind(change_id.as_str())
                    .fetch_one(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(None, c.log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(Some(Converted { households, credit }))
                })
                .await
            }

            async fn cycles_to_convert(&self, programmes: &[String]) -> Result<Vec<String>> {
                let mut out = vec![];
                for p in programmes {
                    let ids: Vec<String> = sqlx::query_scalar(
                        "SELECT cycle_id FROM cycles WHERE programme = $1 AND status = 'closed' AND converted_into IS NULL ORDER BY month, cycle_id",
                    )
                    .bind(p.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                    out.extend(ids);
                }
                Ok(out)
            }
        }
    };
}

pub(crate) use conversions_sql;
