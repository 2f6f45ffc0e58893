//! An EXPLAIN-like text of the plan a statement ran with, PostgreSQL style:
//!
//! ```text
//! Limit (20)
//!   -> Project (id, title)
//!     -> Index Range using posts_created_at_idx on posts (created_at < 5000, backward)
//! ```

use super::index::value_sql;
use super::probe::{AccessMethod, TableAccess};
use super::sqlstate::SqlState;
use super::storage::State;
use super::EngineError;
use gluesql::core::ast::{IndexOperator, ToSql};
use gluesql::core::plan::{
    AggregationInputPlan, DistinctInputPlan, ExprPlan, FilterInputPlan, HashJoinInputPlan,
    HashJoinPlan, InnerJoinInputPlan, InnerJoinPlan, JoinConditionInputPlan,
    LeftOuterJoinInputPlan, LeftOuterJoinPlan, LimitInputPlan, NestedLoopJoinInputPlan,
    NestedLoopJoinPlan, OffsetInputPlan, OrderByExprPlan, ProjectInputPlan, ProjectPlan,
    ProjectionPlan, QueryPlan, SelectItemPlan, SourcePlan, StatementPlan, TableAccessPlan,
};

/// The plan text of a statement, or None for statements without a plan worth showing
/// (DDL, SHOW, transaction control).
pub fn explain(statement: &StatementPlan) -> Option<String> {
    let mut out = Lines::default();
    match statement {
        StatementPlan::Query(query) => out.query(query, 0),
        StatementPlan::Insert {
            table_name, source, ..
        } => {
            out.line(0, format!("Insert on {table_name}"));
            out.query(source, 1);
        }
        StatementPlan::Update {
            table_name,
            selection,
            ..
        } => {
            out.line(0, format!("Update on {table_name}"));
            out.scan_with_filter(table_name, selection.as_ref(), 1);
        }
        StatementPlan::Delete {
            table_name,
            selection,
        } => {
            out.line(0, format!("Delete on {table_name}"));
            out.scan_with_filter(table_name, selection.as_ref(), 1);
        }
        _ => return None,
    }
    Some(out.0.join("\n"))
}

#[derive(Default)]
struct Lines(Vec<String>);

impl Lines {
    fn line(&mut self, depth: usize, text: String) {
        if depth == 0 {
            self.0.push(text);
        } else {
            self.0.push(format!("{}-> {text}", "  ".repeat(depth)));
        }
    }

    fn scan_with_filter(&mut self, table: &str, filter: Option<&ExprPlan>, depth: usize) {
        let depth = match filter {
            Some(expr) => {
                self.line(depth, format!("Filter ({})", expr_text(expr)));
                depth + 1
            }
            None => depth,
        };
        self.line(depth, format!("Seq Scan on {table}"));
    }

    fn query(&mut self, query: &QueryPlan, depth: usize) {
        match query {
            QueryPlan::Project(project) => self.project(project, depth),
            QueryPlan::Values(values) => {
                self.line(depth, format!("Values ({} rows)", values.0.len()))
            }
            QueryPlan::SelectOrderBy(order_by) => {
                self.line(depth, format!("Sort ({})", order_text(&order_by.exprs)));
                self.project(&order_by.input, depth + 1);
            }
            QueryPlan::ValuesOrderBy(values) => {
                self.line(depth, format!("Sort ({})", order_text(&values.exprs)));
                self.line(depth + 1, format!("Values ({} rows)", values.input.0.len()));
            }
            QueryPlan::Distinct(distinct) => {
                self.line(depth, "Unique".to_string());
                self.distinct_input(&distinct.input, depth + 1);
            }
            QueryPlan::Offset(offset) => {
                self.line(depth, format!("Offset ({})", expr_text(&offset.count)));
                self.offset_input(&offset.input, depth + 1);
            }
            QueryPlan::Limit(limit) => {
                self.line(depth, format!("Limit ({})", expr_text(&limit.count)));
                match &limit.input {
                    LimitInputPlan::Project(project) => self.project(project, depth + 1),
                    LimitInputPlan::Values(values) => {
                        self.line(depth + 1, format!("Values ({} rows)", values.0.len()))
                    }
                    LimitInputPlan::SelectOrderBy(order_by) => {
                        self.line(depth + 1, format!("Sort ({})", order_text(&order_by.exprs)));
                        self.project(&order_by.input, depth + 2);
                    }
                    LimitInputPlan::ValuesOrderBy(values) => {
                        self.line(depth + 1, format!("Sort ({})", order_text(&values.exprs)));
                    }
                    LimitInputPlan::Distinct(distinct) => {
                        self.line(depth + 1, "Unique".to_string());
                        self.distinct_input(&distinct.input, depth + 2);
                    }
                    LimitInputPlan::Offset(offset) => {
                        self.line(depth + 1, format!("Offset ({})", expr_text(&offset.count)));
                        self.offset_input(&offset.input, depth + 2);
                    }
                }
            }
        }
    }

