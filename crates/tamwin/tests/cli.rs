//! The command line as a user runs it: generate, import, audit verify (and its exit code on tampering).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::process::Command;
use tamwin_store::Store;

fn tamwin(args: &[&str]) -> (bool, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_tamwin"))
        .args(args)
        .env("TAMWIN_LOG", "warn")
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).to_string(),
    )
}

#[tokio::test]
async fn audit_verify_exits_non_zero_naming_a_tampered_entry() {
    let dir = std::env::temp_dir().join(format!("tamwin-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let (ok, out) = tamwin(&[
        "generate",
        "--households",
        "40",
        "--governorate",
        "11",
        "--out",
        data.to_str().unwrap(),
    ]);
    assert!(ok, "{out}");
    let (ok, out) = tamwin(&["--database-url", &url, "import", data.to_str().unwrap()]);
    assert!(ok && out.contains("imported 40 households"), "{out}");
    let (ok, out) = tamwin(&["--database-url", &url, "audit", "verify"]);
    assert!(ok && out.contains("intact: 40 entries"), "{out}");

    let store = tamwin_store::SqliteStore::connect(&url).await.unwrap();
    store
        .execute_unchecked("UPDATE audit_log SET details = '{}' WHERE rowid = (SELECT rowid FROM audit_log ORDER BY chain, position LIMIT 1 OFFSET 2)")
        .await
        .unwrap();
    let (ok, out) = tamwin(&["--database-url", &url, "audit", "verify"]);
    assert!(!ok, "a tampered log must fail: {out}");
    assert!(out.contains("modified") && out.contains("(entry "), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}
