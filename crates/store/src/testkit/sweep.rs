//! Test databases are named after the process that made them, so that the next test process removes
//! those whose maker has exited. Left alone they add up run after run (thousands of 10 MB databases
//! and SQLite files), and PostgreSQL, restarting after an unclean stop, fsyncs every one of their
//! files before it accepts a connection: that once took CI past its wait for the server.

use crate::PgStore;
use std::path::Path;

/// PostgreSQL test databases are `tamwin_t_<pid>_<uuid>`.
pub(super) const PG_PREFIX: &str = "tamwin_t_";

/// `<prefix><pid>_<uuid>`: unique, and telling which process made it.
pub(super) fn fresh_name(prefix: &str) -> String {
    format!(
        "{prefix}{}_{}",
        std::process::id(),
        uuid::Uuid::new_v4().simple()
    )
}

/// Whether a test database's maker is gone. Names without a pid are from before names carried one,
/// and are stale too. Only where `/proc` tells which processes live; elsewhere nothing is stale.
fn stale(name: &str, prefix: &str) -> bool {
    let Some(rest) = name.strip_prefix(prefix) else {
        return false;
    };
    if !Path::new("/proc/self").exists() {
        return false;
    }
    match rest
        .split_once('_')
        .and_then(|(pid, _)| pid.parse::<u32>().ok())
    {
        Some(pid) => pid != std::process::id() && !Path::new(&format!("/proc/{pid}")).exists(),
        None => true,
    }
}

/// Removes the SQLite test files (with their `-wal` and `-shm`) of exited processes.
pub(super) fn sqlite_files(dir: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_str().is_some_and(|n| stale(n, "")) {
            // Another process may be sweeping the same file at the same moment.
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Drops the PostgreSQL test databases of exited processes. A failure here only leaves garbage, so
/// it is printed and the test goes on.
pub(super) async fn postgres_databases(admin: &PgStore) {
    let names = match admin.database_names(PG_PREFIX).await {
        Ok(names) => names,
        Err(e) => return eprintln!("testkit: could not list old test databases: {e}"),
    };
    for name in names.iter().filter(|n| stale(n, PG_PREFIX)) {
        // The name is one this kit made: letters, digits and underscores only.
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            continue;
        }
        if let Err(e) = admin
            .execute_raw(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .await
        {
            eprintln!("testkit: could not drop old test database {name}: {e}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_names_of_exited_makers_are_stale() {
        let mine = fresh_name(PG_PREFIX);
        assert!(!stale(&mine, PG_PREFIX), "{mine}: this process lives");
        // PID 1 always lives; a pid above the kernel's maximum never does.
        assert!(!stale("tamwin_t_1_abc", PG_PREFIX));
        assert!(stale("tamwin_t_4294967295_abc", PG_PREFIX));
        assert!(stale(
            "tamwin_t_8614ebfe4daf466693e5ecfc32eca92b",
            PG_PREFIX
        ));
        assert!(!stale("tamwin_test", PG_PREFIX), "not one of ours");
        assert!(!stale("tamwin_fuzz", PG_PREFIX), "not one of ours");
        assert!(stale("4294967295_abc.db-wal", ""));
        assert!(
            stale("0b8e-41c2.db", ""),
            "made before names carried the pid"
        );
    }
}
