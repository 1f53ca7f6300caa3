//! Screening runs, findings and appeals, shared by both backends like `sql_impl`.

macro_rules! screening_sql {
    ($store:ident) => {
        use $crate::screening::*;
        use tamwin_domain::screening::{AppealStatus, FindingKind, FindingStatus, ScreenDecision};

        /// A stored finding kind, parsed once: an unknown value is an error naming its table and column.
        fn finding_kind(table: &str, v: &str) -> Result<FindingKind> {
            FindingKind::parse(v).ok_or_else(|| corrupt(&format!("{table}.kind"), v))
        }
        fn finding_status(table: &str, v: &str) -> Result<FindingStatus> {
            FindingStatus::parse(v).ok_or_else(|| corrupt(&format!("{table}.status"), v))
        }

        const FINDING_COLS: &str = "finding_id, run_id, kind, household_id, member_id, other_household_id, other_member_id, \
            other_national_id, pair_key, score_micros, decision, explanation, status, created_at, decided_at, decided_by, \
            decision_note, effective_at, hold_id";
        const RUN_COLS: &str = "run_id, started_by, started_at, finished_at, status, phase, done, total, written, summary, error";
        const APPEAL_COLS: &str = "appeal_id, finding_id, household_id, submitted_at, statement, document_name, document_type, \
            status, decided_at, decided_by, decision_note";

        impl $store {
            fn run_row(r: &DbRow) -> Result<ScreeningRun> {
                Ok(ScreeningRun {
                    run_id: r.try_get("run_id")?,
                    started_by: r.try_get("started_by")?,
                    started_at: parse_ts(&r.try_get::<String, _>("started_at")?)?,
                    finished_at: parse_opt_ts(r.try_get("finished_at")?)?,
                    status: r.try_get("status")?,
                    phase: r.try_get("phase")?,
                    done: r.try_get("done")?,
                    total: r.try_get("total")?,
                    written: r.try_get("written")?,
                    summary: r.try_get("summary")?,
                    error: r.try_get("error")?,
                })
            }

            fn finding_row(r: &DbRow) -> Result<ScreeningFinding> {
                let decision: String = r.try_get("decision")?;
                Ok(ScreeningFinding {
                    finding_id: r.try_get::<String, _>("finding_id")?.into(),
                    run_id: r.try_get("run_id")?,
                    kind: finding_kind("screening_findings", &r.try_get::<String, _>("kind")?)?,
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    member_id: r.try_get::<String, _>("member_id")?.into(),
                    other_household_id: r.try_get::<Option<String>, _>("other_household_id")?.map(Into::into),
                    other_member_id: r.try_get::<Option<String>, _>("other_member_id")?.map(Into::into),
                    other_national_id: r.try_get("other_national_id")?,
                    pair_key: r.try_get("pair_key")?,
                    score_micros: r.try_get("score_micros")?,
                    decision: ScreenDecision::parse(&decision)
                        .ok_or_else(|| corrupt("screening_findings.decision", &decision))?,
                    explanation: r.try_get("explanation")?,
                    status: finding_status("screening_findings", &r.try_get::<String, _>("status")?)?,
                    created_at: parse_ts(&r.try_get::<String, _>("created_at")?)?,
                    decided_at: parse_opt_ts(r.try_get("decided_at")?)?,
                    decided_by: r.try_get("decided_by")?,
                    decision_note: r.try_get("decision_note")?,
                    effective_at: parse_opt_ts(r.try_get("effective_at")?)?,
                    hold_id: r.try_get("hold_id")?,
                })
            }

            fn appeal_row(r: &DbRow, with_document: bool) -> Result<Appeal> {
                let status: String = r.try_get("status")?;
                Ok(Appeal {
                    appeal_id: r.try_get("appeal_id")?,
                    finding_id: r.try_get::<String, _>("finding_id")?.into(),
                    household_id: r.try_get::<String, _>("household_id")?.into(),
                    submitted_at: parse_ts(&r.try_get::<String, _>("submitted_at")?)?,
                    statement: r.try_get("statement")?,
                    document_name: r.try_get("document_name")?,
                    document_type: r.try_get("document_type")?,
                    document: if with_document { r.try_get("document")? } else { Vec::new() },
                    status: AppealStatus::parse(&status).ok_or_else(|| corrupt("appeals.status", &status))?,
                    decided_at: parse_opt_ts(r.try_get("decided_at")?)?,
                    decided_by: r.try_get("decided_by")?,
                    decision_note: r.try_get("decision_note")?,
                })
            }

            fn concerned_row(r: &DbRow) -> Result<Concerned> {
                let name: Vec<Option<String>> = vec![
                    r.try_get("given_name")?,
                    r.try_get("father_name")?,
                    r.try_get("grandfather_name")?,
                    r.try_get("family_name")?,
                ];
                Ok(Concerned {
                    card_number: r.try_get("card_number")?,
                    governorate_code: r.try_get("governorate_code")?,
                    district_code: r.try_get("district_code")?,
                    member_name: name.into_iter().flatten().filter(|p| !p.is_empty()).collect::<Vec<_>>().join(" "),
                })
            }

            fn finding_val(f: &ScreeningFinding) -> Vec<Val> {
                vec![
                    f.finding_id.clone().into(),
                    f.run_id.clone().into(),
                    f.kind.code().into(),
                    f.household_id.clone().into(),
                    f.member_id.clone().into(),
                    f.other_household_id.clone().into(),
                    f.other_member_id.clone().into(),
                    f.other_national_id.clone().into(),
                    f.pair_key.clone().into(),
                    Val::Int(f.score_micros),
                    f.decision.code().into(),
                    f.explanation.clone().into(),
                    f.status.code().into(),
                    ts(&f.created_at).into(),
                    f.decided_at.as_ref().map(ts).into(),
                    f.decided_by.clone().into(),
                    f.decision_note.clone().into(),
                    f.effective_at.as_ref().map(ts).into(),
                    f.hold_id.clone().into(),
                ]
            }
        }

        #[async_trait::async_trait]
        impl ScreeningStore for $store {
            async fn screening_members(&self, after: Option<(&str, &str)>, limit: u32) -> Result<Vec<ScreeningPerson>> {
                let (hh, m) = after.unwrap_or(("", ""));
                let sql = format!(
                    "SELECT m.household_id, m.member_id, m.national_id, m.given_name, m.father_name, m.grandfather_name, \
                     m.family_name, m.mother_name, m.birth_date, m.sex FROM members m JOIN households h ON h.household_id = m.household_id \
                     WHERE m.presence = 'present' AND h.closed_at IS NULL AND (m.household_id > $1 OR (m.household_id = $1 AND m.member_id > $2)) \
                     ORDER BY m.household_id, m.member_id LIMIT {}",
                    limit.clamp(1, 100_000)
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(hh).bind(m).fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok(ScreeningPerson {
                            household_id: r.try_get::<String, _>(0)?.into(),
                            id: r.try_get(1)?,
                            national_id: r.try_get(2)?,
                            given: r.try_get(3)?,
                            father: r.try_get(4)?,
                            grandfather: r.try_get(5)?,
                            family: r.try_get(6)?,
                            mother: r.try_get(7)?,
                            birth_date: r.try_get(8)?,
                            sex: r.try_get(9)?,
                            death_date: None,
                            abroad_since: None,
                        })
                    })
                    .collect()
            }

            async fn start_screening_run(&self, run: &ScreeningRun, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let res = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO screening_runs ({RUN_COLS}) VALUES ($1, $2, $3, NULL, 'running', $4, 0, 0, 0, '', NULL)"
                    )))
                    .bind(run.run_id.as_str())
                    .bind(run.started_by.as_str())
                    .bind(ts(&run.started_at))
                    .bind(run.phase.as_str())
                    .execute(&mut *tx)
                    .await;
                    if let Err(e) = res {
                        let e = StoreError::from(e);
                        return Err(match e {
                            StoreError::Conflict(_, m) if m.contains("screening_runs") => {
                                StoreError::Conflict(Conflict::ScreeningRunning, m)
                            }
                            other => other,
                        });
                    }
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn screening_progress(&self, run_id: &str, phase: &str, done: i64, total: i64) -> Result<()> {
                with_retry(|| async {
                    sqlx::query("UPDATE screening_runs SET phase = $1, done = $2, total = $3 WHERE run_id = $4 AND status = 'running'")
                        .bind(phase)
                        .bind(done)
                        .bind(total)
                        .bind(run_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
                .await
            }

            async fn save_findings(&self, run_id: &str, findings: &[ScreeningFinding], written: i64) -> Result<u64> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let rows: Vec<Vec<Val>> = findings.iter().map(Self::finding_val).collect();
                    let new = Self::insert_rows(&mut tx, "screening_findings", FINDING_COLS, &rows, " ON CONFLICT (pair_key) DO NOTHING")
                        .await?;
                    sqlx::query("UPDATE screening_runs SET written = $1 WHERE run_id = $2")
                        .bind(written)
                        .bind(run_id)
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(new)
                })
                .await
            }

            async fn finish_screening_run(
                &self,
                run_id: &str,
                status: &str,
                summary: &str,
                error: Option<&str>,
                at: jiff::Timestamp,
                log: &ChangeLog,
            ) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(
                        "UPDATE screening_runs SET status = $1, summary = $2, error = $3, finished_at = $4 WHERE run_id = $5 AND status = 'running'",
                    )
                    .bind(status)
                    .bind(summary)
                    .bind(error)
                    .bind(ts(&at))
                    .bind(run_id)
                    .execute(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn running_screening_run(&self) -> Result<Option<ScreeningRun>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {RUN_COLS} FROM screening_runs WHERE status = 'running'")))
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::run_row).transpose()
            }

            async fn screening_runs(&self, limit: u32) -> Result<Vec<ScreeningRun>> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {RUN_COLS} FROM screening_runs ORDER BY started_at DESC, run_id DESC LIMIT {}",
                    limit.clamp(1, 1000)
                )))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::run_row).collect()
            }

            async fn screening_run(&self, run_id: &str) -> Result<Option<ScreeningRun>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {RUN_COLS} FROM screening_runs WHERE run_id = $1")))
                    .bind(run_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(Self::run_row).transpose()
            }

            async fn findings(&self, f: &FindingFilter) -> Result<Vec<ScreeningFinding>> {
                Ok(self.finding_queue(f).await?.into_iter().map(|q| q.finding).collect())
            }

            async fn finding_queue(&self, f: &FindingFilter) -> Result<Vec<QueuedFinding>> {
                let mut cond: Vec<String> = vec!["1 = 1".into()];
                let mut args: Vec<String> = vec![];
                for (col, v) in [
                    ("f.status", f.status.as_deref()),
                    ("f.kind", f.kind.as_deref()),
                    ("f.decision", f.decision.as_deref()),
                    ("f.household_id", f.household_id.as_deref()),
                    ("h.governorate_code", f.governorate.as_deref()),
                    ("h.district_code", f.district.as_deref()),
                ] {
                    if let Some(v) = v {
                        args.push(v.to_string());
                        cond.push(format!("{col} = ${}", args.len()));
                    }
                }
                // Keyset: after the cursor in (decision, score descending, finding id) order, never OFFSET.
                if f.after.is_some() {
                    let n = args.len();
                    cond.push(format!(
                        "(f.decision > ${a} OR (f.decision = ${a} AND (f.score_micros < ${b} OR (f.score_micros = ${b} AND f.finding_id > ${c}))))",
                        a = n + 1,
                        b = n + 2,
                        c = n + 3
                    ));
                }
                let cols: Vec<String> = FINDING_COLS.split(", ").map(|c| format!("f.{c}")).collect();
                // Holds first, then the strongest matches: what an auditor should see first.
                let sql = format!(
                    "SELECT {}, h.card_number, h.governorate_code, h.district_code, m.given_name, m.father_name, m.grandfather_name, m.family_name \
                     FROM screening_findings f JOIN households h ON h.household_id = f.household_id \
                     LEFT JOIN members m ON m.household_id = f.household_id AND m.member_id = f.member_id \
                     WHERE {} ORDER BY f.decision, f.score_micros DESC, f.finding_id LIMIT {}",
                    cols.join(", "),
                    cond.join(" AND "),
                    f.limit.clamp(1, 1000)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for a in &args {
                    q = q.bind(a.as_str());
                }
                if let Some(c) = &f.after {
                    q = q.bind(c.decision.as_str()).bind(c.score_micros).bind(c.finding_id.as_str());
                }
                let rows = q.fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        Ok(QueuedFinding {
                            finding: Self::finding_row(r)?,
                            who: Self::concerned_row(r)?,
                        })
                    })
                    .collect()
            }

            async fn finding_counts(&self, governorate: Option<&str>, district: Option<&str>) -> Result<Vec<FindingCount>> {
                let rows = sqlx::query(
                    "SELECT f.kind, f.status, COUNT(*) AS n FROM screening_findings f JOIN households h ON h.household_id = f.household_id \
                     WHERE ($1 = '' OR h.governorate_code = $1) AND ($2 = '' OR h.district_code = $2) GROUP BY f.kind, f.status ORDER BY f.kind, f.status",
                )
                .bind(governorate.unwrap_or(""))
                .bind(district.unwrap_or(""))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(FindingCount {
                            kind: finding_kind("screening_findings", &r.try_get::<String, _>(0)?)?,
                            status: finding_status("screening_findings", &r.try_get::<String, _>(1)?)?,
                            count: r.try_get(2)?,
                        })
                    })
                    .collect()
            }

            async fn appeal_inbox(
                &self,
                governorate: Option<&str>,
                district: Option<&str>,
                after: Option<(jiff::Timestamp, &str)>,
                limit: u32,
            ) -> Result<Vec<InboxAppeal>> {
                let cols: Vec<String> = APPEAL_COLS.split(", ").map(|c| format!("a.{c}")).collect();
                let sql = format!(
                    "SELECT {}, f.kind, f.member_id, h.card_number, h.governorate_code, h.district_code, m.given_name, m.father_name, \
                     m.grandfather_name, m.family_name FROM appeals a JOIN screening_findings f ON f.finding_id = a.finding_id \
                     JOIN households h ON h.household_id = a.household_id \
                     LEFT JOIN members m ON m.household_id = f.household_id AND m.member_id = f.member_id \
                     WHERE a.status = 'open' AND ($1 = '' OR h.governorate_code = $1) AND ($2 = '' OR h.district_code = $2) \
                     AND (a.submitted_at > $3 OR (a.submitted_at = $3 AND a.appeal_id > $4)) \
                     ORDER BY a.submitted_at, a.appeal_id LIMIT {}",
                    cols.join(", "),
                    limit.clamp(1, 1000)
                );
                let (at, id) = after.map(|(t, i)| (ts(&t), i)).unwrap_or_default();
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(governorate.unwrap_or(""))
                    .bind(district.unwrap_or(""))
                    .bind(at)
                    .bind(id)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok(InboxAppeal {
                            appeal: Self::appeal_row(r, false)?,
                            kind: finding_kind("screening_findings", &r.try_get::<String, _>("kind")?)?,
                            member_id: r.try_get::<String, _>("member_id")?.into(),
                            who: Self::concerned_row(r)?,
                        })
                    })
                    .collect()
            }

            async fn finding(&self, finding_id: &FindingId) -> Result<Option<ScreeningFinding>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {FINDING_COLS} FROM screening_findings WHERE finding_id = $1"
                )))
                .bind(finding_id.as_str())
                .fetch_optional(&self.pool)
                .await?;
                row.as_ref().map(Self::finding_row).transpose()
            }

            async fn decide_finding(&self, d: &FindingDecision<'_>) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE screening_findings SET status = $1, decided_at = $2, decided_by = $3, decision_note = $4, effective_at = $5 WHERE finding_id = $6 AND status = 'pending'",
                    )
                    .bind(d.status.code())
                    .bind(ts(&d.at))
                    .bind(d.by)
                    .bind(d.note)
                    .bind(d.effective_at.as_ref().map(ts))
                    .bind(d.finding_id.as_str())
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    let household: String = sqlx::query_scalar("SELECT household_id FROM screening_findings WHERE finding_id = $1")
                        .bind(d.finding_id.as_str())
                        .fetch_one(&mut *tx)
                        .await?;
                    if let Some(m) = d.message {
                        Self::outbox_insert(&mut tx, m).await?;
                    }
                    Self::append_audit(&mut tx, &[(Some(household.as_str()), d.log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn due_findings(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<ScreeningFinding>> {
                let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
                    "SELECT {FINDING_COLS} FROM screening_findings WHERE status = 'confirmed' AND effective_at <= $1 ORDER BY effective_at, finding_id LIMIT {}",
                    limit.clamp(1, 10_000)
                )))
                .bind(ts(&now))
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(Self::finding_row).collect()
            }

            async fn finding_in_effect(&self, finding_id: &FindingId, hold_id: &str) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(
                        "UPDATE screening_findings SET status = 'in_effect', hold_id = $1 WHERE finding_id = $2 AND status = 'confirmed'",
                    )
                    .bind(hold_id)
                    .bind(finding_id.as_str())
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn clear_finding(&self, finding_id: &FindingId, at: jiff::Timestamp, by: &str, note: &str) -> Result<bool> {
                with_retry(|| async {
                    let n = sqlx::query(
                        "UPDATE screening_findings SET status = 'cleared', decided_at = $1, decided_by = $2, decision_note = $3 WHERE finding_id = $4 AND status IN ('confirmed', 'in_effect')",
                    )
                    .bind(ts(&at))
                    .bind(by)
                    .bind(note)
                    .bind(finding_id.as_str())
                    .execute(&self.pool)
                    .await?
                    .rows_affected();
                    Ok(n == 1)
                })
                .await
            }

            async fn submit_appeal(&self, a: &Appeal, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let res = sqlx::query(sqlx::AssertSqlSafe(format!(
                        "INSERT INTO appeals ({APPEAL_COLS}, document) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', NULL, NULL, NULL, $8)"
                    )))
                    .bind(a.appeal_id.as_str())
                    .bind(a.finding_id.as_str())
                    .bind(a.household_id.as_str())
                    .bind(ts(&a.submitted_at))
                    .bind(a.statement.as_str())
                    .bind(a.document_name.as_str())
                    .bind(a.document_type.as_str())
                    .bind(a.document.clone())
                    .execute(&mut *tx)
                    .await;
                    if let Err(e) = res {
                        let e = StoreError::from(e);
                        return Err(match e {
                            StoreError::Conflict(_, m) if m.contains("appeals") => StoreError::Conflict(Conflict::AppealOpen, m),
                            other => other,
                        });
                    }
                    Self::append_audit(&mut tx, &[(Some(a.household_id.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn appeals(&self, status: Option<AppealStatus>, household_id: Option<&HouseholdId>, limit: u32) -> Result<Vec<Appeal>> {
                let sql = format!(
                    "SELECT {APPEAL_COLS} FROM appeals WHERE ($1 = '' OR status = $1) AND ($2 = '' OR household_id = $2) ORDER BY submitted_at, appeal_id LIMIT {}",
                    limit.clamp(1, 1000)
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(status.map_or("", AppealStatus::code))
                    .bind(household_id.map_or("", |h| h.as_str()))
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter().map(|r| Self::appeal_row(r, false)).collect()
            }

            async fn appeal(&self, appeal_id: &str) -> Result<Option<Appeal>> {
                let row = sqlx::query(sqlx::AssertSqlSafe(format!("SELECT {APPEAL_COLS}, document FROM appeals WHERE appeal_id = $1")))
                    .bind(appeal_id)
                    .fetch_optional(&self.pool)
                    .await?;
                row.as_ref().map(|r| Self::appeal_row(r, true)).transpose()
            }

            async fn decide_appeal(
                &self,
                appeal_id: &str,
                status: AppealStatus,
                at: jiff::Timestamp,
                by: &str,
                note: &str,
                log: &ChangeLog,
            ) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE appeals SET status = $1, decided_at = $2, decided_by = $3, decision_note = $4 WHERE appeal_id = $5 AND status = 'open'",
                    )
                    .bind(status.code())
                    .bind(ts(&at))
                    .bind(by)
                    .bind(note)
                    .bind(appeal_id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    let household: String = sqlx::query_scalar("SELECT household_id FROM appeals WHERE appeal_id = $1")
                        .bind(appeal_id)
                        .fetch_one(&mut *tx)
                        .await?;
                    Self::append_audit(&mut tx, &[(Some(household.as_str()), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }
        }
    };
}

pub(crate) use screening_sql;
