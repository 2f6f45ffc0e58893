//! The bodies of the fuzz targets, in one place for both of their callers: the
//! coverage-guided libFuzzer targets in `fuzz/` (`fuzz/src/lib.rs` includes this file with
//! `#[path]`, run by `scripts/fuzz`) and the stable smoke test `tests/fuzz_targets.rs`,
//! which runs each target on a fixed number of seeded inputs and on every file in
//! `tests/fuzz_regressions/<target>/`.
//!
//! Each target takes raw bytes, builds its input from them (raw text, or a structured
//! input from a small grammar driven by the `arbitrary` crate) and panics if, and only if,
//! something is wrong: a panic inside the code under test, or a broken invariant checked
//! here. Each returns a small summary of what the input did, so the smoke test can check
//! that its inputs reach the interesting paths (some statements run, some links decode).
//!
//! Input layout: a first byte of `0xF8..=0xFF` never occurs in UTF-8 text, so it marks a
//! structured input where a target also accepts plain text (see each target).

use arbitrary::Unstructured;
use sqlpatterns_core::console::{self, ScriptBudget, ScriptRun};
use sqlpatterns_core::engine::{Budget, Database};
use sqlpatterns_core::lab::{KnobKind, KnobSpec, KnobValues};
use sqlpatterns_core::share::{
    decode_state, encode_state, EmbedOptions, Location, PageState, Panel, Theme,
};
use sqlpatterns_core::{catalogue, model, model_editor, patterns};
use std::collections::BTreeMap;
use std::time::Duration;

/// The fuzz targets by name, as `scripts/fuzz` and the smoke test know them.
pub const TARGETS: [&str; 4] = ["model_parser", "sql_engine", "permalink", "knob_values"];

/// What one input did, for the smoke test's sanity checks (a fuzz run ignores it).
#[derive(Clone, Debug, Default)]
pub struct Summary {
    /// Inputs of the structured kind (generated from the grammar) rather than raw text.
    pub structured: usize,
    /// Things that worked: statements that ran, links that decoded, tables built, knobs read.
    pub ok: usize,
    /// Things refused with a reason: statements that failed, links refused, diagnostics.
    pub refused: usize,
    /// Errors left in GlueSQL's words (SQLSTATE XX000): not a crash, but worth a look.
    pub internal: Vec<String>,
}

impl Summary {
    pub fn add(&mut self, other: Summary) {
        self.structured += other.structured;
        self.ok += other.ok;
        self.refused += other.refused;
        self.internal.extend(other.internal);
    }
}

/// Whether `data` starts with the structured-input marker (a byte UTF-8 never has).
fn structured(data: &[u8]) -> Option<(u8, &[u8])> {
    match data.split_first() {
        Some((&b, rest)) if b >= 0xF8 => Some((b - 0xF8, rest)),
        _ => None,
    }
}

/// Infallible choices over the fuzzer's bytes. When the bytes run out every choice is the
/// first (smallest, "stop") one, so a generator always terminates.
struct Gen<'a> {
    u: Unstructured<'a>,
}

impl<'a> Gen<'a> {
    fn new(data: &'a [u8]) -> Self {
        Self {
            u: Unstructured::new(data),
        }
    }

    /// A number in `0..n` (0 for n <= 1 or when out of bytes).
    fn below(&mut self, n: usize) -> usize {
        if n <= 1 {
            return 0;
        }
        self.u.int_in_range(0..=n - 1).unwrap_or(0)
    }

    fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    /// True with roughly `percent`% chance; false when out of bytes.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) >= 100 - percent.min(100)
    }

    fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.u.int_in_range(lo..=hi).unwrap_or(lo)
    }

    /// A short arbitrary string (at most `max` chars) from the bytes.
    fn text(&mut self, max: usize) -> String {
        let s: &str = self.u.arbitrary().unwrap_or("");
        s.chars().take(max).collect()
    }

    /// A short string, mostly from `pool`, sometimes arbitrary.
    fn word(&mut self, pool: &[&str], max: usize) -> String {
        if self.chance(15) {
            self.text(max)
        } else {
            self.pick(pool).to_string()
        }
    }
}

/// Applies one small damage (truncate, delete, duplicate, insert) to `text`, keeping it
/// valid UTF-8: generated inputs are mostly well-formed, this reaches the error paths.
fn damage(g: &mut Gen, text: &str, tokens: &[&str]) -> String {
    let boundary = |g: &mut Gen, text: &str| {
        let at = g.below(text.len() + 1);
        (0..=at)
            .rev()
            .find(|i| text.is_char_boundary(*i))
            .unwrap_or(0)
    };
    let i = boundary(g, text);
    let j = i + boundary(g, &text[i..]).min(40);
    let j = (i..=j)
        .rev()
        .find(|k| text.is_char_boundary(*k))
        .unwrap_or(i);
    match g.below(4) {
        0 => text[..i].to_string(),
        1 => format!("{}{}", &text[..i], &text[j..]),
        2 => format!("{}{}{}", &text[..j], &text[i..j], &text[j..]),
        _ => {
            let token = g.word(tokens, 8);
            format!("{} {token} {}", &text[..i], &text[i..])
        }
    }
}

// ---------------------------------------------------------------------------------------
// model_parser: SQLAlchemy declarative Python into the parser, the DDL, the diagram and
// the model editor's build (which runs the DDL on a fresh database).
// ---------------------------------------------------------------------------------------

/// Input: UTF-8 text (lossily decoded) is the model source; a first byte `0xF8..` instead
/// generates a source from a grammar of the SQLAlchemy constructs the parser reads, then
/// maybe damages it.
pub fn model_parser(data: &[u8]) -> Summary {
    let mut summary = Summary::default();
    let source = match structured(data) {
        Some((mode, rest)) => {
            summary.structured = 1;
            let mut g = Gen::new(rest);
            let mut source = generate_models(&mut g);
            if !mode.is_multiple_of(2) {
                for _ in 0..=g.below(3) {
                    source = damage(&mut g, &source, PYTHON_TOKENS);
                }
            }
            source
        }
        None => String::from_utf8_lossy(data).into_owned(),
    };
    check_model_source(&source, &mut summary);
    summary
}

