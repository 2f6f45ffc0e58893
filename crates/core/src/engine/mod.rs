//! The engine layer: one in-memory GlueSQL database on our own storage, and its
//! [`StatementLog`].
//!
//! Every statement the playground runs goes through [`Database::execute`], which plans it
//! (with secondary indexes), runs it atomically under a [`Budget`], handles transaction
//! control itself (snapshots, savepoints, read-only), and records in the log what it read
//! and how. The UI reads counts, durations and plans from that log only.
//!
//! Modules: `storage` (tables and indexes in `im` maps; O(1) snapshots), `index` (B-tree
//! index keys and seeks), `planner` (GlueSQL's passes plus index planning), `explain` (plan
//! text), `transaction` (BEGIN/COMMIT/ROLLBACK/SAVEPOINT/READ ONLY), `rewrite` (INSERT column
//! lists), `budget` and `probe` (limits and rows-examined counters), `log`.

mod budget;
mod dump;
mod explain;
mod glue_errors;
mod index;
mod log;
pub mod memory;
mod multi_seek;
mod planner;
mod probe;
mod rewrite;
mod sqlstate;
mod storage;
mod tiebreak;
mod transaction;
mod write_access;

pub use budget::{Budget, BudgetExceeded};
pub use dump::SqlDump;
pub(crate) use index::is_number;
pub use log::{LogEntry, LogOutcome, StatementDetails, StatementKind, StatementLog};
pub use probe::{AccessMethod, TableAccess};
pub use sqlstate::SqlState;
pub use transaction::TransactionStatus;

use gluesql::core::executor::Payload;
use gluesql::core::parse_sql::parse;
use gluesql::core::plan::StatementPlan;
use gluesql::core::sqlparser::ast::{ObjectType, Statement as SqlStatement};
use gluesql::core::store::Planner;
use storage::{EngineStorage, State};
use transaction::{ControlDone, OpenTransaction, TxControl, ABORTED_MESSAGE};
use web_time::Instant;

/// A failed statement, shaped as PostgreSQL reports one: SQLSTATE, primary message,
/// DETAIL and HINT where PostgreSQL gives them, and where the engine says it failed
/// (1-based line and column inside the statement's own text), when it says so.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EngineError {
    pub code: SqlState,
    pub message: String,
    pub detail: Option<String>,
    pub hint: Option<String>,
    pub position: Option<(u32, u32)>,
}

impl EngineError {
    /// An error in PostgreSQL's words; its SQLSTATE is read off the wording
    /// ([`SqlState::of_message`]), so every message the layers produce carries one.
    ///
    /// Layers that pass errors through GlueSQL (a storage message is one string) append
    /// `\nDETAIL:  ...` and `\nHINT:  ...` lines, as psql prints them; they are split off
    /// here. PostgreSQL's primary messages never contain a newline.
    pub(crate) fn new(message: impl Into<String>) -> Self {
        let mut message: String = message.into();
        let hint = split_line(&mut message, "\nHINT:  ");
        let detail = split_line(&mut message, "\nDETAIL:  ");
        Self {
            code: SqlState::of_message(&message),
            message,
            detail,
            hint,
            position: None,
        }
    }

    /// An error with a known SQLSTATE.
    pub(crate) fn coded(code: SqlState, message: impl Into<String>) -> Self {
        Self {
            code,
            ..Self::new(message)
        }
    }

    /// `feature not supported in this playground: <what>` (0A000): what the playground
    /// answers instead of an answer that would differ from PostgreSQL's.
    pub fn unsupported(what: impl std::fmt::Display) -> Self {
        Self::coded(
            SqlState::FEATURE_NOT_SUPPORTED,
            format!("feature not supported in this playground: {what}"),
        )
    }

    pub(crate) fn at(mut self, position: Option<(u32, u32)>) -> Self {
        self.position = position;
        self
    }

    /// The error as psql prints it (`ERROR:  <message>`, then `DETAIL:` and `HINT:` lines),
    /// with the SQLSTATE as `\set VERBOSITY verbose` shows it.
    pub fn psql_text(&self) -> String {
        let mut text = format!("ERROR:  {}: {}", self.code.0, self.message);
        if let Some(detail) = &self.detail {
            text.push_str("\nDETAIL:  ");
            text.push_str(detail);
        }
        if let Some(hint) = &self.hint {
            text.push_str("\nHINT:  ");
            text.push_str(hint);
        }
        text
    }
}

/// Cuts `marker` and what follows it off `message`, returning what followed.
fn split_line(message: &mut String, marker: &str) -> Option<String> {
    let at = message.find(marker)?;
    let rest = message[at + marker.len()..].to_string();
    message.truncate(at);
    Some(rest)
}

impl std::fmt::Display for EngineError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for EngineError {}

