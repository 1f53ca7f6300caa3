//! The hash-chained audit log's SQL, shared by both backends like `sql_impl`: the append every write
//! transaction makes (`append_audit`, in the caller's transaction) and `AuditStore`'s reads; and
//! `write_all`, which sends the rows of several tables as one call (the append's entries and heads, a
//! booking's rows), since a statement's round trip, not its work, is what a write costs most.

use crate::rows::Val;

/// A chain head moved past the entries appended (every chain has its head row since migration 0022).
pub(crate) const AUDIT_HEAD_UPSERT: &str =
    " ON CONFLICT (chain) DO UPDATE SET position = excluded.position, hash = excluded.hash";

/// Rows for one table, written by `write_all` with others in one call.
pub(crate) struct Write<'a> {
    pub table: &'a str,
    pub cols: &'a str,
    pub rows: &'a [Vec<Val>],
    /// After the VALUES (an `ON CONFLICT …` clause), or empty.
    pub suffix: &'a str,
}

/// One call's SQL for several writes: on PostgreSQL one statement whose data-modifying CTEs all run
/// (parameters numbered across them); on SQLite the INSERTs separated by `;`, which the connection's
/// thread runs one after the other in a single call (its `?` taken in order across them).
pub(crate) fn writes_sql(writes: &[Write<'_>], numbered: bool) -> String {
    let mut p = 0usize;
    let mut parts = Vec::new();
    for w in writes.iter().filter(|w| !w.rows.is_empty()) {
        let mut s = format!("INSERT INTO {} ({}) VALUES ", w.table, w.cols);
        for (r, row) in w.rows.iter().enumerate() {
            s.push_str(if r > 0 { ", (" } else { "(" });
            for c in 0..row.len() {
                if c > 0 {
                    s.push_str(", ");
                }
                p += 1;
                if numbered {
                    s.push('$');
                    s.push_str(&p.to_string());
                } else {
                    s.push('?');
                }
            }
            s.push(')');
        }
        s.push_str(w.suffix);
        parts.push(s);
    }
    if !numbered {
        return parts.join("; ");
    }
    let Some(last) = parts.pop() else {
        return String::new();
    };
    if parts.is_empty() {
        return last;
    }
    let ctes: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, s)| format!("w{i} AS ({s})"))
        .collect();
    format!("WITH {} {last}", ctes.join(", "))
}

