//! Selecting Specific Columns: summary, corrected reference code, notes on the corrections,
//! console script, and the lab: whole entities vs load_only vs selected columns on a wide
//! users table, measured on the page's database.
//!
//! Lab ids: knobs `users` (10..5000), `extra-columns` (0..40 profile columns on users);
//! actions `compare` (primary: the three variants in turn), `whole`, `load-only`,
//! `columns`; blocks `outcome`, `metrics` (keys `statements`, `rows`, `cells`, `time`,
//! of the last variant), `query` (its Python), `statements` (its statements, in the
//! page's log), `comparison` (table: one row per variant run, columns variant /
//! statements / rows / cells / time; the fewest cells Ok), `emulation` (Engine note).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::Database;
use crate::lab::{
    ActionSpec, Block, Cell, CellStatus, KnobKind, KnobSpec, KnobValues, Lab, LabRun, LabView,
    NoteKind, TableBlock,
};
use crate::orm::{selectinload, Select, Session, Value};
use crate::query_lab::measure::{measure, ms, thousands, RunMeasure};
use crate::query_lab::wide;

pub const PATTERN: Pattern = Pattern {
    slug: "select-columns",
    title: "Selecting Specific Columns",
    section: Section::QueryOptimization,
    summary: "Loading whole ORM objects transfers and hydrates every column, including large ones the caller never reads. Selecting only the needed columns, or limiting loaded entities and their relationships with load_only, keeps queries and memory small.",
    reference_code: r#"from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, load_only, mapped_column, relationship, selectinload

from .base import BaseModel  # the Base Model Pattern

# The columns the queries below use
class User(BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)

    orders: Mapped[list['Order']] = relationship(back_populates='user')

class Order(BaseModel):
    __tablename__ = 'orders'

    user_id: Mapped[str] = mapped_column(ForeignKey('users.id'), index=True)
    total: Mapped[float] = mapped_column(default=0.0)

    user: Mapped['User'] = relationship(back_populates='orders')

# Only select needed columns
result = await session.execute(
    select(User.id, User.email, User.name)
    .where(User.is_active == True)
)

# Using load_only for relationships
result = await session.execute(
    select(User)
    .options(load_only(User.id, User.email))
    .options(
        selectinload(User.orders)
        .load_only(Order.id, Order.total)
    )
)
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported select, load_only and selectinload, which the queries used without importing them.",
        "Defined User.name, User.is_active and Order.total, which the queries use but no model of the reference defined.",
    ],
    starter_sql: r#"-- The lab's wide users table: a whole entity carries every column
SELECT COUNT(*) AS users FROM users;
-- select(User.id, User.email, User.name).where(User.is_active == True)
SELECT users.id, users.email, users.name FROM users
WHERE users.is_active = TRUE AND users.id <= 5;
-- load_only(User.id, User.email), then load_only(Order.id, Order.total) for the orders
SELECT users.id, users.email FROM users WHERE users.id <= 3;
SELECT orders.user_id, orders.id, orders.total FROM orders WHERE orders.user_id IN (1, 2, 3);
"#,
    live: true,
};

static KNOBS: [KnobSpec; 2] = [
    KnobSpec {
        id: "users",
        label: "Users",
        kind: KnobKind::Int {
            min: 10,
            max: 5000,
            presets: &[50, 200, 1000, 5000],
        },
        default: "200",
        help: "Rows in users (every fifth inactive); two orders each.",
    },
    KnobSpec {
        id: "extra-columns",
        label: "Extra profile columns",
        kind: KnobKind::Int {
            min: 0,
            max: 40,
            presets: &[0, 12, 40],
        },
        default: "12",
        help: "Text columns on users beyond id, email, name, is_active and bio: how wide the table is.",
    },
];

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some("The ORM is an emulation of SQLAlchemy 2.0's Session: it sends the statements SQLAlchemy sends, and they run on the real engine."),
    start,
};

/// The three ways to read the active users.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Variant {
    Whole,
    LoadOnly,
    Columns,
}

impl Variant {
    const ALL: [Variant; 3] = [Variant::Whole, Variant::LoadOnly, Variant::Columns];

    fn id(self) -> &'static str {
        match self {
            Variant::Whole => "whole",
            Variant::LoadOnly => "load-only",
            Variant::Columns => "columns",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Variant::Whole => "whole entities",
            Variant::LoadOnly => "load_only",
            Variant::Columns => "selected columns",
        }
    }

    fn python(self) -> &'static str {
        match self {
            Variant::Whole => "select(User)\n.where(User.is_active == True)\n.options(selectinload(User.orders))",
            Variant::LoadOnly => "select(User)\n.where(User.is_active == True)\n.options(load_only(User.id, User.email))\n.options(\n    selectinload(User.orders)\n    .load_only(Order.id, Order.total)\n)",
            Variant::Columns => "select(User.id, User.email, User.name)\n.where(User.is_active == True)",
        }
    }
}

