//! What a model edit takes on a live database: the Migration tab of a model page.
//!
//! The page's original models are what production runs (app version v1 maps them, the
//! database holds them); the edited models are the next version (v2). From the two:
//! - the revision `alembic revision --autogenerate` would write, and the SQL of
//!   `alembic upgrade --sql` ([`super::autogenerate`]), with a rename the learner
//!   confirms written as `op.alter_column(..., new_column_name=...)` (autogenerate sees a
//!   drop and an add and would lose the values);
//! - the migration lint's findings on that SQL, with v1's columns as "in use" (SQLAlchemy
//!   selects every mapped column, so v1 reads them all);
//! - two plans for the stepper on the page's own tables: the revision in one step while
//!   v1 runs, and, for the changes that need it, the multi-phase plan the reference
//!   teaches (expand, backfill in batches, switch the code, contract).
//!
//! The app versions are generated from the models: a request inserts a row with every
//! column the model requires and reads the row back with every mapped column, which is
//! what an ORM application does. Seeded rows are made the same way.

use super::autogenerate::{reflect, Op, Revision, SqlEntry};
use super::lint::{lint_statement, Finding};
use super::{AppVersion, Backfill, MigrationPlan, Phase, Step, Stepper};
use crate::engine::Database;
use crate::model::ddl_statements;
use crate::model::ir::{Column, Constraint, IndexElement, ModelIr, SqlType, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A dropped and an added column of one table that the learner says are one renamed
/// column.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rename {
    pub table: String,
    pub from: String,
    pub to: String,
}

impl Rename {
    /// `users.email>email_address`, `;`-separated: how a link carries confirmed renames.
    pub fn encode_list(renames: &[Rename]) -> String {
        renames
            .iter()
            .map(|r| format!("{}.{}>{}", r.table, r.from, r.to))
            .collect::<Vec<_>>()
            .join(";")
    }

    /// The renames of a link (parts that are not `table.from>to` are skipped: a link may
    /// be tampered with), at most 20.
    pub fn decode_list(text: &str) -> Vec<Rename> {
        text.split(';')
            .filter_map(|part| {
                let (column, to) = part.split_once('>')?;
                let (table, from) = column.split_once('.')?;
                let ok = |s: &str| !s.is_empty() && s.len() <= 63 && !s.contains(['.', '>', ';']);
                (ok(table) && ok(from) && ok(to)).then(|| Rename {
                    table: table.to_string(),
                    from: from.to_string(),
                    to: to.to_string(),
                })
            })
            .take(20)
            .collect()
    }
}

/// Which plan the stepper runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanKind {
    /// The revision as one migration while v1 runs, then v2 deployed.
    OneStep,
    /// The phased plan for the change.
    Safe,
}

impl PlanKind {
    /// Its id in a link.
    pub fn id(self) -> &'static str {
        match self {
            PlanKind::OneStep => "one-step",
            PlanKind::Safe => "safe",
        }
    }

    pub fn parse(id: &str) -> Option<PlanKind> {
        match id {
            "one-step" => Some(PlanKind::OneStep),
            "safe" => Some(PlanKind::Safe),
            _ => None,
        }
    }
}

/// Everything the Migration tab shows, as plain data.
#[derive(Clone, Debug, PartialEq)]
pub struct MigrationTabView {
    /// The generated part of the revision file (imports, upgrade(), downgrade()).
    pub revision_file: String,
    /// `alembic upgrade --sql` and `downgrade --sql`, statements separated by blank lines
    /// (a statement SQLAlchemy cannot compile is a `-- failed:` line, where it stopped).
    pub upgrade_sql: String,
    pub downgrade_sql: String,
    pub findings: Vec<Finding>,
    pub notes: Vec<String>,
    /// Drop + add pairs that may be renames, not confirmed yet.
    pub rename_offers: Vec<Rename>,
    /// Confirmed renames in effect.
    pub renames: Vec<Rename>,
    /// What "Make it safe" does, or why it is not offered.
    pub safe_plan: Result<String, String>,
    pub empty: bool,
}

