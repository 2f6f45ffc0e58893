//! Display-ready results: every value becomes text the UI can show as is.
//!
//! GlueSQL serialises a UUID as a u128 number (which JavaScript cannot even hold), so
//! values are converted here, natively tested, and never sent to the UI raw.

use gluesql::core::executor::Payload;
use gluesql::prelude::Value;
use serde::Serialize;

/// How a cell should be styled (numbers right-aligned, NULL dimmed, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum CellKind {
    Null,
    Bool,
    Number,
    Text,
    Temporal,
    Uuid,
    Json,
    Other,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    pub text: String,
    pub kind: CellKind,
}

impl From<&Value> for Cell {
    fn from(value: &Value) -> Self {
        let kind = match value {
            Value::Null => CellKind::Null,
            Value::Bool(_) => CellKind::Bool,
            v if crate::engine::is_number(v) => CellKind::Number,
            Value::Str(_) => CellKind::Text,
            Value::Date(_) | Value::Timestamp(_) | Value::Time(_) | Value::Interval(_) => {
                CellKind::Temporal
            }
            Value::Uuid(_) => CellKind::Uuid,
            Value::Map(_) | Value::List(_) => CellKind::Json,
            _ => CellKind::Other,
        };
        Cell {
            text: pg_text(value),
            kind,
        }
    }
}

pub use crate::dialect::output::pg_text;

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ResultSet {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
}

/// What one successful statement produced.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub enum StatementOutcome {
    Rows(ResultSet),
    Affected {
        verb: &'static str,
        count: usize,
    },
    /// DDL or transaction control: a short message ("CREATE TABLE", "COMMIT").
    Done(String),
}

impl From<Payload> for StatementOutcome {
    fn from(payload: Payload) -> Self {
        Self::with_types(payload, &[])
    }
}

