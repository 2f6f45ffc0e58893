//! Window functions (`f(...) OVER (...)`) as PostgreSQL computes them. GlueSQL 0.20
//! collapses a window call to one row, so the front runs a window query in two stages:
//!
//! 1. **Rows.** The query without its window calls, ORDER BY, DISTINCT and LIMIT runs
//!    through the whole front. Its select list is every part the windows and the final
//!    select list need, as hidden columns (`__h<k>`): each window's arguments, PARTITION BY
//!    and ORDER BY expressions, and each largest window-free part of a select item (a
//!    column, `100.0 * sum(qty)`), so grouping and aggregates work as written.
//! 2. **Windows.** Here, in Rust, each window's value for each row: partitions by equal
//!    PARTITION BY values (NULLs equal), ordered by its ORDER BY (NULLs last ascending,
//!    first descending, as PostgreSQL), over PostgreSQL's frames (default: the partition
//!    with no ORDER BY; from its start to the current row's last peer with one).
//! 3. **Result.** The rows and window values go into a scratch table (`__window_<n>`,
//!    typed as PostgreSQL types them) and the select list, with window calls replaced by
//!    their value columns (`__w<i>`), runs on it with the query's DISTINCT, ORDER BY and
//!    LIMIT. The scratch table is gone when the statement ends, whatever its outcome.
//!
//! A subquery in FROM that uses windows becomes a WITH query first (`dialect::cte`), so
//! "latest row per group" (`WHERE rn = 1` over `row_number()`) works too. What is not
//! computed here (RANGE with an offset, GROUPS, a window in a WHERE subquery) is refused.

use super::types::PgType;
use crate::engine::storage_api::Run;
use crate::engine::{Database, EngineError, SqlState};
use gluesql::core::executor::Payload;
use gluesql::core::sqlparser::ast::{
    Cte, DuplicateTreatment, Expr, FunctionArg, FunctionArgExpr, FunctionArguments, Ident,
    NamedWindowDefinition, NamedWindowExpr, ObjectName, OrderByExpr, Query, SelectItem, SetExpr,
    Statement, TableAlias, TableFactor, Value as SqlValue, WindowFrameBound, WindowFrameUnits,
    WindowSpec, WindowType, With,
};
use gluesql::prelude::Value;
use rust_decimal::Decimal;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Whether `statement` is a query whose own select list or ORDER BY calls a window function.
pub(crate) fn is_window_query(statement: &Statement) -> bool {
    let Statement::Query(query) = statement else {
        return false;
    };
    let SetExpr::Select(select) = query.body.as_ref() else {
        return false;
    };
    let in_group_by = match &select.group_by {
        gluesql::core::sqlparser::ast::GroupByExpr::Expressions(exprs, _) => {
            exprs.iter().any(has_window)
        }
        _ => false,
    };
    query.with.is_none()
        && (select.projection.iter().any(|item| match item {
            SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => has_window(e),
            _ => false,
        }) || query
            .order_by
            .as_ref()
            .is_some_and(|o| o.exprs.iter().any(|o| has_window(&o.expr)))
            || select.selection.as_ref().is_some_and(has_window)
            || select.having.as_ref().is_some_and(has_window)
            || in_group_by
            || select
                .from
                .iter()
                .flat_map(|t| &t.joins)
                .any(|j| match &j.join_operator {
                    gluesql::core::sqlparser::ast::JoinOperator::Inner(
                        gluesql::core::sqlparser::ast::JoinConstraint::On(on),
                    )
                    | gluesql::core::sqlparser::ast::JoinOperator::LeftOuter(
                        gluesql::core::sqlparser::ast::JoinConstraint::On(on),
                    ) => has_window(on),
                    _ => false,
                }))
}

/// Turns each subquery in FROM that uses window functions into a WITH query, so it runs
/// through the front (where windows are computed) rather than inside GlueSQL.
pub(crate) fn lift_derived_windows(statement: &mut Statement) {
    let Statement::Query(query) = statement else {
        return;
    };
    let SetExpr::Select(select) = query.body.as_mut() else {
        return;
    };
    let mut lifted = Vec::new();
    let factors = select.from.iter_mut().flat_map(|t| {
        std::iter::once(&mut t.relation).chain(t.joins.iter_mut().map(|j| &mut j.relation))
    });
    for factor in factors {
        let TableFactor::Derived {
            lateral: false,
            subquery,
            alias: Some(alias),
        } = factor
        else {
            continue;
        };
        if !uses_window(subquery) {
            continue;
        }
        let name = format!("__derived_{}", lifted.len());
        lifted.push(Cte {
            alias: TableAlias {
                name: Ident::new(name.clone()),
                columns: alias.columns.clone(),
            },
            query: subquery.clone(),
            from: None,
            materialized: None,
        });
        *factor = TableFactor::Table {
            name: ObjectName(vec![Ident::new(name)]),
            alias: Some(TableAlias {
                name: alias.name.clone(),
                columns: Vec::new(),
            }),
            args: None,
            with_hints: Vec::new(),
            version: None,
            with_ordinality: false,
            partitions: Vec::new(),
        };
    }
    if lifted.is_empty() {
        return;
    }
    match query.with.as_mut() {
        Some(with) => with.cte_tables.extend(lifted),
        None => {
            query.with = Some(With {
                recursive: false,
                cte_tables: lifted,
            })
        }
    }
}

fn uses_window(query: &Query) -> bool {
    let mut probe = Statement::Query(Box::new(query.clone()));
    let mut found = false;
    super::rewrite::walk_statement(&mut probe, &mut |e| {
        found |= matches!(e, Expr::Function(f) if f.over.is_some());
    });
    found
}

