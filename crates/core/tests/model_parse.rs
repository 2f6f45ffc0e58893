//! The parser and the IR: what the reference's models mean, diagnostics with positions,
//! recovery (a broken line never loses the other classes), and no panic on any input.

use std::path::PathBuf;

use sqlpatterns_core::model::ir::{
    ClassKind, Constraint, DefaultValue, KnownCallable, Literal, MemberKind, SqlType,
};
use sqlpatterns_core::model::{parse, to_ddl, Severity};

fn model(name: &str) -> String {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/models/{name}.py"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

const ALL_MODELS: &[&str] = &[
    "base_model",
    "soft_delete",
    "audit_trail",
    "enum_field",
    "one_to_many",
    "many_to_many",
    "association_object",
    "self_referential",
    "composite_index",
    "column_types",
    "constraints",
];

#[test]
fn mixin_columns_keep_python_and_server_defaults_apart() {
    let parsed = parse(&model("one_to_many"));
    let users = parsed.ir.table("users").expect("users");
    let id = users.column("id").expect("id");
    assert_eq!(id.declared_in, "UUIDMixin");
    assert!(id.primary_key && !id.nullable && !id.autoincrement);
    assert_eq!(
        id.default.as_ref().map(|d| &d.value),
        Some(&DefaultValue::Known(KnownCallable::Uuid4String))
    );
    let updated = users.column("updated_at").expect("updated_at");
    assert_eq!(updated.sql_type, SqlType::Timestamp { timezone: true });
    assert_eq!(updated.server_default.as_deref(), Some("now()"));
    assert_eq!(
        updated.default.as_ref().map(|d| &d.value),
        Some(&DefaultValue::Known(KnownCallable::NowUtc))
    );
    assert_eq!(
        updated.onupdate.as_ref().map(|d| d.source.as_str()),
        Some("lambda: datetime.now(UTC)")
    );
}

#[test]
fn relationships_keep_their_options() {
    let parsed = parse(&model("one_to_many"));
    let orders = &parsed.ir.table("users").expect("users").relationships[0];
    assert_eq!(
        (
            orders.name.as_str(),
            orders.target.as_str(),
            orders.collection
        ),
        ("orders", "Order", true)
    );
    assert_eq!(orders.cascade.as_deref(), Some("all, delete-orphan"));
    assert_eq!(orders.lazy.as_deref(), Some("selectin"));
    assert_eq!(orders.back_populates.as_deref(), Some("user"));
    let user = &parsed.ir.table("orders").expect("orders").relationships[0];
    assert_eq!((user.target.as_str(), user.collection), ("User", false));

    let parsed = parse(&model("many_to_many"));
    let categories = &parsed.ir.table("products").expect("products").relationships[0];
    assert_eq!(categories.secondary.as_deref(), Some("product_categories"));

    let parsed = parse(&model("self_referential"));
    let parent = &parsed
        .ir
        .table("categories")
        .expect("categories")
        .relationships[0];
    assert_eq!(
        (parent.target.as_str(), parent.collection),
        ("Category", false)
    );
    assert_eq!(parent.remote_side.as_deref(), Some("'Category.id'"));
}

#[test]
fn enums_and_literal_defaults() {
    let parsed = parse(&model("enum_field"));
    let status_enum = &parsed.ir.enums[0];
    assert_eq!(status_enum.name, "OrderStatus");
    assert_eq!(
        status_enum.members[0],
        ("PENDING".to_string(), Literal::Str("pending".into()))
    );
    let status = parsed
        .ir
        .table("orders")
        .and_then(|t| t.column("status"))
        .expect("status");
    assert_eq!(
        status.default.as_ref().map(|d| &d.value),
        Some(&DefaultValue::Literal(Literal::Str("pending".into())))
    );

    let parsed = parse(&model("association_object"));
    let items = parsed.ir.table("order_items").expect("order_items");
    let quantity = items.column("quantity").expect("quantity");
    assert_eq!(
        quantity.default.as_ref().map(|d| &d.value),
        Some(&DefaultValue::Literal(Literal::Number("1".into())))
    );
}

#[test]
fn classes_are_classified_and_members_kept_opaque() {
    let parsed = parse(&model("soft_delete"));
    let kind = |name: &str| {
        parsed
            .ir
            .classes
            .iter()
            .find(|c| c.name == name)
            .map(|c| c.kind)
    };
    assert_eq!(kind("Base"), Some(ClassKind::DeclarativeBase));
    assert_eq!(kind("BaseModel"), Some(ClassKind::Abstract));
    assert_eq!(kind("SoftDeleteMixin"), Some(ClassKind::Plain));
    assert_eq!(kind("UserRepository"), Some(ClassKind::Plain));
    assert_eq!(kind("User"), Some(ClassKind::Mapped));
    let users = parsed.ir.table("users").expect("users");
    let members: Vec<_> = users
        .members
        .iter()
        .map(|m| (m.name.as_str(), m.kind))
        .collect();
    assert_eq!(
        members,
        [
            ("is_deleted", MemberKind::Property),
            ("soft_delete", MemberKind::Method),
            ("restore", MemberKind::Method)
        ]
    );
}

#[test]
fn a_later_class_definition_replaces_the_earlier_one() {
    // The reference defines Order three times; pasted together, the last one counts.
    let source = format!(
        "{}\n{}",
        model("one_to_many"),
        model("association_object")
            .split("# --- reference snippet ---")
            .nth(1)
            .unwrap_or_default()
    );
    let parsed = parse(&source);
    let orders = parsed.ir.table("orders").expect("orders");
    assert!(
        orders.column("user_id").is_none(),
        "the later Order has no user_id"
    );
    assert_eq!(orders.relationships[0].name, "items");
    assert!(parsed
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Info && d.message.contains("replaces")));
}

