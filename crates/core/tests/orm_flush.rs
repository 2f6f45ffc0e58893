//! Flushes against real SQLAlchemy 2.0 (fixtures from tools/sqlalchemy_statements.py):
//! unit-of-work order, Python-side defaults and onupdate, cascades, the before_flush
//! hook of the audit pattern. Equal up to parameter values, except where a test says why.

#[path = "orm_support.rs"]
mod support;

use sqlpatterns_core::engine::Database;
use sqlpatterns_core::orm::{lazyload, ObjId, ObjectState, Params, Select, Session, Value};
use support::*;

fn user_by_email(session: &mut Session, db: &mut Database, email: &str) -> ObjId {
    session
        .execute(
            db,
            &Select::new("User")
                .options(lazyload("User.orders"))
                .where_eq("email", email),
        )
        .unwrap()[0]
}

fn count(db: &mut Database, table: &str) -> usize {
    db.row_count(table).unwrap()
}

#[test]
fn insert_parents_first_with_python_defaults_and_one_multi_row_insert() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let user = session
        .add_new("User", &[("email", "new@example.com".into())])
        .unwrap();
    for _ in 0..2 {
        let order = session.new_object("Order", &[]).unwrap();
        session.append(&mut db, user, "orders", order).unwrap();
    }
    session.commit(&mut db).unwrap();
    let ours = emitted(&session, 0);
    assert_matches_fixture("flush_insert", &ours);
    let theirs = fixture("flush_insert");
    // The orders' insert is one multi-row VALUES (insertmanyvalues) with 2 x 4 values.
    assert_eq!(theirs.statements[1].values, 8);
    let Params::One(params) = &ours[1].params else {
        panic!("{:?}", ours[1].params)
    };
    assert_eq!(params.len(), 8);
    // Python-side defaults: a uuid4 key and the virtual clock's now(UTC); FK synced.
    let id = session.value(user, "id").unwrap().clone();
    assert_eq!(id.as_str().map(str::len), Some(36));
    assert_eq!(
        session.value(user, "created_at"),
        Some(&Value::Timestamp("2025-01-01 00:00:00+00:00".into()))
    );
    assert!(params
        .iter()
        .filter(|(k, _)| k.starts_with("user_id"))
        .all(|(_, v)| *v == id));
    assert_eq!(session.echo().last().unwrap().sql, "COMMIT");
    assert_eq!(count(&mut db, "orders"), USERS * ORDERS_PER_USER + 2);
    assert_eq!(session.state(user), ObjectState::Persistent);
}

#[test]
fn seeded_uuids_reproduce() {
    let ir = models();
    let keys = || {
        let mut db = Database::new();
        let mut session = Session::new(&ir).unwrap();
        session.create_all(&mut db, &ir).unwrap();
        let user = session
            .add_new("User", &[("email", "a@example.com".into())])
            .unwrap();
        session.commit(&mut db).unwrap();
        session.value(user, "id").unwrap().clone()
    };
    assert_eq!(keys(), keys());
}

#[test]
fn update_sets_onupdate_from_the_advanced_clock() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let user = user_by_email(&mut session, &mut db, "user1@example.com");
    session.clock.advance_seconds(3600.0);
    session
        .set(user, "email", "renamed@example.com".into())
        .unwrap();
    assert_eq!(session.dirty_objects(), vec![user]);
    session.commit(&mut db).unwrap();
    let ours = emitted(&session, 0);
    assert_matches_fixture("flush_update", &ours);
    let Params::One(params) = &ours[1].params else {
        panic!()
    };
    assert_eq!(
        params[1],
        (
            "updated_at".into(),
            Value::Timestamp("2025-01-01 01:00:00+00:00".into())
        )
    );
    assert!(session.dirty_objects().is_empty());
}

#[test]
fn soft_delete_is_an_update_of_deleted_at() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let product = session
        .execute(
            &mut db,
            &Select::new("Product").where_eq("name", "product 1"),
        )
        .unwrap()[0];
    let now = Value::Timestamp(session.clock.now_utc());
    session.set(product, "deleted_at", now).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_soft_delete", &emitted(&session, 0));
    let mut reader = Session::new(&ir).unwrap();
    let active = reader
        .execute(&mut db, &Select::new("Product").not_deleted())
        .unwrap();
    assert_eq!(active.len(), PRODUCTS - 1);
}

