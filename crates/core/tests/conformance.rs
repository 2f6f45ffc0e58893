//! The PostgreSQL conformance corpus: `tests/sql/*.slt`, in the standard sqllogictest
//! format, run by the `sqllogictest` crate's runner against two engines.
//!
//! - **PostgreSQL, the oracle.** Every expectation in the corpus was recorded from a real
//!   PostgreSQL 15, never typed by hand. With `SQLPATTERNS_PG=<socket dir>` (scripts/test
//!   starts a throwaway cluster and sets it), `corpus_matches_postgresql` runs each file on
//!   a fresh database and fails on any drift between the checked-in expectation and what
//!   the server says now. `SQLPATTERNS_RECORD=1` rewrites the files from the server instead
//!   (after adding or editing records: write `statement ok` or `query` and the SQL, then
//!   record).
//! - **The playground's engine.** `playground_answers_as_postgresql` runs each file on a
//!   fresh [`Database`]. A record passes, or the engine refuses it with
//!   `feature not supported in this playground: ...` (0A000), or it runs into a known
//!   difference (KNOWN_DIFFERENCES.md); any other answer is a wrong answer and fails the
//!   test. Refusals and known differences are listed in `tests/sql/divergences.txt`,
//!   checked in: the test fails when the list changes, so every fix and every new
//!   refusal shows up there (`SQLPATTERNS_BLESS=1` rewrites it).
//! - **After a refusal.** When the playground refuses a statement PostgreSQL ran, the two
//!   sessions hold different data from there on, and a later record can differ for that
//!   reason alone. The file is then re-run on PostgreSQL with each such statement
//!   replaced by one that fails (nothing changes, an open transaction aborts, as with the
//!   refusal), and the later records are checked against that run: one that answers as
//!   PostgreSQL does there is listed as `after-refusal`, one that does not as `differs`.
//!   This test needs the server too (it is skipped without `SQLPATTERNS_PG`).
//!
//! Conventions of the recorded output (the same code formats both engines):
//! - a query's first result line is its column names, as PostgreSQL names them;
//! - cells are PostgreSQL's text output (`t`/`f`, NUMERIC with its scale), `NULL` for NULL,
//!   `(empty)` for an empty string, separated by single spaces;
//! - column types: `I` integer, `N` numeric, `R` float, `T` text, `B` boolean, `D`
//!   date/time, `U` uuid, `J` json, `?` anything else;
//! - errors are psql's verbose form: `ERROR:  <SQLSTATE>: <message>` with `DETAIL:  ` and
//!   `HINT:  ` lines;
//! - `statement count N` for INSERT/UPDATE/DELETE is the command tag's row count.
//!
//! `onlyif sqlpatterns` / `skipif sqlpatterns` (and `postgresql`) mark records for one
//! engine: a known difference is the PostgreSQL record with `skipif sqlpatterns` next to
//! our engine's own answer with `onlyif sqlpatterns` (see KNOWN_DIFFERENCES.md).

use gluesql::core::executor::Payload;
use gluesql::prelude::Value;
use sqllogictest::{
    ColumnType, Condition, DBOutput, ExpectedError, QueryExpect, Record, RecordOutput, Runner,
    StatementExpect, DB,
};
use sqlpatterns_core::console::pg_text;
use sqlpatterns_core::dialect::output::pg_text_as;
use sqlpatterns_core::dialect::PgType;
use sqlpatterns_core::engine::Database;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

mod export_oracle;

const OUR_LABEL: &str = "sqlpatterns";
const ORACLE_LABEL: &str = "postgresql";

// ---------------------------------------------------------------------------------------
// What both engines return

/// A result column's type class, as the corpus's `query <types>` line spells it.
#[derive(Clone, Debug, PartialEq, Eq)]
enum PgColumnType {
    Integer,
    Numeric,
    Float,
    Text,
    Boolean,
    Temporal,
    Uuid,
    Json,
    Any,
}

impl ColumnType for PgColumnType {
    fn from_char(value: char) -> Option<Self> {
        Some(match value {
            'I' => Self::Integer,
            'N' => Self::Numeric,
            'R' => Self::Float,
            'T' => Self::Text,
            'B' => Self::Boolean,
            'D' => Self::Temporal,
            'U' => Self::Uuid,
            'J' => Self::Json,
            _ => Self::Any,
        })
    }

    fn to_char(&self) -> char {
        match self {
            Self::Integer => 'I',
            Self::Numeric => 'N',
            Self::Float => 'R',
            Self::Text => 'T',
            Self::Boolean => 'B',
            Self::Temporal => 'D',
            Self::Uuid => 'U',
            Self::Json => 'J',
            Self::Any => '?',
        }
    }
}

