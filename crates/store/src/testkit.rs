//! Fresh, empty, migrated stores for tests: a new SQLite file, and a new PostgreSQL database created
//! through `TAMWIN_TEST_POSTGRES_URL`. Without that variable the PostgreSQL half fails loudly, unless
//! `TAMWIN_TEST_SKIP_POSTGRES=1` says to skip it (and that is printed): nothing skips silently.
//!
//! A story written once becomes one test per backend with [`backend_tests!`](crate::backend_tests),
//! so that a failure names its backend and one backend's failure does not hide the other's run.

// Test support only: a test that cannot get its database must stop loudly.
#![allow(clippy::panic)]

use crate::{CivilStore, PgStore, SqliteStore, Store};
use std::sync::Arc;

mod stories;
mod sweep;

/// One of the backends every store behaviour is tested on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    /// `"sqlite"` or `"postgres"`, as tests name it in messages and paths.
    pub const fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }

    /// Whether this backend's test is to be skipped: never for SQLite; for PostgreSQL only under
    /// `TAMWIN_TEST_SKIP_POSTGRES=1` (printed), and a loud failure when its URL is not set.
    pub fn skipped(self) -> bool {
        self == Backend::Postgres && postgres_base().is_none()
    }
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl PartialEq<&str> for Backend {
    fn eq(&self, other: &&str) -> bool {
        self.name() == *other
    }
}

pub async fn sqlite() -> Arc<dyn Store> {
    sqlite_at(&sqlite_url()).await
}

fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("tamwin-tests");
    std::fs::create_dir_all(&dir).ok();
    static SWEPT: std::sync::Once = std::sync::Once::new();
    SWEPT.call_once(|| sweep::sqlite_files(&dir));
    let path = dir.join(format!("{}.db", sweep::fresh_name("")));
    format!("sqlite://{}", path.display())
}

async fn sqlite_at(url: &str) -> Arc<dyn Store> {
    sqlite_concrete(url).await
}

/// The civil registry's side of each test database, by the address of its store (both sides are one
/// allocation): tests that play the reference registry on the same database ask `civil_of`.
static CIVIL: std::sync::Mutex<Vec<(usize, std::sync::Weak<dyn CivilStore>)>> =
    std::sync::Mutex::new(Vec::new());

fn remember<S: CivilStore + 'static>(s: &Arc<S>) {
    let civil: Arc<dyn CivilStore> = s.clone();
    let mut all = CIVIL.lock().unwrap_or_else(|e| e.into_inner());
    all.retain(|(_, w)| w.strong_count() > 0);
    all.push((Arc::as_ptr(s) as *const () as usize, Arc::downgrade(&civil)));
}

/// The civil registry's store on the same database as this test store (made by this module).
pub fn civil_of(store: &Arc<dyn Store>) -> Arc<dyn CivilStore> {
    let key = Arc::as_ptr(store) as *const () as usize;
    let all = CIVIL.lock().unwrap_or_else(|e| e.into_inner());
    all.iter()
        .find(|(k, _)| *k == key)
        .and_then(|(_, w)| w.upgrade())
        .unwrap_or_else(|| panic!("civil_of: this store was not made by testkit"))
}

async fn sqlite_concrete(url: &str) -> Arc<SqliteStore> {
    let s = SqliteStore::connect(url)
        .await
        .unwrap_or_else(|e| panic!("sqlite: {e}"));
    s.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate sqlite: {e}"));
    let s = Arc::new(s);
    remember(&s);
    s
}

pub async fn postgres() -> Option<Arc<dyn Store>> {
    Some(postgres_at(&postgres_url().await?).await)
}

/// The PostgreSQL server tests make their databases on; `None` (printed) when skipped.
fn postgres_base() -> Option<String> {
    let Ok(base) = std::env::var("TAMWIN_TEST_POSTGRES_URL") else {
        if std::env::var("TAMWIN_TEST_SKIP_POSTGRES").as_deref() == Ok("1") {
            eprintln!("WARNING: TAMWIN_TEST_SKIP_POSTGRES=1: PostgreSQL half of this test skipped");
            return None;
        }
        panic!(
            "TAMWIN_TEST_POSTGRES_URL is not set: the store tests run on PostgreSQL too (see README)"
        );
    };
    Some(base)
}

/// A new, empty PostgreSQL database's URL.
async fn postgres_url() -> Option<String> {
    let base = postgres_base()?;
    let name = sweep::fresh_name(sweep::PG_PREFIX);
    let admin = PgStore::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("postgres {base}: {e}"));
    static SWEPT: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    SWEPT
        .get_or_init(|| sweep::postgres_databases(&admin))
        .await;
    admin
        .execute_raw(&format!("CREATE DATABASE {name}"))
        .await
        .unwrap_or_else(|e| panic!("create database: {e}"));
    Some(match base.rsplit_once('/') {
        Some((head, tail)) if !tail.contains('@') => {
            let query = tail
                .split_once('?')
                .map(|(_, q)| format!("?{q}"))
                .unwrap_or_default();
            format!("{head}/{name}{query}")
        }
        _ => format!("{base}/{name}"),
    })
}