fn check_model_source(source: &str, summary: &mut Summary) {
    // Lines as Python (and the lexer) count them: "\n", "\r\n" and a lone "\r" end one.
    let lines = source.replace("\r\n", "\n").matches(['\n', '\r']).count() as u32 + 1;
    let parsed = model::parse(source);
    for d in &parsed.diagnostics {
        assert!(!d.message.trim().is_empty(), "empty diagnostic: {d:?}");
        assert!(
            d.line >= 1 && d.column >= 1,
            "a diagnostic outside the text: {d:?}"
        );
        assert!(
            d.line <= lines + 1,
            "a diagnostic past the last line ({lines}): {d:?}"
        );
    }
    let ddl = model::to_ddl(&parsed.ir);
    let statements = model::ddl_statements(&parsed.ir);
    // Every table gets its CREATE TABLE (tables in a foreign-key cycle too).
    let creates = statements
        .iter()
        .filter(|s| s.starts_with("CREATE TABLE"))
        .count();
    assert_eq!(
        creates,
        parsed.ir.tables.len(),
        "tables and CREATE TABLEs differ:\n{ddl}"
    );
    let svg = model::to_svg(&parsed.ir);
    assert!(
        svg.starts_with("<svg"),
        "not an SVG: {}",
        &svg[..svg.len().min(60)]
    );
    // The editor's build: the same parse (with the Base Model prelude when the source uses
    // BaseModel), the DDL run on a fresh database, diagnostics moved into the edited text.
    let build = model_editor::build(source);
    assert_eq!(build.ddl_runs.len(), model::ddl_statements(&build.ir).len());
    for d in &build.diagnostics {
        assert!(
            d.line >= 1,
            "a build diagnostic before the edited text: {d:?}"
        );
    }
    for run in &build.ddl_runs {
        if let Some(error) = &run.error {
            assert!(!error.trim().is_empty(), "empty DDL error for {}", run.sql);
        }
    }
    summary.ok += build.tables.len();
    summary.refused += build.error_count() + build.failed_statements();
}

const PYTHON_TOKENS: &[&str] = &[
    "class",
    "def",
    "(",
    ")",
    ":",
    "=",
    "[",
    "]",
    ",",
    "'",
    "\"",
    "\"\"\"",
    "\n",
    "\n    ",
    "    ",
    "\t",
    "\\",
    "#",
    "@",
    "|",
    "None",
    "True",
    "lambda:",
    "Mapped",
    "mapped_column",
    "relationship",
    "ForeignKey",
    "__tablename__",
    "__table_args__",
    "Base",
    "BaseModel",
    "String(",
    "0x1F",
    "1e9",
    "é",
];

const MODEL_NAMES: &[&str] = &["User", "Order", "Item", "Tag", "Node", "Account", "Status"];
const TABLE_NAMES: &[&str] = &[
    "users", "orders", "items", "tags", "nodes", "accounts", "user",
];
const FIELD_NAMES: &[&str] = &[
    "id",
    "email",
    "name",
    "user_id",
    "order_id",
    "parent_id",
    "status",
    "created_at",
    "price",
    "payload",
    "deleted_at",
    "type",
    "select",
    "Name",
];
const ANNOTATIONS: &[&str] = &[
    "int",
    "str",
    "bool",
    "float",
    "Decimal",
    "datetime",
    "date",
    "dict",
    "uuid.UUID",
    "int | None",
    "str | None",
    "Optional[int]",
    "Status",
    "'Status'",
    "list[str]",
    "bytes",
];
const SQL_TYPES: &[&str] = &[
    "String(255)",
    "String(3)",
    "String",
    "Integer",
    "BigInteger",
    "SmallInteger",
    "Text",
    "Boolean",
    "Numeric(10, 2)",
    "Numeric",
    "Float",
    "DateTime(timezone=True)",
    "DateTime",
    "Date",
    "JSON",
    "JSONB",
    "UUID(as_uuid=True)",
    "Enum(Status)",
    "Enum('a', 'b', name='ab')",
    "LargeBinary",
    "Interval",
    "String(0)",
    "Numeric(2, 5)",
];
const COLUMN_ARGS: &[&str] = &[
    "primary_key=True",
    "nullable=False",
    "nullable=True",
    "unique=True",
    "index=True",
    "default=0",
    "default='x'",
    "default=None",
    "default=lambda: str(uuid4())",
    "default=datetime.utcnow",
    "server_default=func.now()",
    "server_default=text('0')",
    "server_default='a'",
    "onupdate=func.now()",
    "autoincrement=False",
    "comment='c'",
    "unique=False",
    "index=False",
    "primary_key=False",
    "name='col'",
    "key='k'",
];
const FK_ACTIONS: &[&str] = &[
    "CASCADE",
    "SET NULL",
    "RESTRICT",
    "NO ACTION",
    "SET DEFAULT",
    "bogus",
];
const RELATIONSHIP_ARGS: &[&str] = &[
    "back_populates='items'",
    "back_populates='user'",
    "cascade='all, delete-orphan'",
    "cascade='save-update'",
    "lazy='selectin'",
    "lazy='joined'",
    "lazy='dynamic'",
    "secondary=assoc",
    "secondary='assoc'",
    "uselist=False",
    "passive_deletes=True",
    "remote_side=[id]",
    "remote_side='Node.id'",
    "foreign_keys=[user_id]",
    "order_by='Item.id'",
    "viewonly=True",
];

fn generate_models(g: &mut Gen) -> String {
    let mut out = String::new();
    if g.chance(70) {
        out.push_str("from sqlalchemy import ForeignKey, String, Integer, Index, UniqueConstraint, CheckConstraint, Table, Column, func\n");
        out.push_str(
            "from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n\n",
        );
    }
    match g.below(3) {
        0 => out.push_str("class Base(DeclarativeBase):\n    pass\n\n"),
        1 => {} // BaseModel from the Base Model pattern's prelude, or nothing at all
        _ => out.push_str(
            "class Base(DeclarativeBase):\n    pass\n\nclass TimestampMixin:\n    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())\n\n",
        ),
    }
    if g.chance(30) {
        out.push_str("class Status(enum.Enum):\n    ACTIVE = 'active'\n    GONE = 'gone'\n\n");
    }
    if g.chance(25) {
        let a = g.pick(TABLE_NAMES);
        let b = g.pick(TABLE_NAMES);
        out.push_str(&format!(
            "assoc = Table(\n    '{}',\n    Base.metadata,\n    Column('{a}_id', ForeignKey('{a}.id'), primary_key=True),\n    Column('{b}_id', {}, ForeignKey('{b}.id', ondelete='{}'), primary_key={}),\n)\n\n",
            g.word(&["assoc", "user_tags", "x"], 10),
            g.pick(SQL_TYPES),
            g.pick(FK_ACTIONS),
            g.pick(&["True", "False"]),
        ));
    }
    for _ in 0..=g.below(4) {
        generate_class(g, &mut out);
    }
    out
}

