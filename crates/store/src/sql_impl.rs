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
        use tamwin_domain::geography::{RationAgent, Warehouse};
        use tamwin_domain::{
            AppointmentId, CardNumber, CardState, FindingId, Geography, HouseholdId, HouseholdRecord, MemberId,
            NationalId, Presence, Relation,
        };

        type Conn = <$db as sqlx::Database>::Connection;
        $crate::sql_reference::reference_sql!($store);
        $crate::sql_households::households_sql!($store);
        $crate::sql_household_load::household_load_sql!($store);
        $crate::sql_staff::staff_sql!($store);
        $crate::sql_audit::audit_sql!($store);
        $crate::sql_access::access_sql!($store);
        $crate::sql_credentials::credentials_sql!($store);
        $crate::sql_evidence::evidence_sql!($store);
        $crate::sql_vital_events::vital_events_sql!($store);
        $crate::sql_household_events::household_events_sql!($store);
        $crate::sql_civil::civil_sql!($store);
        $crate::sql_hub::hub_sql!($store);
        $crate::sql_crvs::crvs_sql!($store);
        $crate::sql_cards::cards_sql!($store);
        $crate::sql_stations::stations_sql!($store);
        $crate::sql_appointments::appointments_sql!($store);
        $crate::sql_first_free::first_free_sql!($store);
        $crate::sql_screening::screening_sql!($store);
        $crate::sql_jobs::jobs_sql!($store);
        $crate::sql_programmes::programmes_sql!($store);
        $crate::sql_cycles::cycles_sql!($store);
        $crate::sql_adjustments::adjustments_sql!($store);
        $crate::sql_eligibility::eligibility_sql!($store);
        $crate::sql_outlets::outlets_sql!($store);
        $crate::sql_card_tokens::card_tokens_sql!($store);
        $crate::sql_redemptions::redemptions_sql!($store);
        $crate::sql_stock::stock_sql!($store);
        $crate::sql_complaints::complaints_sql!($store);
        $crate::sql_conversions::conversions_sql!($store);
        $crate::sql_proxies::proxies_sql!($store);
        $crate::sql_payments::payments_sql!($store);
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

            async fn insert_idem(conn: &mut Conn, e: &IdemEntry) -> Result<()> {
                let row = idem_vals(e);
                Self::insert_rows(conn, "idempotency_keys", IDEM_COLS, &[row], "")
                    .await?;
                Ok(())
            }

        }

        impl $crate::CivilStore for $store {
            fn backend(&self) -> Backend {
                Self::BACKEND
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

            #[cfg(feature = "testkit")]
            async fn execute_unchecked(&self, sql: &str) -> Result<()> {
                sqlx::query(sqlx::AssertSqlSafe(sql.to_string())).execute(&self.pool).await?;
                Ok(())
            }

            async fn ping(&self) -> Result<()> {
                sqlx::query("SELECT 1").execute(&self.pool).await?;
                Ok(())
            }

        }
    };
}

pub(crate) use sql_store;
