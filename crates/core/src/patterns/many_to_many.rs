//! Many-to-Many with Association Table: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::demo::{Comparison, ComparisonOutcome, Demo, DemoContext, Step, StepOutcome};

use super::live::{add, commit, count, counted, fresh, guard, line, one};

pub const PATTERN: Pattern = Pattern {
    slug: "many-to-many",
    title: "Many-to-Many with Association Table",
    section: Section::RelationshipPatterns,
    summary: "A product can belong to many categories and a category holds many products, which neither table can express with a single foreign key. A plain association table holding the two foreign keys as a composite primary key links them, and relationship(secondary=...) lets each side load the other without a model class for the link.",
    reference_code: r#"from sqlalchemy import Column, ForeignKey, Table
from sqlalchemy.orm import Mapped, relationship

from .base import Base, BaseModel  # the Base Model Pattern

# Association table (no model class needed)
product_categories = Table(
    'product_categories',
    Base.metadata,
    Column('product_id', ForeignKey('products.id', ondelete='CASCADE'), primary_key=True),
    Column('category_id', ForeignKey('categories.id', ondelete='CASCADE'), primary_key=True)
)

class Product(BaseModel):
    __tablename__ = 'products'

    categories: Mapped[list['Category']] = relationship(
        secondary=product_categories,
        back_populates='products',
        lazy='selectin'
    )

class Category(BaseModel):
    __tablename__ = 'categories'

    products: Mapped[list['Product']] = relationship(
        secondary=product_categories,
        back_populates='categories',
        lazy='selectin'
    )
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Imported Base and BaseModel from the Base Model Pattern.",
    ],
    starter_sql: r#"-- BaseModel gives products and categories only id and timestamps: readable ids here
-- (the app's are uuid4() strings)
INSERT INTO products (id, created_at, updated_at) VALUES
  ('laptop', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('phone', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('desk', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
INSERT INTO categories (id, created_at, updated_at) VALUES
  ('electronics', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('office', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00'),
  ('mobile', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00');
-- product.categories.append(category) writes one row per (product, category) pair
INSERT INTO product_categories (product_id, category_id) VALUES
  ('laptop', 'electronics'), ('laptop', 'office'),
  ('phone', 'electronics'), ('phone', 'mobile'),
  ('desk', 'office');
-- Product.categories: a join through the association table
SELECT p.id AS product, c.id AS category
FROM products p
JOIN product_categories pc ON pc.product_id = p.id
JOIN categories c ON c.id = pc.category_id
ORDER BY p.id, c.id;
-- Category.products, counted
SELECT c.id AS category, COUNT(pc.product_id) AS products
FROM categories c LEFT JOIN product_categories pc ON pc.category_id = c.id
GROUP BY c.id ORDER BY c.id;
-- ondelete='CASCADE': deleting a product deletes its links, not the categories
DELETE FROM products WHERE id = 'laptop';
SELECT product_id, category_id FROM product_categories ORDER BY product_id, category_id;
-- this one fails: (product_id, category_id) is the primary key, so a pair is linked once
INSERT INTO product_categories (product_id, category_id) VALUES ('phone', 'mobile');
"#,
    live: true,
};

/// The live page: products and categories linked through product_categories, every
/// change made through the ORM emulation's `relationship(secondary=...)` (append, remove,
/// delete), so the statement log shows what SQLAlchemy sends for each.
pub static DEMO: Demo = Demo {
    seed,
    steps: &[
        Step { id: "link", label: "Link the tablet to 'audio'", run: link },
        Step { id: "unlink", label: "Unlink the headphones from 'portable'", run: unlink },
        Step { id: "duplicate-link", label: "Link the speaker to 'audio' twice", run: duplicate_link },
        Step { id: "delete-product", label: "Delete the speaker", run: delete_product },
        Step { id: "delete-category", label: "Delete the 'portable' category", run: delete_category },
    ],
    tables: &["products", "categories", "product_categories"],
    engine_note: Some("The composite primary key and ON DELETE CASCADE on the association table are enforced by our dialect layer, not GlueSQL; the ORM's statements are emulated (checked against SQLAlchemy's)."),
    comparisons: &[Comparison { title: "A duplicate link, with and without the composite primary key", run: compare_duplicate }],
};

const LINKS: [(&str, &str); 4] = [
    ("tablet", "portable"),
    ("headphones", "audio"),
    ("headphones", "portable"),
    ("speaker", "audio"),
];

fn seed(ctx: &mut DemoContext) -> Result<(), String> {
    for id in ["tablet", "headphones", "speaker"] {
        add(ctx, "Product", &[("id", id)])?;
    }
    for id in ["audio", "portable"] {
        add(ctx, "Category", &[("id", id)])?;
    }
    commit(ctx.session, ctx.db)?;
    for (product, category) in LINKS {
        append(ctx, product, category)?;
    }
    commit(ctx.session, ctx.db)
}

/// `product.categories.append(category)` in the page's session.
fn append(ctx: &mut DemoContext, product: &str, category: &str) -> Result<(), String> {
    let product = one(ctx, "Product", "id", product)?;
    let category = one(ctx, "Category", "id", category)?;
    ctx.session
        .append(ctx.db, product, "categories", category)
        .map_err(|e| e.to_string())
}

fn links(ctx: &mut DemoContext) -> Result<i64, String> {
    count(ctx.db, "SELECT COUNT(*) FROM product_categories")
}

fn link(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        append(ctx, "tablet", "audio")?;
        match commit(ctx.session, ctx.db) {
            Ok(()) => Ok(StepOutcome::ok(
                "tablet.categories.append(audio), then commit: one INSERT into the association table; neither products nor categories change.",
            )),
            Err(e) => Ok(StepOutcome::failed(
                "The tablet is already in 'audio': the INSERT of the same pair fails on the association table's primary key.",
                e,
            )),
        }
    })
}

fn unlink(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let headphones = one(ctx, "Product", "id", "headphones")?;
        let portable = one(ctx, "Category", "id", "portable")?;
        ctx.session
            .remove(ctx.db, headphones, "categories", portable)
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        Ok(StepOutcome::ok(
            "headphones.categories.remove(portable): SQLAlchemy deletes the one association row; both the product and the category stay.",
        ))
    })
}

fn duplicate_link(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        // A list collection takes the same category twice; the flush then INSERTs the pair
        // that is already there.
        append(ctx, "speaker", "audio")?;
        match commit(ctx.session, ctx.db) {
            Ok(()) => Ok(StepOutcome::ok(
                "The link was stored (it did not exist yet); run the step again to see the duplicate refused.",
            )),
            Err(e) => Ok(StepOutcome::failed(
                "The composite primary key (product_id, category_id) refuses the same pair twice: a product cannot sit in a category twice.",
                e,
            )),
        }
    })
}

