//! The SQL both backends share, written once and expanded for each concrete sqlx driver, so that each
//! implementation is fully typed (no `Any` driver) while the statements cannot drift apart.
//! Each backend supplies `begin_write`, `begin_read`, `migrations` and `bulk_insert`.

/// Parameters per multi-row statement: far below SQLite's limit, and a handful of statement shapes so
/// that the prepared-statement cache is hit.
pub(crate) const PARAMS_PER_STATEMENT: usize = 4000;

macro_rules! sql_store {
    ($store:ident, $db:ty) => {
        use sqlx::Row as _;
        use $crate::rows::*;
        use $crate::{
            Backend, ChangeLog, Conflict, HouseholdChange, HouseholdSummary, IdemEntry, ListFilter, NameHit,
            Result, Store, StoreError, with_retry,
        };
        use tamwin_domain::geography::RationAgent;
        use tamwin_domain::{CardNumber, CardState, Geography, HouseholdRecord, NationalId, Presence, Relation};

        type Conn = <$db as sqlx::Database>::Connection;
        $crate::sql_staff::staff_sql!($store);
        $crate::sql_audit::audit_sql!($store);
        $crate::sql_access::access_sql!($store);
        $crate::sql_devices::devices_sql!($store);
        $crate::sql_civil::civil_sql!($store);
        $crate::sql_evidence::evidence_sql!($store);
        $crate::sql_household_events::household_events_sql!($store);
        $crate::sql_crvs::crvs_sql!($store);
        $crate::sql_cards::cards_sql!($store);
        $crate::sql_stations::stations_sql!($store);
        $crate::sql_appointments::appointments_sql!($store);
        $crate::sql_first_free::first_free_sql!($store);
        $crate::sql_screening::screening_sql!($store);
        $crate::sql_jobs::jobs_sql!($store);
        type DbRow = <$db as sqlx::Database>::Row;

        type DbQuery<'q> = sqlx::query::Query<'q, $db, <$db as sqlx::Database>::Arguments>;

        impl $store {
            /// Binds the values, in order, to the next parameters.
            fn bind_vals<'q>(mut q: DbQuery<'q>, vals: &'q [Val]) -> DbQuery<'q> {
                for v in vals {
                    q = match v {
                        Val::Text(s) => q.bind(s.as_str()),
                        Val::OptText(s) => q.bind(s.as_deref()),
                        Val::Int(n) => q.bind(*n),
                        Val::OptInt(n) => q.bind(*n),
                        Val::Bool(b) => q.bind(*b),
                    };
                }
                q
            }

            /// Inserts rows of `cols` into `table`, many rows per statement; returns the rows written
            /// (fewer than given when `suffix` skips conflicts).
            async fn insert_rows(conn: &mut Conn, table: &str, cols: &str, rows: &[Vec<Val>], suffix: &str) -> Result<u64> {
                let Some(first) = rows.first() else { return Ok(0) };
                let mut written = 0;
                let ncols = first.len();
                let per = (crate::sql_impl::PARAMS_PER_STATEMENT / ncols).max(1);
                for chunk in rows.chunks(per) {
                    let sql = insert_sql(table, cols, ncols, chunk.len(), suffix, Self::NUMBERED_PARAMS);
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for row in chunk {
                        q = Self::bind_vals(q, row);
                    }
                    written += q.execute(&mut *conn).await?.rows_affected();
                }
                Ok(written)
            }

            /// Rows of every table for new households, in the order the constraints need.
            async fn insert_records(conn: &mut Conn, recs: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()> {
                let households: Vec<Vec<Val>> = recs.iter().map(|r| household_vals(&r.household)).collect();
                Self::insert_rows(conn, "households", HOUSEHOLD_COLS, &households, "").await?;
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

            async fn insert_idem(conn: &mut Conn, e: &IdemEntry) -> Result<()> {
                let row = vec![
                    e.key.as_str().into(),
                    e.request_hash.as_str().into(),
                    i64::from(e.status).into(),
                    e.body.as_str().into(),
                    ts(&e.created_at).into(),
                ];
                Self::insert_rows(conn, "idempotency_keys", "idem_key, request_hash, status, body, created_at", &[row], "")
                    .await?;
                Ok(())
            }

            fn household_cols(r: &DbRow) -> std::result::Result<HouseholdCols, sqlx::Error> {
                Ok(HouseholdCols {
                    household_id: r.try_get("household_id")?,
                    card_number: r.try_get("card_number")?,
                    governorate: r.try_get("governorate_code")?,
                    district: r.try_get("district_code")?,
                    address: r.try_get("address")?,
                    agent_code: r.try_get("agent_code")?,
                    state: r.try_get("state")?,
                    head_member_id: r.try_get("head_member_id")?,
                    version: r.try_get("version")?,
                    created_at: r.try_get("created_at")?,
                    updated_at: r.try_get("updated_at")?,
                    closed_at: r.try_get("closed_at")?,
                    phone: r.try_get("phone")?,
                })
            }

            fn member_cols(r: &DbRow) -> std::result::Result<MemberCols, sqlx::Error> {
                Ok(MemberCols {
                    member_id: r.try_get("member_id")?,
                    member_no: r.try_get("member_no")?,
                    national_id: r.try_get("national_id")?,
                    given_name: r.try_get("given_name")?,
                    father_name: r.try_get("father_name")?,
                    grandfather_name: r.try_get("grandfather_name")?,
                    family_name: r.try_get("family_name")?,
                    mother_name: r.try_get("mother_name")?,
                    birth_date: r.try_get("birth_date")?,
                    sex: r.try_get("sex")?,
                    relation: r.try_get("relation")?,
                    elderly: r.try_get("elderly")?,
                    sick: r.try_get("sick")?,
                    disabled: r.try_get("disabled")?,
                    presence: r.try_get("presence")?,
                    removed_reason: r.try_get("removed_reason")?,
                })
            }

            fn hold_cols(r: &DbRow) -> std::result::Result<HoldCols, sqlx::Error> {
                Ok(HoldCols {
                    hold_id: r.try_get("hold_id")?,
                    member_id: r.try_get("member_id")?,
                    reason: r.try_get("reason")?,
                    evidence: r.try_get("evidence")?,
                    source: r.try_get("source")?,
                    since: r.try_get("since")?,
                    placed_by: r.try_get("placed_by")?,
                    lifted_at: r.try_get("lifted_at")?,
                    lifted_by: r.try_get("lifted_by")?,
                    lift_reason: r.try_get("lift_reason")?,
                })
            }

            /// Reads one household whole, inside one read transaction so the three parts agree.
            async fn load(&self, household_id: &str) -> Result<Option<HouseholdRecord>> {
                let mut tx = self.begin_read().await?;
                let row = sqlx::query(concat!(
                    "SELECT household_id, card_number, governorate_code, district_code, address, agent_code, state, ",
                    "head_member_id, version, created_at, updated_at, closed_at, phone FROM households WHERE household_id = $1"
                ))
                .bind(household_id)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(row) = row else { return Ok(None) };
                let household = Self::household_cols(&row)?.into_domain()?;
                let members = sqlx::query(concat!(
                    "SELECT member_id, member_no, national_id, given_name, father_name, grandfather_name, family_name, ",
                    "mother_name, birth_date, sex, relation, elderly, sick, disabled, presence, removed_reason ",
                    "FROM members WHERE household_id = $1 ORDER BY member_no"
                ))
                .bind(household_id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Self::member_cols(r).map_err(StoreError::from).and_then(MemberCols::into_domain))
                .collect::<Result<Vec<_>>>()?;
                let holds = sqlx::query(concat!(
                    "SELECT hold_id, member_id, reason, evidence, source, since, placed_by, lifted_at, lifted_by, ",
                    "lift_reason FROM holds WHERE household_id = $1 ORDER BY since, hold_id"
                ))
                .bind(household_id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| Self::hold_cols(r).map_err(StoreError::from).and_then(HoldCols::into_domain))
                .collect::<Result<Vec<_>>>()?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(Some(HouseholdRecord { household, members, holds }))
            }

            /// Whole households by card number, a few statements per 500 cards (a bulk import asks this of
            /// every batch, so it must cost next to nothing when none is there).
            async fn load_by_cards(&self, cards: &[CardNumber]) -> Result<Vec<HouseholdRecord>> {
                let mut out = Vec::new();
                for chunk in cards.chunks(500) {
                    let mut tx = self.begin_read().await?;
                    let sql = format!(
                        concat!(
                            "SELECT h.household_id, h.card_number, h.governorate_code, h.district_code, h.address, h.agent_code, ",
                            "h.state, h.head_member_id, h.version, h.created_at, h.updated_at, h.closed_at, h.phone ",
                            "FROM card_index c JOIN households h ON h.household_id = c.household_id WHERE c.card_number IN ({})"
                        ),
                        marks(chunk.len(), Self::NUMBERED_PARAMS)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for c in chunk {
                        q = q.bind(c.as_str());
                    }
                    let rows = q.fetch_all(&mut *tx).await?;
                    if rows.is_empty() {
                        tx.commit().await.map_err(crate::error::commit_error)?;
                        continue;
                    }
                    let households =
                        rows.iter().map(|r| Self::household_cols(r)?.into_domain()).collect::<Result<Vec<_>>>()?;
                    let ids: Vec<&str> = households.iter().map(|h| h.household_id.as_str()).collect();
                    let mut parts: std::collections::HashMap<String, (Vec<tamwin_domain::Member>, Vec<tamwin_domain::Hold>)> =
                        Default::default();
                    let sql = format!(
                        concat!(
                            "SELECT household_id, member_id, member_no, national_id, given_name, father_name, grandfather_name, ",
                            "family_name, mother_name, birth_date, sex, relation, elderly, sick, disabled, presence, removed_reason ",
                            "FROM members WHERE household_id IN ({}) ORDER BY household_id, member_no"
                        ),
                        marks(ids.len(), Self::NUMBERED_PARAMS)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in &ids {
                        q = q.bind(*id);
                    }
                    for r in q.fetch_all(&mut *tx).await? {
                        let m = Self::member_cols(&r)?.into_domain()?;
                        parts.entry(r.try_get("household_id")?).or_default().0.push(m);
                    }
                    let sql = format!(
                        concat!(
                            "SELECT household_id, hold_id, member_id, reason, evidence, source, since, placed_by, lifted_at, lifted_by, ",
                            "lift_reason FROM holds WHERE household_id IN ({}) ORDER BY household_id, since, hold_id"
                        ),
                        marks(ids.len(), Self::NUMBERED_PARAMS)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in &ids {
                        q = q.bind(*id);
                    }
                    for r in q.fetch_all(&mut *tx).await? {
                        let h = Self::hold_cols(&r)?.into_domain()?;
                        parts.entry(r.try_get("household_id")?).or_default().1.push(h);
                    }
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    for household in households {
                        let (members, holds) = parts.remove(&household.household_id).unwrap_or_default();
                        out.push(HouseholdRecord { household, members, holds });
                    }
                }
                Ok(out)
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
                let rows: Vec<Vec<Val>> = members.iter().map(|m| member_vals(hid, m)).collect();
                for row in rows {
                    Self::insert_rows(&mut tx, "members", MEMBER_COLS, &[row], &upsert_suffix(MEMBER_COLS, &["household_id", "member_id"]))
                        .await?;
                }
                let ids: Vec<Vec<Val>> = c
                    .national_ids_added
                    .iter()
                    .map(|(n, m)| vec![n.as_str().into(), hid.into(), m.as_str().into()])
                    .collect();
                Self::insert_rows(&mut tx, "national_id_index", "national_id, household_id, member_id", &ids, "").await?;
                let holds: Vec<Vec<Val>> = c.holds.iter().map(|x| hold_vals(hid, x)).collect();
                Self::insert_rows(&mut tx, "holds", HOLD_COLS, &holds, &upsert_suffix(HOLD_COLS, &["household_id", "hold_id"]))
                    .await?;
                Self::insert_rows(&mut tx, "household_changes", CHANGE_COLS, &[change_vals(hid, &c.log)], "").await?;
                Self::append_audit(&mut tx, &[(Some(hid), &c.log)]).await?;
                tx.commit().await.map_err(crate::error::commit_error)?;
                Ok(())
            }

            async fn household_id_where(&self, sql: &'static str, key: &str) -> Result<Option<String>> {
                let row = sqlx::query(sql).bind(key).fetch_optional(&self.pool).await?;
                Ok(match row {
                    Some(r) => Some(r.try_get::<String, _>(0)?),
                    None => None,
                })
            }
        }

        #[async_trait::async_trait]
        impl Store for $store {
            fn backend(&self) -> Backend {
                Self::BACKEND
            }

            async fn migrate(&self) -> Result<usize> {
                sqlx::query(crate::migrate::CREATE_TABLE).execute(&self.pool).await?;
                let applied: Vec<i64> = sqlx::query("SELECT version FROM schema_migrations")
                    .fetch_all(&self.pool)
                    .await?
                    .iter()
                    .map(|r| r.try_get::<i64, _>(0))
                    .collect::<std::result::Result<_, _>>()?;
                let mut n = 0;
                for m in Self::MIGRATIONS.iter().filter(|m| !applied.contains(&m.version)) {
                    let mut tx = self.begin_write().await?;
                    for stmt in crate::migrate::statements(m.sql) {
                        sqlx::query(sqlx::AssertSqlSafe(stmt)).execute(&mut *tx).await?;
                    }
                    sqlx::query("INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                        .bind(m.version)
                        .bind(m.name)
                        .bind(ts(&jiff::Timestamp::now()))
                        .execute(&mut *tx)
                        .await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    tracing::info!(version = m.version, name = m.name, "migration applied");
                    n += 1;
                }
                Ok(n)
            }

            async fn save_geography(&self, geo: &Geography) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let g: Vec<Vec<Val>> = geo
                        .governorates
                        .iter()
                        .map(|x| vec![x.code.as_str().into(), x.name_ar.as_str().into(), x.name_en.as_str().into()])
                        .collect();
                    let cols = "code, name_ar, name_en";
                    Self::insert_rows(&mut tx, "governorates", cols, &g, &upsert_suffix(cols, &["code"])).await?;
                    let d: Vec<Vec<Val>> = geo
                        .districts
                        .iter()
                        .map(|x| {
                            vec![
                                x.code.as_str().into(),
                                x.governorate_code.as_str().into(),
                                x.name_ar.as_str().into(),
                                x.name_en.as_str().into(),
                            ]
                        })
                        .collect();
                    let cols = "code, governorate_code, name_ar, name_en";
                    Self::insert_rows(&mut tx, "districts", cols, &d, &upsert_suffix(cols, &["code"])).await?;
                    let c: Vec<Vec<Val>> = geo
                        .centres
                        .iter()
                        .map(|x| {
                            vec![
                                x.code.as_str().into(),
                                x.district_code.as_str().into(),
                                x.name_ar.as_str().into(),
                                x.name_en.as_str().into(),
                                x.opens.as_str().into(),
                                x.closes.as_str().into(),
                                i64::from(x.counters).into(),
                            ]
                        })
                        .collect();
                    let cols = "code, district_code, name_ar, name_en, opens, closes, counters";
                    Self::insert_rows(&mut tx, "update_centres", cols, &c, &upsert_suffix(cols, &["code"])).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn save_agents(&self, agents: &[RationAgent]) -> Result<()> {
                with_retry(|| async {
                    let mut tx = self.begin_write().await?;
                    let rows: Vec<Vec<Val>> = agents
                        .iter()
                        .map(|a| vec![a.code.as_str().into(), a.district_code.as_str().into(), a.name_ar.as_str().into()])
                        .collect();
                    let cols = "code, district_code, name_ar";
                    Self::insert_rows(&mut tx, "ration_agents", cols, &rows, &upsert_suffix(cols, &["code"])).await?;
                    tx.commit().await.map_err(crate::error::commit_error)?;
                    Ok(())
                })
                .await
            }

            async fn agents_in_district(&self, district: &str) -> Result<Vec<RationAgent>> {
                let rows = sqlx::query("SELECT code, district_code, name_ar FROM ration_agents WHERE district_code = $1 ORDER BY code")
                    .bind(district)
                    .fetch_all(&self.pool)
                    .await?;
                rows.iter()
                    .map(|r| {
                        Ok(RationAgent { code: r.try_get(0)?, district_code: r.try_get(1)?, name_ar: r.try_get(2)? })
                    })
                    .collect()
            }

            async fn create_household(&self, rec: &HouseholdRecord, log: &ChangeLog, idem: Option<&IdemEntry>) -> Result<()> {
                with_retry(|| self.create_once(rec, log, idem)).await
            }

            async fn save_change(&self, change: &HouseholdChange, idem: Option<&IdemEntry>) -> Result<()> {
                with_retry(|| self.change_once(change, idem)).await
            }

            async fn household_id_by_card(&self, card: &CardNumber) -> Result<Option<String>> {
                self.household_id_where("SELECT household_id FROM card_index WHERE card_number = $1", card.as_str()).await
            }

            async fn household_by_card(&self, card: &CardNumber) -> Result<Option<HouseholdRecord>> {
                match self.household_id_where("SELECT household_id FROM card_index WHERE card_number = $1", card.as_str()).await? {
                    Some(id) => self.load(&id).await,
                    None => Ok(None),
                }
            }

            async fn household_by_national_id(&self, id: &NationalId) -> Result<Option<HouseholdRecord>> {
                match self
                    .household_id_where("SELECT household_id FROM national_id_index WHERE national_id = $1", id.as_str())
                    .await?
                {
                    Some(h) => self.load(&h).await,
                    None => Ok(None),
                }
            }

            async fn national_id_owners(&self, ids: &[NationalId]) -> Result<Vec<(NationalId, CardNumber)>> {
                // Set-based, 500 IDs a statement: a bulk import asks this of every batch.
                let mut out = Vec::new();
                for chunk in ids.chunks(500) {
                    let sql = format!(
                        "SELECT n.national_id, h.card_number FROM national_id_index n JOIN households h ON h.household_id = n.household_id WHERE n.national_id IN ({})",
                        marks(chunk.len(), Self::NUMBERED_PARAMS)
                    );
                    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
                    for id in chunk {
                        q = q.bind(id.as_str());
                    }
                    for r in q.fetch_all(&self.pool).await? {
                        let n: String = r.try_get(0)?;
                        let c: String = r.try_get(1)?;
                        out.push((
                            NationalId::parse(&n).map_err(|_| corrupt("national id", &n))?,
                            CardNumber::parse(&c).map_err(|_| corrupt("card number", &c))?,
                        ));
                    }
                }
                Ok(out)
            }

            async fn households_by_cards(&self, cards: &[CardNumber]) -> Result<Vec<HouseholdRecord>> {
                self.load_by_cards(cards).await
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
                            household_id: r.try_get(1)?,
                            state: CardState::parse(&state).ok_or_else(|| corrupt("card state", &state))?,
                            member_id: r.try_get(3)?,
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
                            household_id: r.try_get(0)?,
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

            #[cfg(feature = "testkit")]
            async fn execute_unchecked(&self, sql: &str) -> Result<()> {
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&self.pool).await?;
                Ok(())
            }

            async fn create_staff_user(&self, user: &$crate::StaffUser, log: &ChangeLog) -> Result<()> {
                self.staff_create(user, log).await
            }

            async fn staff_user_by_username(&self, username: &str) -> Result<Option<$crate::StaffUser>> {
                self.staff_by_username(username).await
            }

            async fn save_login_outcome(&self, user_id: &str, failed: i64, until: Option<jiff::Timestamp>) -> Result<()> {
                self.staff_login_outcome(user_id, failed, until).await
            }

            async fn household_by_id(&self, household_id: &str) -> Result<Option<HouseholdRecord>> {
                self.load(household_id).await
            }
            async fn household_by_phone(&self, phone: &tamwin_domain::Phone) -> Result<Option<String>> {
                self.household_id_where("SELECT household_id FROM households WHERE phone = $1 AND state <> 'closed'", phone.as_str()).await
            }
            async fn household_stats(&self, scope: &$crate::Scope) -> Result<Vec<$crate::AreaCount>> {
                self.access_household_stats(scope).await
            }
            async fn create_session(&self, s: &$crate::Session, log: &ChangeLog) -> Result<()> {
                self.access_create_session(s, log).await
            }
            async fn session(&self, session_hash: &str) -> Result<Option<$crate::Session>> {
                self.access_session(session_hash).await
            }
            async fn touch_session(&self, session_hash: &str, at: jiff::Timestamp, expires_at: jiff::Timestamp) -> Result<()> {
                self.access_touch_session(session_hash, at, expires_at).await
            }
            async fn end_session(&self, session_hash: &str, log: &ChangeLog) -> Result<()> {
                self.access_end_session(session_hash, log).await
            }
            async fn staff_user_by_id(&self, user_id: &str) -> Result<Option<$crate::StaffUser>> {
                self.staff_by_id(user_id).await
            }
            async fn set_staff_password(&self, user_id: &str, password_hash: &str, keep_session: Option<&str>, log: &ChangeLog) -> Result<()> {
                self.staff_set_password(user_id, password_hash, keep_session, log).await
            }
            async fn set_staff_disabled(&self, user_id: &str, disabled_at: Option<jiff::Timestamp>, log: &ChangeLog) -> Result<()> {
                self.staff_set_disabled(user_id, disabled_at, log).await
            }
            async fn create_otp(&self, c: &$crate::OtpChallenge, msg: Option<&$crate::OutboxMessage>) -> Result<()> {
                self.access_create_otp(c, msg).await
            }
            async fn otps_since(&self, phone: &str, since: jiff::Timestamp) -> Result<i64> {
                self.access_otps_since(phone, since).await
            }
            async fn latest_otp(&self, phone: &str) -> Result<Option<$crate::OtpChallenge>> {
                self.access_latest_otp(phone).await
            }
            async fn otp_attempt(&self, challenge_id: &str, max: i64) -> Result<bool> {
                self.access_otp_attempt(challenge_id, max).await
            }
            async fn otp_use(&self, challenge_id: &str, at: jiff::Timestamp) -> Result<bool> {
                self.access_otp_use(challenge_id, at).await
            }
            async fn outbox_recent(&self, limit: u32) -> Result<Vec<$crate::OutboxMessage>> {
                self.access_outbox_recent(limit).await
            }
            async fn outbox_update(&self, message_id: &str, delivered_at: Option<jiff::Timestamp>, body: Option<&str>) -> Result<()> {
                self.access_outbox_update(message_id, delivered_at, body).await
            }
            async fn throttles(&self, keys: &[String]) -> Result<Vec<$crate::Throttle>> {
                self.access_throttles(keys).await
            }
            async fn throttle_fail(&self, key: &str, now: jiff::Timestamp, window_from: jiff::Timestamp, limit: i64, block_until: jiff::Timestamp) -> Result<$crate::Throttle> {
                self.access_throttle_fail(key, now, window_from, limit, block_until).await
            }
            async fn throttle_reset(&self, key: &str, now: jiff::Timestamp) -> Result<()> {
                self.access_throttle_reset(key, now).await
            }
            async fn throttle_forget(&self, before: jiff::Timestamp) -> Result<u64> {
                self.access_throttle_forget(before).await
            }
            async fn create_api_token(&self, t: &$crate::ApiToken, log: &ChangeLog) -> Result<()> {
                self.access_create_token(t, log).await
            }
            async fn api_token(&self, token_id: &str) -> Result<Option<$crate::ApiToken>> {
                self.access_token(token_id).await
            }
            async fn revoke_api_token(&self, token_id: &str, log: &ChangeLog) -> Result<bool> {
                self.access_revoke_token(token_id, log).await
            }
            async fn api_tokens(&self) -> Result<Vec<$crate::ApiToken>> {
                self.access_tokens().await
            }

            async fn civil_load(&self, persons: &[$crate::CivilPerson]) -> Result<()> {
                with_retry(|| self.load_rows("civil_persons", CIVIL_COLS, persons.iter().map(civil_vals).collect())).await
            }
            async fn civil_initial_load(&self) -> Result<Option<Box<dyn $crate::CivilBulkLoad>>> {
                self.civil_bulk_begin().await
            }
            async fn civil_person(&self, national_id: &str) -> Result<Option<$crate::CivilPerson>> {
                self.civil_get(national_id).await
            }
            async fn civil_persons(&self, national_ids: &[String]) -> Result<Vec<$crate::CivilPerson>> {
                self.civil_get_many(national_ids).await
            }
            async fn civil_page(&self, after: Option<&str>, limit: u32, vital_only: bool) -> Result<Vec<$crate::CivilPerson>> {
                self.civil_get_page(after, limit, vital_only).await
            }
            async fn save_hub_key(&self, k: &$crate::HubKey) -> Result<()> {
                self.hub_key_save(k).await
            }
            async fn hub_keys(&self) -> Result<Vec<$crate::HubKey>> {
                self.hub_keys_all().await
            }
            async fn hub_use_nonce(&self, client: &str, nonce: &str, at: jiff::Timestamp, forget_before: jiff::Timestamp) -> Result<bool> {
                self.hub_nonce(client, nonce, at, forget_before).await
            }
            async fn save_verification(&self, v: &$crate::MemberVerification, e: Option<&$crate::Evidence>) -> Result<()> {
                self.verification_save(v, e).await
            }
            async fn verification(&self, household_id: &str, member_id: &str) -> Result<Option<$crate::MemberVerification>> {
                self.verification_get(household_id, member_id).await
            }
            async fn due_verifications(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<$crate::MemberVerification>> {
                self.verifications_due(now, limit).await
            }
            async fn evidence_of(&self, household_id: &str) -> Result<Vec<$crate::Evidence>> {
                self.evidence_list(household_id).await
            }
            async fn save_vital_event(&self, e: &$crate::VitalEvent) -> Result<bool> {
                self.vital_save(e).await
            }
            async fn pending_vital_events(&self, after: Option<(jiff::Timestamp, String)>, limit: u32) -> Result<Vec<$crate::VitalEvent>> {
                match after {
                    None => self.vital_query("WHERE applied_at IS NULL ORDER BY received_at, event_id LIMIT $1", None, i64::from(limit)).await,
                    Some((at, id)) => self.vital_pending_after(at, &id, i64::from(limit)).await,
                }
            }
            async fn travel_events(&self, national_id: &str) -> Result<Vec<$crate::VitalEvent>> {
                self.vital_query(
                    "WHERE national_id = $2 AND kind IN ('exit', 'entry') ORDER BY event_date DESC, received_at DESC LIMIT $1",
                    Some(national_id),
                    100,
                )
                .await
            }
            async fn mark_vital_event_applied(&self, event_id: &str, at: jiff::Timestamp) -> Result<()> {
                with_retry(|| async {
                    sqlx::query("UPDATE vital_events SET applied_at = $1 WHERE event_id = $2 AND applied_at IS NULL")
                        .bind(ts(&at))
                        .bind(event_id)
                        .execute(&self.pool)
                        .await?;
                    Ok(())
                })
                .await
            }
            async fn save_suggestion(&self, s: &$crate::Suggestion, notice: Option<&$crate::OutboxMessage>) -> Result<bool> {
                self.suggestion_save(s, notice).await
            }
            async fn suggestions(&self, household_id: &str) -> Result<Vec<$crate::Suggestion>> {
                self.suggestions_of(household_id).await
            }
            async fn decide_suggestion(&self, suggestion_id: &str, from: &str, to: &str, at: jiff::Timestamp, by: &str) -> Result<bool> {
                self.suggestion_decide(suggestion_id, from, to, at, by).await
            }
            async fn save_exemption(&self, e: &$crate::Exemption, document: &[u8], household_id: &str, log: &ChangeLog) -> Result<()> {
                self.exemption_save(e, document, household_id, log).await
            }
            async fn exemptions(&self, national_id: &str) -> Result<Vec<$crate::Exemption>> {
                self.exemptions_of(national_id).await
            }
            async fn exemption_document(&self, exemption_id: &str) -> Result<Option<($crate::Exemption, Vec<u8>)>> {
                self.exemption_with_document(exemption_id).await
            }
            async fn civil_record_event(&self, e: &$crate::CivilEvent, p: &$crate::CivilPerson, notify: &[$crate::Delivery]) -> Result<bool> {
                self.q_record_event(e, p, notify).await
            }
            async fn crvs_save_subscriptions(&self, subs: &[$crate::CrvsSubscription]) -> Result<()> {
                self.q_save_subscriptions(subs).await
            }
            async fn crvs_subscribers(&self, event_type: &str) -> Result<Vec<$crate::CrvsSubscription>> {
                self.q_subscriptions("SELECT * FROM crvs_subscriptions WHERE event_type = $1 AND status = 'subscribe' ORDER BY created_at, code", event_type).await
            }
            async fn crvs_subscriptions_of(&self, subscriber: &str) -> Result<Vec<$crate::CrvsSubscription>> {
                self.q_subscriptions("SELECT * FROM crvs_subscriptions WHERE subscriber = $1 ORDER BY created_at, code", subscriber).await
            }
            async fn crvs_unsubscribe(&self, subscriber: &str, code: &str) -> Result<bool> {
                self.q_unsubscribe(subscriber, code).await
            }
            async fn crvs_save_txn(&self, t: &$crate::CrvsTxn) -> Result<bool> {
                self.q_save_txn(t).await
            }
            async fn crvs_txn(&self, sender: &str, attribute: &str, value: &str) -> Result<Option<$crate::CrvsTxn>> {
                self.q_txn(sender, attribute, value).await
            }
            async fn crvs_pending_txns(&self, limit: u32) -> Result<Vec<$crate::CrvsTxn>> {
                self.q_pending_txns(limit).await
            }
            async fn crvs_complete_txn(&self, id: &str, status: &str, response: &str, callback: &$crate::Delivery) -> Result<()> {
                self.q_complete_txn(id, status, response, callback).await
            }
            async fn crvs_enqueue(&self, d: &$crate::Delivery) -> Result<()> {
                self.q_enqueue_one(d).await
            }
            async fn crvs_due(&self, now: jiff::Timestamp, limit: u32) -> Result<Vec<$crate::Delivery>> {
                self.q_due(now, limit).await
            }
            async fn crvs_attempted(&self, id: &str, delivered: Option<jiff::Timestamp>, error: Option<&str>, next: Option<jiff::Timestamp>) -> Result<()> {
                self.q_attempted(id, delivered, error, next).await
            }
            async fn crvs_client_confirmed(&self, code: &str, event_type: &str, status: &str, at: jiff::Timestamp) -> Result<()> {
                self.q_client_confirmed(code, event_type, status, at).await
            }
            async fn civil_otp_create(&self, o: &$crate::CivilOtp, phone: &str, body: &str) -> Result<()> {
                self.q_otp_create(o, phone, body).await
            }
            async fn civil_otps_since(&self, national_id: &str, since: jiff::Timestamp) -> Result<i64> {
                let r = sqlx::query("SELECT COUNT(*) FROM civil_otps WHERE national_id = $1 AND created_at >= $2")
                    .bind(national_id)
                    .bind(ts(&since))
                    .fetch_one(&self.pool)
                    .await?;
                Ok(r.try_get(0)?)
            }
            async fn civil_otp(&self, challenge_id: &str) -> Result<Option<$crate::CivilOtp>> {
                self.q_otp(challenge_id).await
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
            async fn civil_issue_card(&self, card: &$crate::CivilCard, delivery: Option<&$crate::CardDelivery>) -> Result<()> {
                self.q_issue_card(card, delivery).await
            }
            async fn civil_cards(&self, national_id: &str) -> Result<Vec<$crate::CivilCard>> {
                self.q_cards(national_id).await
            }
            async fn card_delivery_step(&self, order_id: &str, from: &str, to: &str, at: jiff::Timestamp, note: &str) -> Result<bool> {
                self.q_delivery_step(order_id, from, to, at, note).await
            }
            async fn card_delivery(&self, order_id: &str) -> Result<Option<$crate::CardDelivery>> {
                Ok(self.q_deliveries("order_id", order_id).await?.into_iter().next())
            }
            async fn card_deliveries(&self, national_id: &str) -> Result<Vec<$crate::CardDelivery>> {
                self.q_deliveries("national_id", national_id).await
            }
            async fn save_site(&self, s: &$crate::RegistrationSite) -> Result<()> {
                self.q_save_site(s).await
            }
            async fn site(&self, site_id: &str) -> Result<Option<$crate::RegistrationSite>> {
                self.q_site(site_id).await
            }
            async fn save_visit(&self, v: &$crate::StationVisit) -> Result<()> {
                self.q_save_visit(v).await
            }
            async fn visit(&self, visit_id: &str) -> Result<Option<$crate::StationVisit>> {
                Ok(self.q_visits("v.visit_id = $1", visit_id, "").await?.into_iter().next())
            }
            async fn visits(&self, from: &str, to: &str) -> Result<Vec<$crate::StationVisit>> {
                self.q_visits("v.visit_date >= $1 AND v.visit_date <= $2", from, to).await
            }
            async fn set_visit_status(&self, visit_id: &str, from: &str, to: &str) -> Result<bool> {
                self.q_visit_status(visit_id, from, to).await
            }
            async fn register_at_visit(&self, visit_id: &str, national_id: &str, service: &str, at: jiff::Timestamp) -> Result<bool> {
                self.q_register(visit_id, national_id, service, at).await
            }
            async fn visit_registrations(&self, visit_id: &str) -> Result<Vec<(String, String, jiff::Timestamp)>> {
                self.q_registrations(visit_id).await
            }
            async fn crvs_client_subscriptions(&self) -> Result<Vec<(String, String, String)>> {
                self.q_client_subscriptions().await
            }
            async fn save_evidence(&self, e: &$crate::Evidence) -> Result<()> {
                self.evidence_save(std::slice::from_ref(e)).await
            }
            async fn save_evidence_batch(&self, e: &[$crate::Evidence]) -> Result<()> {
                self.evidence_save(e).await
            }
            async fn civil_count(&self) -> Result<i64> {
                let r = sqlx::query("SELECT COUNT(*) FROM civil_persons").fetch_one(&self.pool).await?;
                Ok(r.try_get(0)?)
            }

            async fn create_device_key(&self, d: &$crate::DeviceKey, log: &ChangeLog) -> Result<()> {
                self.device_create(d, log).await
            }
            async fn device_key(&self, device_id: &str) -> Result<Option<$crate::DeviceKey>> {
                self.device_get(device_id).await
            }
            async fn revoke_device_key(&self, device_id: &str, log: &ChangeLog) -> Result<bool> {
                self.device_revoke(device_id, log).await
            }
            async fn device_keys(&self) -> Result<Vec<$crate::DeviceKey>> {
                self.device_all().await
            }
            async fn use_nonce(&self, device_id: &str, nonce: &str, at: jiff::Timestamp, forget_before: jiff::Timestamp) -> Result<bool> {
                self.device_use_nonce(device_id, nonce, at, forget_before).await
            }

            async fn staff_users(&self) -> Result<Vec<$crate::StaffUser>> {
                self.staff_all().await
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
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

pub(crate) use sql_store;
