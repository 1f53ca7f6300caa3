//! `CycleStore` for both backends, like `sql_impl`. Generation and the dry run share one `SELECT`
//! (`sql_counting::counting_rows`): households of an area with the members counted in the month, less
//! those a rule excludes, one row per household.

pub(crate) const CYCLE_COLS: &str = "cycle_id, programme, version, month, governorate_code, status, drafted_by, drafted_at, \
    approved_by, approved_at, generated_at, generation_run, households, persons, error, opened_by, opened_at, closed_by, closed_at";

pub(crate) const ENTITLEMENT_COLS: &str = "household_id, cycle_id, persons, counted, categories, district_code, agent_code, suspended_persons, suspended_whole";

macro_rules! cycles_sql {
    ($store:ident) => {
        use $crate::cycles::{AreaTotal, CountChange, Counting, Cycle, CycleFilter, CycleMove, CycleStore, Entitlement, Generated};
        use tamwin_domain::programme::CycleStatus;

        impl $store {
            fn cycle_from_row(r: &DbRow) -> Result<Cycle> {
                let month: String = r.try_get("month")?;
                let status: String = r.try_get("status")?;
                Ok(Cycle {
                    cycle_id: r.try_get("cycle_id")?,
                    programme: r.try_get("programme")?,
                    version: r.try_get("version")?,
                    month: parse_month("cycles.month", &month)?,
                    governorate: r.try_get("governorate_code")?,
                    status: CycleStatus::parse(&status).ok_or_else(|| corrupt("cycles.status", &status))?,
                    drafted_by: r.try_get("drafted_by")?,
                    drafted_at: parse_ts(&r.try_get::<String, _>("drafted_at")?)?,
                    approved_by: r.try_get("approved_by")?,
                    approved_at: parse_opt_ts(r.try_get("approved_at")?)?,
                    generated_at: parse_opt_ts(r.try_get("generated_at")?)?,
                    generation_run: r.try_get("generation_run")?,
                    households: r.try_get("households")?,
                    persons: r.try_get("persons")?,
                    error: r.try_get("error")?,
                    opened_by: r.try_get("opened_by")?,
                    opened_at: parse_opt_ts(r.try_get("opened_at")?)?,
                    closed_by: r.try_get("closed_by")?,
                    closed_at: parse_opt_ts(r.try_get("closed_at")?)?,
                })
            }

            fn entitlement_from_row(r: &DbRow) -> Result<Entitlement> {
                let counted: String = r.try_get("counted")?;
                let mut nos = counted
                    .split(' ')
                    .map(|n| n.parse::<i64>().map_err(|_| corrupt("entitlements.counted", &counted)))
                    .collect::<Result<Vec<_>>>()?;
                nos.sort_unstable();
                Ok(Entitlement {
                    household_id: HouseholdId::from(r.try_get::<String, _>("household_id")?),
                    cycle_id: r.try_get("cycle_id")?,
                    persons: r.try_get("persons")?,
                    counted: nos,
                    categories: r.try_get("categories")?,
                    district: r.try_get("district_code")?,
                    agent: r.try_get("agent_code")?,
                    suspended_persons: r.try_get("suspended_persons")?,
                    suspended_whole: r.try_get("suspended_whole")?,
                })
            }

            /// Brings the rosters of these households up to date with their members and holds.
            pub(crate) async fn refresh_rosters(conn: &mut Conn, ids: &[&str]) -> Result<()> {
                for chunk in ids.chunks(500) {
                    let sql = $crate::sql_counting::refresh_rosters(chunk.len());
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(*id);
                    }
                    q.execute(&mut *conn).await?;
                }
                Ok(())
            }

            async fn cycle_in(conn: &mut Conn, cycle_id: &str) -> Result<Option<Cycle>> {
                let sql = format!("SELECT {} FROM cycles WHERE cycle_id = $1", $crate::sql_cycles::CYCLE_COLS);
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(cycle_id)
                    .fetch_optional(&mut *conn)
                    .await?
                    .as_ref()
                    .map(Self::cycle_from_row)
                    .transpose()
            }
        }

        #[async_trait::async_trait]
        impl CycleStore for $store {
            async fn draft_cycle(&self, c: &Cycle, log: &ChangeLog) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    sqlx::query(concat!(
                        "INSERT INTO cycles (cycle_id, programme, version, month, governorate_code, status, drafted_by, drafted_at) ",
                        "VALUES ($1, $2, $3, $4, $5, 'draft', $6, $7)"
                    ))
                    .bind(c.cycle_id.as_str())
                    .bind(c.programme.as_str())
                    .bind(c.version)
                    .bind(c.month.to_string())
                    .bind(c.governorate.as_str())
                    .bind(c.drafted_by.as_str())
                    .bind(ts(&c.drafted_at))
                    .execute(&mut *tx)
                    .await?;
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn cycle(&self, cycle_id: &str) -> Result<Option<Cycle>> {
                let mut conn = self.pool.acquire().await?;
                Self::cycle_in(&mut conn, cycle_id).await
            }

            async fn cycles(&self, f: &CycleFilter) -> Result<Vec<Cycle>> {
                let sql = format!(
                    "SELECT {} FROM cycles WHERE ($1 IS NULL OR programme = $1) AND ($2 IS NULL OR month = $2) \
                     AND ($3 IS NULL OR governorate_code = $3) AND ($4 IS NULL OR status = $4) \
                     ORDER BY month DESC, programme, governorate_code LIMIT 1000",
                    $crate::sql_cycles::CYCLE_COLS
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(f.programme.as_deref())
                    .bind(f.month.map(|m| m.to_string()))
                    .bind(f.governorate.as_deref())
                    .bind(f.status.map(|s| s.code()))
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(Self::cycle_from_row)
                    .collect()
            }

            async fn move_cycle(&self, m: &CycleMove<'_>) -> Result<bool> {
                let (who, when) = match m.to {
                    CycleStatus::Approved => ("approved_by", "approved_at"),
                    CycleStatus::Open => ("opened_by", "opened_at"),
                    CycleStatus::Closed => ("closed_by", "closed_at"),
                    other => return Err(StoreError::Database(format!("a cycle is not moved to {}", other.code()))),
                };
                // Approving again after a failed generation starts it afresh.
                let sql = format!(
                    "UPDATE cycles SET status = $1, {who} = $2, {when} = $3, \
                     error = CASE WHEN $4 = 'failed' THEN NULL ELSE error END, \
                     generation_run = CASE WHEN $4 = 'failed' THEN NULL ELSE generation_run END \
                     WHERE cycle_id = $5 AND status = $4"
                );
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(sqlx::AssertSqlSafe(sql.as_str()))
                        .bind(m.to.code())
                        .bind(m.by)
                        .bind(ts(&m.at))
                        .bind(m.from.code())
                        .bind(m.cycle_id)
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    Self::append_audit(&mut tx, &[(None, m.log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn generate_cycles(
                &self,
                cycle_ids: &[String],
                counting: Counting<'_>,
                run: &str,
                at: jiff::Timestamp,
                progress: &(dyn Fn(u64, u64) + Send + Sync),
                logs: &[ChangeLog],
            ) -> Result<Generated> {
                let Some(first) = cycle_ids.first() else {
                    return Ok(Generated::NoSuchCycle);
                };
                let mut tx = self.begin_write().await?;
                if Self::BACKEND == Backend::Postgres {
                    // Attaching the partition adds its key to cycles, which takes this lock; taken
                    // first, a second generation waits here holding nothing, instead of holding a
                    // row of cycles the first one's attachment then waits for (a deadlock).
                    sqlx::query("LOCK TABLE cycles IN SHARE ROW EXCLUSIVE MODE").execute(&mut *tx).await?;
                }
                // Claims the cycles: a second generation waits here for the first to commit, then finds
                // them generated and writes nothing.
                let mut claimed = 0u64;
                for id in cycle_ids {
                    claimed += sqlx::query(
                        "UPDATE cycles SET generation_run = $2 WHERE cycle_id = $1 AND status = 'approved' AND generated_at IS NULL",
                    )
                    .bind(id.as_str())
                    .bind(run)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                }
                let Some(cycle) = Self::cycle_in(&mut tx, first).await? else {
                    return Ok(Generated::NoSuchCycle);
                };
                if cycle.generation_run.as_deref() != Some(run) || cycle.generated_at.is_some() {
                    return Ok(Generated::NotPending(cycle.status));
                }
                progress(0, claimed);
                let mine: Vec<(String, String)> =
                    // Those claimed now: a run's name may have claimed cycles generated before.
                    sqlx::query("SELECT cycle_id, governorate_code FROM cycles WHERE generation_run = $1 AND generated_at IS NULL ORDER BY cycle_id")
                        .bind(run)
                        .fetch_all(&mut *tx)
                        .await?
                        .iter()
                        .map(|r| Ok((r.try_get::<String, _>(0)?, r.try_get::<String, _>(1)?)))
                        .collect::<Result<_>>()?;
                // PostgreSQL: into a table of this generation's own, indexed once loaded and attached as
                // the partition of its cycles (migration 0026), all inside this transaction.
                let target = match Self::BACKEND {
                    Backend::Postgres => {
                        // Named after its first cycle: a cycle is generated once, a run's name may repeat.
                        let first = mine.first().map(|(c, _)| c.as_str()).unwrap_or(cycle.cycle_id.as_str());
                        let stage = $crate::sql_counting::partition_name(first);
                        let ids = $crate::sql_counting::literals(mine.iter().map(|(c, _)| c.as_str()));
                        for ddl in [
                            format!("CREATE TABLE {stage} (LIKE entitlements INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"),
                            // Lets the attachment skip checking every row against the partition's bounds.
                            format!("ALTER TABLE {stage} ADD CONSTRAINT {stage}_cycles CHECK (cycle_id IN ({ids}))"),
                        ] {
                            sqlx::query(sqlx::AssertSqlSafe(ddl)).execute(&mut *tx).await?;
                        }
                        stage
                    }
                    Backend::Sqlite => "entitlements".to_string(),
                };
                // One statement for every cycle claimed: the households of their governorates are read
                // once. The governorates and their cycles are bound as values, so that each engine
                // plans a plain filter. SQLite plans the single-governorate filter far better than an
                // IN list in an INSERT: a statement per cycle there (SQLite is the embedded default,
                // one governorate).
                let batches: Vec<Vec<(String, String)>> = match Self::BACKEND {
                    Backend::Sqlite => mine.iter().map(|x| vec![x.clone()]).collect(),
                    Backend::Postgres => vec![mine.clone()],
                };
                for mine in &batches {
                    let n = mine.len();
                    let govs: Vec<String> = (0..n).map(|i| format!("${}", 2 + i)).collect();
                    let cases: Vec<String> = (0..n).map(|i| format!("WHEN ${} THEN ${}", 2 + i, 2 + n + i)).collect();
                    let (rules_sql, rule_vals) = $crate::sql_counting::exclusions(counting.rules, 2 + 2 * n);
                    let area = match n {
                        1 => "h.governorate_code = $2".to_string(),
                        _ => format!("h.governorate_code IN ({})", govs.join(", ")),
                    };
                    let insert = format!(
                        "INSERT INTO {target} ({}) SELECT g.household_id, CASE g.governorate_code {} END, g.persons, g.counted, \
                         g.categories, g.district_code, g.agent_code, 0, g.suspended_whole FROM ({}) g",
                        $crate::sql_cycles::ENTITLEMENT_COLS,
                        cases.join(" "),
                        $crate::sql_counting::counting_rows(&area, &rules_sql)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(insert.as_str())).bind(counting.month.to_string());
                    for (_, g) in mine.iter() {
                        q = q.bind(g.as_str());
                    }
                    for (c, _) in mine.iter() {
                        q = q.bind(c.as_str());
                    }
                    Self::bind_vals(q, &rule_vals).execute(&mut *tx).await?;
                }
                if Self::BACKEND == Backend::Postgres {
                    let ids = $crate::sql_counting::literals(mine.iter().map(|(c, _)| c.as_str()));
                    for ddl in [
                        format!("ALTER TABLE {target} ADD PRIMARY KEY (household_id, cycle_id)"),
                        format!("CREATE INDEX ON {target} (cycle_id, district_code)"),
                        format!("ALTER TABLE entitlements ATTACH PARTITION {target} FOR VALUES IN ({ids})"),
                    ] {
                        sqlx::query(sqlx::AssertSqlSafe(ddl)).execute(&mut *tx).await?;
                    }
                }
                // Each cycle's totals, counted once over what was just written.
                let marks: Vec<String> = (0..mine.len()).map(|i| format!("${}", 1 + i)).collect();
                let totals = format!(
                    "SELECT cycle_id, COUNT(*), CAST(SUM(persons) AS BIGINT) FROM {target} WHERE cycle_id IN ({}) GROUP BY cycle_id",
                    marks.join(", ")
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(totals));
                for (c, _) in &mine {
                    q = q.bind(c.as_str());
                }
                let totals: Vec<(String, i64, i64)> = q
                    .fetch_all(&mut *tx)
                    .await?
                    .iter()
                    .map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?)))
                    .collect::<Result<_>>()?;
                for (c, _) in &mine {
                    let (h, p) = totals.iter().find(|t| &t.0 == c).map_or((0, 0), |t| (t.1, t.2));
                    sqlx::query("UPDATE cycles SET generated_at = $2, households = $3, persons = $4 WHERE cycle_id = $1 AND generated_at IS NULL")
                        .bind(c.as_str())
                        .bind(ts(&at))
                        .bind(h)
                        .bind(p)
                        .execute(&mut *tx)
                        .await?;
                }
                let mut done = vec![];
                for (c, _) in &mine {
                    let (h, p) = totals.iter().find(|t| &t.0 == c).map_or((0, 0), |t| (t.1, t.2));
                    done.push((c.clone(), h, p));
                }
                let written: Vec<(Option<&str>, &ChangeLog)> = logs
                    .iter()
                    .filter(|l| l.member_id.as_deref().is_some_and(|id| done.iter().any(|(c, _, _)| c == id)))
                    .map(|l| (None, l))
                    .collect();
                Self::append_audit(&mut tx, &written).await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                progress(claimed, claimed);
                Ok(Generated::Done { cycles: done })
            }

            async fn fail_generation(&self, cycle_id: &str, error: &str, log: &ChangeLog) -> Result<bool> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let n = sqlx::query(
                        "UPDATE cycles SET status = 'failed', error = $2 WHERE cycle_id = $1 AND status = 'approved' AND generated_at IS NULL",
                    )
                    .bind(cycle_id)
                    .bind(error)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                    if n != 1 {
                        return Ok(false);
                    }
                    Self::append_audit(&mut tx, &[(None, log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(true)
                })
                .await
            }

            async fn dry_run(&self, governorate: Option<&str>, counting: Counting<'_>) -> Result<Vec<AreaTotal>> {
                // The nation's: no area, and the rules' values from $2.
                let (area, first) = match governorate {
                    Some(_) => ("h.governorate_code = $2", 3),
                    None => ("TRUE", 2),
                };
                let (rules_sql, rule_vals) = $crate::sql_counting::exclusions(counting.rules, first);
                let sql = format!(
                    "SELECT district_code, agent_code, categories, suspended_whole, COUNT(*) AS households, \
                     CAST(SUM(persons) AS BIGINT) AS persons FROM ({}) g \
                     GROUP BY district_code, agent_code, categories, suspended_whole \
                     ORDER BY district_code, agent_code, categories, suspended_whole",
                    $crate::sql_counting::counting_rows(area, &rules_sql)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(counting.month.to_string());
                if let Some(g) = governorate {
                    q = q.bind(g);
                }
                let q = Self::bind_vals(q, &rule_vals);
                let mut tx = self.begin_read().await?;
                let rows = q.fetch_all(&mut *tx).await?;
                tx.commit().await?;
                rows.iter()
                    .map(|r| {
                        Ok(AreaTotal {
                            district: r.try_get("district_code")?,
                            agent: r.try_get("agent_code")?,
                            categories: r.try_get("categories")?,
                            suspended: r.try_get("suspended_whole")?,
                            households: r.try_get("households")?,
                            persons: r.try_get("persons")?,
                        })
                    })
                    .collect()
            }

            async fn dry_run_changes(&self, governorate: &str, counting: Counting<'_>, previous: &str) -> Result<Vec<CountChange>> {
                let (rules_sql, rule_vals) = $crate::sql_counting::exclusions(counting.rules, 3);
                let prev_param = 3 + rule_vals.len();
                let sql = format!(
                    "SELECT h.household_id AS household_id, h.card_number AS card_number, h.district_code AS district_code, \
                     g.persons AS persons_after, g.counted AS counted_after, p.persons AS persons_before, p.counted AS counted_before \
                     FROM ({}) g \
                     FULL OUTER JOIN (SELECT household_id, persons, counted FROM entitlements WHERE cycle_id = ${prev_param}) p \
                     ON p.household_id = g.household_id \
                     JOIN households h ON h.household_id = COALESCE(g.household_id, p.household_id) \
                     WHERE g.household_id IS NULL OR p.household_id IS NULL OR g.counted <> p.counted \
                     ORDER BY h.district_code, h.card_number",
                    $crate::sql_counting::counting_rows("h.governorate_code = $2", &rules_sql)
                );
                let q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(counting.month.to_string()).bind(governorate);
                let q = Self::bind_vals(q, &rule_vals).bind(previous);
                let mut tx = self.begin_read().await?;
                let rows = q.fetch_all(&mut *tx).await?;
                tx.commit().await?;
                let nos = |v: Option<String>| -> Result<Vec<i64>> {
                    v.map(|c| {
                        c.split(' ')
                            .map(|n| n.parse::<i64>().map_err(|_| corrupt("entitlements.counted", &c)))
                            .collect::<Result<Vec<_>>>()
                    })
                    .transpose()
                    .map(Option::unwrap_or_default)
                };
                rows.iter()
                    .map(|r| {
                        Ok(CountChange {
                            household_id: HouseholdId::from(r.try_get::<String, _>("household_id")?),
                            card_number: r.try_get("card_number")?,
                            district: r.try_get("district_code")?,
                            persons_before: r.try_get("persons_before")?,
                            counted_before: nos(r.try_get("counted_before")?)?,
                            persons_after: r.try_get("persons_after")?,
                            counted_after: nos(r.try_get("counted_after")?)?,
                        })
                    })
                    .collect()
            }

            async fn entitlement(&self, household_id: &HouseholdId, cycle_id: &str) -> Result<Option<Entitlement>> {
                let sql = format!(
                    "SELECT {} FROM entitlements WHERE household_id = $1 AND cycle_id = $2",
                    $crate::sql_cycles::ENTITLEMENT_COLS
                );
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(household_id.as_str())
                    .bind(cycle_id)
                    .fetch_optional(&self.pool)
                    .await?
                    .as_ref()
                    .map(Self::entitlement_from_row)
                    .transpose()
            }

            async fn household_entitlements(
                &self,
                household_id: &HouseholdId,
                statuses: &[CycleStatus],
            ) -> Result<Vec<(Cycle, Entitlement)>> {
                let cycle_cols: Vec<String> = $crate::sql_cycles::CYCLE_COLS
                    .split(',')
                    .map(|c| format!("c.{}", c.trim()))
                    .collect();
                let ent_cols: Vec<String> = $crate::sql_cycles::ENTITLEMENT_COLS
                    .split(',')
                    .filter(|c| !matches!(c.trim(), "cycle_id"))
                    .map(|c| format!("e.{}", c.trim()))
                    .collect();
                let codes: Vec<&str> = statuses.iter().map(|s| s.code()).collect();
                let sql = format!(
                    "SELECT {}, {} FROM entitlements e JOIN cycles c ON c.cycle_id = e.cycle_id \
                     WHERE e.household_id = $1 ORDER BY c.month DESC, c.programme",
                    cycle_cols.join(", "),
                    ent_cols.join(", ")
                );
                let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(household_id.as_str())
                    .fetch_all(&self.pool)
                    .await?;
                let mut out = vec![];
                for r in &rows {
                    let c = Self::cycle_from_row(r)?;
                    if codes.contains(&c.status.code()) {
                        out.push((c, Self::entitlement_from_row(r)?));
                    }
                }
                Ok(out)
            }
        }
    };
}

pub(crate) use cycles_sql;
