//! Eager Loading Strategies: summary, corrected reference code, notes on the corrections,
//! console script, and the lab: users -> orders -> items -> product loaded through the ORM
//! emulation with a loader strategy per level, measured on the page's database.
//!
//! Lab ids (stable, used by links and browser tests):
//! - knobs: `users` (1..1000), `orders` (per user, 1..10), `depth` (1 orders, 2 items,
//!   3 product), `strategy` / `strategy-items` / `strategy-product` (lazy, joined,
//!   selectin, subquery, raise), `fk-index` (toggle).
//! - actions: `run` (primary: one load with the knobs), `compare` (every strategy for
//!   N = 1, 10, 100 users, and 1,000 when the `users` knob is 1,000, on private databases).
//! - blocks: `outcome` (error: SQLAlchemy's raise message), `hint` (Warning note, only
//!   when an N+1 was found: "N+1: User.orders loaded lazily 10 times — add
//!   selectinload(User.orders)"), `metrics` (keys `statements`, `rows`, `cells`, `time`,
//!   `rows-examined`), `query` (the Python query), `statements` (the run's statements
//!   from the page's log), `echo` (what `echo=True` prints), `count-vs-n` and `time-vs-n`
//!   (charts, after `compare`), `emulation` (Engine note).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::Database;
use crate::lab::{
    ActionSpec, Block, KnobKind, KnobSpec, KnobValues, Lab, LabRun, LabView, NoteKind,
};
use crate::query_lab::compare::Comparison;
use crate::query_lab::loading::{self, strategy_of, LoadPlan, LoadRun};
use crate::query_lab::measure::thousands;
use crate::query_lab::shop;

pub const PATTERN: Pattern = Pattern {
    slug: "eager-loading",
    title: "Eager Loading Strategies",
    section: Section::QueryOptimization,
    summary: "Loading related objects lazily runs one extra query per parent row (the N+1 problem), and in async code an unexpected lazy load fails outright. Loader options fetch the relationships up front: joinedload in the same query with a JOIN, selectinload and subqueryload in one extra query per relationship, chained for nested relationships.",
    reference_code: r#"from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import (
    Mapped,
    joinedload,
    mapped_column,
    relationship,
    selectinload,
    subqueryload,
)

from .base import BaseModel  # the Base Model Pattern
from .models import Order, OrderItem  # the relationship patterns

# The one-to-one User.profile that joinedload loads below
class Profile(BaseModel):
    __tablename__ = 'profiles'

    user_id: Mapped[str] = mapped_column(
        ForeignKey('users.id', ondelete='CASCADE'),
        unique=True
    )
    bio: Mapped[str | None] = mapped_column(String(500), nullable=True)

    user: Mapped['User'] = relationship(back_populates='profile')

class User(BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)

    profile: Mapped['Profile | None'] = relationship(back_populates='user')
    orders: Mapped[list['Order']] = relationship(back_populates='user')

# joinedload: Single query with JOIN (good for one-to-one/many-to-one)
result = await session.execute(
    select(User).options(joinedload(User.profile))
)
users = result.scalars().all()

# selectinload: Separate IN query (good for one-to-many)
result = await session.execute(
    select(User).options(selectinload(User.orders))
)
users = result.scalars().all()

# subqueryload: Subquery (good for complex filters)
result = await session.execute(
    select(User).options(subqueryload(User.orders))
)
users = result.scalars().all()

# Nested eager loading
result = await session.execute(
    select(User)
    .options(
        selectinload(User.orders)
        .selectinload(Order.items)
        .joinedload(OrderItem.product)
    )
)
users = result.scalars().all()
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported select, which the queries used without importing it.",
        "Defined the one-to-one User.profile (a Profile model) that joinedload loads: no model of the reference had it.",
        "Each query now takes result.scalars().all(): awaiting session.execute() gives a Result of rows, not the users.",
    ],
    starter_sql: r#"-- The lab's tables: users -> orders -> order_items -> products
SELECT COUNT(*) AS users FROM users;
-- Lazy loading: one query per user for its orders (the N+1)
SELECT orders.id, orders.status FROM orders WHERE 1 = orders.user_id;
SELECT orders.id, orders.status FROM orders WHERE 2 = orders.user_id;
-- joinedload(User.orders): one query, the user's columns repeated on every order row
SELECT users.id, users.email, orders_1.id AS orders_1_id, orders_1.status
FROM users LEFT OUTER JOIN orders AS orders_1 ON users.id = orders_1.user_id
WHERE users.id <= 2;
-- selectinload(User.orders): the users, then ONE query for all their orders
SELECT users.id, users.email FROM users WHERE users.id <= 3;
SELECT orders.user_id, orders.id, orders.status FROM orders WHERE orders.user_id IN (1, 2, 3);
"#,
    live: true,
};

