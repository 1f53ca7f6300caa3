//! `JobStore` for both backends (one portable SQL, expanded per driver like `sql_impl`). The lease is
//! taken by one upsert whose update only applies to an expired lease: on PostgreSQL two servers racing
//! for it serialise on the row and the loser's condition fails; on SQLite writers are serialised anyway.

macro_rules! jobs_sql {
    ($store:ident) => {
        use $crate::jobs::{JobFinish, JobLease, JobRequest, JobRun, JobStore};
        use tamwin_domain::job::{JobOutcome, RunCause};

        /// A newer request replaces the one waiting.
        const UPSERT_REQUEST: &str = "INSERT INTO job_requests (job, requested_at, requested_by) VALUES ($1, $2, $3) \
            ON CONFLICT (job) DO UPDATE SET requested_at = excluded.requested_at, requested_by = excluded.requested_by";
        const JOB_RUN_COLS: &str = "run_id, job, slot, cause, holder, attempts, started_at, finished_at, outcome, items, \
            error, progress_done, progress_total";

        impl $store {
            fn job_run_row(r: &DbRow) -> Result<JobRun> {
                let cause: String = r.try_get("cause")?;
                let outcome: Option<String> = r.try_get("outcome")?;
                Ok(JobRun {
                    run_id: r.try_get("run_id")?,
                    job: r.try_get("job")?,
                    slot: r.try_get("slot")?,
                    cause: RunCause::parse(&cause).ok_or_else(|| corrupt("job_runs.cause", &cause))?,
                    holder: r.try_get("holder")?,
                    attempts: r.try_get("attempts")?,
                    started_at: parse_ts(&r.try_get::<String, _>("started_at")?)?,
                    finished_at: parse_opt_ts(r.try_get("finished_at")?)?,
                    outcome: outcome
                        .map(|o| JobOutcome::parse(&o).ok_or_else(|| corrupt("job_runs.outcome", &o)))
                        .transpose()?,
                    items: r.try_get("items")?,
                    error: r.try_get("error")?,
                    progress_done: r.try_get("progress_done")?,
                    progress_total: r.try_get("progress_total")?,
                })
            }

            /// Runs of `job` matching `cond` (on `$2` when `arg` is given), in `order`, at most `limit`.
            async fn q_job_runs(&self, job: &str, cond: &str, arg: Option<&str>, order: &str, limit: u32) -> Result<Vec<JobRun>> {
                let sql = format!(
                    "SELECT {JOB_RUN_COLS} FROM job_runs WHERE job = $1 AND ({cond}) ORDER BY {order} LIMIT {}",
                    limit.clamp(1, 1000)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(job);
                if let Some(a) = arg {
                    q = q.bind(a);
                }
                let rows = q.fetch_all(&self.pool).await?;
                rows.iter().map(Self::job_run_row).collect()
            }

            /// One statement that changes rows, retried on a busy database; the rows it changed.
            async fn job_write(&self, sql: &str, vals: &[Val]) -> Result<u64> {
                with_retry(|| async {
                    let q = Self::bind_vals(sqlx::query(sqlx::AssertSqlSafe(sql)), vals);
                    Ok(q.execute(&self.pool).await?.rows_affected())
                })
                .await
            }
        }

        #[async_trait::async_trait]
        impl JobStore for $store {
            async fn take_lease(&self, job: &str, holder: &str, now: jiff::Timestamp, until: jiff::Timestamp) -> Result<bool> {
                let n = self
                    .job_write(
                        "INSERT INTO job_leases (job, holder, expires_at, taken_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (job) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at, \
                         taken_at = excluded.taken_at WHERE job_leases.expires_at <= excluded.taken_at",
                        &[job.into(), holder.into(), ts(&until).into(), ts(&now).into()],
                    )
                    .await?;
                Ok(n == 1)
            }

            async fn renew_lease(&self, job: &str, holder: &str, until: jiff::Timestamp) -> Result<bool> {
                let n = self
                    .job_write(
                        "UPDATE job_leases SET expires_at = $3 WHERE job = $1 AND holder = $2",
                        &[job.into(), holder.into(), ts(&until).into()],
                    )
                    .await?;
                Ok(n == 1)
            }

            async fn release_lease(&self, job: &str, holder: &str) -> Result<()> {
                self.job_write("DELETE FROM job_leases WHERE job = $1 AND holder = $2", &[job.into(), holder.into()])
                    .await?;
                Ok(())
            }

            async fn job_leases(&self) -> Result<Vec<JobLease>> {
                let rows = sqlx::query("SELECT job, holder, expires_at, taken_at FROM job_leases ORDER BY job")
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok(JobLease {
                            job: r.try_get(0)?,
                            holder: r.try_get(1)?,
                            expires_at: parse_ts(&r.try_get::<String, _>(2)?)?,
                            taken_at: parse_ts(&r.try_get::<String, _>(3)?)?,
                        })
                    })
                    .collect()
            }

            async fn start_job_run(&self, run: &JobRun) -> Result<bool> {
                let sql = format!(
                    "INSERT INTO job_runs ({JOB_RUN_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) \
                     ON CONFLICT (job, slot) DO NOTHING"
                );
                let vals: Vec<Val> = vec![
                    run.run_id.as_str().into(),
                    run.job.as_str().into(),
                    run.slot.as_str().into(),
                    run.cause.code().into(),
                    run.holder.as_str().into(),
                    run.attempts.into(),
                    ts(&run.started_at).into(),
                    run.finished_at.as_ref().map(ts).into(),
                    run.outcome.map(|o| o.code().to_string()).into(),
                    run.items.into(),
                    run.error.clone().into(),
                    run.progress_done.into(),
                    run.progress_total.into(),
                ];
                Ok(self.job_write(&sql, &vals).await? == 1)
            }

            async fn resume_job_run(&self, run_id: &str, holder: &str) -> Result<bool> {
                let n = self
                    .job_write(
                        "UPDATE job_runs SET holder = $2, attempts = attempts + 1 WHERE run_id = $1 AND outcome IS NULL",
                        &[run_id.into(), holder.into()],
                    )
                    .await?;
                Ok(n == 1)
            }

            async fn job_progress(&self, run_id: &str, holder: &str, done: i64, total: Option<i64>) -> Result<()> {
                self.job_write(
                    "UPDATE job_runs SET progress_done = $3, progress_total = $4 WHERE run_id = $1 AND holder = $2 AND outcome IS NULL",
                    &[run_id.into(), holder.into(), done.into(), total.into()],
                )
                .await?;
                Ok(())
            }

            async fn finish_job_run(&self, f: &JobFinish<'_>) -> Result<bool> {
                let n = self
                    .job_write(
                        "UPDATE job_runs SET outcome = $3, items = $4, error = $5, finished_at = $6 \
                         WHERE run_id = $1 AND holder = $2 AND outcome IS NULL",
                        &[
                            f.run_id.into(),
                            f.holder.into(),
                            f.outcome.code().into(),
                            f.items.into(),
                            f.error.map(str::to_string).into(),
                            ts(&f.at).into(),
                        ],
                    )
                    .await?;
                Ok(n == 1)
            }

            async fn job_run_for_slot(&self, job: &str, slot: &str) -> Result<Option<JobRun>> {
                Ok(self.q_job_runs(job, "slot = $2", Some(slot), "started_at", 1).await?.into_iter().next())
            }

            async fn unfinished_job_run(&self, job: &str) -> Result<Option<JobRun>> {
                Ok(self
                    .q_job_runs(job, "outcome IS NULL", None, "started_at DESC, run_id DESC", 1)
                    .await?
                    .into_iter()
                    .next())
            }

            async fn job_runs(&self, job: &str, limit: u32) -> Result<Vec<JobRun>> {
                self.q_job_runs(job, "TRUE", None, "started_at DESC, run_id DESC", limit).await
            }

            async fn prune_job_runs(&self, before: jiff::Timestamp) -> Result<u64> {
                self.job_write("DELETE FROM job_runs WHERE outcome IS NOT NULL AND started_at < $1", &[ts(&before).into()]).await
            }

            async fn last_scheduled_run(&self, job: &str) -> Result<Option<JobRun>> {
                Ok(self
                    .q_job_runs(job, "cause = $2", Some(RunCause::Schedule.code()), "slot DESC", 1)
                    .await?
                    .into_iter()
                    .next())
            }

            async fn request_job_run(&self, r: &JobRequest, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    let vals: Vec<Val> = vec![r.job.as_str().into(), ts(&r.requested_at).into(), r.requested_by.as_str().into()];
                    Self::bind_vals(sqlx::query(UPSERT_REQUEST), &vals).execute(&mut *tx).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn job_request(&self, job: &str) -> Result<Option<JobRequest>> {
                let row = sqlx::query("SELECT job, requested_at, requested_by FROM job_requests WHERE job = $1")
                    .bind(job)
                    .fetch_optional(&self.pool)
                    .await?;
                row.map(|r| {
                    Ok(JobRequest {
                        job: r.try_get(0)?,
                        requested_at: parse_ts(&r.try_get::<String, _>(1)?)?,
                        requested_by: r.try_get(2)?,
                    })
                })
                .transpose()
            }

            async fn clear_job_request(&self, job: &str, requested_at: jiff::Timestamp) -> Result<()> {
                self.job_write("DELETE FROM job_requests WHERE job = $1 AND requested_at <= $2", &[job.into(), ts(&requested_at).into()])
                    .await?;
                Ok(())
            }

            async fn job_cursor(&self, job: &str) -> Result<Option<String>> {
                let row = sqlx::query("SELECT cursor_value FROM job_cursors WHERE job = $1")
                    .bind(job)
                    .fetch_optional(&self.pool)
                    .await?;
                Ok(match row {
                    Some(r) => r.try_get(0)?,
                    None => None,
                })
            }

            async fn save_job_cursor(&self, job: &str, cursor: Option<&str>, at: jiff::Timestamp) -> Result<()> {
                self.job_write(
                    "INSERT INTO job_cursors (job, cursor_value, updated_at) VALUES ($1, $2, $3) \
                     ON CONFLICT (job) DO UPDATE SET cursor_value = excluded.cursor_value, updated_at = excluded.updated_at",
                    &[job.into(), cursor.map(str::to_string).into(), ts(&at).into()],
                )
                .await?;
                Ok(())
            }
        }
    };
}

pub(crate) use jobs_sql;
