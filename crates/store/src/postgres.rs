//! PostgreSQL, for national scale. Bulk import streams rows with COPY.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;

pub struct PgStore {
    pool: PgPool,
}

impl crate::PoolUse for PgStore {
    fn pool_stats(&self) -> crate::PoolStats {
        crate::pool::stats(&self.pool)
    }
}

/// COPY text format: backslash escapes for the characters that frame rows and fields.
fn copy_text(out: &mut String, text: &str) {
    // Most fields need no escape: copy them whole.
    if !text
        .bytes()
        .any(|b| matches!(b, b'\\' | b'\t' | b'\n' | b'\r'))
    {
        out.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            _ => out.push(c),
        }
    }
}

/// One field in COPY text format; `\N` is NULL.
fn copy_field(out: &mut String, v: &Val) {
    match v {
        Val::Text(s) | Val::OptText(Some(s)) => copy_text(out, s),
        Val::OptText(None) | Val::OptInt(None) => out.push_str("\\N"),
        Val::Int(n) | Val::OptInt(Some(n)) => out.push_str(&n.to_string()),
        Val::Bool(b) => out.push(if *b { 't' } else { 'f' }),
    }
}

fn copy_rows(rows: impl Iterator<Item = Vec<Val>>) -> String {
    let mut out = String::new();
    for row in rows {
        for (i, v) in row.iter().enumerate() {
            if i > 0 {
                out.push('\t');
            }
            copy_field(&mut out, v);
        }
        out.push('\n');
    }
    out
}

/// Civil-registry persons encoded for `CivilBulkLoad::send`: COPY text in `CIVIL_COLS` order, written
/// straight from the fields (no row values in between) on the caller's thread, so that encoding runs
/// beside the database's work.
#[derive(Debug, Default)]
pub struct CivilRows {
    text: String,
    rows: usize,
}

impl CivilRows {
    pub fn with_capacity(rows: usize) -> CivilRows {
        CivilRows {
            // About 200 bytes a person.
            text: String::with_capacity(rows * 256),
            rows: 0,
        }
    }

    pub fn push(&mut self, p: &crate::CivilPerson) {
        let fields = [
            Some(p.national_id.as_str()),
            Some(p.given_name.as_str()),
            Some(p.father_name.as_str()),
            Some(p.grandfather_name.as_str()),
            p.family_name.as_deref(),
            Some(p.mother_name.as_str()),
            Some(p.birth_date.as_str()),
            Some(p.sex.as_str()),
            p.phone.as_deref(),
            p.card_status.as_deref(),
            p.card_expires.as_deref(),
            p.fingerprint_sha256.as_deref(),
            p.death_date.as_deref(),
            p.abroad_since.as_deref(),
        ];
        for (i, f) in fields.into_iter().enumerate() {
            if i > 0 {
                self.text.push('\t');
            }
            match f {
                Some(v) => copy_text(&mut self.text, v),
                None => self.text.push_str("\\N"),
            }
        }
        self.text.push('\n');
        self.rows += 1;
    }

    pub fn len(&self) -> usize {
        self.rows
    }

    pub fn is_empty(&self) -> bool {
        self.rows == 0
    }
}

/// The initial civil-registry load on PostgreSQL: one transaction, the primary key dropped at the start
/// and built at the end. Either the commit makes the whole load visible with its key, or the rollback
/// (explicit, on a dropped connection or after a server crash) restores the empty, keyed table:
/// no run, however it ends, leaves the table without its key.
struct PgCivilBulk {
    tx: sqlx::Transaction<'static, sqlx::Postgres>,
}

#[async_trait::async_trait]
impl crate::CivilBulkLoad for PgCivilBulk {
    async fn send(&mut self, rows: CivilRows) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        // FREEZE: the table was truncated in this transaction, so rows can be written frozen, sparing
        // the rewrite of every page that setting hint bits and freezing would cost after the load.
        let stmt = format!("COPY civil_persons ({CIVIL_COLS}) FROM STDIN WITH (FREEZE)");
        let mut copy = self.tx.copy_in_raw(&stmt).await?;
        copy.send(rows.text.into_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }

    async fn finish(self: Box<Self>) -> Result<()> {
        let mut tx = self.tx;
        // One sort of every national ID: in memory as far as it fits, with the parallel workers the
        // server allows. 2 GB is a ceiling, taken only as the sort needs it (44.5M IDs: about 2.8 GB).
        sqlx::query("SET LOCAL maintenance_work_mem = '2GB'")
            .execute(&mut *tx)
            .await?;
        sqlx::query(
            "ALTER TABLE civil_persons ADD CONSTRAINT civil_persons_pkey PRIMARY KEY (national_id)",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await.map_err(crate::error::commit_error)?;
        Ok(())
    }
}

impl PgStore {
    const NUMBERED_PARAMS: bool = true;
    /// Appenders to one chain wait for each other here, and only here.
    const LOCK_HEADS: &'static str = " FOR UPDATE";
    /// A free slot another booking holds is passed over; when all are held, wait for the earliest.
    const LOCK_FREE_SLOT: &'static str = " FOR UPDATE SKIP LOCKED";
    const LOCK_FREE_SLOT_WAIT: &'static str = " FOR UPDATE";
    const BACKEND: Backend = Backend::Postgres;

    /// The texts of a JSON array bound as `$1`, as rows: one parameter for a list of any length.
    const JSON_TEXTS: &'static str = "SELECT json_array_elements_text($1::json)";

