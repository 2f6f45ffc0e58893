//! Syntax tree of the Python subset: enough structure to read declarative models,
//! with character spans so anything we do not interpret is kept as its source text.

use super::diagnostics::Pos;

#[derive(Clone, Debug, PartialEq)]
pub struct Expr {
    pub kind: ExprKind,
    pub pos: Pos,
    /// Character offsets into the source.
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExprKind {
    /// Identifiers, including True, False and None.
    Name(String),
    Str(String),
    Num(String),
    Attr(Box<Expr>, String),
    Call(Box<Expr>, Vec<Arg>),
    Subscript(Box<Expr>, Box<Expr>),
    /// Binary, comparison and boolean operators alike ("|", "in", "not in", "and", ...).
    BinOp(Box<Expr>, String, Box<Expr>),
    Unary(String, Box<Expr>),
    Tuple(Vec<Expr>),
    List(Vec<Expr>),
    Set(Vec<Expr>),
    Dict(Vec<(Option<Expr>, Expr)>),
    Lambda(Box<Expr>),
    /// `[element for target in iter if ...]`; only the first `for` clause is kept.
    Comprehension {
        element: Box<Expr>,
        target: Box<Expr>,
        iter: Box<Expr>,
    },
    /// Anything else that parses but carries no meaning for models (ternaries, slices,
    /// starred expressions, await, yield, `...`).
    Opaque,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Arg {
    /// The keyword of a keyword argument.
    pub name: Option<String>,
    pub value: Expr,
    /// `*args` (1) or `**kwargs` (2).
    pub star: u8,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stmt {
    pub kind: StmtKind,
    pub pos: Pos,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub enum StmtKind {
    /// `from m import a as b, c`: the renames, as (alias, original), and every name the
    /// statement binds (`b`, `c`; `import a.b` binds `a`). `star`: `from m import *`.
    Import {
        aliases: Vec<(String, String)>,
        names: Vec<String>,
        star: bool,
    },
    ClassDef {
        name: String,
        bases: Vec<Arg>,
        decorators: Vec<Expr>,
        body: Vec<Stmt>,
    },
    /// The body is skipped: methods and properties are kept, never executed. A
    /// `@declared_attr` function keeps its return annotation and the expression its body
    /// returns (`return mapped_column(...)`), which SQLAlchemy calls once per class.
    FunctionDef {
        name: String,
        decorators: Vec<Expr>,
        returns: Option<Expr>,
        result: Option<Expr>,
    },
    Assign {
        targets: Vec<Expr>,
        value: Expr,
    },
    AnnAssign {
        target: Expr,
        annotation: Expr,
        value: Option<Expr>,
    },
    Expr(Expr),
    Pass,
    /// A statement we skip (if/for/with/try/return/...), named by its first word.
    Other(String),
}

impl Expr {
    /// The dotted name of a Name/Attr chain (`sa.String` -> "sa.String").
    pub fn dotted(&self) -> Option<String> {
        match &self.kind {
            ExprKind::Name(n) => Some(n.clone()),
            ExprKind::Attr(base, attr) => base.dotted().map(|b| format!("{b}.{attr}")),
            _ => None,
        }
    }

    /// The last segment of a dotted name (`sa.String` -> "String").
    pub fn last_name(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Name(n) => Some(n),
            ExprKind::Attr(_, attr) => Some(attr),
            _ => None,
        }
    }

    /// The callee's last name and the arguments, if this is a call.
    pub fn as_call(&self) -> Option<(&str, &[Arg])> {
        match &self.kind {
            ExprKind::Call(func, args) => func.last_name().map(|n| (n, args.as_slice())),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.kind {
            ExprKind::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn source(&self, chars: &[char]) -> String {
        chars
            .get(self.start..self.end)
            .map(|s| s.iter().collect())
            .unwrap_or_default()
    }
}

/// The keyword argument `name` of a call.
pub fn kwarg<'a>(args: &'a [Arg], name: &str) -> Option<&'a Expr> {
    args.iter()
        .find(|a| a.name.as_deref() == Some(name))
        .map(|a| &a.value)
}

/// The positional arguments of a call, in order.
pub fn positional(args: &[Arg]) -> impl Iterator<Item = &Expr> {
    args.iter()
        .filter(|a| a.name.is_none() && a.star == 0)
        .map(|a| &a.value)
}