fn generate_class(g: &mut Gen, out: &mut String) {
    let name = g.word(MODEL_NAMES, 12);
    let bases = g.pick(&[
        "Base",
        "BaseModel",
        "Base, TimestampMixin",
        "TimestampMixin, Base",
        "object",
        "",
    ]);
    out.push_str(&format!("class {name}({bases}):\n"));
    let indent = g.pick(&["    ", "    ", "  ", "\t"]);
    if g.chance(10) {
        out.push_str(&format!("{indent}\"\"\"A docstring.\"\"\"\n"));
    }
    if g.chance(85) {
        out.push_str(&format!(
            "{indent}__tablename__ = '{}'\n",
            g.word(TABLE_NAMES, 12)
        ));
    }
    if g.chance(8) {
        out.push_str(&format!("{indent}__abstract__ = True\n"));
    }
    for _ in 0..g.below(7) {
        let field = g.word(FIELD_NAMES, 12);
        match g.below(6) {
            0..=3 => {
                let mut args: Vec<String> = Vec::new();
                if g.chance(60) {
                    args.push(g.pick(SQL_TYPES).to_string());
                }
                if g.chance(30) {
                    args.push(format!(
                        "ForeignKey('{}.{}', ondelete='{}')",
                        g.word(TABLE_NAMES, 10),
                        g.pick(&["id", "email", "missing"]),
                        g.pick(FK_ACTIONS)
                    ));
                }
                for _ in 0..g.below(4) {
                    args.push(g.pick(COLUMN_ARGS).to_string());
                }
                let ann = g.word(ANNOTATIONS, 10);
                let call = if g.chance(10) {
                    "Column"
                } else {
                    "mapped_column"
                };
                out.push_str(&format!(
                    "{indent}{field}: Mapped[{ann}] = {call}({})\n",
                    args.join(", ")
                ));
            }
            4 => {
                let target = g.word(MODEL_NAMES, 10);
                let ann = g
                    .pick(&[
                        "'{}'",
                        "list['{}']",
                        "{}",
                        "List[{}]",
                        "'{} | None'",
                        "Optional['{}']",
                    ])
                    .replace("{}", &target);
                let args: Vec<&str> = (0..g.below(4)).map(|_| g.pick(RELATIONSHIP_ARGS)).collect();
                out.push_str(&format!(
                    "{indent}{field}: Mapped[{ann}] = relationship({})\n",
                    args.join(", ")
                ));
            }
            _ => {
                let mut items: Vec<String> = Vec::new();
                for _ in 0..=g.below(3) {
                    let a = g.pick(FIELD_NAMES);
                    let b = g.pick(FIELD_NAMES);
                    items.push(match g.below(4) {
                        0 => format!("UniqueConstraint('{a}', '{b}', name='uq_{a}')"),
                        1 => format!(
                            "Index('ix_{a}', '{a}', '{b}', unique={})",
                            g.pick(&["True", "False"])
                        ),
                        2 => format!("CheckConstraint('{a} > 0', name='ck_{a}')"),
                        _ => format!("Index('ix_{a}_lower', func.lower({a}))"),
                    });
                }
                let sep = if g.chance(50) { ",)" } else { ")" };
                out.push_str(&format!(
                    "{indent}__table_args__ = ({}{sep}\n",
                    items.join(", ")
                ));
            }
        }
    }
    out.push('\n');
}

// ---------------------------------------------------------------------------------------
// sql_engine: scripts through the console (split, run statement by statement, results to
// cells) on a fresh database with a tight budget.
// ---------------------------------------------------------------------------------------

/// Each statement's budget in the fuzz runs: tight, so one input stays quick (the other
/// limits as on a page).
pub fn fuzz_budget() -> Budget {
    Budget {
        max_duration: Duration::from_millis(50),
        max_rows_examined: 100_000,
        max_recursion_rounds: 100,
        ..Budget::default()
    }
}

/// The whole script's budget in the fuzz runs.
pub fn fuzz_script_budget() -> ScriptBudget {
    ScriptBudget {
        max_duration: Duration::from_millis(300),
        max_rows_examined: 300_000,
    }
}

/// The tables most generated statements use, so that they meet real rows and constraints.
const SQL_PRELUDE: &str = "CREATE TABLE t (id INT PRIMARY KEY, a INT, b TEXT, c NUMERIC(6,2));\n\
CREATE TABLE u (id SERIAL PRIMARY KEY, t_id INT REFERENCES t (id) ON DELETE CASCADE, a INT NOT NULL DEFAULT 0, b VARCHAR(5) UNIQUE);\n\
INSERT INTO t VALUES (1, 10, 'x', 1.5), (2, NULL, 'y', -2), (3, 30, NULL, 0);\n\
INSERT INTO u (t_id, a, b) VALUES (1, 1, 'p'), (1, 2, 'q'), (2, 3, NULL);";

/// Input: by default the bytes drive a generator of statements over the constructs the
/// playground supports (run after a fixed prelude of two tables); a first byte `0xFF`
/// makes the rest raw text (byte soup), `0xFE` a soup of SQL tokens.
pub fn sql_engine(data: &[u8]) -> Summary {
    let mut summary = Summary::default();
    let mut db = Database::with_budget(fuzz_budget());
    match data.first() {
        Some(0xFF) => {
            let script = String::from_utf8_lossy(&data[1..]).into_owned();
            run_checked(&mut db, &script, &mut summary);
        }
        Some(0xFE) => {
            let mut g = Gen::new(&data[1..]);
            let script: Vec<String> = (0..=g.below(24)).map(|_| g.word(SQL_TOKENS, 6)).collect();
            run_checked(&mut db, &script.join(" "), &mut summary);
        }
        _ => {
            summary.structured = 1;
            let mut g = Gen::new(data);
            let mode = g.below(8);
            let prelude = mode != 0;
            if prelude {
                // Without the time budget: the prelude is not what is fuzzed, and a busy
                // machine once made its 3-row INSERT take over 50 ms (a false crash).
                let run = db.unbudgeted(|db| {
                    console::run_script_within(db, SQL_PRELUDE, &ScriptBudget::UNLIMITED)
                });
                assert!(!run.failed(), "the prelude failed: {run:?}");
            }
            let mut statements: Vec<String> = (0..=g.below(8)).map(|_| statement(&mut g)).collect();
            if mode == 1 {
                let i = g.below(statements.len());
                statements[i] = damage(&mut g, &statements[i], SQL_TOKENS);
            }
            if mode.is_multiple_of(2) {
                // Statement by statement: a failure does not stop the ones after it.
                for sql in &statements {
                    run_checked(&mut db, sql, &mut summary);
                }
            } else {
                run_checked(&mut db, &statements.join(";\n"), &mut summary);
            }
        }
    }
    // The database stays usable whatever ran: no transaction is left broken for good.
    // (Unbudgeted, like the prelude, so a stalled machine cannot fail the check.)
    db.unbudgeted(|db| db.execute("ROLLBACK"))
        .expect("ROLLBACK always succeeds");
    let run = db.unbudgeted(|db| {
        console::run_script_within(db, "SELECT 1 AS one", &ScriptBudget::UNLIMITED)
    });
    assert!(
        !run.failed(),
        "the database is unusable after the input: {run:?}"
    );
    summary
}

fn run_checked(db: &mut Database, script: &str, summary: &mut Summary) -> ScriptRun {
    let run = console::run_script_within(db, script, &fuzz_script_budget());
    let spans = console::split_statements(script).len();
    match &run.script_error {
        Some(why) if run.statements.is_empty() => {
            assert!(
                spans == 0 || script.len() > console::MAX_SCRIPT_BYTES || why.contains("budget"),
                "{why}"
            );
        }
        _ => assert_eq!(
            run.statements.len() + run.skipped,
            spans,
            "statements run + skipped != statements in the script"
        ),
    }
    for statement in &run.statements {
        match &statement.outcome {
            Ok(_) => summary.ok += 1,
            Err(e) => {
                summary.refused += 1;
                assert!(
                    e.code.len() == 5
                        && e.code
                            .bytes()
                            .all(|b| b.is_ascii_digit() || b.is_ascii_uppercase()),
                    "not a SQLSTATE: {:?} for {:?}",
                    e.code,
                    statement.sql
                );
                assert!(
                    !e.message.trim().is_empty(),
                    "empty error for {:?}",
                    statement.sql
                );
                assert!(
                    !e.message.contains("ParserError("),
                    "raw parser debug text for {:?}: {}",
                    statement.sql,
                    e.message
                );
                assert!(
                    e.line >= 1 && e.column >= 1,
                    "error outside the script: {e:?}"
                );
                if e.code == "XX000" {
                    summary
                        .internal
                        .push(format!("{} -> {}", statement.sql, e.message));
                }
            }
        }
    }
    run
}