    fn offset_input(&mut self, input: &OffsetInputPlan, depth: usize) {
        match input {
            OffsetInputPlan::Project(project) => self.project(project, depth),
            OffsetInputPlan::Values(values) => {
                self.line(depth, format!("Values ({} rows)", values.0.len()))
            }
            OffsetInputPlan::SelectOrderBy(order_by) => {
                self.line(depth, format!("Sort ({})", order_text(&order_by.exprs)));
                self.project(&order_by.input, depth + 1);
            }
            OffsetInputPlan::ValuesOrderBy(values) => {
                self.line(depth, format!("Sort ({})", order_text(&values.exprs)));
            }
            OffsetInputPlan::Distinct(distinct) => {
                self.line(depth, "Unique".to_string());
                self.distinct_input(&distinct.input, depth + 1);
            }
        }
    }

    fn distinct_input(&mut self, input: &DistinctInputPlan, depth: usize) {
        match input {
            DistinctInputPlan::Project(project) => self.project(project, depth),
            DistinctInputPlan::SelectOrderBy(order_by) => {
                self.line(depth, format!("Sort ({})", order_text(&order_by.exprs)));
                self.project(&order_by.input, depth + 1);
            }
        }
    }

    fn project(&mut self, project: &ProjectPlan, depth: usize) {
        let columns = match &project.projection {
            ProjectionPlan::SchemalessMap => "*".to_string(),
            ProjectionPlan::SelectItems(items) => items
                .iter()
                .map(|item| match item {
                    SelectItemPlan::Expr { label, .. } => label.clone(),
                    SelectItemPlan::QualifiedWildcard(alias) => format!("{alias}.*"),
                    SelectItemPlan::Wildcard => "*".to_string(),
                })
                .collect::<Vec<_>>()
                .join(", "),
        };
        self.line(depth, format!("Project ({columns})"));
        let depth = depth + 1;
        match &project.input {
            ProjectInputPlan::Source(source) => self.source(source, depth),
            ProjectInputPlan::InnerJoin(join) => self.inner_join(join, depth),
            ProjectInputPlan::LeftOuterJoin(join) => self.left_join(join, depth),
            ProjectInputPlan::Filter(filter) => {
                self.line(depth, format!("Filter ({})", expr_text(&filter.expr)));
                self.filter_input(&filter.input, depth + 1);
            }
            ProjectInputPlan::Aggregation(aggregation) => {
                self.line(depth, aggregate_text(&aggregation.group_by));
                self.aggregation_input(&aggregation.input, depth + 1);
            }
            ProjectInputPlan::Having(having) => {
                self.line(depth, format!("Having ({})", expr_text(&having.expr)));
                self.line(depth + 1, aggregate_text(&having.input.group_by));
                self.aggregation_input(&having.input.input, depth + 2);
            }
        }
    }

    fn aggregation_input(&mut self, input: &AggregationInputPlan, depth: usize) {
        match input {
            AggregationInputPlan::Source(source) => self.source(source, depth),
            AggregationInputPlan::InnerJoin(join) => self.inner_join(join, depth),
            AggregationInputPlan::LeftOuterJoin(join) => self.left_join(join, depth),
            AggregationInputPlan::Filter(filter) => {
                self.line(depth, format!("Filter ({})", expr_text(&filter.expr)));
                self.filter_input(&filter.input, depth + 1);
            }
        }
    }

