//! The live pages' demos (issue 6): seeds, steps (statements emitted, state left, the
//! failures they demonstrate), determinism of replays, robustness on edited models.

use sqlpatterns_core::catalogue;
use sqlpatterns_core::demo::{self, Demo, DemoContext, StepOutcome};
use sqlpatterns_core::engine::Database;
use sqlpatterns_core::model::ModelIr;
use sqlpatterns_core::orm::Session;
use sqlpatterns_core::patterns::{self, demo_for};

struct Page {
    demo: &'static Demo,
    db: Database,
    ir: ModelIr,
    session: Session,
}

impl Page {
    fn open(slug: &str) -> Page {
        let source = catalogue::by_slug(slug).expect("slug").reference_code;
        Page::open_with(slug, source)
    }

    fn open_with(slug: &str, source: &str) -> Page {
        let demo = demo_for(slug).expect("live page");
        let (db, ir, session) = demo::start(demo, source).expect("seed runs");
        Page {
            demo,
            db,
            ir,
            session,
        }
    }

    /// Runs one step; returns its outcome and the SQL it sent to the engine.
    fn step(&mut self, id: &str) -> (StepOutcome, Vec<String>) {
        let seq = self.db.log().last_seq();
        let outcome = demo::replay(
            self.demo,
            &mut DemoContext {
                db: &mut self.db,
                ir: &self.ir,
                session: &mut self.session,
            },
            &[id],
        );
        assert_eq!(outcome.len(), 1, "unknown step {id}");
        let outcome = outcome.into_iter().next().unwrap();
        assert!(
            !outcome.explanation.trim().is_empty(),
            "{id}: empty explanation"
        );
        let sql = self
            .db
            .log()
            .since(seq)
            .iter()
            .map(|e| e.sql.clone())
            .collect();
        (outcome, sql)
    }

    fn ok(&mut self, id: &str) -> Vec<String> {
        let (outcome, sql) = self.step(id);
        assert_eq!(outcome.error, None, "{id}: {}", outcome.explanation);
        sql
    }

    fn fails(&mut self, id: &str) -> (String, Vec<String>) {
        let (outcome, sql) = self.step(id);
        (
            outcome
                .error
                .unwrap_or_else(|| panic!("{id} should fail: {}", outcome.explanation)),
            sql,
        )
    }

    fn count(&mut self, sql: &str) -> i64 {
        let rows = self.query(sql);
        rows[0][0].parse().expect("a count")
    }

    fn query(&mut self, sql: &str) -> Vec<Vec<String>> {
        let run = sqlpatterns_core::console::run_script(&mut self.db, sql);
        match &run.statements[0].outcome {
            Ok(sqlpatterns_core::console::StatementOutcome::Rows(rs)) => rs
                .rows
                .iter()
                .map(|r| r.iter().map(|c| c.text.clone()).collect())
                .collect(),
            other => panic!("{sql}: {other:?}"),
        }
    }

    /// Every table's rows, as text, for comparing two databases.
    fn dump(&mut self) -> Vec<(String, Vec<Vec<String>>)> {
        let mut out = Vec::new();
        for table in self.db.table_names() {
            let mut rows = self.query(&format!("SELECT * FROM {table}"));
            rows.sort();
            out.push((table, rows));
        }
        out
    }
}

fn has(sql: &[String], needle: &str) -> usize {
    sql.iter().filter(|s| s.contains(needle)).count()
}

// --- every live page -----------------------------------------------------------

#[test]
fn live_flag_matches_demo_for() {
    for p in patterns::REGISTRY {
        let live = demo_for(p.slug).is_some() || patterns::lab_for(p.slug).is_some();
        assert_eq!(p.live, live, "{}", p.slug);
    }
    assert!(demo_for("no-such-page").is_none());
}

/// The live pages that are model demos (the others are labs, tested on their own).
fn live_slugs() -> Vec<&'static str> {
    patterns::REGISTRY
        .iter()
        .filter(|p| demo_for(p.slug).is_some())
        .map(|p| p.slug)
        .collect()
}