/// A copy of the whole database at one moment, taken in O(1) (see [`Database::snapshot`]).
#[derive(Clone, Debug)]
pub struct Snapshot(State);

/// One fresh in-memory database with its statement log.
pub struct Database {
    pub(crate) storage: EngineStorage,
    pub(crate) transaction: Option<OpenTransaction>,
    /// Set while running an `ALTER TABLE ... NOT VALID` (the parser does not read it).
    pub(crate) not_valid: bool,
    /// The values of `$1`, `$2`, ... for the statement running (see `execute_with_params`).
    pub(crate) params: Vec<crate::dialect::ParamLiteral>,
    budget: Budget,
    log: StatementLog,
    /// The result column types of the last statement (see [`Database::result_types`]).
    result_types: Vec<Option<crate::dialect::PgType>>,
    /// The limit the last statement ran into, if it was stopped at its budget.
    last_exceeded: Option<BudgetExceeded>,
}

impl Default for Database {
    fn default() -> Self {
        Self::new()
    }
}

/// What one statement produced, besides its payload, for the log.
#[derive(Default)]
pub(crate) struct Run {
    pub command: Option<String>,
    pub plan: Option<String>,
    pub notice: Option<String>,
    /// PostgreSQL types of the result columns, where the front can tell.
    pub result_types: Vec<Option<crate::dialect::PgType>>,
    /// A known difference from PostgreSQL the statement runs into.
    pub difference: Option<crate::dialect::differences::KnownDifference>,
    /// NUMERIC result columns the playground rounds itself (see `dialect::rounding`).
    pub rounding: Vec<Option<crate::dialect::rounding::Rounding>>,
}

/// Engine internals the dialect front works with.
pub(crate) mod storage_api {
    pub(crate) use super::index::{value_sql, IndexKind, SecondaryIndex};
    pub(crate) use super::probe::AccessMethod;
    #[allow(unused_imports)]
    pub(crate) use super::storage::{
        mentions_column, rename_identifier, Change, EngineStorage, State, Table,
    };
    pub(crate) use super::Run;
}

impl Database {
    /// An empty database with the default [`Budget`].
    pub fn new() -> Self {
        Self::with_budget(Budget::default())
    }

    pub fn with_budget(budget: Budget) -> Self {
        Self {
            storage: EngineStorage::default(),
            transaction: None,
            not_valid: false,
            params: Vec::new(),
            budget,
            log: StatementLog::default(),
            result_types: Vec::new(),
            last_exceeded: None,
        }
    }

    pub fn budget(&self) -> Budget {
        self.budget
    }

    /// Changes the budget for the statements that follow (e.g. unlimited while seeding).
    pub fn set_budget(&mut self, budget: Budget) {
        self.budget = budget;
    }

    /// The limit the last statement ran into, when its budget stopped it.
    pub fn last_budget_exceeded(&self) -> Option<BudgetExceeded> {
        self.last_exceeded
    }

    /// Runs `f` with the budget lifted ([`Budget::UNLIMITED`]), then puts the budget back,
    /// whatever `f` returns: for the labs' seeding and index builds, which are not a user's
    /// query.
    pub fn unbudgeted<T>(&mut self, f: impl FnOnce(&mut Database) -> T) -> T {
        let budget = self.budget;
        self.budget = Budget::UNLIMITED;
        let value = f(self);
        self.budget = budget;
        value
    }

    /// Executes one statement with values for its `$1`, `$2`, ... placeholders (e.g.
    /// `vec![5.into_param_literal(), "a@x".into_param_literal()]`, see
    /// [`crate::dialect::IntoParamLiteral`]). Logged like `execute`, with the SQL as written.
    pub fn execute_with_params(
        &mut self,
        sql: &str,
        params: Vec<crate::dialect::ParamLiteral>,
    ) -> Result<Payload, EngineError> {
        self.params = params;
        let result = self.execute(sql);
        self.params.clear();
        result
    }