/// Whether `expr` calls a window function at this query's level (a subquery's windows
/// are its own).
fn has_window(expr: &Expr) -> bool {
    matches!(expr, Expr::Function(f) if f.over.is_some())
        || super::rewrite::children(expr).into_iter().any(has_window)
}

fn windowing_error(message: impl Into<String>) -> EngineError {
    EngineError::coded(SqlState::WINDOWING_ERROR, message)
}

/// What a window call computes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Function {
    RowNumber,
    Rank,
    DenseRank,
    PercentRank,
    CumeDist,
    Ntile,
    Lag,
    Lead,
    FirstValue,
    LastValue,
    NthValue,
    Aggregate(Aggregate),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Aggregate {
    CountRows,
    Count,
    Sum,
    Avg,
    Min,
    Max,
}

impl Function {
    /// The function a name and argument count stand for, or PostgreSQL's error.
    fn of(name: &str, arity: usize, star: bool) -> Result<Self, EngineError> {
        use Function::*;
        let function = match (name, arity, star) {
            ("row_number", 0, false) => RowNumber,
            ("rank", 0, false) => Rank,
            ("dense_rank", 0, false) => DenseRank,
            ("percent_rank", 0, false) => PercentRank,
            ("cume_dist", 0, false) => CumeDist,
            ("ntile", 1, false) => Ntile,
            ("lag", 1..=3, false) => Lag,
            ("lead", 1..=3, false) => Lead,
            ("first_value", 1, false) => FirstValue,
            ("last_value", 1, false) => LastValue,
            ("nth_value", 2, false) => NthValue,
            ("count", 0, true) => Aggregate(self::Aggregate::CountRows),
            ("count", 1, false) => Aggregate(self::Aggregate::Count),
            ("sum", 1, false) => Aggregate(self::Aggregate::Sum),
            ("avg", 1, false) => Aggregate(self::Aggregate::Avg),
            ("min", 1, false) => Aggregate(self::Aggregate::Min),
            ("max", 1, false) => Aggregate(self::Aggregate::Max),
            _ => {
                return Err(EngineError::unsupported(format!(
                    "the window function {name}(...) OVER (...) with {arity} argument(s)"
                )))
            }
        };
        Ok(function)
    }

    /// PostgreSQL's result type, from the type of the first argument.
    fn result_type(self, arg: Option<&PgType>) -> Option<PgType> {
        use Function::*;
        match self {
            RowNumber | Rank | DenseRank | Ntile => Some(PgType::BigInt),
            Aggregate(self::Aggregate::Count | self::Aggregate::CountRows) => Some(PgType::BigInt),
            PercentRank | CumeDist => Some(PgType::Double),
            Lag | Lead | FirstValue | LastValue | NthValue => arg.cloned(),
            Aggregate(self::Aggregate::Min | self::Aggregate::Max) => arg.cloned(),
            Aggregate(self::Aggregate::Sum) => match arg {
                Some(PgType::SmallInt | PgType::Integer) => Some(PgType::BigInt),
                Some(PgType::Real) => Some(PgType::Real),
                Some(PgType::Double) => Some(PgType::Double),
                _ => Some(PgType::Numeric {
                    precision: None,
                    scale: None,
                }),
            },
            Aggregate(self::Aggregate::Avg) => match arg {
                Some(PgType::Real | PgType::Double) => Some(PgType::Double),
                _ => Some(PgType::Numeric {
                    precision: None,
                    scale: None,
                }),
            },
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Bound {
    UnboundedPreceding,
    Preceding(usize),
    CurrentRow,
    Following(usize),
    UnboundedFollowing,
}

/// A frame: ROWS counts rows, RANGE (with CURRENT ROW or UNBOUNDED only) counts peers.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Frame {
    rows: bool,
    start: Bound,
    end: Bound,
}

/// One window call, its inputs as positions in the first stage's rows.
struct WindowCall {
    function: Function,
    args: Vec<usize>,
    filter: Option<usize>,
    partition: Vec<usize>,
    order: Vec<SortKey>,
    frame: Frame,
}

#[derive(Clone, Copy)]
struct SortKey {
    column: usize,
    descending: bool,
    nulls_first: bool,
}

/// The split of a window query into its first stage's columns and its window calls.
struct Split<'a> {
    hidden: Vec<Expr>,
    calls: Vec<WindowCall>,
    named: &'a [NamedWindowDefinition],
}

fn column(name: String) -> Expr {
    Expr::Identifier(Ident::new(name))
}

fn hidden_name(k: usize) -> String {
    format!("__h{k}")
}

fn window_name(i: usize) -> String {
    format!("__w{i}")
}

impl Split<'_> {
    /// The hidden column holding `expr` (one per distinct expression).
    fn hide(&mut self, expr: &Expr) -> usize {
        if let Some(k) = self.hidden.iter().position(|h| h == expr) {
            return k;
        }
        self.hidden.push(expr.clone());
        self.hidden.len() - 1
    }

    /// Replaces each window call in `expr` by its value column and each largest
    /// window-free part (not a constant) by a hidden column.
    fn lift(&mut self, expr: &mut Expr) -> Result<(), EngineError> {
        if !has_window(expr) {
            if !matches!(expr, Expr::Value(_)) {
                let k = self.hide(expr);
                *expr = column(hidden_name(k));
            }
            return Ok(());
        }
        match expr {
            Expr::Function(function) if function.over.is_some() => {
                let call = self.call(function)?;
                self.calls.push(call);
                *expr = column(window_name(self.calls.len() - 1));
                Ok(())
            }
            Expr::Function(function)
                if super::grouping::is_aggregate_name(
                    &function.name.to_string().to_lowercase(),
                ) =>
            {
                Err(EngineError::coded(
                    SqlState::GROUPING_ERROR,
                    "aggregate function calls cannot contain window function calls",
                ))
            }
            // Any other expression: the same, part by part (`has_window` found the window
            // call among these very parts).
            other => super::rewrite::children_mut(other)
                .into_iter()
                .try_for_each(|part| self.lift(part)),
        }
    }