    fn filter_input(&mut self, input: &FilterInputPlan, depth: usize) {
        match input {
            FilterInputPlan::Source(source) => self.source(source, depth),
            FilterInputPlan::InnerJoin(join) => self.inner_join(join, depth),
            FilterInputPlan::LeftOuterJoin(join) => self.left_join(join, depth),
        }
    }

    fn inner_join(&mut self, join: &InnerJoinPlan, depth: usize) {
        match &join.input {
            InnerJoinInputPlan::NestedLoop(nested) => {
                self.nested_loop("Nested Loop", nested, None, depth)
            }
            InnerJoinInputPlan::Hash(hash) => self.hash_join("Hash Join", hash, depth),
            InnerJoinInputPlan::Condition(condition) => match &condition.input {
                JoinConditionInputPlan::NestedLoop(nested) => {
                    self.nested_loop("Nested Loop", nested, Some(&condition.expr), depth)
                }
                JoinConditionInputPlan::Hash(hash) => self.hash_join("Hash Join", hash, depth),
            },
        }
    }

    fn left_join(&mut self, join: &LeftOuterJoinPlan, depth: usize) {
        match &join.input {
            LeftOuterJoinInputPlan::NestedLoop(nested) => {
                self.nested_loop("Nested Loop Left Join", nested, None, depth)
            }
            LeftOuterJoinInputPlan::Hash(hash) => self.hash_join("Hash Left Join", hash, depth),
            LeftOuterJoinInputPlan::Condition(condition) => match &condition.input {
                JoinConditionInputPlan::NestedLoop(nested) => self.nested_loop(
                    "Nested Loop Left Join",
                    nested,
                    Some(&condition.expr),
                    depth,
                ),
                JoinConditionInputPlan::Hash(hash) => self.hash_join("Hash Left Join", hash, depth),
            },
        }
    }

    fn nested_loop(
        &mut self,
        label: &str,
        join: &NestedLoopJoinPlan,
        on: Option<&ExprPlan>,
        depth: usize,
    ) {
        match on {
            Some(expr) => self.line(depth, format!("{label} (on {})", expr_text(expr))),
            None => self.line(depth, label.to_string()),
        }
        match &join.input {
            NestedLoopJoinInputPlan::Source(source) => self.source(source, depth + 1),
            NestedLoopJoinInputPlan::InnerJoin(inner) => self.inner_join(inner, depth + 1),
            NestedLoopJoinInputPlan::LeftOuterJoin(left) => self.left_join(left, depth + 1),
        }
        self.source(&join.right, depth + 1);
    }

    fn hash_join(&mut self, label: &str, join: &HashJoinPlan, depth: usize) {
        self.line(
            depth,
            format!(
                "{label} ({} = {})",
                expr_text(&join.input_key),
                expr_text(&join.right_key)
            ),
        );
        match &join.input {
            HashJoinInputPlan::Source(source) => self.source(source, depth + 1),
            HashJoinInputPlan::InnerJoin(inner) => self.inner_join(inner, depth + 1),
            HashJoinInputPlan::LeftOuterJoin(left) => self.left_join(left, depth + 1),
        }
        self.line(depth + 1, "Hash".to_string());
        match &join.right_filter {
            Some(filter) => {
                self.line(depth + 2, format!("Filter ({})", expr_text(filter)));
                self.source(&join.right, depth + 3);
            }
            None => self.source(&join.right, depth + 2),
        }
    }

