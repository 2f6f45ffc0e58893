//! Loader strategies against real SQLAlchemy 2.0 (fixtures from
//! tools/sqlalchemy_statements.py): 10 users with 3 orders each, every user's orders
//! accessed. Statement counts, SQL and parameter names are equal (recorded on PostgreSQL
//! through psycopg2); parameter values are not compared (UUIDs are the session's own).

#[path = "orm_support.rs"]
mod support;

use sqlpatterns_core::engine::Database;
use sqlpatterns_core::orm::{
    joinedload, lazyload, raiseload, selectinload, subqueryload, Load, ObjId, OrmError, Select,
    Session,
};
use support::*;

/// Runs `select` in a fresh session (empty identity map, as the script's), touches every
/// user's orders, and returns the session and how many orders it saw.
fn load_users(
    db: &mut Database,
    ir: &sqlpatterns_core::model::ModelIr,
    select: Select,
) -> (Session, Vec<usize>) {
    let mut session = Session::new(ir).unwrap();
    let users = session.execute(db, &select).unwrap();
    let counts = users
        .iter()
        .map(|u| session.related(db, *u, "orders").unwrap().len())
        .collect();
    (session, counts)
}

fn check_strategy(case: &str, option: Option<Load>, expected: usize) {
    let (mut db, ir) = seeded();
    let select = match option {
        Some(option) => Select::new("User").options(option),
        None => Select::new("User"),
    };
    let before = db.log().entries().len();
    let (session, counts) = load_users(&mut db, &ir, select);
    assert_eq!(counts, vec![ORDERS_PER_USER; USERS], "{case}");
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), expected, "{case}: statement count");
    assert_eq!(session.statement_count(), expected);
    assert_matches_fixture(case, &ours);
    // The engine ran them too (plus BEGIN): the statement log shows each.
    let selects = db.log().entries()[before..]
        .iter()
        .filter(|e| e.sql.starts_with("SELECT"))
        .count();
    assert_eq!(selects, expected, "{case}: engine log");
}

#[test]
fn lazy_select_is_n_plus_one() {
    check_strategy("load_lazy", Some(lazyload("User.orders")), 1 + USERS);
}

#[test]
fn joined_is_one_statement_with_orders_1_alias() {
    check_strategy("load_joined", Some(joinedload("User.orders")), 1);
}

#[test]
fn selectin_is_two_statements_with_in() {
    check_strategy("load_selectin", Some(selectinload("User.orders")), 2);
}

#[test]
fn subquery_is_two_statements_with_anon_1() {
    check_strategy("load_subquery", Some(subqueryload("User.orders")), 2);
}

#[test]
fn declared_lazy_selectin_applies_without_options() {
    check_strategy("load_default", None, 2);
}

#[test]
fn raiseload_gives_sqlalchemys_error() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let users = session
        .execute(
            &mut db,
            &Select::new("User").options(raiseload("User.orders")),
        )
        .unwrap();
    let error = session.related(&mut db, users[0], "orders").unwrap_err();
    let expected = fixture("load_raise").error.unwrap();
    assert_eq!(error, OrmError::InvalidRequest(expected.clone()));
    assert_eq!(
        expected,
        "'User.orders' is not available due to lazy='raise'"
    );
    assert_matches_fixture("load_raise", &emitted(&session, 0));
}

#[test]
fn nested_chain_selectin_selectin_joined() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let users = session
        .execute(
            &mut db,
            &Select::new("User").options(
                selectinload("User.orders")
                    .selectinload("Order.items")
                    .joinedload("OrderItem.product"),
            ),
        )
        .unwrap();
    let mut names = Vec::new();
    for u in users {
        for o in session.related(&mut db, u, "orders").unwrap() {
            for i in session.related(&mut db, o, "items").unwrap() {
                let p: ObjId = session.related_one(&mut db, i, "product").unwrap().unwrap();
                names.push(session.value(p, "name").unwrap().clone());
            }
        }
    }
    assert_eq!(names.len(), USERS * ORDERS_PER_USER * ITEMS_PER_ORDER);
    assert_matches_fixture("load_nested", &emitted(&session, 0));
}

#[test]
fn load_only_keeps_keys_and_the_foreign_key() {
    let (mut db, ir) = seeded();
    let (session, counts) = load_users(
        &mut db,
        &ir,
        Select::new("User")
            .load_only(&["User.id", "User.email"])
            .options(selectinload("User.orders").load_only(&["Order.id"])),
    );
    assert_eq!(counts.iter().sum::<usize>(), USERS * ORDERS_PER_USER);
    assert_matches_fixture("load_only", &emitted(&session, 0));
}