const STRATEGIES: &[(&str, &str)] = &[
    ("lazy", "lazy (select)"),
    ("joined", "joined"),
    ("selectin", "selectin"),
    ("subquery", "subquery"),
    ("raise", "raise"),
];

static KNOBS: [KnobSpec; 7] = [
    KnobSpec {
        id: "users",
        label: "Users",
        kind: KnobKind::Int {
            min: 1,
            max: 1000,
            presets: &[1, 10, 100, 1000],
        },
        default: "10",
        help: "How many users the query loads (N).",
    },
    KnobSpec {
        id: "orders",
        label: "Orders per user",
        kind: KnobKind::Int {
            min: 1,
            max: 10,
            presets: &[1, 3, 10],
        },
        default: "3",
        help: "Each order has 2 items, each item one of 20 products.",
    },
    KnobSpec {
        id: "depth",
        label: "Nesting depth",
        kind: KnobKind::Choice(&[
            ("1", "User.orders"),
            ("2", "+ Order.items"),
            ("3", "+ OrderItem.product"),
        ]),
        default: "1",
        help: "How far down the load goes: orders, their items, the items' products.",
    },
    KnobSpec {
        id: "strategy",
        label: "User.orders",
        kind: KnobKind::Choice(STRATEGIES),
        default: "lazy",
        help: "The loader strategy for User.orders.",
    },
    KnobSpec {
        id: "strategy-items",
        label: "Order.items",
        kind: KnobKind::Choice(STRATEGIES),
        default: "selectin",
        help: "The loader strategy for Order.items (depth 2 and 3).",
    },
    KnobSpec {
        id: "strategy-product",
        label: "OrderItem.product",
        kind: KnobKind::Choice(STRATEGIES),
        default: "joined",
        help: "The loader strategy for OrderItem.product (depth 3).",
    },
    KnobSpec {
        id: "fk-index",
        label: "Foreign-key indexes",
        kind: KnobKind::Toggle,
        default: "1",
        help: "Indexes on orders.user_id, order_items.order_id and order_items.product_id.",
    },
];

/// The users counts `compare` measures: powers of ten up to the `users` knob (at least
/// 100). At 1,000 users our engine needs seconds for the subquery load's join and the
/// selectin load's long IN list, so the series goes there only when asked to.
fn compare_ns(users: usize) -> Vec<usize> {
    [1, 10, 100, 1000]
        .into_iter()
        .filter(|n| *n <= users.max(100))
        .collect()
}

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some("The ORM is an emulation of SQLAlchemy 2.0's Session: it sends the statements SQLAlchemy sends, and they run on the real engine."),
    start,
};

struct EagerLab {
    users: usize,
    orders: usize,
    fk_index: bool,
    plan: LoadPlan,
    last: Option<LoadRun>,
    comparison: Comparison,
    compare_error: Option<String>,
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let users = knobs.int("users") as usize;
    let orders = knobs.int("orders") as usize;
    let fk_index = knobs.on("fk-index");
    shop::seed(db, &shop::models(), users, orders, fk_index)?;
    let plan = LoadPlan {
        depth: knobs.get("depth").parse().unwrap_or(1),
        strategies: [
            strategy_of(knobs.get("strategy")),
            strategy_of(knobs.get("strategy-items")),
            strategy_of(knobs.get("strategy-product")),
        ],
    };
    Ok(Box::new(EagerLab {
        users,
        orders,
        fk_index,
        plan,
        last: None,
        comparison: Comparison::default(),
        compare_error: None,
    }))
}

impl LabRun for EagerLab {
    fn actions(&self) -> Vec<ActionSpec> {
        vec![
            ActionSpec::new("run", "Run the load").primary(),
            ActionSpec::new("compare", "Compare all strategies for N = 1, 10, 100 …"),
        ]
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        match id {
            "run" => {
                self.last = Some(loading::run(db, self.plan));
                Ok(())
            }
            "compare" => {
                self.compare_error = self
                    .comparison
                    .run(
                        &compare_ns(self.users),
                        self.orders,
                        self.plan.depth,
                        self.fk_index,
                    )
                    .err();
                Ok(())
            }
            other => Err(format!("unknown action '{other}'")),
        }
    }