/// Types must match, except that our engine may not know a column's type when every value
/// in it is NULL (it types values, not expressions, for now), and that a type outside the
/// classes (`?`, e.g. pg_typeof's regtype) is not compared.
#[allow(clippy::ptr_arg)] // the runner's ColumnTypeValidator signature
fn column_types_agree(ours: &Vec<PgColumnType>, expected: &Vec<PgColumnType>) -> bool {
    ours.len() == expected.len()
        && ours
            .iter()
            .zip(expected)
            .all(|(o, e)| o == e || *o == PgColumnType::Any || *e == PgColumnType::Any)
}

/// An error as psql prints it verbosely; `code` is its SQLSTATE.
#[derive(Debug)]
struct SqlError {
    code: String,
    text: String,
}

impl std::fmt::Display for SqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl std::error::Error for SqlError {}

fn cell_text(text: Option<&str>) -> String {
    match text {
        None => "NULL".to_string(),
        Some("") => "(empty)".to_string(),
        Some(text) => text.to_string(),
    }
}

fn is_dml(sql: &str) -> bool {
    let first = sql
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_ascii_uppercase();
    matches!(first.as_str(), "INSERT" | "UPDATE" | "DELETE")
}

// ---------------------------------------------------------------------------------------
// The playground's engine

/// Our [`Database`] behind a channel, on a thread of its own: the runner wants a `Send`
/// connection and the database keeps `Rc`s.
struct Playground {
    sql: mpsc::Sender<String>,
    answers: mpsc::Receiver<Result<DBOutput<PgColumnType>, SqlError>>,
}

/// The known difference (KNOWN_DIFFERENCES.md) the last statement ran into, if any: the
/// engine flags it, and the ledger lists such records as `known`.
type LastDifference = std::sync::Arc<std::sync::Mutex<Option<String>>>;

/// One statement's answer in the corpus's shape.
fn playground_answer(db: &mut Database, sql: &str) -> Result<DBOutput<PgColumnType>, SqlError> {
    let payload = db.execute(sql).map_err(|e| SqlError {
        code: e.code.0.to_string(),
        text: e.psql_text(),
    })?;
    let declared: Vec<Option<PgType>> = db.result_types().to_vec();
    Ok(match payload {
        Payload::Select { labels, rows } => {
            let declared = (declared.len() == labels.len()).then_some(declared);
            let declared_type = |i: usize| declared.as_ref().and_then(|d| d[i].as_ref());
            let types = (0..labels.len())
                .map(|i| match declared_type(i) {
                    Some(ty) => declared_class(ty),
                    None => rows
                        .iter()
                        .map(|r| &r[i])
                        .find(|v| !matches!(v, Value::Null))
                        .map_or(PgColumnType::Any, value_type),
                })
                .collect();
            let mut lines = vec![labels];
            lines.extend(rows.iter().map(|row| {
                row.iter()
                    .enumerate()
                    .map(|(i, v)| match (v, declared_type(i)) {
                        (Value::Null, _) => cell_text(None),
                        (v, Some(ty)) => cell_text(Some(&pg_text_as(v, ty))),
                        (v, None) => cell_text(Some(&pg_text(v))),
                    })
                    .collect()
            }));
            DBOutput::Rows { types, rows: lines }
        }
        Payload::Insert(n) | Payload::Update(n) | Payload::Delete(n) => {
            DBOutput::StatementComplete(n as u64)
        }
        _ => DBOutput::StatementComplete(0),
    })
}

fn declared_class(ty: &PgType) -> PgColumnType {
    match ty {
        PgType::SmallInt | PgType::Integer | PgType::BigInt => PgColumnType::Integer,
        PgType::Numeric { .. } => PgColumnType::Numeric,
        PgType::Real | PgType::Double => PgColumnType::Float,
        PgType::Varchar(_) | PgType::Char(_) | PgType::Text | PgType::Enum(_) => PgColumnType::Text,
        PgType::Bool => PgColumnType::Boolean,
        PgType::Timestamp { .. } | PgType::Date | PgType::Time | PgType::Interval => {
            PgColumnType::Temporal
        }
        PgType::Uuid => PgColumnType::Uuid,
        PgType::Json | PgType::Jsonb => PgColumnType::Json,
        _ => PgColumnType::Any,
    }
}