    fn source(&mut self, source: &SourcePlan, depth: usize) {
        match source {
            SourcePlan::Table(table) => {
                let alias = match &table.alias {
                    Some(alias) if alias.name != table.name => format!(" {}", alias.name),
                    _ => String::new(),
                };
                let name = &table.name;
                let text = match &table.access {
                    TableAccessPlan::FullScan => format!("Seq Scan on {name}{alias}"),
                    TableAccessPlan::PrimaryKey { expr } => format!(
                        "Primary Key Lookup on {name}{alias} (key = {})",
                        expr_text(expr)
                    ),
                    TableAccessPlan::Index {
                        name: index,
                        asc,
                        predicate,
                    } => {
                        let backward = if *asc == Some(false) {
                            ", backward"
                        } else {
                            ""
                        };
                        match predicate {
                            None => format!(
                                "Index Scan using {index} on {name}{alias} (full index{backward})"
                            ),
                            Some(predicate) => {
                                let kind = if predicate.operator == IndexOperator::Eq {
                                    "Index Seek"
                                } else {
                                    "Index Range"
                                };
                                let op = match predicate.operator {
                                    IndexOperator::Eq => "=",
                                    IndexOperator::Lt => "<",
                                    IndexOperator::LtEq => "<=",
                                    IndexOperator::Gt => ">",
                                    IndexOperator::GtEq => ">=",
                                };
                                format!(
                                    "{kind} using {index} on {name}{alias} (key {op} {}{backward})",
                                    expr_text(&predicate.expr)
                                )
                            }
                        }
                    }
                };
                self.line(depth, text);
            }
            SourcePlan::Derived(derived) => {
                self.line(depth, format!("Subquery Scan on {}", derived.alias.name));
                self.query(&derived.query, depth + 1);
            }
            SourcePlan::Series(series) => {
                self.line(depth, format!("Series ({})", expr_text(&series.size)))
            }
            SourcePlan::Dictionary(dictionary) => {
                self.line(depth, format!("Catalog Scan on {}", dictionary.alias.name))
            }
        }
    }
}

fn aggregate_text(group_by: &[ExprPlan]) -> String {
    if group_by.is_empty() {
        "Aggregate".to_string()
    } else {
        let keys: Vec<String> = group_by.iter().map(expr_text).collect();
        format!("Group By ({})", keys.join(", "))
    }
}

