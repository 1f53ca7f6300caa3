//! `ComplaintStore` for both backends, like `sql_impl`.

pub(crate) const COMPLAINT_COLS: &str = "household_id, complaint_id, outlet_code, governorate_code, kind, redemption_id, statement, status, created_at, assigned_to, assigned_at, resolved_by, resolved_at, reply";

macro_rules! complaints_sql {
    ($store:ident) => {
        use $crate::complaints::{Complaint, ComplaintStore};
        use tamwin_domain::complaint::{ComplaintKind, ComplaintStatus};

        impl $store {
            fn complaint_of(r: &DbRow) -> Result<Complaint> {
                let kind: String = r.try_get("kind")?;
                let status: String = r.try_get("status")?;
                Ok(Complaint {
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    complaint_id: r.try_get("complaint_id")?,
                    outlet_code: r.try_get("outlet_code")?,
                    governorate: r.try_get("governorate_code")?,
                    kind: ComplaintKind::parse(&kind).ok_or_else(|| corrupt("complaints.kind", &kind))?,
                    redemption_id: r.try_get("redemption_id")?,
                    statement: r.try_get("statement")?,
                    status: ComplaintStatus::parse(&status).ok_or_else(|| corrupt("complaints.status", &status))?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    assigned_to: r.try_get("assigned_to")?,
                    assigned_at: parse_opt_ts(r.try_get("assigned_at")?)?,
                    resolved_by: r.try_get("resolved_by")?,
                    resolved_at: parse_opt_ts(r.try_get("resolved_at")?)?,
                    reply: r.try_get("reply")?,
                })
            }
        }

        #[async_trait::async_trait]
        impl ComplaintStore for $store {
            async fn file_complaint(&self, c: &Complaint, log: &ChangeLog) -> Result<()> {
                let hid = c.household_id.as_str();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let row = vec![
                        Val::from(hid),
                        c.complaint_id.as_str().into(),
                        c.outlet_code.as_str().into(),
                        c.governorate.as_str().into(),
                        c.kind.code().into(),
                        c.redemption_id.clone().into(),
                        c.statement.as_str().into(),
                        c.status.code().into(),
                        ts(&c.created_at).into(),
                        Val::OptText(None),
                        Val::OptText(None),
                        Val::OptText(None),
                        Val::OptText(None),
                        Val::OptText(None),
                    ];
                    Self::insert_rows(&mut tx, "complaints", $crate::sql_complaints::COMPLAINT_COLS, &[row], "").await?;
                    if c.kind == ComplaintKind::CollectionNotMade
                        && let Some(rid) = &c.redemption_id
                    {
                        sqlx::query("UPDATE redemptions SET disputed_by = $1 WHERE household_id = $2 AND redemption_id = $3")
                            .bind(c.complaint_id.as_str())
                            .bind(hid)
                            .bind(rid.as_str())
                            .execute(&mut *tx)
                            .await?;
                    }
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn complaint(&self, complaint_id: &str) -> Result<Option<Complaint>> {
                let sql = format!(
                    "SELECT {} FROM complaints WHERE complaint_id = $1",
                    $crate::sql_complaints::COMPLAINT_COLS
                );
                let row = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(complaint_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::complaint_of).transpose()
            }

            async fn assign_complaint(
                &self,
                household_id: &HouseholdId,
                complaint_id: &str,
                to: &str,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<bool> {
                let n = self
                    .audited(log, Some(household_id.as_str()), |c| {
                        let (hid, id, to, at) = (household_id.to_string(), complaint_id.to_string(), to.to_string(), ts(&at));
                        Box::pin(async move {
                            Ok(sqlx::query(concat!(
                                "UPDATE complaints SET status = 'assigned', assigned_to = $1, assigned_at = $2 ",
                                "WHERE household_id = $3 AND complaint_id = $4 AND status <> 'resolved'"
                            ))
                            .bind(to.as_str())
                            .bind(at.as_str())
                            .bind(hid.as_str())
                            .bind(id.as_str())
                            .execute(&mut *c)
                            .await?
                            .rows_affected())
                        })
                    })
                    .await?;
                Ok(n == 1)
            }

            async fn resolve_complaint(
                &self,
                household_id: &HouseholdId,
                complaint_id: &str,
                by: &str,
                reply: &str,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<bool> {
                let n = self
                    .audited(log, Some(household_id.as_str()), |c| {
                        let (hid, id, by, reply, at) =
                            (household_id.to_string(), complaint_id.to_string(), by.to_string(), reply.to_string(), ts(&at));
                        Box::pin(async move {
                            Ok(sqlx::query(concat!(
                                "UPDATE complaints SET status = 'resolved', resolved_by = $1, resolved_at = $2, reply = $3 ",
                                "WHERE household_id = $4 AND complaint_id = $5 AND status = 'assigned'"
                            ))
                            .bind(by.as_str())
                            .bind(at.as_str())
                            .bind(reply.as_str())
                            .bind(hid.as_str())
                            .bind(id.as_str())
                            .execute(&mut *c)
                            .await?
                            .rows_affected())
                        })
                    })
                    .await?;
                Ok(n == 1)
            }

            async fn household_complaints(&self, household_id: &HouseholdId) -> Result<Vec<Complaint>> {
                let sql = format!(
                    "SELECT {} FROM complaints WHERE household_id = $1 ORDER BY created_at DESC, complaint_id",
                    $crate::sql_complaints::COMPLAINT_COLS
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(household_id.as_str()).fetch_all(&self.pool).await?;
                rows.iter().map(Self::complaint_of).collect()
            }

            async fn governorate_complaints(
                &self,
                governorate: &str,
                status: Option<ComplaintStatus>,
                limit: u32,
            ) -> Result<Vec<Complaint>> {
                let sql = format!(
                    "SELECT {} FROM complaints WHERE governorate_code = $1 AND ($2 IS NULL OR status = $2) \
                     ORDER BY created_at DESC, complaint_id LIMIT {}",
                    $crate::sql_complaints::COMPLAINT_COLS,
                    limit.min(1000)
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(governorate)
                    .bind(status.map(|s| s.code()))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(Self::complaint_of).collect()
            }
        }
    };
}

pub(crate) use complaints_sql;
