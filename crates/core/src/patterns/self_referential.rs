//! Self-Referential Relationship: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};
use crate::orm::Value;

use super::live::{add, commit, exec, fresh, guard, line, one, rows, text, R};

pub const PATTERN: Pattern = Pattern {
    slug: "self-referential",
    title: "Self-Referential Relationship",
    section: Section::RelationshipPatterns,
    summary: "Hierarchies such as category trees have rows whose parent is a row of the same table. A nullable parent_id foreign key to the table's own id, with a parent relationship marked by remote_side and a children relationship back, maps the tree in both directions.",
    reference_code: r#"from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .base import BaseModel  # the Base Model Pattern

class Category(BaseModel):
    __tablename__ = 'categories'

    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[str | None] = mapped_column(
        ForeignKey('categories.id', ondelete='SET NULL'),
        nullable=True
    )

    parent: Mapped['Category | None'] = relationship(
        remote_side='Category.id',
        back_populates='children'
    )
    children: Mapped[list['Category']] = relationship(
        back_populates='parent'
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Added the missing imports (ForeignKey, String, Mapped, mapped_column, relationship, BaseModel).",
    ],
    starter_sql: r#"-- A tree: parent_id points at a row of the same table (readable ids; the app's are uuid4())
INSERT INTO categories (id, name, parent_id, created_at, updated_at) VALUES
  ('electronics', 'Electronics', NULL, '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('computers', 'Computers', 'electronics', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('phones', 'Phones', 'electronics', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('laptops', 'Laptops', 'computers', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('desktops', 'Desktops', 'computers', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
-- Category.parent: join the table to itself
SELECT c.name, p.name AS parent
FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
ORDER BY c.name;
-- Category.children of Computers
SELECT name FROM categories WHERE parent_id = 'computers' ORDER BY name;
-- Three levels deep: one self-join per level
SELECT g.name AS grandparent, p.name AS parent, c.name AS category
FROM categories c
JOIN categories p ON p.id = c.parent_id
JOIN categories g ON g.id = p.parent_id
ORDER BY c.name;
-- Any depth in one query: WITH RECURSIVE joins each round's rows to their children
WITH RECURSIVE tree AS (
  SELECT id, 1 AS depth, CAST(name AS TEXT) AS path FROM categories WHERE parent_id IS NULL
  UNION ALL
  SELECT c.id, t.depth + 1, t.path || ' > ' || c.name
  FROM categories c JOIN tree t ON c.parent_id = t.id
)
SELECT path, depth FROM tree ORDER BY path;
-- ondelete='SET NULL': deleting Computers turns Laptops and Desktops into roots
DELETE FROM categories WHERE id = 'computers';
SELECT c.name, p.name AS parent
FROM categories c LEFT JOIN categories p ON p.id = c.parent_id
ORDER BY c.name;
"#,
    live: true,
};

/// The live page: a category tree, loaded level by level and then in one WITH RECURSIVE
/// query, a cycle that only a depth limit stops, a subtree moved by one UPDATE, a parent
/// deleted with its children kept as roots.
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step { id: "load-tree", label: "Load the whole tree, level by level", run: load_tree },
        Step { id: "walk-recursive", label: "Walk the tree in one WITH RECURSIVE query", run: walk_recursive },
        Step { id: "cycle", label: "Make a cycle, then walk it with and without a depth limit", run: walk_cycle },
        Step { id: "move-subtree", label: "Move Audio (and its subtree) under Gifts", run: move_subtree },
        Step { id: "delete-parent", label: "Delete Devices (ORM)", run: delete_parent },
        Step { id: "delete-parent-sql", label: "Delete Gifts in plain SQL", run: delete_parent_sql },
    ],
    tables: &["categories"],
    engine_note: Some("ON DELETE SET NULL on the self-referencing key and WITH RECURSIVE are provided by our dialect layer, not GlueSQL; the walk without a depth limit stops at a budget of 100 rounds set for that step (so the click stays short)."),
    comparisons: &[Comparison { title: "Deleting a parent: ON DELETE SET NULL vs a plain foreign key", run: compare_set_null }],
};

/// (id, name, parent) in insert order: parents first.
const TREE: [(&str, &str, Option<&str>); 7] = [
    ("devices", "Devices", None),
    ("gifts", "Gifts", None),
    ("audio", "Audio", Some("devices")),
    ("computing", "Computing", Some("devices")),
    ("headphones", "Headphones", Some("audio")),
    ("speakers", "Speakers", Some("audio")),
    ("notebooks", "Notebooks", Some("computing")),
];

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    for (id, name, parent) in TREE {
        let node = add(ctx, "Category", &[("id", id), ("name", name)])?;
        if let Some(parent) = parent {
            ctx.session
                .set(node, "parent_id", Value::from(parent))
                .map_err(|e| e.to_string())?;
        }
        // One flush per row: each parent exists before its children.
        ctx.session.flush(ctx.db).map_err(|e| e.to_string())?;
    }
    commit(ctx.session, ctx.db)
}

