//! Expression rewrites on sqlparser's AST that give PostgreSQL's meaning on GlueSQL:
//! `gen_random_uuid()`, `DATE(x)`, casts to PostgreSQL types, row-value comparisons
//! (keyset pagination) and integer-with-float arithmetic (GlueSQL truncates `2 * 0.1`).

use super::types::{declare, PgType};
use gluesql::core::ast::DataType as GlueType;
use gluesql::core::sqlparser::ast::{
    BinaryOperator, CastKind, DataType, Expr, FunctionArg, FunctionArgExpr, FunctionArguments,
    GroupByExpr, Ident, JoinConstraint, JoinOperator, ObjectName, Query, SelectItem, SetExpr,
    Statement, TableFactor, TableWithJoins, TimezoneInfo, Value,
};

/// A call's plain positional arguments (`f(a, b)`: `[a, b]`), in order.
pub fn unnamed_args(function: &gluesql::core::sqlparser::ast::Function) -> Vec<&Expr> {
    match &function.args {
        FunctionArguments::List(list) => list
            .args
            .iter()
            .filter_map(|a| match a {
                FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// Applies `f` to every expression of a statement, children first.
pub fn walk_statement(statement: &mut Statement, f: &mut dyn FnMut(&mut Expr)) {
    match statement {
        Statement::Query(query) => walk_query(query, f),
        Statement::Insert(insert) => {
            if let Some(source) = insert.source.as_mut() {
                walk_query(source, f);
            }
            walk_items(insert.returning.iter_mut().flatten(), f);
        }
        Statement::Update {
            table,
            assignments,
            from,
            selection,
            returning,
        } => {
            walk_table(table, f);
            for assignment in assignments {
                walk_expr(&mut assignment.value, f);
            }
            if let Some(from) = from {
                walk_table(from, f);
            }
            if let Some(selection) = selection {
                walk_expr(selection, f);
            }
            walk_items(returning.iter_mut().flatten(), f);
        }
        Statement::Delete(delete) => {
            if let Some(selection) = delete.selection.as_mut() {
                walk_expr(selection, f);
            }
            walk_items(delete.returning.iter_mut().flatten(), f);
        }
        _ => {}
    }
}

fn walk_items<'a>(items: impl Iterator<Item = &'a mut SelectItem>, f: &mut dyn FnMut(&mut Expr)) {
    for item in items {
        match item {
            SelectItem::UnnamedExpr(expr) | SelectItem::ExprWithAlias { expr, .. } => {
                walk_expr(expr, f)
            }
            _ => {}
        }
    }
}

pub fn walk_query(query: &mut Query, f: &mut dyn FnMut(&mut Expr)) {
    if let Some(with) = query.with.as_mut() {
        for cte in &mut with.cte_tables {
            walk_query(&mut cte.query, f);
        }
    }
    walk_set_expr(&mut query.body, f);
    if let Some(order_by) = query.order_by.as_mut() {
        for item in &mut order_by.exprs {
            walk_expr(&mut item.expr, f);
        }
    }
}

fn walk_set_expr(body: &mut SetExpr, f: &mut dyn FnMut(&mut Expr)) {
    match body {
        SetExpr::Select(select) => {
            walk_items(select.projection.iter_mut(), f);
            for table in &mut select.from {
                walk_table(table, f);
            }
            if let Some(selection) = select.selection.as_mut() {
                walk_expr(selection, f);
            }
            if let GroupByExpr::Expressions(exprs, _) = &mut select.group_by {
                exprs.iter_mut().for_each(|e| walk_expr(e, f));
            }
            if let Some(having) = select.having.as_mut() {
                walk_expr(having, f);
            }
        }
        SetExpr::Query(query) => walk_query(query, f),
        SetExpr::SetOperation { left, right, .. } => {
            walk_set_expr(left, f);
            walk_set_expr(right, f);
        }
        SetExpr::Values(values) => {
            for row in &mut values.rows {
                row.iter_mut().for_each(|e| walk_expr(e, f));
            }
        }
        _ => {}
    }
}

fn walk_table(table: &mut TableWithJoins, f: &mut dyn FnMut(&mut Expr)) {
    walk_factor(&mut table.relation, f);
    for join in &mut table.joins {
        walk_factor(&mut join.relation, f);
        match &mut join.join_operator {
            JoinOperator::Inner(JoinConstraint::On(expr))
            | JoinOperator::LeftOuter(JoinConstraint::On(expr))
            | JoinOperator::RightOuter(JoinConstraint::On(expr))
            | JoinOperator::FullOuter(JoinConstraint::On(expr)) => walk_expr(expr, f),
            _ => {}
        }
    }
}

fn walk_factor(factor: &mut TableFactor, f: &mut dyn FnMut(&mut Expr)) {
    if let TableFactor::Derived { subquery, .. } = factor {
        walk_query(subquery, f);
    }
}

/// The expressions directly inside `expr` at the same query level: a subquery's are its
/// own (an IN subquery's left side is this level's).
pub(crate) fn children(expr: &Expr) -> Vec<&Expr> {
    match expr {
        Expr::BinaryOp { left, right, .. }
        | Expr::IsDistinctFrom(left, right)
        | Expr::IsNotDistinctFrom(left, right)
        | Expr::Like {
            expr: left,
            pattern: right,
            ..
        }
        | Expr::ILike {
            expr: left,
            pattern: right,
            ..
        } => vec![left, right],
        Expr::UnaryOp { expr, .. }
        | Expr::Nested(expr)
        | Expr::Cast { expr, .. }
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::IsTrue(expr)
        | Expr::IsNotTrue(expr)
        | Expr::IsFalse(expr)
        | Expr::IsNotFalse(expr)
        | Expr::InSubquery { expr, .. } => vec![expr],
        Expr::Between {
            expr, low, high, ..
        } => vec![expr, low, high],
        Expr::InList { expr, list, .. } => std::iter::once(expr.as_ref()).chain(list).collect(),
        Expr::Tuple(items) => items.iter().collect(),
        Expr::Function(f) => {
            let mut args = unnamed_args(f);
            args.extend(f.filter.as_deref());
            args
        }
        Expr::Case {
            operand,
            conditions,
            results,
            else_result,
        } => operand
            .iter()
            .map(|b| b.as_ref())
            .chain(conditions)
            .chain(results)
            .chain(else_result.iter().map(|b| b.as_ref()))
            .collect(),
        _ => Vec::new(),
    }
}

/// [`children`], to change them.
pub(crate) fn children_mut(expr: &mut Expr) -> Vec<&mut Expr> {
    match expr {
        Expr::BinaryOp { left, right, .. }
        | Expr::IsDistinctFrom(left, right)
        | Expr::IsNotDistinctFrom(left, right)
        | Expr::Like {
            expr: left,
            pattern: right,
            ..
        }
        | Expr::ILike {
            expr: left,
            pattern: right,
            ..
        } => vec![left.as_mut(), right.as_mut()],
        Expr::UnaryOp { expr, .. }
        | Expr::Nested(expr)
        | Expr::Cast { expr, .. }
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::IsTrue(expr)
        | Expr::IsNotTrue(expr)
        | Expr::IsFalse(expr)
        | Expr::IsNotFalse(expr)
        | Expr::InSubquery { expr, .. } => vec![expr.as_mut()],
        Expr::Between {
            expr, low, high, ..
        } => vec![expr.as_mut(), low.as_mut(), high.as_mut()],
        Expr::InList { expr, list, .. } => std::iter::once(expr.as_mut())
            .chain(list.iter_mut())
            .collect(),
        Expr::Tuple(items) => items.iter_mut().collect(),
        Expr::Function(f) => {
            let mut args: Vec<&mut Expr> = match &mut f.args {
                FunctionArguments::List(list) => list
                    .args
                    .iter_mut()
                    .filter_map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            args.extend(f.filter.as_deref_mut());
            args
        }
        Expr::Case {
            operand,
            conditions,
            results,
            else_result,
        } => operand
            .iter_mut()
            .map(|b| b.as_mut())
            .chain(conditions.iter_mut())
            .chain(results.iter_mut())
            .chain(else_result.iter_mut().map(|b| b.as_mut()))
            .collect(),
        _ => Vec::new(),
    }
}

pub fn walk_expr(expr: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    match expr {
        Expr::Nested(e)
        | Expr::UnaryOp { expr: e, .. }
        | Expr::IsNull(e)
        | Expr::IsNotNull(e)
        | Expr::IsTrue(e)
        | Expr::IsNotTrue(e)
        | Expr::IsFalse(e)
        | Expr::IsNotFalse(e)
        | Expr::IsUnknown(e)
        | Expr::IsNotUnknown(e)
        | Expr::Cast { expr: e, .. }
        | Expr::Extract { expr: e, .. }
        | Expr::Ceil { expr: e, .. }
        | Expr::Floor { expr: e, .. } => walk_expr(e, f),
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
            walk_expr(a, f);
            walk_expr(b, f);
        }
        Expr::BinaryOp { left, right, .. }
        | Expr::Like {
            expr: left,
            pattern: right,
            ..
        }
        | Expr::ILike {
            expr: left,
            pattern: right,
            ..
        } => {
            walk_expr(left, f);
            walk_expr(right, f);
        }
        Expr::InList { expr, list, .. } => {
            walk_expr(expr, f);
            list.iter_mut().for_each(|e| walk_expr(e, f));
        }
        Expr::InSubquery { expr, subquery, .. } => {
            walk_expr(expr, f);
            walk_query(subquery, f);
        }
        Expr::Between {
            expr, low, high, ..
        } => {
            walk_expr(expr, f);
            walk_expr(low, f);
            walk_expr(high, f);
        }
        Expr::Case {
            operand,
            conditions,
            results,
            else_result,
        } => {
            if let Some(operand) = operand {
                walk_expr(operand, f);
            }
            conditions
                .iter_mut()
                .chain(results.iter_mut())
                .for_each(|e| walk_expr(e, f));
            if let Some(e) = else_result {
                walk_expr(e, f);
            }
        }
        Expr::Function(function) => {
            if let FunctionArguments::List(list) = &mut function.args {
                for arg in &mut list.args {
                    match arg {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e))
                        | FunctionArg::Named {
                            arg: FunctionArgExpr::Expr(e),
                            ..
                        } => walk_expr(e, f),
                        _ => {}
                    }
                }
            }
        }
        Expr::Exists { subquery, .. } | Expr::Subquery(subquery) => walk_query(subquery, f),
        Expr::Tuple(items) => items.iter_mut().for_each(|e| walk_expr(e, f)),
        Expr::Substring {
            expr,
            substring_from,
            substring_for,
            ..
        } => {
            walk_expr(expr, f);
            if let Some(e) = substring_from {
                walk_expr(e, f);
            }
            if let Some(e) = substring_for {
                walk_expr(e, f);
            }
        }
        Expr::Position { expr, r#in } => {
            walk_expr(expr, f);
            walk_expr(r#in, f);
        }
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } => {
            walk_expr(timestamp, f);
            walk_expr(time_zone, f);
        }
        _ => {}
    }
    f(expr);
}

/// The PostgreSQL rewrites of one expression node (children are already rewritten).
/// Errors name the construct.
pub fn pg_node(expr: &mut Expr, errors: &mut Vec<String>) {
    match expr {
        Expr::Value(Value::SingleQuotedString(text)) => {
            if let Some(full) = full_utc_offset(text) {
                *text = full;
            }
        }
        Expr::Function(function) => {
            let name = function
                .name
                .0
                .last()
                .map(|i| i.value.to_lowercase())
                .unwrap_or_default();
            let args = match &function.args {
                FunctionArguments::List(list) => list
                    .args
                    .iter()
                    .filter_map(|a| match a {
                        FunctionArg::Unnamed(FunctionArgExpr::Expr(e)) => Some(e.clone()),
                        _ => None,
                    })
                    .collect::<Vec<_>>(),
                _ => Vec::new(),
            };
            match (name.as_str(), args.len()) {
                // (uuid_generate_v4 needs the uuid-ossp extension: PostgreSQL 15 has no such
                // function without it, so neither does the playground.)
                ("gen_random_uuid", 0) => {
                    function.name = ObjectName(vec![Ident::new("GENERATE_UUID")]);
                }
                ("date", 1) => {
                    *expr = cast(args.into_iter().next().expect("one arg"), DataType::Date);
                }
                // PostgreSQL's names for functions GlueSQL has under another name.
                ("char_length" | "character_length", 1) => {
                    function.name = ObjectName(vec![Ident::new("LENGTH")]);
                }
                ("ceiling", 1) => function.name = ObjectName(vec![Ident::new("CEIL")]),
                ("btrim", 1) => {
                    *expr = Expr::Trim {
                        expr: Box::new(args.into_iter().next().expect("one arg")),
                        trim_where: None,
                        trim_what: None,
                        trim_characters: None,
                    };
                }
                // GlueSQL's REPEAT panics on a negative count; PostgreSQL gives ''.
                ("repeat", 2) => {
                    let mut args = args.into_iter();
                    let (text, count) = (args.next().expect("two"), args.next().expect("two"));
                    let at_least_zero = Expr::Case {
                        operand: None,
                        conditions: vec![Expr::BinaryOp {
                            left: Box::new(count.clone()),
                            op: gluesql::core::sqlparser::ast::BinaryOperator::Lt,
                            right: Box::new(number(0)),
                        }],
                        results: vec![number(0)],
                        else_result: Some(Box::new(count)),
                    };
                    *expr = self::function("REPEAT", vec![text, at_least_zero]);
                }
                ("strpos", 2) => {
                    let mut args = args.into_iter();
                    let (text, needle) = (args.next().expect("two"), args.next().expect("two"));
                    *expr = Expr::Position {
                        expr: Box::new(needle),
                        r#in: Box::new(text),
                    };
                }
                _ => {}
            }
        }
        // PostgreSQL's interval text ('1 day', '90 minutes', '2 weeks', '1 year 2 months'):
        // GlueSQL reads only its own `INTERVAL '1' DAY` form.
        Expr::Interval(interval)
            if interval.leading_field.is_none()
                && matches!(
                    interval.value.as_ref(),
                    Expr::Value(Value::SingleQuotedString(_))
                ) =>
        {
            if let Expr::Value(Value::SingleQuotedString(text)) = interval.value.as_ref() {
                if let Some(glue) = glue_interval(text, errors) {
                    *expr = glue;
                }
            }
        }
        Expr::Cast {
            expr: inner,
            data_type: DataType::Interval,
            ..
        } if matches!(inner.as_ref(), Expr::Value(Value::SingleQuotedString(_))) => {
            if let Expr::Value(Value::SingleQuotedString(text)) = inner.as_ref() {
                if let Some(glue) = glue_interval(text, errors) {
                    *expr = glue;
                }
            }
        }
        // GlueSQL's LIKE has no escape character: `\_` would match any character.
        Expr::Like { pattern, .. } | Expr::ILike { pattern, .. } if matches!(pattern.as_ref(), Expr::Value(Value::SingleQuotedString(p)) if p.contains('\\')) =>
        {
            errors.push("LIKE patterns with backslash escapes (\\_ and \\%)".to_string());
        }
        // An empty needle is found at position 1 (GlueSQL: 0).
        Expr::Position { expr: needle, r#in } if matches!(needle.as_ref(), Expr::Value(Value::SingleQuotedString(n)) if n.is_empty()) =>
        {
            let haystack = r#in.as_ref().clone();
            *expr = Expr::Case {
                operand: None,
                conditions: vec![Expr::IsNull(Box::new(haystack))],
                results: vec![Expr::Value(Value::Null)],
                else_result: Some(Box::new(number(1))),
            };
        }
        // SUBSTRING(x FROM a FOR b) is GlueSQL's SUBSTR(x, a, b) (FOR alone starts at 1).
        Expr::Substring {
            expr: text,
            substring_from,
            substring_for,
            ..
        } if (substring_from.is_some() || substring_for.is_some())
            && !matches!(
                substring_from.as_deref(),
                Some(Expr::Value(Value::SingleQuotedString(_)))
            ) =>
        {
            let mut args = vec![text.as_ref().clone()];
            args.push(
                substring_from
                    .as_deref()
                    .cloned()
                    .unwrap_or_else(|| number(1)),
            );
            if let Some(length) = substring_for {
                args.push(length.as_ref().clone());
            }
            *expr = function("SUBSTR", args);
        }
        // IS [NOT] TRUE / FALSE / UNKNOWN: never NULL, as PostgreSQL's.
        Expr::IsTrue(e) | Expr::IsNotTrue(e) | Expr::IsFalse(e) | Expr::IsNotFalse(e) => {
            let inner = e.as_ref().clone();
            let (test, when) = match expr {
                Expr::IsTrue(_) => (inner, true),
                Expr::IsNotTrue(_) => (inner, false),
                Expr::IsFalse(_) => (not(inner), true),
                _ => (not(inner), false),
            };
            *expr = case_when(test, boolean(when), boolean(!when));
        }
        Expr::IsUnknown(e) => *expr = Expr::IsNull(e.clone()),
        Expr::IsNotUnknown(e) => *expr = Expr::IsNotNull(e.clone()),
        // a IS [NOT] DISTINCT FROM b: equality where NULL equals NULL, never NULL itself.
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
            let (a, b) = (a.as_ref().clone(), b.as_ref().clone());
            let distinct = matches!(expr, Expr::IsDistinctFrom(..));
            let both_null = Expr::BinaryOp {
                left: Box::new(Expr::IsNull(Box::new(a.clone()))),
                op: BinaryOperator::And,
                right: Box::new(Expr::IsNull(Box::new(b.clone()))),
            };
            let one_null = Expr::BinaryOp {
                left: Box::new(Expr::IsNull(Box::new(a.clone()))),
                op: BinaryOperator::Or,
                right: Box::new(Expr::IsNull(Box::new(b.clone()))),
            };
            let differ = Expr::BinaryOp {
                left: Box::new(a),
                op: BinaryOperator::NotEq,
                right: Box::new(b),
            };
            *expr = Expr::Case {
                operand: None,
                conditions: vec![both_null, one_null, differ],
                results: vec![boolean(!distinct), boolean(distinct), boolean(distinct)],
                else_result: Some(Box::new(boolean(!distinct))),
            };
        }
        // `TIMESTAMPTZ '2024-01-01 10:00:00+00'`: a timestamp read as UTC (GlueSQL's
        // parser knows no TIMESTAMPTZ type).
        Expr::TypedString { data_type, value } if is_timestamptz(data_type) => {
            let value = with_seconds(value);
            let text = full_utc_offset(&value).unwrap_or(value);
            *expr = cast(
                Expr::Value(Value::SingleQuotedString(text)),
                DataType::Timestamp(None, TimezoneInfo::None),
            );
        }
        // TIMESTAMPTZ is stored as UTC: at time zone UTC it is the stored timestamp itself.
        Expr::AtTimeZone {
            timestamp,
            time_zone,
        } if matches!(time_zone.as_ref(), Expr::Value(Value::SingleQuotedString(z))
            if z.eq_ignore_ascii_case("utc") || z.eq_ignore_ascii_case("etc/utc")) =>
        {
            let inner = std::mem::replace(timestamp.as_mut(), Expr::Value(Value::Null));
            *expr = Expr::Nested(Box::new(inner));
        }
        // `TIMESTAMP '2024-01-15 10:30'`: seconds PostgreSQL lets one leave out.
        Expr::TypedString {
            data_type: DataType::Timestamp(_, TimezoneInfo::None | TimezoneInfo::WithoutTimeZone),
            value,
        } if with_seconds(value) != *value => {
            *value = with_seconds(value);
        }
        Expr::Cast {
            expr: inner,
            data_type: DataType::Timestamp(..),
            ..
        } if matches!(inner.as_ref(), Expr::Value(Value::SingleQuotedString(v)) if with_seconds(v) != *v) => {
            if let Expr::Value(Value::SingleQuotedString(v)) = inner.as_mut() {
                *v = with_seconds(v);
                if let Some(full) = full_utc_offset(v) {
                    *v = full;
                }
            }
        }
        // `'yes'::boolean`, `' 42 '::int`, `2.5::int`: PostgreSQL's input rules for a literal.
        Expr::Cast {
            expr: inner,
            data_type,
            ..
        } if literal_cast(inner, data_type).is_some() => {
            *expr = literal_cast(inner, data_type).expect("checked");
        }
        // An explicit cast to VARCHAR(n) or CHAR(n) cuts the text to n characters (only an
        // assignment of a longer value is an error).
        Expr::Cast {
            expr: inner,
            data_type:
                data_type @ (DataType::Varchar(Some(_))
                | DataType::CharacterVarying(Some(_))
                | DataType::Char(Some(_))
                | DataType::Character(Some(_))),
            ..
        } => {
            let length = match data_type {
                DataType::Varchar(Some(l))
                | DataType::CharacterVarying(Some(l))
                | DataType::Char(Some(l))
                | DataType::Character(Some(l)) => match l {
                    gluesql::core::sqlparser::ast::CharacterLength::IntegerLength {
                        length,
                        ..
                    } => Some(*length),
                    _ => None,
                },
                _ => None,
            };
            let as_text = cast(inner.as_ref().clone(), DataType::Text);
            *expr = match length {
                Some(n) => function("SUBSTR", vec![as_text, number(1), number(n)]),
                None => as_text,
            };
        }
        Expr::Cast { data_type, .. } => match storage_sql_type(data_type) {
            Ok(mapped) => *data_type = mapped,
            Err(message) => errors.push(message),
        },
        Expr::BinaryOp { left, op, right } => {
            if let (Expr::Tuple(a), Expr::Tuple(b)) = (left.as_ref(), right.as_ref()) {
                if a.len() != b.len() {
                    errors.push("unequal number of entries in row expressions".into());
                    return;
                }
                if let Some(expanded) = row_compare(a, op, b) {
                    *expr = Expr::Nested(Box::new(expanded));
                } else {
                    errors.push(format!("row comparison with operator {op}"));
                }
                return;
            }
            let arithmetic = matches!(
                op,
                BinaryOperator::Plus
                    | BinaryOperator::Minus
                    | BinaryOperator::Multiply
                    | BinaryOperator::Divide
                    | BinaryOperator::Modulo
            );
            if arithmetic {
                // GlueSQL converts the right operand to the left one's type: an integer on the
                // left of a float truncates. Make the left side a float.
                let float_right = is_float_literal(right);
                if float_right && !is_float_literal(left) {
                    let inner = std::mem::replace(left.as_mut(), Expr::Value(Value::Null));
                    **left = cast(inner, DataType::Float(None));
                }
            }
        }
        _ => {}
    }
}

/// A literal cast whose PostgreSQL result GlueSQL would not give: a boolean spelling, an
/// integer with blanks around it, a numeric rounded into an integer.
fn literal_cast(inner: &Expr, data_type: &DataType) -> Option<Expr> {
    let integer = matches!(
        data_type,
        DataType::Int(_)
            | DataType::Integer(_)
            | DataType::BigInt(_)
            | DataType::SmallInt(_)
            | DataType::Int2(_)
            | DataType::Int4(_)
            | DataType::Int8(_)
    );
    match (inner, data_type) {
        (Expr::Value(Value::SingleQuotedString(text)), DataType::Boolean | DataType::Bool) => {
            super::assign::boolean_spelling(text).map(boolean)
        }
        (Expr::Value(Value::SingleQuotedString(text)), _)
            if integer && text.trim() != text && !text.trim().is_empty() =>
        {
            Some(cast(
                Expr::Value(Value::SingleQuotedString(text.trim().to_string())),
                data_type.clone(),
            ))
        }
        (Expr::Value(Value::Number(..)) | Expr::UnaryOp { .. }, _) if integer => {
            super::assign::rounded_integer(inner)
        }
        _ => None,
    }
}

fn function(name: &str, args: Vec<Expr>) -> Expr {
    Expr::Function(gluesql::core::sqlparser::ast::Function {
        name: ObjectName(vec![Ident::new(name)]),
        parameters: FunctionArguments::None,
        args: FunctionArguments::List(gluesql::core::sqlparser::ast::FunctionArgumentList {
            duplicate_treatment: None,
            args: args
                .into_iter()
                .map(|e| FunctionArg::Unnamed(FunctionArgExpr::Expr(e)))
                .collect(),
            clauses: vec![],
        }),
        filter: None,
        null_treatment: None,
        over: None,
        within_group: vec![],
    })
}

fn number(n: u64) -> Expr {
    Expr::Value(Value::Number(n.into(), false))
}

fn boolean(b: bool) -> Expr {
    Expr::Value(Value::Boolean(b))
}

fn not(expr: Expr) -> Expr {
    Expr::UnaryOp {
        op: gluesql::core::sqlparser::ast::UnaryOperator::Not,
        expr: Box::new(Expr::Nested(Box::new(expr))),
    }
}

fn case_when(condition: Expr, then: Expr, otherwise: Expr) -> Expr {
    Expr::Case {
        operand: None,
        conditions: vec![condition],
        results: vec![then],
        else_result: Some(Box::new(otherwise)),
    }
}

fn is_timestamptz(data_type: &DataType) -> bool {
    match data_type {
        DataType::Timestamp(_, TimezoneInfo::WithTimeZone | TimezoneInfo::Tz) => true,
        DataType::Custom(name, _) => name.to_string().eq_ignore_ascii_case("timestamptz"),
        _ => false,
    }
}

fn cast(expr: Expr, data_type: DataType) -> Expr {
    Expr::Cast {
        kind: CastKind::Cast,
        expr: Box::new(expr),
        data_type,
        format: None,
    }
}

fn is_float_literal(expr: &Expr) -> bool {
    match expr {
        Expr::Value(literal @ Value::Number(..)) => {
            super::typing::number_literal(literal).is_some_and(|(_, numeric)| numeric)
        }
        Expr::Nested(inner) | Expr::UnaryOp { expr: inner, .. } => is_float_literal(inner),
        _ => false,
    }
}

/// `(a1, a2, ...) op (b1, b2, ...)` as scalar comparisons. For the orderings, a leading
/// `a1 op' b1` conjunct (op' the non-strict form) lets an index on `a1` seek.
pub(crate) fn row_compare(a: &[Expr], op: &BinaryOperator, b: &[Expr]) -> Option<Expr> {
    let bin = |l: &Expr, op: BinaryOperator, r: &Expr| Expr::BinaryOp {
        left: Box::new(l.clone()),
        op,
        right: Box::new(r.clone()),
    };
    let and = |l: Expr, r: Expr| Expr::BinaryOp {
        left: Box::new(l),
        op: BinaryOperator::And,
        right: Box::new(r),
    };
    let or = |l: Expr, r: Expr| Expr::BinaryOp {
        left: Box::new(l),
        op: BinaryOperator::Or,
        right: Box::new(r),
    };
    let all_equal = || {
        a.iter()
            .zip(b)
            .map(|(x, y)| bin(x, BinaryOperator::Eq, y))
            .reduce(and)
    };
    match op {
        BinaryOperator::Eq => all_equal(),
        BinaryOperator::NotEq => Some(Expr::UnaryOp {
            op: gluesql::core::sqlparser::ast::UnaryOperator::Not,
            expr: Box::new(Expr::Nested(Box::new(all_equal()?))),
        }),
        BinaryOperator::Lt | BinaryOperator::LtEq | BinaryOperator::Gt | BinaryOperator::GtEq => {
            let (strict, loose) = match op {
                BinaryOperator::Lt | BinaryOperator::LtEq => {
                    (BinaryOperator::Lt, BinaryOperator::LtEq)
                }
                _ => (BinaryOperator::Gt, BinaryOperator::GtEq),
            };
            let last = a.len() - 1;
            // Built from the last column outwards: a_n op b_n, then
            // a_i strict b_i OR (a_i = b_i AND rest).
            let mut rest = bin(&a[last], op.clone(), &b[last]);
            for i in (0..last).rev() {
                rest = or(
                    bin(&a[i], strict.clone(), &b[i]),
                    Expr::Nested(Box::new(and(bin(&a[i], BinaryOperator::Eq, &b[i]), rest))),
                );
            }
            if last == 0 {
                return Some(rest);
            }
            Some(and(bin(&a[0], loose, &b[0]), Expr::Nested(Box::new(rest))))
        }
        _ => None,
    }
}

/// A PostgreSQL type name in a CAST as the SQL type GlueSQL knows for its storage.
pub fn storage_sql_type(data_type: &DataType) -> Result<DataType, String> {
    let declared = declare(data_type, |_| false)?;
    if declared.serial {
        // SERIAL is a column shorthand (a sequence default), not a type one casts to.
        return Err(format!(
            "type \"{}\" does not exist",
            data_type.to_string().to_lowercase()
        ));
    }
    if let DataType::Timestamp(Some(_), _) = data_type {
        return Err("timestamp(p) with a fractional-seconds precision".to_string());
    }
    if matches!(declared.ty, PgType::Native(_)) {
        return Ok(data_type.clone());
    }
    Ok(glue_to_sql(&declared.ty.storage()))
}

/// The sqlparser spelling of a GlueSQL storage type.
pub fn glue_to_sql(data_type: &GlueType) -> DataType {
    match data_type {
        GlueType::Int => DataType::Int(None),
        GlueType::Decimal => {
            DataType::Decimal(gluesql::core::sqlparser::ast::ExactNumberInfo::None)
        }
        GlueType::Float => DataType::Float(None),
        GlueType::Float32 => DataType::Float32,
        GlueType::Boolean => DataType::Boolean,
        GlueType::Timestamp => DataType::Timestamp(None, TimezoneInfo::None),
        GlueType::Date => DataType::Date,
        GlueType::Time => DataType::Time(None, TimezoneInfo::None),
        GlueType::Interval => DataType::Interval,
        GlueType::Bytea => DataType::Bytea,
        GlueType::Uuid => DataType::Uuid,
        GlueType::Int16 => DataType::Int16,
        GlueType::Int32 => DataType::Int32,
        GlueType::Map => DataType::Custom(ObjectName(vec![Ident::new("MAP")]), vec![]),
        GlueType::List => DataType::Custom(ObjectName(vec![Ident::new("LIST")]), vec![]),
        GlueType::Inet => DataType::Custom(ObjectName(vec![Ident::new("INET")]), vec![]),
        GlueType::Point => DataType::Custom(ObjectName(vec![Ident::new("POINT")]), vec![]),
        _ => DataType::Text,
    }
}

/// Rewrites every expression of a statement; the first construct it cannot express fails.
pub fn rewrite_statement(statement: &mut Statement) -> Result<(), String> {
    let mut errors = Vec::new();
    walk_statement(statement, &mut |e| pg_node(e, &mut errors));
    match errors.into_iter().next() {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

pub fn rewrite_expr(expr: &mut Expr) -> Result<(), String> {
    let mut errors = Vec::new();
    walk_expr(expr, &mut |e| pg_node(e, &mut errors));
    match errors.into_iter().next() {
        Some(message) => Err(message),
        None => Ok(()),
    }
}

/// `2024-01-15 10:30` (PostgreSQL reads a time without seconds) as `2024-01-15 10:30:00`,
/// which GlueSQL reads; any offset after it is kept.
fn with_seconds(text: &str) -> String {
    let b = text.as_bytes();
    let shaped = b.len() >= 16
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && matches!(b[10], b' ' | b'T')
        && b[11].is_ascii_digit()
        && b[12].is_ascii_digit()
        && b[13] == b':'
        && b[14].is_ascii_digit()
        && b[15].is_ascii_digit()
        && b.get(16) != Some(&b':');
    if shaped {
        format!("{}:00{}", &text[..16], &text[16..])
    } else {
        text.to_string()
    }
}

/// PostgreSQL writes a TIMESTAMPTZ offset as `+02`; GlueSQL reads `+02:00` (and converts
/// to UTC). A literal that is exactly a timestamp with an hour-only offset gets `:00`.
fn full_utc_offset(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    if bytes.len() < 19 || !text.is_ascii() {
        return None;
    }
    let (body, offset) = text.split_at(text.len() - 3);
    let offset = offset.as_bytes();
    let offset_ok = matches!(offset[0], b'+' | b'-')
        && offset[1].is_ascii_digit()
        && offset[2].is_ascii_digit();
    let date_ok = body.len() >= 16
        && body.as_bytes()[..10].iter().enumerate().all(|(i, b)| {
            if i == 4 || i == 7 {
                *b == b'-'
            } else {
                b.is_ascii_digit()
            }
        })
        && matches!(body.as_bytes()[10], b' ' | b'T')
        && body[11..]
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
    // An out-of-range time stays as written, so the error quotes the user's text.
    let time_ok = date_ok && {
        let fields: Vec<u32> = body[11..]
            .split(':')
            .map(|f| f.split('.').next().unwrap_or("0").parse().unwrap_or(99))
            .collect();
        fields.first().is_some_and(|h| *h < 24)
            && fields.get(1).is_none_or(|m| *m < 60)
            && fields.get(2).is_none_or(|s| *s < 61)
    };
    (offset_ok && time_ok).then(|| format!("{text}:00"))
}

/// PostgreSQL interval text as a GlueSQL interval, where GlueSQL's interval then prints
/// and computes as PostgreSQL's: months and years alone (`Month`), or days and a time of
/// day of one sign, under 24 hours (`Microsecond`: a day is 24 hours there, and
/// `36 hours` would print as `1 day 12:00:00`). None leaves the text to GlueSQL, which
/// refuses it. An interval GlueSQL's microseconds cannot hold (past about 106,751,991
/// days, where PostgreSQL still has room) is refused here: it would silently saturate.
fn glue_interval(text: &str, errors: &mut Vec<String>) -> Option<Expr> {
    let mut beyond_microseconds = false;
    let glue = glue_interval_or_none(text, &mut beyond_microseconds);
    if beyond_microseconds {
        errors.push(format!(
            "intervals of more than {MAX_INTERVAL_DAYS} days (here: '{text}')"
        ));
    }
    glue
}

/// The most days GlueSQL's interval (i64 microseconds) holds.
const MAX_INTERVAL_DAYS: i64 = i64::MAX / 86_400_000_000;

fn glue_interval_or_none(text: &str, beyond_microseconds: &mut bool) -> Option<Expr> {
    let mut months: f64 = 0.0;
    let mut days: f64 = 0.0;
    let mut seconds: f64 = 0.0;
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut i = 0;
    while i < words.len() {
        let word = words[i];
        if word.contains(':') {
            let sign = if word.starts_with('-') { -1.0 } else { 1.0 };
            let parts: Vec<f64> = word
                .trim_start_matches(['-', '+'])
                .split(':')
                .map(|p| p.parse().ok())
                .collect::<Option<_>>()?;
            let (h, m, s) = match parts.as_slice() {
                [h, m] => (*h, *m, 0.0),
                [h, m, s] => (*h, *m, *s),
                _ => return None,
            };
            seconds += sign * (h * 3600.0 + m * 60.0 + s);
            i += 1;
            continue;
        }
        let n: f64 = word.parse().ok()?;
        let unit = words.get(i + 1)?.to_ascii_lowercase();
        let unit = unit.trim_end_matches('s');
        match unit {
            "year" | "yr" | "y" => months += n * 12.0,
            "mon" | "month" => months += n,
            "week" | "w" => days += n * 7.0,
            "day" | "d" => days += n,
            "hour" | "hr" | "h" => seconds += n * 3600.0,
            "minute" | "min" | "m" => seconds += n * 60.0,
            "second" | "sec" => seconds += n,
            _ => return None,
        }
        i += 2;
    }
    let field = |value: String, field: gluesql::core::sqlparser::ast::DateTimeField| {
        Expr::Interval(gluesql::core::sqlparser::ast::Interval {
            value: Box::new(Expr::Value(Value::SingleQuotedString(value))),
            leading_field: Some(field),
            leading_precision: None,
            last_field: None,
            fractional_seconds_precision: None,
        })
    };
    if months != 0.0 {
        let whole = months.fract() == 0.0 && days == 0.0 && seconds == 0.0;
        return whole.then(|| {
            field(
                format!("{}", months as i64),
                gluesql::core::sqlparser::ast::DateTimeField::Month,
            )
        });
    }
    // A fraction of a day is hours (PostgreSQL: `1.5 days` is `1 day 12:00:00`).
    let whole_days = days.trunc();
    seconds += (days - whole_days) * 86_400.0;
    let same_sign = whole_days == 0.0 || seconds == 0.0 || (whole_days > 0.0) == (seconds > 0.0);
    if seconds.abs() >= 86_400.0 || !same_sign {
        return None;
    }
    let total = whole_days * 86_400.0 + seconds;
    if (total * 1_000_000.0).abs() >= i64::MAX as f64 {
        *beyond_microseconds = true;
        return None;
    }
    let micros = (total * 1_000_000.0).round() as i64;
    let sign = if micros < 0 { "-" } else { "" };
    let magnitude = micros.unsigned_abs();
    Some(field(
        format!(
            "{sign}{}.{:06}",
            magnitude / 1_000_000,
            magnitude % 1_000_000
        ),
        gluesql::core::sqlparser::ast::DateTimeField::Second,
    ))
}
