//! The hash-chained audit log's SQL, shared by both backends like `sql_impl`: the append every write
//! transaction makes (`append_audit`, in the caller's transaction) and `AuditStore`'s reads.

macro_rules! audit_sql {
    ($store:ident) => {
        use $crate::audit::AuditStore;

        impl $store {
            /// Appends one audit entry per change to the chains of their households, in the caller's
            /// transaction. Heads are locked in chain order, so two writers never wait on each other in a cycle.
            async fn append_audit(conn: &mut Conn, changes: &[(Option<&str>, &ChangeLog)]) -> Result<()> {
                let rows = Self::chain_audit(conn, changes).await?;
                Self::insert_rows(conn, "audit_log", AUDIT_COLS, &rows, "").await?;
                Ok(())
            }

            /// The audit rows for these changes, linked onto their chains, whose heads move past them.
            async fn chain_audit(conn: &mut Conn, changes: &[(Option<&str>, &ChangeLog)]) -> Result<Vec<Vec<Val>>> {
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
                // Every head this transaction appends to, locked in one statement in chain order (so
                // two writers never wait on each other in a cycle), then moved in one statement: a bulk
                // import batch touches hundreds of chains.
                let chains: Vec<i64> = by_chain.keys().copied().collect();
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
                let mut heads: std::collections::BTreeMap<i64, (i64, String)> = Default::default();
                for r in q.fetch_all(&mut *conn).await? {
                    heads.insert(r.try_get(0)?, (r.try_get(1)?, r.try_get(2)?));
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
                Self::insert_rows(conn, "audit_heads", "chain, position, hash", &moved, &upsert_suffix("chain, position, hash", &["chain"]))
                    .await?;
                Ok(rows)
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

            async fn record_reads(&self, reads: &[(String, ChangeLog)]) -> Result<()> {
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
                household_id: &str,
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
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(household_id);
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
                household_id: &str,
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
                    .bind(household_id)
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
