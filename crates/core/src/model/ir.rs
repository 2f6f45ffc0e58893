//! The model IR: what the declarative classes mean as tables, independent of Python.
//! Serializable (serde), since the UI and the permalink codec keep it.

use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ModelIr {
    /// Tables in definition order (a redefined class takes the place of its last
    /// definition); [`ModelIr::sorted_tables`] gives create order.
    pub tables: Vec<Table>,
    pub enums: Vec<EnumDef>,
    /// Every class of the file, mapped or not, for the UI's outline.
    pub classes: Vec<ClassInfo>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Table {
    pub name: String,
    /// The mapped class; `None` for a `Table(...)` (association table).
    pub class_name: Option<String>,
    pub docstring: Option<String>,
    pub line: u32,
    /// In SQLAlchemy's order: the class's own columns, then inherited ones in MRO order.
    pub columns: Vec<Column>,
    /// Primary-key column names, in column order (or a PrimaryKeyConstraint's order).
    pub primary_key: Vec<String>,
    /// In creation order, as CREATE TABLE lists them: explicit `__table_args__`
    /// constraints first, then per column its UNIQUE and its FOREIGN KEY.
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
    pub relationships: Vec<Relationship>,
    /// Properties and methods: kept by name, never executed.
    pub members: Vec<Member>,
    /// `PrimaryKeyConstraint(..., name=...)`: `CONSTRAINT name PRIMARY KEY (...)`.
    #[serde(default)]
    pub primary_key_name: Option<String>,
    /// `comment=` of the table: COMMENT ON TABLE after it is created.
    #[serde(default)]
    pub comment: Option<String>,
    /// PostgreSQL table options after the column list, in create_all's order:
    /// `PARTITION BY ...`, `USING ...`, `TABLESPACE ...`.
    #[serde(default)]
    pub options: Vec<String>,
    /// The names a naming convention gave (the default `ix_%(column_0_label)s` of an
    /// `index=True` column included): Alembic writes them as `op.f('...')`.
    #[serde(default)]
    pub conventional_names: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Column {
    /// The SQL name.
    pub name: String,
    /// The Python attribute (differs from `name` with `mapped_column('real_name')`).
    pub attribute: String,
    pub sql_type: SqlType,
    pub nullable: bool,
    pub primary_key: bool,
    /// `unique=True` (a UNIQUE constraint, or a unique index with `index=True`).
    pub unique: bool,
    pub index: bool,
    /// The column SQLAlchemy makes SERIAL/BIGSERIAL: a lone integer primary key.
    pub autoincrement: bool,
    /// Python-side default: applied by the ORM on INSERT, never in DDL.
    pub default: Option<PyDefault>,
    /// Python-side value applied by the ORM on UPDATE.
    pub onupdate: Option<PyDefault>,
    /// Server-side default: the SQL after DEFAULT in the DDL.
    pub server_default: Option<String>,
    /// `server_default='x'` written as a plain string (not `text(...)` or `func....`):
    /// Alembic renders the two differently (`'x'` against `sa.text("'x'")`).
    #[serde(default)]
    pub server_default_is_string: bool,
    /// `CheckConstraint(...)` passed to the column: written inline after NOT NULL.
    #[serde(default)]
    pub checks: Vec<ColumnCheck>,
    /// `comment=`: create_all sends COMMENT ON COLUMN after the table.
    #[serde(default)]
    pub comment: Option<String>,
    /// `String(collation='C')`: `VARCHAR(50) COLLATE "C"`, part of the type.
    #[serde(default)]
    pub collation: Option<String>,
    /// The class (or mixin) whose body declares the column.
    pub declared_in: String,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum SqlType {
    Varchar(Option<u32>),
    Char(Option<u32>),
    Text,
    Integer,
    BigInteger,
    SmallInteger,
    /// FLOAT or FLOAT(precision).
    Float(Option<u32>),
    Double,
    Numeric(Option<u32>, Option<u32>),
    Boolean,
    Date,
    Time {
        timezone: bool,
    },
    Timestamp {
        timezone: bool,
    },
    Interval,
    Bytea,
    Uuid,
    Json,
    Jsonb,
    /// A native PostgreSQL enum (`CREATE TYPE name AS ENUM (labels)`).
    Enum {
        name: String,
        labels: Vec<String>,
    },
    /// A type we do not know, rendered as written (upper-cased).
    Other(String),
}

impl SqlType {
    /// The type as PostgreSQL DDL spells it (SQLAlchemy's postgresql type compiler).
    pub fn to_sql(&self) -> String {
        fn sized(name: &str, n: Option<u32>) -> String {
            n.map_or_else(|| name.to_string(), |n| format!("{name}({n})"))
        }
        fn zone(timezone: bool) -> &'static str {
            if timezone {
                "WITH TIME ZONE"
            } else {
                "WITHOUT TIME ZONE"
            }
        }
        match self {
            SqlType::Varchar(n) => sized("VARCHAR", *n),
            SqlType::Char(n) => sized("CHAR", *n),
            SqlType::Text => "TEXT".into(),
            SqlType::Integer => "INTEGER".into(),
            SqlType::BigInteger => "BIGINT".into(),
            SqlType::SmallInteger => "SMALLINT".into(),
            SqlType::Float(p) => sized("FLOAT", *p),
            SqlType::Double => "DOUBLE PRECISION".into(),
            SqlType::Numeric(None, _) => "NUMERIC".into(),
            SqlType::Numeric(Some(p), None) => format!("NUMERIC({p})"),
            SqlType::Numeric(Some(p), Some(s)) => format!("NUMERIC({p}, {s})"),
            SqlType::Boolean => "BOOLEAN".into(),
            SqlType::Date => "DATE".into(),
            SqlType::Time { timezone } => format!("TIME {}", zone(*timezone)),
            SqlType::Timestamp { timezone } => format!("TIMESTAMP {}", zone(*timezone)),
            SqlType::Interval => "INTERVAL".into(),
            SqlType::Bytea => "BYTEA".into(),
            SqlType::Uuid => "UUID".into(),
            SqlType::Json => "JSON".into(),
            SqlType::Jsonb => "JSONB".into(),
            SqlType::Enum { name, .. } => super::ddl::quote_ident(name),
            SqlType::Other(name) => name.to_uppercase(),
        }
    }

    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            SqlType::Integer | SqlType::BigInteger | SqlType::SmallInteger
        )
    }
}

