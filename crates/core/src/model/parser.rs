//! Statement parser: turns tokens into [`Stmt`]s. A statement that does not parse
//! becomes a diagnostic and is skipped up to its NEWLINE, so one bad line never costs
//! the rest of the file. Function bodies and compound statements (if/for/with/try...)
//! are skipped as blocks: they are kept by name, never interpreted.

use super::ast::{Arg, Expr, Stmt, StmtKind};
use super::diagnostics::Diagnostic;
use super::lexer::{TokKind, Token};

/// Nesting deeper than this (brackets, unary chains, blocks) is refused with a
/// diagnostic: a recursive-descent parser must not overflow the stack on hostile input.
pub(super) const MAX_DEPTH: usize = 100;

pub(super) struct Parser<'a> {
    pub(super) tokens: &'a [Token],
    pub(super) i: usize,
    pub(super) depth: usize,
    pub(super) diagnostics: Vec<Diagnostic>,
}

/// A parse failure; the diagnostic is already recorded (or deliberately suppressed).
pub(super) struct Failed;

pub(super) type PResult<T> = Result<T, Failed>;

const COMPOUND: &[&str] = &[
    "if", "elif", "else", "for", "while", "with", "try", "except", "finally", "match",
];
const SIMPLE_KEYWORDS: &[&str] = &[
    "return", "raise", "del", "assert", "global", "nonlocal", "break", "continue", "yield",
];

pub fn parse_module(tokens: &[Token]) -> (Vec<Stmt>, Vec<Diagnostic>) {
    let mut parser = Parser {
        tokens,
        i: 0,
        depth: 0,
        diagnostics: Vec::new(),
    };
    let mut body = Vec::new();
    while !parser.at_eof() {
        if matches!(
            parser.peek().kind,
            TokKind::Indent | TokKind::Dedent | TokKind::Newline
        ) {
            if parser.peek().kind == TokKind::Indent {
                parser.error_here("unexpected indent");
                parser.skip_block_after_indent();
            } else {
                parser.i += 1;
            }
            continue;
        }
        parser.statement_into(&mut body);
    }
    (body, parser.diagnostics)
}