    fn call(
        &mut self,
        function: &gluesql::core::sqlparser::ast::Function,
    ) -> Result<WindowCall, EngineError> {
        let name = function.name.to_string().to_lowercase();
        let mut args = Vec::new();
        let mut star = false;
        match &function.args {
            FunctionArguments::None => {}
            FunctionArguments::List(list) => {
                if matches!(list.duplicate_treatment, Some(DuplicateTreatment::Distinct)) {
                    return Err(EngineError::coded(
                        SqlState::FEATURE_NOT_SUPPORTED,
                        "DISTINCT is not implemented for window functions",
                    ));
                }
                if !list.clauses.is_empty() {
                    return Err(EngineError::unsupported(format!(
                        "{name}(... ORDER BY ...) OVER (...)"
                    )));
                }
                for arg in &list.args {
                    match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => args.push(e.clone()),
                        FunctionArg::Unnamed(FunctionArgExpr::Wildcard) => star = true,
                        _ => return Err(EngineError::unsupported("this window function argument")),
                    }
                }
            }
            FunctionArguments::Subquery(_) => {
                return Err(EngineError::unsupported("this window function argument"))
            }
        }
        let kind = match Function::of(&name, args.len(), star) {
            Ok(kind) => kind,
            Err(error) => {
                if !super::grouping::is_aggregate_name(&name) && !is_window_function_name(&name) {
                    return Err(EngineError::coded(
                        SqlState::WRONG_OBJECT_TYPE,
                        format!(
                            "OVER specified, but {name} is not a window function nor an aggregate function"
                        ),
                    ));
                }
                return Err(error);
            }
        };
        if args.iter().any(has_window) {
            return Err(windowing_error("window function calls cannot be nested"));
        }
        let filter = match &function.filter {
            Some(_) if !matches!(kind, Function::Aggregate(_)) => {
                return Err(EngineError::coded(
                    SqlState::WRONG_OBJECT_TYPE,
                    "FILTER is not implemented for non-aggregate window functions",
                ))
            }
            Some(condition) if has_window(condition) => {
                return Err(windowing_error("window function calls cannot be nested"))
            }
            Some(condition) => Some(self.hide(condition)),
            None => None,
        };
        let spec = self.spec(function.over.as_ref().expect("a window call"))?;
        if spec
            .partition_by
            .iter()
            .chain(spec.order_by.iter().map(|o| &o.expr))
            .any(has_window)
        {
            return Err(windowing_error(
                "window functions are not allowed in window definitions",
            ));
        }
        let frame = frame(&spec)?;
        let args = args.iter().map(|a| self.hide(a)).collect();
        let partition = spec.partition_by.iter().map(|p| self.hide(p)).collect();
        let order = spec
            .order_by
            .iter()
            .map(|o| {
                let descending = o.asc == Some(false);
                SortKey {
                    column: self.hide(&o.expr),
                    descending,
                    nulls_first: o.nulls_first.unwrap_or(descending),
                }
            })
            .collect();
        Ok(WindowCall {
            function: kind,
            args,
            filter,
            partition,
            order,
            frame,
        })
    }

    /// The window's definition, a named window (`OVER w`, `WINDOW w AS (...)`) resolved.
    fn spec(&self, over: &WindowType) -> Result<WindowSpec, EngineError> {
        let named = |name: &Ident| -> Result<WindowSpec, EngineError> {
            let found = self.named.iter().find(|d| d.0.value == name.value);
            match found.map(|d| &d.1) {
                Some(NamedWindowExpr::WindowSpec(spec)) => {
                    self.spec(&WindowType::WindowSpec(spec.clone()))
                }
                Some(NamedWindowExpr::NamedWindow(other)) => {
                    self.spec(&WindowType::NamedWindow(other.clone()))
                }
                None => Err(EngineError::coded(
                    SqlState::UNDEFINED_OBJECT,
                    format!("window \"{}\" does not exist", name.value),
                )),
            }
        };
        match over {
            WindowType::NamedWindow(name) => named(name),
            WindowType::WindowSpec(spec) => match &spec.window_name {
                None => Ok(spec.clone()),
                Some(base) => {
                    let mut resolved = named(base)?;
                    if !spec.partition_by.is_empty() {
                        return Err(windowing_error(format!(
                            "cannot override PARTITION BY clause of window \"{}\"",
                            base.value
                        )));
                    }
                    if !spec.order_by.is_empty() {
                        if !resolved.order_by.is_empty() {
                            return Err(windowing_error(format!(
                                "cannot override ORDER BY clause of window \"{}\"",
                                base.value
                            )));
                        }
                        resolved.order_by = spec.order_by.clone();
                    }
                    if resolved.window_frame.is_some() {
                        return Err(windowing_error(format!(
                            "cannot copy window \"{}\" because it has a frame clause",
                            base.value
                        )));
                    }
                    resolved.window_frame = spec.window_frame.clone();
                    resolved.window_name = None;
                    Ok(resolved)
                }
            },
        }
    }
}

