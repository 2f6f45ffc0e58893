//! Our DDL against real SQLAlchemy 2.0's (fixtures written by tools/sqlalchemy_fixtures.py
//! from the same model sources), compared up to whitespace.

use std::path::PathBuf;

use sqlpatterns_core::model::{parse, to_ddl, Severity};

fn fixture(dir: &str, name: &str, ext: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(dir)
        .join(format!("{name}.{ext}"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn normalise(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Parses models/<name>.py and compares its DDL with ddl/<name>.sql.
fn assert_ddl_matches(name: &str) {
    let parsed = parse(&fixture("models", name, "py"));
    let errors: Vec<_> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{name}: {errors:#?}");
    let ours = to_ddl(&parsed.ir);
    let theirs = fixture("ddl", name, "sql");
    assert_eq!(
        normalise(&ours),
        normalise(&theirs),
        "{name}:\n--- ours\n{ours}\n--- SQLAlchemy\n{theirs}"
    );
}

#[test]
fn base_model_is_all_abstract_so_no_ddl() {
    assert_ddl_matches("base_model");
}

#[test]
fn soft_delete_mixin_adds_its_column_last() {
    assert_ddl_matches("soft_delete");
}

#[test]
fn audit_trail_integer_key_is_serial() {
    assert_ddl_matches("audit_trail");
}

#[test]
fn enum_field_check_constraint_lists_the_enum_values() {
    assert_ddl_matches("enum_field");
}

#[test]
fn one_to_many_foreign_key_and_index() {
    assert_ddl_matches("one_to_many");
}

#[test]
fn many_to_many_association_table_after_both_sides() {
    assert_ddl_matches("many_to_many");
}

#[test]
fn association_object_composite_key_includes_the_mixin_id() {
    assert_ddl_matches("association_object");
}

#[test]
fn self_referential_foreign_key() {
    assert_ddl_matches("self_referential");
}

#[test]
fn composite_indexes_and_overridden_mixin_column() {
    assert_ddl_matches("composite_index");
}

#[test]
fn column_types_render_as_postgresql_spells_them() {
    assert_ddl_matches("column_types");
}

#[test]
fn constraints_in_creation_order() {
    assert_ddl_matches("constraints");
}
