//! The reference civil registry's SQL, shared by both backends like `sql_impl`.

macro_rules! civil_sql {
    ($store:ident) => {
        impl $store {
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

        impl $store {
            /// One conditional update: true if it changed the row (the condition held).
            async fn q_otp_update(&self, sql: &'static str, id: &str, v: Val) -> Result<bool> {
                with_retry(|| async {
                    let q = sqlx::query(sql).bind(id);
                    let q = match &v {
                        Val::Int(i) => q.bind(*i),
                        Val::Text(s) => q.bind(s.as_str()),
                        _ => q,
                    };
                    Ok(q.execute(&self.pool).await?.rows_affected() == 1)
                })
                .await
            }
        }

        #[async_trait::async_trait]
        impl $crate::CivilRegistryStore for $store {
            async fn civil_load(&self, persons: &[$crate::CivilPerson]) -> Result<()> {
                with_retry(|| self.load_rows("civil_persons", CIVIL_COLS, persons.iter().map(civil_vals).collect())).await
            }

            async fn civil_initial_load(&self) -> Result<Option<Box<dyn $crate::CivilBulkLoad>>> {
                self.civil_bulk_begin().await
            }

            async fn civil_person(&self, national_id: &str) -> Result<Option<$crate::CivilPerson>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {CIVIL_COLS} FROM civil_persons WHERE national_id = $1"
                )))
                .bind(national_id)
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(Self::civil_from_row).transpose()
            }

            /// Many persons in a few statements (a search batch), in no particular order.
            async fn civil_persons(&self, ids: &[String]) -> Result<Vec<$crate::CivilPerson>> {
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

            async fn civil_page(&self, after: Option<&str>, limit: u32, vital_only: bool) -> Result<Vec<$crate::CivilPerson>> {
                let vital = if vital_only { " AND (death_date IS NOT NULL OR abroad_since IS NOT NULL)" } else { "" };
                let sql = format!(
                    "SELECT {CIVIL_COLS} FROM civil_persons WHERE national_id > $1{vital} ORDER BY national_id LIMIT {}",
                    limit.clamp(1, 100_000)
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(after.unwrap_or("")).fetch_all(&self.pool).await?;
                rows.iter().map(Self::civil_from_row).collect()
            }

            async fn civil_count(&self) -> Result<i64> {
                let r = sqlx::query("SELECT COUNT(*) FROM civil_persons").fetch_one(&self.pool).await?;
                Ok(r.try_get(0)?)
            }

            async fn civil_record_event(&self, e: &$crate::CivilEvent, p: &$crate::CivilPerson, notify: &[$crate::Delivery]) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(concat!(
                        "INSERT INTO civil_events (event_id, kind, national_id, event_date, details, recorded_at) ",
                        "VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING"
                    ))
                    .bind(e.event_id.as_str())
                    .bind(e.kind.as_str())
                    .bind(e.national_id.as_str())
                    .bind(e.event_date.as_str())
                    .bind(e.details.as_str())
                    .bind(ts(&e.recorded_at))
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n == 0 {
                        return Ok(false);
                    }
                    sqlx::query("DELETE FROM civil_persons WHERE national_id = $1")
                        .bind(p.national_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    Self::insert_rows(&mut tx, "civil_persons", CIVIL_COLS, &[civil_vals(p)], "").await?;
                    for d in notify {
                        Self::q_enqueue(&mut tx, d).await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn civil_otp_create(&self, o: &$crate::CivilOtp, phone: &str, body: &str) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(concat!(
                        "INSERT INTO civil_otps (challenge_id, national_id, client, purpose, code_hash, created_at, expires_at, ",
                        "attempts, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL)"
                    ))
                    .bind(o.challenge_id.as_str())
                    .bind(o.national_id.as_str())
                    .bind(o.client.as_str())
                    .bind(o.purpose.as_str())
                    .bind(o.code_hash.as_str())
                    .bind(ts(&o.created_at))
                    .bind(ts(&o.expires_at))
                    .bind(o.attempts)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query("INSERT INTO civil_sms (message_id, phone, body, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(o.challenge_id.as_str())
                        .bind(phone)
                        .bind(body)
                        .bind(ts(&o.created_at))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn civil_otps_since(&self, national_id: &str, since: jiff::Timestamp) -> Result<i64> {
                let r = sqlx::query("SELECT COUNT(*) FROM civil_otps WHERE national_id = $1 AND created_at >= $2")
                    .bind(national_id)
                    .bind(ts(&since))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(r.try_get(0)?)
            }

            async fn civil_otp(&self, id: &str) -> Result<Option<$crate::CivilOtp>> {
                let row = sqlx::query("SELECT * FROM civil_otps WHERE challenge_id = $1").bind(id).fetch_optional(&self.pool).await?;
                row.as_ref()
                    .map(|r| {
                        Ok($crate::CivilOtp {
                            challenge_id: r.try_get("challenge_id")?,
                            national_id: r.try_get("national_id")?,
                            client: r.try_get("client")?,
                            purpose: r.try_get("purpose")?,
                            code_hash: r.try_get("code_hash")?,
                            created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                            expires_at: parse_ts(&r.try_get::<String, _>("expires_at")?)?,
                            attempts: r.try_get("attempts")?,
                            used_at: parse_opt_ts(r.try_get("used_at")?)?,
                        })
                    })
                    .transpose()
            }

            async fn civil_otp_attempt(&self, challenge_id: &str, max: i64) -> Result<bool> {
                self.q_otp_update("UPDATE civil_otps SET attempts = attempts + 1 WHERE challenge_id = $1 AND attempts < $2", challenge_id, Val::Int(max)).await
            }

            async fn civil_otp_use(&self, challenge_id: &str, at: jiff::Timestamp) -> Result<bool> {
                self.q_otp_update("UPDATE civil_otps SET used_at = $2 WHERE challenge_id = $1 AND used_at IS NULL", challenge_id, Val::Text(ts(&at))).await
            }

            async fn civil_sms_recent(&self, limit: u32) -> Result<Vec<(String, String, jiff::Timestamp)>> {
                sqlx::query("SELECT phone, body, created_at FROM civil_sms ORDER BY created_at DESC, message_id DESC LIMIT $1")
                    .bind(i64::from(limit))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, parse_ts(&r.try_get::<String, _>(2)?)?)))
                    .collect()
            }
        }
    };
}

pub(crate) use civil_sql;