fn is_window_function_name(name: &str) -> bool {
    matches!(
        name,
        "row_number"
            | "rank"
            | "dense_rank"
            | "percent_rank"
            | "cume_dist"
            | "ntile"
            | "lag"
            | "lead"
            | "first_value"
            | "last_value"
            | "nth_value"
    )
}

fn frame(spec: &WindowSpec) -> Result<Frame, EngineError> {
    let Some(written) = &spec.window_frame else {
        return Ok(Frame {
            rows: false,
            start: Bound::UnboundedPreceding,
            end: if spec.order_by.is_empty() {
                Bound::UnboundedFollowing
            } else {
                Bound::CurrentRow
            },
        });
    };
    let rows = match written.units {
        WindowFrameUnits::Rows => true,
        WindowFrameUnits::Range => false,
        WindowFrameUnits::Groups => {
            return Err(EngineError::unsupported(
                "GROUPS frames in window functions",
            ))
        }
    };
    let bound = |b: &WindowFrameBound| -> Result<Bound, EngineError> {
        let offset = |e: &Expr| -> Result<usize, EngineError> {
            if !rows {
                return Err(EngineError::unsupported(
                    "RANGE frames with an offset (write ROWS, or RANGE with UNBOUNDED or CURRENT ROW)",
                ));
            }
            let literal = match e {
                Expr::Value(v) => super::typing::number_literal(v),
                Expr::UnaryOp { op, expr } if op.to_string() == "-" => match expr.as_ref() {
                    Expr::Value(v) if super::typing::number_literal(v).is_some() => {
                        return Err(EngineError::coded(
                            SqlState::INVALID_PRECEDING_OR_FOLLOWING_SIZE,
                            "frame starting offset must not be negative",
                        ))
                    }
                    _ => None,
                },
                _ => None,
            };
            literal
                .and_then(|(text, _)| text.parse().ok())
                .ok_or_else(|| {
                    EngineError::unsupported("a frame offset that is not a whole-number constant")
                })
        };
        Ok(match b {
            WindowFrameBound::CurrentRow => Bound::CurrentRow,
            WindowFrameBound::Preceding(None) => Bound::UnboundedPreceding,
            WindowFrameBound::Following(None) => Bound::UnboundedFollowing,
            WindowFrameBound::Preceding(Some(e)) => Bound::Preceding(offset(e)?),
            WindowFrameBound::Following(Some(e)) => Bound::Following(offset(e)?),
        })
    };
    let start = bound(&written.start_bound)?;
    let end = match &written.end_bound {
        Some(end) => bound(end)?,
        None => Bound::CurrentRow,
    };
    if start == Bound::UnboundedFollowing {
        return Err(windowing_error("frame start cannot be UNBOUNDED FOLLOWING"));
    }
    if end == Bound::UnboundedPreceding {
        return Err(windowing_error("frame end cannot be UNBOUNDED PRECEDING"));
    }
    let rank = |b: Bound| match b {
        Bound::UnboundedPreceding => 0,
        Bound::Preceding(_) => 1,
        Bound::CurrentRow => 2,
        Bound::Following(_) => 3,
        Bound::UnboundedFollowing => 4,
    };
    if rank(start) == 2 && rank(end) == 1 {
        return Err(windowing_error(
            "frame starting from current row cannot have preceding rows",
        ));
    }
    if rank(start) == 3 && rank(end) <= 2 {
        return Err(windowing_error(
            "frame starting from following row cannot have preceding rows",
        ));
    }
    Ok(Frame { rows, start, end })
}

/// The PostgreSQL error for a window call where none is allowed, if `expr` has one.
fn refuse_in(clause: &str, expr: Option<&Expr>) -> Result<(), EngineError> {
    if expr.is_some_and(has_window) {
        return Err(windowing_error(format!(
            "window functions are not allowed in {clause}"
        )));
    }
    Ok(())
}

impl Database {
    pub(crate) fn window_query(
        &mut self,
        statement: &Statement,
        run: &mut Run,
    ) -> Result<Payload, EngineError> {
        let name = format!("__window_{}", self.storage.state.tables.len());
        self.with_scratch(|db, scratch| db.window_query_inner(statement, &name, run, scratch))
    }