#[test]
fn get_by_primary_key_then_default_selectin() {
    let (mut db, ir) = seeded();
    let mut lookup = Session::new(&ir).unwrap();
    let user = lookup
        .execute(
            &mut db,
            &Select::new("User")
                .options(lazyload("User.orders"))
                .where_eq("email", "user3@example.com"),
        )
        .unwrap()[0];
    let pk = lookup.primary_key(user).unwrap();
    let mut session = Session::new(&ir).unwrap();
    let found = session.get(&mut db, "User", &pk).unwrap().unwrap();
    assert_eq!(
        session.related(&mut db, found, "orders").unwrap().len(),
        ORDERS_PER_USER
    );
    // A second get is served by the identity map: no statement.
    let count = session.statement_count();
    assert_eq!(session.get(&mut db, "User", &pk).unwrap(), Some(found));
    assert_eq!(session.statement_count(), count);
    assert_matches_fixture("get", &emitted(&session, 0));
}

#[test]
fn soft_delete_filter_is_deleted_at_is_null() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let products = session
        .execute(&mut db, &Select::new("Product").not_deleted())
        .unwrap();
    assert_eq!(products.len(), PRODUCTS);
    assert_matches_fixture("soft_delete_filter", &emitted(&session, 0));
}

#[test]
fn the_normaliser_tells_statements_apart() {
    assert_eq!(
        normalise("SELECT a \nFROM t WHERE %(param_1)s = t.x"),
        normalise("SELECT a FROM t WHERE ? = t.x")
    );
    assert_eq!(normalise("x IN ($1, $2)"), "x IN (?, ?)");
    assert_ne!(
        normalise("SELECT orders.id AS id_1"),
        normalise("SELECT orders.id")
    );
}

/// Loads every order with `option` in a fresh session and reads each order's user.
fn check_many_to_one(case: &str, option: Load, expected: usize) {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let orders = session
        .execute(&mut db, &Select::new("Order").options(option))
        .unwrap();
    assert_eq!(orders.len(), USERS * ORDERS_PER_USER, "{case}");
    let mut emails: Vec<String> = orders
        .iter()
        .map(|o| {
            let user = session.related_one(&mut db, *o, "user").unwrap().unwrap();
            session
                .value(user, "email")
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), USERS, "{case}");
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), expected, "{case}: statement count");
    assert_matches_fixture(case, &ours);
}

#[test]
fn many_to_one_joined_is_one_left_outer_join() {
    check_many_to_one("load_many_to_one_joined", joinedload("Order.user"), 1);
}

#[test]
fn many_to_one_selectin_is_one_in_over_distinct_keys() {
    check_many_to_one("load_many_to_one_selectin", selectinload("Order.user"), 2);
}

#[test]
fn many_to_one_lazy_loads_each_user_once_through_the_identity_map() {
    check_many_to_one("load_many_to_one_lazy", lazyload("Order.user"), 1 + USERS);
}

#[test]
fn subquery_load_of_an_ordered_query() {
    let (mut db, ir) = seeded();
    let select = Select::new("User")
        .order_by("email", false)
        .options(subqueryload("User.orders"));
    let (session, counts) = load_users(&mut db, &ir, select);
    assert_eq!(counts, vec![ORDERS_PER_USER; USERS]);
    assert_matches_fixture("load_subquery_ordered", &emitted(&session, 0));
}

fn tag_count(
    db: &mut Database,
    ir: &sqlpatterns_core::model::ModelIr,
    option: Load,
) -> (Session, usize) {
    let mut session = Session::new(ir).unwrap();
    let products = session
        .execute(db, &Select::new("Product").options(option))
        .unwrap();
    assert_eq!(products.len(), PRODUCTS);
    let tags = products
        .iter()
        .map(|p| session.related(db, *p, "tags").unwrap().len())
        .sum();
    (session, tags)
}

#[test]
fn many_to_many_selectin_joins_through_the_association_table() {
    let (mut db, ir) = seeded();
    let (session, tags) = tag_count(&mut db, &ir, selectinload("Product.tags"));
    assert_eq!(tags, 2 * PRODUCTS);
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 2);
    assert_matches_fixture("load_many_to_many_selectin", &ours);
}

