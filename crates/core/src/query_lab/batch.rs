//! Batch writes against their row-by-row versions, on the reference's tables: N new
//! users, N pending orders older than the cutoff to cancel, N audit rows older than the
//! retention date to delete, and N users to import by email where half already exist
//! (an upsert). Each method runs from the same seeded state.

use crate::dialect::IntoParamLiteral;
use crate::engine::Database;

use super::measure::{measure, RunMeasure};
use super::shop::insert_batched;

/// Orders older than this are cancelled if pending; audit rows older than the retention
/// date are deleted.
pub const CUTOFF: &str = "2024-03-01 00:00:00";
pub const RETENTION: &str = "2023-03-01 00:00:00";

/// One way of writing the N rows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// N INSERTs, each in its own transaction (a commit per row).
    InsertRowByRow,
    /// One INSERT text with `$1`, executed N times in one transaction (asyncpg's
    /// executemany: one prepare, the rows pipelined).
    InsertExecutemany,
    /// One INSERT with N rows of VALUES.
    InsertMultiRow,
    /// SELECT the ids, then one UPDATE per row.
    UpdatePerRow,
    /// One `UPDATE ... WHERE status = 'pending' AND created_at < cutoff`.
    UpdateBatch,
    /// SELECT the ids, then one DELETE per row.
    DeletePerRow,
    /// One `DELETE ... WHERE changed_at < retention`.
    DeleteBatch,
    /// Per row: SELECT by email, then UPDATE the one found or INSERT a new one.
    UpsertSelectThenWrite,
    /// One `INSERT ... ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED...`.
    UpsertOnConflict,
}

impl Method {
    pub const ALL: [Method; 9] = [
        Method::InsertRowByRow,
        Method::InsertExecutemany,
        Method::InsertMultiRow,
        Method::UpdatePerRow,
        Method::UpdateBatch,
        Method::DeletePerRow,
        Method::DeleteBatch,
        Method::UpsertSelectThenWrite,
        Method::UpsertOnConflict,
    ];

    /// Stable kebab-case id (action ids and series names in the lab).
    pub fn id(self) -> &'static str {
        match self {
            Method::InsertRowByRow => "insert-rows",
            Method::InsertExecutemany => "insert-executemany",
            Method::InsertMultiRow => "insert-multirow",
            Method::UpdatePerRow => "update-rows",
            Method::UpdateBatch => "update-batch",
            Method::DeletePerRow => "delete-rows",
            Method::DeleteBatch => "delete-batch",
            Method::UpsertSelectThenWrite => "upsert-select-then-write",
            Method::UpsertOnConflict => "upsert-on-conflict",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Method::InsertRowByRow => "INSERT row by row (commit each)",
            Method::InsertExecutemany => "INSERT executemany",
            Method::InsertMultiRow => "one multi-row INSERT",
            Method::UpdatePerRow => "UPDATE per row",
            Method::UpdateBatch => "batch UPDATE",
            Method::DeletePerRow => "DELETE per row",
            Method::DeleteBatch => "batch DELETE",
            Method::UpsertSelectThenWrite => "upsert: SELECT, then INSERT or UPDATE",
            Method::UpsertOnConflict => "upsert: INSERT ... ON CONFLICT",
        }
    }

    /// The code an app would write for it.
    pub fn python(self) -> &'static str {
        match self {
            Method::InsertRowByRow => "for data in users_data:\n    session.add(User(**data))\n    await session.commit()",
            Method::InsertExecutemany => "await session.execute(insert(User), users_data)  # asyncpg executemany\nawait session.commit()",
            Method::InsertMultiRow => "await session.execute(insert(User).values(users_data))\nawait session.commit()",
            Method::UpdatePerRow => "for order in await session.scalars(select(Order).where(...)):\n    await session.execute(\n        update(Order).where(Order.id == order.id).values(status='cancelled'))\nawait session.commit()",
            Method::UpdateBatch => "await session.execute(\n    update(Order)\n    .where(Order.status == 'pending')\n    .where(Order.created_at < cutoff_date)\n    .values(status='cancelled')\n)\nawait session.commit()",
            Method::DeletePerRow => "for log in await session.scalars(select(AuditLog).where(...)):\n    await session.execute(delete(AuditLog).where(AuditLog.id == log.id))\nawait session.commit()",
            Method::DeleteBatch => "await session.execute(\n    delete(AuditLog)\n    .where(AuditLog.changed_at < retention_date)\n)\nawait session.commit()",
            Method::UpsertSelectThenWrite => "for row in rows:\n    user = await session.scalar(select(User).where(User.email == row['email']))\n    if user is None:\n        session.add(User(**row))  # INSERT\n    else:\n        user.display_name = row['display_name']  # UPDATE\nawait session.commit()\n# Two statements per row, and a race: two imports can both see None and insert.",
            Method::UpsertOnConflict => "from sqlalchemy.dialects.postgresql import insert\n\nstmt = insert(User).values(rows)\nstmt = stmt.on_conflict_do_update(\n    index_elements=[User.email],\n    set_={'display_name': stmt.excluded.display_name},\n)\nawait session.execute(stmt)\nawait session.commit()",
        }
    }
}

