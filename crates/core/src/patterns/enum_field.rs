//! Enum Field Pattern: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use crate::orm::Value;

use super::live::{add, commit, exec, fresh, guard, line, one, text};

pub const PATTERN: Pattern = Pattern {
    slug: "enum-field",
    title: "Enum Field Pattern",
    section: Section::ModelPatterns,
    summary: "A free-text status column accepts any typo, and application-side validation does not protect rows written by other code or by hand. A Python str Enum lists the allowed values once, and a CHECK constraint built from it (valid_order_status) makes the database itself reject any other value.",
    reference_code: r#"from enum import Enum

from sqlalchemy import CheckConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from .base import BaseModel  # the Base Model Pattern

class OrderStatus(str, Enum):
    PENDING = 'pending'
    CONFIRMED = 'confirmed'
    SHIPPED = 'shipped'
    DELIVERED = 'delivered'
    CANCELLED = 'cancelled'

class Order(BaseModel):
    __tablename__ = 'orders'

    status: Mapped[str] = mapped_column(
        String(20),
        default=OrderStatus.PENDING.value
    )

    __table_args__ = (
        CheckConstraint(
            status.in_([s.value for s in OrderStatus]),
            name='valid_order_status'
        ),
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported BaseModel from the Base Model Pattern.",
    ],
    starter_sql: r#"-- default=OrderStatus.PENDING.value is applied by Python, not by the table: SQL gives the status
INSERT INTO orders (id, status, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'pending', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'confirmed', '2024-03-01 10:00:00+00', '2024-03-01 10:00:00+00'),
  ('00000000-0000-4000-8000-000000000003', 'shipped', '2024-03-01 11:00:00+00', '2024-03-01 11:00:00+00'),
  ('00000000-0000-4000-8000-000000000004', 'cancelled', '2024-03-01 12:00:00+00', '2024-03-01 12:00:00+00');
-- Any OrderStatus value passes valid_order_status, on UPDATE too
UPDATE orders SET status = 'delivered', updated_at = '2024-03-04 15:00:00+00'
WHERE id = '00000000-0000-4000-8000-000000000003';
SELECT id, status FROM orders ORDER BY id;
SELECT status, COUNT(*) AS orders FROM orders GROUP BY status ORDER BY status;
-- this one fails: 'completed' is not an OrderStatus, so valid_order_status rejects the row
INSERT INTO orders (id, status, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000005', 'completed', '2024-03-05 09:00:00+00', '2024-03-05 09:00:00+00');
"#,
    live: true,
};

/// The live page: orders with valid statuses, an invalid one refused by the named CHECK,
/// and a new status added in two steps (widen the CHECK, then use it).
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step { id: "insert-default", label: "Insert an order (default status)", run: insert_default },
        Step { id: "deliver", label: "Mark the shipped order delivered", run: deliver },
        Step { id: "invalid-status", label: "Try an invalid status", run: invalid_status },
        Step { id: "widen-check", label: "Widen the CHECK for 'refunded'", run: widen_check },
        Step { id: "use-refunded", label: "Refund the cancelled order", run: use_refunded },
    ],
    tables: &["orders"],
    engine_note: Some("CHECK constraints (named, NOT VALID, VALIDATE CONSTRAINT) are enforced by our dialect layer, not GlueSQL."),
    comparisons: &[Comparison { title: "A typo in a status, with and without the CHECK", run: compare_typo }],
};

/// The statuses the reference allows, plus the one the demo adds.
const WIDENED: &str = "'pending', 'confirmed', 'shipped', 'delivered', 'cancelled', 'refunded'";

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    for status in ["confirmed", "shipped", "cancelled"] {
        add(ctx, "Order", &[("status", status)])?;
        ctx.session.clock.advance_seconds(60.0);
    }
    commit(ctx.session, ctx.db)
}

fn insert_default(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let order = add(ctx, "Order", &[])?;
        commit(ctx.session, ctx.db)?;
        let status = text(ctx.session.value(order, "status"));
        Ok(StepOutcome::ok(format!(
            "Order() without a status: default=OrderStatus.PENDING.value filled '{status}' in Python, so the INSERT lists the status column (the table itself has no default)."
        )))
    })
}

fn set_status(ctx: &mut DemoContext, from: &str, to: &str) -> Result<(), String> {
    let order = one(ctx, "Order", "status", from)?;
    ctx.session.clock.advance_seconds(3600.0);
    ctx.session
        .set(order, "status", Value::from(to))
        .map_err(|e| e.to_string())?;
    commit(ctx.session, ctx.db)
}

fn deliver(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        set_status(ctx, "shipped", "delivered")?;
        Ok(StepOutcome::ok(
            "order.status = OrderStatus.DELIVERED: 'delivered' is in the list, so valid_order_status accepts the UPDATE.",
        ))
    })
}

fn invalid_status(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        add(ctx, "Order", &[("status", "completed")])?;
        match commit(ctx.session, ctx.db) {
            Ok(()) => Ok(StepOutcome::ok(
                "'completed' was stored: these models no longer check the status.",
            )),
            Err(e) => Ok(StepOutcome::failed(
                "'completed' is not an OrderStatus: PostgreSQL refuses the INSERT with the CHECK's name, whatever code wrote it.",
                e,
            )),
        }
    })
}

fn widen_check(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        exec(
            ctx.db,
            "ALTER TABLE orders DROP CONSTRAINT valid_order_status",
        )?;
        exec(
            ctx.db,
            &format!("ALTER TABLE orders ADD CONSTRAINT valid_order_status CHECK (status IN ({WIDENED})) NOT VALID"),
        )?;
        exec(
            ctx.db,
            "ALTER TABLE orders VALIDATE CONSTRAINT valid_order_status",
        )?;
        Ok(StepOutcome::ok(
            "Step one of adding OrderStatus.REFUNDED: the migration swaps the CHECK for a wider one (ADD ... NOT VALID takes no long lock, VALIDATE CONSTRAINT then checks the existing rows). Deploy the code that writes 'refunded' only after this.",
        ))
    })
}

fn use_refunded(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        match set_status(ctx, "cancelled", "refunded") {
        Ok(()) => Ok(StepOutcome::ok(
            "Step two: with the CHECK widened, the new status 'refunded' is accepted.",
        )),
        Err(e) if e.contains("no Order") => Err(e),
        Err(e) => Ok(StepOutcome::failed(
            "'refunded' is not allowed yet: code using a new status must ship after the migration that widens the CHECK.",
            e,
        )),
    }
    })
}

fn compare_typo() -> ComparisonOutcome {
    let mut with = fresh(PATTERN.reference_code);
    let mut without = crate::engine::Database::new();
    let _ = without
        .execute("CREATE TABLE orders (id VARCHAR PRIMARY KEY, status VARCHAR(20) NOT NULL)");
    let insert = "INSERT INTO orders (id, status, created_at, updated_at) VALUES ('o1', 'shiped', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00')";
    ComparisonOutcome {
        with_pattern: vec![line(&mut with, insert), line(&mut with, "SELECT id, status FROM orders")],
        without_pattern: vec![
            line(&mut without, "INSERT INTO orders (id, status) VALUES ('o1', 'shiped')"),
            line(&mut without, "SELECT id, status FROM orders"),
        ],
        verdict: "With the CHECK the typo is refused at once; without it 'shiped' is stored and every query for 'shipped' silently misses the order.".into(),
    }
}
