//! PostgreSQL's three-valued logic where GlueSQL's evaluator differs.
//!
//! GlueSQL makes `TRUE OR NULL` and `FALSE AND NULL` NULL, answers `2 IN (1, NULL)` with
//! false and `2 NOT IN (1, NULL)` with true, and fails a whole query when LIKE meets a
//! NULL. PostgreSQL's answers are `t`, `f`, NULL, NULL and NULL. This pass rewrites those
//! operators into CASE expressions GlueSQL evaluates exactly, before any other rewrite.
//!
//! Where only truth matters (WHERE, HAVING, JOIN ... ON, a CASE condition), NULL and false
//! filter alike, so AND stays AND (the planner seeks indexes through its conjuncts) and
//! only OR changes: each side is read as `COALESCE(side, FALSE)`.

use super::rewrite::walk_expr;
use gluesql::core::sqlparser::ast::{
    BinaryOperator, Expr, Function, FunctionArg, FunctionArgExpr, FunctionArgumentList,
    FunctionArguments, Ident, JoinConstraint, JoinOperator, ObjectName, Query, SelectItem, SetExpr,
    Statement, TableFactor, TableWithJoins, UnaryOperator, Value,
};

/// Rewrites every expression of `statement` to PostgreSQL's three-valued logic.
pub fn three_valued(statement: &mut Statement) {
    match statement {
        Statement::Query(query) => query_logic(query),
        Statement::Insert(insert) => {
            if let Some(source) = insert.source.as_mut() {
                query_logic(source);
            }
            items_logic(insert.returning.iter_mut().flatten());
        }
        Statement::Update {
            table,
            assignments,
            from,
            selection,
            returning,
        } => {
            table_logic(table);
            for assignment in assignments {
                value(&mut assignment.value);
            }
            if let Some(from) = from {
                table_logic(from);
            }
            if let Some(selection) = selection {
                truth(selection);
            }
            items_logic(returning.iter_mut().flatten());
        }
        Statement::Delete(delete) => {
            if let Some(selection) = delete.selection.as_mut() {
                truth(selection);
            }
            items_logic(delete.returning.iter_mut().flatten());
        }
        _ => {}
    }
}

fn query_logic(query: &mut Query) {
    if let Some(with) = query.with.as_mut() {
        for cte in &mut with.cte_tables {
            query_logic(&mut cte.query);
        }
    }
    set_logic(&mut query.body);
    if let Some(order_by) = query.order_by.as_mut() {
        for item in &mut order_by.exprs {
            value(&mut item.expr);
        }
    }
}

fn set_logic(body: &mut SetExpr) {
    match body {
        SetExpr::Select(select) => {
            items_logic(select.projection.iter_mut());
            for table in &mut select.from {
                table_logic(table);
            }
            if let Some(selection) = select.selection.as_mut() {
                truth(selection);
            }
            if let gluesql::core::sqlparser::ast::GroupByExpr::Expressions(exprs, _) =
                &mut select.group_by
            {
                exprs.iter_mut().for_each(value);
            }
            if let Some(having) = select.having.as_mut() {
                truth(having);
            }
        }
        SetExpr::Query(query) => query_logic(query),
        SetExpr::SetOperation { left, right, .. } => {
            set_logic(left);
            set_logic(right);
        }
        SetExpr::Values(values) => {
            for row in &mut values.rows {
                row.iter_mut().for_each(value);
            }
        }
        _ => {}
    }
}

fn items_logic<'a>(items: impl Iterator<Item = &'a mut SelectItem>) {
    for item in items {
        if let SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } = item {
            value(expr);
        }
    }
}

fn table_logic(table: &mut TableWithJoins) {
    factor_logic(&mut table.relation);
    for join in &mut table.joins {
        factor_logic(&mut join.relation);
        match &mut join.join_operator {
            JoinOperator::Inner(JoinConstraint::On(on))
            | JoinOperator::LeftOuter(JoinConstraint::On(on))
            | JoinOperator::RightOuter(JoinConstraint::On(on))
            | JoinOperator::FullOuter(JoinConstraint::On(on)) => truth(on),
            _ => {}
        }
    }
}

fn factor_logic(factor: &mut TableFactor) {
    if let TableFactor::Derived { subquery, .. } = factor {
        query_logic(subquery);
    }
}

/// An expression whose truth alone matters: NULL and false both reject the row.
pub fn truth(expr: &mut Expr) {
    expand_rows(expr);
    truth_inner(expr);
}