/// The tables, with `n` orders to cancel among 2n, and `n` audit rows to delete among 2n.
pub fn seed(db: &mut Database, n: usize) -> Result<(), String> {
    db.unbudgeted(|db| seed_rows(db, n))
}

fn seed_rows(db: &mut Database, n: usize) -> Result<(), String> {
    for sql in [
        "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(255) NOT NULL UNIQUE, display_name VARCHAR(100))",
        "CREATE TABLE orders (id INTEGER PRIMARY KEY, status VARCHAR(20) NOT NULL, created_at TIMESTAMP NOT NULL)",
        "CREATE TABLE audit_logs (id INTEGER PRIMARY KEY, action VARCHAR(10) NOT NULL, changed_at TIMESTAMP NOT NULL)",
    ] {
        exec(db, sql)?;
    }
    // Odd ids: old enough (and pending) to be written; even ids: recent, left alone.
    insert_batched(
        db,
        "orders (id, status, created_at)",
        (1..=2 * n).map(|i| {
            let date = if i % 2 == 1 {
                "2024-01-15 10:00:00"
            } else {
                "2024-06-15 10:00:00"
            };
            format!("({i}, 'pending', '{date}')")
        }),
    )?;
    // The members an upsert finds: the first half of the import, already signed up.
    insert_batched(
        db,
        "users (id, email)",
        (1..=upsert_existing(n)).map(|i| format!("({}, '{}')", MEMBER_ID + i, member_email(i))),
    )?;
    insert_batched(
        db,
        "audit_logs (id, action, changed_at)",
        (1..=2 * n).map(|i| {
            let date = if i % 2 == 1 {
                "2022-05-01 08:00:00"
            } else {
                "2024-05-01 08:00:00"
            };
            format!("({i}, 'UPDATE', '{date}')")
        }),
    )
}

/// Ids of the members already there before an upsert; new ones get `NEW_MEMBER_ID + i`.
const MEMBER_ID: usize = 500_000;
const NEW_MEMBER_ID: usize = 600_000;

/// How many of an upsert's `n` rows already exist (half, at least one).
pub fn upsert_existing(n: usize) -> usize {
    (n / 2).max(1)
}

fn member_email(i: usize) -> String {
    format!("member{i}@example.com")
}

/// Writes `n` rows with `method` and measures it. Fails with the engine's message.
pub fn run(db: &mut Database, method: Method, n: usize) -> (Result<usize, String>, RunMeasure) {
    measure(db, |db| write(db, method, n))
}

/// The rows written.
fn write(db: &mut Database, method: Method, n: usize) -> Result<usize, String> {
    let email = |i: usize| format!("user{i}@example.com");
    match method {
        Method::InsertRowByRow => {
            for i in 1..=n {
                exec(db, "BEGIN")?;
                exec(
                    db,
                    &format!("INSERT INTO users (id, email) VALUES ({i}, '{}')", email(i)),
                )?;
                exec(db, "COMMIT")?;
            }
            Ok(n)
        }
        Method::InsertExecutemany => in_transaction(db, |db| {
            for i in 1..=n {
                db.execute_with_params(
                    "INSERT INTO users (id, email) VALUES ($1, $2)",
                    vec![
                        (i as i64).into_param_literal(),
                        email(i).into_param_literal(),
                    ],
                )
                .map_err(|e| e.message)?;
            }
            Ok(n)
        }),
        Method::InsertMultiRow => in_transaction(db, |db| {
            let rows: Vec<String> = (1..=n).map(|i| format!("({i}, '{}')", email(i))).collect();
            exec(
                db,
                &format!("INSERT INTO users (id, email) VALUES {}", rows.join(", ")),
            )?;
            Ok(n)
        }),
        Method::UpdatePerRow => in_transaction(db, |db| {
            let ids = ids(
                db,
                &format!("SELECT orders.id FROM orders WHERE orders.status = 'pending' AND orders.created_at < '{CUTOFF}'"),
            )?;
            for id in &ids {
                exec(
                    db,
                    &format!("UPDATE orders SET status = 'cancelled' WHERE orders.id = {id}"),
                )?;
            }
            Ok(ids.len())
        }),
        Method::UpdateBatch => in_transaction(db, |db| {
            affected(
                db,
                &format!("UPDATE orders SET status = 'cancelled' WHERE orders.status = 'pending' AND orders.created_at < '{CUTOFF}'"),
            )
        }),
        Method::DeletePerRow => in_transaction(db, |db| {
            let ids = ids(
                db,
                &format!("SELECT audit_logs.id FROM audit_logs WHERE audit_logs.changed_at < '{RETENTION}'"),
            )?;
            for id in &ids {
                exec(
                    db,
                    &format!("DELETE FROM audit_logs WHERE audit_logs.id = {id}"),
                )?;
            }
            Ok(ids.len())
        }),
        Method::DeleteBatch => in_transaction(db, |db| {
            affected(
                db,
                &format!("DELETE FROM audit_logs WHERE audit_logs.changed_at < '{RETENTION}'"),
            )
        }),
        Method::UpsertSelectThenWrite => in_transaction(db, |db| {
            for i in 1..=n {
                let found = ids(
                    db,
                    &format!(
                        "SELECT users.id FROM users WHERE users.email = '{}'",
                        member_email(i)
                    ),
                )?;
                match found.first() {
                    Some(id) => exec(
                        db,
                        &format!("UPDATE users SET display_name = 'Member {i}' WHERE users.id = {id}"),
                    )?,
                    None => exec(
                        db,
                        &format!(
                            "INSERT INTO users (id, email, display_name) VALUES ({}, '{}', 'Member {i}')",
                            NEW_MEMBER_ID + i,
                            member_email(i)
                        ),
                    )?,
                }
            }
            Ok(n)
        }),
        Method::UpsertOnConflict => in_transaction(db, |db| {
            let rows: Vec<String> = (1..=n)
                .map(|i| {
                    format!(
                        "({}, '{}', 'Member {i}')",
                        NEW_MEMBER_ID + i,
                        member_email(i)
                    )
                })
                .collect();
            affected(
                db,
                &format!(
                    "INSERT INTO users (id, email, display_name) VALUES {} ON CONFLICT (email) DO UPDATE SET display_name = EXCLUDED.display_name",
                    rows.join(", ")
                ),
            )
        }),
    }
}