const SQL_TOKENS: &[&str] = &[
    "SELECT",
    "FROM",
    "WHERE",
    "t",
    "u",
    "id",
    "a",
    "b",
    "(",
    ")",
    ",",
    ";",
    "*",
    "=",
    "<",
    "'x'",
    "1",
    "NULL",
    "AND",
    "OR",
    "NOT",
    "IN",
    "JOIN",
    "ON",
    "GROUP",
    "BY",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "UNION",
    "WITH",
    "RECURSIVE",
    "AS",
    "OVER",
    "PARTITION",
    "INSERT",
    "INTO",
    "VALUES",
    "UPDATE",
    "SET",
    "DELETE",
    "CREATE",
    "TABLE",
    "INDEX",
    "BEGIN",
    "ROLLBACK",
    "SAVEPOINT",
    "::",
    "$1",
    "--",
    "/*",
    "*/",
    "$$",
    "'",
    "\"",
    "CASE",
    "WHEN",
    "THEN",
    "END",
    "ELSE",
    "ALL",
    "DISTINCT",
    "EXCLUDED",
    "CONFLICT",
    "DO",
    "NOTHING",
    "RETURNING",
    "COALESCE",
    "BETWEEN",
    "1e308",
    "-0",
    "9223372036854775807",
    "E'\\x'",
    "é",
];
const TABLES: &[&str] = &["t", "u", "v", "t", "u"];
const COLUMNS: &[&str] = &["id", "a", "b", "c", "t_id", "a", "id"];
const TYPES: &[&str] = &[
    "INT",
    "INTEGER",
    "BIGINT",
    "SMALLINT",
    "SERIAL",
    "TEXT",
    "VARCHAR(5)",
    "CHAR(2)",
    "NUMERIC(6,2)",
    "NUMERIC",
    "BOOLEAN",
    "REAL",
    "DOUBLE PRECISION",
    "DATE",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "JSONB",
    "UUID",
    "INTERVAL",
    "BYTEA",
];
const STRINGS: &[&str] = &[
    "x",
    "",
    "p",
    "a''b",
    "é",
    "2024-01-01",
    "2024-02-30",
    "{\"k\": 1}",
    "123",
    "NaN",
    "infinity",
    " 5 ",
    "1e3",
    "true",
    "00000000-0000-0000-0000-000000000001",
    "%",
    "_x%",
    "1 day",
];

/// The type an expression should have: most generated expressions are well typed, so that
/// statements get past the typing pass into the engine; `Any` mixes types on purpose.
#[derive(Clone, Copy, PartialEq)]
enum Ty {
    Int,
    Text,
    Bool,
    Any,
}

fn literal(g: &mut Gen, ty: Ty) -> String {
    match (ty, g.below(10)) {
        (_, 0) => "NULL".into(),
        (Ty::Bool, _) => g.pick(&["TRUE", "FALSE", "'t'", "NOT FALSE"]).into(),
        (Ty::Int, 1) => g
            .pick(&[
                "0",
                "-1",
                "2147483647",
                "-2147483648",
                "9223372036854775807",
                "1000000",
            ])
            .into(),
        (Ty::Int, _) => g.int(-5, 40).to_string(),
        (Ty::Text, _) => {
            let s = g.word(STRINGS, 10).replace('\'', "''");
            format!("'{s}'")
        }
        (Ty::Any, 1) => g.pick(&["TRUE", "FALSE"]).into(),
        (Ty::Any, 2) => format!("{}.{}", g.int(-99, 999), g.int(0, 99)),
        (Ty::Any, 3) => g
            .pick(&["1e10", "0.1", "-0.0", "'NaN'::numeric", "1.5::real"])
            .into(),
        (Ty::Any, 4) => format!(
            "DATE '{}'",
            g.pick(&["2024-01-01", "2024-12-31", "1999-02-28"])
        ),
        (Ty::Any, 5) => format!("'{}'", g.word(STRINGS, 10).replace('\'', "''")),
        (Ty::Any, _) => g.int(-5, 40).to_string(),
    }
}

fn column(g: &mut Gen, ty: Ty) -> String {
    let c = match ty {
        Ty::Int => g.pick(&["id", "a", "t_id", "a"]),
        Ty::Text => "b",
        Ty::Bool => {
            return format!(
                "({} {} {})",
                g.pick(&["a", "id"]),
                g.pick(&["=", "<", ">"]),
                g.int(0, 30)
            )
        }
        Ty::Any => g.pick(COLUMNS),
    };
    if g.chance(15) {
        format!("{}.{c}", g.pick(TABLES))
    } else {
        c.to_string()
    }
}

fn atom(g: &mut Gen, ty: Ty) -> String {
    if g.chance(50) {
        column(g, ty)
    } else {
        literal(g, ty)
    }
}