async fn postgres_at(url: &str) -> Arc<dyn Store> {
    postgres_concrete(url).await
}

async fn postgres_concrete(url: &str) -> Arc<PgStore> {
    let s = PgStore::connect(url)
        .await
        .unwrap_or_else(|e| panic!("postgres {url}: {e}"));
    s.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate postgres: {e}"));
    let s = Arc::new(s);
    remember(&s);
    s
}

/// Both backends, each a fresh database opened twice (two pools, as two servers would): for tests of
/// what two servers on one database must never do twice.
pub async fn backend_pairs() -> Vec<(&'static str, Arc<dyn Store>, Arc<dyn Store>)> {
    let url = sqlite_url();
    let mut v = vec![("sqlite", sqlite_at(&url).await, sqlite_at(&url).await)];
    if let Some(url) = postgres_url().await {
        v.push(("postgres", postgres_at(&url).await, postgres_at(&url).await));
    }
    v
}

/// Both backends, each fresh: `("sqlite", …)` and `("postgres", …)`.
pub async fn backends() -> Vec<(&'static str, Arc<dyn Store>)> {
    let mut v = vec![("sqlite", sqlite().await)];
    if let Some(p) = postgres().await {
        v.push(("postgres", p));
    }
    v
}

/// A backend's name, the ration side's store and the civil registry's, on one database.
pub type WithCivil = (&'static str, Arc<dyn Store>, Arc<dyn CivilStore>);

/// Both backends, each fresh, with the ration side's store and the civil registry's on one database
/// (as the embedded demo keeps them): `("sqlite", ration, civil)` and `("postgres", …)`.
pub async fn backends_with_civil() -> Vec<WithCivil> {
    let s = sqlite_concrete(&sqlite_url()).await;
    let mut v: Vec<WithCivil> = vec![("sqlite", s.clone(), s)];
    if let Some(url) = postgres_url().await {
        let p = postgres_concrete(&url).await;
        v.push(("postgres", p.clone(), p));
    }
    v
}

/// Both backends' civil registry stores, each fresh.
pub async fn civil_backends() -> Vec<(&'static str, Arc<dyn CivilStore>)> {
    backends_with_civil()
        .await
        .into_iter()
        .map(|(name, _, civil)| (name, civil))
        .collect()
}

/// A fresh SQLite database as both sides' stores.
pub async fn sqlite_with_civil() -> (Arc<dyn Store>, Arc<dyn CivilStore>) {
    let s = sqlite_concrete(&sqlite_url()).await;
    (s.clone(), s)
}

/// A fresh PostgreSQL database's URL for a test that was not skipped.
async fn postgres_url_for(b: Backend) -> String {
    postgres_url()
        .await
        .unwrap_or_else(|| panic!("{b}: this backend is skipped; check `Backend::skipped` first"))
}

/// One backend's fresh store: what `backends` gives, one backend at a time.
pub async fn store(b: Backend) -> (&'static str, Arc<dyn Store>) {
    match b {
        Backend::Sqlite => (b.name(), sqlite().await),
        Backend::Postgres => (b.name(), postgres_at(&postgres_url_for(b).await).await),
    }
}

/// One backend's fresh database opened twice (two pools, as two servers would): what
/// `backend_pairs` gives, one backend at a time.
pub async fn pair(b: Backend) -> (&'static str, Arc<dyn Store>, Arc<dyn Store>) {
    let url = match b {
        Backend::Sqlite => sqlite_url(),
        Backend::Postgres => postgres_url_for(b).await,
    };
    match b {
        Backend::Sqlite => (b.name(), sqlite_at(&url).await, sqlite_at(&url).await),
        Backend::Postgres => (b.name(), postgres_at(&url).await, postgres_at(&url).await),
    }
}

/// One backend's fresh database as both sides' stores: what `backends_with_civil` gives, one
/// backend at a time.
pub async fn with_civil(b: Backend) -> WithCivil {
    match b {
        Backend::Sqlite => {
            let s = sqlite_concrete(&sqlite_url()).await;
            (b.name(), s.clone(), s)
        }
        Backend::Postgres => {
            let p = postgres_concrete(&postgres_url_for(b).await).await;
            (b.name(), p.clone(), p)
        }
    }
}

/// One backend's fresh civil registry store: what `civil_backends` gives, one backend at a time.
pub async fn civil(b: Backend) -> (&'static str, Arc<dyn CivilStore>) {
    let (name, _, civil) = with_civil(b).await;
    (name, civil)
}