    fn window_query_inner(
        &mut self,
        statement: &Statement,
        scratch_name: &str,
        run: &mut Run,
        scratch: &mut Vec<String>,
    ) -> Result<Payload, EngineError> {
        let mut statement = statement.clone();
        super::names::name_columns(&mut statement);
        let Statement::Query(query) = statement else {
            unreachable!("checked by is_window_query");
        };
        let SetExpr::Select(select) = query.body.as_ref() else {
            unreachable!("checked by is_window_query");
        };
        refuse_in("WHERE", select.selection.as_ref())?;
        refuse_in("HAVING", select.having.as_ref())?;
        if let gluesql::core::sqlparser::ast::GroupByExpr::Expressions(exprs, _) = &select.group_by
        {
            for e in exprs {
                refuse_in("GROUP BY", Some(e))?;
            }
        }
        for join in select.from.iter().flat_map(|t| &t.joins) {
            if let gluesql::core::sqlparser::ast::JoinOperator::Inner(
                gluesql::core::sqlparser::ast::JoinConstraint::On(on),
            )
            | gluesql::core::sqlparser::ast::JoinOperator::LeftOuter(
                gluesql::core::sqlparser::ast::JoinConstraint::On(on),
            ) = &join.join_operator
            {
                refuse_in("JOIN conditions", Some(on))?;
            }
        }
        if matches!(
            select.distinct,
            Some(gluesql::core::sqlparser::ast::Distinct::On(_))
        ) {
            return Err(EngineError::unsupported(
                "DISTINCT ON together with window functions",
            ));
        }
        let mut split = Split {
            hidden: Vec::new(),
            calls: Vec::new(),
            named: &select.named_window,
        };
        // The final select list, on the scratch table; a `*` stands for the first stage's
        // leading columns.
        enum Output {
            Star,
            Item(Box<Expr>, Ident),
        }
        let mut outputs = Vec::new();
        for item in &select.projection {
            match item {
                SelectItem::ExprWithAlias { expr, alias } => {
                    let mut expr = expr.clone();
                    split.lift(&mut expr)?;
                    outputs.push(Output::Item(Box::new(expr), alias.clone()));
                }
                SelectItem::UnnamedExpr(expr) => {
                    let mut expr = expr.clone();
                    let alias = Ident::with_quote('"', super::names::column_name(&expr));
                    split.lift(&mut expr)?;
                    outputs.push(Output::Item(Box::new(expr), alias));
                }
                SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..) => {
                    if outputs.iter().any(|o| matches!(o, Output::Star)) {
                        return Err(EngineError::unsupported(
                            "more than one * in a select list with window functions",
                        ));
                    }
                    outputs.push(Output::Star);
                }
            }
        }
        let aliases: Vec<String> = outputs
            .iter()
            .filter_map(|o| match o {
                Output::Item(_, alias) => Some(alias.value.clone()),
                Output::Star => None,
            })
            .collect();
        let mut order_by = query.order_by.clone();
        // When no ORDER BY item is (or names) a window value, the first stage can sort, and
        // LIMIT/OFFSET apply before the scratch table: a page with its total
        // (`count(*) OVER ()`) stores a page of rows, not all of them. An output name or
        // position sorts by its select item's expression there.
        let items: Vec<(String, Option<&Expr>)> = select
            .projection
            .iter()
            .map(|item| match item {
                SelectItem::ExprWithAlias { expr, alias } => (alias.value.clone(), Some(expr)),
                SelectItem::UnnamedExpr(expr) => (super::names::column_name(expr), Some(expr)),
                _ => (String::new(), None),
            })
            .collect();
        let first_order: Option<Vec<OrderByExpr>> = query.order_by.as_ref().and_then(|o| {
            o.exprs
                .iter()
                .map(|item| {
                    let expr = match &item.expr {
                        Expr::Identifier(name) if aliases.contains(&name.value) => {
                            items.iter().find(|(a, _)| *a == name.value)?.1?
                        }
                        Expr::Value(n @ SqlValue::Number(..)) => {
                            let (text, _) = super::typing::number_literal(n)?;
                            items.get(text.parse::<usize>().ok()?.checked_sub(1)?)?.1?
                        }
                        other => other,
                    };
                    (!has_window(expr)).then(|| OrderByExpr {
                        expr: expr.clone(),
                        ..item.clone()
                    })
                })
                .collect()
        });
        if let Some(order_by) = order_by.as_mut() {
            for item in order_by.exprs.iter_mut() {
                let OrderByExpr { expr, .. } = item;
                // An output name or position refers to the select list, as in PostgreSQL.
                let refers_to_output = match &*expr {
                    Expr::Identifier(name) => aliases.contains(&name.value),
                    Expr::Value(SqlValue::Number(..)) => true,
                    _ => false,
                };
                if !refers_to_output {
                    split.lift(expr)?;
                }
            }
        }
        let constant = |e: Option<&Expr>| -> Option<Option<usize>> {
            match e {
                None => Some(None),
                Some(Expr::Value(n @ SqlValue::Number(..))) => super::typing::number_literal(n)
                    .and_then(|(t, _)| t.parse().ok())
                    .map(Some),
                Some(_) => None,
            }
        };
        let early_page = match (
            first_order.is_some() && select.distinct.is_none() && query.fetch.is_none(),
            constant(query.limit.as_ref()),
            constant(query.offset.as_ref().map(|o| &o.value)),
        ) {
            (true, Some(take), Some(skip)) if take.is_some() || skip.is_some() => {
                Some((skip.unwrap_or(0), take.unwrap_or(usize::MAX)))
            }
            _ => None,
        };
        let star_item = select
            .projection
            .iter()
            .find(|i| {
                matches!(
                    i,
                    SelectItem::Wildcard(_) | SelectItem::QualifiedWildcard(..)
                )
            })
            .cloned();

        // Stage 1: the rows, with every hidden column.
        let mut first = (*query).clone();
        first.order_by = match (&early_page, first_order, &query.order_by) {
            (Some(_), Some(exprs), Some(written)) => Some(gluesql::core::sqlparser::ast::OrderBy {
                exprs,
                ..written.clone()
            }),
            _ => None,
        };
        first.limit = None;
        first.offset = None;
        first.fetch = None;
        let SetExpr::Select(first_select) = first.body.as_mut() else {
            unreachable!("checked by is_window_query");
        };
        first_select.distinct = None;
        first_select.named_window = Vec::new();
        first_select.projection = star_item.into_iter().collect();
        for (k, e) in split.hidden.iter().enumerate() {
            first_select.projection.push(SelectItem::ExprWithAlias {
                expr: e.clone(),
                alias: Ident::new(hidden_name(k)),
            });
        }
        if first_select.projection.is_empty() {
            first_select
                .projection
                .push(SelectItem::UnnamedExpr(Expr::Value(SqlValue::Boolean(
                    true,
                ))));
        }
        let rows = self.query_rows(&first.to_string())?;
        let stars = rows.labels.len().saturating_sub(split.hidden.len());
        let star_count = if outputs.iter().any(|o| matches!(o, Output::Star)) {
            stars
        } else {
            0
        };
        let offset = rows.labels.len() - split.hidden.len();