fn sql_text(entries: &[SqlEntry]) -> String {
    entries
        .iter()
        .map(|e| match e {
            SqlEntry::Statement(sql) => format!("{sql};"),
            SqlEntry::Failed(message) => format!("-- failed: {message}"),
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

/// Rows the stepper seeds the main table with, unless told otherwise.
pub const DEFAULT_ROWS: i64 = 200;
const BATCH: i64 = 50;

pub struct ModelChange {
    before: ModelIr,
    after: ModelIr,
    revision: Revision,
    renames: Vec<Rename>,
}

impl ModelChange {
    /// The change from `before` (the page's models) to `after` (the edited ones), with
    /// `renames` confirmed by the learner (pairs that are not a drop and an add of one
    /// table are ignored).
    pub fn new(before: ModelIr, after: ModelIr, renames: &[Rename]) -> ModelChange {
        let plain = Revision::autogenerate(&before, &after);
        let is_pair = |r: &Rename| {
            let added = plain.upgrade.iter().any(|op| {
                matches!(op, Op::AddColumn { table, column, .. } if *table == r.table && column.name == r.to)
            });
            let dropped = plain.upgrade.iter().any(|op| {
                matches!(op, Op::DropColumn { table, column, .. } if *table == r.table && column.name == r.from)
            });
            added && dropped
        };
        let applied: Vec<Rename> = renames.iter().filter(|r| is_pair(r)).cloned().collect();
        if applied.is_empty() {
            return ModelChange {
                before,
                after,
                revision: plain,
                renames: applied,
            };
        }
        // The database after the renames: what autogenerate compares once they ran
        // (PostgreSQL keeps the constraints' and indexes' names across a rename).
        let mut renamed = before.clone();
        let mut upgrade = Vec::new();
        for r in &applied {
            if let Some(column) = before.table(&r.table).and_then(|t| t.column(&r.from)) {
                upgrade.push(Op::RenameColumn {
                    table: r.table.clone(),
                    from: r.from.clone(),
                    to: r.to.clone(),
                    existing_type: column.sql_type.clone(),
                    existing_nullable: column.nullable,
                });
            }
            rename_column(&mut renamed, r);
        }
        // Each rename goes first among its table's operations.
        let mut rest = Revision::autogenerate(&renamed, &after).upgrade;
        for op in upgrade.into_iter().rev() {
            let at = rest
                .iter()
                .position(|o| o.table() == op.table() && !matches!(o, Op::CreateTable { .. }))
                .unwrap_or(rest.len());
            rest.insert(at, op);
        }
        let revision = Revision {
            downgrade: rest.iter().rev().map(Op::reverse).collect(),
            upgrade: rest,
        };
        ModelChange {
            before,
            after,
            revision,
            renames: applied,
        }
    }

    /// The Migration tab's content.
    pub fn tab_view(&self) -> MigrationTabView {
        MigrationTabView {
            revision_file: self.revision.migration_file(),
            upgrade_sql: sql_text(&self.upgrade_sql()),
            downgrade_sql: sql_text(&self.downgrade_sql()),
            findings: self.findings(),
            notes: self.notes(),
            rename_offers: self.rename_candidates(),
            renames: self.renames.clone(),
            safe_plan: self.safe_plan_summary(),
            empty: self.revision.is_empty(),
        }
    }

    pub fn revision(&self) -> &Revision {
        &self.revision
    }

    /// The renames in effect.
    pub fn renames(&self) -> &[Rename] {
        &self.renames
    }

    pub fn upgrade_sql(&self) -> Vec<SqlEntry> {
        self.revision.upgrade_sql(&self.before, &self.after)
    }

    pub fn downgrade_sql(&self) -> Vec<SqlEntry> {
        self.revision.downgrade_sql(&self.before, &self.after)
    }

    /// Dropped and added columns of one table with the same type: maybe a rename.
    pub fn rename_candidates(&self) -> Vec<Rename> {
        let mut out = Vec::new();
        for op in &self.revision.upgrade {
            let Op::DropColumn { table, column, .. } = op else {
                continue;
            };
            let added: Vec<&Column> = self
                .revision
                .upgrade
                .iter()
                .filter_map(|o| match o {
                    Op::AddColumn {
                        table: t,
                        column: c,
                        ..
                    } if t == table && c.sql_type == column.sql_type => Some(c),
                    _ => None,
                })
                .collect();
            if let [to] = added.as_slice() {
                out.push(Rename {
                    table: table.clone(),
                    from: column.name.clone(),
                    to: to.name.clone(),
                });
            }
        }
        out
    }

    /// The columns v1 reads and writes: every mapped column of the original models.
    fn in_use(&self) -> BTreeSet<String> {
        self.before
            .tables
            .iter()
            .flat_map(|t| t.columns.iter().map(|c| c.name.to_lowercase()))
            .collect()
    }

    /// The lint on the upgrade SQL (one transaction, as Alembic runs a revision).
    pub fn findings(&self) -> Vec<Finding> {
        let in_use = self.in_use();
        self.upgrade_sql()
            .iter()
            .filter_map(|e| match e {
                SqlEntry::Statement(sql) => Some(sql),
                SqlEntry::Failed(_) => None,
            })
            .flat_map(|sql| lint_statement(sql, true, &in_use))
            .collect()
    }

    /// What autogenerate cannot see or does not say, for this change.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        if self.revision.is_empty() {
            notes.push("No schema change: autogenerate writes an empty revision (a Python-side default=, a relationship or a method is not schema).".to_string());
        }
        for r in self.rename_candidates() {
            notes.push(format!(
                "{}.{} dropped and {}.{} added with the same type: if this is a rename, autogenerate cannot tell (Alembic's docs say so); as written, the upgrade drops the column and its values.",
                r.table, r.from, r.table, r.to
            ));
        }
        let checks = |ir: &ModelIr| -> Vec<String> {
            ir.tables
                .iter()
                .flat_map(|t| {
                    t.constraints
                        .iter()
                        .filter_map(|c| match c {
                            crate::model::ir::Constraint::Check { sql, .. } => Some(sql.clone()),
                            _ => None,
                        })
                        .chain(
                            t.columns
                                .iter()
                                .flat_map(|c| c.checks.iter().map(|k| k.sql.clone())),
                        )
                        .collect::<Vec<_>>()
                })
                .collect()
        };
        let same_tables = self
            .before
            .tables
            .iter()
            .all(|t| self.after.table(&t.name).is_some());
        if same_tables && checks(&self.before) != checks(&self.after) {
            notes.push("A CHECK constraint changed: autogenerate does not compare CHECK constraints, so the revision leaves it out (add op.create_check_constraint by hand).".to_string());
        }
        if self
            .upgrade_sql()
            .iter()
            .any(|e| matches!(e, SqlEntry::Failed(_)))
            || self
                .downgrade_sql()
                .iter()
                .any(|e| matches!(e, SqlEntry::Failed(_)))
        {
            notes.push("A constraint has no name, so the downgrade cannot drop it (Alembic renders drop_constraint(None, ...)): name it, or use a naming convention.".to_string());
        }
        notes
    }

    /// The change the phased plan is about, or why there is none.
    fn shape(&self) -> Result<Shape, String> {
        let risky: Vec<&Op> = self
            .revision
            .upgrade
            .iter()
            .filter(|op| !matches!(op, Op::TableComment { .. }))
            .collect();
        let tables: BTreeSet<&str> = risky.iter().map(|op| op.table()).collect();
        if tables.len() != 1 {
            return Err(if tables.is_empty() {
                "there is no schema change".to_string()
            } else {
                format!(
                    "the change touches {} tables ({}); make it safe one table at a time",
                    tables.len(),
                    tables.into_iter().collect::<Vec<_>>().join(", ")
                )
            });
        }
        let shapes: Vec<Shape> = risky
            .iter()
            .filter_map(|op| match op {
                Op::AddColumn { table, column, .. }
                    if !column.nullable && column.server_default.is_none() =>
                {
                    Some(Shape::AddNotNull(table.clone(), column.clone()))
                }
                Op::RenameColumn {
                    table, from, to, ..
                } => Some(Shape::Rename(table.clone(), from.clone(), to.clone())),
                Op::DropColumn { table, column, .. } => {
                    Some(Shape::Drop(table.clone(), column.clone()))
                }
                Op::CreateIndex { table, .. } => Some(Shape::Index(table.clone())),
                _ => None,
            })
            .collect();
        match shapes.as_slice() {
            [] if !self.findings().is_empty() => Err(
                "the stepper has no phased plan for this change yet; the lint's help says what to do by hand".into(),
            ),
            [] => Err("nothing in this change needs phases: running it in one step is safe".into()),
            [one] => Ok(one.clone()),
            _ if shapes.iter().all(|s| matches!(s, Shape::Index(_))) => Ok(shapes[0].clone()),
            _ => Err("it makes several risky changes at once; make them safe one at a time".into()),
        }
    }

    /// One line on what "Make it safe" does here, or why it is not offered.
    pub fn safe_plan_summary(&self) -> Result<String, String> {
        Ok(match self.shape()? {
            Shape::AddNotNull(_, c) => format!("add {} as nullable, deploy the code that writes it, backfill it in batches, then SET NOT NULL", c.name),
            Shape::Rename(_, from, to) => format!("expand and contract: add {to}, write both, copy in batches, move the reads, make {from} nullable, then drop it"),
            Shape::Drop(_, c) => format!("make {} nullable, deploy the code that no longer uses it, then drop it", c.name),
            Shape::Index(_) => "build the index with CREATE INDEX CONCURRENTLY, outside the transaction".to_string(),
        })
    }

    /// The plan for the stepper, on this change's main table.
    pub fn plan(&self, kind: PlanKind) -> Result<ChangeLab, String> {
        let shape = self.shape();
        let main = match &shape {
            Ok(s) => s.table().to_string(),
            Err(_) => self
                .revision
                .upgrade
                .first()
                .map(|op| op.table().to_string())
                .ok_or("there is no schema change to step through")?,
        };
        let old = self
            .before
            .table(&main)
            .ok_or_else(|| format!("{main} is a new table: there is no live data to migrate"))?;
        let new = self.after.table(&main).ok_or_else(|| {
            format!("{main} is dropped: the stepper needs the table in both versions")
        })?;
        let key = RowKey::of(old)?;
        let v1 = versions_for(old, &key, "v1", "the original models")?;
        let v2 = versions_for(new, &key, "v2", "the edited models")?;
        let upgrade: Vec<Step> = sql_steps(&self.upgrade_sql());
        let downgrade: Vec<Step> = sql_steps(&self.downgrade_sql());
        let plan = match kind {
            PlanKind::OneStep => MigrationPlan {
                tables: vec![main.clone()],
                versions: vec![v1, v2],
                phases: vec![
                    Phase::deploy("v1 running", &["v1"]),
                    Phase::schema("the revision", upgrade, downgrade),
                    Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]),
                    Phase::deploy("v1 retired", &["v2"]),
                ],
            },
            PlanKind::Safe => safe_plan(shape?, old, new, &key, v1, v2, upgrade, downgrade)?,
        };
        Ok(ChangeLab {
            plan,
            setup: ddl_statements(&self.before),
            table: old.clone(),
            parents: parents_of(&self.before, old),
            key,
        })
    }
}

