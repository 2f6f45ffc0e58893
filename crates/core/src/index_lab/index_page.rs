//! The lab of an index page (composite, partial, expression): seed realistic tables with
//! the reference's indexes, then `run` the reference's queries under each set of indexes
//! (the reference's, none, an alternative) and show, per query and set, the access path,
//! the rows examined and the time, and how many entries each index holds.
//!
//! Blocks: `outcome`, one Note per page note (ids given by the page), `queries` (Table:
//! `query`, then `<set>: access`, `<set>: rows examined`, `<set>: time` for each set; a
//! cell's status is `ok` when the set examined fewer rows than with no index, `warn` when
//! it examined as many, `bad` with the engine's error in its detail), `entries-metrics`
//! (Metrics: `entries-<set key>` summed over the set's indexes, and `table-rows`),
//! `index-entries` (Table: set, index, entries), `statements`.

use super::compare::{compare, IndexSet, Query, SetResult};
use super::measure::{ms, thousands};
use crate::engine::{Database, LogEntry};
use crate::lab::{
    ActionSpec, Block, Cell, CellStatus, KnobValues, LabRun, LabView, Metric, NoteKind, TableBlock,
};

/// What one index page measures.
pub struct IndexPage {
    /// Creates and fills the tables for these knobs, then the reference's indexes.
    pub seed: fn(&KnobValues, &mut Database) -> Result<(), String>,
    /// `(table, index)` of the reference's indexes, as `seed` leaves them.
    pub reference: &'static [(&'static str, &'static str)],
    /// The sets to compare; the first is the reference's (its `indexes` equal `reference`,
    /// its `create` empty), the second has no index.
    pub sets: &'static [IndexSet],
    /// The reference's queries for these knobs (literals chosen from the seeded data).
    pub queries: fn(&KnobValues) -> Vec<Query>,
    /// The table whose size `table-rows` reports.
    pub main_table: &'static str,
    /// `(block id, kind, text)` notes shown under the outcome.
    pub notes: &'static [(&'static str, NoteKind, &'static str)],
}

/// Seeds `db` for `page` and returns its running lab (nothing measured until `run`).
pub fn start(
    page: &'static IndexPage,
    knobs: &KnobValues,
    db: &mut Database,
) -> Result<Box<dyn LabRun>, String> {
    (page.seed)(knobs, db)?;
    Ok(Box::new(IndexRun {
        page,
        queries: (page.queries)(knobs),
        results: None,
        outcome: "Run measures each query with the reference's indexes, with none, and with \
                  the alternative."
            .into(),
        error: None,
        statements: Vec::new(),
    }))
}

struct IndexRun {
    page: &'static IndexPage,
    queries: Vec<Query>,
    results: Option<Vec<SetResult>>,
    outcome: String,
    error: Option<String>,
    statements: Vec<LogEntry>,
}

impl LabRun for IndexRun {
    fn actions(&self) -> Vec<ActionSpec> {
        vec![ActionSpec::new("run", "Run the queries").primary()]
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        if id != "run" {
            return Err(format!("unknown action {id:?}"));
        }
        let before = db.log().last_seq();
        match compare(db, self.page.reference, self.page.sets, &self.queries, 1) {
            Ok(results) => {
                self.outcome = summary(&self.queries, &results);
                self.error = None;
                self.results = Some(results);
            }
            Err(e) => {
                self.outcome = "The run failed.".into();
                self.error = Some(e);
            }
        }
        self.statements = db.log().since(before).to_vec();
        Ok(())
    }

    fn view(&self, db: &mut Database) -> LabView {
        let mut view = LabView::default();
        view.push(Block::outcome(
            "outcome",
            self.outcome.clone(),
            self.error.clone(),
        ));
        for (id, kind, text) in self.page.notes {
            view.push(Block::note(id, *kind, *text));
        }
        if let Some(results) = &self.results {
            view.push(Block::Table(queries_table(&self.queries, results)));
            let rows = db.row_count(self.page.main_table).unwrap_or(0);
            view.push(entries_metrics(results, self.page.main_table, rows));
            view.push(Block::Table(entries_table(results)));
        }
        view.push(Block::statements(
            "statements",
            "Statements of the last run",
            &self.statements,
            60,
        ));
        view
    }
}

/// One sentence per query: rows examined with the reference's indexes and without.
fn summary(queries: &[Query], results: &[SetResult]) -> String {
    let (Some(with), Some(without)) = (results.first(), results.get(1)) else {
        return String::new();
    };
    let parts: Vec<String> = queries
        .iter()
        .enumerate()
        .filter_map(|(i, q)| {
            let w = with.queries.get(i)?.as_ref().ok()?;
            let wo = without.queries.get(i)?.as_ref().ok()?;
            Some(format!(
                "{}: {} rows examined with the index, {} without",
                q.label,
                thousands(w.rows_examined),
                thousands(wo.rows_examined)
            ))
        })
        .collect();
    format!("{}.", parts.join("; "))
}