        // Stage 2: each window's values.
        let mut labels = Vec::new();
        let mut types = Vec::new();
        for (j, ty) in rows.types.iter().enumerate() {
            labels.push(if j < offset {
                format!("__star{j}")
            } else {
                hidden_name(j - offset)
            });
            types.push(ty.clone());
        }
        let mut values = Vec::new();
        for call in split.calls.iter_mut() {
            for k in call.args.iter_mut().chain(call.partition.iter_mut()) {
                *k += offset;
            }
            for key in call.order.iter_mut() {
                key.column += offset;
            }
            if let Some(f) = call.filter.as_mut() {
                *f += offset;
            }
        }
        for (i, call) in split.calls.iter().enumerate() {
            let arg_type = call.args.first().and_then(|&k| rows.types[k].clone());
            let result_type = call.function.result_type(arg_type.as_ref());
            values.push(evaluate(call, &rows.rows, result_type.as_ref())?);
            labels.push(window_name(i));
            types.push(result_type);
        }
        let mut table_rows = rows.rows;
        for column in values {
            for (row, value) in table_rows.iter_mut().zip(column) {
                row.push(value);
            }
        }
        if let Some((skip, take)) = early_page {
            table_rows = table_rows.into_iter().skip(skip).take(take).collect();
        }
        let materialized = super::cte::Materialized {
            labels,
            types,
            rows: Vec::new(),
        };
        let row_count = table_rows.len();
        self.create_scratch(scratch_name, &materialized, scratch)?;
        self.replace_scratch_rows(scratch_name, table_rows)?;

        // Stage 3: the select list, DISTINCT, ORDER BY and LIMIT on the scratch table.
        let mut last = (*query).clone();
        last.order_by = order_by;
        if early_page.is_some() {
            last.limit = None;
            last.offset = None;
        }
        let SetExpr::Select(last_select) = last.body.as_mut() else {
            unreachable!("checked by is_window_query");
        };
        last_select.projection = Vec::new();
        for output in outputs {
            match output {
                Output::Star => {
                    for j in 0..star_count {
                        last_select.projection.push(SelectItem::ExprWithAlias {
                            expr: column(format!("__star{j}")),
                            alias: Ident::with_quote('"', rows.labels[j].clone()),
                        });
                    }
                }
                Output::Item(expr, alias) => last_select
                    .projection
                    .push(SelectItem::ExprWithAlias { expr: *expr, alias }),
            }
        }
        last_select.from = vec![gluesql::core::sqlparser::ast::TableWithJoins {
            relation: TableFactor::Table {
                name: ObjectName(vec![Ident::new(scratch_name)]),
                alias: None,
                args: None,
                with_hints: Vec::new(),
                version: None,
                with_ordinality: false,
                partitions: Vec::new(),
            },
            joins: Vec::new(),
        }];
        last_select.selection = None;
        last_select.group_by =
            gluesql::core::sqlparser::ast::GroupByExpr::Expressions(Vec::new(), Vec::new());
        last_select.having = None;
        last_select.named_window = Vec::new();
        let mut inner = Run::default();
        let payload = self.run(&last.to_string(), &mut inner)?;
        run.command = Some("SELECT".into());
        run.result_types = inner.result_types;
        run.rounding = inner.rounding;
        run.difference = inner.difference;
        run.plan = Some(format!(
            "WindowAgg ({} window function{} over {} rows)",
            split.calls.len(),
            if split.calls.len() == 1 { "" } else { "s" },
            row_count
        ));
        Ok(payload)
    }
}