/// `ir` with `rename`'s column renamed everywhere it is named; unnamed constraints keep
/// the name PostgreSQL gave them from the old column.
fn rename_column(ir: &mut ModelIr, rename: &Rename) {
    let swap = |c: &mut String| {
        if *c == rename.from {
            *c = rename.to.clone();
        }
    };
    for table in &mut ir.tables {
        let own = table.name == rename.table;
        for fk in table.constraints.iter_mut().filter_map(|c| match c {
            Constraint::ForeignKey(fk) => Some(fk),
            _ => None,
        }) {
            if fk.ref_table == rename.table {
                fk.ref_columns.iter_mut().for_each(swap);
            }
        }
        if !own {
            continue;
        }
        let table_name = table.name.clone();
        for column in &mut table.columns {
            swap(&mut column.name);
        }
        table.primary_key.iter_mut().for_each(swap);
        for constraint in &mut table.constraints {
            match constraint {
                Constraint::Unique { name, columns } => {
                    if name.is_none() {
                        *name = Some(reflect::unique_name(&table_name, name, columns));
                    }
                    columns.iter_mut().for_each(swap);
                }
                Constraint::ForeignKey(fk) => {
                    if fk.name.is_none() {
                        fk.name = Some(reflect::foreign_key_name(&table_name, fk));
                    }
                    fk.columns.iter_mut().for_each(swap);
                }
                Constraint::Check { .. } => {}
            }
        }
        for index in &mut table.indexes {
            for element in &mut index.elements {
                if let IndexElement::Column(c) = element {
                    swap(c);
                }
            }
        }
    }
}

