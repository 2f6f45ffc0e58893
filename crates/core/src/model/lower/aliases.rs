//! Before lowering: names a learner gives SQLAlchemy's objects are resolved, so the
//! lowerer sees what SQLAlchemy sees.
//! - import renames (`from sqlalchemy import Enum as SAEnum`): `SAEnum(...)` is `Enum(...)`;
//! - module-level type variables (`order_status = Enum(OrderStatus, name='order_status')`,
//!   then `mapped_column(order_status)`): the variable, as a call argument, is its type.

use std::collections::HashMap;

use super::super::ast::{Expr, ExprKind, Stmt, StmtKind};
use super::values::type_object;

pub(super) fn resolve(module: &[Stmt]) -> Vec<Stmt> {
    let renames: HashMap<String, String> = module
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Import { aliases, .. } => Some(aliases.iter().cloned()),
            _ => None,
        })
        .flatten()
        // `import sqlalchemy as sa` changes nothing here: dotted names are read by their
        // last part.
        .filter(|(alias, original)| alias != original)
        .collect();
    let mut module = module.to_vec();
    if !renames.is_empty() {
        for stmt in &mut module {
            visit_stmt(stmt, &mut |e| {
                if let ExprKind::Name(n) = &mut e.kind {
                    if let Some(original) = renames.get(n.as_str()) {
                        *n = original.clone();
                    }
                }
            });
        }
    }
    let type_variables: HashMap<String, Expr> = module
        .iter()
        .filter_map(|s| match &s.kind {
            StmtKind::Assign { targets, value }
                if targets.len() == 1
                    && matches!(value.kind, ExprKind::Call(..))
                    && type_object(value, &[]).is_some() =>
            {
                match &targets[0].kind {
                    ExprKind::Name(n) => Some((n.clone(), value.clone())),
                    _ => None,
                }
            }
            _ => None,
        })
        .collect();
    if !type_variables.is_empty() {
        for stmt in &mut module {
            visit_stmt(stmt, &mut |e| {
                if let ExprKind::Call(_, args) = &mut e.kind {
                    for arg in args.iter_mut().filter(|a| a.name.is_none()) {
                        if let ExprKind::Name(n) = &arg.value.kind {
                            if let Some(value) = type_variables.get(n.as_str()) {
                                arg.value = value.clone();
                            }
                        }
                    }
                }
            });
        }
    }
    module
}

/// Calls `f` on every expression of `stmt`, outermost first (assignment targets too).
fn visit_stmt(stmt: &mut Stmt, f: &mut impl FnMut(&mut Expr)) {
    match &mut stmt.kind {
        StmtKind::ClassDef {
            bases,
            decorators,
            body,
            ..
        } => {
            bases.iter_mut().for_each(|a| visit_expr(&mut a.value, f));
            decorators.iter_mut().for_each(|d| visit_expr(d, f));
            body.iter_mut().for_each(|s| visit_stmt(s, f));
        }
        StmtKind::FunctionDef {
            decorators,
            returns,
            result,
            ..
        } => {
            decorators.iter_mut().for_each(|d| visit_expr(d, f));
            returns
                .iter_mut()
                .chain(result)
                .for_each(|e| visit_expr(e, f));
        }
        StmtKind::Assign { targets, value } => {
            targets.iter_mut().for_each(|t| visit_expr(t, f));
            visit_expr(value, f);
        }
        StmtKind::AnnAssign {
            target,
            annotation,
            value,
        } => {
            visit_expr(target, f);
            visit_expr(annotation, f);
            if let Some(v) = value {
                visit_expr(v, f);
            }
        }
        StmtKind::Expr(e) => visit_expr(e, f),
        StmtKind::Import { .. } | StmtKind::Pass | StmtKind::Other(_) => {}
    }
}

fn visit_expr(expr: &mut Expr, f: &mut impl FnMut(&mut Expr)) {
    f(expr);
    match &mut expr.kind {
        ExprKind::Attr(base, _) => visit_expr(base, f),
        ExprKind::Call(func, args) => {
            visit_expr(func, f);
            args.iter_mut().for_each(|a| visit_expr(&mut a.value, f));
        }
        ExprKind::Subscript(a, b) | ExprKind::BinOp(a, _, b) => {
            visit_expr(a, f);
            visit_expr(b, f);
        }
        ExprKind::Unary(_, e) | ExprKind::Lambda(e) => visit_expr(e, f),
        ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Set(items) => {
            items.iter_mut().for_each(|i| visit_expr(i, f));
        }
        ExprKind::Dict(pairs) => {
            for (k, v) in pairs {
                if let Some(k) = k {
                    visit_expr(k, f);
                }
                visit_expr(v, f);
            }
        }
        ExprKind::Comprehension {
            element,
            target,
            iter,
        } => {
            visit_expr(element, f);
            visit_expr(target, f);
            visit_expr(iter, f);
        }
        ExprKind::Name(_) | ExprKind::Str(_) | ExprKind::Num(_) | ExprKind::Opaque => {}
    }
}
