//! The model editor's logic: which pages have editable models, how a snippet that builds
//! on the Base Model pattern gets its base classes, and one "build" of an edited source:
//! diagnostics, DDL, diagram, and a fresh database with the DDL really run on it.

use crate::catalogue::{self, Pattern, Section};
use crate::engine::Database;
use crate::migration::model_change::{ModelChange, Rename};
use crate::model::{self, Diagnostic, ModelIr, Severity};

/// Pages whose reference code is models, edited in the model editor.
pub fn has_model_editor(pattern: &Pattern) -> bool {
    matches!(
        pattern.section,
        Section::ModelPatterns | Section::RelationshipPatterns
    )
}

/// The base classes a snippet builds on (`Base`, the mixins, `BaseModel`) when it uses
/// `BaseModel` without defining it: the Base Model pattern's own code.
pub fn prelude_for(source: &str) -> Option<&'static str> {
    let defines_base = source.contains("class BaseModel");
    let uses_base = source.contains("BaseModel");
    (uses_base && !defines_base)
        .then(|| catalogue::by_slug("base-model").map(|p| p.reference_code))
        .flatten()
}

/// One DDL statement and what happened when it ran.
#[derive(Clone, Debug, PartialEq)]
pub struct DdlRun {
    pub sql: String,
    pub error: Option<String>,
}

/// A table in the rebuilt database.
#[derive(Clone, Debug, PartialEq)]
pub struct LiveTable {
    pub name: String,
    pub rows: usize,
}

/// Everything the editor shows for one version of the source. (Not `Clone`: it owns the
/// rebuilt database, which the UI moves into the page's console.)
pub struct ModelBuild {
    pub ir: ModelIr,
    /// Diagnostics in the edited text (lines relative to it; the prelude's are dropped).
    pub diagnostics: Vec<Diagnostic>,
    pub ddl: String,
    pub ddl_runs: Vec<DdlRun>,
    pub svg: String,
    pub tables: Vec<LiveTable>,
    /// The rebuilt database, to hand to the console.
    pub database: Database,
    /// Whether the base classes came from the Base Model pattern.
    pub used_prelude: bool,
}

impl ModelBuild {
    pub fn error_count(&self) -> usize {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    pub fn failed_statements(&self) -> usize {
        self.ddl_runs.iter().filter(|r| r.error.is_some()).count()
    }
}

/// Why models define no table, when they define none: the classes are abstract bases or
/// mixins (a subclass with `__tablename__` gets their columns), or there are no classes.
pub fn no_tables_note(ir: &ModelIr) -> Option<String> {
    use crate::model::ir::ClassKind;
    if !ir.tables.is_empty() {
        return None;
    }
    let named = |kind: ClassKind| -> Vec<&str> {
        ir.classes
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| c.name.as_str())
            .collect()
    };
    let (abstract_classes, plain) = (named(ClassKind::Abstract), named(ClassKind::Plain));
    if abstract_classes.is_empty() && plain.is_empty() {
        return Some("No tables: no class here is mapped to a table (a mapped class subclasses the declarative base and sets __tablename__).".to_string());
    }
    let mut parts = Vec::new();
    if !abstract_classes.is_empty() {
        parts.push(format!(
            "{} (__abstract__ = True)",
            abstract_classes.join(", ")
        ));
    }
    if !plain.is_empty() {
        parts.push(format!("{} (mixins)", plain.join(", ")));
    }
    Some(format!(
        "No tables: {} define columns for the models that subclass them; a subclass with __tablename__ gets a table with those columns.",
        parts.join(" and ")
    ))
}

/// `source` parsed after its prelude, and the prelude's line count (0 without one).
fn parse_with_prelude(source: &str) -> (model::Parsed, u32) {
    match prelude_for(source) {
        Some(prelude) => {
            let offset = prelude.lines().count() as u32 + 1;
            (model::parse(&format!("{prelude}\n{source}")), offset)
        }
        None => (model::parse(source), 0),
    }
}

/// What the edit from the page's own models (`original`) to `edited` takes as a
/// migration: the Migration tab (see [`crate::migration::model_change`]).
pub fn migration(original: &str, edited: &str, renames: &[Rename]) -> ModelChange {
    ModelChange::new(
        parse_with_prelude(original).0.ir,
        parse_with_prelude(edited).0.ir,
        renames,
    )
}