#[test]
fn delete_cascades_children_first_loading_each_collection() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let user = user_by_email(&mut session, &mut db, "user2@example.com");
    session.delete(&mut db, user).unwrap();
    session.commit(&mut db).unwrap();
    let ours = emitted(&session, 0);
    assert_matches_fixture("flush_delete_cascade", &ours);
    // Executemany deletes: 6 items, 3 orders, as in SQLAlchemy (after the loads of the
    // orders, their items, and the user's one-to-one profile, whose key goes NULL).
    let theirs = fixture("flush_delete_cascade");
    assert!(theirs.statements[6].executemany && theirs.statements[7].executemany);
    assert!(
        matches!(&ours[6].params, Params::Many(sets) if sets.len() == ORDERS_PER_USER * ITEMS_PER_ORDER)
    );
    assert!(matches!(&ours[7].params, Params::Many(sets) if sets.len() == ORDERS_PER_USER));
    assert_eq!(count(&mut db, "users"), USERS - 1);
    assert_eq!(count(&mut db, "orders"), (USERS - 1) * ORDERS_PER_USER);
    assert_eq!(
        count(&mut db, "order_items"),
        (USERS - 1) * ORDERS_PER_USER * ITEMS_PER_ORDER
    );
    assert_eq!(session.state(user), ObjectState::Detached);
}

#[test]
fn removing_from_a_delete_orphan_collection_deletes_the_child() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let user = user_by_email(&mut session, &mut db, "user4@example.com");
    let order = session.related(&mut db, user, "orders").unwrap()[0];
    session.remove(&mut db, user, "orders", order).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_delete_orphan", &emitted(&session, 0));
    assert_eq!(count(&mut db, "orders"), USERS * ORDERS_PER_USER - 1);
}

#[test]
fn before_flush_hook_adds_an_audit_row_with_returning() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    session.on_before_flush(|session, sets| {
        for &obj in &sets.new {
            if session.instance(obj).class == "User" {
                let record_id = session.value(obj, "id").cloned().unwrap_or(Value::Null);
                let email = session
                    .value(obj, "email")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string();
                session
                    .add_new(
                        "AuditLog",
                        &[
                            ("table_name", "users".into()),
                            ("record_id", record_id),
                            ("action", "INSERT".into()),
                            (
                                "new_values",
                                Value::Json(format!("{{\"email\": \"{email}\"}}")),
                            ),
                        ],
                    )
                    .unwrap();
            }
        }
    });
    session
        .add_new(
            "User",
            &[
                ("id", "00000000-0000-4000-8000-000000000001".into()),
                ("email", "audited@example.com".into()),
            ],
        )
        .unwrap();
    session.commit(&mut db).unwrap();
    let ours: Vec<_> = emitted(&session, 0)
        .into_iter()
        .filter(|e| !e.sql.starts_with("SELECT max("))
        .collect();
    // The SERIAL key comes back by RETURNING on PostgreSQL. Our session takes it from
    // its own sequence (started by one `SELECT max(...)`, filtered out above) and says so
    // in the echo's note.
    assert!(ours[0].note.is_some());
    assert_matches_fixture("flush_audit", &ours);
    assert_eq!(count(&mut db, "audit_logs"), 1);
    let mut reader = Session::new(&ir).unwrap();
    let log = reader.execute(&mut db, &Select::new("AuditLog")).unwrap()[0];
    assert_eq!(reader.value(log, "id"), Some(&Value::Int(1)));
    assert_eq!(
        reader.value(log, "record_id"),
        Some(&"00000000-0000-4000-8000-000000000001".into())
    );
}

