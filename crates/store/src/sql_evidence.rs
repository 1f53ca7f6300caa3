//! The ration side's hub evidence and member verification states, shared by both backends.

macro_rules! evidence_sql {
    ($store:ident) => {
        impl $store {
            fn verification_from_row(r: &DbRow) -> Result<$crate::MemberVerification> {
                Ok($crate::MemberVerification {
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    member_id: r.try_get::<String, _>("member_id")?.into(),
                    status: r.try_get("status")?,
                    attempts: r.try_get("attempts")?,
                    last_attempt_at: parse_ts(&r.try_get::<String, _>("last_attempt_at")?)?,
                    next_attempt_at: parse_opt_ts(r.try_get("next_attempt_at")?)?,
                    evidence_id: r.try_get("evidence_id")?,
                })
            }

            /// Evidence rows in an open transaction (one call's, or a batch search's for many members).
            async fn evidence_insert(c: &mut Conn, e: &[$crate::Evidence]) -> Result<()> {
                let rows: Vec<Vec<Val>> = e.iter().map(crate::sql_evidence::evidence_vals).collect();
                Self::insert_rows(c, "hub_evidence", crate::sql_evidence::EVIDENCE_COLS, &rows, "").await?;
                Ok(())
            }

            async fn evidence_save(&self, e: &[$crate::Evidence]) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    Self::evidence_insert(&mut tx, e).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

        }

        #[async_trait::async_trait]
        impl $crate::EvidenceStore for $store {
            async fn save_evidence(&self, e: &$crate::Evidence) -> Result<()> {
                self.evidence_save(std::slice::from_ref(e)).await
            }

            async fn save_evidence_batch(&self, e: &[$crate::Evidence]) -> Result<()> {
                self.evidence_save(e).await
            }

            async fn save_verification(&self, v: &$crate::MemberVerification, e: Option<&$crate::Evidence>) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    if let Some(e) = e {
                        Self::evidence_insert(&mut tx, std::slice::from_ref(e)).await?;
                    }
                    sqlx::query("DELETE FROM member_verifications WHERE household_id = $1 AND member_id = $2")
                        .bind(v.household_id.as_str())
                        .bind(v.member_id.as_str())
                        .execute(&mut *tx)
                        .await?;
                    sqlx::query(concat!(
                        "INSERT INTO member_verifications (household_id, member_id, status, attempts, last_attempt_at, ",
                        "next_attempt_at, evidence_id) VALUES ($1, $2, $3, $4, $5, $6, $7)"
                    ))
                    .bind(v.household_id.as_str())
                    .bind(v.member_id.as_str())
                    .bind(v.status.as_str())
                    .bind(v.attempts)
                    .bind(ts(&v.last_attempt_at))
                    .bind(v.next_attempt_at.as_ref().map(ts))
                    .bind(v.evidence_id.as_deref())
                    .execute(&mut *tx)
                    .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn verification(&self, household_id: &HouseholdId, member_id: &MemberId) -> Result<Option<$crate::MemberVerification>> {
                let row = sqlx::query("SELECT * FROM member_verifications WHERE household_id = $1 AND member_id = $2")
                    .bind(household_id.as_str())
                    .bind(member_id.as_str())
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::verification_from_row).transpose()
            }

            async fn due_verifications(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<$crate::MemberVerification>> {
                let rows = sqlx::query(
                    "SELECT * FROM member_verifications WHERE next_attempt_at IS NOT NULL AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $2",
                )
                .bind(ts(&now))
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::verification_from_row).collect()
            }

            async fn evidence_of(&self, household_id: &HouseholdId) -> Result<Vec<$crate::Evidence>> {
                let rows = sqlx::query("SELECT * FROM hub_evidence WHERE household_id = $1 ORDER BY at, evidence_id")
                    .bind(household_id.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::Evidence {
                            household_id: r.try_get::<String, _>("household_id")?.into(),
                            evidence_id: r.try_get("evidence_id")?,
                            member_id: r.try_get::<Option<String>, _>("member_id")?.map(Into::into),
                            service: r.try_get("service")?,
                            request_hash: r.try_get("request_hash")?,
                            response_hash: r.try_get("response_hash")?,
                            at: parse_ts(&r.try_get::<String, _>("at")?)?,
                            outcome: r.try_get("outcome")?,
                        })
                    })
                    .collect()
            }
        }
    };
}

pub(crate) use evidence_sql;

pub(crate) const EVIDENCE_COLS: &str =
    "household_id, evidence_id, member_id, service, request_hash, response_hash, at, outcome";

pub(crate) fn evidence_vals(e: &crate::Evidence) -> Vec<crate::rows::Val> {
    vec![
        e.household_id.as_str().into(),
        e.evidence_id.as_str().into(),
        e.member_id.clone().into(),
        e.service.as_str().into(),
        e.request_hash.as_str().into(),
        e.response_hash.as_str().into(),
        crate::rows::ts(&e.at).into(),
        e.outcome.as_str().into(),
    ]
}