#[test]
fn every_step_explains_itself_and_replays_deterministically() {
    for slug in live_slugs() {
        let demo = demo_for(slug).unwrap();
        assert!((3..=6).contains(&demo.steps.len()), "{slug}");
        let ids: Vec<&str> = demo.steps.iter().map(|s| s.id).collect();
        let mut dumps = Vec::new();
        for _ in 0..2 {
            let mut page = Page::open(slug);
            for id in &ids {
                page.step(id);
            }
            dumps.push(page.dump());
        }
        assert_eq!(dumps[0], dumps[1], "{slug}");
        // Unknown ids are skipped.
        let mut page = Page::open(slug);
        let outcomes = demo::replay(
            demo,
            &mut DemoContext {
                db: &mut page.db,
                ir: &page.ir,
                session: &mut page.session,
            },
            &["nope"],
        );
        assert!(outcomes.is_empty());
        for table in demo.tables {
            assert!(
                page.db.table_names().iter().any(|t| t == table),
                "{slug}: {table}"
            );
        }
    }
}

#[test]
fn steps_run_twice_and_in_reverse_without_panicking() {
    for slug in live_slugs() {
        let demo = demo_for(slug).unwrap();
        let mut page = Page::open(slug);
        for step in demo
            .steps
            .iter()
            .rev()
            .chain(demo.steps.iter())
            .chain(demo.steps.iter())
        {
            page.step(step.id);
        }
    }
}

/// The reference code without its `n`-th single-line column declaration.
fn drop_column(source: &str, n: usize) -> Option<String> {
    let lines: Vec<&str> = source.lines().collect();
    let candidates: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].contains("Mapped[") && !lines[i].contains("relationship"))
        .collect();
    let i = *candidates.get(n)?;
    let mut kept = lines.clone();
    kept.remove(i);
    Some(kept.join("\n"))
}

#[test]
fn steps_never_panic_on_models_with_a_dropped_or_renamed_column() {
    for slug in live_slugs() {
        let demo = demo_for(slug).unwrap();
        let source = catalogue::by_slug(slug).unwrap().reference_code;
        let mut variants: Vec<String> = (0..4).filter_map(|n| drop_column(source, n)).collect();
        variants.push(source.replace("email", "mail").replace("name", "title"));
        variants.push(String::new());
        for variant in variants {
            let build = sqlpatterns_core::model_editor::build(&variant);
            let mut db = build.database;
            let Ok(mut session) = Session::new(&build.ir) else {
                continue;
            };
            let mut ctx = DemoContext {
                db: &mut db,
                ir: &build.ir,
                session: &mut session,
            };
            let _ = (demo.seed)(&mut ctx);
            for step in demo.steps {
                let outcome = (step.run)(&mut ctx);
                assert!(!outcome.explanation.is_empty(), "{slug}/{}", step.id);
            }
        }
    }
}

#[test]
fn comparisons_show_both_sides() {
    for slug in live_slugs() {
        for c in demo_for(slug).unwrap().comparisons {
            let out = (c.run)();
            assert!(
                !out.with_pattern.is_empty() && !out.without_pattern.is_empty(),
                "{slug}: {}",
                c.title
            );
            assert!(!out.verdict.is_empty());
            assert_ne!(out.with_pattern, out.without_pattern);
        }
    }
}

// --- soft-delete ---------------------------------------------------------------

#[test]
fn soft_delete_page() {
    let mut p = Page::open("soft-delete");
    assert_eq!(p.count("SELECT COUNT(*) FROM users"), 3);
    let sql = p.ok("soft-delete-ben");
    assert_eq!(has(&sql, "UPDATE users SET"), 1, "{sql:?}");
    assert_eq!(has(&sql, "DELETE"), 0);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE deleted_at IS NOT NULL"),
        1
    );
    let (outcome, sql) = p.step("active-vs-raw");
    assert!(
        outcome.explanation.contains("returns 2 user(s)")
            && outcome.explanation.contains("3 row(s)"),
        "{}",
        outcome.explanation
    );
    assert!(has(&sql, "deleted_at IS NULL") >= 1, "{sql:?}");
    let (err, _) = p.fails("re-register");
    assert!(
        err.contains("duplicate key value violates unique constraint \"users_email_key\""),
        "{err}"
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM users"), 3);
    let sql = p.ok("partial-unique");
    assert_eq!(has(&sql, "WHERE deleted_at IS NULL"), 1);
    p.ok("re-register");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM users WHERE email = 'ben@example.com'"),
        2
    );
    let (err, _) = p.fails("restore-ben");
    assert!(
        err.contains("duplicate key value violates unique constraint \"uq_users_email_active\""),
        "{err}"
    );
    // Without a new account, restore works.
    let mut q = Page::open("soft-delete");
    q.ok("soft-delete-ben");
    let sql = q.ok("restore-ben");
    assert_eq!(has(&sql, "UPDATE users SET"), 1);
    assert_eq!(
        q.count("SELECT COUNT(*) FROM users WHERE deleted_at IS NULL"),
        3
    );
}

