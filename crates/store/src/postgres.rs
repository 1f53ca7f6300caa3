//! PostgreSQL, for national scale. Bulk import streams rows with COPY.

use sqlx::postgres::{PgConnectOptions, PgPool, PgPoolOptions};
use std::str::FromStr;

pub struct PgStore {
    pool: PgPool,
}

/// COPY text format: backslash escapes for the characters that frame rows and fields; `\N` is NULL.
fn copy_field(out: &mut String, v: &Val) {
    let text = match v {
        Val::Text(s) => s.as_str(),
        Val::OptText(Some(s)) => s.as_str(),
        Val::OptText(None) => {
            out.push_str("\\N");
            return;
        }
        Val::Int(n) => {
            out.push_str(&n.to_string());
            return;
        }
        Val::Bool(b) => {
            out.push(if *b { 't' } else { 'f' });
            return;
        }
    };
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

impl PgStore {
    const NUMBERED_PARAMS: bool = true;
    /// Appenders to one chain wait for each other here, and only here.
    const AUDIT_HEAD_FOR_UPDATE: &'static str =
        "SELECT position, hash FROM audit_heads WHERE chain = $1 FOR UPDATE";
    const BACKEND: Backend = Backend::Postgres;
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

    async fn bulk_insert(&self, batch: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let households = copy_rows(batch.iter().map(|r| household_vals(&r.household)));
        Self::copy(&mut tx, "households", HOUSEHOLD_COLS, households).await?;
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