    fn view(&self, _db: &mut Database) -> LabView {
        let mut view = LabView::default();
        match &self.last {
            None => {
                view.push(Block::outcome(
                    "outcome",
                    format!(
                        "Seeded {} users with {} orders each (2 items per order). Run loads them with {}.",
                        self.users,
                        self.orders,
                        self.plan.python()
                    ),
                    None,
                ));
            }
            Some(run) => push_run(&mut view, run),
        }
        if let Some(error) = &self.compare_error {
            view.push(Block::note(
                "compare-error",
                NoteKind::Warning,
                error.clone(),
            ));
        }
        if !self.comparison.points.is_empty() {
            for chart in self.comparison.charts() {
                view.push(chart);
            }
        }
        view.push(Block::note(
            "emulation",
            NoteKind::Engine,
            "The Session is our emulation of SQLAlchemy 2.0's (identity map, loader strategies, option chains); the statements it sends run on the page's database and are in its statement log. Times are this in-page engine's: no network round trips, and an IN list checked value by value, so at 1,000 users selectin can be slower than lazy here, unlike PostgreSQL over a network, where each of lazy's 1,001 statements pays a round trip.",
        ));
        view
    }
}

fn push_run(view: &mut LabView, run: &LoadRun) {
    let [users, orders, items, products] = run.reached;
    let levels = run.plan.depth.clamp(1, 3);
    let mut loaded = format!("{users} users, {orders} orders");
    if levels >= 2 {
        loaded.push_str(&format!(", {items} items"));
    }
    if levels >= 3 {
        loaded.push_str(&format!(", {products} products"));
    }
    let text = match &run.error {
        None => format!(
            "Loaded {loaded} with {} in {} statement(s).",
            run.plan.python(),
            run.measure.statements()
        ),
        Some(_) => format!(
            "{} stopped the load after {} statement(s): the relationship was not loaded, and reading it raised.",
            run.plan.python(),
            run.measure.statements()
        ),
    };
    view.push(Block::outcome("outcome", text, run.error.clone()));
    if !run.n_plus_one.is_empty() {
        let hints: Vec<String> = run.n_plus_one.iter().map(|n| n.text()).collect();
        view.push(Block::note("hint", NoteKind::Warning, hints.join("; ")));
    }
    let mut metrics = run.measure.metrics();
    metrics.push(crate::lab::Metric::new(
        "rows-examined",
        "Rows examined",
        thousands(run.measure.rows_examined() as usize),
    ));
    view.push(Block::Metrics {
        id: "metrics".into(),
        title: "This load".into(),
        items: metrics,
    });
    view.push(Block::Code {
        id: "query".into(),
        title: "The query".into(),
        language: "python",
        text: format!(
            "users = session.scalars(\n    select(User).options(\n        {}\n    )\n).all()\nfor user in users:\n{}",
            run.plan.python(),
            touch_code(levels)
        ),
    });
    view.push(Block::statements(
        "statements",
        "Statements (in the page's statement log)",
        &run.measure.entries,
        100,
    ));
    let echo: Vec<String> = run
        .echo
        .iter()
        .take(20)
        .map(|e| format!("{}\n[{}]", e.sql, e.params_text()))
        .collect();
    let more = run.echo.len().saturating_sub(20);
    let mut text = echo.join("\n\n");
    if more > 0 {
        text.push_str(&format!("\n\n... and {more} more"));
    }
    view.push(Block::Code {
        id: "echo".into(),
        title: "What echo=True prints (PostgreSQL, psycopg2 parameters)".into(),
        language: "sql",
        text,
    });
}

/// The loop that reads what was loaded, down to `levels`.
fn touch_code(levels: usize) -> String {
    let lines = [
        "    for order in user.orders:",
        "        for item in order.items:",
        "            item.product.name",
    ];
    let code = lines[..levels].join("\n");
    if levels < 3 {
        let pad = "    ".repeat(levels + 1);
        return format!("{code}\n{pad}...");
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_comparison_reaches_1000_users_only_when_asked() {
        assert_eq!(compare_ns(10), [1, 10, 100]);
        assert_eq!(compare_ns(1000), [1, 10, 100, 1000]);
    }

    #[test]
    fn the_loop_reads_down_to_the_depth() {
        assert!(touch_code(1).contains("user.orders"));
        assert!(!touch_code(1).contains("order.items"));
        assert!(touch_code(3).contains("item.product"));
    }
}
