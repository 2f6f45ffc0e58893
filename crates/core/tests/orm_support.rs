//! (Also built as its own empty test target; the orm_* tests include it with #[path].)
//! Shared by the orm_* tests: the fixtures' models, a seeded database, and the
//! comparison of our statements with SQLAlchemy's (recorded on PostgreSQL) up to
//! whitespace and parameter values.

#![allow(dead_code)]

use std::path::PathBuf;

use sqlpatterns_core::engine::Database;
use sqlpatterns_core::model::{self, ModelIr};
use sqlpatterns_core::orm::{Echo, ObjId, Params, Session, Value};

pub const USERS: usize = 10;
pub const ORDERS_PER_USER: usize = 3;
pub const ITEMS_PER_ORDER: usize = 2;
pub const PRODUCTS: usize = 4;
pub const TAGS: usize = 3;

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/orm")
        .join(name)
}

pub fn models() -> ModelIr {
    let source = std::fs::read_to_string(fixture_path("models.py")).expect("models.py");
    let parsed = model::parse(&source);
    assert!(!parsed.has_errors(), "{:#?}", parsed.diagnostics);
    parsed.ir
}

/// One statement recorded by tools/sqlalchemy_statements.py.
pub struct Recorded {
    pub sql: String,
    pub executemany: bool,
    /// How many values were bound (all rows of an executemany).
    pub values: usize,
    /// The bound parameters' names (of the first set of an executemany), sorted:
    /// psycopg2's `%(name)s` style binds by name.
    pub names: Vec<String>,
}

pub struct Fixture {
    pub statements: Vec<Recorded>,
    pub error: Option<String>,
}

pub fn fixture(case: &str) -> Fixture {
    let text = std::fs::read_to_string(fixture_path(&format!("{case}.json"))).expect("fixture");
    let json: serde_json::Value = serde_json::from_str(&text).expect("json");
    let statements = json["statements"]
        .as_array()
        .expect("statements")
        .iter()
        .map(|s| {
            // One set is an object by name; an executemany a list of them.
            let sets: Vec<&serde_json::Map<String, serde_json::Value>> = match &s["params"] {
                serde_json::Value::Object(set) => vec![set],
                serde_json::Value::Array(sets) => sets
                    .iter()
                    .map(|set| set.as_object().expect("a parameter set by name"))
                    .collect(),
                other => panic!("params: {other}"),
            };
            Recorded {
                sql: s["sql"].as_str().expect("sql").to_string(),
                executemany: s["executemany"].as_bool().unwrap_or(false),
                values: sets.iter().map(|set| set.len()).sum(),
                names: sets
                    .first()
                    .map(|set| set.keys().cloned().collect())
                    .unwrap_or_default(),
            }
        })
        .collect();
    Fixture {
        statements,
        error: json["error"].as_str().map(str::to_string),
    }
}

/// Whitespace collapsed; `?`, `%(name)s` and `$1` all become `?`.
pub fn normalise(sql: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = sql.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '%' && chars.get(i + 1) == Some(&'(') {
            if let Some(end) = (i + 2..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == ')' && chars[j + 1] == 's')
            {
                out.push('?');
                i = end + 2;
                continue;
            }
        }
        if chars[i] == '$' && chars.get(i + 1).is_some_and(char::is_ascii_digit) {
            out.push('?');
            i += 1;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The ORM's statements (transaction control aside) since `from`.
pub fn emitted(session: &Session, from: usize) -> Vec<&Echo> {
    session.echo()[from..]
        .iter()
        .filter(|e| !e.is_transaction_control())
        .collect()
}

/// Our statements equal SQLAlchemy's, one for one, with the same parameter names, up to
/// parameter values.
pub fn assert_matches_fixture(case: &str, ours: &[&Echo]) {
    let theirs = fixture(case).statements;
    let ours_text: Vec<String> = ours.iter().map(|e| normalise(&e.sql)).collect();
    let theirs_text: Vec<String> = theirs.iter().map(|r| normalise(&r.sql)).collect();
    assert_eq!(
        ours_text, theirs_text,
        "{case}: statements differ from SQLAlchemy's"
    );
    let ours_names: Vec<Vec<String>> = ours.iter().map(|e| param_names(&e.params)).collect();
    let theirs_names: Vec<Vec<String>> = theirs.iter().map(|r| r.names.clone()).collect();
    assert_eq!(
        ours_names, theirs_names,
        "{case}: parameter names differ from SQLAlchemy's"
    );
}

fn param_names(params: &Params) -> Vec<String> {
    let set = match params {
        Params::None => return Vec::new(),
        Params::One(set) => set,
        Params::Many(sets) => match sets.first() {
            Some(set) => set,
            None => return Vec::new(),
        },
    };
    // psycopg2 binds by name, so their order is no part of the statement.
    let mut names: Vec<String> = set.iter().map(|(name, _)| name.clone()).collect();
    names.sort();
    names
}

/// A database with the fixtures' schema (the model's real PostgreSQL DDL through the
/// dialect front) and the script's seed: PRODUCTS products with 2 of TAGS tags each
/// (many-to-many), USERS users with
/// ORDERS_PER_USER orders of ITEMS_PER_ORDER items each, committed by our own session.
pub fn seeded() -> (Database, ModelIr) {
    let ir = models();
    let mut db = Database::new();
    let mut session = Session::new(&ir).expect("mappable");
    session.create_all(&mut db, &ir).expect("DDL runs");
    let products: Vec<ObjId> = (0..PRODUCTS)
        .map(|p| {
            session
                .add_new("Product", &[("name", Value::from(format!("product {p}")))])
                .unwrap()
        })
        .collect();
    let tags: Vec<ObjId> = (0..TAGS)
        .map(|t| {
            session
                .new_object("Tag", &[("label", Value::from(format!("tag {t}")))])
                .unwrap()
        })
        .collect();
    for (p, product) in products.iter().enumerate() {
        for tag in [tags[p % TAGS], tags[(p + 1) % TAGS]] {
            session.append(&mut db, *product, "tags", tag).unwrap();
        }
    }
    for u in 0..USERS {
        let user = session
            .add_new(
                "User",
                &[("email", Value::from(format!("user{u}@example.com")))],
            )
            .unwrap();
        for o in 0..ORDERS_PER_USER {
            let order = session.new_object("Order", &[]).unwrap();
            for i in 0..ITEMS_PER_ORDER {
                let item = session
                    .new_object(
                        "OrderItem",
                        &[
                            ("unit_price", Value::Float(9.5)),
                            ("quantity", Value::Int(i as i64 + 1)),
                        ],
                    )
                    .unwrap();
                session
                    .set_related(item, "product", Some(products[(o + i) % PRODUCTS]))
                    .unwrap();
                session.append(&mut db, order, "items", item).unwrap();
            }
            session.append(&mut db, user, "orders", order).unwrap();
        }
    }
    session.commit(&mut db).expect("seed commits");
    (db, ir)
}

/// A root category with two children and a root without, committed (the script's
/// `category_tree`).
pub fn category_tree(db: &mut Database, ir: &ModelIr) {
    let mut setup = Session::new(ir).unwrap();
    let root = setup
        .add_new("Category", &[("name", "root".into())])
        .unwrap();
    for name in ["left", "right"] {
        let child = setup
            .new_object("Category", &[("name", name.into())])
            .unwrap();
        setup.append(db, root, "children", child).unwrap();
    }
    setup
        .add_new("Category", &[("name", "lonely root".into())])
        .unwrap();
    setup.commit(db).unwrap();
}