fn order_text(exprs: &[OrderByExprPlan]) -> String {
    exprs
        .iter()
        .map(|e| match e.asc {
            Some(false) => format!("{} DESC", expr_text(&e.expr)),
            _ => expr_text(&e.expr),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// SQL-like text of an expression; rare forms are abbreviated to their name.
pub(crate) fn expr_text(expr: &ExprPlan) -> String {
    match expr {
        ExprPlan::Identifier(name) => name.clone(),
        ExprPlan::CompoundIdentifier { alias, ident } => format!("{alias}.{ident}"),
        ExprPlan::IsNull(e) => format!("{} IS NULL", expr_text(e)),
        ExprPlan::IsNotNull(e) => format!("{} IS NOT NULL", expr_text(e)),
        ExprPlan::InList {
            expr,
            list,
            negated,
        } => format!(
            "{} {}IN ({})",
            expr_text(expr),
            if *negated { "NOT " } else { "" },
            list.iter().map(expr_text).collect::<Vec<_>>().join(", ")
        ),
        ExprPlan::InSubquery { expr, negated, .. } => format!(
            "{} {}IN (subquery)",
            expr_text(expr),
            if *negated { "NOT " } else { "" }
        ),
        ExprPlan::Between {
            expr,
            negated,
            low,
            high,
        } => format!(
            "{} {}BETWEEN {} AND {}",
            expr_text(expr),
            if *negated { "NOT " } else { "" },
            expr_text(low),
            expr_text(high)
        ),
        ExprPlan::Like {
            expr,
            negated,
            pattern,
        } => format!(
            "{} {}LIKE {}",
            expr_text(expr),
            if *negated { "NOT " } else { "" },
            expr_text(pattern)
        ),
        ExprPlan::ILike {
            expr,
            negated,
            pattern,
        } => format!(
            "{} {}ILIKE {}",
            expr_text(expr),
            if *negated { "NOT " } else { "" },
            expr_text(pattern)
        ),
        ExprPlan::BinaryOp { left, op, right } => {
            format!("{} {} {}", expr_text(left), op.to_sql(), expr_text(right))
        }
        ExprPlan::UnaryOp { op, expr } => format!("{}{}", op.to_sql(), expr_text(expr)),
        ExprPlan::Nested(e) => format!("({})", expr_text(e)),
        ExprPlan::Literal(literal) => literal.to_sql(),
        ExprPlan::Value(value) => value_sql(value),
        ExprPlan::TypedString { data_type, value } => format!("{data_type} '{value}'"),
        ExprPlan::Exists { negated, .. } => {
            format!("{}EXISTS (subquery)", if *negated { "NOT " } else { "" })
        }
        ExprPlan::Subquery(_) => "(subquery)".to_string(),
        ExprPlan::Function(function) => format!("{}(...)", variant_name(function.as_ref())),
        ExprPlan::Aggregate(aggregate) => format!("{}(...)", variant_name(&aggregate.func)),
        other => format!("{}(...)", variant_name(other)),
    }
}

/// The variant name from a Debug text, upper-cased: `Lower(..)` -> `LOWER`.
fn variant_name(value: &impl std::fmt::Debug) -> String {
    let debug = format!("{value:?}");
    debug
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .next()
        .unwrap_or("")
        .to_ascii_uppercase()
}

/// `EXPLAIN [ANALYZE] [VERBOSE] statement` or `EXPLAIN (option [value], ...) statement`.
#[derive(Debug, PartialEq)]
pub(crate) struct ExplainRequest<'a> {
    /// Run the statement for real (a write stays written) and show what it read.
    pub analyze: bool,
    /// Print the execution time after the plan (ANALYZE's default; `SUMMARY OFF`).
    pub summary: Option<bool>,
    pub statement: &'a str,
}

/// Reads an EXPLAIN's options: None when `sql` is not an EXPLAIN; PostgreSQL's errors for
/// options it does not know, a refusal for the output formats the console cannot show.
pub(crate) fn explain_request(sql: &str) -> Result<Option<ExplainRequest<'_>>, EngineError> {
    let rest = sql.trim_start();
    let Some(head) = rest.get(..7).filter(|h| h.eq_ignore_ascii_case("explain")) else {
        return Ok(None);
    };
    let _ = head;
    let mut rest = &rest[7..];
    if !rest.starts_with(|c: char| c.is_whitespace() || c == '(') {
        return Ok(None);
    }
    rest = rest.trim_start();
    let mut analyze = false;
    let mut summary = None;
    if let Some(inner) = rest.strip_prefix('(') {
        let Some(end) = inner.find(')') else {
            return Err(EngineError::coded(
                SqlState::SYNTAX_ERROR,
                "syntax error at end of input",
            ));
        };
        for option in inner[..end].split(',') {
            let mut words = option.split_whitespace();
            let name = words.next().unwrap_or("").to_ascii_lowercase();
            let value = words
                .next()
                .map(|v| v.trim_matches('\'').to_ascii_lowercase());
            let on = match value.as_deref() {
                None | Some("true" | "on" | "1") => true,
                Some("false" | "off" | "0") => false,
                Some(other) if name == "format" => {
                    if other != "text" {
                        return Err(EngineError::unsupported(format!(
                            "EXPLAIN (FORMAT {})",
                            other.to_ascii_uppercase()
                        )));
                    }
                    true
                }
                Some(_) => {
                    return Err(EngineError::coded(
                        SqlState::SYNTAX_ERROR,
                        format!("{name} requires a Boolean value"),
                    ))
                }
            };
            match name.as_str() {
                "analyze" => analyze = on,
                "summary" => summary = Some(on),
                "verbose" | "costs" | "settings" | "buffers" | "wal" | "timing" | "format" => {}
                "" => {
                    return Err(EngineError::coded(
                        SqlState::SYNTAX_ERROR,
                        "syntax error at or near \")\"",
                    ))
                }
                other => {
                    return Err(EngineError::coded(
                        SqlState::SYNTAX_ERROR,
                        format!("unrecognized EXPLAIN option \"{other}\""),
                    ))
                }
            }
        }
        rest = inner[end + 1..].trim_start();
    } else {
        for keyword in ["analyze", "verbose"] {
            if rest.len() > keyword.len()
                && rest[..keyword.len()].eq_ignore_ascii_case(keyword)
                && rest[keyword.len()..].starts_with(char::is_whitespace)
            {
                analyze |= keyword == "analyze";
                rest = rest[keyword.len()..].trim_start();
            }
        }
    }
    let first = rest
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(
        first.as_str(),
        "select" | "with" | "insert" | "update" | "delete" | "values" | "table"
    ) && !rest.starts_with('(')
    {
        return Err(EngineError::unsupported(format!(
            "EXPLAIN of {} statements (PostgreSQL explains SELECT, INSERT, UPDATE, DELETE and VALUES)",
            first.to_ascii_uppercase()
        )));
    }
    Ok(Some(ExplainRequest {
        analyze,
        summary,
        statement: rest,
    }))
}

/// One node of a plan in PostgreSQL's EXPLAIN shape.
struct PgNode {
    title: String,
    details: Vec<String>,
    children: Vec<PgNode>,
}

/// The plan the statement ran with (`plan`, the log's plan text), in the shape PostgreSQL's
/// EXPLAIN prints (`Index Scan using ix on t` with its `Index Cond:`, `Filter:` on the node
/// it filters, no Project nodes), each table read with the rows it read (`actual rows` per
/// loop under ANALYZE, as PostgreSQL counts them).
pub(crate) fn postgres_plan(
    plan: Option<&str>,
    accesses: &[TableAccess],
    state: &State,
    analyze: bool,
    summary: bool,
    result_rows: usize,
    elapsed_ms: f64,
) -> Vec<String> {
    let lines: Vec<(usize, &str)> = plan
        .unwrap_or("Result")
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            let depth = (line.len() - trimmed.len()) / 2;
            match trimmed.strip_prefix("-> ") {
                Some(label) => (depth, label),
                None => (0, trimmed),
            }
        })
        .collect();
    let mut at = 0;
    let mut roots = Vec::new();
    while at < lines.len() {
        roots.extend(convert(&lines, &mut at, accesses, state, analyze));
    }
    let mut out = Vec::new();
    for (i, root) in roots.iter_mut().enumerate() {
        if analyze && i == 0 && !root.title.contains("(actual") {
            root.title
                .push_str(&format!(" (actual rows={result_rows} loops=1)"));
        }
        render(root, 0, &mut out);
    }
    if summary {
        out.push(format!("Execution Time: {elapsed_ms:.3} ms"));
    }
    out
}

