//! "Load users with their orders" through the ORM emulation, with a chosen loader
//! strategy: the demo behind the one-to-many page's loader panel. Seeds through the
//! session (as an app would), then loads in a fresh session (empty identity map, as a new
//! request would) and touches every user's orders, like a template rendering them.

use crate::engine::Database;
use crate::model::ModelIr;
use crate::orm::{joinedload, lazyload, raiseload, selectinload, subqueryload, Select, Session};
use serde::Serialize;
use web_time::Instant;

/// SQLAlchemy's loader strategies for `User.orders`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum EagerStrategy {
    Lazy,
    Joined,
    SelectIn,
    Subquery,
    Raise,
}

impl EagerStrategy {
    pub const ALL: [EagerStrategy; 5] = [
        EagerStrategy::Lazy,
        EagerStrategy::Joined,
        EagerStrategy::SelectIn,
        EagerStrategy::Subquery,
        EagerStrategy::Raise,
    ];

    /// The name used in links and in SQLAlchemy's `lazy=` parameter.
    pub fn name(self) -> &'static str {
        match self {
            EagerStrategy::Lazy => "select",
            EagerStrategy::Joined => "joined",
            EagerStrategy::SelectIn => "selectin",
            EagerStrategy::Subquery => "subquery",
            EagerStrategy::Raise => "raise",
        }
    }

    /// The loader option as written in Python.
    pub fn option(self) -> &'static str {
        match self {
            EagerStrategy::Lazy => "lazyload(User.orders)",
            EagerStrategy::Joined => "joinedload(User.orders)",
            EagerStrategy::SelectIn => "selectinload(User.orders)",
            EagerStrategy::Subquery => "subqueryload(User.orders)",
            EagerStrategy::Raise => "raiseload(User.orders)",
        }
    }

    pub fn parse(name: &str) -> Option<EagerStrategy> {
        EagerStrategy::ALL.into_iter().find(|s| s.name() == name)
    }
}

/// One statement of the load, as `echo=True` prints it.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct EchoLine {
    pub sql: String,
    pub params: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LoadRun {
    pub strategy: EagerStrategy,
    /// The load's statements (transaction control aside), in order.
    pub statements: Vec<EchoLine>,
    pub users: usize,
    pub orders: usize,
    pub duration_ms: f64,
    /// SQLAlchemy's error (raise), or why the models cannot run the demo.
    pub error: Option<String>,
}

/// Seeds `users` users with `orders_per_user` orders each through a session, committed.
pub fn seed(
    db: &mut Database,
    ir: &ModelIr,
    users: usize,
    orders_per_user: usize,
) -> Result<(), String> {
    let mut session = Session::new(ir).map_err(|e| e.to_string())?;
    for u in 0..users {
        let user = session
            .add_new(
                "User",
                &[(
                    "email",
                    crate::orm::Value::from(format!("user{u}@example.com")),
                )],
            )
            .map_err(|e| format!("the models need a User with an email: {e}"))?;
        for _ in 0..orders_per_user {
            let order = session
                .new_object("Order", &[])
                .map_err(|e| format!("the models need an Order: {e}"))?;
            session
                .append(db, user, "orders", order)
                .map_err(|e| format!("the models need User.orders: {e}"))?;
        }
    }
    session.commit(db).map_err(|e| e.to_string())
}

/// Loads every user with `strategy` in a fresh session and reads each user's orders.
pub fn load(db: &mut Database, ir: &ModelIr, strategy: EagerStrategy) -> LoadRun {
    let started = Instant::now();
    let mut run = LoadRun {
        strategy,
        statements: Vec::new(),
        users: 0,
        orders: 0,
        duration_ms: 0.0,
        error: None,
    };
    let mut session = match Session::new(ir) {
        Ok(session) => session,
        Err(e) => {
            run.error = Some(e.to_string());
            return run;
        }
    };
    let option = match strategy {
        EagerStrategy::Lazy => lazyload("User.orders"),
        EagerStrategy::Joined => joinedload("User.orders"),
        EagerStrategy::SelectIn => selectinload("User.orders"),
        EagerStrategy::Subquery => subqueryload("User.orders"),
        EagerStrategy::Raise => raiseload("User.orders"),
    };
    let result = session
        .execute(db, &Select::new("User").options(option))
        .and_then(|users| {
            run.users = users.len();
            for user in users {
                run.orders += session.related(db, user, "orders")?.len();
            }
            Ok(())
        });
    run.error = result.err().map(|e| e.to_string());
    run.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    run.statements = session
        .echo()
        .iter()
        .filter(|e| !e.is_transaction_control())
        .map(|e| EchoLine {
            sql: e.sql.clone(),
            params: e.params_text(),
        })
        .collect();
    run
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model_editor;

    fn seeded(users: usize, orders: usize) -> (Database, ModelIr) {
        let code = crate::catalogue::by_slug("one-to-many-cascade")
            .unwrap()
            .reference_code;
        let build = model_editor::build(code);
        assert_eq!(build.failed_statements(), 0, "{:?}", build.ddl_runs);
        let mut db = build.database;
        seed(&mut db, &build.ir, users, orders).unwrap();
        (db, build.ir)
    }

    #[test]
    fn ten_users_with_three_orders_each_cost_11_1_2_2_statements() {
        let (mut db, ir) = seeded(10, 3);
        let counts: Vec<_> = [
            EagerStrategy::Lazy,
            EagerStrategy::Joined,
            EagerStrategy::SelectIn,
            EagerStrategy::Subquery,
        ]
        .into_iter()
        .map(|s| {
            let run = load(&mut db, &ir, s);
            assert_eq!(run.error, None, "{s:?}");
            assert_eq!((run.users, run.orders), (10, 30), "{s:?}");
            run.statements.len()
        })
        .collect();
        assert_eq!(counts, [11, 1, 2, 2]);
    }

    #[test]
    fn raise_gives_sqlalchemys_error() {
        let (mut db, ir) = seeded(2, 1);
        let run = load(&mut db, &ir, EagerStrategy::Raise);
        assert_eq!(
            run.error.as_deref(),
            Some("sqlalchemy.exc.InvalidRequestError: 'User.orders' is not available due to lazy='raise'")
        );
    }

    #[test]
    fn models_without_user_orders_say_so() {
        let build = model_editor::build(
            crate::catalogue::by_slug("enum-field")
                .unwrap()
                .reference_code,
        );
        let mut db = build.database;
        let error = seed(&mut db, &build.ir, 1, 1).unwrap_err();
        assert!(error.contains("User"), "{error}");
    }

    #[test]
    fn strategy_names_round_trip() {
        for s in EagerStrategy::ALL {
            assert_eq!(EagerStrategy::parse(s.name()), Some(s));
        }
        assert_eq!(EagerStrategy::parse("nope"), None);
    }
}