#[test]
fn a_half_typed_column_costs_one_line_not_the_other_classes() {
    let source = "\
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy import String

class Base(DeclarativeBase):
    pass

class User(Base):
    __tablename__ = 'users'
    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(255
    name: Mapped[str]

class Post(Base):
    __tablename__ = 'posts'
    id: Mapped[int] = mapped_column(primary_key=True)
";
    let parsed = parse(source);
    let error = parsed
        .diagnostics
        .iter()
        .find(|d| d.severity == Severity::Error)
        .expect("an error");
    assert_eq!(
        (error.line, error.column),
        (10, 46),
        "{:?}",
        parsed.diagnostics
    );
    let users = parsed.ir.table("users").expect("users survives");
    assert!(
        users.column("name").is_some(),
        "the line after the broken one is kept"
    );
    assert!(parsed.ir.table("posts").is_some(), "the next class is kept");
}

#[test]
fn a_syntax_error_mid_class_is_reported_at_its_line() {
    let source = "class Base(DeclarativeBase):\n    pass\n\nclass A(Base):\n    __tablename__ = 'a'\n    id: Mapped[int] = mapped_column(primary_key=True)\n    x: Mapped[int] = = 3\n    y: Mapped[str]\n";
    let parsed = parse(source);
    let errors: Vec<_> = parsed
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .collect();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!((errors[0].line, errors[0].column), (7, 22));
    let a = parsed.ir.table("a").expect("a");
    assert_eq!(
        a.columns
            .iter()
            .map(|c| c.name.as_str())
            .collect::<Vec<_>>(),
        ["id", "y"]
    );
}

#[test]
fn semantic_problems_are_diagnosed() {
    let source = "\
class Base(DeclarativeBase):
    pass

class A(Base):
    __tablename__ = 'a'
    id: Mapped[int] = mapped_column(primary_key=True)
    data: Mapped[dict]
    b_id: Mapped[int] = mapped_column(ForeignKey('b.id'))

class NoTable(Base):
    x: Mapped[int]
";
    let parsed = parse(source);
    let messages: Vec<(u32, &str)> = parsed
        .diagnostics
        .iter()
        .map(|d| (d.line, d.message.as_str()))
        .collect();
    assert!(
        messages.iter().any(|(l, m)| *l == 7 && m.contains("dict")),
        "{messages:?}"
    );
    assert!(
        messages.iter().any(|(_, m)| m.contains("no table 'b'")),
        "{messages:?}"
    );
    assert!(
        messages
            .iter()
            .any(|(l, m)| *l == 10 && m.contains("__tablename__")),
        "{messages:?}"
    );
    // The model is still usable: JSON is assumed for the dict column.
    assert_eq!(
        parsed
            .ir
            .table("a")
            .and_then(|t| t.column("data"))
            .map(|c| &c.sql_type),
        Some(&SqlType::Json)
    );
}

#[test]
fn check_constraint_from_enum_comprehension() {
    let parsed = parse(&model("enum_field"));
    let orders = parsed.ir.table("orders").expect("orders");
    let Some(Constraint::Check { name, sql }) = orders.constraints.first() else {
        panic!("no check constraint: {:?}", orders.constraints);
    };
    assert_eq!(name.as_deref(), Some("valid_order_status"));
    assert_eq!(
        sql,
        "status IN ('pending', 'confirmed', 'shipped', 'delivered', 'cancelled')"
    );
}

#[test]
fn every_reference_model_parses_without_errors() {
    for name in ALL_MODELS {
        let parsed = parse(&model(name));
        let problems: Vec<_> = parsed
            .diagnostics
            .iter()
            .filter(|d| d.severity != Severity::Info)
            .collect();
        assert!(problems.is_empty(), "{name}: {problems:#?}");
    }
}

#[test]
fn ir_round_trips_through_serde_shape() {
    // The IR derives Serialize/Deserialize for the UI and permalinks; a Debug-equal
    // clone proves nothing, so check the derive compiles for the whole tree.
    fn assert_serde<T: serde::Serialize + for<'de> serde::Deserialize<'de>>() {}
    assert_serde::<sqlpatterns_core::model::Parsed>();
}

/// A tiny deterministic generator (xorshift): no dependency, same inputs every run.
struct Xorshift(u64);

impl Xorshift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

#[test]
fn never_panics_on_truncations_mutations_and_noise() {
    let mut rng = Xorshift(0x9E37_79B9_7F4A_7C15);
    for name in ALL_MODELS {
        let source: Vec<char> = model(name).chars().collect();
        // Every truncation point: a class being typed.
        for end in 0..=source.len() {
            let text: String = source[..end].iter().collect();
            let parsed = parse(&text);
            let _ = to_ddl(&parsed.ir);
            let _ = sqlpatterns_core::model::to_svg(&parsed.ir);
        }
        // Random single-character edits with Python's punctuation.
        let alphabet: Vec<char> = "()[]{}:=,.'\"\\#@\n\t x_9|*-".chars().collect();
        for _ in 0..300 {
            let mut text = source.clone();
            for _ in 0..3 {
                let at = (rng.next() as usize) % (text.len() + 1);
                let c = alphabet[(rng.next() as usize) % alphabet.len()];
                if rng.next().is_multiple_of(2) && at < text.len() {
                    text.remove(at);
                } else {
                    text.insert(at, c);
                }
            }
            let parsed = parse(&text.iter().collect::<String>());
            let _ = to_ddl(&parsed.ir);
            let _ = sqlpatterns_core::model::to_svg(&parsed.ir);
        }
    }
    // Random bytes (lossily decoded) and pathological nesting.
    for _ in 0..300 {
        let len = (rng.next() % 400) as usize;
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let parsed = parse(&String::from_utf8_lossy(&bytes));
        let _ = to_ddl(&parsed.ir);
    }
    for deep in [
        "(".repeat(5000),
        "[".repeat(5000),
        "-".repeat(5000) + "1",
        "class A:\n".repeat(300),
    ] {
        let parsed = parse(&format!("x = {deep}"));
        assert!(parsed.has_errors());
        let _ = parse(&deep);
    }
}

/// Every model source real Python imported (the SQLAlchemy and Alembic fixtures) and every
/// page's models (with the Base Model prelude where they use it).
fn sources_python_runs() -> Vec<(String, String)> {
    let fixtures = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let mut out = Vec::new();
    let mut add_dir = |dir: PathBuf| {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                for file in ["before.py", "after.py"] {
                    let f = path.join(file);
                    out.push((
                        f.display().to_string(),
                        std::fs::read_to_string(&f).unwrap(),
                    ));
                }
            } else if path.extension().is_some_and(|e| e == "py") {
                out.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    };
    add_dir(fixtures.join("models"));
    add_dir(fixtures.join("orm"));
    add_dir(fixtures.join("migrations"));
    out
}

#[test]
fn names_python_would_not_find_are_errors_and_valid_models_have_none() {
    let sources = sources_python_runs();
    assert!(sources.len() > 100, "{}", sources.len());
    for (name, source) in &sources {
        let undefined: Vec<String> = parse(source)
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("is not defined"))
            .map(|d| format!("line {}: {}", d.line, d.message))
            .collect();
        assert!(undefined.is_empty(), "{name}: {undefined:?}");
    }
    for pattern in sqlpatterns_core::catalogue::all() {
        if !sqlpatterns_core::model_editor::has_model_editor(pattern) {
            continue;
        }
        let build = sqlpatterns_core::model_editor::build(pattern.reference_code);
        let undefined: Vec<&String> = build
            .diagnostics
            .iter()
            .filter(|d| d.message.contains("is not defined"))
            .map(|d| &d.message)
            .collect();
        assert!(undefined.is_empty(), "{}: {undefined:?}", pattern.slug);
    }

    // A misspelt type and a forgotten import: errors at their lines, as Python's NameError.
    let source = "from sqlalchemy import String\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column\n\nclass Base(DeclarativeBase):\n    pass\n\nclass User(Base):\n    __tablename__ = 'users'\n    __table_args__ = (Index('ix_users_email', 'email'),)\n    id: Mapped[int] = mapped_column(primary_key=True)\n    email: Mapped[str] = mapped_column(Strng(100))\n    created: Mapped[datetime] = mapped_column()\n";
    let errors: Vec<(u32, String)> = parse(source)
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error && d.message.contains("is not defined"))
        .map(|d| (d.line, d.message.split(':').next().unwrap().to_string()))
        .collect();
    assert_eq!(
        errors,
        [
            (9, "name 'Index' is not defined".to_string()),
            (11, "name 'Strng' is not defined".to_string()),
            (12, "name 'datetime' is not defined".to_string()),
        ]
    );
    // Under `from __future__ import annotations`, annotations are not evaluated; an import
    // rename binds its alias; a class-body name is visible below it.
    let fine = "from __future__ import annotations\nfrom sqlalchemy import Enum as SAEnum, ForeignKey\nfrom sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship\n\nclass Base(DeclarativeBase):\n    pass\n\nclass Node(Base):\n    __tablename__ = 'nodes'\n    id: Mapped[int] = mapped_column(primary_key=True)\n    parent_id: Mapped[int | None] = mapped_column(ForeignKey('nodes.id'))\n    kind: Mapped[str] = mapped_column(SAEnum('a', 'b', name='kind'))\n    when: Mapped[datetime | None]\n    parent: Mapped[Node | None] = relationship(remote_side=[id], default_factory=lambda: undefined_later)\n";
    let undefined: Vec<String> = parse(fine)
        .diagnostics
        .iter()
        .filter(|d| d.message.contains("is not defined"))
        .map(|d| d.message.clone())
        .collect();
    assert!(undefined.is_empty(), "{undefined:?}");
}