// --- enum-field ----------------------------------------------------------------

#[test]
fn enum_field_page() {
    let mut p = Page::open("enum-field");
    assert_eq!(p.count("SELECT COUNT(*) FROM orders"), 3);
    let sql = p.ok("insert-default");
    assert!(
        has(&sql, "INSERT INTO orders (") == 1 && has(&sql, "'pending'") == 1,
        "{sql:?}"
    );
    let sql = p.ok("deliver");
    assert_eq!(has(&sql, "UPDATE orders SET"), 1, "{sql:?}");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM orders WHERE status = 'delivered'"),
        1
    );
    let (err, _) = p.fails("invalid-status");
    assert!(
        err.contains(
            "new row for relation \"orders\" violates check constraint \"valid_order_status\""
        ),
        "{err}"
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM orders"), 4);
    // 'refunded' before the CHECK is widened: refused.
    let (err, _) = p.fails("use-refunded");
    assert!(err.contains("valid_order_status"), "{err}");
    let sql = p.ok("widen-check");
    assert_eq!(has(&sql, "DROP CONSTRAINT valid_order_status"), 1);
    assert_eq!(has(&sql, "NOT VALID"), 1);
    assert_eq!(has(&sql, "VALIDATE CONSTRAINT valid_order_status"), 1);
    p.ok("use-refunded");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM orders WHERE status = 'refunded'"),
        1
    );
    // Widened or not, a typo is still refused.
    let (err, _) = p.fails("invalid-status");
    assert!(err.contains("valid_order_status"), "{err}");
}

// --- one-to-many-cascade -------------------------------------------------------