fn render(node: &PgNode, level: usize, out: &mut Vec<String>) {
    if level == 0 {
        out.push(node.title.clone());
    } else {
        out.push(format!("{}->  {}", " ".repeat(6 * level - 4), node.title));
    }
    for detail in &node.details {
        out.push(format!("{}{detail}", " ".repeat(6 * level + 2)));
    }
    for child in &node.children {
        render(child, level + 1, out);
    }
}

/// Converts the node at `lines[*at]` and its subtree; a node PostgreSQL does not show
/// (Project) gives its children instead, a Filter attaches to the node it filters.
fn convert(
    lines: &[(usize, &str)],
    at: &mut usize,
    accesses: &[TableAccess],
    state: &State,
    analyze: bool,
) -> Vec<PgNode> {
    let (depth, label) = lines[*at];
    *at += 1;
    let mut children = Vec::new();
    while *at < lines.len() && lines[*at].0 > depth {
        children.extend(convert(lines, at, accesses, state, analyze));
    }
    let inside = |prefix: &str| {
        label
            .strip_prefix(prefix)
            .and_then(|r| r.strip_prefix(" ("))
            .and_then(|r| r.strip_suffix(')'))
            .map(str::to_string)
    };
    let node = |title: &str, details: Vec<String>, children: Vec<PgNode>| PgNode {
        title: title.to_string(),
        details,
        children,
    };
    if label.starts_with("Project (") {
        return children;
    }
    if let Some(condition) = inside("Filter").or_else(|| inside("Having")) {
        if let Some(first) = children.first_mut() {
            // An index condition the engine also tests per row is shown once.
            if !first
                .details
                .contains(&format!("Index Cond: ({condition})"))
            {
                first.details.push(format!("Filter: ({condition})"));
            }
            return children;
        }
    }
    let converted = if inside("Limit").is_some() || inside("Offset").is_some() {
        node("Limit", Vec::new(), children)
    } else if let Some(keys) = inside("Sort") {
        node("Sort", vec![format!("Sort Key: {keys}")], children)
    } else if let Some(keys) = inside("Group By") {
        node(
            "HashAggregate",
            vec![format!("Group Key: {keys}")],
            children,
        )
    } else if let Some(on) = inside("Hash Join").or_else(|| inside("Hash Left Join")) {
        let title = label.split(" (").next().unwrap_or("Hash Join");
        node(title, vec![format!("Hash Cond: ({on})")], children)
    } else if let Some(on) = ["Nested Loop Left Join", "Nested Loop"]
        .iter()
        .find_map(|p| inside(p).map(|on| (*p, on)))
    {
        let condition = on.1.strip_prefix("on ").unwrap_or(&on.1).to_string();
        node(on.0, vec![format!("Join Filter: ({condition})")], children)
    } else if let Some(rows) = label
        .strip_prefix("Values (")
        .and_then(|r| r.strip_suffix(" rows)"))
    {
        let _ = rows;
        node("Values Scan on \"*VALUES*\"", Vec::new(), children)
    } else if label.starts_with("Series (") {
        node("Function Scan on generate_series", Vec::new(), children)
    } else if let Some(scan) = scan_node(label, accesses, state, analyze) {
        PgNode { children, ..scan }
    } else {
        node(label, Vec::new(), children)
    };
    vec![converted]
}

