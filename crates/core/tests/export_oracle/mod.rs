//! Exports against the real PostgreSQL (a module of the conformance binary, which owns the
//! connection helpers):
//! - the SQL dump of every page's default database loads into an empty PostgreSQL
//!   database, which then holds the same tables, columns, rows and indexes; the same dump
//!   also loads back into a fresh playground database with nothing lost;
//! - a result as CSV is what `COPY (query) TO STDOUT (FORMAT csv, HEADER)` writes, and as
//!   JSON what `json_agg` gives, for queries over every column type the pages use.

use super::{oracle_socket, OracleDatabase};
use sqlpatterns_core::console::{split_statements, ResultSet, StatementOutcome};
use sqlpatterns_core::engine::Database;
use sqlpatterns_core::export::ResultFormat;
use sqlpatterns_core::{catalogue, demo, lab, model_editor, patterns};
use std::path::Path;

/// Every page's database as a visitor finds it: a demo's seed, a lab's start with its
/// default knobs, or the tables of the page's models.
fn page_databases() -> Vec<(&'static str, Database)> {
    patterns::REGISTRY
        .iter()
        .filter_map(|pattern| {
            let source = catalogue::by_slug(pattern.slug)?.reference_code;
            let db = if let Some(demo) = patterns::demo_for(pattern.slug) {
                demo::start(demo, source).expect("the demo seeds").0
            } else if let Some(lab) = patterns::lab_for(pattern.slug) {
                let knobs = lab::KnobValues::defaults(lab.knobs);
                let mut db = Database::new();
                let _ = (lab.start)(&knobs, &mut db).expect("the lab starts");
                db
            } else {
                model_editor::build(source).database
            };
            Some((pattern.slug, db))
        })
        .collect()
}

fn query(db: &mut Database, sql: &str) -> ResultSet {
    let payload = db.execute(sql).unwrap_or_else(|e| panic!("{sql}: {e}"));
    match StatementOutcome::with_types(payload, db.result_types()) {
        StatementOutcome::Rows(rows) => rows,
        other => panic!("{sql}: no rows but {other:?}"),
    }
}