#[test]
fn one_to_many_cascade_page() {
    let mut p = Page::open("one-to-many-cascade");
    assert_eq!(p.count("SELECT COUNT(*) FROM users"), 4);
    assert_eq!(p.count("SELECT COUNT(*) FROM orders"), 19);
    let (outcome, orm) = p.step("orm-cascade");
    assert_eq!(outcome.error, None, "{}", outcome.explanation);
    assert_eq!(has(&orm, "DELETE FROM orders"), 2, "{orm:?}");
    assert_eq!(has(&orm, "DELETE FROM users"), 1);
    assert_eq!(p.count("SELECT COUNT(*) FROM orders"), 17);
    let passive = p.ok("passive-deletes");
    assert_eq!(has(&passive, "DELETE FROM orders"), 0, "{passive:?}");
    assert_eq!(has(&passive, "DELETE FROM users"), 1);
    assert_eq!(
        has(&passive, "FROM orders WHERE"),
        0,
        "no load of the orders: {passive:?}"
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM orders"), 15);
    assert_eq!(p.count("SELECT COUNT(*) FROM users"), 2);
    let sql = p.ok("delete-orphan");
    assert_eq!(has(&sql, "DELETE FROM orders"), 1, "{sql:?}");
    assert_eq!(p.count("SELECT COUNT(*) FROM orders"), 14);
    let (outcome, sql) = p.step("fk-index");
    assert_eq!(outcome.error, None);
    assert!(
        outcome.explanation.contains("examined 12 row(s) with"),
        "{}",
        outcome.explanation
    );
    assert!(
        outcome.explanation.contains("14 without"),
        "{}",
        outcome.explanation
    );
    assert_eq!(has(&sql, "DROP INDEX"), 1);
    assert_eq!(has(&sql, "CREATE INDEX"), 1);
    assert!(p
        .db
        .index_names("orders")
        .iter()
        .any(|n| n.contains("user_id")));
}

// --- base-model ----------------------------------------------------------------

#[test]
fn base_model_page() {
    let mut p = Page::open("base-model");
    assert_eq!(p.count("SELECT COUNT(*) FROM notes"), 1);
    let sql = p.ok("insert-note");
    let insert: Vec<&String> = sql
        .iter()
        .filter(|s| s.starts_with("INSERT INTO notes"))
        .collect();
    assert_eq!(insert.len(), 1, "{sql:?}");
    for column in ["id", "created_at", "updated_at", "text"] {
        assert!(insert[0].contains(column), "{}", insert[0]);
    }
    let rows = p.query("SELECT id, created_at, updated_at FROM notes WHERE text = 'Call Bob'");
    assert_eq!(rows[0][0].len(), 36, "a uuid4: {:?}", rows[0]);
    assert_eq!(rows[0][1], rows[0][2]);
    let created = p.query("SELECT created_at, updated_at FROM notes WHERE text = 'Buy milk'");
    let sql = p.ok("edit-note");
    let update: Vec<&String> = sql
        .iter()
        .filter(|s| s.starts_with("UPDATE notes"))
        .collect();
    assert_eq!(update.len(), 1, "{sql:?}");
    assert!(
        update[0].contains("updated_at") && !update[0].contains("created_at"),
        "{}",
        update[0]
    );
    let after = p.query("SELECT created_at, updated_at FROM notes WHERE text = 'Buy oat milk'");
    assert_eq!(after[0][0], created[0][0], "created_at stays");
    assert!(
        after[0][1] > created[0][1],
        "updated_at moves: {after:?} {created:?}"
    );
    let (err, _) = p.fails("sql-insert");
    assert!(err.contains("null value in column \"id\""), "{err}");
    let sql = p.ok("sql-update");
    assert!(sql[0].starts_with("UPDATE notes SET text") && !sql[0].contains("updated_at"));
    let last = p.query("SELECT updated_at FROM notes WHERE text = 'Buy milk and bread'");
    assert_eq!(
        last[0][0], after[0][1],
        "plain SQL does not move updated_at"
    );
}

#[test]
fn base_model_seed_works_without_start_too() {
    let demo = demo_for("base-model").unwrap();
    let build = sqlpatterns_core::model_editor::build(
        catalogue::by_slug("base-model").unwrap().reference_code,
    );
    let mut db = build.database;
    let mut session = Session::new(&build.ir).unwrap();
    let mut ctx = DemoContext {
        db: &mut db,
        ir: &build.ir,
        session: &mut session,
    };
    (demo.seed)(&mut ctx).expect("seed");
    assert_eq!((demo.steps[0].run)(&mut ctx).error, None);
    assert_eq!(db.row_count("notes"), Some(2));
}

// --- many-to-many --------------------------------------------------------------

#[test]
fn many_to_many_page() {
    let mut p = Page::open("many-to-many");
    assert_eq!(p.count("SELECT COUNT(*) FROM product_categories"), 4);
    // Through the ORM, as SQLAlchemy: the two objects are found (their lazy='selectin'
    // collections are loaded already, in the page's session), then one INSERT of the pair.
    let sql = p.ok("link");
    assert_eq!(has(&sql, "INSERT INTO product_categories"), 1, "{sql:?}");
    assert_eq!(has(&sql, "SELECT products.id"), 1, "{sql:?}");
    assert_eq!(has(&sql, "SELECT categories.id"), 1, "{sql:?}");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM product_categories WHERE product_id = 'tablet'"),
        2
    );
    let (err, _) = p.fails("link");
    assert!(err.contains("product_categories_pkey"), "{err}");
    let sql = p.ok("unlink");
    assert_eq!(has(&sql, "DELETE FROM product_categories"), 1, "{sql:?}");
    assert_eq!(p.count("SELECT COUNT(*) FROM product_categories"), 4);
    assert_eq!(p.count("SELECT COUNT(*) FROM products"), 3);
    let (err, _) = p.fails("duplicate-link");
    assert!(
        err.contains("duplicate key value violates unique constraint \"product_categories_pkey\""),
        "{err}"
    );
    // SQLAlchemy deletes the association rows itself before the product.
    let sql = p.ok("delete-product");
    assert_eq!(has(&sql, "DELETE FROM products"), 1, "{sql:?}");
    let links = sql
        .iter()
        .position(|s| s.starts_with("DELETE FROM product_categories"));
    let product = sql
        .iter()
        .position(|s| s.starts_with("DELETE FROM products"));
    assert!(links.is_some() && links < product, "{sql:?}");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM product_categories WHERE product_id = 'speaker'"),
        0
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM categories"), 2);
    let sql = p.ok("delete-category");
    assert_eq!(has(&sql, "DELETE FROM categories"), 1, "{sql:?}");
    assert!(has(&sql, "DELETE FROM product_categories") >= 1, "{sql:?}");
    assert_eq!(p.count("SELECT COUNT(*) FROM product_categories"), 2);
    assert_eq!(p.count("SELECT COUNT(*) FROM products"), 2);
}