/// A column-level CHECK: `CONSTRAINT name CHECK (sql)`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnCheck {
    pub name: Option<String>,
    pub sql: String,
}

/// A Python-side default or onupdate, with its source text.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PyDefault {
    pub source: String,
    pub value: DefaultValue,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum DefaultValue {
    Literal(Literal),
    /// A callable the ORM emulation knows how to imitate.
    Known(KnownCallable),
    /// Any other callable or expression: kept as source, not executed.
    Opaque,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Literal {
    Str(String),
    /// The number as written (`1`, `0.0`).
    Number(String),
    Bool(bool),
    None,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KnownCallable {
    /// `uuid4` (a UUID object).
    Uuid4,
    /// `lambda: str(uuid4())`.
    Uuid4String,
    /// `lambda: datetime.now(UTC)` and `datetime.now(timezone.utc)`.
    NowUtc,
    /// `datetime.now` / `datetime.utcnow` without a time zone.
    NowLocal,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Constraint {
    Unique {
        name: Option<String>,
        columns: Vec<String>,
    },
    Check {
        name: Option<String>,
        /// The condition as SQL.
        sql: String,
    },
    ForeignKey(ForeignKey),
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ForeignKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    pub ref_table: String,
    pub ref_columns: Vec<String>,
    pub ondelete: Option<String>,
    pub onupdate: Option<String>,
    /// `use_alter=True`: created with ALTER TABLE once every table exists.
    #[serde(default)]
    pub use_alter: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Index {
    pub name: String,
    pub elements: Vec<IndexElement>,
    pub unique: bool,
    /// `postgresql_where=`: a partial index's condition, as SQL.
    #[serde(default)]
    pub where_sql: Option<String>,
    /// PostgreSQL's index options as `create_all` writes them: `USING method`,
    /// `INCLUDE (...)`, `NULLS NOT DISTINCT`, `WITH (name = value)` and operator classes
    /// per column (`path varchar_pattern_ops`).
    #[serde(default)]
    pub options: IndexOptions,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexOptions {
    pub method: Option<String>,
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub with: Vec<(String, String)>,
    /// (column, operator class).
    pub ops: Vec<(String, String)>,
}

/// What an index is on: a column, or an expression (`func.lower(email)`, as SQL).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IndexElement {
    Column(String),
    Expression(String),
}

impl Index {
    /// An index on plain columns.
    pub fn on_columns(name: String, columns: Vec<String>, unique: bool) -> Index {
        Index {
            name,
            elements: columns.into_iter().map(IndexElement::Column).collect(),
            unique,
            where_sql: None,
            options: IndexOptions::default(),
        }
    }

    /// The columns, when the index is on plain columns only.
    pub fn plain_columns(&self) -> Option<Vec<&str>> {
        self.elements
            .iter()
            .map(|e| match e {
                IndexElement::Column(c) => Some(c.as_str()),
                IndexElement::Expression(_) => None,
            })
            .collect()
    }

    /// The element list as CREATE INDEX writes it: `email, lower(handle)`.
    pub fn elements_sql(&self) -> String {
        self.elements
            .iter()
            .map(|e| match e {
                IndexElement::Column(c) => {
                    let ops = self.options.ops.iter().find(|(col, _)| col == c);
                    match ops {
                        Some((_, class)) => format!("{} {class}", super::ddl::quote_ident(c)),
                        None => super::ddl::quote_ident(c),
                    }
                }
                IndexElement::Expression(sql) => sql.clone(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Unique over every row, as a UNIQUE constraint would be (not partial, no expression).
    pub fn is_unique_on(&self, columns: &[String]) -> bool {
        self.unique
            && self.where_sql.is_none()
            && self.plain_columns().is_some_and(|cols| {
                cols.len() == columns.len() && cols.iter().all(|c| columns.iter().any(|x| x == c))
            })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    pub name: String,
    /// The target class name.
    pub target: String,
    /// `Mapped[list['X']]`: a collection; `Mapped['X']`: a scalar.
    pub collection: bool,
    pub back_populates: Option<String>,
    pub cascade: Option<String>,
    pub lazy: Option<String>,
    /// The association table's name.
    pub secondary: Option<String>,
    /// As written (`'Category.id'`, `[id]`).
    pub remote_side: Option<String>,
    /// As written (`True`, `'all'`).
    pub passive_deletes: Option<String>,
    /// Other keyword arguments, as written.
    pub other: Vec<(String, String)>,
    pub declared_in: String,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Member {
    pub name: String,
    pub kind: MemberKind,
    /// Decorators as written, without the '@'.
    pub decorators: Vec<String>,
    pub declared_in: String,
    pub line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum MemberKind {
    Property,
    Method,
    /// Any other class attribute we do not interpret (column_property, a constant, ...).
    Attribute,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnumDef {
    pub name: String,
    pub members: Vec<(String, Literal)>,
    pub line: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClassInfo {
    pub name: String,
    pub bases: Vec<String>,
    pub kind: ClassKind,
    pub line: u32,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClassKind {
    /// The declarative base (`class Base(DeclarativeBase)`).
    DeclarativeBase,
    /// `__abstract__ = True` under the declarative base.
    Abstract,
    /// Mapped to a table.
    Mapped,
    /// A plain class whose columns subclasses inherit (or any other plain class).
    Plain,
    Enum,
}

impl ModelIr {
    pub fn table(&self, name: &str) -> Option<&Table> {
        self.tables.iter().find(|t| t.name == name)
    }

    pub fn table_of_class(&self, class_name: &str) -> Option<&Table> {
        self.tables
            .iter()
            .find(|t| t.class_name.as_deref() == Some(class_name))
    }
}

impl Table {
    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|c| c.name == name)
    }

    pub fn foreign_keys(&self) -> impl Iterator<Item = &ForeignKey> {
        self.constraints.iter().filter_map(|c| match c {
            Constraint::ForeignKey(fk) => Some(fk),
            _ => None,
        })
    }

    pub fn is_foreign_key(&self, column: &str) -> bool {
        self.foreign_keys()
            .any(|fk| fk.columns.iter().any(|c| c == column))
    }
}