/// The one change a phased plan is made for.
#[derive(Clone, Debug)]
enum Shape {
    AddNotNull(String, Column),
    Rename(String, String, String),
    Drop(String, Column),
    Index(String),
}

impl Shape {
    fn table(&self) -> &str {
        match self {
            Shape::AddNotNull(t, _)
            | Shape::Rename(t, ..)
            | Shape::Drop(t, _)
            | Shape::Index(t) => t,
        }
    }
}

fn sql_steps(entries: &[SqlEntry]) -> Vec<Step> {
    entries
        .iter()
        .map_while(|e| match e {
            SqlEntry::Statement(sql) => Some(Step::sql(sql)),
            SqlEntry::Failed(_) => None,
        })
        .collect()
}

/// The main table's key: one column, an integer or a string (numbered rows).
#[derive(Clone, Debug)]
pub struct RowKey {
    column: String,
    string: bool,
}

impl RowKey {
    fn of(table: &Table) -> Result<RowKey, String> {
        let [column] = table.primary_key.as_slice() else {
            return Err(format!(
                "{} has a composite (or no) primary key; the stepper numbers rows by one key column",
                table.name
            ));
        };
        let c = table.column(column).ok_or("the key column is missing")?;
        let string = match c.sql_type {
            SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger => false,
            SqlType::Varchar(_) | SqlType::Text | SqlType::Char(_) => true,
            _ => {
                return Err(format!(
                    "{}.{} is {}; the stepper numbers rows by an integer or string key",
                    table.name,
                    column,
                    c.sql_type.to_sql()
                ))
            }
        };
        Ok(RowKey {
            column: column.clone(),
            string,
        })
    }