fn value_type(value: &Value) -> PgColumnType {
    match value {
        Value::I8(_) | Value::I16(_) | Value::I32(_) | Value::I64(_) | Value::I128(_) => {
            PgColumnType::Integer
        }
        Value::U8(_) | Value::U16(_) | Value::U32(_) | Value::U64(_) | Value::U128(_) => {
            PgColumnType::Integer
        }
        Value::Decimal(_) => PgColumnType::Numeric,
        Value::F32(_) | Value::F64(_) => PgColumnType::Float,
        Value::Str(_) => PgColumnType::Text,
        Value::Bool(_) => PgColumnType::Boolean,
        Value::Date(_) | Value::Timestamp(_) | Value::Time(_) | Value::Interval(_) => {
            PgColumnType::Temporal
        }
        Value::Uuid(_) => PgColumnType::Uuid,
        Value::Map(_) | Value::List(_) => PgColumnType::Json,
        _ => PgColumnType::Any,
    }
}

impl Playground {
    fn start(last_difference: LastDifference) -> Self {
        let (sql_tx, sql_rx) = mpsc::channel::<String>();
        let (answer_tx, answer_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut db = Database::new();
            for sql in sql_rx {
                // A panic is a divergence like any other (and a bug): report it, go on.
                let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    playground_answer(&mut db, &sql)
                }))
                .inspect(|_| {
                    *last_difference.lock().unwrap() = db
                        .log()
                        .entries()
                        .last()
                        .and_then(|e| e.difference)
                        .map(|d| d.id.to_string());
                })
                .unwrap_or_else(|panic| {
                    let what = panic
                        .downcast_ref::<String>()
                        .cloned()
                        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                        .unwrap_or_default();
                    Err(SqlError {
                        code: "XX000".into(),
                        text: format!("ERROR:  XX000: the engine panicked: {what}"),
                    })
                });
                if answer_tx.send(answer).is_err() {
                    break;
                }
            }
        });
        Self {
            sql: sql_tx,
            answers: answer_rx,
        }
    }
}

impl DB for Playground {
    type Error = SqlError;
    type ColumnType = PgColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<PgColumnType>, SqlError> {
        self.sql.send(sql.to_string()).expect("engine thread alive");
        self.answers.recv().expect("engine thread answers")
    }

    fn engine_name(&self) -> &str {
        OUR_LABEL
    }

    fn error_sql_state(err: &SqlError) -> Option<String> {
        Some(err.code.clone())
    }
}

// ---------------------------------------------------------------------------------------
// PostgreSQL, the oracle

struct Postgres {
    client: postgres::Client,
}

fn pg_error(error: postgres::Error) -> SqlError {
    match error.as_db_error() {
        Some(db) => {
            let mut text = format!("ERROR:  {}: {}", db.code().code(), db.message());
            if let Some(detail) = db.detail() {
                text.push_str("\nDETAIL:  ");
                text.push_str(detail);
            }
            if let Some(hint) = db.hint() {
                text.push_str("\nHINT:  ");
                text.push_str(hint);
            }
            SqlError {
                code: db.code().code().to_string(),
                text,
            }
        }
        None => SqlError {
            code: "08000".into(),
            text: format!("connection: {error}"),
        },
    }
}

fn pg_type(ty: &postgres::types::Type) -> PgColumnType {
    use postgres::types::Type;
    match *ty {
        Type::INT2 | Type::INT4 | Type::INT8 => PgColumnType::Integer,
        Type::NUMERIC => PgColumnType::Numeric,
        Type::FLOAT4 | Type::FLOAT8 => PgColumnType::Float,
        Type::TEXT | Type::VARCHAR | Type::BPCHAR | Type::NAME | Type::UNKNOWN => {
            PgColumnType::Text
        }
        Type::BOOL => PgColumnType::Boolean,
        Type::DATE | Type::TIME | Type::TIMESTAMP | Type::TIMESTAMPTZ | Type::INTERVAL => {
            PgColumnType::Temporal
        }
        Type::UUID => PgColumnType::Uuid,
        Type::JSON | Type::JSONB => PgColumnType::Json,
        _ => PgColumnType::Any,
    }
}

impl DB for Postgres {
    type Error = SqlError;
    type ColumnType = PgColumnType;

    fn run(&mut self, sql: &str) -> Result<DBOutput<PgColumnType>, SqlError> {
        use postgres::SimpleQueryMessage;
        let messages = self.client.simple_query(sql).map_err(pg_error)?;
        let mut names: Option<Vec<String>> = None;
        let mut rows = Vec::new();
        let mut count = 0;
        for message in messages {
            match message {
                SimpleQueryMessage::RowDescription(columns) => {
                    names = Some(columns.iter().map(|c| c.name().to_string()).collect());
                }
                SimpleQueryMessage::Row(row) => {
                    rows.push((0..row.len()).map(|i| cell_text(row.get(i))).collect());
                }
                SimpleQueryMessage::CommandComplete(n) => count = n,
                _ => {}
            }
        }
        let Some(names) = names else {
            return Ok(DBOutput::StatementComplete(count));
        };
        // The simple protocol sends no types: describe the statement (it already ran, so
        // this cannot fail where the run did not).
        let types = match self.client.prepare(sql) {
            Ok(statement) => statement
                .columns()
                .iter()
                .map(|c| pg_type(c.type_()))
                .collect(),
            Err(error) => panic!("cannot describe {sql:?} after running it: {error}"),
        };
        let mut lines = vec![names];
        lines.extend(rows);
        Ok(DBOutput::Rows { types, rows: lines })
    }