#[test]
fn many_to_many_lazy_is_one_select_per_parent_over_both_tables() {
    let (mut db, ir) = seeded();
    let (session, tags) = tag_count(&mut db, &ir, lazyload("Product.tags"));
    assert_eq!(tags, 2 * PRODUCTS);
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 1 + PRODUCTS);
    assert_matches_fixture("load_many_to_many_lazy", &ours);
}

#[test]
fn many_to_many_joined_is_one_left_outer_join_of_the_association_and_target() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let products = session
        .execute(
            &mut db,
            &Select::new("Product").options(joinedload("Product.tags")),
        )
        .unwrap();
    let tags: usize = products
        .iter()
        .map(|p| session.related(&mut db, *p, "tags").unwrap().len())
        .sum();
    assert_eq!(tags, 2 * PRODUCTS);
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_matches_fixture("load_many_to_many_joined", &ours);
}

#[test]
fn many_to_many_subquery_joins_the_parent_query_through_the_association() {
    let (mut db, ir) = seeded();
    let mut session = Session::new(&ir).unwrap();
    let products = session
        .execute(
            &mut db,
            &Select::new("Product").options(subqueryload("Product.tags")),
        )
        .unwrap();
    let tags: usize = products
        .iter()
        .map(|p| session.related(&mut db, *p, "tags").unwrap().len())
        .sum();
    assert_eq!(tags, 2 * PRODUCTS);
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_matches_fixture("load_many_to_many_subquery", &ours);
}