    /// Row `n`'s key (`{id}` in a version's template). A string key is the number
    /// zero-padded to 6 digits, so the keys sort in row order as text too.
    fn literal(&self, n: &str) -> String {
        match (self.string, n) {
            (false, n) => n.to_string(),
            (true, "{id}") => "'{id:06}'".to_string(),
            (true, n) => format!("'{n:0>6}'"),
        }
    }

    /// The key as an integer, for a backfill's ranges.
    fn range_expr(&self) -> String {
        if self.string {
            format!("CAST({} AS INTEGER)", self.column)
        } else {
            self.column.clone()
        }
    }
}

/// A value of `column`'s type for row `n` (`{id}` in a version's template), made to be
/// distinct per row where the type allows.
fn value_for(column: &Column, n: &str) -> Option<String> {
    let text = |limit: Option<u32>| {
        let limit = limit.unwrap_or(255) as usize;
        let body = if column.name.contains("email") {
            format!("user{n}@example.com")
        } else {
            format!("{} {n}", column.name)
        };
        let body: String = body.chars().take(limit.max(1)).collect();
        format!("'{body}'")
    };
    Some(match &column.sql_type {
        SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger => n.to_string(),
        SqlType::Varchar(l) | SqlType::Char(l) => text(*l),
        SqlType::Text => text(None),
        SqlType::Numeric(..) | SqlType::Float(_) | SqlType::Double => "1".into(),
        SqlType::Boolean => "false".into(),
        SqlType::Date => "'2024-01-01'".into(),
        SqlType::Timestamp { timezone: true } => "'2024-01-01 00:00:00+00'".into(),
        SqlType::Timestamp { timezone: false } => "'2024-01-01 00:00:00'".into(),
        SqlType::Time { .. } => "'12:00:00'".into(),
        SqlType::Interval => "'1 day'".into(),
        SqlType::Uuid => "'00000000-0000-4000-8000-000000000001'".into(),
        SqlType::Json | SqlType::Jsonb => "'{}'".into(),
        SqlType::Enum { labels, .. } => format!("'{}'", labels.first()?.replace('\'', "''")),
        SqlType::Bytea | SqlType::Other(_) => return None,
    })
}