impl StatementOutcome {
    /// The outcome with each result column shown as PostgreSQL shows its type
    /// (`types` from [`crate::engine::Database::result_types`]; unknown ones by value).
    pub fn with_types(payload: Payload, types: &[Option<crate::dialect::PgType>]) -> Self {
        match payload {
            Payload::Select { labels, rows } => {
                let typed = types.len() == labels.len();
                StatementOutcome::Rows(ResultSet {
                    columns: labels,
                    rows: rows
                        .iter()
                        .map(|row| {
                            row.iter()
                                .enumerate()
                                .map(|(i, value)| {
                                    let mut cell = Cell::from(value);
                                    if let (true, Some(Some(ty))) = (typed, types.get(i)) {
                                        if !value.is_null() {
                                            cell.text =
                                                crate::dialect::output::pg_text_as(value, ty);
                                            // json and jsonb are stored as text.
                                            if matches!(
                                                ty,
                                                crate::dialect::PgType::Json
                                                    | crate::dialect::PgType::Jsonb
                                            ) {
                                                cell.kind = CellKind::Json;
                                            }
                                        }
                                    }
                                    cell
                                })
                                .collect()
                        })
                        .collect(),
                })
            }
            Payload::SelectMap(maps) => {
                // Schemaless rows: the union of keys, in first-seen order, as columns.
                let mut columns: Vec<String> = Vec::new();
                for map in &maps {
                    for key in map.keys() {
                        if !columns.contains(key) {
                            columns.push(key.clone());
                        }
                    }
                }
                let rows = maps
                    .iter()
                    .map(|map| {
                        columns
                            .iter()
                            .map(|c| {
                                map.get(c)
                                    .map_or_else(|| Cell::from(&Value::Null), Cell::from)
                            })
                            .collect()
                    })
                    .collect();
                StatementOutcome::Rows(ResultSet { columns, rows })
            }
            Payload::ShowColumns(columns) => StatementOutcome::Rows(ResultSet {
                columns: vec!["column".into(), "type".into()],
                rows: columns
                    .into_iter()
                    .map(|(name, ty)| {
                        vec![
                            Cell {
                                text: name,
                                kind: CellKind::Text,
                            },
                            Cell {
                                text: ty.to_string(),
                                kind: CellKind::Text,
                            },
                        ]
                    })
                    .collect(),
            }),
            Payload::ShowVariable(variable) => {
                use gluesql::prelude::PayloadVariable;
                let (column, values) = match variable {
                    PayloadVariable::Tables(t) => ("table", t),
                    PayloadVariable::Functions(f) => ("function", f),
                    PayloadVariable::Version(v) => ("version", vec![v]),
                };
                StatementOutcome::Rows(ResultSet {
                    columns: vec![column.into()],
                    rows: values
                        .into_iter()
                        .map(|text| {
                            vec![Cell {
                                text,
                                kind: CellKind::Text,
                            }]
                        })
                        .collect(),
                })
            }
            Payload::Insert(count) => StatementOutcome::Affected {
                verb: "inserted",
                count,
            },
            Payload::Update(count) => StatementOutcome::Affected {
                verb: "updated",
                count,
            },
            Payload::Delete(count) => StatementOutcome::Affected {
                verb: "deleted",
                count,
            },
            Payload::DropTable(count) => StatementOutcome::Affected {
                verb: "dropped",
                count,
            },
            Payload::Create => StatementOutcome::Done("CREATE TABLE".into()),
            Payload::DropFunction => StatementOutcome::Done("DROP FUNCTION".into()),
            Payload::AlterTable => StatementOutcome::Done("ALTER TABLE".into()),
            Payload::CreateIndex => StatementOutcome::Done("CREATE INDEX".into()),
            Payload::DropIndex => StatementOutcome::Done("DROP INDEX".into()),
            Payload::StartTransaction => StatementOutcome::Done("BEGIN".into()),
            Payload::Commit => StatementOutcome::Done("COMMIT".into()),
            Payload::Rollback => StatementOutcome::Done("ROLLBACK".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Database;

    fn rows(db: &mut Database, sql: &str) -> ResultSet {
        match StatementOutcome::from(db.execute(sql).unwrap()) {
            StatementOutcome::Rows(rs) => rs,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn uuid_is_shown_as_text_not_a_number() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (id UUID)").unwrap();
        db.execute("INSERT INTO t VALUES ('936da01f-9abd-4d9d-80c7-02af85c822a8')")
            .unwrap();
        let rs = rows(&mut db, "SELECT id FROM t");
        assert_eq!(rs.rows[0][0].text, "936da01f-9abd-4d9d-80c7-02af85c822a8");
        assert_eq!(rs.rows[0][0].kind, CellKind::Uuid);
    }

    #[test]
    fn generated_uuid_is_text_too() {
        let mut db = Database::new();
        let rs = rows(&mut db, "SELECT GENERATE_UUID() AS id");
        let text = &rs.rows[0][0].text;
        assert_eq!(text.len(), 36, "{text}");
        assert_eq!(text.matches('-').count(), 4, "{text}");
    }

    #[test]
    fn each_kind_of_value_converts() {
        let mut db = Database::new();
        let rs = rows(
            &mut db,
            "SELECT 1 AS i, 1.5 AS f, 'x' AS s, NULL AS n, TRUE AS b, \
             CAST('2024-01-02' AS DATE) AS d, CAST('{\"a\": 1}' AS MAP) AS m",
        );
        assert_eq!(rs.columns, ["i", "f", "s", "n", "b", "d", "m"]);
        let kinds: Vec<_> = rs.rows[0].iter().map(|c| c.kind).collect();
        assert_eq!(
            kinds,
            [
                CellKind::Number,
                CellKind::Number,
                CellKind::Text,
                CellKind::Null,
                CellKind::Bool,
                CellKind::Temporal,
                CellKind::Json
            ]
        );
        let texts: Vec<_> = rs.rows[0].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            ["1", "1.5", "x", "NULL", "t", "2024-01-02", "{\"a\":1}"]
        );
    }

    #[test]
    fn writes_and_ddl_become_messages() {
        let mut db = Database::new();
        assert_eq!(
            StatementOutcome::from(db.execute("CREATE TABLE t (a INT)").unwrap()),
            StatementOutcome::Done("CREATE TABLE".into())
        );
        assert_eq!(
            StatementOutcome::from(db.execute("INSERT INTO t VALUES (1), (2)").unwrap()),
            StatementOutcome::Affected {
                verb: "inserted",
                count: 2
            }
        );
        assert_eq!(
            StatementOutcome::from(db.execute("DELETE FROM t WHERE a = 1").unwrap()),
            StatementOutcome::Affected {
                verb: "deleted",
                count: 1
            }
        );
    }
}
