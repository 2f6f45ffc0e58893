//! Many-to-Many with Extra Fields: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use crate::orm::Value;

use super::live::{add, commit, exec, fresh, guard, line, one, rows, text, R};

pub const PATTERN: Pattern = Pattern {
    slug: "association-object",
    title: "Many-to-Many with Extra Fields",
    section: Section::RelationshipPatterns,
    summary: "When the link between two tables carries its own data, such as the quantity and price of a product in an order, a bare association table has nowhere to put it. The link becomes a mapped class, OrderItem, keyed by both foreign keys and holding the extra columns, with relationships to each side.",
    reference_code: r#"from sqlalchemy import ForeignKey
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import Base, BaseModel, TimestampMixin  # the Base Model Pattern

# Base + TimestampMixin, not BaseModel: BaseModel's own `id` primary key would
# make the key (order_id, product_id, id) and allow the same product twice
class OrderItem(TimestampMixin, Base):
    __tablename__ = 'order_items'

    order_id: Mapped[str] = mapped_column(
        ForeignKey('orders.id', ondelete='CASCADE'),
        primary_key=True
    )
    product_id: Mapped[str] = mapped_column(
        ForeignKey('products.id', ondelete='RESTRICT'),
        primary_key=True
    )

    # Extra fields on the relationship
    quantity: Mapped[int] = mapped_column(default=1)
    unit_price: Mapped[float] = mapped_column()
    discount: Mapped[float] = mapped_column(default=0.0)

    order: Mapped['Order'] = relationship(back_populates='items')
    product: Mapped['Product'] = relationship()

class Order(BaseModel):
    __tablename__ = 'orders'

    items: Mapped[list['OrderItem']] = relationship(
        back_populates='order',
        cascade='all, delete-orphan'
    )

# The products table, as the Many-to-Many pattern defines it
class Product(BaseModel):
    __tablename__ = 'products'
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Added the missing imports (ForeignKey, Mapped, mapped_column, relationship, and the Base Model Pattern's classes).",
        "OrderItem now derives from TimestampMixin and Base instead of BaseModel: BaseModel's own id primary key made the key (order_id, product_id, id), which allowed the same product twice in one order.",
        "Added a minimal Product model (the products table as the Many-to-Many pattern defines it): OrderItem's foreign key and relationship referred to it, but it was never defined.",
    ],
    starter_sql: r#"-- Two orders and two products (the app's ids are uuid4() strings: readable ones here)
INSERT INTO orders (id, created_at, updated_at) VALUES
  ('order-1', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('order-2', '2024-03-02 09:00:00+00', '2024-03-02 09:00:00+00');
INSERT INTO products (id, created_at, updated_at) VALUES
  ('keyboard', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('monitor', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
-- Each OrderItem links an order and a product and carries quantity, price and discount
-- (default=1 and default=0.0 are applied by Python: SQL gives every value)
INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount, created_at, updated_at) VALUES
  ('order-1', 'keyboard', 1, 49.0, 0.0, '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('order-1', 'monitor', 2, 150.0, 0.25, '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00'),
  ('order-2', 'keyboard', 3, 45.0, 0.0, '2024-03-02 09:00:00+00', '2024-03-02 09:00:00+00');
-- Order.items with OrderItem.product, and each line's total
SELECT order_id, product_id, quantity, unit_price, discount,
  unit_price * quantity * (1.0 - discount) AS line_total
FROM order_items ORDER BY order_id, product_id;
-- Order totals
SELECT o.id AS order_id, COUNT(*) AS items,
  SUM(i.unit_price * i.quantity * (1.0 - i.discount)) AS order_total
FROM orders o JOIN order_items i ON i.order_id = o.id
GROUP BY o.id ORDER BY o.id;
-- ondelete='CASCADE' on order_id: deleting an order deletes its items
DELETE FROM orders WHERE id = 'order-2';
SELECT order_id, product_id, quantity FROM order_items ORDER BY order_id, product_id;
-- this one fails: ondelete='RESTRICT' on product_id keeps a product that is still ordered
DELETE FROM products WHERE id = 'keyboard';
"#,
    live: true,
};

/// The live page: orders with items carrying quantity, unit price and discount; totals by
/// query; the composite key and RESTRICT at work.
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step { id: "add-item", label: "Add 2 webcams to order A", run: add_item },
        Step { id: "totals", label: "Order totals by query", run: totals },
        Step { id: "duplicate-item", label: "Add the mouse to order A again", run: duplicate_item },
        Step { id: "delete-ordered-product", label: "Delete the mouse (it is ordered)", run: delete_ordered_product },
        Step { id: "delete-order", label: "Delete order B", run: delete_order },
    ],
    tables: &["orders", "products", "order_items"],
    engine_note: Some("ON DELETE RESTRICT / CASCADE and the composite primary key are enforced by our dialect layer, not GlueSQL."),
    comparisons: &[Comparison { title: "Deleting an ordered product: RESTRICT vs no foreign key action", run: compare_restrict }],
};

/// (order, product, quantity, unit_price, discount)
const ITEMS: [(&str, &str, i64, f64, f64); 4] = [
    ("order-a", "mouse", 1, 25.0, 0.0),
    ("order-a", "dock", 1, 120.0, 0.1),
    ("order-b", "mouse", 3, 24.0, 0.0),
    ("order-b", "dock", 2, 110.0, 0.25),
];

fn item(
    ctx: &mut DemoContext,
    (order, product, quantity, price, discount): (&str, &str, i64, f64, f64),
) -> R<()> {
    let values = [
        ("order_id", Value::from(order)),
        ("product_id", Value::from(product)),
        ("quantity", Value::Int(quantity)),
        ("unit_price", Value::Float(price)),
        ("discount", Value::Float(discount)),
    ];
    ctx.session
        .add_new("OrderItem", &values)
        .map_err(|e| e.to_string())?;
    Ok(())
}

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    for id in ["order-a", "order-b"] {
        add(ctx, "Order", &[("id", id)])?;
    }
    for id in ["mouse", "dock", "webcam"] {
        add(ctx, "Product", &[("id", id)])?;
    }
    commit(ctx.session, ctx.db)?;
    for it in ITEMS {
        item(ctx, it)?;
    }
    commit(ctx.session, ctx.db)
}