/// A table read: `Seq Scan on t`, `Index Scan [Backward] using ix on t` with its condition,
/// and the rows it read.
fn scan_node(
    label: &str,
    accesses: &[TableAccess],
    state: &State,
    analyze: bool,
) -> Option<PgNode> {
    let rows = |table: &str, matches: &dyn Fn(&AccessMethod) -> bool| {
        accesses
            .iter()
            .find(|a| a.table == table && matches(&a.method))
            .map(|a| {
                let per_loop = a.rows_examined / a.scans.max(1);
                if analyze {
                    format!(" (actual rows={per_loop} loops={})", a.scans)
                } else {
                    format!(" (rows={per_loop})")
                }
            })
            .unwrap_or_default()
    };
    // "t a (key = 3)" -> ("t", " a", Some("key = 3"))
    let split = |target: &str| -> (String, String, Option<String>) {
        let (names, condition) = match target.find(" (") {
            Some(i) => (
                &target[..i],
                target[i + 2..].strip_suffix(')').map(str::to_string),
            ),
            None => (target, None),
        };
        let mut parts = names.splitn(2, ' ');
        let table = parts.next().unwrap_or("").to_string();
        let alias = parts.next().map(|a| format!(" {a}")).unwrap_or_default();
        (table, alias, condition)
    };
    if let Some(target) = label.strip_prefix("Seq Scan on ") {
        let (table, alias, _) = split(target);
        // An UPDATE's or DELETE's plan says Seq Scan; the engine finds the rows through
        // the index the WHERE's plan picks, and its read says which.
        let found = accesses
            .iter()
            .filter(|a| a.table == table)
            .map(|a| &a.method)
            .collect::<Vec<_>>();
        if let [method] = found.as_slice() {
            let (using, condition) = match method {
                AccessMethod::PrimaryKeyLookup => (
                    state
                        .table(&table)
                        .and_then(|t| t.meta.primary_key.as_ref())
                        .map_or_else(|| format!("{table}_pkey"), |k| k.name.clone()),
                    None,
                ),
                AccessMethod::IndexSeek { index, condition }
                | AccessMethod::IndexRange {
                    index, condition, ..
                } => (index.clone(), Some(condition.clone())),
                AccessMethod::IndexScan { index, .. } => (index.clone(), None),
                _ => (String::new(), None),
            };
            if !using.is_empty() {
                let rows = rows(&table, &|m| m == *method);
                return Some(PgNode {
                    title: format!("Index Scan using {using} on {table}{alias}{rows}"),
                    details: condition
                        .map(|c| vec![format!("Index Cond: ({c})")])
                        .unwrap_or_default(),
                    children: Vec::new(),
                });
            }
        }
        let rows = rows(&table, &|m| {
            matches!(m, AccessMethod::FullScan | AccessMethod::RowCount { .. })
        });
        return Some(PgNode {
            title: format!("Seq Scan on {table}{alias}{rows}"),
            details: Vec::new(),
            children: Vec::new(),
        });
    }
    if let Some(target) = label.strip_prefix("Primary Key Lookup on ") {
        let (table, alias, condition) = split(target);
        let key = state.table(&table).and_then(|t| t.meta.primary_key.clone());
        let index = key
            .as_ref()
            .map_or_else(|| format!("{table}_pkey"), |k| k.name.clone());
        let column = key
            .as_ref()
            .map_or_else(|| "key".to_string(), |k| k.columns.join(", "));
        let condition = condition.unwrap_or_default().replacen("key", &column, 1);
        let rows = rows(&table, &|m| matches!(m, AccessMethod::PrimaryKeyLookup));
        return Some(PgNode {
            title: format!("Index Scan using {index} on {table}{alias}{rows}"),
            details: vec![format!("Index Cond: ({condition})")],
            children: Vec::new(),
        });
    }
    for kind in [
        "Index Seek using ",
        "Index Range using ",
        "Index Scan using ",
    ] {
        let Some(target) = label.strip_prefix(kind) else {
            continue;
        };
        let (index, target) = target.split_once(" on ")?;
        let (table, alias, condition) = split(target);
        let condition = condition.unwrap_or_default();
        let backward = condition.ends_with(", backward") || condition == "full index, backward";
        let condition = condition
            .trim_end_matches(", backward")
            .trim_end_matches("full index")
            .to_string();
        let expr = state
            .table(&table)
            .and_then(|t| t.indexes.iter().find(|i| i.name == index))
            .map(|i| i.expr_sql())
            .unwrap_or_else(|| "key".to_string());
        let direction = if backward { " Backward" } else { "" };
        let rows = rows(&table, &|m| m.index_name() == Some(index));
        let details = if condition.is_empty() {
            Vec::new()
        } else {
            vec![format!(
                "Index Cond: ({})",
                condition.replacen("key", &expr, 1)
            )]
        };
        return Some(PgNode {
            title: format!("Index Scan{direction} using {index} on {table}{alias}{rows}"),
            details,
            children: Vec::new(),
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::engine::Database;
    use gluesql::core::executor::Payload;

    fn plan(db: &mut Database, sql: &str) -> Vec<String> {
        match db.execute(sql).expect("EXPLAIN runs") {
            Payload::Select { labels, rows } => {
                assert_eq!(labels, ["QUERY PLAN"]);
                rows.into_iter().map(|r| String::from(&r[0])).collect()
            }
            other => panic!("not a plan: {other:?}"),
        }
    }

    fn posts() -> Database {
        let mut db = Database::new();
        for sql in [
            "CREATE TABLE posts (id SERIAL PRIMARY KEY, title TEXT, created_at INT)",
            "INSERT INTO posts (title, created_at) SELECT 'p', n FROM generate_series(1, 100) AS n",
            "CREATE INDEX ix_created ON posts (created_at)",
        ] {
            db.execute(sql).unwrap();
        }
        db
    }

    #[test]
    fn the_plan_is_the_engines_in_postgresql_shape_with_rows_read() {
        let mut db = posts();
        let lines = plan(
            &mut db,
            "EXPLAIN SELECT id FROM posts WHERE created_at < 50 ORDER BY created_at DESC LIMIT 5",
        );
        assert_eq!(
            lines,
            [
                "Limit",
                "  ->  Index Scan Backward using ix_created on posts (rows=5)",
                "        Index Cond: (created_at < 50)",
            ]
        );
        let lines = plan(
            &mut db,
            "EXPLAIN (ANALYZE, SUMMARY OFF) SELECT * FROM posts p JOIN posts q ON q.id = p.id WHERE p.id = 3",
        );
        assert_eq!(lines[0], "Hash Join (actual rows=1 loops=1)");
        assert!(lines
            .contains(&"        ->  Seq Scan on posts q (actual rows=100 loops=1)".to_string()));
    }

    #[test]
    fn explain_without_analyze_leaves_a_write_undone() {
        let mut db = posts();
        let lines = plan(&mut db, "EXPLAIN DELETE FROM posts WHERE created_at = 7");
        assert_eq!(lines[0], "Delete on posts");
        assert!(
            lines[1].contains("Index Scan using ix_created on posts"),
            "{lines:?}"
        );
        let count = |db: &mut Database| match db.execute("SELECT count(*) FROM posts").unwrap() {
            Payload::Select { rows, .. } => String::from(&rows[0][0]),
            _ => unreachable!(),
        };
        assert_eq!(count(&mut db), "100");
        let lines = plan(
            &mut db,
            "EXPLAIN ANALYZE DELETE FROM posts WHERE created_at = 7",
        );
        assert!(lines.last().unwrap().starts_with("Execution Time: "));
        assert_eq!(count(&mut db), "99");
    }
}
