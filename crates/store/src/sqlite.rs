//! SQLite, the embedded default: one file in WAL mode, writes serialised by `BEGIN IMMEDIATE` on one
//! writer connection, reads on a pool of their own.

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

pub struct SqliteStore {
    pool: SqlitePool,
    /// The one connection write transactions use (the same pool as `pool` for an in-memory database).
    writer: SqlitePool,
    /// This process's writers take turns here before `BEGIN IMMEDIATE` (see `begin_write`).
    write_turn: Arc<tokio::sync::Mutex<()>>,
    /// While this lives, the WAL is checkpointed in the background (`checkpoints`).
    _checkpointing: Arc<()>,
}

/// How often the background task checkpoints the WAL into the database file.
const CHECKPOINT_EVERY: Duration = Duration::from_millis(250);

/// Checkpoints the WAL off the writer's path, until the store is dropped. SQLite's own automatic
/// checkpoint runs inside the commit that takes the WAL past 1,000 pages, and again in every commit
/// after it while readers keep it from finishing, each time syncing the WAL to disk: under load that
/// was a few hundred fsyncs of 1–9 ms per 2,000 bookings, every one holding up the single writer. A
/// PASSIVE checkpoint waits for no reader or writer; what readers still need is copied next time.
///
/// A PASSIVE checkpoint never restarts the WAL, and under a steady stream of writes SQLite never finds
/// the moment to: an import of 250,000 households left a 4.6 GB WAL, every read then searched its
/// index, and every later process spent seconds rebuilding it on open. Once the WAL passes
/// `WAL_RESTART_FRAMES` and is all copied, a TRUNCATE checkpoint waits for the writer in progress to
/// commit, holds the next one for the moment it takes, and empties the file.
async fn checkpoints(pool: SqlitePool, alive: std::sync::Weak<()>) {
    loop {
        tokio::time::sleep(CHECKPOINT_EVERY).await;
        if alive.upgrade().is_none() {
            return;
        }
        let frames = sqlx::query_as::<_, (i64, i64, i64)>("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_one(&pool)
            .await;
        match frames {
            Ok((_, log, copied)) if log > WAL_RESTART_FRAMES && copied == log => {
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
                    .execute(&pool)
                    .await
                {
                    tracing::warn!("WAL checkpoint (truncate): {e}");
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!("WAL checkpoint: {e}"),
        }
    }
}

/// 1 GiB of 4 KiB pages: a pause of a second or two every gigabyte written, rarely met but in bulk
/// imports, and a WAL index still quick to search.
const WAL_RESTART_FRAMES: i64 = 262_144;

/// A write transaction holding this process's turn to write, given back when it commits or is dropped.
pub(crate) struct WriteTx {
    tx: sqlx::Transaction<'static, sqlx::Sqlite>,
    _turn: tokio::sync::OwnedMutexGuard<()>,
}

impl WriteTx {
    pub(crate) async fn commit(self) -> std::result::Result<(), sqlx::Error> {
        self.tx.commit().await
    }
}

impl std::ops::Deref for WriteTx {
    type Target = sqlx::SqliteConnection;
    fn deref(&self) -> &Self::Target {
        &self.tx
    }
}

impl std::ops::DerefMut for WriteTx {
    fn deref_mut(&mut self) -> &mut Self::Target {
        &mut self.tx
    }
}

impl crate::PoolUse for SqliteStore {
    fn pool_stats(&self) -> crate::PoolStats {
        crate::pool::stats(&self.pool)
    }
}

impl SqliteStore {
    const NUMBERED_PARAMS: bool = false;
    /// Write transactions already hold the database's write lock (BEGIN IMMEDIATE).
    const LOCK_HEADS: &'static str = "";
    /// The write lock is the database's: the first free slot read is the first free slot.
    const LOCK_FREE_SLOT: &'static str = "";
    const LOCK_FREE_SLOT_WAIT: &'static str = "";
    const BACKEND: Backend = Backend::Sqlite;

    /// The texts of a JSON array bound as `$1`, as rows: one parameter for a list of any length.
    const JSON_TEXTS: &'static str = "SELECT value FROM json_each($1)";

    /// A household read whole in one statement (`sql_household_load`).
    fn load_sql_where(filter: &str) -> String {
        crate::sql_household_load::load_sql(filter, "json_object", ("json_group_array(", ")"))
    }
    const MIGRATIONS: &'static [crate::migrate::Migration] = crate::migrate::SQLITE;

    /// Opens (creating if needed) the database at a `sqlite://path` URL. A new database file is
    /// created readable by its owner only (SQLite gives its -wal and -shm files the same mode).
    pub async fn connect(url: &str) -> Result<Self> {
        create_owner_only(url)?;
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("{url}: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            // 64 MiB of page cache per connection: index pages of a national registry are touched at random.
            .pragma("cache_size", "-65536")
            .pragma("temp_store", "memory");
        let pool = SqlitePoolOptions::new()
            .max_connections(8)
            .connect_with(opts.clone())
            .await?;
        // Writers use one connection of their own: its page cache is never made stale by another
        // writer, and the readers' connections are not taken by a queue of waiting writers.
        let alive = Arc::new(());
        let writer = if url.contains(":memory:") || url.contains("mode=memory") {
            pool.clone()
        } else {
            // The writer never checkpoints in its commits: the background task does.
            let writer = SqlitePoolOptions::new()
                .max_connections(1)
                .connect_with(opts.pragma("wal_autocheckpoint", "0"))
                .await?;
            tokio::spawn(checkpoints(pool.clone(), Arc::downgrade(&alive)));
            writer
        };
        Ok(Self {
            pool,
            writer,
            write_turn: Arc::new(tokio::sync::Mutex::new(())),
            _checkpointing: alive,
        })
    }

    /// Write transactions take the write lock at once, so two writers never deadlock on an upgrade.
    /// SQLite has one writer at a time anyway; waiting for the turn in a fair in-process queue first
    /// means a writer starts the moment the previous one commits, instead of polling the file lock
    /// in the busy handler's growing sleeps (1, 2, 5 … 100 ms), which capped bookings at ~300/s with
    /// seconds of tail latency. Other processes (the CLI beside a server) still meet the busy timeout.
    async fn begin_write(&self) -> Result<WriteTx> {
        let turn = self.write_turn.clone().lock_owned().await;
        let tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        Ok(WriteTx { tx, _turn: turn })
    }

    async fn begin_read(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        Ok(self.pool.begin().await?)
    }

    /// Rows into a table in one transaction, many rows per statement.
    async fn load_rows(&self, table: &str, cols: &str, rows: Vec<Vec<Val>>) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_rows(&mut tx, table, cols, &rows, "").await?;
        tx.commit().await.map_err(crate::error::commit_error)?;
        Ok(())
    }

    /// SQLite cannot drop the index behind a PRIMARY KEY: even an initial load keeps it up to date.
    async fn civil_bulk_begin(&self) -> Result<Option<Box<dyn crate::CivilBulkLoad>>> {
        Ok(None)
    }

    async fn bulk_insert(&self, batch: &[HouseholdRecord], logs: &[ChangeLog]) -> Result<()> {
        let mut tx = self.begin_write().await?;
        Self::insert_records(&mut tx, batch, logs).await?;
        tx.commit().await.map_err(crate::error::commit_error)?;
        Ok(())
    }
}

crate::sql_impl::sql_store!(SqliteStore, sqlx::Sqlite);

/// Creates the (empty) database file of a `sqlite:` URL with mode 0600 if it does not exist yet;
/// SQLite then makes it a database. In-memory databases have no file.
fn create_owner_only(url: &str) -> Result<()> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    let path = rest.split('?').next().unwrap_or("");
    if path.is_empty() || path == ":memory:" || rest.contains("mode=memory") {
        return Ok(());
    }
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
    match opts.open(path) {
        Ok(_) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
        // A directory that does not exist, say: SQLite's own error says it better.
        Err(_) => Ok(()),
    }
}

#[cfg(all(test, unix))]
mod tests {
    #![allow(clippy::unwrap_used)]
    use crate::Store;
    use std::os::unix::fs::PermissionsExt;

    #[tokio::test]
    async fn a_new_database_and_its_wal_are_owner_only() {
        let dir = std::env::temp_dir().join(format!("tamwin-sqlite-mode-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let db = dir.join("t.db");
        let store = super::SqliteStore::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        store.migrate().await.unwrap();
        for f in ["t.db", "t.db-wal", "t.db-shm"] {
            let mode = std::fs::metadata(dir.join(f)).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{f}");
        }
        drop(store);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
