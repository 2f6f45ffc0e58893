//! One-to-Many with Cascade: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use crate::orm::{lazyload, Select, Session};

use super::live::{add, commit, counted, exec, fresh, guard, line, one, R};

pub const PATTERN: Pattern = Pattern {
    slug: "one-to-many-cascade",
    title: "One-to-Many with Cascade",
    section: Section::RelationshipPatterns,
    summary: "A parent with many children needs a foreign key on the child side, and deleting the parent must not leave orphaned children behind. The relationship pairs a ForeignKey with ondelete='CASCADE' (indexed) and an ORM cascade='all, delete-orphan', so child rows are removed whether the delete comes from the ORM or from SQL.",
    reference_code: r#"from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import BaseModel  # the Base Model Pattern

class User(BaseModel):
    __tablename__ = 'users'

    email: Mapped[str] = mapped_column(String(255), unique=True)

    # One user has many orders
    orders: Mapped[list['Order']] = relationship(
        back_populates='user',
        cascade='all, delete-orphan',  # Delete orders when user deleted
        lazy='selectin'  # Eager load by default
    )

class Order(BaseModel):
    __tablename__ = 'orders'

    user_id: Mapped[str] = mapped_column(
        ForeignKey('users.id', ondelete='CASCADE'),
        index=True  # Always index foreign keys
    )

    user: Mapped['User'] = relationship(back_populates='orders')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported BaseModel from the Base Model Pattern.",
    ],
    starter_sql: r#"-- Two users (ids are uuid4() strings in the app: fixed, readable ones here)
INSERT INTO users (id, email, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000001', 'ada@example.com', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000002', 'bob@example.com', '2024-01-16 10:00:00+00', '2024-01-16 10:00:00+00');
-- Ada has two orders, Bob one: orders.user_id is the foreign key
INSERT INTO orders (id, user_id, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000101', '00000000-0000-4000-8000-000000000001', '2024-02-01 09:00:00+00', '2024-02-01 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000102', '00000000-0000-4000-8000-000000000001', '2024-02-02 09:00:00+00', '2024-02-02 09:00:00+00'),
  ('00000000-0000-4000-8000-000000000103', '00000000-0000-4000-8000-000000000002', '2024-02-03 09:00:00+00', '2024-02-03 09:00:00+00');
-- User.orders: one user, many orders
SELECT u.email, COUNT(o.id) AS orders
FROM users u LEFT JOIN orders o ON o.user_id = u.id
GROUP BY u.email ORDER BY u.email;
-- ondelete='CASCADE': deleting Ada in plain SQL deletes her orders in the same statement
DELETE FROM users WHERE email = 'ada@example.com';
-- Only Bob's order is left: no orphans
SELECT o.id, u.email FROM orders o LEFT JOIN users u ON u.id = o.user_id ORDER BY o.id;
-- this one fails: the foreign key rejects an order for a user who no longer exists
INSERT INTO orders (id, user_id, created_at, updated_at) VALUES
  ('00000000-0000-4000-8000-000000000104', '00000000-0000-4000-8000-000000000001', '2024-03-01 09:00:00+00', '2024-03-01 09:00:00+00');
"#,
    live: true,
};

/// The live page: users with orders; deleting through the ORM cascade vs the database's
/// ON DELETE CASCADE, delete-orphan, and the foreign-key index on child lookups.
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step { id: "orm-cascade", label: "Delete Ann (ORM cascade)", run: orm_cascade },
        Step { id: "passive-deletes", label: "Delete Ben (passive_deletes + ON DELETE CASCADE)", run: passive_deletes },
        Step { id: "delete-orphan", label: "Remove an order from Cat's orders", run: delete_orphan },
        Step { id: "fk-index", label: "Look up Dan's orders with and without the index", run: fk_index },
    ],
    tables: &["users", "orders"],
    engine_note: Some("Foreign keys and ON DELETE CASCADE are enforced by our dialect layer, and index use is measured by our engine layer, not GlueSQL."),
    comparisons: &[Comparison { title: "Deleting a user with orders: ON DELETE CASCADE vs a plain foreign key", run: compare_cascade }],
};

const USERS: [(&str, usize); 4] = [
    ("ann@example.com", 2),
    ("ben@example.com", 2),
    ("cat@example.com", 3),
    ("dan@example.com", 12),
];

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    for (email, orders) in USERS {
        let user = add(ctx, "User", &[("email", email)])?;
        for _ in 0..orders {
            let order = ctx
                .session
                .new_object("Order", &[])
                .map_err(|e| e.to_string())?;
            ctx.session
                .append(ctx.db, user, "orders", order)
                .map_err(|e| e.to_string())?;
            ctx.session.clock.advance_seconds(60.0);
        }
    }
    commit(ctx.session, ctx.db)
}

fn orm_cascade(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let seq = ctx.db.log().last_seq();
        let ann = one(ctx, "User", "email", "ann@example.com")?;
        let orders = ctx
            .session
            .related(ctx.db, ann, "orders")
            .map_err(|e| e.to_string())?
            .len();
        ctx.session.delete(ctx.db, ann).map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        let child_deletes = counted(ctx, seq, "DELETE FROM orders");
        let parent_deletes = counted(ctx, seq, "DELETE FROM users");
        Ok(StepOutcome::ok(format!(
            "cascade='all, delete-orphan': SQLAlchemy had Ann's {orders} order(s) in the session (User.orders is lazy='selectin'; otherwise it would SELECT them first) and deleted them itself: {child_deletes} DELETE FROM orders, then {parent_deletes} DELETE FROM users."
        )))
    })
}

