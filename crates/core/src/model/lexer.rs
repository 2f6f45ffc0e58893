//! Python tokenizer for the declarative subset: names, numbers, strings, operators,
//! NEWLINE/INDENT/DEDENT, with Python's implicit line joining inside brackets.
//!
//! It never fails: unknown characters and unterminated strings become diagnostics.
//! One recovery goes beyond Python: an unclosed bracket would swallow the rest of the
//! file, so a line that cannot continue an expression (`class`, `def`, a decorator, or
//! `name:`/`name =` at the indentation of the statement that opened the bracket) closes
//! it. A half-typed `mapped_column(` then costs one statement, not every class below.

use super::diagnostics::{Diagnostic, Pos};

#[derive(Clone, Debug, PartialEq)]
pub enum TokKind {
    /// Identifiers and keywords alike; the parser tells them apart.
    Name(String),
    Number(String),
    /// The decoded value (escape sequences applied unless raw); f-strings keep their text.
    Str(String),
    Op(&'static str),
    Newline,
    Indent,
    Dedent,
    Eof,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Token {
    pub kind: TokKind,
    pub pos: Pos,
    /// Character offsets of the token in the source (for opaque source text).
    pub start: usize,
    pub end: usize,
    /// A NEWLINE inserted by bracket recovery: the parser does not report it again.
    pub synthetic: bool,
}

impl Token {
    pub fn is_op(&self, op: &str) -> bool {
        matches!(&self.kind, TokKind::Op(o) if *o == op)
    }

    pub fn is_name(&self, name: &str) -> bool {
        matches!(&self.kind, TokKind::Name(n) if n == name)
    }
}

const OPERATORS: &[&str] = &[
    "**=", "//=", ">>=", "<<=", "...", "**", "//", "==", "!=", "<=", ">=", "->", "<<", ">>", "+=",
    "-=", "*=", "/=", "%=", "&=", "|=", "^=", "@=", ":=", "+", "-", "*", "/", "%", "@", "&", "|",
    "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":", ".", ";", "=",
];

/// Words that start a line which cannot continue a bracketed expression.
const STATEMENT_STARTERS: &[&str] = &["class", "def", "async", "import", "from", "return", "pass"];

struct OpenBracket {
    closer: char,
    pos: Pos,
    /// Indentation of the line that began the statement holding this bracket.
    statement_indent: usize,
}

struct Lexer<'a> {
    chars: &'a [char],
    i: usize,
    line: u32,
    line_start: usize,
    tokens: Vec<Token>,
    diagnostics: Vec<Diagnostic>,
    indents: Vec<usize>,
    brackets: Vec<OpenBracket>,
    current_indent: usize,
}

pub fn tokenize(chars: &[char]) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer {
        chars,
        i: 0,
        line: 1,
        line_start: 0,
        tokens: Vec::new(),
        diagnostics: Vec::new(),
        indents: vec![0],
        brackets: Vec::new(),
        current_indent: 0,
    };
    lexer.run();
    (lexer.tokens, lexer.diagnostics)
}

