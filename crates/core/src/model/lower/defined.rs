//! Names used before anything defines them: what Python stops on with a NameError when it
//! imports the models (`Strng(100)`, an `Index(...)` whose import was forgotten,
//! `Mapped[datetime]` without `from datetime import datetime`). Python runs a module top
//! to bottom and a class body as it is read, so a name must be imported, defined or
//! assigned above its use (in the class body, or at module level), or be a builtin.
//!
//! Not checked, because Python does not evaluate them when the module loads: function
//! bodies, lambda bodies, string annotations (`Mapped['Order']`), and every annotation
//! under `from __future__ import annotations`. Where the module hides definitions we do not
//! read (`from m import *`, or an `if`/`try`/`with` block at module level or in a class),
//! nothing is reported rather than a wrong error. A source with no import at all is read
//! as a snippet (the imports left out on purpose), and not checked either.

use std::collections::HashSet;

use super::super::ast::{Expr, ExprKind, Stmt, StmtKind};
use super::super::diagnostics::Pos;

/// Python's builtins a model file may use.
const BUILTINS: &[&str] = &[
    "None",
    "True",
    "False",
    "NotImplemented",
    "Ellipsis",
    "__name__",
    "__file__",
    "__doc__",
    "int",
    "str",
    "float",
    "bool",
    "bytes",
    "bytearray",
    "complex",
    "dict",
    "list",
    "set",
    "frozenset",
    "tuple",
    "object",
    "type",
    "len",
    "print",
    "super",
    "property",
    "staticmethod",
    "classmethod",
    "isinstance",
    "issubclass",
    "range",
    "enumerate",
    "zip",
    "map",
    "filter",
    "sorted",
    "reversed",
    "min",
    "max",
    "sum",
    "abs",
    "round",
    "any",
    "all",
    "getattr",
    "setattr",
    "hasattr",
    "delattr",
    "repr",
    "hash",
    "id",
    "iter",
    "next",
    "callable",
    "format",
    "divmod",
    "pow",
    "ord",
    "chr",
    "vars",
    "dir",
    "globals",
    "locals",
    "open",
    "slice",
    "memoryview",
    "Exception",
    "BaseException",
    "ValueError",
    "TypeError",
    "KeyError",
    "IndexError",
    "AttributeError",
    "RuntimeError",
    "NotImplementedError",
    "LookupError",
    "ArithmeticError",
    "ZeroDivisionError",
    "AssertionError",
    "ImportError",
    "StopIteration",
    "OSError",
];

/// Every name used before it is defined, with where (each name once).
pub(super) fn undefined_names(module: &[Stmt]) -> Vec<(String, Pos)> {
    let snippet = !module
        .iter()
        .any(|s| matches!(s.kind, StmtKind::Import { .. }));
    let hidden = snippet
        || module.iter().any(|s| match &s.kind {
            StmtKind::Import { star, .. } => *star,
            StmtKind::Other(word) => {
                matches!(word.as_str(), "if" | "try" | "with" | "for" | "while")
            }
            _ => false,
        });
    if hidden {
        return Vec::new();
    }
    let lazy_annotations = module.iter().any(|s| match &s.kind {
        StmtKind::Import { names, .. } => names.iter().any(|n| n == "annotations"),
        _ => false,
    });
    let mut check = Check {
        defined: BUILTINS.iter().map(|s| s.to_string()).collect(),
        lazy_annotations,
        found: Vec::new(),
    };
    check.block(module);
    check.found
}

struct Check {
    defined: HashSet<String>,
    lazy_annotations: bool,
    found: Vec<(String, Pos)>,
}

impl Check {
    fn block(&mut self, body: &[Stmt]) {
        for stmt in body {
            match &stmt.kind {
                StmtKind::Import { names, .. } => self.defined.extend(names.iter().cloned()),
                StmtKind::ClassDef {
                    name,
                    bases,
                    decorators,
                    body,
                } => {
                    for d in decorators {
                        self.expr(d);
                    }
                    for b in bases {
                        self.expr(&b.value);
                    }
                    // A class body sees the module's names and its own, as it goes; what
                    // it defines is not visible outside it.
                    let hides = body.iter().any(|s| {
                        matches!(&s.kind, StmtKind::Other(w) if matches!(w.as_str(), "if" | "try" | "with" | "for" | "while"))
                    });
                    if !hides {
                        let outer = self.defined.clone();
                        self.block(body);
                        self.defined = outer;
                    }
                    self.defined.insert(name.clone());
                }
                StmtKind::FunctionDef {
                    name, decorators, ..
                } => {
                    for d in decorators {
                        self.expr(d);
                    }
                    self.defined.insert(name.clone());
                }
                StmtKind::Assign { targets, value } => {
                    self.expr(value);
                    for t in targets {
                        self.bind(t);
                    }
                }
                StmtKind::AnnAssign {
                    target,
                    annotation,
                    value,
                } => {
                    if let Some(v) = value {
                        self.expr(v);
                    }
                    if !self.lazy_annotations {
                        self.expr(annotation);
                    }
                    self.bind(target);
                }
                StmtKind::Expr(e) => self.expr(e),
                StmtKind::Pass | StmtKind::Other(_) => {}
            }
        }
    }

    /// The names an assignment target binds (`a`, `a, b`); `obj.attr = ...` uses `obj`.
    fn bind(&mut self, target: &Expr) {
        match &target.kind {
            ExprKind::Name(n) => {
                self.defined.insert(n.clone());
            }
            ExprKind::Tuple(items) | ExprKind::List(items) => {
                for i in items {
                    self.bind(i);
                }
            }
            _ => self.expr(target),
        }
    }

    fn expr(&mut self, expr: &Expr) {
        match &expr.kind {
            ExprKind::Name(n) => {
                if !self.defined.contains(n) && !self.found.iter().any(|(f, _)| f == n) {
                    self.found.push((n.clone(), expr.pos));
                }
            }
            ExprKind::Attr(base, _) => self.expr(base),
            ExprKind::Call(func, args) => {
                self.expr(func);
                for a in args {
                    self.expr(&a.value);
                }
            }
            ExprKind::Subscript(a, b) | ExprKind::BinOp(a, _, b) => {
                self.expr(a);
                self.expr(b);
            }
            ExprKind::Unary(_, e) => self.expr(e),
            ExprKind::Tuple(items) | ExprKind::List(items) | ExprKind::Set(items) => {
                for i in items {
                    self.expr(i);
                }
            }
            ExprKind::Dict(pairs) => {
                for (k, v) in pairs {
                    if let Some(k) = k {
                        self.expr(k);
                    }
                    self.expr(v);
                }
            }
            // Evaluated when called, not when the module loads.
            ExprKind::Lambda(_) => {}
            // Its target is its own name; the iterable is evaluated here.
            ExprKind::Comprehension { iter, .. } => self.expr(iter),
            ExprKind::Str(_) | ExprKind::Num(_) | ExprKind::Opaque => {}
        }
    }
}