fn expr(g: &mut Gen, depth: u32, ty: Ty) -> String {
    // Sometimes an expression of another type where this one is expected.
    let ty = if g.chance(8) { Ty::Any } else { ty };
    if depth == 0 || g.chance(35) {
        return atom(g, ty);
    }
    let d = depth - 1;
    match ty {
        Ty::Bool => match g.below(11) {
            0..=1 => {
                let t = g.pick(&[Ty::Int, Ty::Int, Ty::Text]);
                format!(
                    "{} {} {}",
                    expr(g, d, t),
                    g.pick(&["=", "<>", "<", "<=", ">", ">=", "!=", "IS DISTINCT FROM"]),
                    expr(g, d, t)
                )
            }
            2 => format!(
                "({} {} {})",
                expr(g, d, Ty::Bool),
                g.pick(&["AND", "OR"]),
                expr(g, d, Ty::Bool)
            ),
            3 => format!("NOT ({})", expr(g, d, Ty::Bool)),
            4 => format!("{} IS {}NULL", expr(g, d, Ty::Any), g.pick(&["", "NOT "])),
            5 => {
                let t = g.pick(&[Ty::Int, Ty::Text]);
                let items: Vec<String> = (0..=g.below(3)).map(|_| literal(g, t)).collect();
                format!(
                    "{} {}IN ({})",
                    expr(g, d, t),
                    g.pick(&["", "NOT "]),
                    items.join(", ")
                )
            }
            6 => format!(
                "{} IN (SELECT {} FROM {})",
                column(g, Ty::Int),
                g.pick(&["id", "a", "t_id"]),
                g.pick(TABLES)
            ),
            7 => format!(
                "{} {}BETWEEN {} AND {}",
                expr(g, d, Ty::Int),
                g.pick(&["", "NOT "]),
                literal(g, Ty::Int),
                literal(g, Ty::Int)
            ),
            8 => format!(
                "{}EXISTS (SELECT 1 FROM u WHERE u.t_id = {})",
                g.pick(&["", "NOT "]),
                column(g, Ty::Int)
            ),
            9 => format!(
                "{} {}LIKE '{}'",
                expr(g, d, Ty::Text),
                g.pick(&["", "NOT ", "I"]),
                g.pick(&["x%", "%", "_", "p", "%''%"])
            ),
            _ => format!(
                "COALESCE({}, {})",
                expr(g, d, Ty::Bool),
                literal(g, Ty::Bool)
            ),
        },
        Ty::Text => match g.below(7) {
            0 => {
                let right = g.pick(&[Ty::Text, Ty::Int]);
                format!("{} || {}", expr(g, d, Ty::Text), expr(g, d, right))
            }
            1 => format!(
                "{}({})",
                g.pick(&["LOWER", "UPPER", "TRIM", "MD5", "REVERSE"]),
                expr(g, d, Ty::Text)
            ),
            2 => format!(
                "SUBSTR({}, {}, {})",
                expr(g, d, Ty::Text),
                g.int(-1, 3),
                g.int(0, 4)
            ),
            3 => format!(
                "COALESCE({}, {})",
                expr(g, d, Ty::Text),
                literal(g, Ty::Text)
            ),
            4 => format!(
                "CASE WHEN {} THEN {} ELSE {} END",
                expr(g, d, Ty::Bool),
                expr(g, d, Ty::Text),
                expr(g, d, Ty::Text)
            ),
            5 => format!(
                "CAST({} AS {})",
                expr(g, d, Ty::Int),
                g.pick(&["TEXT", "VARCHAR(2)", "CHAR(3)"])
            ),
            _ => format!("CONCAT({}, {})", expr(g, d, Ty::Any), expr(g, d, Ty::Any)),
        },
        Ty::Int => match g.below(10) {
            0..=2 => format!(
                "({} {} {})",
                expr(g, d, Ty::Int),
                g.pick(&["+", "-", "*", "/", "%"]),
                expr(g, d, Ty::Int)
            ),
            3 => format!(
                "CASE WHEN {} THEN {} {}END",
                expr(g, d, Ty::Bool),
                expr(g, d, Ty::Int),
                if g.chance(60) {
                    format!("ELSE {} ", expr(g, d, Ty::Int))
                } else {
                    String::new()
                }
            ),
            4 => format!("COALESCE({}, {})", expr(g, d, Ty::Int), expr(g, d, Ty::Int)),
            5 => format!("NULLIF({}, {})", expr(g, d, Ty::Int), literal(g, Ty::Int)),
            6 => {
                let (f, arg) = g.pick(&[("ABS", Ty::Int), ("SIGN", Ty::Int), ("LENGTH", Ty::Text)]);
                format!("{f}({})", expr(g, d, arg))
            }
            7 => format!(
                "(SELECT {}({}) FROM {})",
                g.pick(&["MAX", "MIN", "COUNT", "SUM"]),
                g.pick(&["id", "a", "t_id"]),
                g.pick(TABLES)
            ),
            8 => format!(
                "{}({}, {})",
                g.pick(&["GREATEST", "LEAST"]),
                expr(g, d, Ty::Int),
                expr(g, d, Ty::Int)
            ),
            _ => format!(
                "{}::{}",
                column(g, Ty::Int),
                g.pick(&["int", "bigint", "smallint", "numeric", "text"])
            ),
        },
        Ty::Any => match g.below(6) {
            0 => format!(
                "({} {} {})",
                expr(g, d, Ty::Any),
                g.pick(&["+", "-", "*", "/", "%", "||", "=", "<", "AND"]),
                expr(g, d, Ty::Any)
            ),
            1 => format!("CAST({} AS {})", expr(g, d, Ty::Any), g.pick(TYPES)),
            2 => format!("ROUND({}, {})", expr(g, d, Ty::Any), g.int(0, 3)),
            3 => format!(
                "{}({})",
                g.pick(&["LOWER", "ABS", "LENGTH", "pg_typeof", "NOT"]),
                expr(g, d, Ty::Any)
            ),
            4 => format!("COALESCE({}, {})", expr(g, d, Ty::Any), expr(g, d, Ty::Any)),
            _ => {
                let ty = g.pick(&[Ty::Int, Ty::Text, Ty::Bool]);
                expr(g, d, ty)
            }
        },
    }
}

fn cond(g: &mut Gen, depth: u32) -> String {
    expr(g, depth, Ty::Bool)
}

fn select_item(g: &mut Gen) -> String {
    let item = match g.below(12) {
        0 => "*".into(),
        1 => format!(
            "{}({})",
            g.pick(&["COUNT", "SUM", "MAX", "MIN", "AVG"]),
            g.pick(&["*", "a", "id", "DISTINCT a", "b", "c"])
        ),
        2 => format!(
            "{}() OVER ({}ORDER BY {}{})",
            g.pick(&["ROW_NUMBER", "RANK", "DENSE_RANK"]),
            if g.chance(50) {
                format!("PARTITION BY {} ", g.pick(COLUMNS))
            } else {
                String::new()
            },
            g.pick(COLUMNS),
            g.pick(&["", " DESC", " NULLS FIRST"])
        ),
        3 => format!(
            "{}({}) OVER ({}{})",
            g.pick(&["SUM", "COUNT", "MAX", "AVG", "LAG", "FIRST_VALUE"]),
            g.pick(&["a", "id", "c"]),
            if g.chance(50) {
                format!("PARTITION BY {} ", g.pick(COLUMNS))
            } else {
                String::new()
            },
            g.pick(&[
                "",
                "ORDER BY id",
                "ORDER BY a ROWS BETWEEN 1 PRECEDING AND CURRENT ROW",
                "ORDER BY id RANGE UNBOUNDED PRECEDING"
            ])
        ),
        4 => column(g, Ty::Any),
        _ => {
            let ty = g.pick(&[Ty::Int, Ty::Text, Ty::Bool, Ty::Any]);
            expr(g, 2, ty)
        }
    };
    if item != "*" && g.chance(30) {
        format!(
            "{item} AS {}",
            g.pick(&["x", "n", "total", "\"Mixed\"", "a"])
        )
    } else {
        item
    }
}

fn from_clause(g: &mut Gen, depth: u32) -> String {
    match g.below(10) {
        0 => String::new(),
        1 => " FROM t JOIN u ON u.t_id = t.id".into(),
        2 => format!(" FROM t LEFT JOIN u ON u.t_id = t.id AND {}", cond(g, 0)),
        3 if depth > 0 => format!(" FROM ({}) AS s", query(g, depth - 1)),
        4 => format!(" FROM generate_series(1, {}) AS g(n)", g.int(0, 50)),
        5 => " FROM t, u".into(),
        6 => format!(" FROM {} {}", g.pick(TABLES), g.pick(&["", "AS x", "x"])),
        7 => format!(
            " FROM t {} JOIN u {}",
            g.pick(&["INNER", "RIGHT", "FULL", "CROSS", "NATURAL"]),
            g.pick(&["ON u.t_id = t.id", "USING (id)", ""])
        ),
        _ => format!(" FROM {}", g.pick(&["t", "u", "v", "r", "w"])),
    }
}

