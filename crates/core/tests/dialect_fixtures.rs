//! The DDL SQLAlchemy 2.0's `create_all` emits for PostgreSQL (tests/fixtures/ddl, one file
//! per model of the reference) runs on a fresh database, statement by statement.

use sqlpatterns_core::console::split_statements;
use sqlpatterns_core::engine::Database;
use std::path::PathBuf;

fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/ddl")
        .join(format!("{name}.sql"))
}

/// Runs ddl/<name>.sql statement by statement on a fresh database.
fn try_fixture(name: &str) -> Result<Database, String> {
    let sql = std::fs::read_to_string(fixture_path(name)).unwrap();
    let mut db = Database::new();
    for span in split_statements(&sql) {
        if let Err(e) = db.execute(&span.sql) {
            return Err(format!("{name}: {}\n  in: {}", e.message, span.sql));
        }
    }
    Ok(db)
}

fn run_fixture(name: &str) -> Database {
    try_fixture(name).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn every_sqlalchemy_fixture_runs() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/ddl");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".sql").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 40, "{names:?}");
    // A source whose DDL we do not match yet may also not run here (listed, with why).
    let known = std::fs::read_to_string(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/models/known_differences.txt"),
    )
    .unwrap();
    let listed = |name: &str| known.lines().any(|l| l.starts_with(&format!("{name}:")));
    let failures: Vec<String> = names
        .iter()
        .filter(|name| !listed(name))
        .filter_map(|name| try_fixture(name).err())
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} fixtures fail on our engine:\n{}",
        failures.len(),
        names.len(),
        failures.join("\n")
    );
}

#[test]
fn fixture_tables_accept_rows_with_defaults() {
    let mut db = run_fixture("column_types");
    db.execute(
        "INSERT INTO explicit (small, body, title, ratio, born, at, ts, span, blob, doc) \
         VALUES (1, 'b', 't', 0.5, '2024-01-01', '10:00:00', '2024-01-01 10:00:00', \
         INTERVAL '1' DAY, X'00', '{\"a\": 1}')",
    )
    .unwrap();
    let payload = db
        .execute("SELECT id, name, price, flag, counter FROM explicit")
        .unwrap();
    let text = format!("{payload:?}");
    assert!(text.contains("I64(1)"), "{text}");
    assert!(text.contains("anonymous"), "{text}");
}