fn queries_table(queries: &[Query], results: &[SetResult]) -> TableBlock {
    let mut columns = vec!["query".to_string()];
    for r in results {
        for what in ["access", "rows examined", "time"] {
            columns.push(format!("{}: {what}", r.set.label));
        }
    }
    // "without" is the second set: the baseline a cell is coloured against.
    let baseline = |i: usize| {
        results
            .get(1)
            .and_then(|r| r.queries.get(i))
            .and_then(|q| q.as_ref().ok())
            .map(|m| m.rows_examined)
    };
    let rows = queries
        .iter()
        .enumerate()
        .map(|(i, q)| {
            let mut row = vec![Cell::plain(q.label).with_detail(q.sql.clone())];
            for (set_index, r) in results.iter().enumerate() {
                match r.queries.get(i) {
                    Some(Ok(m)) => {
                        let status = match baseline(i) {
                            _ if set_index == 1 => CellStatus::Plain,
                            Some(base) if m.rows_examined < base => CellStatus::Ok,
                            Some(_) => CellStatus::Warn,
                            None => CellStatus::Plain,
                        };
                        let mut access = Cell::status(m.access.clone(), status);
                        if let Some(plan) = &m.plan {
                            access = access.with_detail(plan.clone());
                        }
                        row.push(access);
                        row.push(Cell::status(thousands(m.rows_examined), status));
                        row.push(Cell::plain(ms(m.time_ms)));
                    }
                    Some(Err(e)) => {
                        row.push(Cell::status("error", CellStatus::Bad).with_detail(e.clone()));
                        row.push(Cell::plain("-"));
                        row.push(Cell::plain("-"));
                    }
                    None => row.extend((0..3).map(|_| Cell::plain("-"))),
                }
            }
            row
        })
        .collect();
    TableBlock {
        id: "queries".into(),
        title: "The reference's queries under each set of indexes".into(),
        columns,
        rows,
        omitted: 0,
    }
}

fn entries_metrics(results: &[SetResult], table: &str, rows: usize) -> Block {
    let mut items: Vec<Metric> = results
        .iter()
        .map(|r| {
            let total: usize = r.entries.iter().map(|(_, n)| n).sum();
            Metric::new(
                &format!("entries-{}", r.set.key),
                &format!("Index entries ({})", r.set.label),
                thousands(total as u64),
            )
        })
        .collect();
    items.push(Metric::new(
        "table-rows",
        &format!("Rows in {table}"),
        thousands(rows as u64),
    ));
    Block::Metrics {
        id: "entries-metrics".into(),
        title: "Index size in entries".into(),
        items,
    }
}

fn entries_table(results: &[SetResult]) -> TableBlock {
    let rows = results
        .iter()
        .flat_map(|r| {
            r.entries.iter().map(|(index, n)| {
                vec![
                    Cell::plain(r.set.label),
                    Cell::plain(index.clone()),
                    Cell::plain(thousands(*n as u64)),
                ]
            })
        })
        .collect();
    TableBlock {
        id: "index-entries".into(),
        title: "Entries per index".into(),
        columns: vec!["set".into(), "index".into(), "entries".into()],
        rows,
        omitted: 0,
    }
}

/// The first set of every index page: the reference's indexes, as `seed` leaves them.
pub const fn reference_set(
    label: &'static str,
    indexes: &'static [(&'static str, &'static str)],
) -> IndexSet {
    IndexSet {
        key: "with",
        label,
        indexes,
        create: &[],
    }
}

/// The second set of every index page: no index (the baseline cells are coloured against).
pub const WITHOUT: IndexSet = IndexSet {
    key: "without",
    label: "without an index",
    indexes: &[],
    create: &[],
};

/// Runs a page's `CREATE INDEX` statements (its reference's indexes, after seeding).
pub fn create_indexes(db: &mut Database, statements: &[&str]) -> Result<(), String> {
    for sql in statements {
        db.execute(sql).map_err(|e| format!("{sql}: {e}"))?;
    }
    Ok(())
}

/// The knob every index page has: how many rows the main table holds.
pub static KNOBS: [crate::lab::KnobSpec; 1] = [crate::lab::KnobSpec {
    id: "rows",
    label: "Rows",
    kind: crate::lab::KnobKind::Int {
        min: 1_000,
        max: 100_000,
        presets: &[1_000, 10_000, 100_000],
    },
    default: "10000",
    help: "How many rows the indexed table holds.",
}];

/// The `rows` knob's value.
pub fn rows(knobs: &KnobValues) -> usize {
    knobs.int("rows").max(1) as usize
}