fn select_core(g: &mut Gen, depth: u32) -> String {
    let items: Vec<String> = (0..=g.below(3)).map(|_| select_item(g)).collect();
    let mut sql = format!(
        "SELECT {}{}",
        if g.chance(10) { "DISTINCT " } else { "" },
        items.join(", ")
    );
    sql.push_str(&from_clause(g, depth));
    if g.chance(50) {
        sql.push_str(&format!(" WHERE {}", cond(g, 2)));
    }
    if g.chance(20) {
        sql.push_str(&format!(
            " GROUP BY {}",
            g.pick(&["a", "b", "t_id", "1", "a, b"])
        ));
        if g.chance(40) {
            sql.push_str(&format!(
                " HAVING COUNT(*) {} {}",
                g.pick(&[">", "=", "<"]),
                g.int(0, 3)
            ));
        }
    }
    sql
}

fn query(g: &mut Gen, depth: u32) -> String {
    let mut sql = String::new();
    if depth > 0 && g.chance(15) {
        if g.chance(50) {
            sql.push_str(&format!(
                "WITH RECURSIVE r(n) AS (SELECT {} UNION {}SELECT n + 1 FROM r WHERE n < {}) ",
                g.int(0, 3),
                g.pick(&["ALL ", ""]),
                g.int(0, 200)
            ));
        } else {
            sql.push_str(&format!("WITH w AS ({}) ", select_core(g, depth - 1)));
        }
    }
    sql.push_str(&select_core(g, depth));
    if g.chance(15) {
        let op = g.pick(&[
            "UNION",
            "UNION ALL",
            "INTERSECT",
            "EXCEPT",
            "INTERSECT ALL",
            "EXCEPT ALL",
        ]);
        sql.push_str(&format!(" {op} {}", select_core(g, 0)));
    }
    if g.chance(40) {
        sql.push_str(&format!(
            " ORDER BY {}{}",
            g.pick(&["1", "a", "id", "b", "a, id", "t.id", "n"]),
            g.pick(&["", " DESC", " ASC NULLS FIRST", " DESC NULLS LAST"])
        ));
    }
    if g.chance(30) {
        sql.push_str(&format!(
            " LIMIT {}",
            g.pick(&["0", "1", "2", "10", "ALL", "-1", "NULL"])
        ));
    }
    if g.chance(20) {
        sql.push_str(&format!(" OFFSET {}", g.int(0, 3)));
    }
    sql
}

/// A column of a generated table: `name` with a type and constraints that mostly fit it.
fn column_def(g: &mut Gen, name: &str) -> String {
    let ty = match name {
        "b" => g.pick(&["TEXT", "VARCHAR(5)", "CHAR(2)", "TEXT"]),
        "c" => g.pick(&[
            "NUMERIC(6,2)",
            "NUMERIC",
            "REAL",
            "DOUBLE PRECISION",
            "BOOLEAN",
            "DATE",
            "TIMESTAMPTZ",
            "JSONB",
            "UUID",
            "INTERVAL",
            "BYTEA",
        ]),
        _ if g.chance(10) => g.pick(TYPES),
        _ => g.pick(&["INT", "INTEGER", "BIGINT", "SMALLINT", "SERIAL"]),
    };
    let mut def = format!("{name} {ty}");
    for _ in 0..g.below(3) {
        let constraint = match g.below(7) {
            0 => "NOT NULL".into(),
            1 => "UNIQUE".into(),
            2 => format!(
                "DEFAULT {}",
                literal(g, if name == "b" { Ty::Text } else { Ty::Int })
            ),
            3 if name != "b" => format!(
                "CHECK ({name} {} {})",
                g.pick(&[">", "<>", ">="]),
                g.int(-1, 5)
            ),
            4 if name == "t_id" => format!(
                "REFERENCES {} (id) ON DELETE {}",
                g.pick(&["t", "u", "v"]),
                g.pick(&["CASCADE", "SET NULL", "RESTRICT", "NO ACTION"])
            ),
            5 => "PRIMARY KEY".into(),
            _ => "NULL".into(),
        };
        def.push(' ');
        def.push_str(&constraint);
    }
    def
}

