//! The select-columns data set: a wide `users` table (the reference's id, email, name,
//! is_active, plus a biography and `extra` profile columns nobody's list page shows) and
//! its orders, as SQLAlchemy models the ORM emulation maps.

use crate::engine::Database;
use crate::model::ModelIr;

use super::shop::insert_batched;

/// The models with `extra` more text columns on User (`attr_1` ...).
pub fn models_source(extra: usize) -> String {
    let extra_columns: String = (1..=extra)
        .map(|i| format!("    attr_{i}: Mapped[str] = mapped_column(String(200))\n"))
        .collect();
    format!(
        r#"from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = 'users'

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))
    is_active: Mapped[bool] = mapped_column(default=True)
    bio: Mapped[str] = mapped_column(String(2000))
{extra_columns}
    orders: Mapped[list['Order']] = relationship(back_populates='user')

class Order(Base):
    __tablename__ = 'orders'

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey('users.id'), index=True)
    total: Mapped[float] = mapped_column(default=0.0)
    notes: Mapped[str] = mapped_column(String(500))

    user: Mapped['User'] = relationship(back_populates='orders')
"#
    )
}

pub fn models(extra: usize) -> ModelIr {
    crate::model::parse(&models_source(extra)).ir
}

/// Creates the tables and seeds `users` users (every fifth inactive), two orders each.
pub fn seed(db: &mut Database, ir: &ModelIr, users: usize, extra: usize) -> Result<(), String> {
    db.unbudgeted(|db| seed_rows(db, ir, users, extra))
}

fn seed_rows(db: &mut Database, ir: &ModelIr, users: usize, extra: usize) -> Result<(), String> {
    for sql in crate::model::ddl_statements(ir) {
        db.execute(&sql)
            .map_err(|e| format!("{}: {sql}", e.message))?;
    }
    let attr_names: String = (1..=extra).map(|i| format!(", attr_{i}")).collect();
    insert_batched(
        db,
        &format!("users (id, email, name, is_active, bio{attr_names})"),
        (1..=users).map(|u| {
            let attrs: String = (1..=extra)
                .map(|i| format!(", 'profile field {i} of user {u}'"))
                .collect();
            format!(
                "({u}, 'user{u}@example.com', 'User {u}', {}, 'User {u} wrote a long biography that the list page never shows, yet every whole-entity query carries it.'{attrs})",
                if u % 5 == 0 { "FALSE" } else { "TRUE" }
            )
        }),
    )?;
    insert_batched(
        db,
        "orders (id, user_id, total, notes)",
        (1..=users * 2).map(|o| {
            let user = (o - 1) / 2 + 1;
            format!(
                "({o}, {user}, {}.5, 'leave the parcel at the door, order {o}')",
                o % 90 + 10
            )
        }),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_wide_models_parse_map_and_seed() {
        let parsed = crate::model::parse(&models_source(3));
        assert!(!parsed.has_errors(), "{:?}", parsed.diagnostics);
        let mut db = Database::new();
        seed(&mut db, &parsed.ir, 10, 3).unwrap();
        assert_eq!(db.columns("users").len(), 5 + 3);
        assert_eq!(db.row_count("orders"), Some(20));
    }
}