/// BEGIN, `body`, COMMIT (ROLLBACK if it failed).
fn in_transaction(
    db: &mut Database,
    body: impl FnOnce(&mut Database) -> Result<usize, String>,
) -> Result<usize, String> {
    exec(db, "BEGIN")?;
    match body(db) {
        Ok(n) => exec(db, "COMMIT").map(|_| n),
        Err(e) => {
            let _ = db.execute("ROLLBACK");
            Err(e)
        }
    }
}

fn exec(db: &mut Database, sql: &str) -> Result<(), String> {
    db.execute(sql).map(|_| ()).map_err(|e| e.message)
}

fn affected(db: &mut Database, sql: &str) -> Result<usize, String> {
    use gluesql::core::executor::Payload;
    match db.execute(sql).map_err(|e| e.message)? {
        Payload::Update(n) | Payload::Delete(n) | Payload::Insert(n) => Ok(n),
        _ => Ok(0),
    }
}

fn ids(db: &mut Database, sql: &str) -> Result<Vec<i64>, String> {
    use gluesql::core::executor::Payload;
    use gluesql::prelude::Value;
    match db.execute(sql).map_err(|e| e.message)? {
        Payload::Select { rows, .. } => Ok(rows
            .iter()
            .filter_map(|r| match r.first() {
                Some(Value::I64(i)) => Some(*i),
                Some(Value::I32(i)) => Some(*i as i64),
                _ => None,
            })
            .collect()),
        _ => Ok(Vec::new()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_method_writes_n_rows_and_batches_use_one_statement() {
        for method in Method::ALL {
            let mut db = Database::new();
            seed(&mut db, 20).unwrap();
            let (written, measured) = run(&mut db, method, 20);
            assert_eq!(written, Ok(20), "{method:?}");
            let expected = match method {
                Method::InsertRowByRow | Method::InsertExecutemany => 20,
                Method::UpdatePerRow | Method::DeletePerRow => 21,
                Method::UpsertSelectThenWrite => 40,
                _ => 1,
            };
            assert_eq!(measured.statements(), expected, "{method:?}");
            let commits = if method == Method::InsertRowByRow {
                20
            } else {
                1
            };
            assert_eq!(measured.commits, commits, "{method:?}");
        }
    }

    #[test]
    fn both_upserts_leave_the_same_users() {
        let users = |method| {
            let mut db = Database::new();
            seed(&mut db, 20).unwrap();
            let (written, _) = run(&mut db, method, 20);
            assert_eq!(written, Ok(20), "{method:?}");
            match db
                .execute("SELECT id, email, display_name FROM users ORDER BY email")
                .unwrap()
            {
                gluesql::core::executor::Payload::Select { rows, .. } => rows,
                other => panic!("{other:?}"),
            }
        };
        let by_hand = users(Method::UpsertSelectThenWrite);
        assert_eq!(by_hand.len(), 20);
        assert_eq!(by_hand, users(Method::UpsertOnConflict));
    }
}
