//! `OutletStore` for both backends, like `sql_impl`.

pub(crate) const OUTLET_COLS: &str = "code, kind, district_code, name_ar, address, latitude_e6, longitude_e6, licence, warehouse_code, opening_days, opens, closes, licensee_national_id";
/// What the outlets file writes: the warehouse is the warehouses file's.
pub(crate) const OUTLET_WRITE_COLS: &str = "code, kind, district_code, name_ar, address, latitude_e6, longitude_e6, licence, opening_days, opens, closes, licensee_national_id";

macro_rules! outlets_sql {
    ($store:ident) => {
        use $crate::outlets::{AgentSlot, OutletStore};
        use tamwin_domain::outlet::{Licence, Outlet, OutletKind};

        impl $store {
            fn outlet_of(r: &DbRow) -> Result<Outlet> {
                let kind: String = r.try_get("kind")?;
                let licence: String = r.try_get("licence")?;
                let days: String = r.try_get("opening_days")?;
                let lat: Option<i64> = r.try_get("latitude_e6")?;
                let lon: Option<i64> = r.try_get("longitude_e6")?;
                Ok(Outlet {
                    code: r.try_get("code")?,
                    kind: OutletKind::parse(&kind).ok_or_else(|| corrupt("outlets.kind", &kind))?,
                    district_code: r.try_get("district_code")?,
                    name_ar: r.try_get("name_ar")?,
                    address: r.try_get("address")?,
                    location: lat.zip(lon),
                    licence: Licence::parse(&licence).ok_or_else(|| corrupt("outlets.licence", &licence))?,
                    warehouse_code: r.try_get("warehouse_code")?,
                    opening_days: tamwin_domain::outlet::parse_days(&days).map_err(|_| corrupt("outlets.opening_days", &days))?,
                    opens: r.try_get("opens")?,
                    closes: r.try_get("closes")?,
                    licensee_national_id: r.try_get("licensee_national_id")?,
                })
            }
        }

        #[async_trait::async_trait]
        impl OutletStore for $store {
            async fn save_outlets(&self, outlets: &[Outlet], log: &ChangeLog) -> Result<()> {
                let rows: Vec<Vec<Val>> = outlets
                    .iter()
                    .map(|o| {
                        vec![
                            o.code.as_str().into(),
                            o.kind.code().into(),
                            o.district_code.as_str().into(),
                            o.name_ar.as_str().into(),
                            o.address.as_str().into(),
                            Val::OptInt(o.location.map(|l| l.0)),
                            Val::OptInt(o.location.map(|l| l.1)),
                            o.licence.code().into(),
                            o.opening_days.join(" ").into(),
                            o.opens.as_str().into(),
                            o.closes.as_str().into(),
                            Val::OptText(o.licensee_national_id.clone()),
                        ]
                    })
                    .collect();
                let cols = $crate::sql_outlets::OUTLET_WRITE_COLS;
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    Self::insert_rows(&mut tx, "outlets", cols, &rows, &upsert_suffix(cols, &["code"])).await?;
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn outlet(&self, code: &str) -> Result<Option<Outlet>> {
                let sql = format!("SELECT {} FROM outlets WHERE code = $1", $crate::sql_outlets::OUTLET_COLS);
                let row = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(code).fetch_optional(&self.pool).await?;
                row.as_ref().map(Self::outlet_of).transpose()
            }

            async fn outlets_in(&self, districts: &[String]) -> Result<Vec<Outlet>> {
                let mut out = vec![];
                for chunk in districts.chunks(500) {
                    let sql = format!(
                        "SELECT {} FROM outlets WHERE district_code IN ({}) ORDER BY district_code, kind, code",
                        $crate::sql_outlets::OUTLET_COLS,
                        marks(chunk.len(), Self::NUMBERED_PARAMS)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for d in chunk {
                        q = q.bind(d.as_str());
                    }
                    for r in q.fetch_all(&self.pool).await? {
                        out.push(Self::outlet_of(&r)?);
                    }
                }
                out.sort_by(|a, b| (&a.district_code, a.kind, &a.code).cmp(&(&b.district_code, b.kind, &b.code)));
                Ok(out)
            }

            async fn set_licence(&self, code: &str, from: Licence, to: Licence, log: &ChangeLog) -> Result<bool> {
                let n = self
                    .audited(log, None, |c| {
                        let code = code.to_string();
                        Box::pin(async move {
                            Ok(sqlx::query("UPDATE outlets SET licence = $1 WHERE code = $2 AND licence = $3")
                                .bind(to.code())
                                .bind(code.as_str())
                                .bind(from.code())
                                .execute(&mut *c)
                                .await?
                                .rows_affected())
                        })
                    })
                    .await?;
                Ok(n == 1)
            }

            async fn move_households(&self, slot: AgentSlot, from: &str, to: &str, log: &ChangeLog) -> Result<u64> {
                let col = slot.column();
                let sql = format!(
                    "UPDATE households SET {col} = $1, version = version + 1, updated_at = $2 WHERE {col} = $3"
                );
                let at = ts(&log.at);
                self.audited(log, None, |c| {
                    let (sql, to, from, at) = (sql.clone(), to.to_string(), from.to_string(), at.clone());
                    Box::pin(async move {
                        let n = sqlx::query(sqlx::AssertSqlSafe(sql))
                            .bind(to.as_str())
                            .bind(at.as_str())
                            .bind(from.as_str())
                            .execute(&mut *c)
                            .await?
                            .rows_affected();
                        // The cycles still to hand out follow the households (their allocation too).
                        if slot == AgentSlot::Ration {
                            sqlx::query(concat!(
                                "UPDATE entitlements SET agent_code = $1 WHERE agent_code = $2 ",
                                "AND cycle_id IN (SELECT cycle_id FROM cycles WHERE status IN ('approved', 'open'))"
                            ))
                            .bind(to.as_str())
                            .bind(from.as_str())
                            .execute(&mut *c)
                            .await?;
                        }
                        Ok(n)
                    })
                })
                .await
            }

            async fn households_of_agent(&self, slot: AgentSlot, code: &str) -> Result<i64> {
                let sql = format!("SELECT COUNT(*) FROM households WHERE {} = $1", slot.column());
                Ok(sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).bind(code).fetch_one(&self.pool).await?)
            }

            async fn assign_agents(
                &self,
                slot: AgentSlot,
                assignments: &[(HouseholdId, String)],
                logs: &[ChangeLog],
            ) -> Result<()> {
                let sql = format!(
                    "UPDATE households SET {} = $1, version = version + 1, updated_at = $2 WHERE household_id = $3",
                    slot.column()
                );
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    for ((hid, code), log) in assignments.iter().zip(logs) {
                        sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                            .bind(code.as_str())
                            .bind(ts(&log.at))
                            .bind(hid.as_str())
                            .execute(&mut *tx)
                            .await?;
                    }
                    let changes: Vec<(Option<&str>, &ChangeLog)> =
                        assignments.iter().zip(logs).map(|((h, _), l)| (Some(h.as_str()), l)).collect();
                    Self::append_audit(&mut tx, &changes).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }
        }
    };
}

pub(crate) use outlets_sql;
