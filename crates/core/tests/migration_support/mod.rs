//! Helpers shared by the migration stepper's tests: replay a page's lab and read its blocks.
#![allow(dead_code)]

use sqlpatterns_core::engine::Database;
use sqlpatterns_core::lab::{self, Block, Cell, KnobValues, LabRun, LabView, TableBlock};
use sqlpatterns_core::patterns::lab_for;
use std::collections::BTreeMap;

pub struct Page {
    pub db: Database,
    pub run: Box<dyn LabRun>,
}

impl Page {
    pub fn view(&mut self) -> LabView {
        self.run.view(&mut self.db)
    }

    pub fn apply(&mut self, id: &str) {
        self.run.apply(&mut self.db, id).expect(id);
    }
}

/// The page's lab with these knobs after these actions (every action must succeed).
pub fn replay(slug: &str, knobs: &[(&str, &str)], actions: &[&str]) -> Page {
    let lab = lab_for(slug).expect("a lab");
    let raw: BTreeMap<String, String> = knobs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let knobs = KnobValues::from_raw(lab.knobs, &raw);
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    let (db, run, skipped) = lab::replay(lab, &knobs, &actions).expect("lab starts");
    assert!(skipped.is_empty(), "skipped actions: {skipped:?}");
    Page { db, run }
}

pub fn table<'a>(view: &'a LabView, id: &str) -> &'a TableBlock {
    match view.block(id) {
        Some(Block::Table(t)) => t,
        other => panic!("no table {id}: {other:?}"),
    }
}

/// The matrix cell of version `row` (first cell text) at the column whose title starts
/// with `phase` (e.g. "1.").
pub fn matrix_cell<'a>(view: &'a LabView, row: &str, phase: &str) -> &'a Cell {
    let t = table(view, "matrix");
    let col = t
        .columns
        .iter()
        .position(|c| c.starts_with(phase))
        .unwrap_or_else(|| panic!("no column {phase} in {:?}", t.columns));
    let r = t
        .rows
        .iter()
        .find(|r| r[0].text == row)
        .unwrap_or_else(|| panic!("no row {row}"));
    &r[col]
}

/// Every rule id in the `lint` table (an "ok" row means none).
pub fn lint_rules(view: &LabView) -> Vec<String> {
    table(view, "lint")
        .rows
        .iter()
        .map(|r| r[0].text.clone())
        .filter(|r| r != "ok")
        .collect()
}

pub fn outcome(view: &LabView) -> (String, Option<String>) {
    match view.block("outcome") {
        Some(Block::Outcome { text, error, .. }) => (text.clone(), error.clone()),
        other => panic!("no outcome: {other:?}"),
    }
}

/// One number from a query on the page's database.
pub fn count(db: &mut Database, sql: &str) -> i64 {
    match db.execute(sql).expect(sql) {
        gluesql::core::executor::Payload::Select { rows, .. } => match &rows[0][0] {
            gluesql::core::data::Value::I64(n) => *n,
            other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
}
