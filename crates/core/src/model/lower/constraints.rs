//! `__table_args__` and `Table(...)` extras: Index, UniqueConstraint, CheckConstraint
//! (including `col.in_([s.value for s in Enum])`), ForeignKeyConstraint,
//! PrimaryKeyConstraint.

use super::super::ast::{kwarg, positional, Arg, Expr, ExprKind};
use super::super::ir::{Constraint, ForeignKey, Index, IndexElement, IndexOptions, Literal};
use super::columns::ColumnSpec;
use super::values::{enum_member_literal, literal, literal_sql};
use super::Lowerer;

#[derive(Default)]
pub(super) struct Extras {
    pub constraints: Vec<Constraint>,
    pub indexes: Vec<Index>,
    pub primary_key: Option<Vec<String>>,
    /// `PrimaryKeyConstraint(..., name=...)`.
    pub primary_key_name: Option<String>,
    /// The table's `comment`.
    pub comment: Option<String>,
    /// `postgresql_partition_by` / `_using` / `_tablespace`, as (order, clause).
    pub table_options: Vec<(u8, String)>,
}

impl Lowerer<'_> {
    /// `__table_args__`: a tuple of constraints, optionally ending with a dict, or a dict.
    pub(super) fn table_args(&mut self, expr: &Expr, columns: &[ColumnSpec], extras: &mut Extras) {
        match &expr.kind {
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for item in items {
                    self.table_extra(item, columns, extras);
                }
            }
            ExprKind::Dict(_) => self.table_options(expr, extras),
            _ => self.warn(expr.pos, "__table_args__ should be a tuple; ignored"),
        }
    }

    fn table_options(&mut self, dict: &Expr, extras: &mut Extras) {
        if let ExprKind::Dict(pairs) = &dict.kind {
            for (key, value) in pairs {
                match (key.as_ref().and_then(Expr::as_str), value.as_str()) {
                    (Some("comment"), Some(text)) => extras.comment = Some(text.to_string()),
                    (Some("postgresql_partition_by"), Some(text)) => extras
                        .table_options
                        .push((0, format!("PARTITION BY {text}"))),
                    (Some("postgresql_using"), Some(text)) => {
                        extras.table_options.push((1, format!("USING {text}")))
                    }
                    (Some("postgresql_tablespace"), Some(text)) => {
                        extras.table_options.push((2, format!("TABLESPACE {text}")))
                    }
                    (Some(key), _) => {
                        self.warn(dict.pos, format!("table option '{key}' is ignored"))
                    }
                    (None, _) => {}
                }
            }
        }
    }

    /// One constraint or index (from `__table_args__` or a `Table(...)` argument).
    pub(super) fn table_extra(&mut self, item: &Expr, columns: &[ColumnSpec], extras: &mut Extras) {
        if matches!(item.kind, ExprKind::Dict(_)) {
            self.table_options(item, extras);
            return;
        }
        let Some((callee, args)) = item.as_call() else {
            self.warn(item.pos, "not a constraint or index; ignored");
            return;
        };
        let name = kwarg(args, "name")
            .and_then(Expr::as_str)
            .map(str::to_string);
        match callee {
            "Index" => self.index(item, args, columns, extras),
            "UniqueConstraint" | "PrimaryKeyConstraint" => {
                let cols: Option<Vec<String>> = positional(args)
                    .map(|c| self.column_ref(c, columns))
                    .collect();
                match cols {
                    Some(cols) if callee == "UniqueConstraint" => {
                        extras.constraints.push(Constraint::Unique {
                            name,
                            columns: cols,
                        })
                    }
                    Some(cols) => {
                        extras.primary_key = Some(cols);
                        extras.primary_key_name = name;
                    }
                    None => self.warn(
                        item.pos,
                        "a column here is not a column of the table; skipped",
                    ),
                }
            }
            "CheckConstraint" => {
                match positional(args).next().map(|c| self.check_sql(c, columns)) {
                    Some(Ok(sql)) => extras.constraints.push(Constraint::Check { name, sql }),
                    Some(Err(message)) => {
                        self.warn(item.pos, format!("{message}; constraint skipped"))
                    }
                    None => self.warn(item.pos, "CheckConstraint needs a condition"),
                }
            }
            "ForeignKeyConstraint" => {
                let mut parts = positional(args);
                let strings = |e: Option<&Expr>| -> Vec<String> {
                    match e.map(|e| &e.kind) {
                        // 'invoices.number', or Invoice.number (a class attribute,
                        // resolved to its table once every class is known).
                        Some(ExprKind::List(items) | ExprKind::Tuple(items)) => items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string).or_else(|| i.dotted()))
                            .collect(),
                        _ => Vec::new(),
                    }
                };
                let cols = strings(parts.next());
                let refs = strings(parts.next());
                let ref_table = refs
                    .first()
                    .and_then(|r| r.rsplit_once('.'))
                    .map(|(t, _)| t.to_string());
                match ref_table {
                    Some(ref_table) if cols.len() == refs.len() => {
                        let text =
                            |k: &str| kwarg(args, k).and_then(Expr::as_str).map(str::to_string);
                        extras.constraints.push(Constraint::ForeignKey(ForeignKey {
                            name,
                            columns: cols,
                            ref_table,
                            ref_columns: refs
                                .iter()
                                .filter_map(|r| r.rsplit_once('.'))
                                .map(|(_, c)| c.to_string())
                                .collect(),
                            ondelete: text("ondelete"),
                            onupdate: text("onupdate"),
                            use_alter: kwarg(args, "use_alter").is_some_and(|v| self.flag(v)),
                        }))
                    }
                    _ => self.warn(
                        item.pos,
                        "ForeignKeyConstraint needs lists of columns and 'table.column' targets",
                    ),
                }
            }
            other => self.warn(item.pos, format!("{other} is not supported here; ignored")),
        }
    }

    /// `Index('name', element, ..., unique=, postgresql_where=)`. An index SQLAlchemy
    /// would create but we cannot is an error, never a silent drop: the lesson of a
    /// partial unique index is lost without its WHERE.
    pub(super) fn index(
        &mut self,
        item: &Expr,
        args: &[Arg],
        columns: &[ColumnSpec],
        extras: &mut Extras,
    ) {
        let mut parts = positional(args);
        // `Index(None, ...)`: named by the naming convention (empty until then).
        let name = match parts.next() {
            Some(first) if matches!(&first.kind, ExprKind::Name(n) if n == "None") => String::new(),
            Some(first) if first.as_str().is_some() => {
                first.as_str().unwrap_or_default().to_string()
            }
            _ => {
                self.error(item.pos, "an Index needs a name string (or None) first");
                return;
            }
        };
        let mut elements = Vec::new();
        for part in parts {
            match self.index_element(part, columns) {
                Ok(element) => elements.push(element),
                Err(message) => {
                    self.error(part.pos, format!("Index '{name}': {message}"));
                    return;
                }
            }
        }
        if elements.is_empty() {
            self.error(
                item.pos,
                format!("Index '{name}' needs at least one column"),
            );
            return;
        }
        let mut where_sql = None;
        let mut options = IndexOptions::default();
        let names = |e: &Expr| -> Vec<String> {
            match &e.kind {
                ExprKind::List(items) | ExprKind::Tuple(items) => items
                    .iter()
                    .filter_map(|i| {
                        i.as_str()
                            .map(str::to_string)
                            .or_else(|| i.last_name().map(str::to_string))
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        let pairs = |e: &Expr| -> Vec<(String, String)> {
            match &e.kind {
                ExprKind::Dict(pairs) => pairs
                    .iter()
                    .filter_map(|(k, v)| {
                        let key = k.as_ref()?.as_str()?.to_string();
                        let value = match &v.kind {
                            ExprKind::Str(s) => s.clone(),
                            ExprKind::Num(n) => n.clone(),
                            ExprKind::Name(n) => n.clone(),
                            _ => return None,
                        };
                        Some((key, value))
                    })
                    .collect(),
                _ => Vec::new(),
            }
        };
        for arg in args {
            match arg.name.as_deref() {
                None | Some("unique") => {}
                Some("postgresql_using") => options.method = arg.value.as_str().map(str::to_string),
                Some("postgresql_include") => options.include = names(&arg.value),
                Some("postgresql_with") => options.with = pairs(&arg.value),
                Some("postgresql_ops") => options.ops = pairs(&arg.value),
                Some("postgresql_nulls_not_distinct") => {
                    options.nulls_not_distinct = self.flag(&arg.value)
                }
                Some("postgresql_where") => match self.condition_sql(&arg.value, columns) {
                    Ok(sql) => where_sql = Some(sql),
                    Err(message) => {
                        self.error(arg.value.pos, format!("Index '{name}': {message}"));
                        return;
                    }
                },
                Some(other) => self.warn(
                    arg.value.pos,
                    format!(
                        "Index option {other}= is not emulated; the index is created without it"
                    ),
                ),
            }
        }
        extras.indexes.push(Index {
            name,
            elements,
            unique: kwarg(args, "unique").is_some_and(|u| self.flag(u)),
            where_sql,
            options,
        });
    }

    /// One element of an Index: a column (string, class-body variable, `Class.attr`,
    /// `table.c.col`), or an expression as SQLAlchemy compiles it in CREATE INDEX
    /// (no table names, literals inline): `func.lower(email)`, `text('...')`,
    /// `email.desc()`.
    fn index_element(
        &mut self,
        expr: &Expr,
        columns: &[ColumnSpec],
    ) -> Result<IndexElement, String> {
        match &expr.kind {
            ExprKind::Str(_) | ExprKind::Name(_) | ExprKind::Attr(..) => self
                .column_ref(expr, columns)
                .map(IndexElement::Column)
                .ok_or_else(|| "not a column of this table".to_string()),
            _ => self
                .sql_expression(expr, columns)
                .map(IndexElement::Expression),
        }
    }

    /// A condition as SQL, as SQLAlchemy compiles `postgresql_where`: `text('...')`
    /// verbatim, `col.is_(None)`, `col.is_not(None)`, comparisons with literals,
    /// `and_(...)`, `or_(...)`.
    fn condition_sql(&mut self, expr: &Expr, columns: &[ColumnSpec]) -> Result<String, String> {
        if let Some((callee @ ("and_" | "or_"), args)) = expr.as_call() {
            let joiner = if callee == "and_" { " AND " } else { " OR " };
            let parts: Vec<String> = positional(args)
                .map(|a| self.condition_sql(a, columns))
                .collect::<Result<_, _>>()?;
            return Ok(parts.join(joiner));
        }
        if let ExprKind::BinOp(left, op, right) = &expr.kind {
            let op = match op.as_str() {
                "==" => "=",
                "!=" => "!=",
                o @ ("<" | ">" | "<=" | ">=") => o,
                other => return Err(format!("the operator {other} is not supported here")),
            };
            let left = self.sql_expression(left, columns)?;
            return match literal(right) {
                Some(Literal::None) if op == "=" => Ok(format!("{left} IS NULL")),
                Some(Literal::None) => Ok(format!("{left} IS NOT NULL")),
                Some(value) => Ok(format!("{left} {op} {}", literal_sql(&value))),
                None => Ok(format!(
                    "{left} {op} {}",
                    self.sql_expression(right, columns)?
                )),
            };
        }
        self.sql_expression(expr, columns)
    }

    /// A value expression as SQL: a column, a literal, `text('...')`, `func.f(...)`,
    /// `col.is_(None)` / `col.is_not(None)`, `col.desc()` / `col.asc()`.
    fn sql_expression(&mut self, expr: &Expr, columns: &[ColumnSpec]) -> Result<String, String> {
        if let Some(value) = literal(expr) {
            return Ok(literal_sql(&value));
        }
        let ExprKind::Call(func, args) = &expr.kind else {
            return self
                .column_ref(expr, columns)
                .ok_or_else(|| "not a column of this table".to_string());
        };
        let dotted = func.dotted().unwrap_or_default();
        if dotted == "text" || dotted.ends_with(".text") {
            return positional(args)
                .next()
                .and_then(Expr::as_str)
                .map(str::to_string)
                .ok_or_else(|| "text() needs a string".to_string());
        }
        if let Some(name) = dotted
            .strip_prefix("func.")
            .or_else(|| dotted.split_once(".func.").map(|(_, n)| n))
        {
            let args: Vec<String> = positional(args)
                .map(|a| self.sql_expression(a, columns))
                .collect::<Result<_, _>>()?;
            return Ok(format!("{name}({})", args.join(", ")));
        }
        if let ExprKind::Attr(target, method) = &func.kind {
            let none_argument = || {
                matches!(
                    positional(args).next().and_then(literal),
                    Some(Literal::None)
                )
            };
            match method.as_str() {
                "is_" if none_argument() => {
                    return Ok(format!("{} IS NULL", self.sql_expression(target, columns)?))
                }
                "is_not" | "isnot" if none_argument() => {
                    return Ok(format!(
                        "{} IS NOT NULL",
                        self.sql_expression(target, columns)?
                    ))
                }
                "in_" | "notin_" | "not_in" => {
                    let list = positional(args).next().ok_or("in_ needs a list")?;
                    let values: Vec<String> =
                        self.literal_list(list)?.iter().map(literal_sql).collect();
                    let column = self.sql_expression(target, columns)?;
                    // SQLAlchemy parenthesises the negated form.
                    return Ok(if method == "in_" {
                        format!("{column} IN ({})", values.join(", "))
                    } else {
                        format!("({column} NOT IN ({}))", values.join(", "))
                    });
                }
                "desc" | "asc" if args.is_empty() => {
                    return Ok(format!(
                        "{} {}",
                        self.sql_expression(target, columns)?,
                        method.to_uppercase()
                    ))
                }
                _ => {}
            }
        }
        Err(format!(
            "{dotted}(...) is not supported here (use text('...') for other SQL)"
        ))
    }

    /// A column named by string (key or name), by the class-body variable, or as
    /// `Class.attr` / `table.c.col` (resolved against this table's columns).
    fn column_ref(&mut self, expr: &Expr, columns: &[ColumnSpec]) -> Option<String> {
        let wanted = match &expr.kind {
            ExprKind::Str(s) => s.as_str(),
            ExprKind::Name(n) => n.as_str(),
            ExprKind::Attr(_, attr) => attr.as_str(),
            _ => return None,
        };
        let found = columns
            .iter()
            .find(|c| c.column.attribute == wanted)
            .or_else(|| columns.iter().find(|c| c.column.name == wanted))
            .map(|c| c.column.name.clone());
        if found.is_none() {
            self.error(expr.pos, format!("no column '{wanted}' in this table"));
        }
        found
    }

    /// A CHECK condition as SQL: a string (verbatim), `col.in_([...])`, comparisons
    /// of a column with a literal, `col.between(a, b)`.
    fn check_sql(&mut self, expr: &Expr, columns: &[ColumnSpec]) -> Result<String, String> {
        match &expr.kind {
            ExprKind::Str(s) => Ok(s.clone()),
            ExprKind::Call(func, args) => {
                let ExprKind::Attr(column, method) = &func.kind else {
                    return Err(
                        "only column methods (in_, between) are supported in CheckConstraint"
                            .into(),
                    );
                };
                let column = self
                    .column_ref(column, columns)
                    .ok_or("the left side must be a column")?;
                let values: Vec<Literal> = match method.as_str() {
                    "in_" | "not_in" | "notin_" => {
                        let list = positional(args).next().ok_or("in_ needs a list")?;
                        self.literal_list(list)?
                    }
                    "between" => positional(args)
                        .map(|a| literal(a).ok_or("between needs literals"))
                        .collect::<Result<_, _>>()?,
                    other => return Err(format!("{other}() is not supported in CheckConstraint")),
                };
                let rendered: Vec<String> = values.iter().map(literal_sql).collect();
                Ok(match method.as_str() {
                    "in_" => format!("{column} IN ({})", rendered.join(", ")),
                    "between" if rendered.len() == 2 => {
                        format!("{column} BETWEEN {} AND {}", rendered[0], rendered[1])
                    }
                    "between" => return Err("between needs two values".into()),
                    _ => format!("({column} NOT IN ({}))", rendered.join(", ")),
                })
            }
            ExprKind::BinOp(left, op, right)
                if matches!(op.as_str(), "<" | ">" | "<=" | ">=" | "==" | "!=") =>
            {
                let column = self
                    .column_ref(left, columns)
                    .ok_or("the left side must be a column")?;
                let value = literal(right).ok_or("the right side must be a literal")?;
                let op = match op.as_str() {
                    "==" => "=",
                    other => other,
                };
                Ok(format!("{column} {op} {}", literal_sql(&value)))
            }
            _ => Err("this CheckConstraint condition is not supported (use a SQL string)".into()),
        }
    }

    /// `['a', 'b']` or `[s.value for s in SomeEnum]` (also `.name`).
    fn literal_list(&self, list: &Expr) -> Result<Vec<Literal>, String> {
        match &list.kind {
            ExprKind::List(items) | ExprKind::Tuple(items) => items
                .iter()
                .map(|i| {
                    literal(i)
                        .or_else(|| enum_member_literal(i, &self.enums))
                        .ok_or("in_ needs literal values".to_string())
                })
                .collect(),
            ExprKind::Comprehension {
                element,
                target,
                iter,
            } => {
                let def = iter
                    .last_name()
                    .and_then(|n| self.enums.iter().find(|e| e.name == n))
                    .ok_or("the comprehension must iterate over an Enum of this file")?;
                let ExprKind::Attr(var, which) = &element.kind else {
                    return Err("expected s.value or s.name".into());
                };
                if var.last_name() != target.last_name() {
                    return Err("expected s.value or s.name".into());
                }
                match which.as_str() {
                    "value" => Ok(def.members.iter().map(|(_, v)| v.clone()).collect()),
                    "name" => Ok(def
                        .members
                        .iter()
                        .map(|(n, _)| Literal::Str(n.clone()))
                        .collect()),
                    _ => Err("expected s.value or s.name".into()),
                }
            }
            _ => Err("in_ needs a list".into()),
        }
    }
}
