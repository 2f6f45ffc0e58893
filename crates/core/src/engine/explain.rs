//! An EXPLAIN-like text of the plan a statement ran with, PostgreSQL style:
//!
//! ```text
//! Limit (20)
//!   -> Project (id, title)
//!     -> Index Range using posts_created_at_idx on posts (created_at < 5000, backward)
//! ```

use super::index::value_sql;
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
