//! Our DDL against real SQLAlchemy 2.0's: for every model source in tests/fixtures/models,
//! the statements our model editor emits equal, one for one and up to whitespace, what
//! `metadata.create_all` sent to a real PostgreSQL (tests/fixtures/ddl, recorded by
//! tools/sqlalchemy_fixtures.py, which the test command re-runs and checks for drift).
//! tests/fixtures/models/known_differences.txt names the sources we do not match yet,
//! each with why; the test fails when one of them starts to match (take it off the
//! list) as well as when any other source differs.

use std::collections::BTreeMap;
use std::path::PathBuf;

use sqlpatterns_core::console::split_statements;
use sqlpatterns_core::model::{ddl_statements, parse, Severity};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn normalise(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The model sources, by name.
fn model_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("models"))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".py").map(str::to_string)
        })
        .collect();
    names.sort();
    names
}

/// `name: why` lines of known_differences.txt.
fn known_differences() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(fixtures().join("models/known_differences.txt"))
        .unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| {
            let (name, why) = l.split_once(':').unwrap_or((l, ""));
            (name.trim().to_string(), why.trim().to_string())
        })
        .collect()
}

/// Where our DDL for models/<name>.py differs from ddl/<name>.sql, if it does.
fn difference(name: &str) -> Option<String> {
    let source = std::fs::read_to_string(fixtures().join(format!("models/{name}.py"))).unwrap();
    let parsed = parse(&source);
    let errors: Vec<String> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| format!("line {}: {}", d.line, d.message))
        .collect();
    if !errors.is_empty() {
        return Some(format!("the model editor reports errors: {errors:?}"));
    }
    let ours: Vec<String> = ddl_statements(&parsed.ir)
        .iter()
        .map(|s| normalise(s))
        .collect();
    let recorded = std::fs::read_to_string(fixtures().join(format!("ddl/{name}.sql"))).unwrap();
    let theirs: Vec<String> = split_statements(&recorded)
        .iter()
        .map(|s| normalise(&s.sql))
        .collect();
    if ours == theirs {
        return None;
    }
    let at = ours
        .iter()
        .zip(&theirs)
        .position(|(a, b)| a != b)
        .unwrap_or(ours.len().min(theirs.len()));
    Some(format!(
        "{} statements here, {} from create_all; first difference at statement {}:\n    ours: {}\n    SQLAlchemy: {}",
        ours.len(),
        theirs.len(),
        at + 1,
        ours.get(at).map_or("(none)", String::as_str),
        theirs.get(at).map_or("(none)", String::as_str),
    ))
}

#[test]
fn every_model_source_gives_create_alls_ddl() {
    let names = model_names();
    let known = known_differences();
    let mut problems = Vec::new();
    for unknown in known.keys().filter(|k| !names.contains(k)) {
        problems.push(format!(
            "{unknown}: listed in known_differences.txt but no such model"
        ));
    }
    let mut matching = 0;
    for name in &names {
        match (difference(name), known.get(name)) {
            (None, None) => matching += 1,
            (None, Some(_)) => problems.push(format!(
                "{name}: now matches create_all; take it off known_differences.txt"
            )),
            (Some(_), Some(_)) => {}
            (Some(diff), None) => problems.push(format!("{name}: {diff}")),
        }
    }
    assert!(
        problems.is_empty(),
        "{} of {} model sources match create_all; problems:\n{}",
        matching,
        names.len(),
        problems.join("\n")
    );
    println!(
        "{matching} of {} model sources give create_all's DDL ({} known differences)",
        names.len(),
        known.len()
    );
}

#[test]
fn the_corpus_is_large_enough_to_mean_something() {
    // Guards against a fixtures directory that silently lost its sources.
    assert!(model_names().len() >= 50, "{:?}", model_names());
}