    /// A household read whole in one statement (`sql_household_load`).
    fn load_sql_where(filter: &str) -> String {
        crate::sql_household_load::load_sql(
            filter,
            "json_build_object",
            ("COALESCE(json_agg(", "), '[]')::text"),
        )
    }
    const MIGRATIONS: &'static [crate::migrate::Migration] = crate::migrate::POSTGRES;

    pub async fn connect(url: &str) -> Result<Self> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("{url}: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .connect_with(opts)
            .await?;
        Ok(Self { pool })
    }

    /// The names of the databases on this server that start with `prefix` (for the test kit's sweep).
    #[cfg(feature = "testkit")]
    pub(crate) async fn database_names(&self, prefix: &str) -> Result<Vec<String>> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT datname FROM pg_database WHERE starts_with(datname, $1)")
                .bind(prefix)
                .fetch_all(&self.pool)
                .await?;
        Ok(rows.into_iter().map(|(name,)| name).collect())
    }

    /// One statement outside any transaction (e.g. CREATE DATABASE for tests).
    pub async fn execute_raw(&self, sql: &str) -> Result<()> {
        sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.pool.begin().await?)
    }

    async fn begin_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self
            .pool
            .begin_with("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            .await?)
    }

    async fn copy(
        conn: &mut sqlx::PgConnection,
        table: &str,
        cols: &str,
        data: String,
    ) -> Result<()> {
        if data.is_empty() {
            return Ok(());
        }
        let stmt = format!("COPY {table} ({cols}) FROM STDIN");
        let mut copy = conn.copy_in_raw(&stmt).await?;
        copy.send(data.into_bytes()).await?;
        copy.finish().await?;
        Ok(())
    }

    /// Rows into a table in one transaction, by COPY.
    async fn load_rows(&self, table: &str, cols: &str, rows: Vec<Vec<Val>>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::copy(&mut tx, table, cols, copy_rows(rows.into_iter())).await?;
        tx.commit().await.map_err(crate::error::commit_error)?;
        Ok(())
    }

    async fn civil_bulk_begin(&self) -> Result<Option<Box<dyn crate::CivilBulkLoad>>> {
        let mut tx = self.begin_write().await?;
        // Locked before the check, so no writer slips in between; readers wait for the commit, and
        // find nothing before it anyway.
        sqlx::query("LOCK TABLE civil_persons IN ACCESS EXCLUSIVE MODE")
            .execute(&mut *tx)
            .await?;
        let occupied: bool = sqlx::query_scalar("SELECT EXISTS (SELECT 1 FROM civil_persons)")
            .fetch_one(&mut *tx)
            .await?;
        if occupied {
            tx.rollback().await?;
            return Ok(None);
        }
        // TRUNCATE gives the table a new, empty file: COPY may then freeze, and a rollback just drops
        // the file, leaving no dead rows of a failed load behind. The key name is PostgreSQL's default
        // for the migration's `PRIMARY KEY`; `finish` puts it back under the same name.
        sqlx::query("TRUNCATE civil_persons")
            .execute(&mut *tx)
            .await?;
        sqlx::query("ALTER TABLE civil_persons DROP CONSTRAINT civil_persons_pkey")
            .execute(&mut *tx)
            .await?;
        Ok(Some(Box::new(PgCivilBulk { tx })))
    }

    async fn bulk_insert(&self, batch: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let households = copy_rows(batch.iter().map(new_household_vals));
        Self::copy(&mut tx, "households", NEW_HOUSEHOLD_COLS, households).await?;
        let cards = copy_rows(batch.iter().map(|r| {
            vec![
                r.household.card_number.as_str().into(),
                r.household.household_id.as_str().into(),
            ]
        }));
        Self::copy(&mut tx, "card_index", "card_number, household_id", cards).await?;
        let members = copy_rows(batch.iter().flat_map(|r| {
            r.members
                .iter()
                .map(move |m| member_vals(&r.household.household_id, m))
        }));
        Self::copy(&mut tx, "members", MEMBER_COLS, members).await?;
        let ids = copy_rows(
            batch
                .iter()
                .filter(|r| r.household.closed_at.is_none())
                .flat_map(|r| {
                    r.members
                        .iter()
                        .filter(|m| m.presence == Presence::Present)
                        .filter_map(move |m| {
                            m.national_id.as_ref().map(|n| {
                                vec![
                                    n.as_str().into(),
                                    r.household.household_id.as_str().into(),
                                    m.member_id.as_str().into(),
                                ]
                            })
                        })
                }),
        );
        Self::copy(
            &mut tx,
            "national_id_index",
            "national_id, household_id, member_id",
            ids,
        )
        .await?;
        let holds = copy_rows(batch.iter().flat_map(|r| {
            r.holds
                .iter()
                .map(move |h| hold_vals(&r.household.household_id, h))
        }));
        Self::copy(&mut tx, "holds", HOLD_COLS, holds).await?;
        let changes = copy_rows(
            batch
                .iter()
                .zip(logs)
                .map(|(r, l)| change_vals(&r.household.household_id, l)),
        );
        Self::copy(&mut tx, "household_changes", CHANGE_COLS, changes).await?;
        let audit: Vec<(Option<&str>, &ChangeLog)> = batch
            .iter()
            .zip(logs)
            .map(|(r, l)| (Some(r.household.household_id.as_str()), l))
            .collect();
        let rows = Self::chain_audit(&mut tx, &audit).await?;
        Self::copy(
            &mut tx,
            "audit_log",
            AUDIT_COLS,
            copy_rows(rows.into_iter()),
        )
        .await?;
        tx.commit().await.map_err(crate::error::commit_error)?;
        Ok(())
    }
}

crate::sql_impl::sql_store!(PgStore, sqlx::Postgres);
