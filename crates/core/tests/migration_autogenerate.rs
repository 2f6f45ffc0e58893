//! Our autogenerate against real Alembic's: for every model edit in tests/fixtures/migrations
//! (before.py, after.py), the operations we render equal what `alembic revision
//! --autogenerate` wrote into the revision (migration.py: its imports, `upgrade()` and
//! `downgrade()` bodies, character for character), and the SQL equals what `alembic upgrade
//! --sql` and `alembic downgrade --sql` printed for PostgreSQL (upgrade.sql, downgrade.sql,
//! statement for statement). The fixtures are recorded on the test PostgreSQL by
//! tools/alembic_fixtures.py, which the test command re-runs and checks for drift.

use std::path::PathBuf;

use sqlpatterns_core::migration::autogenerate::{Revision, SqlEntry};
use sqlpatterns_core::model::{parse, ModelIr, Severity};

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/migrations")
}

fn edits() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(corpus())
        .unwrap()
        .filter_map(|e| {
            let e = e.ok()?;
            e.file_type()
                .ok()?
                .is_dir()
                .then(|| e.file_name().into_string().ok())?
        })
        .collect();
    names.sort();
    names
}

fn model(edit: &str, file: &str) -> ModelIr {
    let source = std::fs::read_to_string(corpus().join(edit).join(file)).unwrap();
    let parsed = parse(&source);
    let errors: Vec<String> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("line {}: {}", d.line, d.message))
        .collect();
    assert!(errors.is_empty(), "{edit}/{file}: {errors:?}");
    parsed.ir
}

/// migration.py's three sections: imports, upgrade body, downgrade body.
fn sections(text: &str) -> (String, String, String) {
    let rest = text.strip_prefix("# imports\n").expect("# imports first");
    let (imports, rest) = rest.split_once("# upgrade\n").expect("# upgrade");
    let (upgrade, downgrade) = rest.split_once("# downgrade\n").expect("# downgrade");
    (
        imports.trim_end().to_string(),
        upgrade.trim_end().to_string(),
        downgrade.trim_end().to_string(),
    )
}

fn recorded_sql(edit: &str, file: &str) -> Vec<String> {
    let text = std::fs::read_to_string(corpus().join(edit).join(file)).unwrap();
    text.split(";\n\n")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| s.to_string())
        .collect()
}

fn ours_sql(entries: &[SqlEntry]) -> Vec<String> {
    entries
        .iter()
        .map(|e| match e {
            SqlEntry::Statement(s) => s.clone(),
            SqlEntry::Failed(message) => format!("-- failed: {message}"),
        })
        .collect()
}

/// Every difference of one edit, as readable lines (empty when it matches).
fn differences(edit: &str) -> Vec<String> {
    let before = model(edit, "before.py");
    let after = model(edit, "after.py");
    let revision = Revision::autogenerate(&before, &after);
    let recorded = std::fs::read_to_string(corpus().join(edit).join("migration.py")).unwrap();
    let (imports, upgrade, downgrade) = sections(&recorded);
    let mut out = Vec::new();
    let mut check = |what: &str, ours: String, theirs: String| {
        if ours != theirs {
            out.push(format!(
                "{edit}: {what}\n--- alembic\n{theirs}\n--- ours\n{ours}"
            ));
        }
    };
    check("imports", revision.imports().join("\n"), imports);
    check("upgrade()", revision.upgrade_python(), upgrade);
    check("downgrade()", revision.downgrade_python(), downgrade);
    check(
        "upgrade --sql",
        ours_sql(&revision.upgrade_sql(&before, &after)).join(";\n\n"),
        recorded_sql(edit, "upgrade.sql").join(";\n\n"),
    );
    check(
        "downgrade --sql",
        ours_sql(&revision.downgrade_sql(&before, &after)).join(";\n\n"),
        recorded_sql(edit, "downgrade.sql").join(";\n\n"),
    );
    out
}

#[test]
fn every_model_edit_autogenerates_what_alembic_writes() {
    let names = edits();
    assert!(names.len() >= 20, "{names:?}");
    let failures: Vec<String> = names.iter().flat_map(|n| differences(n)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} checks differ from Alembic:\n\n{}",
        failures.len(),
        names.len() * 5,
        failures.join("\n\n")
    );
}

#[test]
fn an_edit_without_schema_change_is_an_empty_revision() {
    let before = model("change_python_default", "before.py");
    let after = model("change_python_default", "after.py");
    assert_ne!(before, after, "the edit changes the Python default");
    let revision = Revision::autogenerate(&before, &after);
    assert!(revision.is_empty());
    assert!(revision.upgrade_python().contains("\npass\n"));
}