fn passive_deletes(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        // The same models with passive_deletes=True on User.orders, in a new session
        // (a new request): the children are left to the database.
        let mut registry = ctx.session.registry().clone();
        for mapper in &mut registry.mappers {
            for rel in &mut mapper.relationships {
                if rel.name == "orders" {
                    rel.passive_deletes = true;
                }
            }
        }
        let mut session = Session::with_registry(registry);
        let before = super::live::count(ctx.db, "SELECT COUNT(*) FROM orders")?;
        let seq_after_count = ctx.db.log().last_seq();
        let found = session
            .execute(
                ctx.db,
                &Select::new("User")
                    .where_eq("email", "ben@example.com")
                    .options(lazyload("orders")),
            )
            .map_err(|e| e.to_string())?;
        let Some(ben) = found.first().copied() else {
            return Err(
                "no User with email = 'ben@example.com' (an earlier step removed it?)".into(),
            );
        };
        session.delete(ctx.db, ben).map_err(|e| e.to_string())?;
        commit(&mut session, ctx.db)?;
        let deletes = counted(ctx, seq_after_count, "DELETE");
        let cascaded: usize = ctx
            .db
            .log()
            .since(seq_after_count)
            .iter()
            .map(|e| e.constraint_actions.len())
            .sum();
        let after = super::live::count(ctx.db, "SELECT COUNT(*) FROM orders")?;
        Ok(StepOutcome::ok(format!(
            "passive_deletes=True: SQLAlchemy sent {deletes} DELETE (the user only, no SELECT of the orders); ON DELETE CASCADE removed {} order(s) inside that statement{}.",
            before - after,
            if cascaded > 0 { " (see the log's constraint actions)" } else { "" }
        )))
    })
}

fn delete_orphan(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let cat = one(ctx, "User", "email", "cat@example.com")?;
        let orders = ctx
            .session
            .related(ctx.db, cat, "orders")
            .map_err(|e| e.to_string())?;
        let Some(first) = orders.first().copied() else {
            return Ok(StepOutcome::ok("Cat has no orders left to remove."));
        };
        ctx.session
            .remove(ctx.db, cat, "orders", first)
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        Ok(StepOutcome::ok(format!(
            "user.orders.remove(order): delete-orphan turns an order without its user into a DELETE at flush (without it, SQLAlchemy would set user_id to NULL, which the NOT NULL column refuses). Cat has {} order(s) left.",
            orders.len() - 1
        )))
    })
}

fn examined(ctx: &mut DemoContext, sql: &str) -> R<u64> {
    exec(ctx.db, sql)?;
    Ok(ctx.db.log().entries().last().map_or(0, |e| e.rows_examined))
}

fn fk_index(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let dan = one(ctx, "User", "email", "dan@example.com")?;
        let id = super::live::text(ctx.session.value(dan, "id"));
        let lookup = format!("SELECT id FROM orders WHERE user_id = '{id}'");
        let Some(index) = ctx
            .db
            .index_names("orders")
            .into_iter()
            .find(|n| n.contains("user_id"))
        else {
            return Err("orders has no index on user_id (index=True was removed?)".into());
        };
        let with = examined(ctx, &lookup)?;
        exec(ctx.db, &format!("DROP INDEX {index}"))?;
        let without = examined(ctx, &lookup);
        // Put the index back whatever happened, so the page's state is unchanged.
        exec(ctx.db, &format!("CREATE INDEX {index} ON orders (user_id)"))?;
        let without = without?;
        Ok(StepOutcome::ok(format!(
            "Loading Dan's orders examined {with} row(s) with {index}, {without} without it (a scan of every order): the lookup that lazy loads and cascades run for every parent."
        )))
    })
}

fn compare_cascade() -> ComparisonOutcome {
    let setup = [
        "INSERT INTO users (id, email, created_at, updated_at) VALUES ('u1', 'ann@example.com', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00')",
        "INSERT INTO orders (id, user_id, created_at, updated_at) VALUES ('o1', 'u1', '2024-02-01 09:00:00+00', '2024-02-01 09:00:00+00'), ('o2', 'u1', '2024-02-02 09:00:00+00', '2024-02-02 09:00:00+00')",
    ];
    let mut with = fresh(PATTERN.reference_code);
    let plain = PATTERN.reference_code.replace(", ondelete='CASCADE'", "");
    let mut without = fresh(&plain);
    for sql in setup {
        let _ = with.execute(sql);
        let _ = without.execute(sql);
    }
    let delete = "DELETE FROM users WHERE id = 'u1'";
    let count = "SELECT COUNT(*) FROM orders";
    ComparisonOutcome {
        with_pattern: vec![line(&mut with, delete), line(&mut with, count)],
        without_pattern: vec![line(&mut without, delete), line(&mut without, count)],
        verdict: "With ON DELETE CASCADE a plain DELETE (or passive_deletes) removes the orders too; without it the database refuses to delete a user who has orders, and every delete must go through the ORM's cascade.".into(),
    }
}