/// Orders two rows by a window's ORDER BY keys.
fn compare(a: &[Value], b: &[Value], keys: &[SortKey]) -> Ordering {
    for key in keys {
        let (x, y) = (&a[key.column], &b[key.column]);
        let ordering = match (x.is_null(), y.is_null()) {
            (true, true) => Ordering::Equal,
            (true, false) => {
                if key.nulls_first {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, true) => {
                if key.nulls_first {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, false) => {
                let o = x.evaluate_cmp(y).unwrap_or(Ordering::Equal);
                if key.descending {
                    o.reverse()
                } else {
                    o
                }
            }
        };
        if ordering != Ordering::Equal {
            return ordering;
        }
    }
    Ordering::Equal
}

/// The window's value for every row, in the rows' order.
fn evaluate(
    call: &WindowCall,
    rows: &[Vec<Value>],
    result_type: Option<&PgType>,
) -> Result<Vec<Value>, EngineError> {
    let mut partitions: Vec<Vec<usize>> = Vec::new();
    let mut index: HashMap<Vec<String>, usize> = HashMap::new();
    for (r, row) in rows.iter().enumerate() {
        let key: Vec<Value> = call.partition.iter().map(|&k| row[k].clone()).collect();
        let key = super::set_ops::row_key(&key);
        let p = *index.entry(key).or_insert_with(|| {
            partitions.push(Vec::new());
            partitions.len() - 1
        });
        partitions[p].push(r);
    }
    let mut out = vec![Value::Null; rows.len()];
    for mut members in partitions {
        members.sort_by(|&a, &b| compare(&rows[a], &rows[b], &call.order));
        let n = members.len();
        // Peer groups: the first and one-past-last position of each row's peers.
        let mut peer_start = vec![0; n];
        let mut peer_end = vec![n; n];
        let mut start = 0;
        for p in 1..=n {
            if p == n
                || compare(&rows[members[p - 1]], &rows[members[p]], &call.order) != Ordering::Equal
            {
                for q in start..p {
                    peer_start[q] = start;
                    peer_end[q] = p;
                }
                start = p;
            }
        }
        let bounds = |p: usize| -> (usize, usize) {
            let frame = call.frame;
            let lo = match frame.start {
                Bound::UnboundedPreceding => 0,
                Bound::Preceding(k) => p.saturating_sub(k),
                Bound::CurrentRow if frame.rows => p,
                Bound::CurrentRow => peer_start[p],
                Bound::Following(k) => (p + k).min(n),
                Bound::UnboundedFollowing => n,
            };
            let hi = match frame.end {
                Bound::UnboundedFollowing => n,
                Bound::Following(k) => (p + k + 1).min(n),
                Bound::CurrentRow if frame.rows => p + 1,
                Bound::CurrentRow => peer_end[p],
                Bound::Preceding(k) => (p + 1).saturating_sub(k),
                Bound::UnboundedPreceding => 0,
            };
            (lo, hi.max(lo))
        };
        let arg = |p: usize, a: usize| -> &Value { &rows[members[p]][call.args[a]] };
        let int_arg = |p: usize, a: usize| -> Option<i64> {
            match arg(p, a) {
                Value::I64(v) => Some(*v),
                Value::I32(v) => Some(i64::from(*v)),
                Value::I16(v) => Some(i64::from(*v)),
                _ => None,
            }
        };
        match call.function {
            Function::Aggregate(aggregate) => {
                let included = |p: usize| -> bool {
                    call.filter
                        .is_none_or(|f| matches!(rows[members[p]][f], Value::Bool(true)))
                };
                let input = |p: usize| -> Option<&Value> {
                    if !included(p) {
                        return None;
                    }
                    match aggregate {
                        Aggregate::CountRows => Some(&Value::Bool(true)),
                        _ => Some(arg(p, 0)).filter(|v| !v.is_null()),
                    }
                };
                // A frame from the partition's start only grows row by row (its end never
                // moves back), so one running fold serves every row: linear, not quadratic.
                let running = call.frame.start == Bound::UnboundedPreceding;
                let mut acc = Accumulator::new(aggregate, result_type);
                let mut done = 0;
                for p in 0..n {
                    let (lo, hi) = bounds(p);
                    let value = if running {
                        for q in done..hi.max(done) {
                            if let Some(v) = input(q) {
                                acc.add(v)?;
                            }
                        }
                        done = done.max(hi);
                        acc.finish()?
                    } else {
                        let mut acc = Accumulator::new(aggregate, result_type);
                        for q in lo..hi {
                            if let Some(v) = input(q) {
                                acc.add(v)?;
                            }
                        }
                        acc.finish()?
                    };
                    out[members[p]] = value;
                }
            }
            Function::RowNumber => {
                for p in 0..n {
                    out[members[p]] = Value::I64(p as i64 + 1);
                }
            }
            Function::Rank => {
                for p in 0..n {
                    out[members[p]] = Value::I64(peer_start[p] as i64 + 1);
                }
            }
            Function::DenseRank => {
                let mut dense = 0;
                for p in 0..n {
                    if peer_start[p] == p {
                        dense += 1;
                    }
                    out[members[p]] = Value::I64(dense);
                }
            }
            Function::PercentRank => {
                for p in 0..n {
                    let v = if n > 1 {
                        peer_start[p] as f64 / (n - 1) as f64
                    } else {
                        0.0
                    };
                    out[members[p]] = Value::F64(v);
                }
            }
            Function::CumeDist => {
                for p in 0..n {
                    out[members[p]] = Value::F64(peer_end[p] as f64 / n as f64);
                }
            }
            Function::Ntile => {
                for p in 0..n {
                    let Some(buckets) = int_arg(p, 0) else {
                        out[members[p]] = Value::Null;
                        continue;
                    };
                    if buckets <= 0 {
                        return Err(EngineError::coded(
                            SqlState::INVALID_ARGUMENT_FOR_NTILE,
                            "argument of ntile must be greater than zero",
                        ));
                    }
                    // PostgreSQL's split: n / buckets rows each, the first n % buckets one more.
                    let buckets = buckets as usize;
                    let (size, extra) = (n / buckets, n % buckets);
                    let big = (size + 1) * extra;
                    let bucket = if p < big {
                        p / (size + 1)
                    } else {
                        extra + (p - big) / size.max(1)
                    };
                    out[members[p]] = Value::I64(bucket as i64 + 1);
                }
            }
            Function::Lag | Function::Lead => {
                for p in 0..n {
                    let offset = if call.args.len() > 1 {
                        match int_arg(p, 1) {
                            Some(k) => k,
                            None if arg(p, 1).is_null() => {
                                out[members[p]] = Value::Null;
                                continue;
                            }
                            None => {
                                return Err(EngineError::unsupported(
                                    "a lag/lead offset that is not a whole number",
                                ))
                            }
                        }
                    } else {
                        1
                    };
                    let offset = if call.function == Function::Lag {
                        -offset
                    } else {
                        offset
                    };
                    let target = p as i64 + offset;
                    out[members[p]] = if (0..n as i64).contains(&target) {
                        arg(target as usize, 0).clone()
                    } else if call.args.len() > 2 {
                        arg(p, 2).clone()
                    } else {
                        Value::Null
                    };
                }
            }
            Function::FirstValue | Function::LastValue | Function::NthValue => {
                for p in 0..n {
                    let (lo, hi) = bounds(p);
                    let pick = match call.function {
                        Function::FirstValue => (lo < hi).then_some(lo),
                        Function::LastValue => (lo < hi).then(|| hi - 1),
                        _ => {
                            let Some(nth) = int_arg(p, 1) else {
                                out[members[p]] = Value::Null;
                                continue;
                            };
                            if nth <= 0 {
                                return Err(EngineError::coded(
                                    SqlState::INVALID_ARGUMENT_FOR_NTH_VALUE,
                                    "argument of nth_value must be greater than zero",
                                ));
                            }
                            let at = lo + nth as usize - 1;
                            (at < hi).then_some(at)
                        }
                    };
                    out[members[p]] = pick.map_or(Value::Null, |q| arg(q, 0).clone());
                }
            }
        }
    }
    Ok(out)
}

/// An aggregate over a frame, in PostgreSQL's arithmetic: integer sums in bigint, bigint
/// and numeric sums exact, avg of numbers as numeric with PostgreSQL's scale.
#[derive(Clone)]
struct Accumulator {
    aggregate: Aggregate,
    numeric: bool,
    count: i64,
    sum: Option<Value>,
    best: Option<Value>,
}

impl Accumulator {
    fn new(aggregate: Aggregate, result_type: Option<&PgType>) -> Self {
        Self {
            aggregate,
            numeric: matches!(result_type, Some(PgType::Numeric { .. })),
            count: 0,
            sum: None,
            best: None,
        }
    }

    fn add(&mut self, value: &Value) -> Result<(), EngineError> {
        self.count += 1;
        match self.aggregate {
            Aggregate::CountRows | Aggregate::Count => {}
            Aggregate::Sum | Aggregate::Avg => {
                let value = match value {
                    Value::I64(v) if self.numeric => Value::Decimal(Decimal::from(*v)),
                    Value::I32(v) if self.numeric => Value::Decimal(Decimal::from(*v)),
                    Value::I16(v) if self.numeric => Value::Decimal(Decimal::from(*v)),
                    Value::I64(_) | Value::I32(_) | Value::I16(_) | Value::Decimal(_) => {
                        value.clone()
                    }
                    Value::F64(_) | Value::F32(_) => value.clone(),
                    _ => {
                        return Err(EngineError::unsupported(
                            "sum() or avg() OVER (...) of a value that is not a number",
                        ))
                    }
                };
                self.sum = Some(match self.sum.take() {
                    None => value,
                    Some(sum) => sum
                        .add(&value)
                        .map_err(|e| crate::engine::engine_error(&e))?,
                });
            }
            Aggregate::Min | Aggregate::Max => {
                let better = match &self.best {
                    None => true,
                    Some(best) => {
                        let o = value.evaluate_cmp(best);
                        if self.aggregate == Aggregate::Min {
                            o == Some(Ordering::Less)
                        } else {
                            o == Some(Ordering::Greater)
                        }
                    }
                };
                if better {
                    self.best = Some(value.clone());
                }
            }
        }
        Ok(())
    }

    fn finish(&self) -> Result<Value, EngineError> {
        Ok(match self.aggregate {
            Aggregate::CountRows | Aggregate::Count => Value::I64(self.count),
            Aggregate::Sum => self.sum.clone().unwrap_or(Value::Null),
            Aggregate::Min | Aggregate::Max => self.best.clone().unwrap_or(Value::Null),
            Aggregate::Avg => match &self.sum {
                None => Value::Null,
                Some(Value::F64(v)) => Value::F64(v / self.count as f64),
                Some(Value::F32(v)) => Value::F64(f64::from(*v) / self.count as f64),
                Some(Value::Decimal(sum)) => {
                    Value::Decimal(pg_divide(*sum, Decimal::from(self.count))?)
                }
                Some(Value::I64(sum)) => {
                    Value::Decimal(pg_divide(Decimal::from(*sum), Decimal::from(self.count))?)
                }
                Some(_) => return Err(EngineError::unsupported("avg() OVER (...) of this type")),
            },
        })
    }
}

/// `a / b` in PostgreSQL's numeric arithmetic: the scale its `select_div_scale` picks
/// (at least 16 significant digits, and no less than either input's scale), rounded
/// half away from zero.
pub(crate) fn pg_divide(a: Decimal, b: Decimal) -> Result<Decimal, EngineError> {
    // PostgreSQL stores numerics in base-10000 digits: `weight` is the position of the
    // first one, `first` its value.
    fn weight_and_first(d: Decimal) -> (i64, i64) {
        let d = d.abs();
        if d.is_zero() {
            return (0, 0);
        }
        let mut weight = 0i64;
        let mut scaled = d;
        let ten_thousand = Decimal::from(10_000);
        while scaled >= ten_thousand {
            scaled /= ten_thousand;
            weight += 1;
        }
        while scaled < Decimal::ONE {
            scaled *= ten_thousand;
            weight -= 1;
        }
        (weight, scaled.trunc().try_into().unwrap_or(0))
    }
    if b.is_zero() {
        return Err(EngineError::coded(
            SqlState::DIVISION_BY_ZERO,
            "division by zero",
        ));
    }
    let (w1, f1) = weight_and_first(a);
    let (w2, f2) = weight_and_first(b);
    let mut qweight = w1 - w2;
    if f1 <= f2 {
        qweight -= 1;
    }
    let scale = (16 - qweight * 4)
        .max(i64::from(a.scale()))
        .max(i64::from(b.scale()))
        .max(0);
    if scale > 28 {
        return Err(EngineError::unsupported(
            "a numeric average needing more than 28 decimal places",
        ));
    }
    let quotient = a
        .checked_div(b)
        .ok_or_else(|| EngineError::unsupported("this numeric average (out of range)"))?;
    let mut rounded = quotient.round_dp_with_strategy(
        scale as u32,
        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
    );
    rounded.rescale(scale as u32);
    Ok(rounded)
}
