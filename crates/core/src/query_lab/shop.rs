//! The query lab's data set: users -> orders -> order items -> products, as SQLAlchemy
//! models (parsed by [`crate::model`], so the ORM emulation maps them) and seeded with
//! multi-row INSERTs. Integer keys keep the seed small and the statements readable.
//!
//! The foreign-key columns carry no index of their own (PostgreSQL does not create one
//! for a foreign key either); [`set_fk_indexes`] adds or drops them, for the page's
//! "foreign-key indexes" toggle.

use crate::engine::Database;
use crate::model::ModelIr;

/// The lab's models, in the reference's style (plain `Base`, integer primary keys).
pub const MODELS: &str = r#"from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = 'users'

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))

    orders: Mapped[list['Order']] = relationship(back_populates='user')

class Order(Base):
    __tablename__ = 'orders'

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('users.id'))
    status: Mapped[str] = mapped_column(String(20))

    user: Mapped['User'] = relationship(back_populates='orders')
    items: Mapped[list['OrderItem']] = relationship(back_populates='order')

class Product(Base):
    __tablename__ = 'products'

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[float] = mapped_column()

class OrderItem(Base):
    __tablename__ = 'order_items'

    id: Mapped[int] = mapped_column(primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey('orders.id'))
    product_id: Mapped[int] = mapped_column(ForeignKey('products.id'))
    quantity: Mapped[int] = mapped_column(default=1)

    order: Mapped['Order'] = relationship(back_populates='items')
    product: Mapped['Product'] = relationship()
"#;

/// Items per order and products in the catalogue: fixed, so a nested load's size is
/// users x orders x ITEMS_PER_ORDER.
pub const ITEMS_PER_ORDER: usize = 2;
pub const PRODUCTS: usize = 20;
/// Rows per seeding INSERT.
const BATCH: usize = 500;

/// The foreign-key indexes the toggle adds: (name, table, column).
pub const FK_INDEXES: [(&str, &str, &str); 3] = [
    ("ix_orders_user_id", "orders", "user_id"),
    ("ix_order_items_order_id", "order_items", "order_id"),
    ("ix_order_items_product_id", "order_items", "product_id"),
];

/// The parsed models (the source is ours and parses cleanly; tested below).
pub fn models() -> ModelIr {
    crate::model::parse(MODELS).ir
}

/// Creates the tables and seeds `users` users with `orders_per_user` orders each,
/// ITEMS_PER_ORDER items per order over PRODUCTS products. Ids are 1-based and dense.
pub fn seed(
    db: &mut Database,
    ir: &ModelIr,
    users: usize,
    orders_per_user: usize,
    fk_indexes: bool,
) -> Result<(), String> {
    db.unbudgeted(|db| seed_rows(db, ir, users, orders_per_user, fk_indexes))
}

fn seed_rows(
    db: &mut Database,
    ir: &ModelIr,
    users: usize,
    orders_per_user: usize,
    fk_indexes: bool,
) -> Result<(), String> {
    for sql in crate::model::ddl_statements(ir) {
        exec(db, &sql)?;
    }
    insert_batched(
        db,
        "products (id, name, price)",
        (1..=PRODUCTS).map(|p| format!("({p}, 'product {p}', {}.5)", 5 + p * 3)),
    )?;
    insert_batched(
        db,
        "users (id, email, name)",
        (1..=users).map(|u| format!("({u}, 'user{u}@example.com', 'User {u}')")),
    )?;
    let orders = users * orders_per_user;
    const STATUSES: [&str; 3] = ["pending", "shipped", "delivered"];
    insert_batched(
        db,
        "orders (id, user_id, status)",
        (1..=orders).map(|o| {
            let user = (o - 1) / orders_per_user + 1;
            format!("({o}, {user}, '{}')", STATUSES[o % STATUSES.len()])
        }),
    )?;
    insert_batched(
        db,
        "order_items (id, order_id, product_id, quantity)",
        (1..=orders * ITEMS_PER_ORDER).map(|i| {
            let order = (i - 1) / ITEMS_PER_ORDER + 1;
            let product = (i * 7) % PRODUCTS + 1;
            format!("({i}, {order}, {product}, {})", i % 3 + 1)
        }),
    )?;
    set_fk_indexes(db, fk_indexes)
}

/// Creates (or drops) the foreign-key indexes of [`FK_INDEXES`].
pub fn set_fk_indexes(db: &mut Database, on: bool) -> Result<(), String> {
    for (name, table, column) in FK_INDEXES {
        let exists = db.index_names(table).iter().any(|n| n == name);
        match (on, exists) {
            (true, false) => exec(db, &format!("CREATE INDEX {name} ON {table} ({column})"))?,
            (false, true) => exec(db, &format!("DROP INDEX {name}"))?,
            _ => {}
        }
    }
    Ok(())
}

/// `INSERT INTO table VALUES (...), (...)`, BATCH rows per statement.
pub fn insert_batched(
    db: &mut Database,
    table_and_columns: &str,
    rows: impl Iterator<Item = String>,
) -> Result<(), String> {
    let rows: Vec<String> = rows.collect();
    for chunk in rows.chunks(BATCH) {
        exec(
            db,
            &format!(
                "INSERT INTO {table_and_columns} VALUES {}",
                chunk.join(", ")
            ),
        )?;
    }
    Ok(())
}

fn exec(db: &mut Database, sql: &str) -> Result<(), String> {
    db.execute(sql)
        .map(|_| ())
        .map_err(|e| format!("{}: {sql}", e.message))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_models_parse_and_map() {
        let parsed = crate::model::parse(MODELS);
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        crate::orm::Session::new(&parsed.ir).expect("mappable");
    }

    #[test]
    fn seeding_fills_every_table_and_the_toggle_adds_indexes() {
        let mut db = Database::new();
        seed(&mut db, &models(), 3, 2, true).unwrap();
        assert_eq!(db.row_count("users"), Some(3));
        assert_eq!(db.row_count("orders"), Some(6));
        assert_eq!(db.row_count("order_items"), Some(6 * ITEMS_PER_ORDER));
        assert_eq!(db.row_count("products"), Some(PRODUCTS));
        assert!(db
            .index_names("orders")
            .contains(&"ix_orders_user_id".to_string()));
        set_fk_indexes(&mut db, false).unwrap();
        assert!(!db
            .index_names("orders")
            .contains(&"ix_orders_user_id".to_string()));
    }
}