    /// Executes SQL holding exactly one statement and records it in the log.
    pub fn execute(&mut self, sql: &str) -> Result<Payload, EngineError> {
        let started = Instant::now();
        // EXPLAIN runs its statement and answers with the plan it ran with; without
        // ANALYZE a write is undone afterwards, as PostgreSQL does not run it at all.
        let explain = explain::explain_request(sql);
        let statement_sql = match &explain {
            Ok(Some(request)) => request.statement,
            _ => sql,
        };
        let writes = StatementKind::of_sql(statement_sql) != StatementKind::Select;
        let before_explain = match &explain {
            Ok(Some(request)) if !request.analyze && writes => Some(self.storage.state.clone()),
            _ => None,
        };
        self.storage.probe.start(self.budget, writes);
        let mut run = Run::default();
        let result = match &explain {
            Err(error) => Err(error.clone()),
            Ok(_) => self.run_finished(statement_sql, &mut run),
        };
        let report = self.storage.probe.finish();
        let result = match (&explain, result) {
            (Ok(Some(request)), Ok(payload)) => {
                let result_rows = match &payload {
                    Payload::Select { rows, .. } => rows.len(),
                    _ => 0,
                };
                let lines = explain::postgres_plan(
                    run.plan.as_deref(),
                    &report.accesses,
                    &self.storage.state,
                    request.analyze,
                    request.summary.unwrap_or(request.analyze),
                    result_rows,
                    started.elapsed().as_secs_f64() * 1000.0,
                );
                run.command = Some("EXPLAIN".into());
                run.result_types = vec![Some(crate::dialect::PgType::Text)];
                run.difference = Some(crate::dialect::differences::EXPLAIN_PLAN);
                Ok(Payload::Select {
                    labels: vec!["QUERY PLAN".into()],
                    rows: lines
                        .into_iter()
                        .map(|l| vec![gluesql::core::data::Value::Str(l)])
                        .collect(),
                })
            }
            (_, result) => result,
        };
        if let Some(state) = before_explain {
            self.storage.state = state;
        }
        self.last_exceeded = report.exceeded.filter(|_| result.is_err());
        let result = match (result, report.exceeded) {
            (Err(_), Some(exceeded)) => Err(EngineError::new(exceeded.message())),
            // sum() of bigints is numeric in PostgreSQL and does not overflow there; GlueSQL
            // adds in 64 bits.
            (Err(e), _)
                if e.message == "bigint out of range"
                    && crate::dialect::syntax::skeleton(sql).contains("sum(") =>
            {
                Err(EngineError::unsupported(
                    "sum() past the bigint range (PostgreSQL sums bigints as numeric)",
                ))
            }
            (result, _) => result,
        };
        if result.is_err() {
            if let Some(open) = self.transaction.as_mut() {
                open.aborted = true;
            }
        }
        let duration_ms = started.elapsed().as_secs_f64() * 1000.0;
        let outcome = match &result {
            Ok(payload) => LogOutcome::from_payload(payload),
            Err(error) => LogOutcome::Failed(error.message.clone()),
        };
        let details = StatementDetails {
            command: run.command,
            rows_examined: report.rows_examined,
            memory_peak_bytes: report.memory_peak_bytes,
            accesses: report.accesses,
            plan: run.plan,
            notice: run.notice,
            difference: if result.is_ok() { run.difference } else { None },
            constraint_actions: if result.is_ok() {
                std::mem::take(&mut self.storage.constraint_actions)
            } else {
                Vec::new()
            },
        };
        self.log.push_detailed(sql, duration_ms, outcome, details);
        self.result_types = run.result_types;
        result
    }

    /// [`Database::run`], then what the engine does to every result after GlueSQL: the
    /// NUMERIC rounding the front planned, and the integer range checks. The parts of a
    /// statement the front runs as queries of their own (CTEs, set operation branches)
    /// come through here too.
    pub(crate) fn run_finished(
        &mut self,
        sql: &str,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        self.run(sql, run)
            .and_then(|payload| {
                crate::dialect::rounding::apply(payload, &run.rounding, &run.result_types)
            })
            .and_then(|payload| integers_in_range(payload, &run.result_types))
    }

