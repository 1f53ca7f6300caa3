//! `EligibilityStore` for both backends, like `sql_impl`.

macro_rules! eligibility_sql {
    ($store:ident) => {
        use $crate::eligibility::{Declarations, EligibilityStore};

        #[async_trait::async_trait]
        impl EligibilityStore for $store {
            async fn declarations(&self, household_id: &HouseholdId) -> Result<Option<Declarations>> {
                let row = sqlx::query(concat!(
                    "SELECT head_sector, head_monthly_income, household_monthly_income, social_welfare, low_income ",
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
                }))
            }

            async fn set_declarations(&self, household_id: &HouseholdId, d: &Declarations, log: &ChangeLog) -> Result<bool> {
                let hid = household_id.as_str();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(concat!(
                        "UPDATE households SET head_sector = $2, head_monthly_income = $3, household_monthly_income = $4, ",
                        "social_welfare = $5, low_income = $6 WHERE household_id = $1"
                    ))
                    .bind(hid)
                    .bind(d.head_sector.as_deref())
                    .bind(d.head_monthly_income)
                    .bind(d.household_monthly_income)
                    .bind(d.social_welfare)
                    .bind(d.low_income)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    Self::insert_rows(&mut tx, "household_changes", CHANGE_COLS, &[change_vals(hid, log)], "").await?;
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }
        }
    };
}

pub(crate) use eligibility_sql;
