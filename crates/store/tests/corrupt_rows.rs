//! A stored state the code does not know (a hand edit, a newer server's value, a migration gone
//! wrong) is an error naming its table and column when read, on both backends: never a panic, never a
//! default. The schema's CHECK constraints refuse such values, so each test steps around them the way
//! a drifted database would have: PostgreSQL drops the column's constraint, SQLite ignores CHECKs for
//! the one statement.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::sync::Arc;
use tamwin_store::{Store, StoreError, testkit};

const T: &str = "2026-11-21T09:00:00.000000Z";

/// Sets `table.column` to an unknown value on the rows `cond` matches, around its CHECK constraint.
async fn write_unknown(backend: &str, s: &Arc<dyn Store>, table: &str, column: &str, cond: &str) {
    let update = format!("UPDATE {table} SET {column} = 'no_such_value' WHERE {cond}");
    if backend == "postgres" {
        s.execute_unchecked(&format!(
            "ALTER TABLE {table} DROP CONSTRAINT IF EXISTS {table}_{column}_check"
        ))
        .await
        .unwrap();
        s.execute_unchecked(&update).await.unwrap();
    } else {
        // One call, so one connection: the pragma holds for this statement alone.
        s.execute_unchecked(&format!(
            "PRAGMA ignore_check_constraints = ON; {update}; PRAGMA ignore_check_constraints = OFF"
        ))
        .await
        .unwrap();
    }
}

fn names<T: std::fmt::Debug>(backend: &str, r: Result<T, StoreError>, what: &str) {
    match r {
        Err(StoreError::Corrupt(m)) => assert!(
            m.contains(what) && m.contains("no_such_value"),
            "{backend}: {m} should name {what} and the value"
        ),
        other => panic!("{backend}: reading an unknown {what} gave {other:?}"),
    }
}

async fn exec(s: &Arc<dyn Store>, sql: &str) {
    s.execute_unchecked(sql).await.unwrap();
}

async fn with_appointment(s: &Arc<dyn Store>) {
    exec(
        s,
        &format!(
            "INSERT INTO appointments (household_id, appointment_id, kind, centre_code, starts_at, status, booked_at, booked_by) \
             VALUES ('h1', 'a1', 'centre', 'KRB-C04', '2026-11-23T09:00', 'booked', '{T}', 'test')"
        ),
    )
    .await;
    exec(
        s,
        "INSERT INTO appointment_members (household_id, appointment_id, member_id, required, declared_documents, attendance) \
         VALUES ('h1', 'a1', 'm1', TRUE, '', 'expected')",
    )
    .await;
}

tamwin_store::backend_tests! {
async fn unknown_appointment_states_are_errors_naming_their_column(backend) {
    for (table, column) in [
        ("appointments", "status"),
        ("appointments", "kind"),
        ("appointment_members", "attendance"),
    ] {
        {
            let (backend, s) = testkit::store(backend).await;
            with_appointment(&s).await;
            // Readable as written.
            assert_eq!(s.appointment(&"a1".into()).await.unwrap().unwrap().members.len(), 1);
            write_unknown(backend, &s, table, column, "appointment_id = 'a1'").await;
            let what = format!("{table}.{column}");
            names(backend, s.appointment(&"a1".into()).await, &what);
            names(backend, s.appointments_of(&"h1".into()).await, &what);
        }
    }
}
}

async fn with_finding(s: &Arc<dyn Store>) {
    exec(
        s,
        &format!(
            "INSERT INTO screening_runs (run_id, started_by, started_at, status, phase, done, total, written, summary) \
             VALUES ('r1', 'test', '{T}', 'done', 'done', 0, 0, 1, '')"
        ),
    )
    .await;
    exec(
        s,
        &format!(
            "INSERT INTO screening_findings (finding_id, run_id, kind, household_id, member_id, pair_key, score_micros, \
             decision, explanation, status, created_at) \
             VALUES ('f1', 'r1', 'fictitious', 'h1', 'm1', 'fictitious:m1', 990000, 'hold', '', 'confirmed', '{T}')"
        ),
    )
    .await;
    exec(
        s,
        &format!(
            "INSERT INTO appeals (appeal_id, finding_id, household_id, submitted_at, statement, document_name, \
             document_type, document, status) \
             VALUES ('p1', 'f1', 'h1', '{T}', 'alive', 'a.pdf', 'application/pdf', {}, 'open')",
            if s.backend().code() == "postgres" { "'\\x00'::bytea" } else { "X'00'" }
        ),
    )
    .await;
}

