//! The reference civil registry's SQL, shared by both backends like `sql_impl`.

macro_rules! civil_sql {
    ($store:ident) => {
        impl $store {
            async fn civil_get(&self, national_id: &str) -> Result<Option<$crate::CivilPerson>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {CIVIL_COLS} FROM civil_persons WHERE national_id = $1"
                )))
                .bind(national_id)
                .fetch_optional(&self.pool)
                .await?;
                let Some(r) = row else { return Ok(None) };
                Ok(Some($crate::CivilPerson {
                    national_id: r.try_get("national_id")?,
                    given_name: r.try_get("given_name")?,
                    father_name: r.try_get("father_name")?,
                    grandfather_name: r.try_get("grandfather_name")?,
                    family_name: r.try_get("family_name")?,
                    mother_name: r.try_get("mother_name")?,
                    birth_date: r.try_get("birth_date")?,
                    sex: r.try_get("sex")?,
                    phone: r.try_get("phone")?,
                    card_status: r.try_get("card_status")?,
                    card_expires: r.try_get("card_expires")?,
                    fingerprint_sha256: r.try_get("fingerprint_sha256")?,
                    death_date: r.try_get("death_date")?,
                    abroad_since: r.try_get("abroad_since")?,
                }))
            }
        }
    };
}

pub(crate) use civil_sql;