fn quoted(ids: &[String]) -> String {
    ids.iter()
        .map(|i| format!("'{}'", i.replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Loads the tree one level per SELECT; returns it as nested text and the statement count.
fn load(ctx: &mut DemoContext) -> R<(String, usize)> {
    // (id, name, parent)
    let mut nodes: Vec<(String, String, Option<String>)> = Vec::new();
    let mut sql =
        "SELECT id, name, parent_id FROM categories WHERE parent_id IS NULL ORDER BY name"
            .to_string();
    let mut statements = 0;
    loop {
        statements += 1;
        let level = rows(ctx.db, &sql)?;
        let ids: Vec<String> = level
            .iter()
            .map(|r| text(r.first()))
            .filter(|id| !nodes.iter().any(|(n, _, _)| n == id))
            .collect();
        for r in &level {
            let parent = r.get(2).filter(|v| !v.is_null()).map(|v| text(Some(v)));
            nodes.push((text(r.first()), text(r.get(1)), parent));
        }
        if ids.is_empty() || statements >= 32 {
            break;
        }
        sql = format!(
            "SELECT id, name, parent_id FROM categories WHERE parent_id IN ({}) ORDER BY name",
            quoted(&ids)
        );
    }
    fn render(
        nodes: &[(String, String, Option<String>)],
        parent: Option<&str>,
        depth: usize,
    ) -> String {
        let parts: Vec<String> = nodes
            .iter()
            .filter(|(_, _, p)| p.as_deref() == parent)
            .map(|(id, name, _)| {
                let children = if depth < 32 {
                    render(nodes, Some(id), depth + 1)
                } else {
                    String::new()
                };
                if children.is_empty() {
                    name.clone()
                } else {
                    format!("{name} ({children})")
                }
            })
            .collect();
        parts.join(", ")
    }
    Ok((render(&nodes, None, 0), statements))
}

fn load_tree(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let (tree, statements) = load(ctx)?;
        Ok(StepOutcome::ok(format!(
            "The tree: {tree}. Loaded level by level it took {statements} SELECTs, one per level (the last finds no children); the next step does it in one recursive query."
        )))
    })
}

/// Every category with its depth and path from its root, in one statement. The path
/// starts as `CAST(name AS TEXT)`: a recursive CTE's columns take the non-recursive
/// term's type, and `name` is a VARCHAR(100) while `path || ' > ' || name` is text.
const WALK_TREE: &str = "WITH RECURSIVE tree AS (\n  SELECT id, 1 AS depth, CAST(name AS TEXT) AS path FROM categories WHERE parent_id IS NULL\n  UNION ALL\n  SELECT c.id, t.depth + 1, t.path || ' > ' || c.name FROM categories c JOIN tree t ON c.parent_id = t.id\n)\nSELECT path, depth FROM tree ORDER BY path";

/// The walk down from one category, with and without a depth limit.
fn walk_from(start: &str, limit: Option<u32>) -> String {
    let guard = limit.map_or(String::new(), |d| format!(" WHERE w.depth < {d}"));
    format!(
        "WITH RECURSIVE walk AS (\n  SELECT id, 1 AS depth FROM categories WHERE id = '{start}'\n  UNION ALL\n  SELECT c.id, w.depth + 1 FROM categories c JOIN walk w ON c.parent_id = w.id{guard}\n)\nSELECT count(*) AS visited, max(depth) AS deepest FROM walk"
    )
}

/// Rounds the unlimited walk may run on this page (the console's budget is 10,000).
const CYCLE_ROUNDS: usize = 100;

fn walk_recursive(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let seq = ctx.db.log().last_seq();
        let paths = rows(ctx.db, WALK_TREE)?;
        let statements = ctx.db.log().since(seq).len();
        let deepest = paths
            .iter()
            .filter_map(|r| match r.get(1) {
                Some(Value::Int(d)) => Some(*d),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        let listed: Vec<String> = paths.iter().map(|r| text(r.first())).collect();
        Ok(StepOutcome::ok(format!(
            "{statements} statement walked all {} categories, {deepest} levels deep: {}. The recursive term joins the rows the last round found to their children until a round finds none.",
            paths.len(),
            listed.join("; ")
        )))
    })
}

fn walk_cycle(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        // A root put under one of its own descendants: nothing in the schema forbids it.
        let root = rows(
            ctx.db,
            "SELECT id FROM categories WHERE parent_id IS NULL ORDER BY name",
        )?;
        let Some(root) = root.first().map(|r| text(r.first())) else {
            return Err("no root category to make a cycle from".into());
        };
        let leaf = rows(ctx.db, &walk_leaf_sql(&root))?;
        let Some(leaf) = leaf.first().map(|r| text(r.first())) else {
            return Err(format!("{root} has no descendants to make a cycle with"));
        };
        exec(
            ctx.db,
            &format!("UPDATE categories SET parent_id = '{leaf}' WHERE id = '{root}'"),
        )?;
        let limited = rows(ctx.db, &walk_from(&root, Some(10)))?;
        let visited = limited.first().map(|r| text(r.first())).unwrap_or_default();
        let budget = ctx.db.budget();
        ctx.db.set_budget(crate::engine::Budget {
            max_recursion_rounds: CYCLE_ROUNDS,
            ..budget
        });
        let unlimited = ctx.db.execute(&walk_from(&root, None));
        ctx.db.set_budget(budget);
        let stopped = match unlimited {
            Ok(_) => return Err("the walk round the cycle ended on its own".into()),
            Err(e) => e.message,
        };
        Ok(StepOutcome::ok(format!(
            "{root} now hangs under {leaf}, one of its own descendants: a cycle. With WHERE w.depth < 10 the walk stops after {visited} rows. Without it, every round finds the cycle's rows again: {stopped}. PostgreSQL has no such budget: the query runs until it runs out of memory, so a recursive query over data that may hold a cycle needs a depth limit (or UNION over the ids alone, which drops rows already found)."
        )))
    })
}