    /// Runs one statement inside the `execute` that times, budgets and logs it.
    pub(crate) fn run(&mut self, sql: &str, run: &mut Run) -> Result<Payload, EngineError> {
        // PostgreSQL reads unquoted names in lower case.
        let folded = crate::dialect::fold::fold_identifiers(sql);
        let original_sql = matches!(folded, std::borrow::Cow::Owned(_)).then_some(sql);
        let sql: &str = &folded;
        self.storage.changes.clear();
        self.storage.constraint_actions.clear();
        self.not_valid = false;
        let special = crate::dialect::alter::special(sql);
        let parsed_sql = match &special {
            Some(crate::dialect::alter::Special::NotValid(stripped)) => {
                self.not_valid = true;
                stripped.as_str()
            }
            Some(crate::dialect::alter::Special::Validate { table, constraint }) => {
                if self.transaction.as_ref().is_some_and(|t| t.aborted) {
                    return Err(EngineError::new(ABORTED_MESSAGE));
                }
                let (table, constraint) = (table.clone(), constraint.clone());
                return self.validate_constraint(&table, &constraint, run);
            }
            Some(crate::dialect::alter::Special::DropConcurrently(stripped)) => {
                if self.transaction.is_some() {
                    run.command = Some("DROP INDEX".to_string());
                    return Err(EngineError::new(
                        "DROP INDEX CONCURRENTLY cannot run inside a transaction block",
                    ));
                }
                // PostgreSQL's own limits of the concurrent form (0A000 there too).
                let text = crate::dialect::syntax::skeleton(stripped);
                if text.ends_with(" cascade") {
                    return Err(EngineError::coded(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "DROP INDEX CONCURRENTLY does not support CASCADE",
                    ));
                }
                if text.contains(',') {
                    return Err(EngineError::coded(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "DROP INDEX CONCURRENTLY does not support dropping multiple objects",
                    ));
                }
                stripped.as_str()
            }
            None => sql,
        };
        let parsed_sql = if crate::dialect::syntax::is_abort(parsed_sql) {
            "ROLLBACK"
        } else {
            parsed_sql
        };
        if let Some(error) = crate::dialect::syntax::pre_parse(parsed_sql) {
            return Err(error);
        }
        let parsed = parse(parsed_sql).or_else(|error| {
            match crate::dialect::syntax::delete_returning_with_where(parsed_sql) {
                Some(with_where) => parse(&with_where).map_err(|_| error),
                None => Err(error),
            }
        });
        let mut statements = parsed.map_err(|e| {
            // (Read in the text as written, so a quoted token keeps its case.)
            let as_written = original_sql
                .filter(|o| o.len() == parsed_sql.len())
                .unwrap_or(parsed_sql);
            if let Some(error) =
                crate::dialect::syntax::refusal_for_unparsed(as_written, self.transaction.is_some())
            {
                return error;
            }
            let mut error = engine_error(&e);
            // The token as the user wrote it, not as folded.
            if let (Some((line, column)), Some(original)) = (error.position, original_sql) {
                if let Some(quoted) = error.message.strip_prefix("syntax error at or near \"") {
                    let token = quoted.trim_end_matches('"');
                    let at_position = text_at(original, line, column, token.len())
                        .filter(|t| t.eq_ignore_ascii_case(token));
                    let anywhere = || {
                        let lower = original.to_ascii_lowercase();
                        lower
                            .find(token)
                            .and_then(|i| original.get(i..i + token.len()))
                    };
                    if let Some(as_written) = at_position.or_else(anywhere) {
                        error.message = format!("syntax error at or near \"{as_written}\"");
                    }
                }
            }
            error
        })?;
        if statements.len() != 1 {
            return Err(EngineError::new(format!(
                "expected exactly one statement, got {} (split the script first)",
                statements.len()
            )));
        }
        let mut statement = statements.remove(0);

        if let Some(control) = TxControl::of(&statement) {
            run.command = Some(control.tag().to_string());
            return self.control(&control, run);
        }
        if self.transaction.as_ref().is_some_and(|t| t.aborted) {
            return Err(EngineError::new(ABORTED_MESSAGE));
        }
        if let Some(open) = self.transaction.as_mut() {
            open.ran_statement = true;
        }
        if let Some(done) = self.intercept_index_ddl(&mut statement, run)? {
            return Ok(done);
        }
        if let SqlStatement::Comment {
            object_type,
            object_name,
            ..
        } = &statement
        {
            return self.comment_on(object_type, object_name, run);
        }
        if let Some(done) = self.front(sql, &mut statement, run)? {
            return Ok(done);
        }

        let plan = gluesql::core::translate::translate_with_params(&statement, &self.params)
            .map_err(|e| engine_error(&e))?;
        let plan = StatementPlan::from(plan);
        let plan = self.prepare(plan)?;
        self.execute_plan(&plan, run)
    }

    /// Rewrites and plans a translated statement, and refuses writes in a read-only
    /// transaction.
    pub(crate) fn prepare(&self, plan: StatementPlan) -> Result<StatementPlan, EngineError> {
        let plan =
            rewrite::fill_insert_columns(&self.storage, plan).map_err(|e| engine_error(&e))?;
        let plan = self.storage.plan(plan).map_err(|e| engine_error(&e))?;
        if self.transaction.as_ref().is_some_and(|t| t.read_only) {
            if let Some(command) = write_command(&plan) {
                return Err(EngineError::new(format!(
                    "cannot execute {command} in a read-only transaction"
                )));
            }
        }
        Ok(plan)
    }