#[test]
fn rollback_discards_pending_and_restores_values() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let user = user_by_email(&mut session, &mut db, "user5@example.com");
    session
        .set(user, "email", "changed@example.com".into())
        .unwrap();
    let pending = session
        .add_new("User", &[("email", "pending@example.com".into())])
        .unwrap();
    session.flush(&mut db).unwrap();
    assert_eq!(count(&mut db, "users"), USERS + 1);
    session.rollback(&mut db).unwrap();
    assert_eq!(session.echo().last().unwrap().sql, "ROLLBACK");
    assert_eq!(count(&mut db, "users"), USERS);
    assert_eq!(session.state(pending), ObjectState::Transient);
    assert_eq!(
        session.value(user, "email"),
        Some(&"user5@example.com".into())
    );
}

#[test]
fn passive_deletes_leaves_children_to_on_delete_cascade() {
    // Invoice.lines: cascade='all, delete-orphan', passive_deletes=True, and the key
    // ON DELETE CASCADE: SQLAlchemy does not load the lines, sends the invoice's DELETE
    // only, and the database removes the lines inside it.
    let (mut db, ir) = seeded();
    let mut setup = Session::new(&ir).unwrap();
    let invoice = setup
        .add_new("Invoice", &[("number", "INV-1".into())])
        .unwrap();
    for amount in [10, 20, 30] {
        let line = setup
            .new_object("InvoiceLine", &[("amount", Value::Int(amount))])
            .unwrap();
        setup.append(&mut db, invoice, "lines", line).unwrap();
    }
    setup.commit(&mut db).unwrap();
    assert_eq!(count(&mut db, "invoice_lines"), 3);

    let mut session = Session::new(&ir).unwrap();
    let invoice = session.execute(&mut db, &Select::new("Invoice")).unwrap()[0];
    let from = session.echo().len();
    session.delete(&mut db, invoice).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_passive_deletes", &emitted(&session, from));
    assert_eq!(count(&mut db, "invoices"), 0);
    assert_eq!(count(&mut db, "invoice_lines"), 0);
}

#[test]
fn assigning_a_many_to_one_updates_the_foreign_key() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let first = user_by_email(&mut session, &mut db, "user0@example.com");
    let other = user_by_email(&mut session, &mut db, "user1@example.com");
    let first_id = session.value(first, "id").cloned().unwrap();
    let order = session
        .execute(
            &mut db,
            &Select::new("Order")
                .options(lazyload("Order.items"))
                .where_eq("user_id", first_id)
                .limit(1),
        )
        .unwrap()[0];
    let from = session.echo().len();
    session.set_related(order, "user", Some(other)).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_many_to_one_assign", &emitted(&session, from));
    let other_id = session.value(other, "id").cloned().unwrap();
    assert_eq!(session.value(order, "user_id"), Some(&other_id));
}

#[test]
fn deleting_a_child_object_cascades_to_its_items() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let order = session
        .execute(
            &mut db,
            &Select::new("Order")
                .options(lazyload("Order.items"))
                .limit(1),
        )
        .unwrap()[0];
    let from = session.echo().len();
    session.delete(&mut db, order).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_delete_child", &emitted(&session, from));
    assert_eq!(count(&mut db, "orders"), USERS * ORDERS_PER_USER - 1);
    assert_eq!(
        count(&mut db, "order_items"),
        (USERS * ORDERS_PER_USER - 1) * ITEMS_PER_ORDER
    );
}

#[test]
fn a_self_referential_parent_is_inserted_first_and_its_key_flows_to_the_child() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let root = session
        .add_new("Category", &[("name", "root".into())])
        .unwrap();
    let child = session
        .add_new("Category", &[("name", "child".into())])
        .unwrap();
    session.set_related(child, "parent", Some(root)).unwrap();
    session.commit(&mut db).unwrap();
    let ours: Vec<_> = emitted(&session, 0)
        .into_iter()
        .filter(|e| !e.sql.starts_with("SELECT max("))
        .collect();
    assert_matches_fixture("flush_self_referential", &ours);
    let root_id = session.value(root, "id").cloned().unwrap();
    assert_ne!(root_id, Value::Null);
    assert_eq!(session.value(child, "parent_id"), Some(&root_id));
    let stored = db
        .execute("SELECT parent_id FROM categories WHERE name = 'child'")
        .unwrap();
    assert!(format!("{stored:?}").contains("I64(1)"), "{stored:?}");
}

