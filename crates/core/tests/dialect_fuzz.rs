//! The front on random and malformed input: never a panic, always a readable error.
//! Inputs are random token soups over PostgreSQL's vocabulary and mutations (truncation,
//! token deletion, duplication, swaps) of the conformance scripts' statements, from a
//! fixed seed so a failure reproduces. The number of inputs tried is printed.

use sqlpatterns_core::engine::Database;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

const VOCABULARY: &[&str] = &[
    "CREATE",
    "TABLE",
    "INDEX",
    "UNIQUE",
    "CONCURRENTLY",
    "IF",
    "NOT",
    "EXISTS",
    "ON",
    "ALTER",
    "ADD",
    "DROP",
    "COLUMN",
    "CONSTRAINT",
    "CHECK",
    "PRIMARY",
    "KEY",
    "FOREIGN",
    "REFERENCES",
    "CASCADE",
    "SET",
    "NULL",
    "DEFAULT",
    "RESTRICT",
    "NO",
    "ACTION",
    "VALID",
    "VALIDATE",
    "RENAME",
    "TO",
    "TYPE",
    "USING",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "DELETE",
    "FROM",
    "WHERE",
    "RETURNING",
    "SELECT",
    "ORDER",
    "BY",
    "DESC",
    "LIMIT",
    "AND",
    "OR",
    "IN",
    "IS",
    "BEGIN",
    "ROLLBACK",
    "SAVEPOINT",
    "VARCHAR(3)",
    "CHAR(2)",
    "NUMERIC(4,1)",
    "BIGINT",
    "SMALLINT",
    "SERIAL",
    "TIMESTAMPTZ",
    "JSONB",
    "BOOL",
    "REAL",
    "DOUBLE PRECISION",
    "AS",
    "ENUM",
    "t",
    "u",
    "id",
    "a",
    "b",
    "parent_id",
    "email",
    "LOWER(email)",
    "DATE(a)",
    "gen_random_uuid()",
    "now()",
    "$1",
    "(",
    ")",
    ",",
    ";",
    "*",
    "=",
    "<",
    ">",
    "<=",
    "'x'",
    "'{\"k\": 1}'",
    "1",
    "0.5",
    "-7",
    "99999",
    "(a, b)",
    "(1, 2)",
    "NULL",
    "'",
    "\"",
    "::",
    "||",
    "--",
    "/*",
    "\u{e9}",
    "\u{1F600}",
];

fn statements_of_scripts() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/sql");
    let mut out = Vec::new();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "slt"))
        .collect();
    files.sort();
    for file in files {
        for line in std::fs::read_to_string(file).unwrap().lines() {
            let line = line.trim();
            let keyword = line.split_whitespace().next().unwrap_or("");
            if matches!(
                keyword,
                "CREATE" | "INSERT" | "UPDATE" | "DELETE" | "SELECT" | "ALTER" | "DROP"
            ) {
                out.push(line.to_string());
            }
        }
    }
    out
}

fn setup() -> Database {
    let mut db = Database::new();
    // The scripts' tables, so that mutated statements meet real tables and constraints.
    for sql in statements_of_scripts() {
        if sql.starts_with("CREATE") || sql.starts_with("INSERT") {
            let _ = db.execute(&sql);
        }
    }
    let _ = db.execute("DROP TABLE IF EXISTS u");
    let _ = db.execute("DROP TABLE IF EXISTS t");
    for sql in [
        "CREATE TABLE t (id SERIAL PRIMARY KEY, a VARCHAR(3), b INT CHECK (b > 0), email TEXT UNIQUE)",
        "CREATE TABLE u (id INT PRIMARY KEY, parent_id INT REFERENCES u (id) ON DELETE CASCADE, t_id INT REFERENCES t (id) ON DELETE SET NULL)",
        "INSERT INTO t (a, b, email) VALUES ('x', 1, 'p@x'), ('y', 2, 'q@x')",
        "INSERT INTO u VALUES (1, NULL, 1), (2, 1, 2)",
    ] {
        db.execute(sql).unwrap();
    }
    db
}

