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
                    Self::insert_rows(&mut tx, "ration_agents", cols, &rows, &upsert_suffix(cols, &["code"])).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn agents_in_district(&self, district: &str) -> Result<Vec<RationAgent>> {
                let rows = sqlx::query("SELECT code, district_code, name_ar FROM ration_agents WHERE district_code = $1 ORDER BY code")
                    .bind(district)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok(RationAgent { code: r.try_get(0)?, district_code: r.try_get(1)?, name_ar: r.try_get(2)? })
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use reference_sql;