impl Lexer<'_> {
    fn pos_at(&self, i: usize) -> Pos {
        Pos {
            line: self.line,
            column: (i - self.line_start + 1) as u32,
        }
    }

    fn peek(&self, offset: usize) -> Option<char> {
        self.chars.get(self.i + offset).copied()
    }

    fn push(&mut self, kind: TokKind, start: usize, synthetic: bool) {
        let pos = self.pos_at(start);
        self.tokens.push(Token {
            kind,
            pos,
            start,
            end: self.i,
            synthetic,
        });
    }

    fn last_is_line_end(&self) -> bool {
        matches!(
            self.tokens.last().map(|t| &t.kind),
            None | Some(TokKind::Newline | TokKind::Indent | TokKind::Dedent)
        )
    }

    fn newline(&mut self) {
        // Consumes the '\n' (or "\r\n") at self.i.
        if self.peek(0) == Some('\r') {
            self.i += 1;
        }
        if self.peek(0) == Some('\n') {
            self.i += 1;
        }
        self.line += 1;
        self.line_start = self.i;
    }

    fn run(&mut self) {
        let mut at_line_start = true;
        while self.i < self.chars.len() {
            if at_line_start {
                at_line_start = false;
                self.line_start();
                // The indentation may have run to the end of the input.
                continue;
            }
            let c = self.chars[self.i];
            match c {
                '\n' | '\r' => {
                    let start = self.i;
                    if self.brackets.is_empty() && !self.last_is_line_end() {
                        self.i += 1;
                        self.push(TokKind::Newline, start, false);
                        self.i = start;
                    }
                    self.newline();
                    at_line_start = true;
                }
                ' ' | '\t' | '\x0c' => self.i += 1,
                '#' => {
                    while self.i < self.chars.len() && !matches!(self.chars[self.i], '\n' | '\r') {
                        self.i += 1;
                    }
                }
                '\\' if matches!(self.peek(1), Some('\n' | '\r')) => {
                    self.i += 1;
                    self.newline();
                }
                _ if c.is_alphabetic() || c == '_' => self.name_or_string(),
                _ if c.is_ascii_digit()
                    || (c == '.' && self.peek(1).is_some_and(|d| d.is_ascii_digit())) =>
                {
                    self.number()
                }
                '\'' | '"' => self.string(self.i, false),
                _ => self.operator(),
            }
        }
        let end = self.i;
        if let Some(open) = std::mem::take(&mut self.brackets).pop() {
            self.diagnostics.push(Diagnostic::error(
                open.pos,
                format!("'{}' is never closed", opener(open.closer)),
            ));
        }
        if !self.last_is_line_end() {
            self.push(TokKind::Newline, end, false);
        }
        while self.indents.len() > 1 {
            self.indents.pop();
            self.push(TokKind::Dedent, end, false);
        }
        self.push(TokKind::Eof, end, false);
    }

    /// Measures the indentation of a new physical line and emits INDENT/DEDENT; blank
    /// and comment-only lines leave the indentation alone.
    fn line_start(&mut self) {
        let mut width = 0;
        let mut j = self.i;
        while let Some(&c) = self.chars.get(j) {
            match c {
                ' ' => width += 1,
                '\t' => width = (width / 8 + 1) * 8,
                '\x0c' => width = 0,
                _ => break,
            }
            j += 1;
        }
        let blank = matches!(self.chars.get(j), None | Some('\n' | '\r' | '#'));
        if !self.brackets.is_empty() {
            if blank || !self.ends_open_brackets(j, width) {
                self.i = j;
                return;
            }
            self.close_brackets_for_recovery(j);
        }
        self.i = j;
        if blank {
            return;
        }
        self.current_indent = width;
        let top = self.indents.last().copied().unwrap_or(0);
        if width > top {
            self.indents.push(width);
            self.push(TokKind::Indent, j, false);
        } else if width < top {
            while self.indents.last().is_some_and(|&w| w > width) {
                self.indents.pop();
                self.push(TokKind::Dedent, j, false);
            }
            if self.indents.last().copied().unwrap_or(0) != width {
                self.diagnostics.push(Diagnostic::error(
                    self.pos_at(j),
                    "unindent does not match any outer indentation level",
                ));
                self.indents.push(width);
            }
        }
    }

    /// Whether the line starting at `j` (indented by `width`) cannot continue the open
    /// bracket and must start a new statement (see the module comment).
    fn ends_open_brackets(&self, j: usize, width: usize) -> bool {
        let statement_indent = self.brackets.first().map_or(0, |b| b.statement_indent);
        if width > statement_indent {
            return false;
        }
        if self.chars.get(j) == Some(&'@') {
            return true;
        }
        let mut k = j;
        while self
            .chars
            .get(k)
            .is_some_and(|c| c.is_alphanumeric() || *c == '_')
        {
            k += 1;
        }
        if k == j {
            return false;
        }
        let word: String = self.chars[j..k].iter().collect();
        if STATEMENT_STARTERS.contains(&word.as_str()) {
            return true;
        }
        while self.chars.get(k) == Some(&' ') {
            k += 1;
        }
        match self.chars.get(k) {
            Some(':') => true,
            Some('=') => self.chars.get(k + 1) != Some(&'='),
            _ => false,
        }
    }

    fn close_brackets_for_recovery(&mut self, j: usize) {
        // One diagnostic, at the innermost bracket: where the typing stopped.
        if let Some(open) = std::mem::take(&mut self.brackets).pop() {
            self.diagnostics.push(Diagnostic::error(
                open.pos,
                format!("'{}' is never closed", opener(open.closer)),
            ));
        }
        let saved = self.i;
        self.i = j;
        // The NEWLINE belongs to the statement that was cut short.
        let pos = self.pos_at(j);
        self.tokens.push(Token {
            kind: TokKind::Newline,
            pos,
            start: j,
            end: j,
            synthetic: true,
        });
        self.i = saved;
    }

    fn name_or_string(&mut self) {
        let start = self.i;
        while self.i < self.chars.len()
            && (self.chars[self.i].is_alphanumeric() || self.chars[self.i] == '_')
        {
            self.i += 1;
        }
        let word: String = self.chars[start..self.i].iter().collect();
        let is_prefix = word.len() <= 2
            && word
                .chars()
                .all(|c| matches!(c.to_ascii_lowercase(), 'r' | 'b' | 'u' | 'f'));
        if is_prefix && matches!(self.peek(0), Some('\'' | '"')) {
            let raw = word.chars().any(|c| matches!(c, 'r' | 'R'));
            self.string(start, raw);
            return;
        }
        self.push(TokKind::Name(word), start, false);
    }

    fn number(&mut self) {
        let start = self.i;
        while let Some(c) = self.peek(0) {
            let exponent_sign = matches!(c, '+' | '-')
                && matches!(self.chars.get(self.i - 1), Some('e' | 'E'))
                && !self.chars[start..self.i]
                    .iter()
                    .any(|c| matches!(c, 'x' | 'X'));
            if c.is_ascii_alphanumeric() || c == '_' || c == '.' || exponent_sign {
                self.i += 1;
            } else {
                break;
            }
        }
        let text: String = self.chars[start..self.i].iter().collect();
        self.push(TokKind::Number(text), start, false);
    }

    /// A string literal whose quote is at self.i; `start` includes any prefix.
    fn string(&mut self, start: usize, raw: bool) {
        let quote = self.chars[self.i];
        let triple = self.peek(1) == Some(quote) && self.peek(2) == Some(quote);
        self.i += if triple { 3 } else { 1 };
        let open_pos = self.pos_at(start);
        let mut value = String::new();
        loop {
            let Some(c) = self.peek(0) else {
                self.diagnostics
                    .push(Diagnostic::error(open_pos, "string is never closed"));
                break;
            };
            if c == quote
                && (!triple || (self.peek(1) == Some(quote) && self.peek(2) == Some(quote)))
            {
                self.i += if triple { 3 } else { 1 };
                break;
            }
            if matches!(c, '\n' | '\r') {
                if !triple {
                    self.diagnostics
                        .push(Diagnostic::error(open_pos, "string is never closed"));
                    break;
                }
                value.push('\n');
                self.newline();
                continue;
            }
            if c == '\\' {
                if let Some(next) = self.peek(1) {
                    if matches!(next, '\n' | '\r') {
                        self.i += 1;
                        self.newline();
                        if raw {
                            value.push_str("\\\n");
                        }
                        continue;
                    }
                    self.i += 2;
                    if raw {
                        value.push('\\');
                        value.push(next);
                    } else {
                        value.push(match next {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            '0' => '\0',
                            other => other,
                        });
                        if !matches!(next, 'n' | 't' | 'r' | '0' | '\\' | '\'' | '"') {
                            value.insert(value.len() - next.len_utf8(), '\\');
                        }
                    }
                    continue;
                }
            }
            value.push(c);
            self.i += 1;
        }
        // A triple-quoted string may span lines: its position is where it starts.
        let end = self.i;
        self.tokens.push(Token {
            kind: TokKind::Str(value),
            pos: open_pos,
            start,
            end,
            synthetic: false,
        });
    }

    fn operator(&mut self) {
        let start = self.i;
        for op in OPERATORS {
            let len = op.chars().count();
            if self.chars.len() - self.i >= len
                && op.chars().zip(&self.chars[self.i..]).all(|(a, &b)| a == b)
            {
                self.i += len;
                self.track_bracket(op, start);
                self.push(TokKind::Op(op), start, false);
                return;
            }
        }
        let c = self.chars[self.i];
        self.diagnostics.push(Diagnostic::error(
            self.pos_at(start),
            format!("unexpected character '{}'", c.escape_debug()),
        ));
        self.i += 1;
    }

    fn track_bracket(&mut self, op: &str, start: usize) {
        match op {
            "(" | "[" | "{" => {
                let closer = match op {
                    "(" => ')',
                    "[" => ']',
                    _ => '}',
                };
                let statement_indent = self
                    .brackets
                    .first()
                    .map_or(self.current_indent, |b| b.statement_indent);
                let pos = self.pos_at(start);
                self.brackets.push(OpenBracket {
                    closer,
                    pos,
                    statement_indent,
                });
            }
            ")" | "]" | "}" => {
                let c = op.chars().next().unwrap_or(')');
                if self.brackets.last().is_some_and(|b| b.closer == c) {
                    self.brackets.pop();
                } else {
                    self.diagnostics.push(Diagnostic::error(
                        self.pos_at(start),
                        format!("unmatched '{op}'"),
                    ));
                    // Drop brackets up to a matching one, if any, so depth stays sane.
                    if let Some(k) = self.brackets.iter().rposition(|b| b.closer == c) {
                        self.brackets.truncate(k);
                    }
                }
            }
            _ => {}
        }
    }
}