    /// Runs a planned statement atomically: on any error the storage goes back to how it
    /// was before the statement.
    pub(crate) fn execute_plan(
        &mut self,
        plan: &StatementPlan,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        run.plan = explain::explain(plan);
        run.command = Some(command_tag(plan).to_string());
        let before = self.storage.state.clone();
        self.narrow_write_scan(plan)?;
        self.storage.inserting = matches!(plan, StatementPlan::Insert { .. });
        let result = gluesql::core::executor::execute(&mut self.storage, plan);
        // A narrowed scan serves the statement's first scan of its table, or nothing.
        self.storage.narrowed_scan.borrow_mut().take();
        self.storage.inserting = false;
        self.storage.direct_changes = self.storage.changes.len();
        let result = result.and_then(|payload| {
            crate::dialect::foreign::enforce(&mut self.storage).map(|()| payload)
        });
        // A write that leaves the page over its memory budget is undone like any failure.
        let result = match plan {
            StatementPlan::Query(_) => result,
            _ => {
                result.and_then(|payload| self.storage.probe.check_total_memory().map(|()| payload))
            }
        };
        result.map_err(|error| {
            self.storage.state.rewind(&before);
            match (&error, plan) {
                // GlueSQL's own primary-key check, in PostgreSQL's words.
                (
                    gluesql::core::error::Error::Validate(
                        gluesql::core::error::ValidateError::DuplicateEntryOnPrimaryKeyField(key),
                    ),
                    StatementPlan::Insert { table_name, .. }
                    | StatementPlan::Update { table_name, .. },
                ) => match self.storage.state.table(table_name) {
                    Some(table) => EngineError::new(
                        crate::dialect::constraints::primary_key_message(table, key),
                    ),
                    None => EngineError::new(crate::dialect::errors::unique(&format!(
                        "{table_name}_pkey"
                    ))),
                },
                _ => engine_error(&error),
            }
        })
    }

    fn control(&mut self, control: &TxControl, run: &mut Run) -> Result<Payload, EngineError> {
        let outcome = transaction::apply(control, &mut self.transaction, &mut self.storage.state);
        run.notice = outcome.notice;
        match outcome.result {
            Ok(ControlDone::Began) => Ok(Payload::StartTransaction),
            Ok(ControlDone::Committed) => Ok(Payload::Commit),
            Ok(ControlDone::RolledBack) => {
                if *control == TxControl::Commit {
                    run.command = Some("ROLLBACK".to_string());
                }
                Ok(Payload::Rollback)
            }
            // SAVEPOINT, RELEASE and SET TRANSACTION have no payload of their own; the log's
            // `command` names them.
            Ok(ControlDone::Other) => Ok(match control {
                TxControl::Release(_) => Payload::Commit,
                _ => Payload::StartTransaction,
            }),
            Err(message) => Err(EngineError::new(message)),
        }
    }

    /// `COMMENT ON TABLE t` / `COMMENT ON COLUMN t.c` (what create_all sends for
    /// `comment=`): checked as PostgreSQL checks the target, and otherwise a no-op, as
    /// nothing in the playground reads comments back (catalog functions are refused).
    fn comment_on(
        &mut self,
        object_type: &gluesql::core::sqlparser::ast::CommentObject,
        object_name: &gluesql::core::sqlparser::ast::ObjectName,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        use gluesql::core::sqlparser::ast::CommentObject;
        let parts: Vec<&str> = object_name.0.iter().map(|i| i.value.as_str()).collect();
        let (table, column) = match (object_type, parts.as_slice()) {
            (CommentObject::Table, [table]) => (*table, None),
            (CommentObject::Column, [table, column]) => (*table, Some(*column)),
            _ => {
                return Err(EngineError::unsupported(
                    "COMMENT ON other than a table or a column",
                ))
            }
        };
        let Some(found) = self.storage.state.tables.get(table) else {
            return Err(EngineError::new(format!(
                "relation \"{table}\" does not exist"
            )));
        };
        if let Some(column) = column {
            let exists = found
                .schema
                .column_defs
                .as_ref()
                .is_some_and(|defs| defs.iter().any(|d| d.name == column));
            if !exists {
                return Err(EngineError::new(format!(
                    "column \"{column}\" of relation \"{table}\" does not exist"
                )));
            }
        }
        run.command = Some("COMMENT".to_string());
        Ok(Payload::AlterTable)
    }

    /// PostgreSQL's `DROP INDEX name` (GlueSQL wants `table.name`) and the CREATE INDEX
    /// options GlueSQL refuses but that mean nothing different here.
    fn intercept_index_ddl(
        &mut self,
        statement: &mut SqlStatement,
        run: &mut Run,
    ) -> Result<Option<Payload>, EngineError> {
        match statement {
            SqlStatement::Drop {
                object_type: ObjectType::Index,
                if_exists,
                names,
                ..
            } if names.len() == 1 && names[0].0.len() == 1 => {
                let name = names[0].0[0].value.clone();
                let invalid_in = self
                    .storage
                    .state
                    .tables
                    .iter()
                    .find(|(_, t)| t.meta.invalid_indexes.contains(&name))
                    .map(|(table, _)| table.clone());
                if let Some(table) = invalid_in {
                    if let Some(t) = self.storage.state.tables.get_mut(&table) {
                        t.meta.invalid_indexes.retain(|n| *n != name);
                    }
                    run.command = Some("DROP INDEX".to_string());
                    return Ok(Some(Payload::DropIndex));
                }
                let Some(table_name) = self.storage.table_of_index(&name) else {
                    if self.storage.state.tables.contains_key(&name) {
                        return Err(EngineError::new(format!(
                            "\"{name}\" is not an index\nHINT:  Use DROP TABLE to remove a table."
                        )));
                    }
                    return if *if_exists {
                        run.command = Some("DROP INDEX".to_string());
                        run.notice = Some(format!("index \"{name}\" does not exist, skipping"));
                        Ok(Some(Payload::DropIndex))
                    } else {
                        Err(EngineError::new(format!("index \"{name}\" does not exist")))
                    };
                };
                let plan = self.prepare(StatementPlan::DropIndex { name, table_name })?;
                self.execute_plan(&plan, run).map(Some)
            }
            SqlStatement::CreateIndex(create) => {
                // One session and no concurrent writers: building concurrently and building
                // at once give the same index (only a failed build differs: see
                // `create_index`).
                if create.concurrently && self.transaction.is_some() {
                    return Err(EngineError::new(
                        "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
                    ));
                }
                if create.if_not_exists {
                    create.if_not_exists = false;
                    let existing = create
                        .name
                        .as_ref()
                        .map(|n| n.to_string())
                        .filter(|n| self.storage.table_of_index(n).is_some());
                    if let Some(name) = existing {
                        run.command = Some("CREATE INDEX".to_string());
                        run.notice = Some(format!("relation \"{name}\" already exists, skipping"));
                        return Ok(Some(Payload::CreateIndex));
                    }
                }
                Ok(None)
            }
            _ => Ok(None),
        }
    }

