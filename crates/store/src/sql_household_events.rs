//! Birth suggestions and abroad exemptions, shared by both backends like `sql_impl`.

/// The exemption columns a list reads (the document's bytes only when asked for).
macro_rules! exemption_columns {
    () => {
        "exemption_id, national_id, reason, valid_from, valid_until, evidence, granted_by, granted_at, document_name, document_type"
    };
}

macro_rules! household_events_sql {
    ($store:ident) => {
        impl $store {
            fn exemption_of(r: &DbRow) -> Result<$crate::Exemption> {
                Ok($crate::Exemption {
                    exemption_id: r.try_get("exemption_id")?,
                    national_id: r.try_get("national_id")?,
                    reason: r.try_get("reason")?,
                    valid_from: r.try_get("valid_from")?,
                    valid_until: r.try_get("valid_until")?,
                    evidence: r.try_get("evidence")?,
                    granted_by: r.try_get("granted_by")?,
                    granted_at: parse_ts(&r.try_get::<String, _>("granted_at")?)?,
                    document_name: r.try_get("document_name")?,
                    document_type: r.try_get("document_type")?,
                })
            }

        }

        #[async_trait::async_trait]
        impl $crate::HouseholdEventStore for $store {
            async fn save_suggestion(&self, s: &$crate::Suggestion, notice: Option<&$crate::OutboxMessage>) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(concat!(
                        "INSERT INTO household_suggestions (suggestion_id, household_id, kind, event_id, national_id, ",
                        "details, status, created_at, decided_at, decided_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ",
                        "ON CONFLICT (event_id) DO NOTHING"
                    ))
                    .bind(s.suggestion_id.as_str())
                    .bind(s.household_id.as_str())
                    .bind(s.kind.as_str())
                    .bind(s.event_id.as_str())
                    .bind(s.national_id.as_str())
                    .bind(s.details.as_str())
                    .bind(s.status.as_str())
                    .bind(ts(&s.created_at))
                    .bind(s.decided_at.as_ref().map(ts))
                    .bind(s.decided_by.as_deref())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if let (1, Some(m)) = (n, notice) {
                        Self::outbox_insert(&mut tx, m).await?;
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(n == 1)
                })
                .await
            }

            async fn suggestions(&self, household_id: &HouseholdId) -> Result<Vec<$crate::Suggestion>> {
                let rows = sqlx::query(
                    "SELECT * FROM household_suggestions WHERE household_id = $1 ORDER BY created_at DESC, suggestion_id DESC",
                )
                .bind(household_id.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok($crate::Suggestion {
                            suggestion_id: r.try_get("suggestion_id")?,
                            household_id: r.try_get::<String, _>("household_id")?.into(),
                            kind: r.try_get("kind")?,
                            event_id: r.try_get("event_id")?,
                            national_id: r.try_get("national_id")?,
                            details: r.try_get("details")?,
                            status: r.try_get("status")?,
                            created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                            decided_at: parse_opt_ts(r.try_get("decided_at")?)?,
                            decided_by: r.try_get("decided_by")?,
                        })
                    })
                    .collect()
            }

            async fn decide_suggestion(&self, id: &str, from: &str, status: &str, at: jiff::Timestamp, by: &str) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(concat!(
                        "UPDATE household_suggestions SET status = $1, decided_at = $2, decided_by = $3 ",
                        "WHERE suggestion_id = $4 AND status = $5"
                    ))
                    .bind(status)
                    .bind(ts(&at))
                    .bind(by)
                    .bind(id)
                    .bind(from)
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn save_exemption(&self, e: &$crate::Exemption, document: &[u8], household_id: &HouseholdId, log: &ChangeLog) -> Result<()> {
                self.audited(log, Some(household_id), |c| {
                    let e = e.clone();
                    let document = document.to_vec();
                    Box::pin(async move {
                        sqlx::query(concat!(
                            "INSERT INTO abroad_exemptions (exemption_id, national_id, reason, valid_from, valid_until, ",
                            "evidence, granted_by, granted_at, document_name, document_type, document) ",
                            "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                        ))
                        .bind(e.exemption_id.as_str())
                        .bind(e.national_id.as_str())
                        .bind(e.reason.as_str())
                        .bind(e.valid_from.as_str())
                        .bind(e.valid_until.as_str())
                        .bind(e.evidence.as_str())
                        .bind(e.granted_by.as_str())
                        .bind(ts(&e.granted_at))
                        .bind(e.document_name.as_deref())
                        .bind(e.document_type.as_deref())
                        .bind((!document.is_empty()).then_some(document))
                        .execute(&mut *c)
                        .await?;
                        Ok(1)
                    })
                })
                .await
                .map(|_| ())
            }

            async fn exemptions(&self, national_id: &str) -> Result<Vec<$crate::Exemption>> {
                let rows = sqlx::query(concat!(
                    "SELECT ", $crate::sql_household_events::exemption_columns!(), " FROM abroad_exemptions WHERE national_id = $1 ",
                    "ORDER BY valid_until DESC, exemption_id"
                ))
                .bind(national_id)
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::exemption_of).collect()
            }

            async fn exemption_document(&self, exemption_id: &str) -> Result<Option<($crate::Exemption, Vec<u8>)>> {
                let row = sqlx::query(concat!(
                    "SELECT ", $crate::sql_household_events::exemption_columns!(), ", document FROM abroad_exemptions WHERE exemption_id = $1"
                ))
                .bind(exemption_id)
                .fetch_optional(&self.pool)
                .await?;
                row.map(|r| {
                    let doc: Option<Vec<u8>> = r.try_get("document")?;
                    Ok((Self::exemption_of(&r)?, doc.unwrap_or_default()))
                })
                .transpose()
            }
        }
    };
}

pub(crate) use exemption_columns;
pub(crate) use household_events_sql;
