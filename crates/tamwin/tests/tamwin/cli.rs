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
    // Run again (as after an interruption): the summary says what was there already; nothing doubles.
    let (ok, out) = tamwin(&["--database-url", &url, "import", data.to_str().unwrap()]);
    assert!(
        ok && out.contains("imported 0 households")
            && out.contains("40 households already present"),
        "{out}"
    );
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

/// A log rewritten consistently (the last entry of a chain removed and the head moved back) passes the
/// chain walk, but not the signed checkpoint taken before.
#[tokio::test]
async fn a_signed_checkpoint_catches_a_consistent_rewrite() {
    let dir = std::env::temp_dir().join(format!("tamwin-cli-cp-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let data = dir.join("data");
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let key = dir.join("server.key");
    let cp_file = dir.join("checkpoint.json");
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
    assert!(ok, "{out}");
    let (ok, out) = tamwin(&[
        "--database-url",
        &url,
        "audit",
        "checkpoint",
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(ok && out.contains("\"signature\""), "{out}");
    // The database the console created and the key are readable by their owner only.
    #[cfg(unix)]
    for f in [dir.join("t.db"), key.clone()] {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&f).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "{}", f.display());
    }
    std::fs::write(&cp_file, &out).unwrap();
    let verify = |extra: &[&str]| {
        let mut args = vec![
            "--database-url",
            url.as_str(),
            "audit",
            "verify",
            "--checkpoint",
            cp_file.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        tamwin(&args)
    };
    let (ok, out) = verify(&["--key", key.to_str().unwrap()]);
    assert!(ok && out.contains("holds"), "{out}");

    // Another key's idea of the truth is not trusted.
    let (ok, out) = verify(&["--public-key", &"ab".repeat(32)]);
    assert!(!ok && out.contains("untrusted"), "{out}");

    let store = tamwin_store::SqliteStore::connect(&url).await.unwrap();
    store
        .execute_unchecked(concat!(
            "DELETE FROM audit_log WHERE chain = (SELECT chain FROM audit_heads WHERE position > 0 ORDER BY chain LIMIT 1) ",
            "AND position = (SELECT position FROM audit_heads WHERE position > 0 ORDER BY chain LIMIT 1)"
        ))
        .await
        .unwrap();
    store
        .execute_unchecked(concat!(
            // With 4,096 chains, 40 households rarely share one: the chain may go back to empty.
            "UPDATE audit_heads SET position = position - 1, hash = COALESCE((SELECT l.hash FROM audit_log l ",
            "WHERE l.chain = audit_heads.chain AND l.position = audit_heads.position - 1), ",
            "'0000000000000000000000000000000000000000000000000000000000000000') ",
            "WHERE chain = (SELECT chain FROM audit_heads WHERE position > 0 ORDER BY chain LIMIT 1)"
        ))
        .await
        .unwrap();
    let (ok, out) = tamwin(&["--database-url", &url, "audit", "verify"]);
    assert!(
        ok,
        "the chain walk alone cannot see a consistent truncation: {out}"
    );
    let (ok, out) = verify(&["--key", key.to_str().unwrap()]);
    assert!(!ok && out.contains("diverged"), "{out}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn user_add_reads_a_piped_password_or_generates_one() {
    let dir = std::env::temp_dir().join(format!("tamwin-cli-users-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("u.db").display());
    let run = |args: &[&str], stdin: &str| {
        use std::io::Write;
        let mut child = Command::new(env!("CARGO_BIN_EXE_tamwin"))
            .args(args)
            .env("TAMWIN_LOG", "warn")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(stdin.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let add = [
        "--database-url",
        &url,
        "user",
        "add",
        "--username",
        "officer.k1",
        "--role",
        "centre_officer",
        "--area",
        "KRB-C01",
    ];
    let (ok, out) = run(&add, "correct horse battery\n");
    assert!(
        ok && out.contains("added officer.k1") && !out.contains("password (shown once)"),
        "{out}"
    );
    let (ok, out) = run(&add, "correct horse battery\n");
    assert!(!ok && out.contains("already in use"), "{out}");
    let generated = [
        "--database-url",
        &url,
        "user",
        "add",
        "--username",
        "super.k",
        "--role",
        "governorate_supervisor",
        "--area",
        "11",
    ];
    let (ok, out) = run(&generated, "");
    assert!(ok && out.contains("password (shown once): "), "{out}");
    let bad = [
        "--database-url",
        &url,
        "user",
        "add",
        "--username",
        "x",
        "--role",
        "king",
        "--area",
        "99",
    ];
    let (ok, out) = run(&bad, "");
    assert!(
        !ok && out.contains("role_unknown") && out.contains("area_unknown"),
        "{out}"
    );
    let (ok, out) = run(&["--database-url", &url, "user", "list"], "");
    assert!(
        ok && out.contains("officer.k1\tcentre_officer\tKRB-C01") && out.contains("super.k"),
        "{out}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// The registry's clerk at the console: a mobile station, its day at a care home, a card with home
/// delivery, and a refusal with its code and a non-zero exit.
#[test]
fn stations_and_cards_from_the_console() {
    let dir = std::env::temp_dir().join(format!("tamwin-cli-st-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("civil.db").display());
    let db = |args: &[&str]| {
        let mut a = vec!["--database-url", url.as_str(), "hub"];
        a.extend_from_slice(args);
        tamwin(&a)
    };
    let (ok, out) = db(&[
        "station-add",
        "--kind",
        "mobile",
        "--name",
        "المحطة المتنقلة ١",
        "--district",
        "1101",
    ]);
    assert!(ok, "{out}");
    let site = out.split_whitespace().nth(1).unwrap().to_string();
    let tomorrow = jiff::Zoned::now().date().tomorrow().unwrap().to_string();
    let (ok, out) = db(&[
        "visit-schedule",
        "--site",
        &site,
        "--place-kind",
        "care_home",
        "--place-name",
        "دار المسنين",
        "--district",
        "1101",
        "--date",
        &tomorrow,
    ]);
    assert!(ok, "{out}");
    let (ok, out) = db(&["visits", "--from", &tomorrow, "--to", &tomorrow]);
    assert!(
        ok && out.contains("دار المسنين") && out.contains("0 registered"),
        "{out}"
    );
    // The same station the same day elsewhere: refused, exit code 1.
    let (ok, _) = db(&[
        "visit-schedule",
        "--site",
        &site,
        "--place-kind",
        "camp",
        "--place-name",
        "مخيم",
        "--district",
        "1101",
        "--date",
        &tomorrow,
    ]);
    assert!(!ok);

    // A card with home delivery for a person on file, its QR as SVG.
    let persons = dir.join("persons.csv");
    let id = tamwin_domain::NationalId::from_payload(86_000_000_001)
        .unwrap()
        .to_string();
    std::fs::write(
        &persons,
        format!(
            "{}\n{id},زينب,علي,حسين,,فاطمة,1990-01-01,female,,,,,,\n",
            tamwin_domain::csv_columns::CIVIL_PERSONS.join(",")
        ),
    )
    .unwrap();
    let (ok, out) = db(&["load", persons.to_str().unwrap()]);
    assert!(ok, "{out}");
    let key = dir.join("hub.key");
    let svg = dir.join("qr.svg");
    let (ok, out) = db(&[
        "card-issue",
        "--national-id",
        &id,
        "--deliver-to",
        "كربلاء، دار 3",
        "--svg",
        svg.to_str().unwrap(),
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(ok && out.contains("QR: TMW1:"), "{out}");
    assert!(std::fs::read_to_string(&svg).unwrap().starts_with("<svg"));
    let order = out
        .lines()
        .find(|l| l.starts_with("delivery order"))
        .unwrap()
        .split_whitespace()
        .nth(2)
        .unwrap()
        .to_string();
    let (ok, out) = db(&[
        "card-delivery",
        "--order",
        &order,
        "--status",
        "printed",
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(ok && out.contains("printed"), "{out}");
    let (ok, _) = db(&[
        "card-delivery",
        "--order",
        &order,
        "--status",
        "delivered",
        "--key",
        key.to_str().unwrap(),
    ]);
    assert!(!ok, "not delivered before it went out");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn holidays_from_the_console() {
    let dir = std::env::temp_dir().join(format!("tamwin-cli-hol-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("h.db").display());
    let day = jiff::Zoned::now()
        .date()
        .saturating_add(jiff::Span::new().days(10))
        .to_string();
    let run = |args: &[&str]| {
        let mut a = vec!["--database-url", url.as_str(), "centre"];
        a.extend_from_slice(args);
        tamwin(&a)
    };
    let (ok, out) = run(&[
        "holiday",
        "--centre",
        "*",
        "--day",
        &day,
        "--name",
        "عطلة رسمية",
    ]);
    assert!(ok, "{out}");
    let (ok, _) = run(&[
        "holiday", "--centre", "KRB-X9", "--day", &day, "--name", "x",
    ]);
    assert!(!ok, "an unknown centre is refused");
    let (ok, _) = run(&[
        "holiday", "--centre", "KRB-C01", "--day", "tomorrow", "--name", "x",
    ]);
    assert!(!ok, "a day that is not a date is refused");
    let (ok, out) = run(&["holidays", "--centre", "KRB-C01"]);
    assert!(ok && out.trim() == day, "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A log captured to a file (here a pipe, as `tamwin … 2> log` makes it) holds no colour codes, and
/// `--log-format json` writes one JSON object a line (issue 14, point 8).
#[test]
fn a_captured_log_has_no_escape_codes_and_json_lines_on_request() {
    let dir = std::env::temp_dir().join(format!("tamwin-cli-log-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let url = format!("sqlite://{}", dir.join("t.db").display());
    let run = |extra: &[&str], db: &str| {
        let out = Command::new(env!("CARGO_BIN_EXE_tamwin"))
            .args(["--database-url", db])
            .args(extra)
            .arg("migrate")
            .env("TAMWIN_LOG", "info")
            .env_remove("TAMWIN_LOG_FORMAT")
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let mut all = out.stdout.clone();
        all.extend_from_slice(&out.stderr);
        (all, String::from_utf8(out.stderr).unwrap())
    };
    let (all, log) = run(&[], &url);
    assert!(log.contains("migration applied"), "{log}");
    assert!(
        !all.contains(&0x1b),
        "an escape code in a captured log: {log:?}"
    );

    let fresh = format!("sqlite://{}", dir.join("j.db").display());
    let (all, log) = run(&["--log-format", "json"], &fresh);
    assert!(!all.contains(&0x1b), "{log:?}");
    let events: Vec<serde_json::Value> = log
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(
        events
            .iter()
            .any(|e| e["level"] == "INFO" && e["fields"]["message"] == "migration applied"),
        "{log}"
    );
    std::fs::remove_dir_all(&dir).ok();
}