#[test]
fn self_referential_rows_insert_in_levels_with_the_sentinel_form() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let root = session
        .new_object("Category", &[("name", "root".into())])
        .unwrap();
    let first = session
        .new_object("Category", &[("name", "first child".into())])
        .unwrap();
    session.set_related(first, "parent", Some(root)).unwrap();
    let other = session
        .new_object("Category", &[("name", "other root".into())])
        .unwrap();
    let second = session
        .new_object("Category", &[("name", "second child".into())])
        .unwrap();
    session.set_related(second, "parent", Some(root)).unwrap();
    for id in [first, other, root, second] {
        session.add(id);
    }
    session.commit(&mut db).unwrap();
    let ours: Vec<_> = emitted(&session, 0)
        .into_iter()
        .filter(|e| !e.sql.starts_with("SELECT max("))
        .collect();
    assert_matches_fixture("flush_self_referential_levels", &ours);
    let rows = db
        .execute("SELECT name, parent_id FROM categories ORDER BY id")
        .unwrap();
    let text = format!("{rows:?}");
    // As SQLAlchemy sends them: root first (adding its child cascaded it into the
    // session before "other root"), then the children with root's key.
    assert!(
        text.contains(r#"[Str("root"), Null], [Str("other root"), Null], [Str("first child"), I64(1)], [Str("second child"), I64(1)]"#),
        "{text}"
    );
}

#[test]
fn two_rows_with_the_same_changes_are_one_executemany_update() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let users: Vec<ObjId> = ["user5@example.com", "user6@example.com"]
        .iter()
        .map(|email| user_by_email(&mut session, &mut db, email))
        .collect();
    let from = session.echo().len();
    for user in &users {
        let email = session
            .value(*user, "email")
            .unwrap()
            .as_str()
            .unwrap()
            .to_string();
        session
            .set(*user, "email", email.replace('@', "+renamed@").into())
            .unwrap();
    }
    session.commit(&mut db).unwrap();
    let ours = emitted(&session, from);
    assert_matches_fixture("flush_update_two", &ours);
    assert!(
        matches!(&ours[0].params, Params::Many(sets) if sets.len() == 2),
        "{:?}",
        ours[0].params
    );
    assert!(fixture("flush_update_two").statements[0].executemany);
}

#[test]
fn every_recorded_orm_scenario_is_checked_by_a_test() {
    let tests = [include_str!("orm_flush.rs"), include_str!("orm_loaders.rs")].concat();
    let mut names: Vec<String> = std::fs::read_dir(fixture_path(""))
        .unwrap()
        .filter_map(|e| {
            let name = e.ok()?.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect();
    names.sort();
    assert!(names.len() >= 25, "{names:?}");
    let unchecked: Vec<&String> = names
        .iter()
        .filter(|n| !tests.contains(&format!("\"{n}\"")))
        .collect();
    assert!(
        unchecked.is_empty(),
        "recorded but never compared: {unchecked:?}"
    );
}

fn by_name(
    session: &mut Session,
    db: &mut Database,
    class: &str,
    column: &str,
    value: &str,
) -> ObjId {
    session
        .execute(db, &Select::new(class).where_eq(column, value))
        .unwrap()[0]
}

fn links(db: &mut Database) -> usize {
    count(db, "product_tags")
}

#[test]
fn appending_to_a_many_to_many_inserts_one_association_row() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let product = by_name(&mut session, &mut db, "Product", "name", "product 0");
    let tag = by_name(&mut session, &mut db, "Tag", "label", "tag 2");
    session.related(&mut db, product, "tags").unwrap();
    let from = session.echo().len();
    session.append(&mut db, product, "tags", tag).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_many_to_many_append", &emitted(&session, from));
    assert_eq!(links(&mut db), 2 * PRODUCTS + 1);
    // The other side, loaded fresh, sees it.
    let mut reader = Session::new(&ir).unwrap();
    let tag = by_name(&mut reader, &mut db, "Tag", "label", "tag 2");
    assert_eq!(reader.related(&mut db, tag, "products").unwrap().len(), 3);
}

#[test]
fn removing_from_a_many_to_many_deletes_the_association_row_only() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let product = by_name(&mut session, &mut db, "Product", "name", "product 1");
    let tag = by_name(&mut session, &mut db, "Tag", "label", "tag 1");
    session.related(&mut db, product, "tags").unwrap();
    let from = session.echo().len();
    session.remove(&mut db, product, "tags", tag).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_many_to_many_remove", &emitted(&session, from));
    assert_eq!(links(&mut db), 2 * PRODUCTS - 1);
    assert_eq!(count(&mut db, "tags"), TAGS);
    assert_eq!(count(&mut db, "products"), PRODUCTS);
}

