//! The query lab's nested loads on the real engine: statement counts per strategy, the
//! row explosion of nested joined collections, raise, and the N+1 finder.

use sqlpatterns_core::engine::Database;
use sqlpatterns_core::orm::Strategy;
use sqlpatterns_core::query_lab::loading::{run, LoadPlan};
use sqlpatterns_core::query_lab::shop;

fn seeded(users: usize, orders: usize, fk_indexes: bool) -> Database {
    let mut db = Database::new();
    shop::seed(&mut db, &shop::models(), users, orders, fk_indexes).unwrap();
    db
}

#[test]
fn ten_users_three_orders_cost_11_1_2_2_statements() {
    let mut db = seeded(10, 3, true);
    let counts: Vec<usize> = [
        Strategy::Select,
        Strategy::Joined,
        Strategy::Selectin,
        Strategy::Subquery,
    ]
    .into_iter()
    .map(|s| {
        let load = run(&mut db, LoadPlan::uniform(1, s));
        assert_eq!(load.error, None, "{s:?}");
        assert_eq!(load.reached[..2], [10, 30], "{s:?}");
        assert_eq!(load.echo.len(), load.measure.statements(), "{s:?}");
        load.measure.statements()
    })
    .collect();
    assert_eq!(counts, [11, 1, 2, 2]);
    assert!(!db.in_transaction(), "the load's transaction is closed");
}

#[test]
fn nested_joined_collections_repeat_the_parents_columns() {
    let mut db = seeded(10, 3, true);
    let joined = run(&mut db, LoadPlan::uniform(3, Strategy::Joined));
    let selectin = run(&mut db, LoadPlan::uniform(3, Strategy::Selectin));
    assert_eq!(joined.error, None);
    assert_eq!(selectin.error, None);
    assert_eq!(joined.reached, selectin.reached);
    assert_eq!(joined.reached[2], 10 * 3 * shop::ITEMS_PER_ORDER);
    assert_eq!(joined.measure.statements(), 1);
    assert_eq!(selectin.measure.statements(), 4);
    // One row per item, each carrying its user's, order's and product's columns.
    assert_eq!(joined.measure.rows, 60);
    assert!(
        joined.measure.cells > selectin.measure.cells,
        "joined {} vs selectin {}",
        joined.measure.cells,
        selectin.measure.cells
    );
}

#[test]
fn raise_stops_with_sqlalchemys_error() {
    let mut db = seeded(3, 2, true);
    let load = run(&mut db, LoadPlan::uniform(1, Strategy::Raise));
    assert_eq!(
        load.error.as_deref(),
        Some("sqlalchemy.exc.InvalidRequestError: 'User.orders' is not available due to lazy='raise'")
    );
    assert_eq!(load.measure.statements(), 1);
    let deeper = run(
        &mut db,
        LoadPlan {
            depth: 2,
            strategies: [Strategy::Selectin, Strategy::Raise, Strategy::Select],
        },
    );
    assert!(
        deeper
            .error
            .as_deref()
            .is_some_and(|e| e.contains("'Order.items' is not available due to lazy='raise'")),
        "{:?}",
        deeper.error
    );
}

#[test]
fn lazy_loads_are_found_as_n_plus_one_with_their_fix() {
    let mut db = seeded(10, 3, true);
    let load = run(&mut db, LoadPlan::uniform(1, Strategy::Select));
    let texts: Vec<String> = load.n_plus_one.iter().map(|n| n.text()).collect();
    assert_eq!(
        texts,
        ["N+1: User.orders loaded lazily 10 times — add selectinload(User.orders)"]
    );
    let fixed = run(&mut db, LoadPlan::uniform(1, Strategy::Selectin));
    assert!(fixed.n_plus_one.is_empty());
    let deep = run(
        &mut db,
        LoadPlan {
            depth: 2,
            strategies: [Strategy::Selectin, Strategy::Select, Strategy::Select],
        },
    );
    assert_eq!(deep.n_plus_one.len(), 1);
    assert_eq!(deep.n_plus_one[0].loads, 30);
    assert_eq!(
        deep.n_plus_one[0].fix,
        "selectinload(User.orders).selectinload(Order.items)"
    );
}

#[test]
fn options_under_a_lazy_load_apply_to_what_it_loads() {
    // lazyload(User.orders).selectinload(Order.items): each lazy load of a user's orders
    // brings that user's items in one more statement (SQLAlchemy propagates the option).
    let mut db = seeded(4, 3, true);
    let load = run(
        &mut db,
        LoadPlan {
            depth: 2,
            strategies: [Strategy::Select, Strategy::Selectin, Strategy::Select],
        },
    );
    assert_eq!(load.error, None);
    assert_eq!(load.reached[2], 4 * 3 * shop::ITEMS_PER_ORDER);
    assert_eq!(load.measure.statements(), 1 + 4 + 4);
}

#[test]
fn the_fk_index_changes_what_a_lazy_load_reads_not_what_it_returns() {
    let mut with = seeded(50, 2, true);
    let mut without = seeded(50, 2, false);
    let a = run(&mut with, LoadPlan::uniform(1, Strategy::Select));
    let b = run(&mut without, LoadPlan::uniform(1, Strategy::Select));
    assert_eq!(a.measure.rows, b.measure.rows);
    assert!(
        a.measure.rows_examined() * 10 < b.measure.rows_examined(),
        "{} vs {}",
        a.measure.rows_examined(),
        b.measure.rows_examined()
    );
}