fn statement(g: &mut Gen) -> String {
    let table = g.pick(TABLES);
    match g.below(20) {
        0 => {
            // The shared column names, so the other statements find them.
            let mut parts = vec![format!(
                "id {} PRIMARY KEY",
                g.pick(&["INT", "SERIAL", "BIGINT", "INT", "TEXT", "UUID"])
            )];
            for name in ["a", "b", "c", "t_id"] {
                if name == "a" || name == "b" || g.chance(70) {
                    parts.push(column_def(g, name));
                }
            }
            match g.below(5) {
                0 => parts.push("UNIQUE (a, b)".into()),
                1 => parts.push(format!("CHECK ({})", cond(g, 1))),
                2 if parts.iter().any(|p| p.starts_with("t_id")) => parts.push(format!(
                    "FOREIGN KEY (t_id) REFERENCES t (id) ON DELETE {}",
                    g.pick(&["CASCADE", "SET NULL", "RESTRICT"])
                )),
                3 => parts.push("PRIMARY KEY (id, a)".into()),
                _ => {}
            }
            format!(
                "CREATE TABLE {}{} ({})",
                if g.chance(20) { "IF NOT EXISTS " } else { "" },
                g.pick(&["v", "v", "w", "t"]),
                parts.join(", ")
            )
        }
        1 => {
            let key = g.pick(&[
                "a", "b", "a, b", "LOWER(b)", "a DESC", "(a + 1)", "t_id, id", "c",
            ]);
            format!(
                "CREATE {}INDEX {}{} ON {table} {}({key}){}",
                if g.chance(30) { "UNIQUE " } else { "" },
                if g.chance(10) { "IF NOT EXISTS " } else { "" },
                g.pick(&["ix_0", "ix_1", "ix_0"]),
                g.pick(&["", "USING btree ", "USING hash "]),
                if g.chance(25) {
                    format!(" WHERE {}", cond(g, 1))
                } else {
                    String::new()
                }
            )
        }
        2..=3 => {
            let cols = g.pick(&[
                "",
                " (id, a)",
                " (id, a, b)",
                " (a, b)",
                " (t_id, a, b)",
                " (id)",
            ]);
            let names: Vec<&str> = if cols.is_empty() {
                vec!["id", "a", "b", "c"]
            } else {
                cols.trim_matches([' ', '(', ')']).split(", ").collect()
            };
            let rows: Vec<String> = (0..=g.below(3))
                .map(|_| {
                    let values: Vec<String> = names
                        .iter()
                        .map(|name| match *name {
                            _ if g.chance(8) => "DEFAULT".into(),
                            "id" => g.int(0, 8).to_string(),
                            "b" => expr(g, 1, Ty::Text),
                            "c" => literal(g, Ty::Any),
                            _ => expr(g, 1, Ty::Int),
                        })
                        .collect();
                    format!("({})", values.join(", "))
                })
                .collect();
            let mut sql = format!("INSERT INTO {table}{cols} VALUES {}", rows.join(", "));
            if g.chance(20) {
                sql.push_str(&format!(
                    " RETURNING {}",
                    g.pick(&["*", "id", "id, a", "a + 1 AS n"])
                ));
            }
            sql
        }
        4 => format!(
            "INSERT INTO t (id, a, b) VALUES ({}, {}, {}) ON CONFLICT {}",
            g.int(0, 5),
            literal(g, Ty::Int),
            literal(g, Ty::Text),
            g.pick(&[
                "(id) DO UPDATE SET a = EXCLUDED.a + t.a",
                "(id) DO UPDATE SET b = EXCLUDED.b WHERE t.a < 20",
                "(id) DO NOTHING",
                "DO NOTHING",
                "(b) DO NOTHING",
                "(id) DO UPDATE SET a = 1 RETURNING *",
            ])
        ),
        5 => format!(
            "INSERT INTO {table} SELECT * FROM {}{}",
            g.pick(TABLES),
            if g.chance(50) {
                format!(" WHERE {}", cond(g, 1))
            } else {
                String::new()
            }
        ),
        6..=7 => {
            let sets: Vec<String> = (0..=g.below(2))
                .map(|_| match g.below(6) {
                    0 => format!("b = {}", expr(g, 2, Ty::Text)),
                    1 => format!("c = {}", literal(g, Ty::Any)),
                    2 => format!("{} = {}", g.pick(&["id", "t_id"]), expr(g, 1, Ty::Int)),
                    _ => format!("a = {}", expr(g, 2, Ty::Int)),
                })
                .collect();
            format!(
                "UPDATE {table} SET {}{}{}",
                sets.join(", "),
                if g.chance(60) {
                    format!(" WHERE {}", cond(g, 2))
                } else {
                    String::new()
                },
                if g.chance(15) { " RETURNING *" } else { "" }
            )
        }
        8 => format!(
            "UPDATE t SET a = u.a {} FROM u WHERE u.t_id = t.id{}",
            g.pick(&["", "+ t.a"]),
            if g.chance(50) {
                format!(" AND {}", cond(g, 1))
            } else {
                String::new()
            }
        ),
        9 => format!(
            "DELETE FROM {table}{}{}",
            if g.chance(70) {
                format!(" WHERE {}", cond(g, 2))
            } else {
                String::new()
            },
            if g.chance(15) { " RETURNING id" } else { "" }
        ),
        10 => "DELETE FROM t USING u WHERE u.t_id = t.id AND u.a > 1".into(),
        11 => g
            .pick(&[
                "BEGIN",
                "COMMIT",
                "ROLLBACK",
                "SAVEPOINT s1",
                "ROLLBACK TO SAVEPOINT s1",
                "RELEASE SAVEPOINT s1",
                "START TRANSACTION READ ONLY",
                "BEGIN ISOLATION LEVEL SERIALIZABLE",
                "END",
                "SAVEPOINT s2",
                "ROLLBACK TO s2",
                "ABORT",
                "COMMIT AND CHAIN",
            ])
            .into(),
        12 => {
            let action = match g.below(8) {
                0 => {
                    let name = g.pick(&["d", "c", "t_id", "e"]);
                    format!(
                        "ADD COLUMN {}{}",
                        if g.chance(20) { "IF NOT EXISTS " } else { "" },
                        column_def(g, name)
                    )
                }
                1 => format!(
                    "DROP COLUMN {}{}",
                    if g.chance(20) { "IF EXISTS " } else { "" },
                    g.pick(COLUMNS)
                ),
                2 => format!(
                    "RENAME COLUMN {} TO {}",
                    g.pick(COLUMNS),
                    g.pick(&["d", "a2", "b"])
                ),
                3 => format!("ALTER COLUMN {} SET NOT NULL", g.pick(COLUMNS)),
                4 => format!("ALTER COLUMN {} TYPE {}", g.pick(COLUMNS), g.pick(TYPES)),
                5 => format!(
                    "ALTER COLUMN {} SET DEFAULT {}",
                    g.pick(COLUMNS),
                    literal(g, Ty::Any)
                ),
                6 => format!("ADD CONSTRAINT ck_{} CHECK ({})", g.below(3), cond(g, 1)),
                _ => format!("RENAME TO {}", g.pick(&["v", "w", "t2"])),
            };
            format!("ALTER TABLE {table} {action}")
        }
        13 => format!(
            "DROP {} {}{}{}",
            g.pick(&["TABLE", "INDEX", "TABLE"]),
            if g.chance(40) { "IF EXISTS " } else { "" },
            g.pick(&["v", "w", "u", "ix_0", "ix_1", "t"]),
            g.pick(&["", " CASCADE", " RESTRICT"])
        ),
        14 => {
            let tokens: Vec<String> = (0..=g.below(10)).map(|_| g.word(SQL_TOKENS, 6)).collect();
            tokens.join(" ")
        }
        15 => format!("EXPLAIN {}", query(g, 1)),
        _ => query(g, 2),
    }
}

// ---------------------------------------------------------------------------------------
// permalink: the link codec and the URL grammar.
// ---------------------------------------------------------------------------------------