#[test]
fn deleting_a_many_to_many_parent_deletes_its_association_rows_first() {
    let (mut db, ir) = seeded();
    let mut setup = Session::new(&ir).unwrap();
    let spare = setup
        .add_new(
            "Product",
            &[("id", "spare".into()), ("name", "spare".into())],
        )
        .unwrap();
    for label in ["tag 0", "tag 1"] {
        let tag = by_name(&mut setup, &mut db, "Tag", "label", label);
        setup.append(&mut db, spare, "tags", tag).unwrap();
    }
    setup.commit(&mut db).unwrap();
    let mut session = Session::new(&ir).unwrap();
    let product = by_name(&mut session, &mut db, "Product", "name", "spare");
    let from = session.echo().len();
    session.delete(&mut db, product).unwrap();
    session.commit(&mut db).unwrap();
    let ours = emitted(&session, from);
    assert_matches_fixture("flush_many_to_many_delete", &ours);
    assert!(
        matches!(&ours[1].params, Params::Many(sets) if sets.len() == 2),
        "{:?}",
        ours[1].params
    );
    assert_eq!(links(&mut db), 2 * PRODUCTS);
    assert_eq!(count(&mut db, "tags"), TAGS);
}

#[test]
fn assigning_a_one_to_one_loads_the_old_value_then_inserts_the_new() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let user = user_by_email(&mut session, &mut db, "user7@example.com");
    let from = session.echo().len();
    let profile = session
        .new_object("Profile", &[("bio", "likes databases".into())])
        .unwrap();
    session
        .assign(&mut db, user, "profile", Some(profile))
        .unwrap();
    session.commit(&mut db).unwrap();
    let ours: Vec<_> = emitted(&session, from)
        .into_iter()
        .filter(|e| !e.sql.starts_with("SELECT max("))
        .collect();
    assert_matches_fixture("flush_one_to_one", &ours);
    let user_id = session.value(user, "id").cloned().unwrap();
    assert_eq!(session.value(profile, "user_id"), Some(&user_id));
}

fn parent_ids(db: &mut Database) -> String {
    let rows = db
        .execute("SELECT name, parent_id FROM categories ORDER BY id")
        .unwrap();
    format!("{rows:?}")
}

#[test]
fn deleting_a_parent_with_the_default_cascade_keeps_its_children_with_a_null_key() {
    let (mut db, ir) = seeded();
    category_tree(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let root = by_name(&mut session, &mut db, "Category", "name", "root");
    let from = session.echo().len();
    session.delete(&mut db, root).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_delete_default_cascade", &emitted(&session, from));
    assert_eq!(count(&mut db, "categories"), 3);
    let rows = parent_ids(&mut db);
    assert!(!rows.contains("I64("), "children keep no parent: {rows}");
}

#[test]
fn removing_a_child_without_delete_orphan_sets_its_key_to_null() {
    let (mut db, ir) = seeded();
    category_tree(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let root = by_name(&mut session, &mut db, "Category", "name", "root");
    let children = session.related(&mut db, root, "children").unwrap();
    let left = children
        .into_iter()
        .find(|c| session.value(*c, "name") == Some(&Value::from("left")))
        .unwrap();
    let from = session.echo().len();
    session.remove(&mut db, root, "children", left).unwrap();
    session.commit(&mut db).unwrap();
    assert_matches_fixture("flush_remove_without_orphan", &emitted(&session, from));
    assert_eq!(count(&mut db, "categories"), 4, "the child is kept");
}