/// Parses `source` (with its prelude), emits the DDL, draws the diagram and runs the DDL
/// on a fresh database. Never panics: what cannot be used is reported, the rest is kept.
pub fn build(source: &str) -> ModelBuild {
    let prelude = prelude_for(source);
    let (parsed, offset) = parse_with_prelude(source);
    let diagnostics = parsed
        .diagnostics
        .into_iter()
        .filter(|d| d.line > offset)
        .map(|mut d| {
            d.line -= offset;
            d
        })
        .collect();
    let ir = parsed.ir;
    let ddl = model::to_ddl(&ir);
    let svg = model::to_svg(&ir);
    let mut database = Database::new();
    let ddl_runs: Vec<DdlRun> = model::ddl_statements(&ir)
        .into_iter()
        .map(|sql| {
            let error = database.execute(&sql).err().map(|e| e.message);
            DdlRun { sql, error }
        })
        .collect();
    let tables = database
        .table_names()
        .into_iter()
        .map(|name| LiveTable {
            rows: database.row_count(&name).unwrap_or(0),
            name,
        })
        .collect();
    ModelBuild {
        ir,
        diagnostics,
        ddl,
        ddl_runs,
        svg,
        tables,
        database,
        used_prelude: prelude.is_some(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(slug: &str) -> &'static str {
        catalogue::by_slug(slug).unwrap().reference_code
    }

    #[test]
    fn the_base_model_page_says_why_it_has_no_tables() {
        let build = build(code("base-model"));
        assert!(build.ir.tables.is_empty());
        let note = no_tables_note(&build.ir).unwrap();
        assert!(note.contains("BaseModel (__abstract__ = True)"), "{note}");
        assert!(note.contains("TimestampMixin"), "{note}");
        assert!(no_tables_note(&super::build(code("soft-delete")).ir).is_none());
    }

    #[test]
    fn model_and_relationship_pages_have_the_editor() {
        let slugs: Vec<_> = catalogue::all()
            .iter()
            .filter(|p| has_model_editor(p))
            .map(|p| p.slug)
            .collect();
        assert_eq!(slugs.len(), 8);
        assert!(slugs.contains(&"self-referential") && !slugs.contains(&"pagination"));
    }

    #[test]
    fn snippets_using_base_model_get_the_base_classes() {
        assert!(prelude_for(code("soft-delete")).is_some());
        assert!(prelude_for(code("base-model")).is_none());
        let build = build(code("soft-delete"));
        assert!(build.used_prelude);
        let users = build
            .ir
            .tables
            .iter()
            .find(|t| t.name == "users")
            .expect("users table");
        let columns: Vec<_> = users.columns.iter().map(|c| c.name.as_str()).collect();
        for expected in ["email", "deleted_at", "id", "created_at", "updated_at"] {
            assert!(columns.contains(&expected), "{columns:?}");
        }
        assert!(build.ddl.contains("CREATE TABLE users"), "{}", build.ddl);
        assert!(
            build.svg.starts_with("<svg"),
            "{}",
            &build.svg[..40.min(build.svg.len())]
        );
    }

    #[test]
    fn diagnostics_point_into_the_edited_text_not_the_prelude() {
        let source = "from .base import BaseModel\n\nclass User(BaseModel):\n    __tablename__ = 'users'\n    email: Mapped[str] = mapped_column(String(255)\n";
        let build = build(source);
        assert!(build.error_count() >= 1, "{:?}", build.diagnostics);
        let lines: Vec<_> = build.diagnostics.iter().map(|d| d.line).collect();
        assert!(lines.iter().all(|&l| (1..=6).contains(&l)), "{lines:?}");
        // The half-typed class still yields its table.
        assert!(build.ir.tables.iter().any(|t| t.name == "users"));
    }

    #[test]
    fn a_broken_source_never_panics_and_keeps_what_it_can() {
        for source in ["", "class", "class A(:\n", "\u{0}\u{ffff}", "class X(Base):\n  __tablename__ = 'x'\n  id: Mapped[int] = mapped_column(primary_key=True)\n"] {
            let build = build(source);
            assert_eq!(build.ddl_runs.len(), model::ddl_statements(&build.ir).len());
        }
    }
}