fn roots_with(case: &str, option: Load) {
    let (mut db, ir) = seeded();
    category_tree(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let roots = session
        .execute(
            &mut db,
            &Select::new("Category")
                .where_is_null("parent_id")
                .order_by("id", false)
                .options(option),
        )
        .unwrap();
    let children: Vec<usize> = roots
        .iter()
        .map(|r| session.related(&mut db, *r, "children").unwrap().len())
        .collect();
    assert_eq!(children, vec![2, 0], "{case}");
    assert_matches_fixture(case, &emitted(&session, 0));
}

#[test]
fn self_referential_joined_aliases_the_children_as_categories_1() {
    roots_with(
        "load_self_referential_joined",
        joinedload("Category.children"),
    );
}

#[test]
fn self_referential_subquery_joins_the_roots_query_to_their_children() {
    roots_with(
        "load_self_referential_subquery",
        subqueryload("Category.children"),
    );
}

#[test]
fn self_referential_many_to_one_joined_joins_the_parent_on_its_key() {
    let (mut db, ir) = seeded();
    category_tree(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let children = session
        .execute(
            &mut db,
            &Select::new("Category")
                .where_is_not_null("parent_id")
                .order_by("id", false)
                .options(joinedload("Category.parent")),
        )
        .unwrap();
    assert_eq!(children.len(), 2);
    for child in children {
        let parent = session.related_one(&mut db, child, "parent").unwrap();
        assert!(parent.is_some());
    }
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_matches_fixture("load_self_referential_many_to_one_joined", &ours);
}

#[test]
fn one_to_one_selectin_loads_the_profiles_by_user_key() {
    let (mut db, ir) = seeded();
    profiles_for_two_users(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let users = session
        .execute(
            &mut db,
            &Select::new("User")
                .options(lazyload("User.orders"))
                .options(selectinload("User.profile")),
        )
        .unwrap();
    let with_profile = users
        .iter()
        .filter(|u| {
            session
                .related_one(&mut db, **u, "profile")
                .unwrap()
                .is_some()
        })
        .count();
    assert_eq!(with_profile, 2);
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_matches_fixture("load_one_to_one_selectin", &ours);
}

#[test]
fn one_to_one_lazy_selects_the_profile_on_access() {
    let (mut db, ir) = seeded();
    profiles_for_two_users(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let user = session
        .execute(
            &mut db,
            &Select::new("User")
                .options(lazyload("User.orders"))
                .where_eq("email", "user3@example.com"),
        )
        .unwrap()[0];
    let profile = session.related_one(&mut db, user, "profile").unwrap();
    assert!(profile.is_some());
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 2, "{ours:?}");
    assert_matches_fixture("load_one_to_one_lazy", &ours);
}

#[test]
fn one_to_one_joined_is_one_left_outer_join_with_a_scalar_on_each_user() {
    let (mut db, ir) = seeded();
    let mut setup = Session::new(&ir).unwrap();
    for (n, email) in ["user0@example.com", "user1@example.com"]
        .iter()
        .enumerate()
    {
        let user = setup
            .execute(&mut db, &Select::new("User").where_eq("email", *email))
            .unwrap()[0];
        let profile = setup
            .new_object(
                "Profile",
                &[
                    ("bio", format!("bio of {email}").into()),
                    ("id", (n as i64 + 1).into()),
                ],
            )
            .unwrap();
        setup
            .assign(&mut db, user, "profile", Some(profile))
            .unwrap();
    }
    setup.commit(&mut db).unwrap();
    let mut session = Session::new(&ir).unwrap();
    let users = session
        .execute(
            &mut db,
            &Select::new("User")
                .options(lazyload("User.orders"))
                .options(joinedload("User.profile")),
        )
        .unwrap();
    let with_profile = users
        .iter()
        .filter(|u| {
            session
                .related_one(&mut db, **u, "profile")
                .unwrap()
                .is_some()
        })
        .count();
    assert_eq!(with_profile, 2);
    let ours = emitted(&session, 0);
    assert_eq!(ours.len(), 1, "{ours:?}");
    assert_matches_fixture("load_one_to_one_joined", &ours);
}

#[test]
fn self_referential_selectin_loads_one_level_of_children() {
    let (mut db, ir) = seeded();
    let mut setup = Session::new(&ir).unwrap();
    let root = setup
        .add_new("Category", &[("name", "root".into())])
        .unwrap();
    for name in ["left", "right"] {
        let child = setup
            .new_object("Category", &[("name", name.into())])
            .unwrap();
        setup.append(&mut db, root, "children", child).unwrap();
    }
    setup.commit(&mut db).unwrap();
    let mut session = Session::new(&ir).unwrap();
    let roots = session
        .execute(
            &mut db,
            &Select::new("Category")
                .where_is_null("parent_id")
                .options(selectinload("Category.children")),
        )
        .unwrap();
    assert_eq!(roots.len(), 1);
    assert_eq!(
        session
            .related(&mut db, roots[0], "children")
            .unwrap()
            .len(),
        2
    );
    assert_matches_fixture("load_self_referential_selectin", &emitted(&session, 0));
}

/// Profiles for two users, committed, in a database the test then reads afresh.
fn profiles_for_two_users(db: &mut Database, ir: &sqlpatterns_core::model::ModelIr) {
    let mut setup = Session::new(ir).unwrap();
    for (n, email) in ["user3@example.com", "user4@example.com"]
        .iter()
        .enumerate()
    {
        let user = setup
            .execute(db, &Select::new("User").where_eq("email", *email))
            .unwrap()[0];
        let profile = setup
            .new_object(
                "Profile",
                &[
                    ("bio", format!("bio of {email}").into()),
                    ("id", (n as i64 + 1).into()),
                ],
            )
            .unwrap();
        setup.assign(db, user, "profile", Some(profile)).unwrap();
    }
    setup.commit(db).unwrap();
}

#[test]
fn raise_on_sql_raises_when_loading_needs_sql() {
    let (mut db, ir) = seeded();
    profiles_for_two_users(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let profiles = session
        .execute(&mut db, &Select::new("Profile").order_by("id", false))
        .unwrap();
    let error = session
        .related_one(&mut db, profiles[0], "user")
        .unwrap_err();
    let expected = fixture("load_raise_on_sql").error.unwrap();
    assert_eq!(error, OrmError::InvalidRequest(expected));
    assert_matches_fixture("load_raise_on_sql", &emitted(&session, 0));
}

#[test]
fn raise_on_sql_reads_the_identity_map_without_sql() {
    let (mut db, ir) = seeded();
    profiles_for_two_users(&mut db, &ir);
    let mut session = Session::new(&ir).unwrap();
    let users = session
        .execute(
            &mut db,
            &Select::new("User").options(lazyload("User.orders")),
        )
        .unwrap();
    assert_eq!(users.len(), USERS);
    let profiles = session
        .execute(&mut db, &Select::new("Profile").order_by("id", false))
        .unwrap();
    let mut emails: Vec<String> = profiles
        .iter()
        .map(|p| {
            let user = session.related_one(&mut db, *p, "user").unwrap().unwrap();
            session
                .value(user, "email")
                .unwrap()
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    emails.sort();
    assert_eq!(emails, ["user3@example.com", "user4@example.com"]);
    assert_matches_fixture("load_raise_on_sql_from_identity_map", &emitted(&session, 0));
}
