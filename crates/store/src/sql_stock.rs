//! `StockStore` for both backends, like `sql_impl`.

pub(crate) const STOCK_COLS: &str =
    "outlet_code, cycle_id, item, allocated, dispatched, received, handed_out, returned";

/// A collection's draw on its outlet's stock (`$4` the quantity): the row written if the allocation
/// was never computed.
pub(crate) const DRAW_SQL: &str = concat!(
    "INSERT INTO outlet_stock (outlet_code, cycle_id, item, handed_out) VALUES ($1, $2, $3, $4) ",
    "ON CONFLICT (outlet_code, cycle_id, item) DO UPDATE SET handed_out = outlet_stock.handed_out + excluded.handed_out ",
    "RETURNING received, handed_out, returned"
);

macro_rules! stock_sql {
    ($store:ident) => {
        use $crate::stock::{AgentTotal, Movement, StockRow, StockStore};

        impl $store {
            fn stock_of(r: &DbRow) -> Result<StockRow> {
                Ok(StockRow {
                    outlet_code: r.try_get("outlet_code")?,
                    cycle_id: r.try_get("cycle_id")?,
                    item: r.try_get("item")?,
                    allocated: r.try_get("allocated")?,
                    dispatched: r.try_get("dispatched")?,
                    received: r.try_get("received")?,
                    handed_out: r.try_get("handed_out")?,
                    returned: r.try_get("returned")?,
                })
            }
        }

        #[async_trait::async_trait]
        impl StockStore for $store {
            async fn agent_totals(&self, cycle_id: &str) -> Result<Vec<AgentTotal>> {
                let rows = sqlx::query(concat!(
                    "SELECT e.agent_code AS outlet, 0 AS flour, e.categories, CAST(COUNT(*) AS BIGINT) AS households, CAST(SUM(e.persons) AS BIGINT) AS persons ",
                    "FROM entitlements e WHERE e.cycle_id = $1 AND e.agent_code IS NOT NULL GROUP BY e.agent_code, e.categories ",
                    "UNION ALL ",
                    "SELECT h.flour_agent_code AS outlet, 1 AS flour, e.categories, CAST(COUNT(*) AS BIGINT) AS households, CAST(SUM(e.persons) AS BIGINT) AS persons ",
                    "FROM entitlements e JOIN households h ON h.household_id = e.household_id ",
                    "WHERE e.cycle_id = $1 AND h.flour_agent_code IS NOT NULL GROUP BY h.flour_agent_code, e.categories ",
                    "ORDER BY 1, 2, 3"
                ))
                .bind(cycle_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(AgentTotal {
                            outlet_code: r.try_get("outlet")?,
                            flour: r.try_get::<i32, _>("flour")? == 1,
                            categories: r.try_get("categories")?,
                            households: r.try_get("households")?,
                            persons: r.try_get("persons")?,
                        })
                    })
                    .collect()
            }

            async fn set_allocation(&self, cycle_id: &str, rows: &[(String, String, i64)], log: &ChangeLog) -> Result<()> {
                let vals: Vec<Vec<Val>> = rows
                    .iter()
                    .map(|(o, i, q)| vec![o.as_str().into(), cycle_id.into(), i.as_str().into(), (*q).into()])
                    .collect();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    Self::insert_rows(
                        &mut tx,
                        "outlet_stock",
                        "outlet_code, cycle_id, item, allocated",
                        &vals,
                        " ON CONFLICT (outlet_code, cycle_id, item) DO UPDATE SET allocated = excluded.allocated",
                    )
                    .await?;
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn record_movement(&self, m: &Movement, log: &ChangeLog) -> Result<()> {
                let col = m.kind.column();
                let add = format!(
                    "INSERT INTO outlet_stock (outlet_code, cycle_id, item, {col}) VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (outlet_code, cycle_id, item) DO UPDATE SET {col} = outlet_stock.{col} + excluded.{col}"
                );
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    for (item, q) in &m.items {
                        sqlx::query(concat!(
                            "INSERT INTO stock_movements (outlet_code, cycle_id, movement_id, kind, item, quantity, reason, actor, at) ",
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
                        ))
                        .bind(m.outlet_code.as_str())
                        .bind(m.cycle_id.as_str())
                        .bind(m.movement_id.as_str())
                        .bind(m.kind.code())
                        .bind(item.as_str())
                        .bind(*q)
                        .bind(m.reason.as_deref())
                        .bind(m.actor.as_str())
                        .bind(ts(&m.at))
                        .execute(&mut *tx)
                        .await?;
                        sqlx::query(sqlx::AssertSqlSafe(add.as_str()))
                            .bind(m.outlet_code.as_str())
                            .bind(m.cycle_id.as_str())
                            .bind(item.as_str())
                            .bind(*q)
                            .execute(&mut *tx)
                            .await?;
                    }
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn outlet_stock(&self, outlet: &str, cycle_id: &str) -> Result<Vec<StockRow>> {
                let sql = format!(
                    "SELECT {} FROM outlet_stock WHERE outlet_code = $1 AND cycle_id = $2 ORDER BY item",
                    $crate::sql_stock::STOCK_COLS
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(outlet).bind(cycle_id).fetch_all(&self.pool).await?;
                rows.iter().map(Self::stock_of).collect()
            }

            async fn cycle_stock(&self, cycle_id: &str) -> Result<Vec<StockRow>> {
                let sql = format!(
                    "SELECT {} FROM outlet_stock WHERE cycle_id = $1 ORDER BY outlet_code, item",
                    $crate::sql_stock::STOCK_COLS
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(cycle_id).fetch_all(&self.pool).await?;
                rows.iter().map(Self::stock_of).collect()
            }
        }
    };
}

pub(crate) use stock_sql;