    /// Runs a query for the UI's own display (live tables) without recording it: the
    /// statement log shows only what the user and the patterns ran. Refuses anything but
    /// a query, so a peek can never change the data.
    pub fn peek(&mut self, sql: &str) -> Result<Payload, EngineError> {
        if StatementKind::of_sql(sql) != StatementKind::Select {
            return Err(EngineError::new("peek runs queries only"));
        }
        let result = self.execute(sql);
        self.log.discard_last();
        result
    }

    /// The PostgreSQL types of the last statement's result columns, where the front could
    /// tell them (`None` elsewhere, and an empty list for statements without a result):
    /// what output formatting needs beyond GlueSQL's values (a TIMESTAMPTZ is stored as
    /// UTC and shown with its offset).
    pub fn result_types(&self) -> &[Option<crate::dialect::PgType>] {
        &self.result_types
    }

    pub fn log(&self) -> &StatementLog {
        &self.log
    }

    pub fn clear_log(&mut self) {
        self.log.clear();
    }

    /// Whether a transaction block is open (aborted ones included).
    pub fn in_transaction(&self) -> bool {
        self.transaction.is_some()
    }

    pub fn transaction_status(&self) -> TransactionStatus {
        transaction::status(&self.transaction)
    }

    /// The whole database as it is now, in O(1): for "reset the page to its seed" without
    /// re-running the seed.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot(self.storage.state.clone())
    }

    /// Puts the database back to `snapshot` and ends any open transaction.
    pub fn restore(&mut self, snapshot: &Snapshot) {
        self.storage.state = snapshot.0.clone();
        self.transaction = None;
    }

    /// A table's constraints (PRIMARY KEY, UNIQUE, CHECK, FOREIGN KEY) with PostgreSQL's
    /// names and definitions, for a schema panel.
    pub fn constraints(&self, table: &str) -> Vec<crate::dialect::ConstraintInfo> {
        self.storage
            .state
            .table(table)
            .map(|t| t.meta.describe())
            .unwrap_or_default()
    }

    /// A table's columns with their PostgreSQL types and NOT NULL, in order.
    pub fn columns(&self, table: &str) -> Vec<(String, crate::dialect::PgType, bool)> {
        self.storage
            .state
            .table(table)
            .map(|t| {
                t.meta
                    .columns
                    .iter()
                    .map(|c| (c.name.clone(), c.ty.clone(), c.not_null))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Table names, in order.
    pub fn table_names(&self) -> Vec<String> {
        self.storage.state.table_names().cloned().collect()
    }

    /// How many rows `table` holds, without running (or logging) a statement.
    pub fn row_count(&self, table: &str) -> Option<usize> {
        self.storage.state.table(table).map(|t| t.rows.len())
    }

    /// How many rows index `index` of `table` holds (a partial index holds only the rows
    /// its WHERE selects); None for an unknown index or the primary key, which has no
    /// entries of its own.
    pub fn index_entry_count(&self, table: &str, index: &str) -> Option<usize> {
        let index = self.storage.state.table(table)?.index(index)?;
        (index.kind != index::IndexKind::PrimaryKey)
            .then(|| index.entries.values().map(|rows| rows.len()).sum())
    }

    /// The names of `table`'s indexes, the implicit `<table>_pkey` and `<table>_<col>_key`
    /// ones included.
    pub fn index_names(&self, table: &str) -> Vec<String> {
        self.storage
            .state
            .table(table)
            .map(|t| t.indexes.iter().map(|i| i.name.clone()).collect())
            .unwrap_or_default()
    }
}

/// GlueSQL computes every integer in 64 bits; a result column PostgreSQL types `integer`
/// or `smallint` fails as PostgreSQL's arithmetic and casts do when a value does not fit.
fn integers_in_range(
    payload: Payload,
    types: &[Option<crate::dialect::PgType>],
) -> Result<Payload, EngineError> {
    use crate::dialect::PgType;
    use gluesql::core::data::Value;
    if let Payload::Select { rows, .. } = &payload {
        for (position, ty) in types.iter().enumerate() {
            let (range, name) = match ty {
                Some(PgType::Integer) => (i32::MIN as i64..=i32::MAX as i64, "integer"),
                Some(PgType::SmallInt) => (i16::MIN as i64..=i16::MAX as i64, "smallint"),
                _ => continue,
            };
            let out_of_range = rows.iter().any(|row| match row.get(position) {
                Some(Value::I64(n)) => !range.contains(n),
                Some(Value::I128(n)) => !range.contains(&(*n as i64)) || i64::try_from(*n).is_err(),
                _ => false,
            });
            if out_of_range {
                return Err(EngineError::coded(
                    SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
                    format!("{name} out of range"),
                ));
            }
        }
    }
    Ok(payload)
}

/// The command a read-only transaction must refuse, or None for a read.
fn write_command(plan: &StatementPlan) -> Option<&'static str> {
    match plan {
        StatementPlan::Query(_)
        | StatementPlan::ShowColumns { .. }
        | StatementPlan::ShowVariable(_)
        | StatementPlan::ShowIndexes(_)
        | StatementPlan::StartTransaction
        | StatementPlan::Commit
        | StatementPlan::Rollback => None,
        other => Some(command_tag(other)),
    }
}

fn command_tag(plan: &StatementPlan) -> &'static str {
    match plan {
        StatementPlan::Query(_)
        | StatementPlan::ShowColumns { .. }
        | StatementPlan::ShowVariable(_)
        | StatementPlan::ShowIndexes(_) => "SELECT",
        StatementPlan::Insert { .. } => "INSERT",
        StatementPlan::Update { .. } => "UPDATE",
        StatementPlan::Delete { .. } => "DELETE",
        StatementPlan::CreateTable { .. } => "CREATE TABLE",
        StatementPlan::AlterTable { .. } => "ALTER TABLE",
        StatementPlan::DropTable { .. } => "DROP TABLE",
        StatementPlan::CreateIndex { .. } => "CREATE INDEX",
        StatementPlan::DropIndex { .. } => "DROP INDEX",
        StatementPlan::CreateFunction { .. } => "CREATE FUNCTION",
        StatementPlan::DropFunction { .. } => "DROP FUNCTION",
        StatementPlan::StartTransaction => "BEGIN",
        StatementPlan::Commit => "COMMIT",
        StatementPlan::Rollback => "ROLLBACK",
    }
}