/// The deepest descendant of `root`, found by a recursive walk (the node to hang it from).
fn walk_leaf_sql(root: &str) -> String {
    format!(
        "WITH RECURSIVE down AS (SELECT id, 1 AS depth FROM categories WHERE id = '{root}' UNION ALL SELECT c.id, d.depth + 1 FROM categories c JOIN down d ON c.parent_id = d.id WHERE d.depth < 32) SELECT id FROM down WHERE depth > 1 ORDER BY depth DESC, id LIMIT 1"
    )
}

fn move_subtree(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let audio = one(ctx, "Category", "id", "audio")?;
        one(ctx, "Category", "id", "gifts")?;
        ctx.session.clock.advance_seconds(600.0);
        ctx.session
            .set(audio, "parent_id", Value::from("gifts"))
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        Ok(StepOutcome::ok(
            "audio.parent = gifts: one UPDATE of one row moves the whole subtree, since Headphones and Speakers point at Audio, not at the root.",
        ))
    })
}

fn delete_parent(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let devices = one(ctx, "Category", "id", "devices")?;
        let seq = ctx.db.log().last_seq();
        ctx.session
            .delete(ctx.db, devices)
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        let updates = ctx
            .db
            .log()
            .since(seq)
            .iter()
            .filter(|e| e.sql.starts_with("UPDATE categories"))
            .count();
        Ok(StepOutcome::ok(format!(
            "session.delete(devices): Category.children has no delete cascade, so SQLAlchemy loaded the children and set their parent_id to NULL ({updates} UPDATE) before the DELETE: they become roots, nothing else is lost."
        )))
    })
}

fn delete_parent_sql(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        exec(ctx.db, "DELETE FROM categories WHERE id = 'gifts'")?;
        let roots = super::live::count(
            ctx.db,
            "SELECT COUNT(*) FROM categories WHERE parent_id IS NULL",
        )?;
        Ok(StepOutcome::ok(format!(
            "A plain DELETE of Gifts: ondelete='SET NULL' makes the database null its children's parent_id in the same statement. {roots} root(s) now."
        )))
    })
}

fn compare_set_null() -> ComparisonOutcome {
    let setup = [
        "INSERT INTO categories (id, name, parent_id, created_at, updated_at) VALUES ('p', 'Parent', NULL, '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00')",
        "INSERT INTO categories (id, name, parent_id, created_at, updated_at) VALUES ('c', 'Child', 'p', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00')",
    ];
    let mut with = fresh(PATTERN.reference_code);
    let mut without = fresh(&PATTERN.reference_code.replace(", ondelete='SET NULL'", ""));
    for sql in setup {
        let _ = with.execute(sql);
        let _ = without.execute(sql);
    }
    let delete = "DELETE FROM categories WHERE id = 'p'";
    let check = "SELECT id, parent_id FROM categories";
    ComparisonOutcome {
        with_pattern: vec![line(&mut with, delete), line(&mut with, check)],
        without_pattern: vec![line(&mut without, delete), line(&mut without, check)],
        verdict: "With ON DELETE SET NULL the child survives as a root; without it the database refuses to delete a category that has children.".into(),
    }
}
