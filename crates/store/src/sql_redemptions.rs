//! `RedemptionStore` for both backends, like `sql_impl`.

/// A take of one item: the line written with the entitlement's quantity if nothing wrote it yet, and
/// drawn down only while what it holds allows (`$6` held, `$7` the ceiling). No row back: refused.
pub(crate) const TAKE_SQL: &str = concat!(
    "INSERT INTO entitlement_lines (household_id, cycle_id, item, quantity, redeemed) VALUES ($1, $2, $3, $4, $5) ",
    "ON CONFLICT (household_id, cycle_id, item) DO UPDATE SET redeemed = entitlement_lines.redeemed + excluded.redeemed ",
    "WHERE entitlement_lines.redeemed + excluded.redeemed + $6 <= entitlement_lines.quantity ",
    "AND entitlement_lines.redeemed + excluded.redeemed <= $7 ",
    "RETURNING quantity, redeemed"
);

pub(crate) const REDEMPTION_COLS: &str = "household_id, redemption_id, cycle_id, outlet_code, device_id, device_txn, collector_member_id, identified_by, at, proxy_grant_id, proxy_national_id, proxy_name";

macro_rules! redemptions_sql {
    ($store:ident) => {
        use $crate::redemptions::{Finish, LineAfter, NewRedemption, Redeemed, Redemption, RedemptionStore, Void, Voided};

        impl $store {
            /// Redemptions `filter` picks (over `r`), with their lines, in `order`.
            async fn redemptions_where(&self, filter: &str, order: &str, binds: &[&str]) -> Result<Vec<Redemption>> {
                let sql = format!(
                    "SELECT r.household_id, r.redemption_id, r.cycle_id, r.outlet_code, r.device_id, r.device_txn, \
                     r.collector_member_id, r.identified_by, r.at, r.voided_at, r.void_reason, r.disputed_by, \
                     r.proxy_grant_id, r.proxy_national_id, r.proxy_name, l.item, l.quantity \
                     FROM redemptions r JOIN redemption_lines l ON l.household_id = r.household_id AND l.redemption_id = r.redemption_id \
                     WHERE {filter} ORDER BY {order}, r.redemption_id, l.item"
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for b in binds {
                    q = q.bind(*b);
                }
                let mut out: Vec<Redemption> = vec![];
                for row in q.fetch_all(&self.pool).await? {
                    let id: String = row.try_get("redemption_id")?;
                    let line = (row.try_get::<String, _>("item")?, row.try_get::<i64, _>("quantity")?);
                    if let Some(last) = out.last_mut().filter(|r| r.redemption_id == id) {
                        last.lines.push(line);
                        continue;
                    }
                    out.push(Redemption {
                        household_id: row.try_get::<String, _>("household_id")?.into(),
                        redemption_id: id,
                        cycle_id: row.try_get("cycle_id")?,
                        outlet_code: row.try_get("outlet_code")?,
                        device_id: row.try_get("device_id")?,
                        device_txn: row.try_get("device_txn")?,
                        collector_member_id: row.try_get("collector_member_id")?,
                        identified_by: row.try_get("identified_by")?,
                        at: parse_ts(&row.try_get::<String, _>("at")?)?,
                        voided_at: parse_opt_ts(row.try_get("voided_at")?)?,
                        void_reason: row.try_get("void_reason")?,
                        disputed_by: row.try_get("disputed_by")?,
                        proxy: match row.try_get::<Option<String>, _>("proxy_grant_id")? {
                            Some(g) => Some((
                                g,
                                row.try_get::<Option<String>, _>("proxy_national_id")?.unwrap_or_default(),
                                row.try_get::<Option<String>, _>("proxy_name")?.unwrap_or_default(),
                            )),
                            None => None,
                        },
                        lines: vec![line],
                    });
                }
                Ok(out)
            }

            async fn redeem_once(&self, r: &NewRedemption, log: &ChangeLog, finish: Finish<'_>) -> Result<Redeemed> {
                let hid = r.household_id.as_str();
                let mut tx = self.begin_write().await?;
                // The entitlement row held shared (PostgreSQL): a hold's refresh of it waits for this
                // collection, and this collection sees the hold of one that committed first.
                let share = match Self::BACKEND {
                    Backend::Postgres => " FOR SHARE OF e",
                    Backend::Sqlite => "",
                };
                let sql = format!(
                    "SELECT e.suspended_persons, e.suspended_whole, c.status FROM entitlements e \
                     JOIN cycles c ON c.cycle_id = e.cycle_id WHERE e.household_id = $1 AND e.cycle_id = $2{share}"
                );
                let Some(row) = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(hid).bind(r.cycle_id.as_str()).fetch_optional(&mut *tx).await? else {
                    return Ok(Redeemed::NotOpen);
                };
                let (suspended, whole, status): (i64, bool, String) = (row.try_get(0)?, row.try_get(1)?, row.try_get(2)?);
                if status != "open" || whole {
                    return Ok(Redeemed::NotOpen);
                }
                if suspended != r.suspended_persons {
                    return Ok(Redeemed::Stale);
                }
                // A proxy's grant held shared (PostgreSQL) and re-checked: a revocation committed
                // before this collection refuses it, and one after waits for it.
                if let Some(p) = &r.proxy {
                    let lock = match Self::BACKEND {
                        Backend::Postgres => " FOR SHARE",
                        Backend::Sqlite => "",
                    };
                    let sql = format!(
                        "SELECT status, valid_from, valid_to, proxy_national_id FROM proxy_grants WHERE household_id = $1 AND grant_id = $2{lock}"
                    );
                    let g: Option<(String, String, String, String)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                        .bind(hid)
                        .bind(p.grant_id.as_str())
                        .fetch_optional(&mut *tx)
                        .await?;
                    let today = p.today.to_string();
                    let in_force = g.is_some_and(|(status, from, to, nid)| {
                        status == "active" && from <= today && today <= to && nid == p.national_id
                    });
                    if !in_force {
                        return Ok(Redeemed::ProxyEnded);
                    }
                }
                let mut after = Vec::with_capacity(r.takes.len());
                for t in &r.takes {
                    let row = sqlx::query($crate::sql_redemptions::TAKE_SQL)
                        .bind(hid)
                        .bind(r.cycle_id.as_str())
                        .bind(t.item.as_str())
                        .bind(t.base)
                        .bind(t.quantity)
                        .bind(t.held)
                        .bind(t.ceiling)
                        .fetch_optional(&mut *tx)
                        .await;
                    let row = match row {
                        Ok(row) => row,
                        // A new line given more than it holds: its CHECK refused it.
                        Err(e) => match StoreError::from(e) {
                            StoreError::Conflict(Conflict::LineBelowZero, _) => None,
                            e => return Err(e),
                        },
                    };
                    let Some(row) = row else {
                        return Ok(Redeemed::Exceeds(t.item.clone()));
                    };
                    let (quantity, redeemed): (i64, i64) = (row.try_get(0)?, row.try_get(1)?);
                    // A line written now took the guard on trust: checked here, under the row's lock.
                    if redeemed + t.held > quantity || redeemed > t.ceiling {
                        return Ok(Redeemed::Exceeds(t.item.clone()));
                    }
                    after.push(LineAfter { item: t.item.clone(), quantity, redeemed });
                    if !t.stock || t.quantity == 0 {
                        continue;
                    }
                    let (received, handed_out, returned): (i64, i64, i64) = sqlx::query_as($crate::sql_stock::DRAW_SQL)
                        .bind(r.outlet_code.as_str())
                        .bind(r.cycle_id.as_str())
                        .bind(t.item.as_str())
                        .bind(t.quantity)
                        .fetch_one(&mut *tx)
                        .await?;
                    if r.stock_guard && handed_out + returned > received {
                        return Ok(Redeemed::OutOfStock(t.item.clone()));
                    }
                }
                let (idem, receipt) = finish(&after);
                let head = vec![vec![
                    Val::from(hid),
                    r.redemption_id.as_str().into(),
                    r.cycle_id.as_str().into(),
                    r.outlet_code.as_str().into(),
                    r.device_id.as_str().into(),
                    r.device_txn.as_str().into(),
                    r.collector_member_id.as_str().into(),
                    r.identified_by.into(),
                    ts(&r.at).into(),
                    r.proxy.as_ref().map(|p| p.grant_id.clone()).into(),
                    r.proxy.as_ref().map(|p| p.national_id.clone()).into(),
                    r.proxy.as_ref().map(|p| p.name.clone()).into(),
                ]];
                let lines: Vec<Vec<Val>> = r
                    .takes
                    .iter()
                    .filter(|t| t.quantity > 0)
                    .map(|t| vec![Val::from(hid), r.redemption_id.as_str().into(), t.item.as_str().into(), t.quantity.into()])
                    .collect();
                let outbox: Vec<Vec<Val>> = receipt.iter().map(outbox_vals).collect();
                let idem_rows = vec![idem_vals(&idem)];
                let (audit, moved) = Self::link_audit(&mut *tx, &[(Some(hid), log)], None).await?;
                let [entries, heads] = Self::audit_writes(&audit, &moved);
                use $crate::sql_audit::Write;
                Self::write_all(
                    &mut *tx,
                    &[
                        Write { table: "idempotency_keys", cols: IDEM_COLS, rows: &idem_rows, suffix: "" },
                        Write { table: "redemptions", cols: $crate::sql_redemptions::REDEMPTION_COLS, rows: &head, suffix: "" },
                        Write { table: "redemption_lines", cols: "household_id, redemption_id, item, quantity", rows: &lines, suffix: "" },
                        Write { table: "outbox", cols: OUTBOX_COLS, rows: &outbox, suffix: "" },
                        entries,
                        heads,
                    ],
                )
                .await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(Redeemed::Done(after))
            }
        }

        #[async_trait::async_trait]
        impl RedemptionStore for $store {
            async fn redeem(&self, r: &NewRedemption, log: &ChangeLog, finish: Finish<'_>) -> Result<Redeemed> {
                with_retry(|| self.redeem_once(r, log, finish)).await
            }

            async fn void_redemption(&self, v: &Void<'_>, log: &ChangeLog, message: Option<&$crate::OutboxMessage>) -> Result<Voided> {
                let hid = v.household_id.as_str();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let cycle: Option<String> = sqlx::query_scalar(concat!(
                        "UPDATE redemptions SET voided_at = $1, void_reason = $2 WHERE household_id = $3 AND redemption_id = $4 ",
                        "AND device_id = $5 AND voided_at IS NULL AND at >= $6 RETURNING cycle_id"
                    ))
                    .bind(ts(&v.at))
                    .bind(v.reason)
                    .bind(hid)
                    .bind(v.redemption_id)
                    .bind(v.device_id)
                    .bind(ts(&v.not_before))
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(cycle) = cycle else { return Ok(Voided::Refused) };
                    let outlet: String =
                        sqlx::query_scalar("SELECT outlet_code FROM redemptions WHERE household_id = $1 AND redemption_id = $2")
                            .bind(hid)
                            .bind(v.redemption_id)
                            .fetch_one(&mut *tx)
                            .await?;
                    let lines: Vec<(String, i64)> =
                        sqlx::query_as("SELECT item, quantity FROM redemption_lines WHERE household_id = $1 AND redemption_id = $2 ORDER BY item")
                            .bind(hid)
                            .bind(v.redemption_id)
                            .fetch_all(&mut *tx)
                            .await?;
                    let mut after = vec![];
                    for (item, q) in &lines {
                        let (quantity, redeemed): (i64, i64) = sqlx::query_as(concat!(
                            "UPDATE entitlement_lines SET redeemed = redeemed - $4 ",
                            "WHERE household_id = $1 AND cycle_id = $2 AND item = $3 RETURNING quantity, redeemed"
                        ))
                        .bind(hid)
                        .bind(cycle.as_str())
                        .bind(item.as_str())
                        .bind(*q)
                        .fetch_one(&mut *tx)
                        .await?;
                        after.push(LineAfter { item: item.clone(), quantity, redeemed });
                        sqlx::query(
                            "UPDATE outlet_stock SET handed_out = handed_out - $4 WHERE outlet_code = $1 AND cycle_id = $2 AND item = $3",
                        )
                        .bind(outlet.as_str())
                        .bind(cycle.as_str())
                        .bind(item.as_str())
                        .bind(*q)
                        .execute(&mut *tx)
                        .await?;
                    }
                    if let Some(m) = message {
                        Self::outbox_insert(&mut tx, m).await?;
                    }
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(Voided::Done(after))
                })
                .await
            }

            async fn redemption(&self, household_id: &HouseholdId, redemption_id: &str) -> Result<Option<Redemption>> {
                Ok(self
                    .redemptions_where("r.household_id = $1 AND r.redemption_id = $2", "r.at", &[household_id.as_str(), redemption_id])
                    .await?
                    .pop())
            }

            async fn redemption_by_txn(&self, device_id: &str, txn: &str) -> Result<Option<Redemption>> {
                Ok(self.redemptions_where("r.device_id = $1 AND r.device_txn = $2", "r.at", &[device_id, txn]).await?.pop())
            }

            async fn redemption_check(&self, cycle_id: &str) -> Result<(i64, i64)> {
                let row = sqlx::query(concat!(
                    "SELECT CAST((SELECT COUNT(*) FROM entitlement_lines WHERE cycle_id = $1 AND redeemed + suspended > quantity) AS BIGINT), ",
                    "CAST((SELECT COUNT(*) FROM entitlement_lines l WHERE l.cycle_id = $1 AND l.redeemed <> COALESCE((",
                    "SELECT SUM(rl.quantity) FROM redemption_lines rl JOIN redemptions r ",
                    "ON r.household_id = rl.household_id AND r.redemption_id = rl.redemption_id ",
                    "WHERE r.household_id = l.household_id AND r.cycle_id = l.cycle_id AND rl.item = l.item AND r.voided_at IS NULL), 0)) AS BIGINT)"
                ))
                .bind(cycle_id)
                .fetch_one(&self.pool)
                .await?;
                Ok((row.try_get(0)?, row.try_get(1)?))
            }

            async fn disputed_redemptions(&self, limit: u32) -> Result<Vec<Redemption>> {
                let mut all = self.redemptions_where("r.disputed_by IS NOT NULL", "r.at DESC", &[]).await?;
                all.truncate(limit as usize);
                Ok(all)
            }

            async fn household_redemptions(&self, household_id: &HouseholdId) -> Result<Vec<Redemption>> {
                self.redemptions_where("r.household_id = $1", "r.at DESC", &[household_id.as_str()]).await
            }

            async fn outlet_redemptions(&self, outlet: &str, from: jiff::Timestamp, to: jiff::Timestamp) -> Result<Vec<Redemption>> {
                let (from, to) = (ts(&from), ts(&to));
                self.redemptions_where("r.outlet_code = $1 AND r.at >= $2 AND r.at < $3", "r.at", &[outlet, &from, &to]).await
            }
        }
    };
}

pub(crate) use redemptions_sql;