/// Turns GlueSQL's error into a readable message and, for parser errors, the position.
pub(crate) fn engine_error(error: &gluesql::core::error::Error) -> EngineError {
    use gluesql::core::error::Error;
    match error {
        // sqlparser's recursion limit (50 levels of queries and expressions): the statement
        // is not wrong, only too deep for this playground.
        Error::Parser(debug_text) if debug_text.contains("RecursionLimitExceeded") => {
            EngineError::unsupported("a statement nested this deep (the parser's recursion limit)")
        }
        Error::Parser(debug_text) => {
            // GlueSQL formats sqlparser's error with {:#?}: `ParserError(\n "msg at Line: 1, Column: 8",\n)`.
            let message = debug_text
                .split_once('"')
                .and_then(|(_, rest)| rest.rsplit_once('"'))
                .map(|(inner, _)| inner.replace("\\\"", "\""))
                .unwrap_or_else(|| debug_text.clone());
            let position = parse_position(&message);
            let message = match message.find(" at Line: ") {
                Some(at) => message[..at].to_string(),
                None => message,
            };
            EngineError::coded(SqlState::SYNTAX_ERROR, postgres_syntax_error(&message)).at(position)
        }
        // The front's and the storage's own messages (PostgreSQL's wording) read as they are.
        Error::StorageMsg(message) => EngineError::new(message.clone()),
        other => {
            let message = other.to_string();
            glue_errors::translate(&message).unwrap_or_else(|| {
                let error = EngineError::new(postgres_wording(&message));
                if error.code == SqlState::INTERNAL_ERROR {
                    // GlueSQL's evaluator failed where PostgreSQL's answer is not known here:
                    // refuse rather than show an error PostgreSQL would not give.
                    glue_errors::refusal(&message)
                } else {
                    error
                }
            })
        }
    }
}