/// Whether an insert must give the column a value: NOT NULL with nothing to fill it.
fn needs_value(table: &Table, column: &Column) -> bool {
    table.primary_key.contains(&column.name)
        || (!column.nullable && column.server_default.is_none() && !column.autoincrement)
}

/// The row-`n` values of the columns an insert gives, and their names.
fn insert_columns(
    table: &Table,
    key: &RowKey,
    n: &str,
) -> Result<(Vec<String>, Vec<String>), String> {
    let mut names = Vec::new();
    let mut values = Vec::new();
    for column in &table.columns {
        if !needs_value(table, column) {
            continue;
        }
        let value = if column.name == key.column {
            key.literal(n)
        } else if table.is_foreign_key(&column.name) {
            // Every row refers to the referred table's row 1 (seeded first, its key
            // written as `RowKey::literal` writes it).
            let integer = matches!(
                column.sql_type,
                SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger
            );
            if integer {
                "1".to_string()
            } else {
                "'000001'".to_string()
            }
        } else {
            value_for(column, n).ok_or_else(|| {
                format!(
                    "{}.{} is {}: the stepper cannot make up values of that type",
                    table.name,
                    column.name,
                    column.sql_type.to_sql()
                )
            })?
        };
        names.push(column.name.clone());
        values.push(value);
    }
    Ok((names, values))
}

/// A version that inserts rows as `table` requires and reads them back whole.
fn versions_for(
    table: &Table,
    key: &RowKey,
    id: &'static str,
    summary: &'static str,
) -> Result<AppVersion, String> {
    let (names, values) = insert_columns(table, key, "{id}")?;
    let all: Vec<String> = table.columns.iter().map(|c| c.name.clone()).collect();
    Ok(AppVersion {
        id,
        summary,
        writes: vec![insert_sql(&table.name, &names, &values)],
        reads: vec![read_sql(&table.name, &all, key)],
    })
}

/// `INSERT INTO t (names) VALUES (values)`.
fn insert_sql(table: &str, names: &[String], values: &[String]) -> String {
    format!(
        "INSERT INTO {table} ({}) VALUES ({})",
        names.join(", "),
        values.join(", ")
    )
}

/// A request's read of its own row: `SELECT columns FROM t WHERE key = {id}`.
fn read_sql(table: &str, columns: &[String], key: &RowKey) -> String {
    format!(
        "SELECT {} FROM {table} WHERE {} = {}",
        columns.join(", "),
        key.column,
        key.literal("{id}")
    )
}

/// The tables `table` refers to with a NOT NULL foreign key, referred ones first: each
/// gets one row (key 1) before the seed.
fn parents_of(ir: &ModelIr, table: &Table) -> Vec<Table> {
    let mut out: Vec<Table> = Vec::new();
    let mut visit = vec![table.clone()];
    while let Some(t) = visit.pop() {
        for fk in t.foreign_keys() {
            let required = fk
                .columns
                .iter()
                .any(|c| t.column(c).is_some_and(|c| !c.nullable));
            if !required || fk.ref_table == t.name || out.iter().any(|o| o.name == fk.ref_table) {
                continue;
            }
            if let Some(parent) = ir.table(&fk.ref_table) {
                out.insert(0, parent.clone());
                visit.push(parent.clone());
            }
        }
        if out.len() > 8 {
            break;
        }
    }
    out
}