tamwin_store::backend_tests! {
async fn unknown_screening_states_are_errors_naming_their_column(backend) {
    for (table, column, cond) in [
        ("screening_findings", "kind", "finding_id = 'f1'"),
        ("screening_findings", "decision", "finding_id = 'f1'"),
        ("screening_findings", "status", "finding_id = 'f1'"),
        ("appeals", "status", "appeal_id = 'p1'"),
    ] {
        {
            let (backend, s) = testkit::store(backend).await;
            with_finding(&s).await;
            assert!(s.finding(&"f1".into()).await.unwrap().is_some(), "{backend}");
            assert_eq!(s.appeals(None, Some(&"h1".into()), 10).await.unwrap().len(), 1);
            write_unknown(backend, &s, table, column, cond).await;
            let what = format!("{table}.{column}");
            if table == "appeals" {
                names(backend, s.appeal("p1").await, &what);
                names(backend, s.appeals(None, Some(&"h1".into()), 10).await, &what);
            } else {
                // The lists join the card the finding concerns (none here); they share the row reader.
                names(backend, s.finding(&"f1".into()).await, &what);
            }
        }
    }
}
}

async fn with_delivery(s: &Arc<dyn Store>) {
    exec(
        s,
        &format!(
            "INSERT INTO civil_cards (card_id, national_id, card_number, issued_at, expires_at, status, qr) \
             VALUES ('c1', '100000000008', 'IQ000000000001', '{T}', '{T}', 'valid', 'TMW1:')"
        ),
    )
    .await;
    exec(
        s,
        &format!(
            "INSERT INTO card_deliveries (order_id, card_id, national_id, address, status, created_at, updated_at) \
             VALUES ('o1', 'c1', '100000000008', 'Karbala', 'requested', '{T}', '{T}')"
        ),
    )
    .await;
    exec(
        s,
        &format!(
            "INSERT INTO card_delivery_steps (order_id, seq, status, at, note) VALUES ('o1', 1, 'requested', '{T}', '')"
        ),
    )
    .await;
}

tamwin_store::backend_tests! {
async fn unknown_delivery_states_are_errors_naming_their_column(backend) {
    for (table, column) in [
        ("card_deliveries", "status"),
        ("card_delivery_steps", "status"),
    ] {
        {
            let (backend, s, civil) = testkit::with_civil(backend).await;
            with_delivery(&s).await;
            assert_eq!(
                civil
                    .card_delivery("o1")
                    .await
                    .unwrap()
                    .unwrap()
                    .steps
                    .len(),
                1,
                "{backend}"
            );
            write_unknown(backend, &s, table, column, "order_id = 'o1'").await;
            let what = format!("{table}.{column}");
            names(backend, civil.card_delivery("o1").await, &what);
            names(backend, civil.card_deliveries("100000000008").await, &what);
        }
    }
}
}

tamwin_store::backend_tests! {
async fn an_unknown_temporary_card_status_is_an_error_naming_its_column(backend) {
    {
        let (backend, s) = testkit::store(backend).await;
        exec(
            &s,
            &format!(
                "INSERT INTO temporary_cards (household_id, card_id, member_id, issued_at, issued_by, expires_at, status) \
                 VALUES ('h1', 't1', 'm1', '{T}', 'test', '{T}', 'active')"
            ),
        )
        .await;
        assert_eq!(
            s.temporary_cards_of(&"h1".into()).await.unwrap().len(),
            1,
            "{backend}"
        );
        write_unknown(backend, &s, "temporary_cards", "status", "card_id = 't1'").await;
        names(
            backend,
            s.temporary_cards_of(&"h1".into()).await,
            "temporary_cards.status",
        );
    }
}
}

tamwin_store::backend_tests! {
async fn unknown_job_run_cause_and_outcome_are_errors_naming_their_column(backend) {
    for column in ["cause", "outcome"] {
        {
            let (backend, s) = testkit::store(backend).await;
            exec(
                &s,
                &format!(
                    "INSERT INTO job_runs (run_id, job, slot, cause, holder, attempts, started_at, finished_at, outcome, items) \
                     VALUES ('j1', 'reminders', 's1', 'schedule', 'test', 1, '{T}', '{T}', 'ok', 0)"
                ),
            )
            .await;
            assert_eq!(
                s.job_runs("reminders", 10).await.unwrap().len(),
                1,
                "{backend}"
            );
            write_unknown(backend, &s, "job_runs", column, "run_id = 'j1'").await;
            names(
                backend,
                s.job_runs("reminders", 10).await,
                &format!("job_runs.{column}"),
            );
        }
    }
}
}
