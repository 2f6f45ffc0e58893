//! `UPDATE ... SET <primary key> = ...`, which GlueSQL refuses (it stores rows by their
//! key). Alembic moves its version this way (`UPDATE alembic_version SET version_num =
//! '...' WHERE ...`), so the playground does it as PostgreSQL does: the matching rows and
//! their new values are read with one query (through the whole front), then each row is
//! replaced in one atomic step, with every constraint checked as for an INSERT and the
//! foreign keys that point at the old keys checked as PostgreSQL's NO ACTION does
//! (`Key (id)=(1) is still referenced from table "orders"`). Keys referenced with
//! ON UPDATE or ON DELETE actions are refused rather than half-emulated.

use super::catalog::FkAction;
use crate::engine::storage_api::Run;
use crate::engine::{Database, EngineError};
use gluesql::core::data::Key;
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{AssignmentTarget, Statement, TableFactor};
use gluesql::core::store::StoreMut;

/// The table and key column an UPDATE assigns to, when it assigns to a stored key.
pub(crate) fn updates_key(statement: &Statement, db: &Database) -> bool {
    let Statement::Update {
        table, assignments, ..
    } = statement
    else {
        return false;
    };
    let TableFactor::Table { name, .. } = &table.relation else {
        return false;
    };
    let Some(t) = db.storage.state.table(&super::create::object_name(name)) else {
        return false;
    };
    let Some(position) = t.primary_key_position() else {
        return false;
    };
    let key_column = &t.meta.columns[position].name;
    assignments.iter().any(|a| match &a.target {
        AssignmentTarget::ColumnName(n) => n.0.last().is_some_and(|i| i.value == *key_column),
        _ => false,
    })
}

impl Database {
    pub(crate) fn update_key(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        let Statement::Update {
            table,
            assignments,
            from,
            selection,
            returning,
        } = statement
        else {
            unreachable!("checked by updates_key");
        };
        run.command = Some("UPDATE".into());
        self.refuse_read_only("UPDATE")?;
        if from.is_some() || returning.is_some() || !table.joins.is_empty() {
            return Err(EngineError::unsupported(
                "UPDATE of a primary key with FROM or RETURNING",
            ));
        }
        let TableFactor::Table { name, alias, .. } = &table.relation else {
            unreachable!("checked by updates_key");
        };
        let table_name = super::create::object_name(name);
        let (columns, key_position) = {
            let t = self.storage.state.table(&table_name).expect("checked");
            (
                t.meta
                    .columns
                    .iter()
                    .map(|c| c.name.clone())
                    .collect::<Vec<_>>(),
                t.primary_key_position().expect("checked"),
            )
        };
        let referenced_with_actions = self.storage.state.tables.values().any(|t| {
            t.meta.foreign_keys.iter().any(|fk| {
                fk.ref_table == table_name
                    && (!matches!(fk.on_delete, FkAction::NoAction | FkAction::Restrict)
                        || !matches!(fk.on_update, FkAction::NoAction | FkAction::Restrict))
            })
        });
        if referenced_with_actions {
            return Err(EngineError::unsupported(
                "UPDATE of a primary key that foreign keys reference with ON UPDATE or ON DELETE actions",
            ));
        }
        let mut targets = Vec::new();
        let mut exprs = Vec::new();
        for assignment in assignments {
            let AssignmentTarget::ColumnName(n) = &assignment.target else {
                return Err(EngineError::unsupported("this UPDATE target"));
            };
            let column = n.0.last().map(|i| i.value.clone()).unwrap_or_default();
            let Some(position) = columns.iter().position(|c| *c == column) else {
                return Err(EngineError::new(format!(
                    "column \"{column}\" of relation \"{table_name}\" does not exist"
                )));
            };
            targets.push(position);
            exprs.push(assignment.value.to_string());
        }
        let alias = alias
            .as_ref()
            .map(|a| format!(" AS {}", a.name))
            .unwrap_or_default();
        let filter = selection
            .as_ref()
            .map(|s| format!(" WHERE {s}"))
            .unwrap_or_default();
        let read = format!(
            "SELECT *, {} FROM {table_name}{alias}{filter}",
            exprs.join(", ")
        );
        let rows = match self.run_finished(&read, &mut Run::default())? {
            Payload::Select { rows, .. } => rows,
            _ => return Err(EngineError::unsupported("this UPDATE")),
        };
        let count = rows.len();
        // Row by row, in the order they were read: PostgreSQL checks a key as each row is
        // updated, so `SET id = id + 1` collides with the next row's old key.
        self.atomically(|db| {
            let engine_error = |e: gluesql::core::error::Error| crate::engine::engine_error(&e);
            db.storage.explicit_columns = columns.clone();
            for row in rows {
                let (old, new_values) = row.split_at(columns.len());
                let mut replaced = old.to_vec();
                for (position, value) in targets.iter().zip(new_values) {
                    replaced[*position] = value.clone();
                }
                let old_key = Key::try_from(old[key_position].clone()).map_err(engine_error)?;
                let new_key =
                    Key::try_from(replaced[key_position].clone()).map_err(engine_error)?;
                db.storage
                    .delete_data(&table_name, vec![old_key])
                    .map_err(engine_error)?;
                db.storage.inserting = true;
                let inserted = db
                    .storage
                    .insert_data(&table_name, vec![(new_key, replaced)]);
                db.storage.inserting = false;
                inserted.map_err(engine_error)?;
            }
            super::foreign::enforce(&mut db.storage).map_err(engine_error)
        })?;
        Ok(Payload::Update(count))
    }
}

#[cfg(test)]
mod tests {
    use crate::engine::Database;

    #[test]
    fn a_key_update_replaces_rows_and_checks_what_postgresql_checks() {
        let mut db = Database::new();
        db.execute("CREATE TABLE v (version_num VARCHAR(32) PRIMARY KEY)")
            .unwrap();
        db.execute("INSERT INTO v VALUES ('a1')").unwrap();
        db.execute("UPDATE v SET version_num = 'b2' WHERE v.version_num = 'a1'")
            .unwrap();
        assert_eq!(db.row_count("v"), Some(1));
        db.execute("CREATE TABLE t (id INT PRIMARY KEY, name TEXT)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
            .unwrap();
        let error = db.execute("UPDATE t SET id = id + 1").unwrap_err();
        assert_eq!(error.code.0, "23505", "{}", error.message);
        assert_eq!(
            error.detail.as_deref(),
            Some("Key (id)=(2) already exists.")
        );
        db.execute("UPDATE t SET id = id + 10 WHERE id = 3")
            .unwrap();
        db.execute("CREATE TABLE c (id INT PRIMARY KEY, t_id INT REFERENCES t (id))")
            .unwrap();
        db.execute("INSERT INTO c VALUES (1, 13)").unwrap();
        let error = db
            .execute("UPDATE t SET id = 30 WHERE id = 13")
            .unwrap_err();
        assert_eq!(error.code.0, "23503", "{}", error.message);
        // Nothing changed by the failed statements.
        assert_eq!(db.row_count("t"), Some(3));
        db.execute("SELECT id FROM t WHERE id = 13").unwrap();
    }
}