macro_rules! audit_sql {
    ($store:ident) => {
        use $crate::audit::AuditStore;

        impl $store {
            /// Appends one audit entry per change to the chains of their households, in the caller's
            /// transaction: the heads locked (in chain order, so two writers never wait on each other
            /// in a cycle), then the entries and the moved heads written in one call.
            async fn append_audit(conn: &mut Conn, changes: &[(Option<&str>, &ChangeLog)]) -> Result<()> {
                let (rows, moved) = Self::link_audit(conn, changes, None).await?;
                Self::write_all(conn, &Self::audit_writes(&rows, &moved)).await
            }

            /// The audit rows for these changes, linked onto their chains, whose heads move past them
            /// (the PostgreSQL import copies the rows itself; SQLite's appends through `append_audit`).
            #[allow(dead_code)]
            async fn chain_audit(conn: &mut Conn, changes: &[(Option<&str>, &ChangeLog)]) -> Result<Vec<Vec<Val>>> {
                let (rows, moved) = Self::link_audit(conn, changes, None).await?;
                Self::insert_rows(conn, "audit_heads", "chain, position, hash", &moved, $crate::sql_audit::AUDIT_HEAD_UPSERT).await?;
                Ok(rows)
            }

            /// The writes of an append: the entries, and the heads moved past them.
            fn audit_writes<'a>(rows: &'a [Vec<Val>], moved: &'a [Vec<Val>]) -> [$crate::sql_audit::Write<'a>; 2] {
                [
                    $crate::sql_audit::Write { table: "audit_log", cols: AUDIT_COLS, rows, suffix: "" },
                    $crate::sql_audit::Write { table: "audit_heads", cols: "chain, position, hash", rows: moved, suffix: $crate::sql_audit::AUDIT_HEAD_UPSERT },
                ]
            }

            /// Links the entries of these changes onto their chains: the audit rows and the heads'
            /// new (chain, position, hash) rows, not yet written. `known`: a head the caller has
            /// already locked and read in this transaction (a booking reads it with its slot);
            /// every other head is locked and read here, all in one statement, in chain order.
            async fn link_audit(
                conn: &mut Conn,
                changes: &[(Option<&str>, &ChangeLog)],
                known: Option<(i64, (i64, String))>,
            ) -> Result<(Vec<Vec<Val>>, Vec<Vec<Val>>)> {
                use tamwin_domain::audit::{AuditContent, append, chain_for};
                let mut by_chain: std::collections::BTreeMap<i64, Vec<AuditContent>> = Default::default();
                for (hid, log) in changes {
                    let details = serde_json::json!({ "reason": log.reason, "details": log.details });
                    by_chain.entry(chain_for(*hid, &log.actor)).or_default().push(AuditContent {
                        entry_id: log.change_id.clone(),
                        at: ts(&log.at),
                        actor: log.actor.clone(),
                        role: log.role.clone(),
                        area: log.area.clone(),
                        channel: log.channel.to_string(),
                        action: log.kind.to_string(),
                        household_id: hid.map(str::to_string),
                        subject: log.member_id.clone(),
                        details: details.to_string(),
                    });
                }
                let mut heads: std::collections::BTreeMap<i64, (i64, String)> = known.into_iter().collect();
                // Every other head this transaction appends to, locked in one statement in chain
                // order: a bulk import batch touches hundreds of chains.
                let chains: Vec<i64> = by_chain.keys().copied().filter(|c| !heads.contains_key(c)).collect();
                if !chains.is_empty() {
                    let marks: Vec<String> =
                        (1..=chains.len()).map(|i| if Self::NUMBERED_PARAMS { format!("${i}") } else { "?".into() }).collect();
                    let sql = format!(
                        "SELECT chain, position, hash FROM audit_heads WHERE chain IN ({}) ORDER BY chain{}",
                        marks.join(", "),
                        Self::LOCK_HEADS
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for c in &chains {
                        q = q.bind(*c);
                    }
                    for r in q.fetch_all(&mut *conn).await? {
                        heads.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
                    }
                }
                let mut rows = Vec::new();
                let mut moved: Vec<Vec<Val>> = Vec::new();
                for (chain, contents) in by_chain {
                    let (mut position, mut hash) = heads
                        .remove(&chain)
                        .ok_or_else(|| StoreError::Database(format!("audit chain {chain} has no head row")))?;
                    for c in contents {
                        let e = append(chain, (position, &hash), c);
                        position = e.position;
                        hash = e.hash.clone();
                        rows.push(audit_vals(&e));
                    }
                    moved.push(vec![chain.into(), position.into(), hash.into()]);
                }
                Ok((rows, moved))
            }

            /// Writes the rows of several tables in one call (`sql_audit::writes_sql`); more rows than
            /// one statement should carry go table by table in multi-row statements instead.
            async fn write_all(conn: &mut Conn, writes: &[$crate::sql_audit::Write<'_>]) -> Result<()> {
                let params: usize = writes.iter().flat_map(|w| w.rows.iter()).map(Vec::len).sum();
                if params > $crate::sql_impl::PARAMS_PER_STATEMENT {
                    for w in writes {
                        Self::insert_rows(&mut *conn, w.table, w.cols, w.rows, w.suffix).await?;
                    }
                    return Ok(());
                }
                if params == 0 {
                    return Ok(());
                }
                let sql = $crate::sql_audit::writes_sql(writes, Self::NUMBERED_PARAMS);
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for row in writes.iter().flat_map(|w| w.rows.iter()) {
                    q = Self::bind_vals(q, row);
                }
                q.execute(&mut *conn).await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl AuditStore for $store {
            async fn audit_head(&self, chain: i64) -> Result<(i64, String)> {
                let r = sqlx::query("SELECT position, hash FROM audit_heads WHERE chain = $1")
                    .bind(chain)
                    .fetch_one(&self.pool)
                    .await?;
                Ok((r.try_get(0)?, r.try_get(1)?))
            }

            async fn audit_heads(&self) -> Result<Vec<(i64, i64, String)>> {
                let rows = sqlx::query("SELECT chain, position, hash FROM audit_heads ORDER BY chain").fetch_all(&self.pool).await?;
                rows.iter().map(|r| Ok((r.try_get(0)?, r.try_get(1)?, r.try_get(2)?))).collect()
            }

            async fn audit_page(&self, chain: i64, after: i64, limit: u32) -> Result<Vec<tamwin_domain::audit::AuditEntry>> {
                let rows = sqlx::query(concat!(
                    "SELECT chain, position, entry_id, at, actor, role, area, channel, action, household_id, subject, ",
                    "details, prev_hash, hash FROM audit_log WHERE chain = $1 AND position > $2 ORDER BY position LIMIT $3"
                ))
                .bind(chain)
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        Ok(tamwin_domain::audit::AuditEntry {
                            chain: r.try_get(0)?,
                            position: r.try_get(1)?,
                            prev_hash: r.try_get(12)?,
                            hash: r.try_get(13)?,
                            content: tamwin_domain::audit::AuditContent {
                                entry_id: r.try_get(2)?,
                                at: r.try_get(3)?,
                                actor: r.try_get(4)?,
                                role: r.try_get(5)?,
                                area: r.try_get(6)?,
                                channel: r.try_get(7)?,
                                action: r.try_get(8)?,
                                household_id: r.try_get(9)?,
                                subject: r.try_get(10)?,
                                details: r.try_get(11)?,
                            },
                        })
                    })
                    .collect()
            }

            async fn audit_hash_exists(&self, chain: i64, hash: &str) -> Result<bool> {
                let r = sqlx::query("SELECT COUNT(*) FROM audit_log WHERE chain = $1 AND hash = $2")
                    .bind(chain)
                    .bind(hash)
                    .fetch_one(&self.pool)
                    .await?;
                Ok(r.try_get::<i64, _>(0)? > 0)
            }

            async fn record_reads(&self, reads: &[(HouseholdId, ChangeLog)]) -> Result<()> {
                if reads.is_empty() {
                    return Ok(());
                }
                let entries: Vec<(Option<&str>, &ChangeLog)> =
                    reads.iter().map(|(h, l)| (Some(h.as_str()), l)).collect();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    Self::append_audit(&mut tx, &entries).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn household_audit(
                &self,
                household_id: &HouseholdId,
                actions: &[&str],
                limit: u32,
            ) -> Result<Vec<tamwin_domain::audit::AuditContent>> {
                if actions.is_empty() {
                    return Ok(vec![]);
                }
                let marks: Vec<String> = (0..actions.len()).map(|i| format!("${}", i + 2)).collect();
                let sql = format!(
                    "SELECT entry_id, at, actor, role, area, channel, action, household_id, subject, details FROM audit_log \
                     WHERE household_id = $1 AND action IN ({}) ORDER BY at DESC LIMIT {}",
                    marks.join(", "),
                    limit.clamp(1, 1000)
                );
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(household_id.as_str());
                for a in actions {
                    q = q.bind(*a);
                }
                q.fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok(tamwin_domain::audit::AuditContent {
                            entry_id: r.try_get(0)?,
                            at: r.try_get(1)?,
                            actor: r.try_get(2)?,
                            role: r.try_get(3)?,
                            area: r.try_get(4)?,
                            channel: r.try_get(5)?,
                            action: r.try_get(6)?,
                            household_id: r.try_get(7)?,
                            subject: r.try_get(8)?,
                            details: r.try_get(9)?,
                        })
                    })
                    .collect()
            }

            async fn household_reads(
                &self,
                household_id: &HouseholdId,
                before: Option<(&str, &str)>,
                limit: u32,
            ) -> Result<Vec<$crate::HouseholdReadRow>> {
                // A read is its own row (grouped by its entry id); list appearances group by actor and day.
                let sql = format!(
                    "SELECT last_at, first_at, actor, role, area, channel, action, n, grp FROM ( \
                     SELECT MAX(at) AS last_at, MIN(at) AS first_at, actor, role, area, channel, action, COUNT(*) AS n, grp FROM ( \
                     SELECT at, actor, role, area, channel, action, \
                     CASE WHEN action LIKE '%.listed' THEN substr(at, 1, 10) || ' ' || actor || ' ' || role || ' ' || area || ' ' || channel \
                     ELSE entry_id END AS grp FROM audit_log \
                     WHERE household_id = $1 AND role <> 'citizen' AND (action LIKE '%.read' OR action LIKE '%.listed')) r \
                     GROUP BY grp, actor, role, area, channel, action) g \
                     WHERE $2 = '' OR last_at < $2 OR (last_at = $2 AND grp < $3) \
                     ORDER BY last_at DESC, grp DESC LIMIT {}",
                    limit.clamp(1, 1000)
                );
                let (at, key) = before.unwrap_or(("", ""));
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(household_id.as_str())
                    .bind(at)
                    .bind(key)
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| {
                        Ok($crate::HouseholdReadRow {
                            last_at: r.try_get(0)?,
                            first_at: r.try_get(1)?,
                            actor: r.try_get(2)?,
                            role: r.try_get(3)?,
                            area: r.try_get(4)?,
                            channel: r.try_get(5)?,
                            action: r.try_get(6)?,
                            count: r.try_get(7)?,
                            group_key: r.try_get(8)?,
                        })
                    })
                    .collect()
            }
        }
    };
}
pub(crate) use audit_sql;
