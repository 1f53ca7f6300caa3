//! `EligibilityStore` for both backends, like `sql_impl`.

macro_rules! eligibility_sql {
    ($store:ident) => {
        use $crate::eligibility::{Declarations, EligibilityStore};
        use tamwin_domain::programme::Category;

        impl $store {
            /// One household's declarations replaced; false when there is no such household.
            async fn update_declarations(tx: &mut Conn, hid: &str, d: &Declarations) -> Result<bool> {
                let n = sqlx::query(concat!(
                    "UPDATE households SET head_sector = $2, head_monthly_income = $3, household_monthly_income = $4, ",
                    "social_welfare = $5, low_income = $6, income_band = $7 WHERE household_id = $1"
                ))
                .bind(hid)
                .bind(d.head_sector.as_deref())
                .bind(d.head_monthly_income)
                .bind(d.household_monthly_income)
                .bind(d.social_welfare)
                .bind(d.low_income)
                .bind(d.income_band.as_deref())
                .execute(&mut *tx)
                .await?
                .rows_affected();
                Ok(n == 1)
            }
        }

        #[async_trait::async_trait]
        impl EligibilityStore for $store {
            async fn declarations(&self, household_id: &HouseholdId) -> Result<Option<Declarations>> {
                let row = sqlx::query(concat!(
                    "SELECT head_sector, head_monthly_income, household_monthly_income, social_welfare, low_income, income_band ",
                    "FROM households WHERE household_id = $1"
                ))
                .bind(household_id.as_str())
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some(Declarations {
                    head_sector: r.try_get(0)?,
                    head_monthly_income: r.try_get(1)?,
                    household_monthly_income: r.try_get(2)?,
                    social_welfare: r.try_get(3)?,
                    low_income: r.try_get(4)?,
                    income_band: r.try_get(5)?,
                }))
            }

            async fn set_declarations(&self, household_id: &HouseholdId, d: &Declarations, log: &ChangeLog) -> Result<bool> {
                let hid = household_id.as_str();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    if !Self::update_declarations(&mut tx, hid, d).await? {
                        return Ok(false);
                    }
                    Self::insert_rows(&mut tx, "household_changes", CHANGE_COLS, &[change_vals(hid, log)], "").await?;
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn set_many_declarations(&self, changes: &[(HouseholdId, Declarations, ChangeLog)]) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    for (hid, d, _) in changes {
                        if !Self::update_declarations(&mut tx, hid.as_str(), d).await? {
                            return Err(StoreError::Database(format!("household {hid} vanished during the import")));
                        }
                    }
                    let rows: Vec<Vec<Val>> = changes.iter().map(|(h, _, l)| change_vals(h.as_str(), l)).collect();
                    Self::insert_rows(&mut tx, "household_changes", CHANGE_COLS, &rows, "").await?;
                    let audit: Vec<(Option<&str>, &ChangeLog)> = changes.iter().map(|(h, _, l)| (Some(h.as_str()), l)).collect();
                    Self::append_audit(&mut tx, &audit).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn households_on_list(&self, list: Category) -> Result<Vec<HouseholdId>> {
                // The column is the category's code, one of two known names.
                let sql = format!("SELECT household_id FROM households WHERE {} = TRUE AND state <> 'closed'", list.code());
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| Ok(HouseholdId::from(r.try_get::<String, _>(0)?)))
                    .collect()
            }

            async fn households_of_ids(&self, ids: &[NationalId]) -> Result<Vec<(NationalId, HouseholdId)>> {
                // One statement for the whole list, bound as one JSON array (as `national_id_owners`).
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    format!(
                        "SELECT national_id, household_id FROM national_id_index WHERE national_id IN ({})",
                        $store::JSON_TEXTS
                    )
                });
                let list = serde_json::to_string(&ids.iter().map(NationalId::as_str).collect::<Vec<_>>())
                    .map_err(|e| StoreError::Database(e.to_string()))?;
                let mut out = Vec::new();
                for r in sqlx::query(sqlx::AssertSqlSafe(SQL.as_str())).bind(list).fetch_all(&self.pool).await? {
                    let n: String = r.try_get(0)?;
                    out.push((
                        NationalId::parse(&n).map_err(|_| corrupt("national_id_index.national_id", &n))?,
                        HouseholdId::from(r.try_get::<String, _>(1)?),
                    ));
                }
                Ok(out)
            }

            async fn apply_list(&self, list: Category, on: &[(HouseholdId, ChangeLog)], off: &[(HouseholdId, ChangeLog)]) -> Result<()> {
                let sql = format!("UPDATE households SET {} = $1 WHERE household_id = $2", list.code());
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let mut changes = vec![];
                    for (flag, rows) in [(true, on), (false, off)] {
                        for (hid, _) in rows {
                            sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                                .bind(flag)
                                .bind(hid.as_str())
                                .execute(&mut *tx)
                                .await?;
                        }
                        changes.extend(rows.iter().map(|(h, l)| change_vals(h.as_str(), l)));
                    }
                    Self::insert_rows(&mut tx, "household_changes", CHANGE_COLS, &changes, "").await?;
                    let audit: Vec<(Option<&str>, &ChangeLog)> =
                        on.iter().chain(off).map(|(h, l)| (Some(h.as_str()), l)).collect();
                    Self::append_audit(&mut tx, &audit).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }
        }
    };
}

pub(crate) use eligibility_sql;
