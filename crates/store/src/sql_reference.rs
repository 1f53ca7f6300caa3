//! `ReferenceStore` for both backends, like `sql_impl`.

macro_rules! reference_sql {
    ($store:ident) => {
        #[async_trait::async_trait]
        impl $crate::ReferenceStore for $store {
            async fn save_geography(&self, geo: &Geography) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let g: Vec<Vec<Val>> = geo
                        .governorates
                        .iter()
                        .map(|x| vec![x.code.as_str().into(), x.name_ar.as_str().into(), x.name_en.as_str().into()])
                        .collect();
                    let cols = "code, name_ar, name_en";
                    Self::insert_rows(&mut tx, "governorates", cols, &g, &upsert_suffix(cols, &["code"])).await?;
                    let d: Vec<Vec<Val>> = geo
                        .districts
                        .iter()
                        .map(|x| {
                            vec![
                                x.code.as_str().into(),
                                x.governorate_code.as_str().into(),
                                x.name_ar.as_str().into(),
                                x.name_en.as_str().into(),
                            ]
                        })
                        .collect();
                    let cols = "code, governorate_code, name_ar, name_en";
                    Self::insert_rows(&mut tx, "districts", cols, &d, &upsert_suffix(cols, &["code"])).await?;
                    let c: Vec<Vec<Val>> = geo
                        .centres
                        .iter()
                        .map(|x| {
                            vec![
                                x.code.as_str().into(),
                                x.district_code.as_str().into(),
                                x.name_ar.as_str().into(),
                                x.name_en.as_str().into(),
                                x.opens.as_str().into(),
                                x.closes.as_str().into(),
                                i64::from(x.counters).into(),
                            ]
                        })
                        .collect();
                    let cols = "code, district_code, name_ar, name_en, opens, closes, counters";
                    Self::insert_rows(&mut tx, "update_centres", cols, &c, &upsert_suffix(cols, &["code"])).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn save_agents(&self, agents: &[RationAgent]) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let rows: Vec<Vec<Val>> = agents
                        .iter()
                        .map(|a| vec![a.code.as_str().into(), a.district_code.as_str().into(), a.name_ar.as_str().into()])
                        .collect();
                    let cols = "code, district_code, name_ar";
                    Self::insert_rows(&mut tx, "outlets", cols, &rows, &upsert_suffix(cols, &["code"])).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn agents_in_district(&self, district: &str) -> Result<Vec<RationAgent>> {
                let rows = sqlx::query("SELECT code, district_code, name_ar FROM outlets WHERE district_code = $1 AND kind = 'ration_agent' ORDER BY code")
                    .bind(district)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok(RationAgent { code: r.try_get(0)?, district_code: r.try_get(1)?, name_ar: r.try_get(2)? })
                    })
                    .collect()
            }

            async fn agents_of_codes(&self, codes: &[String]) -> Result<Vec<RationAgent>> {
                let mut out = vec![];
                for chunk in codes.chunks(500) {
                    let sql = format!(
                        "SELECT code, district_code, name_ar FROM outlets WHERE code IN ({}) ORDER BY code",
                        marks(chunk.len(), Self::NUMBERED_PARAMS)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for c in chunk {
                        q = q.bind(c.as_str());
                    }
                    for r in q.fetch_all(&self.pool).await? {
                        out.push(RationAgent { code: r.try_get(0)?, district_code: r.try_get(1)?, name_ar: r.try_get(2)? });
                    }
                }
                Ok(out)
            }

            async fn save_warehouses(&self, warehouses: &[Warehouse], agents: &[(String, String)]) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let rows: Vec<Vec<Val>> = warehouses
                        .iter()
                        .map(|w| vec![w.code.as_str().into(), w.governorate_code.as_str().into(), w.name_ar.as_str().into()])
                        .collect();
                    let cols = "code, governorate_code, name_ar";
                    Self::insert_rows(&mut tx, "warehouses", cols, &rows, &upsert_suffix(cols, &["code"])).await?;
                    for (agent, warehouse) in agents {
                        sqlx::query("UPDATE outlets SET warehouse_code = $1 WHERE code = $2")
                            .bind(warehouse.as_str())
                            .bind(agent.as_str())
                            .execute(&mut *tx)
                            .await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn agent_warehouses(&self) -> Result<Vec<(String, Warehouse)>> {
                let rows = sqlx::query(concat!(
                    "SELECT a.code, w.code, w.governorate_code, w.name_ar FROM outlets a ",
                    "JOIN warehouses w ON w.code = a.warehouse_code ORDER BY a.code"
                ))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok((
                            r.try_get(0)?,
                            Warehouse { code: r.try_get(1)?, governorate_code: r.try_get(2)?, name_ar: r.try_get(3)? },
                        ))
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use reference_sql;