/// A table's rows as text, sorted (row order is not part of a table).
fn our_rows(db: &mut Database, table: &str) -> Vec<Vec<String>> {
    let mut rows: Vec<Vec<String>> = query(db, &format!("SELECT * FROM {}", ident(table)))
        .rows
        .into_iter()
        .map(|r| {
            r.into_iter()
                .map(|c| match c.kind {
                    sqlpatterns_core::console::CellKind::Null => "NULL".to_string(),
                    _ => c.text,
                })
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

fn pg_rows(client: &mut postgres::Client, sql: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    for message in client
        .simple_query(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
    {
        if let postgres::SimpleQueryMessage::Row(row) = message {
            rows.push(
                (0..row.len())
                    .map(|i| row.get(i).unwrap_or("NULL").to_string())
                    .collect(),
            );
        }
    }
    rows
}

fn ident(name: &str) -> String {
    sqlpatterns_core::model::ddl::quote_ident(name)
}

fn our_columns(db: &Database, table: &str) -> Vec<Vec<String>> {
    db.columns(table)
        .into_iter()
        .map(|(name, ty, not_null)| vec![name, ty.pg_name(), not_null.to_string()])
        .collect()
}

fn pg_columns(client: &mut postgres::Client, table: &str) -> Vec<Vec<String>> {
    pg_rows(
        client,
        &format!(
            "SELECT attname, format_type(atttypid, atttypmod), attnotnull::text FROM pg_attribute \
             WHERE attrelid = '{}'::regclass AND attnum > 0 AND NOT attisdropped ORDER BY attnum",
            ident(table).replace('\'', "''")
        ),
    )
    .into_iter()
    .map(|mut r| {
        r[2] = (r[2] == "true").to_string();
        // Our catalog calls `time without time zone` `time`, as CREATE TABLE spells it.
        if r[1] == "time without time zone" {
            r[1] = "time".into();
        }
        r
    })
    .collect()
}

fn sorted(mut names: Vec<String>) -> Vec<String> {
    names.sort();
    names
}

#[test]
fn export_dump_loads_into_postgresql() {
    let Some(socket) = oracle_socket() else {
        eprintln!("skipped: set SQLPATTERNS_PG to a PostgreSQL socket directory");
        return;
    };
    for (slug, mut db) in page_databases() {
        let dump = db.sql_dump();
        assert!(dump.left_out.is_empty(), "{slug}: {:?}", dump.left_out);
        let oracle = OracleDatabase::create_named(&socket, Path::new(slug), "_dump");
        let mut client = OracleDatabase::connect(&socket, &oracle.name);
        client
            .batch_execute("SET timezone = 'UTC'; SET DateStyle = 'ISO, MDY'")
            .expect("session settings");
        if let Err(e) = client.batch_execute(&dump.sql) {
            let detail = e
                .as_db_error()
                .map(|d| format!("{} ({})", d.message(), d.code().code()))
                .unwrap_or_else(|| e.to_string());
            panic!(
                "{slug}: PostgreSQL refused the dump: {detail}\n{}",
                dump.sql
            );
        }
        let tables = db.table_names();
        assert_eq!(
            sorted(tables.clone()),
            sorted(
                pg_rows(
                    &mut client,
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
                )
                .into_iter()
                .map(|r| r[0].clone())
                .collect()
            ),
            "{slug}: tables"
        );
        let mut reloaded = Database::new();
        for statement in split_statements(&dump.sql) {
            reloaded
                .execute(&statement.sql)
                .unwrap_or_else(|e| panic!("{slug}: reloading `{}`: {e}", statement.sql));
        }
        for table in &tables {
            assert_eq!(
                our_columns(&db, table),
                pg_columns(&mut client, table),
                "{slug}: columns of {table}"
            );
            let ours = our_rows(&mut db, table);
            let mut theirs = pg_rows(&mut client, &format!("SELECT * FROM {}", ident(table)));
            theirs.sort();
            assert_eq!(ours, theirs, "{slug}: rows of {table}");
            assert_eq!(
                sorted(db.index_names(table)),
                sorted(
                    pg_rows(
                        &mut client,
                        &format!(
                            "SELECT indexname FROM pg_indexes WHERE tablename = '{}'",
                            table.replace('\'', "''")
                        )
                    )
                    .into_iter()
                    .map(|r| r[0].clone())
                    .collect()
                ),
                "{slug}: indexes of {table}"
            );
            assert_eq!(
                db.constraints(table),
                reloaded.constraints(table),
                "{slug}: the reloaded constraints of {table}"
            );
            assert_eq!(
                our_rows(&mut reloaded, table),
                ours,
                "{slug}: the reloaded rows of {table}"
            );
            assert_eq!(
                sorted(reloaded.index_names(table)),
                sorted(db.index_names(table)),
                "{slug}: the reloaded indexes of {table}"
            );
        }
        eprintln!(
            "{slug}: {} tables, {} rows, {} KB",
            dump.tables,
            dump.rows,
            dump.sql.len() / 1024
        );
    }
}

/// Queries whose results cover the cell kinds: integers, numerics with scale, floats
/// (NaN too), booleans, text with commas, quotes, line breaks and empty strings, NULLs,
/// dates, timestamps with and without time zone, intervals, UUIDs, json.
const EXPORT_QUERIES: &[&str] = &[
    "SELECT 1 AS id, 'plain' AS t, 'a,b' AS comma, 'say \"hi\"' AS quoted, '' AS empty, NULL AS nothing",
    "SELECT 10.50::numeric(10,2) AS price, 1.5::float8 AS f, 'NaN'::float8 AS nan, true AS yes, false AS no",
    "SELECT DATE '2024-01-15' AS d, TIMESTAMP '2024-01-15 10:30:00' AS ts, TIMESTAMPTZ '2024-01-15 10:30:00+00' AS tstz, INTERVAL '1 day 2 hours' AS i",
    "SELECT 'line one\nline two' AS multi, '\\.' AS dot, 'a|b' AS pipe",
    "SELECT '\\.' AS dot",
    "SELECT CAST('6ba7b810-9dad-11d1-80b4-00c04fd430c8' AS uuid) AS u",
    "SELECT x AS n, x * 2 AS twice FROM (VALUES (1), (2), (3)) AS v(x) WHERE x > 5",
    "SELECT '{\"a\": [1, 2], \"b\": null}'::jsonb AS doc",
];

#[test]
fn export_formats_match_postgresql() {
    let Some(socket) = oracle_socket() else {
        eprintln!("skipped: set SQLPATTERNS_PG to a PostgreSQL socket directory");
        return;
    };
    let oracle = OracleDatabase::create_named(&socket, Path::new("export_formats"), "");
    let mut client = OracleDatabase::connect(&socket, &oracle.name);
    client
        .batch_execute("SET timezone = 'UTC'; SET DateStyle = 'ISO, MDY'")
        .expect("session settings");
    for sql in EXPORT_QUERIES {
        let mut db = Database::new();
        let result = query(&mut db, sql);

        let mut copied = Vec::new();
        let mut reader = client
            .copy_out(&format!("COPY ({sql}) TO STDOUT (FORMAT csv, HEADER)"))
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        std::io::Read::read_to_end(&mut reader, &mut copied).expect("COPY output");
        drop(reader);
        assert_eq!(
            ResultFormat::Csv.render(&result),
            String::from_utf8(copied).expect("UTF-8"),
            "CSV of {sql}"
        );

        let aggregated = pg_rows(
            &mut client,
            &format!("SELECT coalesce(json_agg(q), '[]')::text FROM ({sql}) AS q"),
        );
        let theirs: serde_json::Value =
            serde_json::from_str(&aggregated[0][0]).expect("PostgreSQL's JSON");
        let ours: serde_json::Value = serde_json::from_str(&ResultFormat::Json.render(&result))
            .unwrap_or_else(|e| panic!("our JSON of {sql} does not parse: {e}"));
        assert_eq!(ours, theirs, "JSON of {sql}");
    }
}