#[allow(clippy::too_many_arguments)]
fn safe_plan(
    shape: Shape,
    old: &Table,
    new: &Table,
    key: &RowKey,
    v1: AppVersion,
    v2: AppVersion,
    upgrade: Vec<Step>,
    downgrade: Vec<Step>,
) -> Result<MigrationPlan, String> {
    let t = old.name.clone();
    let backfill =
        |template: String| Step::Backfill(Backfill::new(&t, &key.range_expr(), &template, BATCH));
    let range = format!("{r} >= {{lo}} AND {r} < {{hi}}", r = key.range_expr());
    let phases = match &shape {
        Shape::AddNotNull(_, column) => {
            let value =
                value_for(column, "0").ok_or("the stepper cannot make up a value of that type")?;
            let c = &column.name;
            let ty = column.sql_type.to_sql();
            vec![
                Phase::deploy("v1 running", &["v1"]),
                Phase::schema(
                    &format!("add {c} nullable"),
                    vec![Step::sql(&format!("ALTER TABLE {t} ADD COLUMN {c} {ty}"))],
                    vec![Step::sql(&format!("ALTER TABLE {t} DROP COLUMN {c}"))],
                ),
                Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]),
                Phase::deploy("v1 retired", &["v2"]),
                Phase::schema(
                    &format!("backfill {c}"),
                    vec![backfill(format!("UPDATE {t} SET {c} = {value} WHERE {range} AND {c} IS NULL"))],
                    Vec::new(),
                )
                .with_downgrade_note("The backfill has no downgrade: the values it wrote stay (the column is dropped by stepping back further)."),
                Phase::schema(
                    &format!("{c} NOT NULL"),
                    vec![Step::sql(&format!("ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL"))],
                    vec![Step::sql(&format!("ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL"))],
                ),
            ]
        }
        Shape::Rename(_, from, to) => {
            let column = old.column(from).ok_or("the renamed column is missing")?;
            let ty = column.sql_type.to_sql();
            let copy = |guard: &str| {
                backfill(format!(
                    "UPDATE {t} SET {to} = {from} WHERE {range} AND {guard}"
                ))
            };
            let mut phases = vec![
                Phase::deploy("v1 running", &["v1"]),
                Phase::schema(
                    &format!("add {to} and copy"),
                    vec![
                        Step::sql(&format!("ALTER TABLE {t} ADD COLUMN {to} {ty}")),
                        copy(&format!("{to} IS NULL")),
                    ],
                    vec![Step::sql(&format!("ALTER TABLE {t} DROP COLUMN {to}"))],
                ),
                Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]),
                Phase::deploy("v1 retired", &["v2"]),
            ];
            let mut contract = vec![copy(&format!("{to} IS NULL"))];
            let mut relax_down = Vec::new();
            if !column.nullable {
                contract.push(Step::sql(&format!(
                    "ALTER TABLE {t} ALTER COLUMN {from} DROP NOT NULL"
                )));
                relax_down.push(Step::sql(&format!(
                    "ALTER TABLE {t} ALTER COLUMN {from} SET NOT NULL"
                )));
            }
            phases.push(Phase::schema(
                &format!("copy again, {from} nullable"),
                contract,
                relax_down,
            ));
            phases.push(Phase::deploy("deploy v3 (rolling)", &["v2", "v3"]));
            phases.push(Phase::deploy("v2 retired", &["v3"]));
            phases.push(
                Phase::schema(
                    &format!("drop {from}"),
                    vec![Step::sql(&format!("ALTER TABLE {t} DROP COLUMN {from}"))],
                    vec![
                        Step::sql(&format!("ALTER TABLE {t} ADD COLUMN {from} {ty}")),
                        backfill(format!("UPDATE {t} SET {from} = {to} WHERE {range} AND {from} IS NULL")),
                    ],
                )
                .with_downgrade_note("The downgrade re-adds the old column as nullable and copies the values back from the new one."),
            );
            if new.column(to).is_some_and(|c| !c.nullable) {
                phases.push(Phase::schema(
                    &format!("{to} NOT NULL"),
                    vec![Step::sql(&format!(
                        "ALTER TABLE {t} ALTER COLUMN {to} SET NOT NULL"
                    ))],
                    vec![Step::sql(&format!(
                        "ALTER TABLE {t} ALTER COLUMN {to} DROP NOT NULL"
                    ))],
                ));
            }
            let both = both_version(old, new, key, from, to)?;
            let v3 = AppVersion { id: "v3", ..v2 };
            return Ok(MigrationPlan {
                tables: vec![t],
                versions: vec![v1, both, v3],
                phases,
            });
        }
        Shape::Drop(_, column) => {
            let c = &column.name;
            let mut phases = vec![Phase::deploy("v1 running", &["v1"])];
            if !column.nullable {
                phases.push(Phase::schema(
                    &format!("{c} nullable"),
                    vec![Step::sql(&format!(
                        "ALTER TABLE {t} ALTER COLUMN {c} DROP NOT NULL"
                    ))],
                    vec![Step::sql(&format!(
                        "ALTER TABLE {t} ALTER COLUMN {c} SET NOT NULL"
                    ))],
                ));
            }
            phases.push(Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]));
            phases.push(Phase::deploy("v1 retired", &["v2"]));
            phases.push(
                Phase::schema(&format!("drop {c}"), upgrade, downgrade).with_downgrade_note(
                    "The downgrade re-adds the column empty: the dropped values do not come back.",
                ),
            );
            phases
        }
        Shape::Index(_) => {
            let concurrent = |steps: Vec<Step>, from: &str, to: &str| -> Vec<Step> {
                steps
                    .into_iter()
                    .map(|s| match s {
                        Step::Sql(sql) => Step::Sql(sql.replacen(from, to, 1)),
                        other => other,
                    })
                    .collect()
            };
            let up = concurrent(
                concurrent(upgrade, "CREATE INDEX ", "CREATE INDEX CONCURRENTLY "),
                "CREATE UNIQUE INDEX ",
                "CREATE UNIQUE INDEX CONCURRENTLY ",
            );
            let down = concurrent(downgrade, "DROP INDEX ", "DROP INDEX CONCURRENTLY ");
            vec![
                Phase::deploy("v1 running", &["v1"]),
                Phase::schema("build the index concurrently", up, down).autocommit(),
                Phase::deploy("deploy v2 (rolling)", &["v1", "v2"]),
                Phase::deploy("v1 retired", &["v2"]),
            ]
        }
    };
    Ok(MigrationPlan {
        tables: vec![t],
        versions: vec![v1, v2],
        phases,
    })
}