fn opener(closer: char) -> char {
    match closer {
        ')' => '(',
        ']' => '[',
        _ => '{',
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<TokKind> {
        let chars: Vec<char> = src.chars().collect();
        tokenize(&chars).0.into_iter().map(|t| t.kind).collect()
    }

    #[test]
    fn indentation_and_brackets() {
        let k = kinds("class A:\n    x = f(\n  1)\n# c\ny = 2\n");
        assert!(k.contains(&TokKind::Indent));
        assert_eq!(k.iter().filter(|t| **t == TokKind::Newline).count(), 3);
        assert_eq!(k.iter().filter(|t| **t == TokKind::Dedent).count(), 1);
    }

    #[test]
    fn strings_decode_and_keep_position() {
        let chars: Vec<char> = "x = 'a\\'b' + r'\\d'\n".chars().collect();
        let (tokens, diags) = tokenize(&chars);
        assert!(diags.is_empty());
        assert_eq!(tokens[2].kind, TokKind::Str("a'b".into()));
        assert_eq!(tokens[4].kind, TokKind::Str("\\d".into()));
        assert_eq!(
            tokens[4].pos,
            Pos {
                line: 1,
                column: 14
            }
        );
    }

    #[test]
    fn unclosed_call_is_cut_at_the_next_member() {
        let chars: Vec<char> = "class A:\n    x: int = f(\n    y: int = 1\n"
            .chars()
            .collect();
        let (tokens, diags) = tokenize(&chars);
        assert_eq!(diags.len(), 1);
        assert_eq!(diags[0].line, 2);
        assert!(tokens.iter().any(|t| t.synthetic));
    }
}