/// PostgreSQL's wording for a parser error: `syntax error at or near "X"`, or `at end of
/// input` (sqlparser says what it expected; PostgreSQL names the token it stopped at).
fn postgres_syntax_error(message: &str) -> String {
    if let Some((_, found)) = message.rsplit_once("found: ") {
        let token = found.trim();
        return if token == "EOF" || token.is_empty() {
            "syntax error at end of input".to_string()
        } else {
            format!("syntax error at or near \"{}\"", token.trim_matches('"'))
        };
    }
    if message.starts_with("Unterminated string literal") {
        return "unterminated quoted string".to_string();
    }
    format!("syntax error: {message}")
}

/// PostgreSQL's wording for GlueSQL messages that have an exact PostgreSQL counterpart.
fn postgres_wording(message: &str) -> String {
    if let Some((_, table)) = message.split_once("table not found: ") {
        if !message.contains("foreign table") {
            return format!("relation \"{table}\" does not exist");
        }
    }
    message.to_string()
}

/// The `len` bytes of `sql` at 1-based `line` and `column` (columns count characters).
fn text_at(sql: &str, line: u32, column: u32, len: usize) -> Option<&str> {
    let text = sql.lines().nth(line.checked_sub(1)? as usize)?;
    let start = text
        .char_indices()
        .nth(column.checked_sub(1)? as usize)
        .map(|(i, _)| i)?;
    text.get(start..start + len)
}

/// Reads sqlparser's "Line: L, Column: C" (also "Column C") from a message.
fn parse_position(message: &str) -> Option<(u32, u32)> {
    let after_line = &message[message.find("Line: ")? + "Line: ".len()..];
    let line: u32 = after_line
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    let after_col = &after_line[after_line.find("Column")? + "Column".len()..];
    let after_col = after_col.trim_start_matches([':', ' ']);
    let column: u32 = after_col
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()?;
    Some((line, column))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unbudgeted_lifts_the_budget_and_puts_it_back() {
        let tight = Budget {
            max_duration: std::time::Duration::from_secs(1),
            max_rows_examined: 3,
            ..Budget::default()
        };
        let mut db = Database::with_budget(tight);
        let inside = db.unbudgeted(|db| db.budget());
        assert_eq!(inside, Budget::UNLIMITED);
        assert_eq!(db.budget(), tight);
    }

    #[test]
    fn executes_and_logs_each_statement() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT)")
            .unwrap();
        db.execute("INSERT INTO t VALUES (1, 'a'), (2, 'b')")
            .unwrap();
        let payload = db.execute("SELECT * FROM t").unwrap();
        assert!(matches!(payload, Payload::Select { ref rows, .. } if rows.len() == 2));
        let kinds: Vec<_> = db.log().entries().iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                StatementKind::Ddl,
                StatementKind::Insert,
                StatementKind::Select
            ]
        );
        assert_eq!(db.log().entries()[1].outcome, LogOutcome::Affected(2));
        assert_eq!(db.log().entries()[2].outcome, LogOutcome::Rows(2));
    }

    #[test]
    fn syntax_error_has_message_and_position() {
        let mut db = Database::new();
        let err = db.execute("SELEC 1").unwrap_err();
        assert_eq!(err.message, "syntax error at or near \"SELEC\"");
        assert!(!err.message.contains("ParserError"), "{}", err.message);
        assert_eq!(err.position, Some((1, 1)));
        assert!(matches!(
            db.log().entries()[0].outcome,
            LogOutcome::Failed(_)
        ));
    }

    #[test]
    fn peek_reads_without_logging_and_refuses_writes() {
        let mut db = Database::new();
        db.execute("CREATE TABLE t (a INTEGER)").unwrap();
        db.execute("INSERT INTO t VALUES (1)").unwrap();
        let seq = db.log().last_seq();
        let payload = db.peek("SELECT a FROM t").unwrap();
        assert!(matches!(payload, Payload::Select { ref rows, .. } if rows.len() == 1));
        assert_eq!(db.log().last_seq(), seq);
        assert_eq!(db.log().entries().len(), 2);
        assert!(db.peek("DELETE FROM t").is_err());
        assert_eq!(db.row_count("t"), Some(1));
        db.execute("SELECT 1").unwrap();
        assert_eq!(db.log().last_seq(), seq + 1, "no gap in the numbering");
    }

    #[test]
    fn runtime_error_is_readable() {
        let mut db = Database::new();
        let err = db.execute("SELECT * FROM missing").unwrap_err();
        assert!(err.message.contains("missing"), "{}", err.message);
        assert_eq!(err.position, None);
    }

    #[test]
    fn position_parser_reads_both_spellings() {
        assert_eq!(parse_position("x at Line: 2, Column: 7"), Some((2, 7)));
        assert_eq!(parse_position("x at Line: 3, Column 9"), Some((3, 9)));
        assert_eq!(parse_position("no position"), None);
    }
}