impl Parser<'_> {
    pub(super) fn peek(&self) -> &Token {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[self.i.min(last)]
    }

    pub(super) fn peek_at(&self, offset: usize) -> &Token {
        let last = self.tokens.len().saturating_sub(1);
        &self.tokens[(self.i + offset).min(last)]
    }

    pub(super) fn at_eof(&self) -> bool {
        self.tokens.is_empty() || self.peek().kind == TokKind::Eof
    }

    pub(super) fn advance(&mut self) -> Token {
        let tok = self.peek().clone();
        if !self.at_eof() {
            self.i += 1;
        }
        tok
    }

    pub(super) fn eat_op(&mut self, op: &str) -> bool {
        if self.peek().is_op(op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    pub(super) fn eat_name(&mut self, name: &str) -> bool {
        if self.peek().is_name(name) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    /// Records "expected X" at the current token, unless the lexer already reported why
    /// the statement was cut short.
    pub(super) fn expected<T>(&mut self, what: &str) -> PResult<T> {
        let tok = self.peek().clone();
        if !tok.synthetic {
            let found = describe(&tok.kind);
            self.diagnostics.push(Diagnostic::error(
                tok.pos,
                format!("expected {what}, found {found}"),
            ));
        }
        Err(Failed)
    }

    pub(super) fn expect_op(&mut self, op: &str) -> PResult<()> {
        if self.eat_op(op) {
            Ok(())
        } else {
            self.expected(&format!("'{op}'"))
        }
    }

    fn error_here(&mut self, message: &str) {
        let pos = self.peek().pos;
        self.diagnostics.push(Diagnostic::error(pos, message));
    }

    pub(super) fn prev_end(&self) -> usize {
        self.i
            .checked_sub(1)
            .and_then(|k| self.tokens.get(k))
            .map_or(0, |t| t.end)
    }

    /// Skips to just after the NEWLINE ending the current logical line.
    /// The rest of an import line (parenthesised lists included): each `a as b`.
    /// An import statement's renames (alias, original), the names it binds, and whether
    /// it is `from m import *`.
    fn import_statement(&mut self) -> (Vec<(String, String)>, Vec<String>, bool) {
        let mut tokens: Vec<TokKind> = Vec::new();
        let mut depth = 0i32;
        while !self.at_eof() {
            let kind = self.advance().kind;
            match kind {
                TokKind::Op("(") => depth += 1,
                TokKind::Op(")") => depth -= 1,
                TokKind::Newline if depth <= 0 => break,
                TokKind::Indent | TokKind::Dedent if depth <= 0 => {
                    self.i -= 1;
                    break;
                }
                _ => {}
            }
            tokens.push(kind);
        }
        let aliases = tokens
            .windows(3)
            .filter_map(|w| match w {
                [TokKind::Name(original), TokKind::Name(r#as), TokKind::Name(alias)]
                    if r#as == "as" =>
                {
                    Some((alias.clone(), original.clone()))
                }
                _ => None,
            })
            .collect();
        // The bound names: after `import`, each comma-separated item binds its alias, or
        // its name (`from` form) or its first dotted segment (`import a.b`).
        let from_form = matches!(tokens.first(), Some(TokKind::Name(w)) if w == "from");
        let list_at = tokens
            .iter()
            .position(|t| matches!(t, TokKind::Name(w) if w == "import"))
            .map_or(tokens.len(), |i| i + 1);
        let mut names = Vec::new();
        let mut star = false;
        for item in tokens[list_at..].split(|t| matches!(t, TokKind::Op(","))) {
            let words: Vec<&str> = item
                .iter()
                .filter_map(|t| match t {
                    TokKind::Name(w) => Some(w.as_str()),
                    _ => None,
                })
                .collect();
            if item.iter().any(|t| matches!(t, TokKind::Op("*"))) {
                star = true;
            }
            match words.as_slice() {
                [.., "as", alias] => names.push(alias.to_string()),
                [first, ..] if from_form => names.push(first.to_string()),
                [first, ..] => names.push(first.to_string()),
                [] => {}
            }
        }
        (aliases, names, star)
    }

    fn skip_line(&mut self) {
        while !self.at_eof() {
            let kind = self.advance().kind;
            if kind == TokKind::Newline {
                return;
            }
            if matches!(kind, TokKind::Indent | TokKind::Dedent) {
                // A block boundary can only follow a NEWLINE; stop before it.
                self.i -= 1;
                return;
            }
        }
    }

    /// After an INDENT token: skips the whole block, nested blocks included.
    fn skip_block_after_indent(&mut self) {
        self.i += 1;
        let mut level = 1usize;
        while !self.at_eof() && level > 0 {
            match self.advance().kind {
                TokKind::Indent => level += 1,
                TokKind::Dedent => level -= 1,
                _ => {}
            }
        }
    }

    /// Skips a compound statement's header (up to its ':') and its body.
    fn skip_header_and_suite(&mut self) {
        let mut brackets = 0i32;
        while !self.at_eof() {
            let tok = self.advance();
            match tok.kind {
                TokKind::Op("(" | "[" | "{") => brackets += 1,
                TokKind::Op(")" | "]" | "}") => brackets -= 1,
                TokKind::Op(":") if brackets <= 0 => break,
                TokKind::Newline => {
                    // No ':' on the line: the header is broken; nothing more to skip.
                    return;
                }
                _ => {}
            }
        }
        self.skip_suite();
    }

    /// Skips the body after a ':' (an indented block or the rest of the line).
    fn skip_suite(&mut self) {
        if self.peek().kind == TokKind::Newline {
            self.i += 1;
            if self.peek().kind == TokKind::Indent {
                self.skip_block_after_indent();
            }
        } else {
            self.skip_line();
        }
    }

    /// Parses one statement (a line may hold several, separated by ';') into `out`.
    pub(super) fn statement_into(&mut self, out: &mut Vec<Stmt>) {
        let tok = self.peek().clone();
        let word = match &tok.kind {
            TokKind::Name(w) => w.clone(),
            _ => String::new(),
        };
        let kind = match word.as_str() {
            "class" => self.class_def(Vec::new()),
            "def" => self.function_def(Vec::new()),
            "async" if self.peek_at(1).is_name("def") => {
                self.i += 1;
                self.function_def(Vec::new())
            }
            "import" | "from" => {
                let (aliases, names, star) = self.import_statement();
                Some(StmtKind::Import {
                    aliases,
                    names,
                    star,
                })
            }
            "pass" if !self.peek_at(1).is_op("=") && !self.peek_at(1).is_op(":") => {
                self.i += 1;
                self.end_simple_statement(out, StmtKind::Pass, &tok);
                return;
            }
            w if COMPOUND.contains(&w) || (w == "async" && !self.peek_at(1).is_op("=")) => {
                self.skip_header_and_suite();
                Some(StmtKind::Other(word.clone()))
            }
            w if SIMPLE_KEYWORDS.contains(&w) => {
                self.skip_line();
                Some(StmtKind::Other(word.clone()))
            }
            _ if tok.is_op("@") => self.decorated(),
            _ => match self.simple_statement() {
                Ok(kind) => {
                    self.end_simple_statement(out, kind, &tok);
                    return;
                }
                Err(Failed) => {
                    self.skip_line();
                    None
                }
            },
        };
        if let Some(kind) = kind {
            out.push(Stmt {
                kind,
                pos: tok.pos,
                start: tok.start,
                end: self.prev_end(),
            });
        }
    }

    fn end_simple_statement(&mut self, out: &mut Vec<Stmt>, kind: StmtKind, first: &Token) {
        out.push(Stmt {
            kind,
            pos: first.pos,
            start: first.start,
            end: self.prev_end(),
        });
        if self.eat_op(";") {
            if !matches!(self.peek().kind, TokKind::Newline | TokKind::Eof) {
                self.statement_into(out);
            } else {
                self.eat_newline();
            }
            return;
        }
        if !self.eat_newline() {
            let _ = self.expected::<()>("end of line");
            self.skip_line();
        }
    }

    fn eat_newline(&mut self) -> bool {
        if matches!(self.peek().kind, TokKind::Newline) {
            self.i += 1;
            true
        } else {
            // At end of input, or before a DEDENT the lexer placed after a NEWLINE.
            self.at_eof()
        }
    }

    fn decorated(&mut self) -> Option<StmtKind> {
        let mut decorators = Vec::new();
        while self.eat_op("@") {
            if let Ok(e) = self.expression() {
                decorators.push(e);
            }
            if !self.eat_newline() {
                let _ = self.expected::<()>("end of line after the decorator");
                self.skip_line();
            }
        }
        if self.peek().is_name("async") {
            self.i += 1;
        }
        if self.peek().is_name("def") {
            self.function_def(decorators)
        } else if self.peek().is_name("class") {
            self.class_def(decorators)
        } else {
            let _ = self.expected::<()>("'def' or 'class' after decorators");
            None
        }
    }

    fn function_def(&mut self, decorators: Vec<Expr>) -> Option<StmtKind> {
        self.i += 1; // def
        let name = match self.advance().kind {
            TokKind::Name(n) => n,
            _ => {
                self.i -= 1;
                let _ = self.expected::<()>("a function name");
                self.skip_line();
                return None;
            }
        };
        let declared_attr = decorators
            .iter()
            .any(|d| d.dotted().is_some_and(|n| n.contains("declared_attr")));
        if !declared_attr {
            self.skip_header_and_suite();
            return Some(StmtKind::FunctionDef {
                name,
                decorators,
                returns: None,
                result: None,
            });
        }
        let (returns, result) = self.declared_attr_function();
        Some(StmtKind::FunctionDef {
            name,
            decorators,
            returns,
            result,
        })
    }

    /// After `def name` of a `@declared_attr`: the return annotation and the expression
    /// of the body's first `return`; the rest of the body is skipped.
    fn declared_attr_function(&mut self) -> (Option<Expr>, Option<Expr>) {
        // Parameters: skipped to the closing parenthesis.
        let mut brackets = 0i32;
        while !self.at_eof() {
            match self.advance().kind {
                TokKind::Op("(" | "[" | "{") => brackets += 1,
                TokKind::Op(")" | "]" | "}") => {
                    brackets -= 1;
                    if brackets <= 0 {
                        break;
                    }
                }
                TokKind::Newline if brackets <= 0 => return (None, None),
                _ => {}
            }
        }
        let returns = if self.eat_op("->") {
            self.expression().ok()
        } else {
            None
        };
        if self.expect_op(":").is_err() {
            self.skip_line();
            return (returns, None);
        }
        if self.peek().kind != TokKind::Newline {
            // `def f(cls): return ...` on one line.
            let result = if self.peek().is_name("return") {
                self.i += 1;
                self.expression().ok()
            } else {
                None
            };
            self.skip_line();
            return (returns, result);
        }
        self.i += 1;
        if self.peek().kind != TokKind::Indent {
            return (returns, None);
        }
        self.i += 1;
        let mut depth = 1;
        let mut result = None;
        let mut line_start = true;
        while !self.at_eof() && depth > 0 {
            if line_start && depth == 1 && result.is_none() && self.peek().is_name("return") {
                self.i += 1;
                result = self.expression().ok();
                continue;
            }
            let kind = self.advance().kind;
            line_start = matches!(kind, TokKind::Newline | TokKind::Indent | TokKind::Dedent);
            match kind {
                TokKind::Indent => depth += 1,
                TokKind::Dedent => depth -= 1,
                _ => {}
            }
        }
        (returns, result)
    }

    fn class_def(&mut self, decorators: Vec<Expr>) -> Option<StmtKind> {
        self.i += 1; // class
        let name = match self.advance().kind {
            TokKind::Name(n) => n,
            _ => {
                self.i -= 1;
                let _ = self.expected::<()>("a class name");
                self.skip_line();
                return None;
            }
        };
        let mut bases = Vec::new();
        let header = self.class_header(&mut bases);
        let mut body = Vec::new();
        match header {
            Ok(()) => {
                if self.peek().kind == TokKind::Newline {
                    self.i += 1;
                    self.block_into(&mut body);
                } else {
                    // `class A: pass` on one line.
                    self.statement_into(&mut body);
                }
            }
            Err(Failed) => {
                // Keep the class and whatever body follows: a half-typed header
                // must not lose its columns.
                self.skip_line();
                self.block_into(&mut body);
            }
        }
        Some(StmtKind::ClassDef {
            name,
            bases,
            decorators,
            body,
        })
    }

    fn class_header(&mut self, bases: &mut Vec<Arg>) -> PResult<()> {
        if self.eat_op("(") {
            *bases = self.call_arguments()?;
        }
        self.expect_op(":")
    }

    /// An indented block (INDENT ... DEDENT), if one starts here.
    fn block_into(&mut self, body: &mut Vec<Stmt>) {
        if self.peek().kind != TokKind::Indent {
            return;
        }
        self.i += 1;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.error_here("blocks nested too deeply");
            self.i -= 1;
            self.skip_block_after_indent();
            self.depth -= 1;
            return;
        }
        while !self.at_eof() {
            match self.peek().kind {
                TokKind::Dedent => {
                    self.i += 1;
                    break;
                }
                TokKind::Newline => self.i += 1,
                TokKind::Indent => {
                    self.error_here("unexpected indent");
                    self.skip_block_after_indent();
                }
                _ => self.statement_into(body),
            }
        }
        self.depth -= 1;
    }

    fn simple_statement(&mut self) -> PResult<StmtKind> {
        let first = self.expression_list()?;
        if self.eat_op(":") {
            let annotation = self.expression()?;
            let value = if self.eat_op("=") {
                Some(self.expression_list()?)
            } else {
                None
            };
            return Ok(StmtKind::AnnAssign {
                target: first,
                annotation,
                value,
            });
        }
        if self.peek().is_op("=") {
            let mut targets = vec![first];
            let mut value = None;
            while self.eat_op("=") {
                if let Some(v) = value.take() {
                    targets.push(v);
                }
                value = Some(self.expression_list()?);
            }
            let value = value.ok_or(Failed)?;
            return Ok(StmtKind::Assign { targets, value });
        }
        if let TokKind::Op(op) = self.peek().kind {
            if op.len() >= 2 && op.ends_with('=') && !matches!(op, "==" | "!=" | "<=" | ">=") {
                self.i += 1;
                self.expression_list()?;
                return Ok(StmtKind::Other(format!("{op} assignment")));
            }
        }
        Ok(StmtKind::Expr(first))
    }
}

pub(super) fn describe(kind: &TokKind) -> String {
    match kind {
        TokKind::Name(n) => format!("'{n}'"),
        TokKind::Number(n) => format!("'{n}'"),
        TokKind::Str(_) => "a string".into(),
        TokKind::Op(o) => format!("'{o}'"),
        TokKind::Newline => "end of line".into(),
        TokKind::Indent => "an indent".into(),
        TokKind::Dedent => "a dedent".into(),
        TokKind::Eof => "end of input".into(),
    }
}

/// One expression followed only by the end of input.
pub(super) fn parse_single_expression(tokens: &[Token]) -> Option<Expr> {
    let mut parser = Parser {
        tokens,
        i: 0,
        depth: 0,
        diagnostics: Vec::new(),
    };
    let expr = parser.expression().ok()?;
    while parser.peek().kind == TokKind::Newline {
        parser.i += 1;
    }
    (parser.at_eof() && parser.diagnostics.is_empty()).then_some(expr)
}