fn mutate(rng: &mut Rng, sql: &str) -> String {
    let mut tokens: Vec<String> = sql.split(' ').map(str::to_string).collect();
    match rng.below(5) {
        0 => {
            let cut = rng.below(sql.len() + 1);
            let cut = (0..=cut)
                .rev()
                .find(|i| sql.is_char_boundary(*i))
                .unwrap_or(0);
            return sql[..cut].to_string();
        }
        1 if !tokens.is_empty() => {
            let at = rng.below(tokens.len());
            tokens.remove(at);
        }
        2 if !tokens.is_empty() => {
            let at = rng.below(tokens.len());
            let token = tokens[at].clone();
            tokens.insert(at, token);
        }
        3 if tokens.len() > 1 => {
            let (i, j) = (rng.below(tokens.len()), rng.below(tokens.len()));
            tokens.swap(i, j);
        }
        _ => {
            let at = rng.below(tokens.len() + 1);
            tokens.insert(at, VOCABULARY[rng.below(VOCABULARY.len())].to_string());
        }
    }
    tokens.join(" ")
}

#[test]
fn random_and_malformed_statements_never_panic() {
    let corpus = statements_of_scripts();
    assert!(corpus.len() > 100, "{}", corpus.len());
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut db = setup();
    let start = db.snapshot();
    let (mut tried, mut failed, mut succeeded) = (0usize, 0usize, 0usize);
    for round in 0..4000 {
        if round % 64 == 0 {
            db.restore(&start);
            db.clear_log();
        }
        let sql = if rng.below(3) == 0 {
            let n = 1 + rng.below(12);
            (0..n)
                .map(|_| VOCABULARY[rng.below(VOCABULARY.len())])
                .collect::<Vec<_>>()
                .join(" ")
        } else {
            let base = &corpus[rng.below(corpus.len())];
            let mut sql = mutate(&mut rng, base);
            if rng.below(3) == 0 {
                sql = mutate(&mut rng, &sql);
            }
            sql
        };
        if db.in_transaction() && rng.below(4) != 0 {
            db.execute("ROLLBACK").unwrap();
        }
        tried += 1;
        let outcome = catch_unwind(AssertUnwindSafe(|| db.execute(&sql)));
        match outcome {
            Err(_) => panic!("panic on input #{tried}: {sql:?}"),
            Ok(Ok(_)) => succeeded += 1,
            Ok(Err(e)) => {
                failed += 1;
                if std::env::var("FUZZ_SHOW").is_ok() && failed % 200 == 0 {
                    println!("{sql}\n  -> {}", e.message);
                }
                assert!(!e.message.trim().is_empty(), "empty error for {sql:?}");
                assert!(
                    !e.message.contains("ParserError("),
                    "raw parser debug text for {sql:?}: {}",
                    e.message
                );
            }
        }
        // The database stays usable: a statement that fails changes nothing it can see.
        if round % 97 == 0 {
            db.execute("ROLLBACK").unwrap();
            db.execute("SELECT COUNT(*) FROM t").map(|_| ()).ok();
        }
    }
    println!("dialect fuzz: {tried} inputs tried ({succeeded} ran, {failed} failed with an error)");
    assert_eq!(tried, 4000);
    assert!(
        failed > tried / 4,
        "mutations should mostly fail: {failed}/{tried}"
    );
    assert!(succeeded > 0, "some inputs should run");
}

#[test]
fn parameters_bind_to_placeholders() {
    use sqlpatterns_core::dialect::IntoParamLiteral;
    let mut db = setup();
    let payload = db
        .execute_with_params(
            "SELECT email FROM t WHERE b = $1 AND a = $2",
            vec![2i64.into_param_literal(), "y".into_param_literal()],
        )
        .unwrap();
    assert_eq!(
        format!("{payload:?}"),
        format!(
            "{:?}",
            gluesql::core::executor::Payload::Select {
                labels: vec!["email".into()],
                rows: vec![vec![gluesql::prelude::Value::Str("q@x".into())]],
            }
        )
    );
    db.execute_with_params(
        "INSERT INTO t (a, b, email) VALUES ($1, $2, $3)",
        vec![
            "z".into_param_literal(),
            3i64.into_param_literal(),
            "r@x".into_param_literal(),
        ],
    )
    .unwrap();
    // Constraints apply to bound values as to literals.
    let err = db
        .execute_with_params(
            "INSERT INTO t (a, b, email) VALUES ($1, $2, $3)",
            vec![
                "long".into_param_literal(),
                3i64.into_param_literal(),
                "s@x".into_param_literal(),
            ],
        )
        .unwrap_err();
    assert_eq!(err.message, "value too long for type character varying(3)");
    // Without values, a placeholder is an error, not a panic.
    assert!(db.execute("SELECT * FROM t WHERE id = $1").is_err());
}