    fn engine_name(&self) -> &str {
        ORACLE_LABEL
    }

    fn error_sql_state(err: &SqlError) -> Option<String> {
        Some(err.code.clone())
    }
}

/// A fresh database on the oracle server for one corpus file, dropped afterwards.
struct OracleDatabase {
    socket_dir: String,
    name: String,
}

impl OracleDatabase {
    fn connect(socket_dir: &str, dbname: &str) -> postgres::Client {
        postgres::Config::new()
            .host(socket_dir)
            .user("postgres")
            .dbname(dbname)
            .connect(postgres::NoTls)
            .unwrap_or_else(|e| panic!("cannot connect to PostgreSQL at {socket_dir}: {e}"))
    }

    fn create(socket_dir: &str, file: &Path) -> Self {
        Self::create_named(socket_dir, file, "")
    }

    /// A fresh database for `file`, its name ending in `suffix` (two can exist at once).
    fn create_named(socket_dir: &str, file: &Path, suffix: &str) -> Self {
        let stem = file.file_stem().unwrap().to_string_lossy();
        let name = format!(
            "slt_{}{suffix}",
            stem.replace(|c: char| !c.is_ascii_alphanumeric(), "_")
        );
        let mut admin = Self::connect(socket_dir, "postgres");
        for sql in [
            format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            format!("CREATE DATABASE {name}"),
        ] {
            admin
                .batch_execute(&sql)
                .expect("create the file's database");
        }
        Self {
            socket_dir: socket_dir.to_string(),
            name,
        }
    }

    fn session(socket_dir: &str, dbname: &str) -> Postgres {
        let mut client = Self::connect(socket_dir, dbname);
        client
            .batch_execute("SET timezone = 'UTC'; SET DateStyle = 'ISO, MDY'")
            .expect("session settings");
        Postgres { client }
    }
}

impl Drop for OracleDatabase {
    fn drop(&mut self) {
        let mut admin = Self::connect(&self.socket_dir, "postgres");
        let _ = admin.batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            self.name
        ));
    }
}

// ---------------------------------------------------------------------------------------
// The corpus

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sql")
}

fn corpus_files() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(corpus_dir())
        .expect("tests/sql")
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no corpus files");
    files
}

fn records(file: &Path) -> Vec<Record<PgColumnType>> {
    sqllogictest::parse_file(file).unwrap_or_else(|e| panic!("{}: {e}", file.display()))
}

fn file_name(file: &Path) -> String {
    file.file_name().unwrap().to_string_lossy().to_string()
}