/// Input: UTF-8 text (lossily decoded) is a link's state and a whole URL; a first byte
/// `0xF8..` instead generates a page state, checks that it round-trips, then damages its
/// encoding or builds a full URL for it.
pub fn permalink(data: &[u8]) -> Summary {
    let mut summary = Summary::default();
    match structured(data) {
        Some((mode, rest)) => {
            summary.structured = 1;
            let mut g = Gen::new(rest);
            let state = page_state(&mut g);
            let link = encode_state(&state);
            assert_eq!(
                decode_state(&link).as_ref(),
                Ok(&state),
                "a state did not round-trip: {link}"
            );
            if mode.is_multiple_of(2) {
                let embed = EmbedOptions {
                    embed: g.chance(50),
                    theme: g.pick(&[None, Some(Theme::Light), Some(Theme::Dark)]),
                    panels: if g.chance(50) {
                        Some((0..=g.below(3)).map(|_| g.pick(&Panel::ALL)).collect())
                    } else {
                        None
                    },
                    run_on_click: g.chance(50),
                };
                let slug = g.pick(&catalogue::all().iter().map(|p| p.slug).collect::<Vec<_>>());
                let hash = Location::pattern_hash(slug, &state, &embed);
                let location = Location::parse("", &hash);
                assert_eq!(
                    location.route,
                    Location::parse("", &format!("#/{slug}")).route,
                    "{hash}"
                );
                let expected = (!state.is_default()).then(|| Ok(state.clone()));
                assert_eq!(location.state, expected, "{hash}");
                assert_eq!(location.embed, embed, "{hash}");
                summary.ok += 1;
            } else {
                let mut damaged = link.clone();
                for _ in 0..=g.below(3) {
                    damaged = damage(
                        &mut g,
                        &damaged,
                        &["=", "%", "A", "_", "-", ".", "1.", "é", "&s="],
                    );
                }
                check_link_text(&damaged, &mut summary);
            }
        }
        None => {
            let text = String::from_utf8_lossy(data);
            check_link_text(&text, &mut summary);
            // The text as the whole fragment, and split into query string and fragment.
            let location = Location::parse("", &text);
            check_location(&location);
            let cut = text
                .char_indices()
                .nth(text.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            check_location(&Location::parse(&text[..cut], &text[cut..]));
            check_location(&Location::parse(&text, &format!("#/pagination?s={text}")));
        }
    }
    summary
}

fn check_link_text(text: &str, summary: &mut Summary) {
    match decode_state(text) {
        Ok(state) => {
            summary.ok += 1;
            let again = encode_state(&state);
            assert_eq!(
                decode_state(&again).as_ref(),
                Ok(&state),
                "re-encoding {text:?} changed its state"
            );
        }
        Err(e) => {
            summary.refused += 1;
            assert!(
                !e.to_string().trim().is_empty(),
                "an empty reason for {text:?}"
            );
        }
    }
}

fn check_location(location: &Location) {
    if let Some(Ok(state)) = &location.state {
        assert_eq!(decode_state(&encode_state(state)).as_ref(), Ok(state));
    }
    if let Some(panels) = &location.embed.panels {
        assert!(!panels.is_empty(), "an empty panel list instead of None");
    }
}

fn page_state(g: &mut Gen) -> PageState {
    fn field(g: &mut Gen, pool: &[&str]) -> Option<String> {
        match g.below(4) {
            0 => None,
            1 => Some(g.pick(pool).to_string()),
            2 => Some(g.text(200)),
            _ => Some(g.pick(pool).repeat(1 + g.below(40))),
        }
    }
    let console = field(
        g,
        &[
            "SELECT 1;",
            "",
            "-- é ✓\n",
            "SELECT * FROM t WHERE b = '&?#%';",
        ],
    );
    let models = field(
        g,
        &[
            "class User(Base):\n    __tablename__ = 'users'\n",
            "\"\\u0000\"",
        ],
    );
    let view = field(g, &["diagram", "ddl", ""]);
    let mut knobs = BTreeMap::new();
    for _ in 0..g.below(5) {
        let key = g.word(&["n", "steps", "strategy", "seed", "", "é"], 12);
        let value = g.word(&["1000", "a,b,c", "", "-1", "1"], 20);
        knobs.insert(key, value);
    }
    PageState {
        console,
        models,
        knobs,
        view,
    }
}

// ---------------------------------------------------------------------------------------
// knob_values: every lab's knobs read from tampered maps of strings.
// ---------------------------------------------------------------------------------------

/// Every lab of the catalogue: (slug, its knob specs).
fn labs() -> Vec<(&'static str, &'static [KnobSpec])> {
    catalogue::all()
        .iter()
        .filter_map(|p| patterns::lab_for(p.slug).map(|lab| (p.slug, lab.knobs)))
        .collect()
}

/// Input: the bytes drive a map of strings (mostly the labs' own knob ids, with values
/// near the specs' bounds and choices, and arbitrary junk) read by every lab.
pub fn knob_values(data: &[u8]) -> Summary {
    let mut summary = Summary::default();
    let mut g = Gen::new(data);
    let labs = labs();
    assert!(!labs.is_empty(), "no labs in the catalogue");
    let ids: Vec<&'static str> = labs
        .iter()
        .flat_map(|(_, specs)| specs.iter().map(|s| s.id))
        .collect();
    let mut raw = BTreeMap::new();
    for _ in 0..=g.below(12) {
        let key = if g.chance(85) {
            g.pick(&ids).to_string()
        } else {
            g.text(10)
        };
        let spec = labs
            .iter()
            .flat_map(|(_, s)| s.iter())
            .find(|s| s.id == key);
        raw.insert(key, knob_text(&mut g, spec));
    }
    for (slug, specs) in labs {
        let values = KnobValues::from_raw(specs, &raw);
        for spec in specs {
            assert_valid(slug, spec, values.get(spec.id), "default");
            assert_valid(slug, spec, spec.default, "spec default");
            let value = values.get(spec.id);
            match raw.get(spec.id) {
                Some(given) if value != spec.default || given.trim() == spec.default => {
                    // A value that was taken is the given one, normalised.
                    if let KnobKind::Int { min, max, .. } = spec.kind {
                        let n: i64 = given
                            .trim()
                            .parse()
                            .expect("an Int knob took an unparsable value");
                        assert_eq!(value, n.clamp(min, max).to_string(), "{slug}.{}", spec.id);
                    }
                    summary.ok += 1;
                }
                Some(_) => summary.refused += 1,
                None => assert_eq!(
                    value, spec.default,
                    "{slug}.{}: a missing knob is not its default",
                    spec.id
                ),
            }
            // Setting a knob one at a time agrees with reading the whole map.
            let mut set = KnobValues::defaults(specs);
            if let Some(given) = raw.get(spec.id) {
                let accepted = set.set(specs, spec.id, given);
                assert_eq!(
                    set.get(spec.id),
                    if accepted { value } else { spec.default },
                    "{slug}.{}",
                    spec.id
                );
            }
        }
        // What a link carries (the values that differ from the defaults) reads back the same.
        let again = KnobValues::from_raw(specs, &values.non_default(specs));
        assert_eq!(again, values, "{slug}: non_default() does not read back");
    }
    summary.structured = 1;
    summary
}

fn assert_valid(slug: &str, spec: &KnobSpec, value: &str, what: &str) {
    let ok = match spec.kind {
        KnobKind::Int { min, max, .. } => {
            value.parse::<i64>().is_ok_and(|n| (min..=max).contains(&n))
        }
        KnobKind::Choice(options) => options.iter().any(|(v, _)| *v == value),
        KnobKind::Toggle => value == "0" || value == "1",
    };
    assert!(
        ok,
        "{slug}.{} ({what}): {value:?} is outside its spec {:?}",
        spec.id, spec.kind
    );
}

fn knob_text(g: &mut Gen, spec: Option<&KnobSpec>) -> String {
    let mut value = match (g.below(3), spec.map(|s| s.kind)) {
        (0, Some(KnobKind::Int { min, max, presets })) => {
            let n = match g.below(6) {
                0 => min,
                1 => max,
                2 => min.saturating_sub(1),
                3 => max.saturating_add(g.int(1, 1_000_000)),
                4 if !presets.is_empty() => g.pick(presets),
                _ => g.int(min.min(max), max.max(min)),
            };
            n.to_string()
        }
        (0, Some(KnobKind::Choice(options))) => g.pick(options).0.to_string(),
        (0, Some(KnobKind::Toggle)) => g
            .pick(&["1", "0", "true", "false", "on", "off", "yes", "TRUE"])
            .to_string(),
        (1, _) => g
            .pick(&[
                "",
                "-",
                "+5",
                "0x10",
                "1e3",
                "9223372036854775807",
                "-9223372036854775808",
                "9223372036854775808",
                "99999999999999999999",
                " 7 ",
                "\t1\n",
                "1.5",
                "NaN",
                "٣",
                "1_000",
                "00012",
                "-0",
                "on",
                "off",
            ])
            .to_string(),
        _ => g.text(24),
    };
    if g.chance(10) {
        value = format!(" {value}\u{a0}");
    }
    value
}