// --- association-object --------------------------------------------------------

#[test]
fn association_object_page() {
    let mut p = Page::open("association-object");
    assert_eq!(p.count("SELECT COUNT(*) FROM order_items"), 4);
    let (outcome, _) = p.step("totals");
    // A: 25 + 120 * 0.9 = 133; B: 72 + 220 * 0.75 = 237.
    assert!(
        outcome.explanation.contains("order-a = 133.00 (2 units)"),
        "{}",
        outcome.explanation
    );
    assert!(
        outcome.explanation.contains("order-b = 237.00 (5 units)"),
        "{}",
        outcome.explanation
    );
    let sql = p.ok("add-item");
    assert_eq!(has(&sql, "INSERT INTO order_items"), 1, "{sql:?}");
    let (outcome, _) = p.step("totals");
    assert!(
        outcome.explanation.contains("order-a = 247.00 (4 units)"),
        "{}",
        outcome.explanation
    );
    let (err, _) = p.fails("duplicate-item");
    assert!(err.contains("order_items_pkey"), "{err}");
    let (err, sql) = p.fails("delete-ordered-product");
    assert!(
        err.contains("violates foreign key constraint") && err.contains("order_items"),
        "{err}"
    );
    assert_eq!(
        sql,
        vec!["DELETE FROM products WHERE id = 'mouse'".to_string()]
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM products"), 3);
    let sql = p.ok("delete-order");
    assert!(
        has(&sql, "DELETE FROM order_items") >= 1 && has(&sql, "DELETE FROM orders") == 1,
        "{sql:?}"
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM order_items"), 3);
    assert_eq!(p.count("SELECT COUNT(*) FROM products"), 3);
}

// --- self-referential ----------------------------------------------------------

#[test]
fn self_referential_walks_the_tree_in_one_recursive_query_and_a_cycle_stops_at_its_budget() {
    let mut p = Page::open("self-referential");
    let (outcome, sql) = p.step("walk-recursive");
    assert_eq!(outcome.error, None, "{}", outcome.explanation);
    assert_eq!(sql.len(), 1, "{sql:?}");
    assert!(sql[0].starts_with("WITH RECURSIVE tree"), "{sql:?}");
    assert!(
        outcome.explanation.contains(
            "1 statement walked all 7 categories, 3 levels deep: Devices; Devices > Audio; Devices > Audio > Headphones"
        ),
        "{}",
        outcome.explanation
    );
    let (outcome, sql) = p.step("cycle");
    assert_eq!(outcome.error, None, "{}", outcome.explanation);
    assert!(
        outcome
            .explanation
            .contains("devices now hangs under headphones, one of its own descendants"),
        "{}",
        outcome.explanation
    );
    assert!(
        outcome.explanation.contains("the walk stops after 19 rows"),
        "{}",
        outcome.explanation
    );
    assert!(
        outcome
            .explanation
            .contains("WITH RECURSIVE walk ran past the playground's budget of 100 rounds"),
        "{}",
        outcome.explanation
    );
    // The failed walk is in the log, with its error; the budget is back to the console's.
    assert!(
        sql.iter().any(|s| s.starts_with("WITH RECURSIVE walk")),
        "{sql:?}"
    );
    assert_eq!(p.db.budget().max_recursion_rounds, 10_000);
    // The later steps still run on the tree with its cycle.
    p.ok("move-subtree");
    p.ok("delete-parent");
}

#[test]
fn self_referential_page() {
    let mut p = Page::open("self-referential");
    assert_eq!(p.count("SELECT COUNT(*) FROM categories"), 7);
    let (outcome, sql) = p.step("load-tree");
    assert_eq!(outcome.error, None);
    assert!(
        outcome
            .explanation
            .contains("Devices (Audio (Headphones, Speakers), Computing (Notebooks)), Gifts"),
        "{}",
        outcome.explanation
    );
    // Three levels, then the empty fourth.
    assert_eq!(sql.len(), 4, "{sql:?}");
    assert!(outcome.explanation.contains("4 SELECTs"));
    let sql = p.ok("move-subtree");
    assert_eq!(has(&sql, "UPDATE categories"), 1, "{sql:?}");
    let (outcome, _) = p.step("load-tree");
    assert!(
        outcome
            .explanation
            .contains("Devices (Computing (Notebooks)), Gifts (Audio (Headphones, Speakers))"),
        "{}",
        outcome.explanation
    );
    let sql = p.ok("delete-parent");
    assert_eq!(has(&sql, "DELETE FROM categories"), 1, "{sql:?}");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM categories WHERE parent_id IS NULL"),
        2
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM categories"), 6);
    let sql = p.ok("delete-parent-sql");
    assert_eq!(sql[0], "DELETE FROM categories WHERE id = 'gifts'");
    assert_eq!(
        p.count("SELECT COUNT(*) FROM categories WHERE parent_id IS NULL AND id = 'audio'"),
        1
    );
    assert_eq!(p.count("SELECT COUNT(*) FROM categories"), 5);
}

// --- audit-trail ---------------------------------------------------------------

#[test]
fn audit_trail_page() {
    let mut p = Page::open("audit-trail");
    assert_eq!(p.count("SELECT COUNT(*) FROM users"), 2);
    assert_eq!(
        p.count("SELECT COUNT(*) FROM audit_logs WHERE action = 'INSERT'"),
        2
    );
    let sql = p.ok("register");
    assert_eq!(has(&sql, "INSERT INTO users"), 1, "{sql:?}");
    assert_eq!(has(&sql, "INSERT INTO audit_logs"), 1, "{sql:?}");
    let rows = p.query("SELECT new_values FROM audit_logs WHERE action = 'INSERT' AND COALESCE(new_values, '') LIKE '%eve@example.com%'");
    assert_eq!(rows.len(), 1);
    let sql = p.ok("change-email");
    assert_eq!(has(&sql, "UPDATE users"), 1, "{sql:?}");
    assert_eq!(has(&sql, "INSERT INTO audit_logs"), 1, "{sql:?}");
    let update = p.query("SELECT old_values, new_values FROM audit_logs WHERE action = 'UPDATE'");
    assert_eq!(update.len(), 1);
    assert!(
        update[0][0].contains("eve@example.com") && update[0][1].contains("eve.adams@example.com"),
        "{update:?}"
    );
    let (outcome, _) = p.step("history");
    assert!(
        outcome.explanation.contains("2 audit row(s)"),
        "{}",
        outcome.explanation
    );
    assert!(
        outcome
            .explanation
            .contains("email: \"eve@example.com\" -> \"eve.adams@example.com\""),
        "{}",
        outcome.explanation
    );
    let before = p.count("SELECT COUNT(*) FROM audit_logs");
    let (outcome, sql) = p.step("bulk-update");
    assert_eq!(outcome.error, None);
    assert!(
        outcome
            .explanation
            .contains("3 user(s) changed, 0 audit row(s)"),
        "{}",
        outcome.explanation
    );
    assert_eq!(has(&sql, "UPDATE users"), 1);
    assert_eq!(p.count("SELECT COUNT(*) FROM audit_logs"), before);
    let sql = p.ok("delete-user");
    assert_eq!(has(&sql, "DELETE FROM users"), 1, "{sql:?}");
    assert_eq!(p.count("SELECT COUNT(*) FROM audit_logs WHERE action = 'DELETE' AND COALESCE(old_values, '') LIKE '%eve.adams%'"), 1);
    let (outcome, _) = p.step("history");
    assert!(
        outcome.explanation.contains("3 audit row(s)"),
        "{}",
        outcome.explanation
    );
}

#[test]
fn audit_trail_steps_survive_console_inserts_into_audit_logs() {
    let mut p = Page::open("audit-trail");
    let source = catalogue::by_slug("audit-trail").unwrap().starter_sql;
    let run = sqlpatterns_core::console::run_script(&mut p.db, source);
    assert!(run.statements.iter().all(|s| s.outcome.is_ok()));
    p.ok("register");
    p.ok("change-email");
}