fn truth_inner(expr: &mut Expr) {
    match expr {
        Expr::Nested(inner) => truth_inner(inner),
        Expr::BinaryOp {
            left,
            op: BinaryOperator::And,
            right,
        } => {
            truth_inner(left);
            truth_inner(right);
        }
        Expr::BinaryOp {
            left,
            op: BinaryOperator::Or,
            right,
        } => {
            truth_inner(left);
            truth_inner(right);
            for side in [left, right] {
                if !never_null(side) {
                    let inner = std::mem::replace(side.as_mut(), Expr::Value(Value::Null));
                    **side = coalesce_false(inner);
                }
            }
        }
        // BETWEEN where only truth matters: the two comparisons, which the planner reads
        // as a range.
        Expr::Between {
            expr: x,
            negated,
            low,
            high,
        } => {
            let (x, low, high) = (
                x.as_ref().clone(),
                low.as_ref().clone(),
                high.as_ref().clone(),
            );
            *expr = between_as_comparisons(x, *negated, low, high);
            truth_inner(expr);
        }
        other => value_inner(other),
    }
}

/// Row comparisons (`(a, b) < (x, y)`) as the scalar comparisons they mean, before the
/// rewrites below, so their ORs get three-valued logic too (`(1, NULL) < (2, 0)` is true).
fn expand_rows(expr: &mut Expr) {
    walk_expr(expr, &mut |node| {
        if let Expr::BinaryOp { left, op, right } = node {
            if let (Expr::Tuple(a), Expr::Tuple(b)) = (left.as_ref(), right.as_ref()) {
                if a.len() == b.len() {
                    if let Some(expanded) = super::rewrite::row_compare(a, op, b) {
                        *node = Expr::Nested(Box::new(expanded));
                    }
                }
            }
        }
    });
}

/// `x BETWEEN a AND b` is `x >= a AND x <= b`; NOT BETWEEN is `x < a OR x > b`.
fn between_as_comparisons(x: Expr, negated: bool, low: Expr, high: Expr) -> Expr {
    let compare = |l: Expr, op: BinaryOperator, r: Expr| Expr::BinaryOp {
        left: Box::new(l),
        op,
        right: Box::new(r),
    };
    if negated {
        Expr::Nested(Box::new(compare(
            compare(x.clone(), BinaryOperator::Lt, low),
            BinaryOperator::Or,
            compare(x, BinaryOperator::Gt, high),
        )))
    } else {
        Expr::Nested(Box::new(compare(
            compare(x.clone(), BinaryOperator::GtEq, low),
            BinaryOperator::And,
            compare(x, BinaryOperator::LtEq, high),
        )))
    }
}

/// An expression whose value is seen (selected, compared, negated, tested for NULL).
fn value(expr: &mut Expr) {
    expand_rows(expr);
    value_inner(expr);
}

fn value_inner(expr: &mut Expr) {
    walk_expr(expr, &mut value_node);
    // walk_expr does not enter a CASE's conditions as conditions, nor subqueries' WHERE:
    // those were handled as values, which is exact too.
}