struct SelectColumnsLab {
    extra: usize,
    /// (variant, its last measure), in the order run.
    runs: Vec<(Variant, RunMeasure, Option<String>)>,
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let extra = knobs.int("extra-columns") as usize;
    wide::seed(db, &wide::models(extra), knobs.int("users") as usize, extra)?;
    Ok(Box::new(SelectColumnsLab {
        extra,
        runs: Vec::new(),
    }))
}

impl SelectColumnsLab {
    fn run(&mut self, db: &mut Database, variant: Variant) {
        let ir = wide::models(self.extra);
        let (result, measured) = measure(db, |db| -> Result<(), String> {
            if variant == Variant::Columns {
                // SQLAlchemy's statement for a select of columns (no ORM objects).
                return db
                    .execute("SELECT users.id, users.email, users.name \nFROM users \nWHERE users.is_active = true")
                    .map(|_| ())
                    .map_err(|e| e.message);
            }
            let mut session = Session::new(&ir).map_err(|e| e.to_string())?;
            let select = Select::new("User").where_eq("is_active", Value::Bool(true));
            let select = match variant {
                Variant::Whole => select.options(selectinload("User.orders")),
                _ => select
                    .load_only(&["User.id", "User.email"])
                    .options(selectinload("User.orders").load_only(&["Order.id", "Order.total"])),
            };
            let result = session
                .execute(db, &select)
                .map(|_| ())
                .map_err(|e| e.to_string());
            let _ = session.rollback(db);
            result
        });
        self.runs.retain(|(v, _, _)| *v != variant);
        self.runs.push((variant, measured, result.err()));
    }

    fn comparison(&self) -> TableBlock {
        let fewest = self.runs.iter().map(|(_, m, _)| m.cells).min();
        TableBlock {
            id: "comparison".into(),
            title: "Each variant's last run".into(),
            columns: ["variant", "statements", "rows", "cells", "time"]
                .map(String::from)
                .to_vec(),
            rows: self
                .runs
                .iter()
                .map(|(variant, m, _)| {
                    let cells = if Some(m.cells) == fewest && self.runs.len() > 1 {
                        Cell::status(thousands(m.cells), CellStatus::Ok)
                    } else {
                        Cell::plain(thousands(m.cells))
                    };
                    vec![
                        Cell::plain(variant.label()),
                        Cell::plain(m.statements().to_string()),
                        Cell::plain(thousands(m.rows)),
                        cells,
                        Cell::plain(ms(m.time_ms)),
                    ]
                })
                .collect(),
            omitted: 0,
        }
    }
}

impl LabRun for SelectColumnsLab {
    fn actions(&self) -> Vec<ActionSpec> {
        let mut actions = vec![ActionSpec::new("compare", "Run all three").primary()];
        actions.extend(
            Variant::ALL
                .map(|v| ActionSpec::new(v.id(), format!("Run {}", v.label())))
                .to_vec(),
        );
        actions
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        if id == "compare" {
            for variant in Variant::ALL {
                self.run(db, variant);
            }
            return Ok(());
        }
        let variant = Variant::ALL
            .into_iter()
            .find(|v| v.id() == id)
            .ok_or_else(|| format!("unknown action '{id}'"))?;
        self.run(db, variant);
        Ok(())
    }

    fn view(&self, _db: &mut Database) -> LabView {
        let mut view = LabView::default();
        match self.runs.last() {
            None => {
                view.push(Block::outcome(
                    "outcome",
                    format!(
                        "users has {} columns. Run the variants to see what each reads and transfers.",
                        5 + self.extra
                    ),
                    None,
                ));
            }
            Some((variant, m, error)) => {
                view.push(Block::outcome(
                    "outcome",
                    format!(
                        "{}: {} statement(s), {} rows, {} cells transferred.",
                        variant.label(),
                        m.statements(),
                        thousands(m.rows),
                        thousands(m.cells)
                    ),
                    error.clone(),
                ));
                view.push(Block::Metrics {
                    id: "metrics".into(),
                    title: variant.label().into(),
                    items: m.metrics(),
                });
                view.push(Block::Code {
                    id: "query".into(),
                    title: "The query".into(),
                    language: "python",
                    text: format!("result = session.execute(\n{}\n)", indent(variant.python())),
                });
                view.push(Block::statements(
                    "statements",
                    "Statements (in the page's statement log)",
                    &m.entries,
                    20,
                ));
                view.push(Block::Table(self.comparison()));
            }
        }
        view.push(Block::note(
            "emulation",
            NoteKind::Engine,
            "Whole entities and load_only go through our emulation of SQLAlchemy's Session; the selected columns are the plain SELECT SQLAlchemy sends for them. All run on the page's database.",
        ));
        view
    }
}

fn indent(text: &str) -> String {
    text.lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}
