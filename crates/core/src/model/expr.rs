//! Expression parser (precedence climbing over Python's operator table).

use super::ast::{Arg, Expr, ExprKind};
use super::lexer::TokKind;
use super::parser::{PResult, Parser, MAX_DEPTH};

const KEYWORDS: &[&str] = &[
    "and", "as", "assert", "break", "class", "continue", "def", "del", "elif", "else", "except",
    "finally", "for", "from", "global", "if", "import", "in", "is", "lambda", "nonlocal", "not",
    "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

/// Binding power of a binary operator; comparisons share one level.
fn binary_power(op: &str) -> Option<u8> {
    Some(match op {
        "or" => 1,
        "and" => 2,
        "<" | ">" | "==" | ">=" | "<=" | "!=" | "in" | "not in" | "is" | "is not" => 4,
        "|" => 5,
        "^" => 6,
        "&" => 7,
        "<<" | ">>" => 8,
        "+" | "-" => 9,
        "*" | "/" | "//" | "%" | "@" => 10,
        _ => return None,
    })
}

impl Parser<'_> {
    fn node(&self, kind: ExprKind, start_token: usize) -> Expr {
        let tok = &self.tokens[start_token.min(self.tokens.len().saturating_sub(1))];
        Expr {
            kind,
            pos: tok.pos,
            start: tok.start,
            end: self.prev_end(),
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.depth -= 1;
            return self.expected("a shallower expression (nesting limit reached)");
        }
        Ok(())
    }

    /// `a, b, c` as a tuple, or a single expression.
    pub(super) fn expression_list(&mut self) -> PResult<Expr> {
        let start = self.i;
        let first = self.expression_or_star()?;
        if !self.peek().is_op(",") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.starts_expression() {
                items.push(self.expression_or_star()?);
            } else {
                break;
            }
        }
        Ok(self.node(ExprKind::Tuple(items), start))
    }

    fn starts_expression(&self) -> bool {
        match &self.peek().kind {
            TokKind::Name(n) => {
                !KEYWORDS.contains(&n.as_str()) || matches!(n.as_str(), "not" | "lambda" | "yield")
            }
            TokKind::Number(_) | TokKind::Str(_) => true,
            TokKind::Op(op) => {
                matches!(*op, "(" | "[" | "{" | "-" | "+" | "~" | "*" | "**" | "...")
            }
            _ => false,
        }
    }

    fn expression_or_star(&mut self) -> PResult<Expr> {
        let start = self.i;
        if self.eat_op("*") || self.eat_op("**") {
            self.expression()?;
            return Ok(self.node(ExprKind::Opaque, start));
        }
        self.expression()
    }

    /// A full expression: lambda, ternary, or operator expression.
    pub(super) fn expression(&mut self) -> PResult<Expr> {
        self.enter()?;
        let result = self.expression_inner();
        self.depth -= 1;
        result
    }

    fn expression_inner(&mut self) -> PResult<Expr> {
        let start = self.i;
        if self.eat_name("lambda") {
            while !self.peek().is_op(":") {
                if matches!(self.peek().kind, TokKind::Newline | TokKind::Eof) {
                    return self.expected("':' in lambda");
                }
                self.i += 1;
            }
            self.i += 1;
            let body = self.expression()?;
            return Ok(self.node(ExprKind::Lambda(Box::new(body)), start));
        }
        if self.eat_name("yield") {
            if self.starts_expression() {
                self.expression_list()?;
            }
            return Ok(self.node(ExprKind::Opaque, start));
        }
        let value = self.binary(0)?;
        // A comprehension's `if` filter never reaches here: its clauses are parsed
        // with `binary`, which stops before `if`.
        if self.peek().is_name("if") {
            self.i += 1;
            self.binary(0)?;
            if !self.eat_name("else") {
                return self.expected("'else'");
            }
            self.expression()?;
            return Ok(self.node(ExprKind::Opaque, start));
        }
        if self.eat_op(":=") {
            self.expression()?;
            return Ok(self.node(ExprKind::Opaque, start));
        }
        Ok(value)
    }

    fn peek_binary_op(&self) -> Option<(String, usize)> {
        match &self.peek().kind {
            TokKind::Op(op) => binary_power(op).map(|_| (op.to_string(), 1)),
            TokKind::Name(n) if matches!(n.as_str(), "and" | "or" | "in") => Some((n.clone(), 1)),
            TokKind::Name(n) if n == "is" => {
                if self.peek_at(1).is_name("not") {
                    Some(("is not".into(), 2))
                } else {
                    Some(("is".into(), 1))
                }
            }
            TokKind::Name(n) if n == "not" && self.peek_at(1).is_name("in") => {
                Some(("not in".into(), 2))
            }
            _ => None,
        }
    }

    fn binary(&mut self, min_power: u8) -> PResult<Expr> {
        let start = self.i;
        let mut left = self.unary()?;
        while let Some((op, width)) = self.peek_binary_op() {
            let power = binary_power(&op).unwrap_or(0);
            if power <= min_power {
                break;
            }
            self.i += width;
            self.enter()?;
            let right = self.binary(power);
            self.depth -= 1;
            left = self.node(ExprKind::BinOp(Box::new(left), op, Box::new(right?)), start);
        }
        Ok(left)
    }

    fn unary(&mut self) -> PResult<Expr> {
        let start = self.i;
        let op = match &self.peek().kind {
            TokKind::Op(op @ ("-" | "+" | "~")) => Some(op.to_string()),
            TokKind::Name(n) if n == "not" => Some("not".to_string()),
            TokKind::Name(n) if n == "await" => Some("await".to_string()),
            _ => None,
        };
        if let Some(op) = op {
            self.i += 1;
            self.enter()?;
            // `not` binds looser than comparisons: `not a in b` is `not (a in b)`.
            let operand = if op == "not" {
                self.binary(3)
            } else {
                self.unary()
            };
            self.depth -= 1;
            return Ok(self.node(ExprKind::Unary(op, Box::new(operand?)), start));
        }
        let base = self.primary()?;
        if self.eat_op("**") {
            self.enter()?;
            let exponent = self.unary();
            self.depth -= 1;
            return Ok(self.node(
                ExprKind::BinOp(Box::new(base), "**".into(), Box::new(exponent?)),
                start,
            ));
        }
        Ok(base)
    }

    fn primary(&mut self) -> PResult<Expr> {
        let start = self.i;
        let mut expr = self.atom()?;
        loop {
            if self.eat_op(".") {
                match self.advance().kind {
                    TokKind::Name(attr) => {
                        expr = self.node(ExprKind::Attr(Box::new(expr), attr), start);
                    }
                    _ => {
                        self.i -= 1;
                        return self.expected("an attribute name");
                    }
                }
            } else if self.eat_op("(") {
                self.enter()?;
                let args = self.call_arguments();
                self.depth -= 1;
                expr = self.node(ExprKind::Call(Box::new(expr), args?), start);
            } else if self.eat_op("[") {
                self.enter()?;
                let index = self.subscript();
                self.depth -= 1;
                expr = self.node(ExprKind::Subscript(Box::new(expr), Box::new(index?)), start);
            } else {
                return Ok(expr);
            }
        }
    }

    /// Arguments after an opening '(' up to and including the ')'.
    pub(super) fn call_arguments(&mut self) -> PResult<Vec<Arg>> {
        let mut args = Vec::new();
        loop {
            if self.eat_op(")") {
                return Ok(args);
            }
            let star = if self.eat_op("**") {
                2
            } else if self.eat_op("*") {
                1
            } else {
                0
            };
            let keyword = match (&self.peek().kind, self.peek_at(1).is_op("=")) {
                (TokKind::Name(n), true) if star == 0 => Some(n.clone()),
                _ => None,
            };
            if keyword.is_some() {
                self.i += 2;
            }
            let value = self.expression()?;
            let value = if keyword.is_none() && star == 0 && self.peek().is_name("for") {
                self.comprehension_tail(value, self.i)?
            } else {
                value
            };
            args.push(Arg {
                name: keyword,
                value,
                star,
            });
            if !self.eat_op(",") {
                self.expect_op(")")?;
                return Ok(args);
            }
        }
    }

    fn subscript(&mut self) -> PResult<Expr> {
        let start = self.i;
        let mut items = Vec::new();
        loop {
            if self.eat_op("]") {
                break;
            }
            let item = if self.peek().is_op(":") {
                self.slice_rest(self.i)?
            } else {
                let e = self.expression_or_star()?;
                if self.peek().is_op(":") {
                    self.slice_rest(self.i)?
                } else {
                    e
                }
            };
            items.push(item);
            if !self.eat_op(",") {
                self.expect_op("]")?;
                break;
            }
        }
        if items.len() == 1 {
            Ok(items.remove(0))
        } else {
            Ok(self.node(ExprKind::Tuple(items), start))
        }
    }

    fn slice_rest(&mut self, start: usize) -> PResult<Expr> {
        while self.eat_op(":") {
            if self.starts_expression() {
                self.expression()?;
            }
        }
        Ok(self.node(ExprKind::Opaque, start))
    }

    fn atom(&mut self) -> PResult<Expr> {
        let start = self.i;
        let tok = self.peek().clone();
        match tok.kind {
            TokKind::Name(n) if !KEYWORDS.contains(&n.as_str()) => {
                self.i += 1;
                Ok(self.node(ExprKind::Name(n), start))
            }
            TokKind::Number(n) => {
                self.i += 1;
                Ok(self.node(ExprKind::Num(n), start))
            }
            TokKind::Str(s) => {
                self.i += 1;
                let mut value = s;
                while let TokKind::Str(more) = &self.peek().kind {
                    value.push_str(more);
                    self.i += 1;
                }
                Ok(self.node(ExprKind::Str(value), start))
            }
            TokKind::Op("...") => {
                self.i += 1;
                Ok(self.node(ExprKind::Opaque, start))
            }
            TokKind::Op("(") => {
                self.i += 1;
                self.enter()?;
                let inner = self.parenthesized(start);
                self.depth -= 1;
                inner
            }
            TokKind::Op("[") => {
                self.i += 1;
                self.enter()?;
                let inner = self.display(start, "]");
                self.depth -= 1;
                inner
            }
            TokKind::Op("{") => {
                self.i += 1;
                self.enter()?;
                let inner = self.display(start, "}");
                self.depth -= 1;
                inner
            }
            _ => self.expected("an expression"),
        }
    }

    fn parenthesized(&mut self, start: usize) -> PResult<Expr> {
        if self.eat_op(")") {
            return Ok(self.node(ExprKind::Tuple(Vec::new()), start));
        }
        let first = self.expression_or_star()?;
        if self.peek().is_name("for") {
            let comp = self.comprehension_tail(first, start)?;
            self.expect_op(")")?;
            return Ok(comp);
        }
        if self.eat_op(")") {
            return Ok(first);
        }
        let mut items = vec![first];
        while self.eat_op(",") {
            if self.peek().is_op(")") {
                break;
            }
            items.push(self.expression_or_star()?);
        }
        self.expect_op(")")?;
        Ok(self.node(ExprKind::Tuple(items), start))
    }

    /// A list (`close` = "]"), or a set or dict (`close` = "}"), or their comprehensions.
    fn display(&mut self, start: usize, close: &str) -> PResult<Expr> {
        let is_list = close == "]";
        if self.eat_op(close) {
            let kind = if is_list {
                ExprKind::List(Vec::new())
            } else {
                ExprKind::Dict(Vec::new())
            };
            return Ok(self.node(kind, start));
        }
        let mut items = Vec::new();
        let mut pairs = Vec::new();
        let mut is_dict = false;
        loop {
            if !is_list && self.eat_op("**") {
                is_dict = true;
                pairs.push((None, self.expression()?));
            } else {
                let key = self.expression_or_star()?;
                if !is_list && self.eat_op(":") {
                    is_dict = true;
                    let value = self.expression()?;
                    if self.peek().is_name("for") {
                        self.comprehension_tail(value, start)?;
                        self.expect_op(close)?;
                        return Ok(self.node(ExprKind::Opaque, start));
                    }
                    pairs.push((Some(key), value));
                } else if self.peek().is_name("for") {
                    let comp = self.comprehension_tail(key, start)?;
                    self.expect_op(close)?;
                    return Ok(Expr {
                        end: self.prev_end(),
                        ..comp
                    });
                } else {
                    items.push(key);
                }
            }
            if !self.eat_op(",") || self.peek().is_op(close) {
                self.expect_op(close)?;
                break;
            }
        }
        let kind = if is_list {
            ExprKind::List(items)
        } else if is_dict {
            ExprKind::Dict(pairs)
        } else {
            ExprKind::Set(items)
        };
        Ok(self.node(kind, start))
    }

    /// `for target in iter [if cond]...` after the element of a comprehension.
    fn comprehension_tail(&mut self, element: Expr, start: usize) -> PResult<Expr> {
        let mut first = None;
        while self.eat_name("for")
            || (self.peek().is_name("async") && self.peek_at(1).is_name("for"))
        {
            if self.peek().is_name("for") {
                self.i += 1;
            }
            let target = self.target_list()?;
            if !self.eat_name("in") {
                return self.expected("'in'");
            }
            let iter = self.binary(1)?;
            while self.eat_name("if") {
                self.binary(1)?;
            }
            first.get_or_insert((target, iter));
        }
        let Some((target, iter)) = first else {
            return self.expected("'for'");
        };
        Ok(self.node(
            ExprKind::Comprehension {
                element: Box::new(element),
                target: Box::new(target),
                iter: Box::new(iter),
            },
            start,
        ))
    }

    /// The target of a `for`: names, attributes, tuples; `in` ends it.
    fn target_list(&mut self) -> PResult<Expr> {
        let start = self.i;
        let mut items = vec![self.primary()?];
        while self.eat_op(",") {
            if self.peek().is_name("in") {
                break;
            }
            items.push(self.primary()?);
        }
        if items.len() == 1 {
            Ok(items.remove(0))
        } else {
            Ok(self.node(ExprKind::Tuple(items), start))
        }
    }
}