/// The value-context rewrite of one node (its children are already rewritten).
fn value_node(expr: &mut Expr) {
    // x IN (SELECT c ...) as a value: TRUE on a match, else NULL when the subquery returns a
    // NULL (or x is NULL and it returns anything), else FALSE (GlueSQL said FALSE).
    if let Expr::InSubquery {
        subquery,
        negated: false,
        ..
    } = expr
    {
        let rows = |only_nulls: bool| {
            parse_exists(&format!(
                "SELECT 1 FROM ({subquery}) AS in_rows (v){}",
                if only_nulls { " WHERE v IS NULL" } else { "" }
            ))
        };
        let (Some(null_row), Some(some_row)) = (rows(true), rows(false)) else {
            return;
        };
        let matched = expr.clone();
        let Expr::InSubquery { expr: needle, .. } = &matched else {
            unreachable!("matched above");
        };
        let needle_null = Expr::BinaryOp {
            left: Box::new(is_null(needle.as_ref().clone())),
            op: BinaryOperator::And,
            right: Box::new(some_row),
        };
        *expr = case(
            vec![
                (matched.clone(), boolean(true)),
                (null_row, null()),
                (needle_null, null()),
            ],
            boolean(false),
        );
        return;
    }
    if let Expr::Between {
        expr: x,
        negated,
        low,
        high,
    } = expr
    {
        // `5 BETWEEN 6 AND NULL` is FALSE: the comparisons, with three-valued AND/OR.
        let (x, low, high) = (
            x.as_ref().clone(),
            low.as_ref().clone(),
            high.as_ref().clone(),
        );
        let mut rewritten = between_as_comparisons(x, *negated, low, high);
        if let Expr::Nested(inner) = &mut rewritten {
            value_node(inner);
        }
        *expr = rewritten;
        return;
    }
    match expr {
        Expr::BinaryOp {
            left,
            op: op @ (BinaryOperator::And | BinaryOperator::Or),
            right,
        } => {
            if never_null(left) && never_null(right) {
                return;
            }
            let (a, b) = (left.as_ref().clone(), right.as_ref().clone());
            let either_null = or(is_null(a.clone()), is_null(b.clone()));
            *expr = if *op == BinaryOperator::Or {
                // TRUE if either is TRUE, else NULL if either is NULL, else FALSE.
                case(
                    vec![
                        (a, boolean(true)),
                        (b, boolean(true)),
                        (either_null, null()),
                    ],
                    boolean(false),
                )
            } else {
                // FALSE if either is FALSE, else NULL if either is NULL, else TRUE.
                case(
                    vec![
                        (not(a), boolean(false)),
                        (not(b), boolean(false)),
                        (either_null, null()),
                    ],
                    boolean(true),
                )
            };
        }
        Expr::InList {
            expr: needle,
            list,
            negated,
        } if list.iter().any(is_null_literal) => {
            let known: Vec<Expr> = list
                .iter()
                .filter(|e| !is_null_literal(e))
                .cloned()
                .collect();
            // A NULL in the list: a match decides, anything else is unknown.
            let on_match = boolean(!*negated);
            *expr = if known.is_empty() {
                null()
            } else {
                let matched = Expr::InList {
                    expr: needle.clone(),
                    list: known,
                    negated: false,
                };
                case(vec![(matched, on_match)], null())
            };
        }
        // x NOT IN (SELECT c ...): FALSE on a match, else NULL when the subquery returns a
        // NULL (or x is NULL and it returns anything), else TRUE. GlueSQL ignored the NULLs,
        // the very trap this lesson is about ("users without orders" finds none).
        Expr::InSubquery {
            expr: needle,
            subquery,
            negated: true,
        } => {
            let matched = Expr::InSubquery {
                expr: needle.clone(),
                subquery: subquery.clone(),
                negated: false,
            };
            let rows = |only_nulls: bool| {
                parse_exists(&format!(
                    "SELECT 1 FROM ({subquery}) AS not_in_rows (v){}",
                    if only_nulls { " WHERE v IS NULL" } else { "" }
                ))
            };
            let (Some(null_row), Some(some_row)) = (rows(true), rows(false)) else {
                return;
            };
            let needle_null = Expr::BinaryOp {
                left: Box::new(is_null(needle.as_ref().clone())),
                op: BinaryOperator::And,
                right: Box::new(some_row),
            };
            *expr = case(
                vec![
                    (matched, boolean(false)),
                    (null_row, null()),
                    (needle_null, null()),
                ],
                boolean(true),
            );
        }
        Expr::Like {
            expr: a,
            pattern: b,
            ..
        }
        | Expr::ILike {
            expr: a,
            pattern: b,
            ..
        } => {
            if never_null(a) && never_null(b) {
                return;
            }
            let either_null = or(is_null(a.as_ref().clone()), is_null(b.as_ref().clone()));
            let test = expr.clone();
            *expr = case(vec![(either_null, null())], test);
        }
        _ => {}
    }
}

/// `EXISTS (<query>)` from its text (the subquery is the user's own, printed back).
pub(crate) fn parse_exists(query: &str) -> Option<Expr> {
    use gluesql::core::sqlparser::dialect::PostgreSqlDialect;
    use gluesql::core::sqlparser::parser::Parser;
    let mut parser = Parser::new(&PostgreSqlDialect {})
        .try_with_sql(&format!("EXISTS ({query})"))
        .ok()?;
    parser.parse_expr().ok()
}

/// Literals that cannot be NULL: the rewrite keeps their plain form.
fn never_null(expr: &Expr) -> bool {
    match expr {
        Expr::Value(Value::Null) => false,
        Expr::Value(_) => true,
        Expr::Nested(inner) => never_null(inner),
        Expr::IsNull(_) | Expr::IsNotNull(_) => true,
        _ => false,
    }
}

fn is_null_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Value(Value::Null) => true,
        Expr::Nested(inner) => is_null_literal(inner),
        _ => false,
    }
}

fn boolean(b: bool) -> Expr {
    Expr::Value(Value::Boolean(b))
}

fn null() -> Expr {
    Expr::Value(Value::Null)
}

fn is_null(expr: Expr) -> Expr {
    Expr::IsNull(Box::new(expr))
}

fn not(expr: Expr) -> Expr {
    Expr::UnaryOp {
        op: UnaryOperator::Not,
        expr: Box::new(Expr::Nested(Box::new(expr))),
    }
}

fn or(a: Expr, b: Expr) -> Expr {
    Expr::BinaryOp {
        left: Box::new(a),
        op: BinaryOperator::Or,
        right: Box::new(b),
    }
}

fn case(branches: Vec<(Expr, Expr)>, otherwise: Expr) -> Expr {
    let (conditions, results) = branches.into_iter().unzip();
    Expr::Case {
        operand: None,
        conditions,
        results,
        else_result: Some(Box::new(otherwise)),
    }
}

fn coalesce_false(expr: Expr) -> Expr {
    Expr::Function(Function {
        name: ObjectName(vec![Ident::new("COALESCE")]),
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(FunctionArgumentList {
            duplicate_treatment: None,
            args: vec![
                FunctionArg::Unnamed(FunctionArgExpr::Expr(expr)),
                FunctionArg::Unnamed(FunctionArgExpr::Expr(boolean(false))),
            ],
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}