fn one_line(sql: &str) -> String {
    sql.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Counts the SQL statements (statement and query records) of the corpus.
fn statement_count(records: &[Record<PgColumnType>]) -> usize {
    records
        .iter()
        .filter(|r| matches!(r, Record::Statement { .. } | Record::Query { .. }))
        .count()
}

/// The record rewritten to say what the oracle answered.
fn recorded(
    record: Record<PgColumnType>,
    output: &RecordOutput<PgColumnType>,
) -> Record<PgColumnType> {
    let error_of =
        |e: &dyn std::fmt::Display| ExpectedError::Multiline(e.to_string().trim().to_string());
    match (record, output) {
        (
            Record::Statement {
                loc,
                conditions,
                connection,
                sql,
                retry,
                ..
            }
            | Record::Query {
                loc,
                conditions,
                connection,
                sql,
                retry,
                ..
            },
            RecordOutput::Statement { count, error },
        ) => {
            let expected = match error {
                Some(e) => StatementExpect::Error(error_of(e)),
                None if is_dml(&sql) => StatementExpect::Count(*count),
                None => StatementExpect::Ok,
            };
            Record::Statement {
                loc,
                conditions,
                connection,
                sql,
                expected,
                retry,
            }
        }
        (
            Record::Statement {
                loc,
                conditions,
                connection,
                sql,
                retry,
                ..
            },
            RecordOutput::Query { error, .. },
        ) => Record::Statement {
            loc,
            conditions,
            connection,
            sql,
            expected: match error {
                Some(e) => StatementExpect::Error(error_of(e)),
                None => StatementExpect::Ok,
            },
            retry,
        },
        (
            Record::Query {
                loc,
                conditions,
                connection,
                sql,
                expected,
                retry,
            },
            RecordOutput::Query { types, rows, error },
        ) => {
            let (sort_mode, result_mode, label) = match expected {
                QueryExpect::Results {
                    sort_mode,
                    result_mode,
                    label,
                    ..
                } => (sort_mode, result_mode, label),
                QueryExpect::Error(_) => (None, None, None),
            };
            let expected = match error {
                Some(e) => QueryExpect::Error(error_of(e)),
                None => QueryExpect::Results {
                    types: types.clone(),
                    sort_mode,
                    result_mode,
                    label,
                    results: rows.iter().map(|r| r.join(" ")).collect(),
                },
            };
            Record::Query {
                loc,
                conditions,
                connection,
                sql,
                expected,
                retry,
            }
        }
        (record, _) => record,
    }
}

fn oracle_socket() -> Option<String> {
    std::env::var("SQLPATTERNS_PG")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Re-runs the corpus on PostgreSQL: with `SQLPATTERNS_RECORD=1` it rewrites each file from
/// the server's answers; otherwise it fails on any record whose checked-in expectation is
/// not what the server says (drift).
#[test]
fn corpus_matches_postgresql() {
    let Some(socket_dir) = oracle_socket() else {
        eprintln!("SQLPATTERNS_PG is not set: the PostgreSQL oracle is not checked (scripts/test sets it)");
        return;
    };
    let record_mode = std::env::var("SQLPATTERNS_RECORD").is_ok_and(|v| v == "1");
    let mut drift = Vec::new();
    let mut total = 0;
    for file in corpus_files() {
        let oracle = OracleDatabase::create(&socket_dir, &file);
        let (dir, dbname) = (oracle.socket_dir.clone(), oracle.name.clone());
        let mut runner = Runner::new(move || {
            let session = OracleDatabase::session(&dir, &dbname);
            async move { Ok(session) }
        });
        runner.add_label(ORACLE_LABEL);
        runner.with_column_validator(sqllogictest::strict_column_validator);
        let records = records(&file);
        total += statement_count(&records);
        let mut out = String::new();
        for record in records {
            if record_mode {
                let output = futures::executor::block_on(runner.apply_record(record.clone()));
                out.push_str(&format!("{}\n", recorded(record, &output)));
            } else if let Err(e) = runner.run(record) {
                drift.push(format!("{}: {}", file_name(&file), e.display(false)));
            }
        }
        drop(runner);
        if record_mode {
            // One blank line between records, one newline at the end, as written by hand.
            let mut text = out.trim_end().to_string();
            while text.contains("\n\n\n\n") {
                text = text.replace("\n\n\n\n", "\n\n\n");
            }
            std::fs::write(&file, text + "\n").unwrap();
        }
    }
    eprintln!("PostgreSQL oracle: {total} statements");
    assert!(
        drift.is_empty(),
        "{} records differ from what PostgreSQL says now (re-record with SQLPATTERNS_RECORD=1 and review the diff):\n\n{}",
        drift.len(),
        drift.join("\n")
    );
}

/// How a record fared on the playground's engine, when it did not simply pass.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Divergence {
    /// `feature not supported in this playground` (0A000): allowed, listed.
    Refused,
    /// A known difference (KNOWN_DIFFERENCES.md), which the console names in one line.
    Known(String),
    /// Not PostgreSQL's recorded answer, because an earlier statement of the file that
    /// PostgreSQL ran was refused here, so the two databases hold different data: checked
    /// against PostgreSQL re-run with the refused statements failing there too (see
    /// `replay_with_refusals`), where it answers as PostgreSQL does.
    AfterRefusal,
    /// Any other answer than PostgreSQL's: a lesson taught wrong, listed until fixed.
    Differs,
}

const LEDGER: &str = "divergences.txt";

/// One ledger line: `<file> | refused|differs | <sql on one line>`.
fn ledger_line(file: &str, kind: &Divergence, sql: &str) -> String {
    let kind = match kind {
        Divergence::Refused => "refused".to_string(),
        Divergence::Known(id) => format!("known {id}"),
        Divergence::AfterRefusal => "after-refusal".to_string(),
        Divergence::Differs => "differs".to_string(),
    };
    format!("{file} | {kind} | {}", one_line(sql))
}

/// One record's answer on the playground.
struct Answer {
    sql: String,
    output: RecordOutput<PgColumnType>,
    /// The known difference the engine flagged, if any.
    known: Option<String>,
}

/// Runs one corpus file on a fresh playground database: each record's answer (None for
/// records that are not statements, or not for our engine).
fn playground_answers(records: &[Record<PgColumnType>]) -> Vec<Option<Answer>> {
    let last_difference = LastDifference::default();
    let shared = last_difference.clone();
    let mut runner = Runner::new(move || {
        let shared = shared.clone();
        async move { Ok(Playground::start(shared)) }
    });
    runner.add_label(OUR_LABEL);
    runner.with_column_validator(column_types_agree);
    let mut answers = Vec::with_capacity(records.len());
    for record in records {
        let sql = match record {
            Record::Statement {
                sql, conditions, ..
            }
            | Record::Query {
                sql, conditions, ..
            } => (!skipped_for(conditions, OUR_LABEL)).then(|| sql.clone()),
            _ => None,
        };
        let output = futures::executor::block_on(runner.apply_record(record.clone()));
        answers.push(sql.map(|sql| Answer {
            sql,
            output,
            known: last_difference.lock().unwrap().clone(),
        }));
    }
    answers
}

/// Whether PostgreSQL's recorded answer to `record` is a success (it changed the session).
fn postgres_succeeded(record: &Record<PgColumnType>) -> bool {
    match record {
        Record::Statement { expected, .. } => !matches!(expected, StatementExpect::Error(_)),
        Record::Query { expected, .. } => !matches!(expected, QueryExpect::Error(_)),
        _ => false,
    }
}

/// The records PostgreSQL ran and the playground refused: from the first of them on, the
/// two sessions hold different data.
fn refused_successes(records: &[Record<PgColumnType>], answers: &[Option<Answer>]) -> Vec<usize> {
    records
        .iter()
        .zip(answers)
        .enumerate()
        .filter(|(_, (record, answer))| {
            answer.as_ref().is_some_and(|a| refusal(&a.output)) && postgres_succeeded(record)
        })
        .map(|(i, _)| i)
        .collect()
}

/// The file re-recorded on a fresh PostgreSQL database where each record at `refused` runs
/// a statement that fails instead (an error, like the playground's refusal: nothing
/// changes, and an open transaction is aborted in both): what PostgreSQL answers to the
/// other records given the same statements the playground ran.
fn replay_with_refusals(
    socket_dir: &str,
    file: &Path,
    records: &[Record<PgColumnType>],
    refused: &[usize],
) -> Vec<Record<PgColumnType>> {
    let oracle = OracleDatabase::create_named(socket_dir, file, "_replay");
    let (dir, dbname) = (oracle.socket_dir.clone(), oracle.name.clone());
    let mut runner = Runner::new(move || {
        let session = OracleDatabase::session(&dir, &dbname);
        async move { Ok(session) }
    });
    runner.add_label(ORACLE_LABEL);
    runner.with_column_validator(sqllogictest::strict_column_validator);
    let mut replayed = Vec::with_capacity(records.len());
    for (i, record) in records.iter().enumerate() {
        let mut run = record.clone();
        if refused.contains(&i) {
            if let Record::Statement { sql, .. } | Record::Query { sql, .. } = &mut run {
                *sql = "SELECT refused_by_the_playground()".to_string();
            }
        }
        let output = futures::executor::block_on(runner.apply_record(run));
        replayed.push(recorded(record.clone(), &output));
    }
    drop(runner);
    replayed
}

/// The records of one file that did not pass, with the runner's report. With `replayed`
/// (see `replay_with_refusals`), a record after a refused success is checked against it.
fn classify(
    name: &str,
    records: &[Record<PgColumnType>],
    answers: &[Option<Answer>],
    replayed: Option<(&[Record<PgColumnType>], usize)>,
) -> Vec<(String, String)> {
    let mut divergent = Vec::new();
    for (i, (record, answer)) in records.iter().zip(answers).enumerate() {
        let Some(answer) = answer else { continue };
        let Err(report) = check(record, &answer.output) else {
            continue;
        };
        let (kind, report) = if refusal(&answer.output) {
            (Divergence::Refused, report)
        } else if let Some(id) = &answer.known {
            (Divergence::Known(id.clone()), report)
        } else if let Some((replay, _)) = replayed.filter(|(_, first)| i > *first) {
            match check(&replay[i], &answer.output) {
                Ok(()) => (Divergence::AfterRefusal, report),
                Err(report) => (Divergence::Differs, report),
            }
        } else {
            (Divergence::Differs, report)
        };
        divergent.push((ledger_line(name, &kind, &answer.sql), report));
    }
    divergent
}

/// Runs one corpus file on a fresh playground database: the records that did not pass,
/// with the runner's report, and the number of statements run.
fn run_on_playground(
    name: &str,
    records: Vec<Record<PgColumnType>>,
) -> (usize, Vec<(String, String)>) {
    let answers = playground_answers(&records);
    let ran = answers.iter().flatten().count();
    (ran, classify(name, &records, &answers, None))
}

/// Whether our engine refused the statement (0A000).
fn refusal(output: &RecordOutput<PgColumnType>) -> bool {
    let error = match output {
        RecordOutput::Statement { error, .. } | RecordOutput::Query { error, .. } => error,
        _ => return false,
    };
    error
        .as_ref()
        .is_some_and(|e| e.to_string().starts_with("ERROR:  0A000: "))
}

/// Compares an output with its record's expectation the way the runner does (normalised
/// whitespace, exact multi-line errors, statement counts, column types).
fn check(record: &Record<PgColumnType>, output: &RecordOutput<PgColumnType>) -> Result<(), String> {
    let normalise = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    match (record, output) {
        (Record::Statement { expected, .. }, RecordOutput::Statement { count, error }) => {
            match (expected, error) {
                (StatementExpect::Ok, None) => Ok(()),
                (StatementExpect::Count(n), None) if n == count => Ok(()),
                (StatementExpect::Count(n), None) => {
                    Err(format!("expected {n} rows affected, got {count}"))
                }
                (StatementExpect::Error(e), Some(actual)) => error_matches(e, actual),
                (StatementExpect::Error(e), None) => {
                    Err(format!("expected error {e}, got success"))
                }
                (_, Some(actual)) => Err(format!("expected success, got:\n{actual}")),
            }
        }
        (Record::Statement { expected, .. }, RecordOutput::Query { error, .. }) => {
            match (expected, error) {
                (StatementExpect::Ok, None) => Ok(()),
                (StatementExpect::Error(e), Some(actual)) => error_matches(e, actual),
                (_, Some(actual)) => Err(format!("expected success, got:\n{actual}")),
                (_, None) => Err("expected a statement, got rows".to_string()),
            }
        }
        (Record::Query { expected, .. }, RecordOutput::Query { types, rows, error }) => {
            match (expected, error) {
                (QueryExpect::Error(e), Some(actual)) => error_matches(e, actual),
                (QueryExpect::Error(e), None) => Err(format!("expected error {e}, got rows")),
                (QueryExpect::Results { .. }, Some(actual)) => {
                    Err(format!("expected rows, got:\n{actual}"))
                }
                (
                    QueryExpect::Results {
                        types: want_types,
                        results,
                        ..
                    },
                    None,
                ) => {
                    let got: Vec<String> = rows.iter().map(|r| normalise(&r.join(" "))).collect();
                    let want: Vec<String> = results.iter().map(|r| normalise(r)).collect();
                    if got != want {
                        Err(format!(
                            "expected:\n  {}\ngot:\n  {}",
                            want.join("\n  "),
                            got.join("\n  ")
                        ))
                    } else if !column_types_agree(types, want_types) {
                        let chars = |t: &Vec<PgColumnType>| {
                            t.iter().map(|c| c.to_char()).collect::<String>()
                        };
                        Err(format!(
                            "column types: expected {}, got {}",
                            chars(want_types),
                            chars(types)
                        ))
                    } else {
                        Ok(())
                    }
                }
            }
        }
        (Record::Query { .. }, RecordOutput::Statement { error, .. }) => Err(match error {
            Some(e) => format!("expected rows, got:\n{e}"),
            None => "expected rows, got a statement".to_string(),
        }),
        _ => Ok(()),
    }
}

fn error_matches(expected: &ExpectedError, actual: &impl std::fmt::Display) -> Result<(), String> {
    if expected.is_match(&actual.to_string(), None) {
        Ok(())
    } else {
        Err(format!("expected error:\n{expected}\ngot:\n{actual}"))
    }
}

/// Whether a record's `onlyif`/`skipif` conditions leave it out for `label`.
fn skipped_for(conditions: &[Condition], label: &str) -> bool {
    conditions.iter().any(|c| match c {
        Condition::OnlyIf { label: l } => l != label,
        Condition::SkipIf { label: l } => l == label,
    })
}

/// Every corpus record on the playground's engine: it answers as PostgreSQL did, or its
/// refusal or divergence is in `tests/sql/divergences.txt` (and nothing else is).
#[test]
fn playground_answers_as_postgresql() {
    let Some(socket_dir) = oracle_socket() else {
        eprintln!("SQLPATTERNS_PG is not set: the playground is not checked against PostgreSQL (scripts/test sets it)");
        return;
    };
    let mut lines = Vec::new();
    let mut reports = Vec::new();
    let mut total = 0;
    for file in corpus_files() {
        let name = file_name(&file);
        let records = records(&file);
        let answers = playground_answers(&records);
        total += answers.iter().flatten().count();
        let refused = refused_successes(&records, &answers);
        let replayed = refused.first().map(|first| {
            (
                replay_with_refusals(&socket_dir, &file, &records, &refused),
                *first,
            )
        });
        let divergent = classify(
            &name,
            &records,
            &answers,
            replayed.as_ref().map(|(r, first)| (r.as_slice(), *first)),
        );
        for (line, report) in divergent {
            reports.push(format!("{line}\n{report}"));
            lines.push(line);
        }
    }
    let refused = lines.iter().filter(|l| l.contains(" | refused | ")).count();
    let known = lines.iter().filter(|l| l.contains(" | known ")).count();
    let after = lines
        .iter()
        .filter(|l| l.contains(" | after-refusal | "))
        .count();
    let differs = lines.len() - refused - known - after;
    eprintln!(
        "playground: {total} statements, {} as PostgreSQL ({after} of them only after a refused statement), {refused} refused (0A000), {known} known differences, {differs} differ",
        total - lines.len() + after
    );
    // No wrong answer may land, listed or not.
    let wrong: Vec<&String> = reports
        .iter()
        .filter(|r| {
            r.lines()
                .next()
                .is_some_and(|l| l.contains(" | differs | "))
        })
        .collect();
    assert!(
        wrong.is_empty(),
        "{} records answer differently from PostgreSQL:\n\n{}",
        wrong.len(),
        wrong
            .iter()
            .map(|r| r.as_str())
            .collect::<Vec<_>>()
            .join("\n\n")
    );
    let ledger_path = corpus_dir().join(LEDGER);
    let mut text = String::from(
        "# Corpus records the playground does not answer as PostgreSQL, recorded by\n\
         # tests/conformance.rs (SQLPATTERNS_BLESS=1). `refused`: 0A000, allowed.\n\
         # `known <id>`: a difference KNOWN_DIFFERENCES.md explains and the console names.\n\
         # `after-refusal`: not PostgreSQL's recorded answer because an earlier statement\n\
         # PostgreSQL ran was refused here; PostgreSQL re-run with that statement failing\n\
         # gives this answer (checked on every run).\n\
         # A record that answers otherwise (a wrong answer) fails the test outright.\n\
         # Checked: the test fails when this list changes.\n",
    );
    for line in &lines {
        text.push_str(line);
        text.push('\n');
    }
    if std::env::var("SQLPATTERNS_BLESS").is_ok_and(|v| v == "1") {
        std::fs::write(&ledger_path, &text).unwrap();
        return;
    }
    let checked_in = std::fs::read_to_string(&ledger_path).unwrap_or_default();
    if checked_in != text {
        let old: Vec<&str> = checked_in.lines().filter(|l| !l.starts_with('#')).collect();
        let new: Vec<&str> = text.lines().filter(|l| !l.starts_with('#')).collect();
        let fixed: Vec<&&str> = old.iter().filter(|l| !new.contains(l)).collect();
        let broken: Vec<String> = reports
            .iter()
            .filter(|r| !old.contains(&r.lines().next().unwrap_or_default()))
            .cloned()
            .collect();
        panic!(
            "the playground's divergences from PostgreSQL changed ({} now, {} listed).\n\
             No longer diverging ({}):\n  {}\n\nNew ({}):\n\n{}\n\n\
             If every change is intended, rewrite {LEDGER} with SQLPATTERNS_BLESS=1.",
            new.len(),
            old.len(),
            fixed.len(),
            fixed
                .iter()
                .map(|l| l.to_string())
                .collect::<Vec<_>>()
                .join("\n  "),
            broken.len(),
            broken.join("\n\n")
        );
    }
}

/// The comparison itself must be able to fail: a wrong expectation, a wrong error and a
/// missing error are each reported.
#[test]
fn the_playground_check_reports_mismatches() {
    let script = "statement ok\nCREATE TABLE t (id INT PRIMARY KEY)\n\n\
                  query I\nSELECT 1\n----\n?column?\n2\n\n\
                  statement error\nSELECT * FROM missing\n----\nERROR:  42P01: nope\n\n\n\
                  statement ok\nSELEC 1\n\n\
                  statement count 3\nINSERT INTO t VALUES (1)\n";
    let records = sqllogictest::parse::<PgColumnType>(script).unwrap();
    let (ran, divergent) = run_on_playground("self.slt", records);
    assert_eq!(ran, 5);
    assert_eq!(divergent.len(), 4, "{divergent:#?}");
}