/// The middle version of a rename: writes the old and the new column, reads the old.
fn both_version(
    old: &Table,
    new: &Table,
    key: &RowKey,
    from: &str,
    to: &str,
) -> Result<AppVersion, String> {
    let (mut names, mut values) = insert_columns(old, key, "{id}")?;
    if let Some(at) = names.iter().position(|n| n == from) {
        names.push(to.to_string());
        values.push(values[at].clone());
    } else if let Some(column) = new.column(to) {
        names.push(to.to_string());
        values.push(value_for(column, "{id}").unwrap_or_else(|| "NULL".into()));
    }
    let read: Vec<String> = old.columns.iter().map(|c| c.name.clone()).collect();
    Ok(AppVersion {
        id: "v2",
        summary: "writes both columns, reads the old one",
        writes: vec![insert_sql(&old.name, &names, &values)],
        reads: vec![read_sql(&old.name, &read, key)],
    })
}

/// A plan ready to start: the original models' tables, seeded, then the stepper.
pub struct ChangeLab {
    pub plan: MigrationPlan,
    setup: Vec<String>,
    table: Table,
    parents: Vec<Table>,
    key: RowKey,
}

impl ChangeLab {
    /// Creates the original models' tables on `db` (fresh), seeds the main table with
    /// `rows` rows (and one row of each table it needs), and starts the stepper.
    pub fn start(&self, db: &mut Database, rows: i64) -> Result<Stepper, String> {
        for sql in &self.setup {
            db.execute(sql)
                .map_err(|e| format!("{}: {}", first_line(sql), e.message))?;
        }
        for parent in &self.parents {
            let key = RowKey::of(parent)?;
            let (names, values) = insert_columns(parent, &key, "1")?;
            db.execute(&insert_sql(&parent.name, &names, &values))
                .map_err(|e| e.message)?;
        }
        let mut start = 1;
        while start <= rows {
            let end = (start + 499).min(rows);
            let mut names = Vec::new();
            let mut tuples = Vec::new();
            for i in start..=end {
                let (n, values) = insert_columns(&self.table, &self.key, &i.to_string())?;
                names = n;
                tuples.push(format!("({})", values.join(", ")));
            }
            db.execute(&format!(
                "INSERT INTO {} ({}) VALUES {}",
                self.table.name,
                names.join(", "),
                tuples.join(", ")
            ))
            .map_err(|e| format!("seeding {}: {}", self.table.name, e.message))?;
            start = end + 1;
        }
        db.clear_log();
        Stepper::start(self.plan.clone(), db, rows + 1)
    }
}

fn first_line(sql: &str) -> &str {
    sql.lines().next().unwrap_or(sql)
}