fn delete_product(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let before = links(ctx)?;
        let seq = ctx.db.log().last_seq();
        let speaker = one(ctx, "Product", "id", "speaker")?;
        ctx.session
            .delete(ctx.db, speaker)
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        let after = links(ctx)?;
        Ok(StepOutcome::ok(format!(
            "session.delete(speaker): SQLAlchemy loaded the speaker's categories and deleted its {} association row(s) itself ({} DELETE FROM product_categories), then the product; the categories stay. (ON DELETE CASCADE would remove them too: with passive_deletes=True SQLAlchemy leaves it to the database.)",
            before - after,
            counted(ctx, seq, "DELETE FROM product_categories")
        )))
    })
}

fn delete_category(ctx: &mut DemoContext) -> StepOutcome {
    guard(ctx, |ctx| {
        let before = links(ctx)?;
        let portable = one(ctx, "Category", "id", "portable")?;
        ctx.session
            .delete(ctx.db, portable)
            .map_err(|e| e.to_string())?;
        commit(ctx.session, ctx.db)?;
        let after = links(ctx)?;
        Ok(StepOutcome::ok(format!(
            "Deleting from the other side works the same: 'portable' is gone with its {} association row(s), and its products stay.",
            before - after
        )))
    })
}

fn insert_link(product: &str, category: &str) -> String {
    format!("INSERT INTO product_categories (product_id, category_id) VALUES ('{product}', '{category}')")
}

fn compare_duplicate() -> ComparisonOutcome {
    let mut with = fresh(PATTERN.reference_code);
    let mut without = crate::engine::Database::new();
    let _ = without.execute("CREATE TABLE product_categories (product_id VARCHAR NOT NULL, category_id VARCHAR NOT NULL)");
    for sql in [
        "INSERT INTO products (id, created_at, updated_at) VALUES ('tablet', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00')",
        "INSERT INTO categories (id, created_at, updated_at) VALUES ('audio', '2024-01-15 09:00:00+00', '2024-01-15 09:00:00+00')",
        &insert_link("tablet", "audio"),
    ] {
        let _ = with.execute(sql);
    }
    let _ = without.execute(&insert_link("tablet", "audio"));
    let count = "SELECT COUNT(*) FROM product_categories";
    ComparisonOutcome {
        with_pattern: vec![line(&mut with, &insert_link("tablet", "audio")), line(&mut with, count)],
        without_pattern: vec![line(&mut without, &insert_link("tablet", "audio")), line(&mut without, count)],
        verdict: "With the composite primary key the second link is refused; without it the pair is stored twice and the tablet shows up twice under 'audio'.".into(),
    }
}
