//! The reference civil registry's SQL, shared by both backends like `sql_impl`.

macro_rules! civil_sql {
    ($store:ident) => {
        impl $store {
            async fn hub_key_save(&self, k: &$crate::HubKey) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM hub_member_keys WHERE member = $1 AND key_id = $2")
                        .bind(k.member.as_str())
                        .bind(k.key_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(
                        "INSERT INTO hub_member_keys (member, key_id, public_key, valid_from, valid_until) VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(k.member.as_str())
                    .bind(k.key_id.as_str())
                    .bind(k.public_key.as_str())
                    .bind(ts(&k.valid_from))
                    .bind(k.valid_until.as_ref().map(ts))
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn hub_keys_all(&self) -> Result<Vec<$crate::HubKey>> {
                let rows = sqlx::query("SELECT member, key_id, public_key, valid_from, valid_until FROM hub_member_keys ORDER BY member, key_id")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::HubKey {
                            member: r.try_get(0)?,
                            key_id: r.try_get(1)?,
                            public_key: r.try_get(2)?,
                            valid_from: parse_ts(&r.try_get::<String, _>(3)?)?,
                            valid_until: parse_opt_ts(r.try_get(4)?)?,
                        })
                    })
                    .collect()
            }

            async fn hub_nonce(&self, client: &str, nonce: &str, at: jiff::Timestamp, forget: jiff::Timestamp) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query("DELETE FROM hub_nonces WHERE at < $1")
                        .bind(ts(&forget))
                        .execute(&mut *tx)
                        .await?;
                    let fresh = sqlx::query("INSERT INTO hub_nonces (client, nonce, at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING")
                        .bind(client)
                        .bind(nonce)
                        .bind(ts(&at))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected()
                        == 1;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(fresh)
                })
                .await
            }

            async fn civil_get(&self, national_id: &str) -> Result<Option<$crate::CivilPerson>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {CIVIL_COLS} FROM civil_persons WHERE national_id = $1"
                )))
                .bind(national_id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(Self::civil_from_row).transpose()
            }

            /// Many persons in a few statements (a search batch), in no particular order.
            async fn civil_get_many(&self, ids: &[String]) -> Result<Vec<$crate::CivilPerson>> {
                let mut out = Vec::with_capacity(ids.len());
                for chunk in ids.chunks(500) {
                    let marks: Vec<String> = (1..=chunk.len()).map(|i| format!("${i}")).collect();
                    let sql = format!(
                        "SELECT {CIVIL_COLS} FROM civil_persons WHERE national_id IN ({})",
                        marks.join(", ")
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(id.as_str());
                    }
                    for r in q.fetch_all(&self.pool).await? {
                        out.push(Self::civil_from_row(&r)?);
                    }
                }
                Ok(out)
            }

            async fn civil_get_page(&self, after: Option<&str>, limit: u32, vital_only: bool) -> Result<Vec<$crate::CivilPerson>> {
                let vital = if vital_only { " AND (death_date IS NOT NULL OR abroad_since IS NOT NULL)" } else { "" };
                let sql = format!(
                    "SELECT {CIVIL_COLS} FROM civil_persons WHERE national_id > $1{vital} ORDER BY national_id LIMIT {}",
                    limit.clamp(1, 100_000)
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after.unwrap_or("")).fetch_all(&self.pool).await?;
                rows.iter().map(Self::civil_from_row).collect()
            }

            fn civil_from_row(r: &DbRow) -> Result<$crate::CivilPerson> {
                Ok($crate::CivilPerson {
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
                })
            }
        }
    };
}

pub(crate) use civil_sql;
