//! Fresh, empty, migrated stores for tests: a new SQLite file, and a new PostgreSQL database created
//! through `TAMWIN_TEST_POSTGRES_URL`. Without that variable the PostgreSQL half fails loudly, unless
//! `TAMWIN_TEST_SKIP_POSTGRES=1` says to skip it (and that is printed): nothing skips silently.

// Test support only: a test that cannot get its database must stop loudly.
#![allow(clippy::panic)]

use crate::{PgStore, SqliteStore, Store};
use std::sync::Arc;

pub async fn sqlite() -> Arc<dyn Store> {
    sqlite_at(&sqlite_url()).await
}

fn sqlite_url() -> String {
    let dir = std::env::temp_dir().join("tamwin-tests");
    std::fs::create_dir_all(&dir).ok();
    let path = dir.join(format!("{}.db", uuid::Uuid::new_v4()));
    format!("sqlite://{}", path.display())
}

async fn sqlite_at(url: &str) -> Arc<dyn Store> {
    let s = SqliteStore::connect(url)
        .await
        .unwrap_or_else(|e| panic!("sqlite: {e}"));
    s.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate sqlite: {e}"));
    Arc::new(s)
}

pub async fn postgres() -> Option<Arc<dyn Store>> {
    Some(postgres_at(&postgres_url().await?).await)
}

/// A new, empty PostgreSQL database's URL.
async fn postgres_url() -> Option<String> {
    let Ok(base) = std::env::var("TAMWIN_TEST_POSTGRES_URL") else {
        if std::env::var("TAMWIN_TEST_SKIP_POSTGRES").as_deref() == Ok("1") {
            eprintln!("WARNING: TAMWIN_TEST_SKIP_POSTGRES=1: PostgreSQL half of this test skipped");
            return None;
        }
        panic!(
            "TAMWIN_TEST_POSTGRES_URL is not set: the store tests run on PostgreSQL too (see README)"
        );
    };
    let name = format!("tamwin_t_{}", uuid::Uuid::new_v4().simple());
    let admin = PgStore::connect(&base)
        .await
        .unwrap_or_else(|e| panic!("postgres {base}: {e}"));
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
    let s = PgStore::connect(url)
        .await
        .unwrap_or_else(|e| panic!("postgres {url}: {e}"));
    s.migrate()
        .await
        .unwrap_or_else(|e| panic!("migrate postgres: {e}"));
    Arc::new(s)
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
