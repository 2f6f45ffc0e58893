//! The PostgreSQL conformance suite: SQL scripts in tests/conformance/*.slt with expected
//! rows, errors and access paths, in a small sqllogictest-like format. Each record is
//! separated by a blank line:
//!
//! ```text
//! statement ok
//! CREATE TABLE t (id INT PRIMARY KEY)
//!
//! statement error duplicate key value violates unique constraint "t_pkey"
//! INSERT INTO t VALUES (1), (1)
//!
//! query
//! SELECT id, name FROM t ORDER BY id
//! ----
//! 1 alice
//! 2 NULL
//!
//! access
//! SELECT * FROM t WHERE id = 1
//! ----
//! t: primary-key lookup
//! ```
//!
//! `statement error` with text must match the message exactly; without text, any error.
//! A query's cells are separated by single spaces (NULL for NULL).

use gluesql::core::executor::Payload;
use gluesql::prelude::Value;
use sqlpatterns_core::engine::Database;
use std::path::PathBuf;

fn cell(value: &Value) -> String {
    match value {
        Value::Null => "NULL".to_string(),
        Value::Str(s) => s.clone(),
        other => String::from(other),
    }
}

fn rows(payload: &Payload) -> Vec<String> {
    match payload {
        Payload::Select { rows, .. } => rows
            .iter()
            .map(|r| r.iter().map(cell).collect::<Vec<_>>().join(" "))
            .collect(),
        other => vec![format!("{other:?}")],
    }
}

/// Runs one script; returns the failures (file:line: what).
fn run_script(name: &str, text: &str) -> (usize, Vec<String>) {
    let mut db = Database::new();
    let mut failures = Vec::new();
    let mut records = 0;
    let lines: Vec<&str> = text.lines().collect();
    let mut i = 0;
    while i < lines.len() {
        let header = lines[i].trim();
        if header.is_empty() || header.starts_with('#') {
            i += 1;
            continue;
        }
        let at = format!("{name}:{}", i + 1);
        records += 1;
        i += 1;
        let mut sql = Vec::new();
        while i < lines.len() && !lines[i].trim().is_empty() && lines[i].trim() != "----" {
            sql.push(lines[i]);
            i += 1;
        }
        let mut expected = Vec::new();
        if i < lines.len() && lines[i].trim() == "----" {
            i += 1;
            while i < lines.len() && !lines[i].trim().is_empty() {
                expected.push(lines[i].trim_end().to_string());
                i += 1;
            }
        }
        let sql = sql.join("\n");
        let result = db.execute(&sql);
        let outcome = if header == "statement ok" {
            result
                .err()
                .map(|e| format!("expected ok, got error: {}", e.message))
        } else if let Some(wanted) = header.strip_prefix("statement error") {
            let wanted = wanted.trim();
            match result {
                Ok(payload) => Some(format!("expected an error, got {payload:?}")),
                Err(e) if !wanted.is_empty() && e.message != wanted => Some(format!(
                    "error\n  wanted: {wanted}\n  got:    {}",
                    e.message
                )),
                Err(_) => None,
            }
        } else if header == "query" || header == "access" {
            match result {
                Err(e) => Some(format!("query failed: {}", e.message)),
                Ok(payload) => {
                    let got = if header == "query" {
                        rows(&payload)
                    } else {
                        let entry = db.log().entries().last().expect("logged");
                        entry
                            .accesses
                            .iter()
                            .map(|a| format!("{}: {}", a.table, a.method.describe()))
                            .collect()
                    };
                    (got != expected)
                        .then(|| format!("{header}\n  wanted: {expected:?}\n  got:    {got:?}"))
                }
            }
        } else {
            Some(format!("unknown record type {header:?}"))
        };
        if let Some(what) = outcome {
            failures.push(format!("{at}: {what}\n  sql: {sql}"));
        }
    }
    (records, failures)
}

#[test]
fn conformance_scripts() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no scripts in {}", dir.display());
    let mut failures = Vec::new();
    let mut total = 0;
    for file in &files {
        let name = file.file_name().unwrap().to_string_lossy().to_string();
        let (records, mut failed) = run_script(&name, &std::fs::read_to_string(file).unwrap());
        assert!(records > 0, "{name} has no records");
        total += records;
        failures.append(&mut failed);
    }
    assert!(
        failures.is_empty(),
        "{} of {total} records failed:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}

/// The runner itself must be able to fail: a wrong expectation is reported.
#[test]
fn the_runner_reports_mismatches() {
    let script = "statement ok\nCREATE TABLE t (id INT PRIMARY KEY)\n\nquery\nSELECT 1\n----\n2\n\nstatement error nope\nSELECT * FROM missing\n\nstatement ok\nSELEC 1\n";
    let (records, failures) = run_script("self", script);
    assert_eq!(records, 4);
    assert_eq!(failures.len(), 3, "{failures:#?}");
}
