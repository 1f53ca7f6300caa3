//! `HouseholdStore` for both backends, like `sql_impl`: the registry's writes under optimistic versioning and its reads.

macro_rules! households_sql {
    ($store:ident) => {
        impl $store {
            fn household_cols(r: &DbRow) -> std::result::Result<HouseholdCols, sqlx::Error> {
                Ok(HouseholdCols {
                    household_id: r.try_get("household_id")?,
                    card_number: r.try_get("card_number")?,
                    governorate: r.try_get("governorate_code")?,
                    district: r.try_get("district_code")?,
                    address: r.try_get("address")?,
                    agent_code: r.try_get("agent_code")?,
                    flour_agent_code: r.try_get("flour_agent_code")?,
                    state: r.try_get("state")?,
                    head_member_id: r.try_get("head_member_id")?,
                    version: r.try_get("version")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                    closed_at: r.try_get("closed_at")?,
                    phone: r.try_get("phone")?,
                })
            }

            async fn create_once(&self, rec: &HouseholdRecord, log: &ChangeLog, idem: Option<&IdemEntry>) -> Result<()> {
                let mut tx = self.begin_write().await?;
                // The key first: a concurrent retry of the same request waits on it and then fails on
                // it, rather than on the household's own constraints, and so gets the stored answer.
                if let Some(e) = idem {
                    Self::insert_idem(&mut tx, e).await?;
                }
                Self::insert_records(&mut tx, std::slice::from_ref(rec), std::slice::from_ref(log)).await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(())
            }

            async fn change_once(&self, c: &HouseholdChange, idem: Option<&IdemEntry>) -> Result<()> {
                let h = &c.household;
                let hid = h.household_id.as_str();
                let mut tx = self.begin_write().await?;
                if let Some(e) = idem {
                    Self::insert_idem(&mut tx, e).await?;
                }
                let done = sqlx::query(concat!(
                    "UPDATE households SET address = $1, agent_code = $2, state = $3, head_member_id = $4, version = $5, ",
                    "updated_at = $6, closed_at = $7, phone = $10 WHERE household_id = $8 AND version = $9"
                ))
                .bind(h.address.as_str())
                .bind(h.agent_code.as_deref())
                .bind(h.state.code())
                .bind(h.head_member_id.as_str())
                .bind(h.version)
                .bind(ts(&h.updated_at))
                .bind(h.closed_at.as_ref().map(ts))
                .bind(hid)
                .bind(c.expected_version)
                .bind(h.phone.as_ref().map(|p| p.as_str()))
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::Conflict(Conflict::VersionMismatch, format!("household {hid} changed meanwhile")));
                }
                for n in &c.national_ids_removed {
                    sqlx::query("DELETE FROM national_id_index WHERE national_id = $1 AND household_id = $2")
                        .bind(n.as_str())
                        .bind(hid)
                        .execute(&mut *tx)
                        .await?;
                }
                // A head steps down before another steps up: the one-head index is checked row by row.
                let mut members: Vec<&tamwin_domain::Member> = c.members.iter().collect();
                members.sort_by_key(|m| m.relation == Relation::Head && m.presence == Presence::Present);
                // A member new to the card counts from the next cycle; one removed counts up to the
                // cycle of the month it was removed in (docs/distribution.md).
                let month = tamwin_domain::programme::CycleMonth::in_iraq(c.log.at);
                let next = Val::Text(month.next().to_string());
                let cols = format!("{MEMBER_COLS}, counts_from");
                let update = upsert_suffix(MEMBER_COLS, &["household_id", "member_id"]);
                for m in members {
                    let mut row = member_vals(hid, m);
                    row.push(next.clone());
                    Self::insert_rows(&mut tx, "members", &cols, &[row], &update).await?;
                }
                sqlx::query(concat!(
                    "UPDATE members SET left_in = CASE WHEN presence = 'removed' THEN $2 ELSE NULL END ",
                    "WHERE household_id = $1 AND ((presence = 'removed' AND left_in IS NULL) OR (presence = 'present' AND left_in IS NOT NULL))"
                ))
                .bind(hid)
                .bind(month.to_string())
                .execute(&mut *tx)
                .await?;
                let ids: Vec<Vec<Val>> = c
                    .national_ids_added
                    .iter()
                    .map(|(n, m)| vec![n.as_str().into(), hid.into(), m.as_str().into()])
                    .collect();
                Self::insert_rows(&mut tx, "national_id_index", "national_id, household_id, member_id", &ids, "").await?;
                let holds: Vec<Vec<Val>> = c.holds.iter().map(|x| hold_vals(hid, x)).collect();
                Self::insert_rows(&mut tx, "holds", HOLD_COLS, &holds, &upsert_suffix(HOLD_COLS, &["household_id", "hold_id"]))
                    .await?;
                Self::refresh_rosters(&mut tx, &[hid]).await?;
                sqlx::query($crate::sql_counting::REFRESH_SUSPENSION).bind(hid).execute(&mut *tx).await?;
                Self::insert_rows(&mut tx, "household_changes", CHANGE_COLS, &[change_vals(hid, &c.log)], "").await?;
                Self::append_audit(&mut tx, &[(Some(hid), &c.log)]).await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(())
            }

            async fn household_id_where(&self, sql: &'static str, key: &str) -> Result<Option<HouseholdId>> {
                let row = sqlx::query(sql).bind(key).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(r.try_get::<String, _>(0)?.into()),
                    None => None,
                })
            }

            /// Rows of every table for new households, in the order the constraints need.
            async fn insert_records(conn: &mut Conn, recs: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()> {
                let households: Vec<Vec<Val>> = recs.iter().map(new_household_vals).collect();
                Self::insert_rows(conn, "households", NEW_HOUSEHOLD_COLS, &households, "").await?;
                let cards: Vec<Vec<Val>> = recs
                    .iter()
                    .map(|r| vec![r.household.card_number.as_str().into(), r.household.household_id.as_str().into()])
                    .collect();
                Self::insert_rows(conn, "card_index", "card_number, household_id", &cards, "").await?;
                let members: Vec<Vec<Val>> = recs
                    .iter()
                    .flat_map(|r| r.members.iter().map(move |m| member_vals(&r.household.household_id, m)))
                    .collect();
                Self::insert_rows(conn, "members", MEMBER_COLS, &members, "").await?;
                let ids: Vec<Vec<Val>> = recs
                    .iter()
                    .filter(|r| r.household.closed_at.is_none())
                    .flat_map(|r| {
                        r.members.iter().filter(|m| m.presence == Presence::Present).filter_map(move |m| {
                            m.national_id.as_ref().map(|n| {
                                vec![n.as_str().into(), r.household.household_id.as_str().into(), m.member_id.as_str().into()]
                            })
                        })
                    })
                    .collect();
                Self::insert_rows(conn, "national_id_index", "national_id, household_id, member_id", &ids, "").await?;
                let holds: Vec<Vec<Val>> = recs
                    .iter()
                    .flat_map(|r| r.holds.iter().map(move |h| hold_vals(&r.household.household_id, h)))
                    .collect();
                Self::insert_rows(conn, "holds", HOLD_COLS, &holds, "").await?;
                let changes: Vec<Vec<Val>> =
                    recs.iter().zip(logs).map(|(r, l)| change_vals(&r.household.household_id, l)).collect();
                Self::insert_rows(conn, "household_changes", CHANGE_COLS, &changes, "").await?;
                let audit: Vec<(Option<&str>, &ChangeLog)> =
                    recs.iter().zip(logs).map(|(r, l)| (Some(r.household.household_id.as_str()), l)).collect();
                Self::append_audit(conn, &audit).await
            }
        }

        #[async_trait::async_trait]
        impl $crate::HouseholdStore for $store {
            async fn create_household(&self, rec: &HouseholdRecord, log: &ChangeLog, idem: Option<&IdemEntry>) -> Result<()> {
                with_retry(|| self.create_once(rec, log, idem)).await
            }

            async fn save_change(&self, change: &HouseholdChange, idem: Option<&IdemEntry>) -> Result<()> {
                with_retry(|| self.change_once(change, idem)).await
            }

            async fn household_by_card(&self, card: &CardNumber) -> Result<Option<HouseholdRecord>> {
                self.load_by_card(card.as_str()).await
            }

            async fn household_id_by_card(&self, card: &CardNumber) -> Result<Option<HouseholdId>> {
                self.household_id_where("SELECT household_id FROM card_index WHERE card_number = $1", card.as_str()).await
            }

            async fn household_by_national_id(&self, id: &NationalId) -> Result<Option<HouseholdRecord>> {
                self.load_by_national_id(id.as_str()).await
            }

            async fn national_id_owners(&self, ids: &[NationalId]) -> Result<Vec<(NationalId, CardNumber)>> {
                // Set-based, one statement for the whole list, bound as one JSON array: a bulk import asks
                // this of every batch (~25,000 IDs). 500 bound parameters a statement took 10.8 s of a
                // 200,000-household import on PostgreSQL (bench/README.md, "Import").
                if ids.is_empty() {
                    return Ok(vec![]);
                }
                static SQL: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
                    format!(
                        "SELECT n.national_id, h.card_number FROM national_id_index n JOIN households h ON h.household_id = n.household_id \
                         WHERE n.national_id IN ({})",
                        $store::JSON_TEXTS
                    )
                });
                let list = serde_json::to_string(&ids.iter().map(NationalId::as_str).collect::<Vec<_>>())
                    .map_err(|e| StoreError::Database(e.to_string()))?;
                let mut out = Vec::with_capacity(ids.len() / 8);
                for r in sqlx::query(sqlx::AssertSqlSafe(SQL.as_str())).bind(list).fetch_all(&self.pool).await? {
                    let n: String = r.try_get(0)?;
                    let c: String = r.try_get(1)?;
                    out.push((
                        NationalId::parse(&n).map_err(|_| corrupt("national id", &n))?,
                        CardNumber::parse(&c).map_err(|_| corrupt("card number", &c))?,
                    ));
                }
                Ok(out)
            }

            async fn search_by_name(&self, key: &str, birth_year: Option<i16>, scope: &$crate::Scope, limit: u32) -> Result<Vec<NameHit>> {
                if key.is_empty() {
                    return Ok(vec![]);
                }
                // A word-boundary prefix is the index range [key, key + "!"): keys hold no character below
                // "!" but the space, so the range is the key itself and the key followed by more words.
                // Each key column is read in its own index order and stops at `limit`, so a name shared by
                // millions costs `limit` rows, not millions (ordering by the key alone keeps the plan an
                // index range scan; which of many equal keys come first is then the database's choice).
                let hi = format!("{key}!");
                let mut rows = Vec::new();
                for sql in [
                    concat!(
                        "SELECT h.card_number, h.household_id, h.state, m.member_id, m.given_name, m.father_name, ",
                        "m.grandfather_name, m.family_name, m.birth_date, m.relation FROM members m ",
                        "JOIN households h ON h.household_id = m.household_id ",
                        "WHERE m.name_key >= $1 AND m.name_key < $2 ",
                        "AND m.presence = 'present' AND ($3 = 0 OR m.birth_year = $3) ",
                        "AND ($5 = '' OR h.governorate_code = $5) AND ($6 = '' OR h.district_code = $6) ",
                        "ORDER BY m.name_key LIMIT $4"
                    ),
                    concat!(
                        "SELECT h.card_number, h.household_id, h.state, m.member_id, m.given_name, m.father_name, ",
                        "m.grandfather_name, m.family_name, m.birth_date, m.relation FROM members m ",
                        "JOIN households h ON h.household_id = m.household_id ",
                        "WHERE m.given_family_key >= $1 AND m.given_family_key < $2 ",
                        "AND m.presence = 'present' AND ($3 = 0 OR m.birth_year = $3) ",
                        "AND ($5 = '' OR h.governorate_code = $5) AND ($6 = '' OR h.district_code = $6) ",
                        "ORDER BY m.given_family_key LIMIT $4"
                    ),
                ] {
                    rows.extend(
                        sqlx::query(sql)
                            .bind(key)
                            .bind(hi.as_str())
                            .bind(birth_year.map(i64::from).unwrap_or(0))
                            .bind(i64::from(limit))
                            .bind(scope.governorate.as_deref().unwrap_or(""))
                            .bind(scope.district.as_deref().unwrap_or(""))
                            .fetch_all(&self.pool)
                            .await?,
                    );
                }
                let mut hits = rows.iter()
                    .map(|r| {
                        let card: String = r.try_get(0)?;
                        let state: String = r.try_get(2)?;
                        let family: Option<String> = r.try_get(7)?;
                        let mut full_name = format!(
                            "{} {} {}",
                            r.try_get::<String, _>(4)?,
                            r.try_get::<String, _>(5)?,
                            r.try_get::<String, _>(6)?
                        );
                        if let Some(f) = family {
                            full_name.push(' ');
                            full_name.push_str(&f);
                        }
                        Ok(NameHit {
                            card_number: CardNumber::parse(&card).map_err(|_| corrupt("card number", &card))?,
                            household_id: r.try_get::<String, _>(1)?.into(),
                            state: CardState::parse(&state).ok_or_else(|| corrupt("card state", &state))?,
                            member_id: r.try_get::<String, _>(3)?.into(),
                            full_name,
                            birth_date: r.try_get(8)?,
                            relation: r.try_get(9)?,
                        })
                    })
                    .collect::<Result<Vec<NameHit>>>()?;
                hits.sort_by(|a, b| (&a.card_number, &a.member_id).cmp(&(&b.card_number, &b.member_id)));
                hits.dedup_by(|a, b| a.household_id == b.household_id && a.member_id == b.member_id);
                hits.truncate(limit as usize);
                Ok(hits)
            }

            async fn households_by_cards(&self, cards: &[CardNumber]) -> Result<Vec<HouseholdRecord>> {
                self.load_by_cards(cards).await
            }

            async fn list_households(&self, f: &ListFilter) -> Result<Vec<HouseholdSummary>> {
                let mut sql = String::from(concat!(
                    "SELECT h.household_id, h.card_number, h.governorate_code, h.district_code, h.state, ",
                    "m.given_name, m.father_name, m.grandfather_name, m.family_name, ",
                    "(SELECT COUNT(*) FROM members c WHERE c.household_id = h.household_id AND c.presence = 'present') AS n ",
                    "FROM households h LEFT JOIN members m ON m.household_id = h.household_id AND m.member_id = h.head_member_id ",
                    "WHERE 1 = 1"
                ));
                let mut binds: Vec<String> = Vec::new();
                let mut cond = |col: &str, v: String, op: &str, sql: &mut String| {
                    binds.push(v);
                    sql.push_str(&format!(" AND {col} {op} ${}", binds.len()));
                };
                if let Some(g) = &f.governorate {
                    cond("h.governorate_code", g.clone(), "=", &mut sql);
                }
                if let Some(d) = &f.district {
                    cond("h.district_code", d.clone(), "=", &mut sql);
                }
                if let Some(s) = f.state {
                    cond("h.state", s.code().to_string(), "=", &mut sql);
                }
                if let Some(a) = &f.after {
                    cond("h.card_number", a.as_str().to_string(), ">", &mut sql);
                }
                sql.push_str(&format!(" ORDER BY h.card_number LIMIT {}", f.limit.clamp(1, 1000)));
                let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                for b in &binds {
                    q = q.bind(b.as_str());
                }
                let rows = q.fetch_all(&self.pool).await?;
                rows.iter()
                    .map(|r| {
                        let card: String = r.try_get(1)?;
                        let state: String = r.try_get(4)?;
                        let parts: Vec<Option<String>> =
                            vec![r.try_get(5)?, r.try_get(6)?, r.try_get(7)?, r.try_get(8)?];
                        Ok(HouseholdSummary {
                            household_id: r.try_get::<String, _>(0)?.into(),
                            card_number: CardNumber::parse(&card).map_err(|_| corrupt("card number", &card))?,
                            governorate: r.try_get(2)?,
                            district: r.try_get(3)?,
                            state: CardState::parse(&state).ok_or_else(|| corrupt("card state", &state))?,
                            head_name: parts.into_iter().flatten().collect::<Vec<_>>().join(" "),
                            members: r.try_get(9)?,
                        })
                    })
                    .collect()
            }

            async fn idempotency_entry(&self, key: &str) -> Result<Option<IdemEntry>> {
                let row = sqlx::query("SELECT idem_key, request_hash, status, body, created_at FROM idempotency_keys WHERE idem_key = $1")
                    .bind(key)
                    .fetch_optional(&self.pool)
                    .await?;
                let Some(r) = row else { return Ok(None) };
                let status: i64 = r.try_get(2)?;
                let created: String = r.try_get(4)?;
                Ok(Some(IdemEntry {
                    key: r.try_get(0)?,
                    request_hash: r.try_get(1)?,
                    status: u16::try_from(status).map_err(|_| corrupt("status", &status.to_string()))?,
                    body: r.try_get(3)?,
                    created_at: parse_ts(&created)?,
                }))
            }

            async fn import_batch(&self, batch: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()> {
                with_retry(|| self.bulk_insert(batch, logs)).await
            }

            async fn delete_imported(&self, rec: &HouseholdRecord, log: &ChangeLog) -> Result<()> {
                let hid = rec.household.household_id.as_str();
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    // By key everywhere: the index tables are keyed by national ID and card number.
                    for m in &rec.members {
                        if let Some(n) = &m.national_id {
                            sqlx::query("DELETE FROM national_id_index WHERE national_id = $1 AND household_id = $2")
                                .bind(n.as_str())
                                .bind(hid)
                                .execute(&mut *tx)
                                .await?;
                        }
                    }
                    sqlx::query("DELETE FROM card_index WHERE card_number = $1 AND household_id = $2")
                        .bind(rec.household.card_number.as_str())
                        .bind(hid)
                        .execute(&mut *tx)
                        .await?;
                    for sql in [
                        "DELETE FROM holds WHERE household_id = $1",
                        "DELETE FROM household_changes WHERE household_id = $1",
                        "DELETE FROM households WHERE household_id = $1",
                        "DELETE FROM members WHERE household_id = $1",
                    ] {
                        sqlx::query(sql).bind(hid).execute(&mut *tx).await?;
                    }
                    Self::append_audit(&mut tx, &[(Some(hid), log)]).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn household_by_id(&self, household_id: &HouseholdId) -> Result<Option<HouseholdRecord>> {
                self.load(household_id).await
            }

            async fn household_by_phone(&self, phone: &tamwin_domain::Phone) -> Result<Option<HouseholdId>> {
                self.household_id_where("SELECT household_id FROM households WHERE phone = $1 AND state <> 'closed'", phone.as_str()).await
            }

            async fn household_stats(&self, scope: &$crate::Scope) -> Result<Vec<$crate::AreaCount>> {
                let rows = sqlx::query(concat!(
                    "SELECT h.governorate_code, h.district_code, h.state, COUNT(*) AS households, ",
                    "CAST(SUM((SELECT COUNT(*) FROM members m WHERE m.household_id = h.household_id ",
                    "AND m.presence = 'present')) AS BIGINT) AS members FROM households h ",
                    "WHERE ($1 = '' OR h.governorate_code = $1) AND ($2 = '' OR h.district_code = $2) ",
                    "GROUP BY h.governorate_code, h.district_code, h.state ",
                    "ORDER BY h.governorate_code, h.district_code, h.state"
                ))
                .bind(scope.governorate.as_deref().unwrap_or(""))
                .bind(scope.district.as_deref().unwrap_or(""))
                .fetch_all(&self.pool)
                .await?;
                rows.iter()
                    .map(|r| {
                        let state: String = r.try_get(2)?;
                        Ok($crate::AreaCount {
                            governorate: r.try_get(0)?,
                            district: r.try_get(1)?,
                            state: CardState::parse(&state).ok_or_else(|| corrupt("card state", &state))?,
                            households: r.try_get(3)?,
                            members: r.try_get(4)?,
                        })
                    })
                    .collect()
            }

            async fn count_households(&self) -> Result<i64> {
                Ok(sqlx::query("SELECT COUNT(*) FROM households").fetch_one(&self.pool).await?.try_get(0)?)
            }

            async fn count_members(&self) -> Result<i64> {
                Ok(sqlx::query("SELECT COUNT(*) FROM members WHERE presence = 'present'")
                    .fetch_one(&self.pool)
                    .await?
                    .try_get(0)?)
            }
        }
    };
}
pub(crate) use households_sql;