fn add_item(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        item(ctx, ("order-a", "webcam", 2, 60.0, 0.05))?;
        match commit(ctx.session, ctx.db) {
            Ok(()) => Ok(StepOutcome::ok(
                "OrderItem(order=order_a, product=webcam, quantity=2, unit_price=60.0, discount=0.05): the link itself carries the data, so it is a mapped class, not a plain association table.",
            )),
            Err(e) => Ok(StepOutcome::failed("Order A already has a webcam line: the key (order_id, product_id) allows one.", e)),
        }
    })
}

fn totals(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let found = rows(
            ctx.db,
            "SELECT order_id, SUM(unit_price * quantity * (1.0 - discount)) AS total, SUM(quantity) AS units FROM order_items GROUP BY order_id ORDER BY order_id",
        )?;
        let parts: Vec<String> = found
            .iter()
            .map(|r| {
                let total = match r.get(1) {
                    Some(Value::Float(f)) => format!("{f:.2}"),
                    other => text(other),
                };
                format!("{} = {total} ({} units)", text(r.first()), text(r.get(2)))
            })
            .collect();
        Ok(StepOutcome::ok(format!(
            "Totals are computed from the items, never stored: {}.",
            if parts.is_empty() {
                "no orders have items".to_string()
            } else {
                parts.join(", ")
            }
        )))
    })
}

fn duplicate_item(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        item(ctx, ("order-a", "mouse", 1, 25.0, 0.0))?;
        match commit(ctx.session, ctx.db) {
            Ok(()) => Ok(StepOutcome::ok("The line was added: order A had no mouse line.")),
            Err(e) => Ok(StepOutcome::failed(
                "The primary key (order_id, product_id) allows one line per product and order: raise the quantity instead.",
                e,
            )),
        }
    })
}

fn delete_ordered_product(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        match exec(ctx.db, "DELETE FROM products WHERE id = 'mouse'") {
        Ok(_) => Ok(StepOutcome::ok("The mouse was deleted: no order line refers to it any more.")),
        Err(e) => Ok(StepOutcome::failed(
            "ondelete='RESTRICT' on order_items.product_id: a product that appears in an order cannot be deleted, so order history keeps its products.",
            e,
        )),
    }
    })
}

fn delete_order(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let seq = ctx.db.log().last_seq();
        let order = one(ctx, "Order", "id", "order-b")?;
        ctx.session
            .delete(ctx.db, order)
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        let deletes = ctx
            .db
            .log()
            .since(seq)
            .iter()
            .filter(|e| e.sql.starts_with("DELETE FROM order_items"))
            .count();
        Ok(StepOutcome::ok(format!(
            "session.delete(order_b): cascade='all, delete-orphan' on Order.items deleted its lines first ({deletes} DELETE on order_items), then the order; the products stay."
        )))
    })
}

fn compare_restrict() -> ComparisonOutcome {
    let setup = [
        "INSERT INTO orders (id, created_at, updated_at) VALUES ('o1', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00')",
        "INSERT INTO products (id, created_at, updated_at) VALUES ('mouse', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00')",
        "INSERT INTO order_items (order_id, product_id, quantity, unit_price, discount, created_at, updated_at) VALUES ('o1', 'mouse', 1, 25.0, 0.0, '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00')",
    ];
    let mut with = fresh(PATTERN.reference_code);
    let mut without = crate::engine::Database::new();
    for sql in [
        "CREATE TABLE orders (id VARCHAR PRIMARY KEY, created_at TIMESTAMP, updated_at TIMESTAMP)",
        "CREATE TABLE products (id VARCHAR PRIMARY KEY, created_at TIMESTAMP, updated_at TIMESTAMP)",
        "CREATE TABLE order_items (order_id VARCHAR, product_id VARCHAR, quantity INTEGER, unit_price FLOAT, discount FLOAT, created_at TIMESTAMP, updated_at TIMESTAMP)",
    ] {
        let _ = without.execute(sql);
    }
    for sql in setup {
        let _ = with.execute(sql);
        let _ = without.execute(sql);
    }
    let delete = "DELETE FROM products WHERE id = 'mouse'";
    let orphans = "SELECT i.order_id, i.product_id, p.id AS product FROM order_items i LEFT JOIN products p ON p.id = i.product_id";
    ComparisonOutcome {
        with_pattern: vec![line(&mut with, delete), line(&mut with, orphans)],
        without_pattern: vec![line(&mut without, delete), line(&mut without, orphans)],
        verdict: "RESTRICT keeps every ordered product; without it the order line points at a product that no longer exists.".into(),
    }
}
