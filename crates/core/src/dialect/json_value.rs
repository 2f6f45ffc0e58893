//! PostgreSQL's `json` and `jsonb` values and operators, in pure std Rust.
//!
//! Everything here mirrors PostgreSQL 15 as observed with psql: the parser accepts
//! exactly what `json_in`/`jsonb_in` accept, numbers are normalised the way `numeric_out`
//! prints them, object keys are ordered the way jsonb stores them, and each error carries
//! PostgreSQL's SQLSTATE and message so the caller can show it verbatim.
//!
//! No function panics on any input: nesting deeper than [`MAX_DEPTH`] is refused at parse
//! time (PostgreSQL refuses very deep documents with a stack-depth error), and parsing,
//! printing, cloning, comparing, containment and null-stripping use explicit heap stacks,
//! so even the deepest accepted value is safe on a small (2MB, debug build) thread stack.
//! No function recurses.

use std::cmp::Ordering;
use std::fmt::Write as _;

/// Deepest container nesting accepted, standing in for PostgreSQL's stack-depth limit
/// (whose real value depends on `max_stack_depth`; with the default 2MB PostgreSQL still
/// accepts 10000 levels, so 6400 is a deliberate, platform-independent choice).
pub const MAX_DEPTH: usize = 6400;

/// An error PostgreSQL would raise: SQLSTATE and message (the message exactly as PG's,
/// without "ERROR:").
#[derive(Debug, Clone, PartialEq)]
pub struct JsonError {
    pub sqlstate: &'static str,
    pub message: String,
}

impl JsonError {
    fn new(sqlstate: &'static str, message: impl Into<String>) -> Self {
        JsonError {
            sqlstate,
            message: message.into(),
        }
    }

    /// Every JSON syntax error shares this message; PostgreSQL varies only the DETAIL,
    /// which the caller builds itself.
    fn syntax() -> Self {
        JsonError::new("22P02", "invalid input syntax for type json")
    }

    /// `\u0000` cannot live in a PostgreSQL text value, so de-escaping refuses it.
    fn code_point_zero() -> Self {
        JsonError::new(
            "22P05",
            "unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text.",
        )
    }

    /// A syntax error with PostgreSQL's DETAIL (the engine splits it off the message).
    fn syntax_detail(detail: &str) -> Self {
        JsonError::new(
            "22P02",
            format!("invalid input syntax for type json\nDETAIL:  {detail}"),
        )
    }

    fn low_surrogate_missing() -> Self {
        Self::syntax_detail("Unicode low surrogate must follow a high surrogate.")
    }

    fn numeric_overflow() -> Self {
        JsonError::new("22003", "value overflows numeric format")
    }

    fn too_deep() -> Self {
        JsonError::new("54001", "stack depth limit exceeded")
    }

    fn invalid_parameter(message: &str) -> Self {
        JsonError::new("22023", message)
    }
}

/// One step of a -> / #> access: an object key or an array index (negative counts from
/// the end).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Step<'a> {
    Key(&'a str),
    Index(i64),
}

/// A path element as `#>` and `jsonb_set` see it: text, or SQL NULL (`None`). A trait so
/// paths can be given as `&[String]`, `&[&str]` or, straight from [`parse_text_array`],
/// `&[Option<String>]`.
pub trait PathElem {
    fn path_elem(&self) -> Option<&str>;
}

impl PathElem for String {
    fn path_elem(&self) -> Option<&str> {
        Some(self)
    }
}

impl PathElem for &str {
    fn path_elem(&self) -> Option<&str> {
        Some(self)
    }
}

impl PathElem for Option<String> {
    fn path_elem(&self) -> Option<&str> {
        self.as_deref()
    }
}

impl PathElem for Option<&str> {
    fn path_elem(&self) -> Option<&str> {
        *self
    }
}

/// A jsonb value as PostgreSQL stores it: object keys unique (the LAST duplicate wins)
/// and sorted as PG sorts them (shorter keys first, then bytewise), numbers kept as PG
/// numeric text.
#[derive(Debug)]
pub enum Jsonb {
    Null,
    Bool(bool),
    Number(String),
    String(String),
    Array(Vec<Jsonb>),
    Object(Vec<(String, Jsonb)>),
}

// ---------------------------------------------------------------------------------------
// Numbers
// ---------------------------------------------------------------------------------------

/// Largest dscale (digits after the point) PostgreSQL's numeric can store.
const NUMERIC_DSCALE_MAX: i64 = 0x3FFF;
/// Largest number of digits before the point: base-10000 weight up to i16::MAX.
const NUMERIC_INT_DIGITS_MAX: i64 = (i16::MAX as i64 + 1) * 4;
/// PostgreSQL refuses exponents at or beyond INT_MAX/2 before anything else.
const EXPONENT_LIMIT: i64 = (i32::MAX / 2) as i64;

/// A decimal number split into its parts, so it can be printed as `numeric_out` does
/// and compared exactly without floating point.
struct Decimal {
    negative: bool,
    /// All mantissa digits, integer and fraction parts together, as written.
    digits: Vec<u8>,
    /// How many of `digits` were written after the point.
    frac_len: i64,
    exponent: i64,
}

impl Decimal {
    /// Parses numeric syntax as `numeric_in` accepts it (a superset of JSON's: a leading
    /// `+`, `.5`, `5.` and surrounding whitespace are allowed). `None` if it is not a
    /// number; an error only for exponents PostgreSQL refuses outright.
    fn parse(text: &str) -> Result<Option<Decimal>, JsonError> {
        let b = text
            .trim_matches(|c: char| c.is_ascii_whitespace())
            .as_bytes();
        let mut i = 0;
        let mut negative = false;
        if let Some(&c) = b.first() {
            if c == b'+' || c == b'-' {
                negative = c == b'-';
                i += 1;
            }
        }
        let mut digits = Vec::new();
        let mut frac_len = 0i64;
        let mut seen_point = false;
        while i < b.len() {
            match b[i] {
                d @ b'0'..=b'9' => {
                    digits.push(d - b'0');
                    if seen_point {
                        frac_len += 1;
                    }
                }
                b'.' if !seen_point => seen_point = true,
                _ => break,
            }
            i += 1;
        }
        if digits.is_empty() {
            return Ok(None);
        }
        let mut exponent = 0i64;
        if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
            i += 1;
            let mut exp_negative = false;
            if i < b.len() && (b[i] == b'+' || b[i] == b'-') {
                exp_negative = b[i] == b'-';
                i += 1;
            }
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                // Saturate: anything this large is refused below anyway.
                exponent = exponent
                    .saturating_mul(10)
                    .saturating_add(i64::from(b[i] - b'0'));
                i += 1;
            }
            if i == start {
                return Ok(None);
            }
            if exp_negative {
                exponent = -exponent;
            }
            if exponent >= EXPONENT_LIMIT || exponent <= -EXPONENT_LIMIT {
                return Err(JsonError::numeric_overflow());
            }
        }
        if i != b.len() {
            return Ok(None);
        }
        Ok(Some(Decimal {
            negative,
            digits,
            frac_len,
            exponent,
        }))
    }

    fn is_zero(&self) -> bool {
        self.digits.iter().all(|&d| d == 0)
    }

    /// The text `numeric_out` prints, or PostgreSQL's overflow error when the value does
    /// not fit numeric's storage (more than 16383 fraction digits or 131072 integer
    /// digits).
    fn to_numeric_text(&self) -> Result<String, JsonError> {
        let dscale = (self.frac_len - self.exponent).max(0);
        if dscale > NUMERIC_DSCALE_MAX {
            return Err(JsonError::numeric_overflow());
        }
        if self.is_zero() {
            let mut out = String::from("0");
            push_fraction_zeros(&mut out, dscale);
            return Ok(out);
        }
        let leading = self.digits.iter().take_while(|&&d| d == 0).count();
        let sig = &self.digits[leading..];
        // Digits before the point once the exponent is applied, counted from the first
        // significant digit; may be zero or negative for values below one.
        let int_digits = self.digits.len() as i64 - self.frac_len + self.exponent - leading as i64;
        if int_digits > NUMERIC_INT_DIGITS_MAX {
            return Err(JsonError::numeric_overflow());
        }
        let mut out = String::new();
        if self.negative {
            out.push('-');
        }
        if int_digits > 0 {
            let n = int_digits as usize;
            for k in 0..n {
                out.push(char::from(b'0' + sig.get(k).copied().unwrap_or(0)));
            }
            if dscale > 0 {
                out.push('.');
                let frac = sig.get(n..).unwrap_or(&[]);
                for k in 0..dscale as usize {
                    out.push(char::from(b'0' + frac.get(k).copied().unwrap_or(0)));
                }
            }
        } else {
            out.push_str("0.");
            let zeros = (-int_digits) as usize;
            for k in 0..dscale as usize {
                let d = if k < zeros {
                    0
                } else {
                    sig.get(k - zeros).copied().unwrap_or(0)
                };
                out.push(char::from(b'0' + d));
            }
        }
        Ok(out)
    }

    /// Sign, significant digits (no leading or trailing zeros) and the decimal position
    /// of the first of them: the canonical form exact comparison works on.
    fn canonical(&self) -> (bool, &[u8], i64) {
        let leading = self.digits.iter().take_while(|&&d| d == 0).count();
        let trailing = self.digits.iter().rev().take_while(|&&d| d == 0).count();
        if leading == self.digits.len() {
            return (false, &[], 0);
        }
        let sig = &self.digits[leading..self.digits.len() - trailing];
        let position = self.digits.len() as i64 - self.frac_len + self.exponent - leading as i64;
        (self.negative, sig, position)
    }
}

fn push_fraction_zeros(out: &mut String, dscale: i64) {
    if dscale > 0 {
        out.push('.');
        for _ in 0..dscale {
            out.push('0');
        }
    }
}

/// Exact numeric comparison of two numeric texts; text that is not a number (only
/// possible for a hand-built `Jsonb::Number`) compares bytewise so ordering stays total.
fn compare_numbers(a: &str, b: &str) -> Ordering {
    let (Ok(Some(da)), Ok(Some(db))) = (Decimal::parse(a), Decimal::parse(b)) else {
        return a.cmp(b);
    };
    let (na, sa, pa) = da.canonical();
    let (nb, sb, pb) = db.canonical();
    let sign = |neg: bool, sig: &[u8]| -> i8 {
        if sig.is_empty() {
            0
        } else if neg {
            -1
        } else {
            1
        }
    };
    let (ga, gb) = (sign(na, sa), sign(nb, sb));
    if ga != gb || ga == 0 {
        return ga.cmp(&gb);
    }
    // Same sign and both non-zero: magnitude decides, reversed when negative.
    let magnitude = pa.cmp(&pb).then_with(|| sa.cmp(sb));
    if ga < 0 {
        magnitude.reverse()
    } else {
        magnitude
    }
}

/// PostgreSQL's numeric text for a JSON number token (already checked by the lexer).
fn normalize_json_number(token: &str) -> Result<String, JsonError> {
    match Decimal::parse(token)? {
        Some(d) => d.to_numeric_text(),
        None => Err(JsonError::syntax()),
    }
}

// ---------------------------------------------------------------------------------------
// Lexer and parser (shared by json and jsonb)
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    LBrace,
    RBrace,
    LBracket,
    RBracket,
    Comma,
    Colon,
    /// A string; its de-escaped contents when the lexer de-escapes, else empty.
    Str(String),
    Num,
    True,
    False,
    Null,
    End,
}

/// A parsed node with the byte span it was written at, so `json` operators can hand back
/// sub-texts exactly as written.
#[derive(Debug)]
struct Node {
    start: usize,
    end: usize,
    kind: NodeKind,
}

#[derive(Debug)]
enum NodeKind {
    Null,
    Bool(bool),
    /// Normalised numeric text when the parser normalises numbers, else empty.
    Num(String),
    Str(String),
    Arr(Vec<Node>),
    Obj(Vec<(String, Node)>),
}

/// The same two switches PostgreSQL's JSON parser has: whether strings are de-escaped
/// (which is what rejects `\u0000` and unpaired surrogates) and whether numbers are
/// converted to numeric (which is what rejects out-of-range numbers, jsonb only).
struct Parser<'a> {
    text: &'a str,
    pos: usize,
    deescape: bool,
    numbers: bool,
}

fn is_json_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r')
}

/// PostgreSQL lexes a run of these as one word, so `1x` or `truex` is one bad token.
fn is_json_alnum(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

impl<'a> Parser<'a> {
    fn new(text: &'a str, deescape: bool, numbers: bool) -> Self {
        Parser {
            text,
            pos: 0,
            deescape,
            numbers,
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// Lexes the next token, returning it with its start offset.
    fn next(&mut self) -> Result<(Tok, usize), JsonError> {
        let b = self.bytes();
        while self.pos < b.len() && is_json_space(b[self.pos]) {
            self.pos += 1;
        }
        let start = self.pos;
        let Some(&c) = b.get(self.pos) else {
            return Ok((Tok::End, start));
        };
        let punct = match c {
            b'{' => Some(Tok::LBrace),
            b'}' => Some(Tok::RBrace),
            b'[' => Some(Tok::LBracket),
            b']' => Some(Tok::RBracket),
            b',' => Some(Tok::Comma),
            b':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(t) = punct {
            self.pos += 1;
            return Ok((t, start));
        }
        if c == b'"' {
            return self.string().map(|s| (Tok::Str(s), start));
        }
        if c == b'-' || c.is_ascii_digit() {
            self.number()?;
            return Ok((Tok::Num, start));
        }
        let mut end = self.pos;
        while end < b.len() && is_json_alnum(b[end]) {
            end += 1;
        }
        let word = &b[self.pos..end];
        self.pos = end;
        match word {
            b"true" => Ok((Tok::True, start)),
            b"false" => Ok((Tok::False, start)),
            b"null" => Ok((Tok::Null, start)),
            _ => Err(JsonError::syntax()),
        }
    }

    /// JSON number syntax exactly: `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`,
    /// not followed by a word character.
    fn number(&mut self) -> Result<(), JsonError> {
        let b = self.bytes();
        let mut i = self.pos;
        if b.get(i) == Some(&b'-') {
            i += 1;
        }
        match b.get(i) {
            Some(b'0') => i += 1,
            Some(b'1'..=b'9') => {
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            _ => return Err(JsonError::syntax()),
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == s {
                return Err(JsonError::syntax());
            }
        }
        if matches!(b.get(i), Some(b'e') | Some(b'E')) {
            i += 1;
            if matches!(b.get(i), Some(b'+') | Some(b'-')) {
                i += 1;
            }
            let s = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i == s {
                return Err(JsonError::syntax());
            }
        }
        if i < b.len() && is_json_alnum(b[i]) {
            return Err(JsonError::syntax());
        }
        self.pos = i;
        Ok(())
    }

    /// A string token starting at the opening quote. Escape syntax is always checked;
    /// surrogate pairing and `\u0000` only when de-escaping, as in PostgreSQL (which is
    /// why `'"\u0000"'::json` is accepted but `->` on it fails).
    fn string(&mut self) -> Result<String, JsonError> {
        let text = self.text;
        let b = text.as_bytes();
        let mut i = self.pos + 1;
        let mut out = String::new();
        let mut high: Option<u32> = None;
        let mut run_start = i;
        loop {
            let Some(&c) = b.get(i) else {
                return Err(JsonError::syntax());
            };
            match c {
                b'"' => {
                    if self.deescape {
                        if high.is_some() {
                            return Err(JsonError::low_surrogate_missing());
                        }
                        out.push_str(text.get(run_start..i).unwrap_or(""));
                    }
                    self.pos = i + 1;
                    return Ok(out);
                }
                0x00..=0x1f => return Err(JsonError::syntax()),
                b'\\' => {
                    if self.deescape {
                        out.push_str(text.get(run_start..i).unwrap_or(""));
                    }
                    let Some(&e) = b.get(i + 1) else {
                        return Err(JsonError::syntax());
                    };
                    if e == b'u' {
                        let hex = b.get(i + 2..i + 6).ok_or_else(JsonError::syntax)?;
                        let mut code = 0u32;
                        for &h in hex {
                            let v = char::from(h).to_digit(16).ok_or_else(JsonError::syntax)?;
                            code = code * 16 + v;
                        }
                        i += 6;
                        if self.deescape {
                            let code = match (code, high) {
                                (0xD800..=0xDBFF, Some(_)) => {
                                    return Err(JsonError::syntax_detail(
                                        "Unicode high surrogate must not follow a high surrogate.",
                                    ))
                                }
                                (0xD800..=0xDBFF, None) => {
                                    high = Some(code);
                                    run_start = i;
                                    continue;
                                }
                                (0xDC00..=0xDFFF, Some(h)) => {
                                    high = None;
                                    0x10000 + ((h - 0xD800) << 10) + (code - 0xDC00)
                                }
                                (0xDC00..=0xDFFF, None) | (_, Some(_)) => {
                                    return Err(JsonError::low_surrogate_missing())
                                }
                                (c, None) => c,
                            };
                            if code == 0 {
                                return Err(JsonError::code_point_zero());
                            }
                            out.push(char::from_u32(code).ok_or_else(JsonError::syntax)?);
                        }
                    } else {
                        let ch = match e {
                            b'"' => '"',
                            b'\\' => '\\',
                            b'/' => '/',
                            b'b' => '\u{8}',
                            b'f' => '\u{c}',
                            b'n' => '\n',
                            b'r' => '\r',
                            b't' => '\t',
                            _ => return Err(JsonError::syntax()),
                        };
                        if self.deescape {
                            if high.is_some() {
                                return Err(JsonError::syntax());
                            }
                            out.push(ch);
                        }
                        i += 2;
                    }
                    run_start = i;
                }
                _ => {
                    if self.deescape && high.is_some() {
                        return Err(JsonError::syntax());
                    }
                    i += 1;
                }
            }
        }
    }

    /// Parses a whole document: one value and nothing after it. Iterative, with an
    /// explicit stack of open containers, so nesting costs heap rather than call stack.
    fn document(mut self) -> Result<Node, JsonError> {
        enum Open {
            Arr(usize, Vec<Node>),
            Obj(usize, Vec<(String, Node)>, String),
        }
        let mut stack: Vec<Open> = Vec::new();
        let (mut tok, mut start) = self.next()?;
        loop {
            // `tok` must begin a value here.
            let mut node = match tok {
                Tok::LBrace | Tok::LBracket => {
                    if stack.len() >= MAX_DEPTH {
                        return Err(JsonError::too_deep());
                    }
                    let (t2, s2) = self.next()?;
                    match (&tok, t2) {
                        (Tok::LBrace, Tok::RBrace) => Node {
                            start,
                            end: self.pos,
                            kind: NodeKind::Obj(Vec::new()),
                        },
                        (Tok::LBracket, Tok::RBracket) => Node {
                            start,
                            end: self.pos,
                            kind: NodeKind::Arr(Vec::new()),
                        },
                        (Tok::LBrace, t2) => {
                            let key = self.member_key(t2)?;
                            stack.push(Open::Obj(start, Vec::new(), key));
                            (tok, start) = self.next()?;
                            continue;
                        }
                        (_, t2) => {
                            stack.push(Open::Arr(start, Vec::new()));
                            (tok, start) = (t2, s2);
                            continue;
                        }
                    }
                }
                Tok::Str(s) => self.leaf(start, NodeKind::Str(s)),
                Tok::Num => {
                    let kind = if self.numbers {
                        let token = self.text.get(start..self.pos).unwrap_or("");
                        NodeKind::Num(normalize_json_number(token)?)
                    } else {
                        NodeKind::Num(String::new())
                    };
                    self.leaf(start, kind)
                }
                Tok::True => self.leaf(start, NodeKind::Bool(true)),
                Tok::False => self.leaf(start, NodeKind::Bool(false)),
                Tok::Null => self.leaf(start, NodeKind::Null),
                _ => return Err(JsonError::syntax()),
            };
            // A value is complete: hand it to its container, closing containers as
            // their closing tokens arrive.
            loop {
                let Some(top) = stack.last_mut() else {
                    return match self.next()?.0 {
                        Tok::End => Ok(node),
                        _ => Err(JsonError::syntax()),
                    };
                };
                let closer = match top {
                    Open::Arr(_, elems) => {
                        elems.push(node);
                        Tok::RBracket
                    }
                    Open::Obj(_, members, key) => {
                        members.push((std::mem::take(key), node));
                        Tok::RBrace
                    }
                };
                let t = self.next()?.0;
                if t == Tok::Comma {
                    if let Open::Obj(_, _, key) = top {
                        let t2 = self.next()?.0;
                        *key = self.member_key(t2)?;
                    }
                    (tok, start) = self.next()?;
                    break;
                }
                if t != closer {
                    return Err(JsonError::syntax());
                }
                let end = self.pos;
                node = match stack.pop() {
                    Some(Open::Arr(s, elems)) => Node {
                        start: s,
                        end,
                        kind: NodeKind::Arr(elems),
                    },
                    Some(Open::Obj(s, members, _)) => Node {
                        start: s,
                        end,
                        kind: NodeKind::Obj(members),
                    },
                    None => return Err(JsonError::syntax()),
                };
            }
        }
    }

    fn leaf(&self, start: usize, kind: NodeKind) -> Node {
        Node {
            start,
            end: self.pos,
            kind,
        }
    }

    /// A member key token followed by its colon.
    fn member_key(&mut self, tok: Tok) -> Result<String, JsonError> {
        let Tok::Str(key) = tok else {
            return Err(JsonError::syntax());
        };
        if self.next()?.0 != Tok::Colon {
            return Err(JsonError::syntax());
        }
        Ok(key)
    }
}

/// PostgreSQL's jsonb key order: shorter keys first, then bytewise.
fn key_order(a: &str, b: &str) -> Ordering {
    a.len()
        .cmp(&b.len())
        .then_with(|| a.as_bytes().cmp(b.as_bytes()))
}

/// Sorts object members the jsonb way and keeps the last of each duplicate key, as
/// `jsonb_in` does.
fn normalize_object(mut members: Vec<(String, Jsonb)>) -> Vec<(String, Jsonb)> {
    // A stable sort keeps duplicates in input order, so the last of a run is the last
    // written.
    members.sort_by(|a, b| key_order(&a.0, &b.0));
    let mut out: Vec<(String, Jsonb)> = Vec::with_capacity(members.len());
    for m in members {
        match out.last_mut() {
            Some(last) if last.0 == m.0 => *last = m,
            _ => out.push(m),
        }
    }
    out
}

/// Converts a parsed tree to jsonb (sorting and de-duplicating object keys), with an
/// explicit stack so deep documents do not use call stack.
fn node_to_jsonb(node: Node) -> Jsonb {
    enum Open {
        Arr(Vec<Jsonb>, std::vec::IntoIter<Node>),
        Obj(
            Vec<(String, Jsonb)>,
            std::vec::IntoIter<(String, Node)>,
            String,
        ),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut next = Some(node);
    loop {
        // Descend into `next` if it is a container; otherwise it is finished.
        let mut done = match next.take() {
            Some(n) => match n.kind {
                NodeKind::Null => Some(Jsonb::Null),
                NodeKind::Bool(b) => Some(Jsonb::Bool(b)),
                NodeKind::Num(x) => Some(Jsonb::Number(x)),
                NodeKind::Str(x) => Some(Jsonb::String(x)),
                NodeKind::Arr(e) => {
                    stack.push(Open::Arr(Vec::with_capacity(e.len()), e.into_iter()));
                    None
                }
                NodeKind::Obj(m) => {
                    stack.push(Open::Obj(
                        Vec::with_capacity(m.len()),
                        m.into_iter(),
                        String::new(),
                    ));
                    None
                }
            },
            None => None,
        };
        loop {
            let Some(top) = stack.last_mut() else {
                return done.unwrap_or(Jsonb::Null);
            };
            match top {
                Open::Arr(out, rest) => {
                    if let Some(v) = done.take() {
                        out.push(v);
                    }
                    if let Some(n) = rest.next() {
                        next = Some(n);
                        break;
                    }
                }
                Open::Obj(out, rest, key) => {
                    if let Some(v) = done.take() {
                        out.push((std::mem::take(key), v));
                    }
                    if let Some((k, n)) = rest.next() {
                        *key = k;
                        next = Some(n);
                        break;
                    }
                }
            }
            done = match stack.pop() {
                Some(Open::Arr(out, _)) => Some(Jsonb::Array(out)),
                Some(Open::Obj(out, _, _)) => Some(Jsonb::Object(normalize_object(out))),
                None => None,
            };
        }
    }
}

/// C's `strtol` followed by PostgreSQL's `strtoint` checks, as used for path elements:
/// leading whitespace and a sign allowed, nothing after the digits, must fit in int4.
fn pg_strtoint(s: &str) -> Option<i32> {
    let t = s.trim_start_matches([' ', '\t', '\n', '\u{b}', '\u{c}', '\r']);
    let (negative, digits) = match t.as_bytes().first() {
        Some(b'-') => (true, &t[1..]),
        Some(b'+') => (false, &t[1..]),
        _ => (false, t),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut v: i64 = 0;
    for b in digits.bytes() {
        v = v * 10 + i64::from(b - b'0');
        if v > i64::from(i32::MAX) + 1 {
            return None;
        }
    }
    let v = if negative { -v } else { v };
    i32::try_from(v).ok()
}

/// Resolves an index against a length, negative counting from the end.
fn resolve_index(index: i64, len: usize) -> Option<usize> {
    let len = len as i64;
    let i = if index < 0 { len + index } else { index };
    if (0..len).contains(&i) {
        Some(i as usize)
    } else {
        None
    }
}

/// PostgreSQL's `escape_json`: only `"`, `\` and control characters are escaped; `/` and
/// everything else (including DEL and non-ASCII) is written as is.
fn escape_json_into(out: &mut String, s: &str) {
    out.push('"');
    for ch in s.chars() {
        match ch {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn cast_error(from: &Jsonb, to: &str) -> JsonError {
    let what = match from {
        Jsonb::Null => "null",
        Jsonb::Bool(_) => "boolean",
        Jsonb::Number(_) => "numeric",
        Jsonb::String(_) => "string",
        Jsonb::Array(_) => "array",
        Jsonb::Object(_) => "object",
    };
    JsonError::invalid_parameter(&format!("cannot cast jsonb {what} to type {to}"))
}

fn is_scalar(v: &Jsonb) -> bool {
    !matches!(v, Jsonb::Array(_) | Jsonb::Object(_))
}

/// Equality of two scalars as jsonb compares them: numbers by value.
fn scalar_eq(a: &Jsonb, b: &Jsonb) -> bool {
    match (a, b) {
        (Jsonb::Null, Jsonb::Null) => true,
        (Jsonb::Bool(x), Jsonb::Bool(y)) => x == y,
        (Jsonb::Number(x), Jsonb::Number(y)) => compare_numbers(x, y) == Ordering::Equal,
        (Jsonb::String(x), Jsonb::String(y)) => x == y,
        _ => false,
    }
}

/// The nesting depth of a value, stopping at `limit` so the walk stays bounded.
fn depth_of(v: &Jsonb, limit: usize) -> usize {
    let mut max = 0;
    let mut stack = vec![(v, 0usize)];
    while let Some((v, d)) = stack.pop() {
        let children: Box<dyn Iterator<Item = &Jsonb>> = match v {
            Jsonb::Array(a) => Box::new(a.iter()),
            Jsonb::Object(o) => Box::new(o.iter().map(|(_, v)| v)),
            _ => continue,
        };
        let d = d + 1;
        max = max.max(d);
        if max > limit {
            return max;
        }
        stack.extend(children.map(|c| (c, d)));
    }
    max
}

impl PartialEq for Jsonb {
    /// jsonb `=`: numbers by exact value (`1 = 1.0`), objects by key set and values,
    /// arrays in order. Iterative so any depth is safe.
    fn eq(&self, other: &Self) -> bool {
        let mut stack = vec![(self, other)];
        while let Some((a, b)) = stack.pop() {
            match (a, b) {
                (Jsonb::Array(x), Jsonb::Array(y)) => {
                    if x.len() != y.len() {
                        return false;
                    }
                    stack.extend(x.iter().zip(y.iter()));
                }
                (Jsonb::Object(x), Jsonb::Object(y)) => {
                    if x.len() != y.len() {
                        return false;
                    }
                    for (k, v) in x {
                        match lookup(y, k) {
                            Some(w) => stack.push((v, w)),
                            None => return false,
                        }
                    }
                }
                _ => {
                    if !scalar_eq(a, b) {
                        return false;
                    }
                }
            }
        }
        true
    }
}

/// Finds a key in object members; binary search when they are in jsonb order, which
/// everything this module builds is, with a linear fallback for hand-built values.
fn lookup<'v>(members: &'v [(String, Jsonb)], key: &str) -> Option<&'v Jsonb> {
    match members.binary_search_by(|(k, _)| key_order(k, key)) {
        Ok(i) => members.get(i).map(|(_, v)| v),
        Err(_) => members.iter().rev().find(|(k, _)| k == key).map(|(_, v)| v),
    }
}

impl Jsonb {
    /// `jsonb_in`: parses JSON text, normalising numbers and objects as jsonb stores
    /// them.
    pub fn parse(text: &str) -> Result<Jsonb, JsonError> {
        Parser::new(text, true, true).document().map(node_to_jsonb)
    }

    /// `jsonb_out`: `{"a": 1, "b": [1, 2]}` with `", "` and `": "` separators. Iterative
    /// so any depth is safe.
    pub fn to_text(&self) -> String {
        enum Work<'v> {
            Value(&'v Jsonb),
            Key(&'v str),
            Text(&'static str),
        }
        let mut out = String::new();
        let mut stack = vec![Work::Value(self)];
        while let Some(w) = stack.pop() {
            match w {
                Work::Text(t) => out.push_str(t),
                Work::Key(k) => {
                    escape_json_into(&mut out, k);
                    out.push_str(": ");
                }
                Work::Value(v) => match v {
                    Jsonb::Null => out.push_str("null"),
                    Jsonb::Bool(true) => out.push_str("true"),
                    Jsonb::Bool(false) => out.push_str("false"),
                    Jsonb::Number(n) => out.push_str(n),
                    Jsonb::String(s) => escape_json_into(&mut out, s),
                    Jsonb::Array(a) => {
                        out.push('[');
                        stack.push(Work::Text("]"));
                        for (i, e) in a.iter().enumerate().rev() {
                            stack.push(Work::Value(e));
                            if i > 0 {
                                stack.push(Work::Text(", "));
                            }
                        }
                    }
                    Jsonb::Object(o) => {
                        out.push('{');
                        stack.push(Work::Text("}"));
                        for (i, (k, e)) in o.iter().enumerate().rev() {
                            stack.push(Work::Value(e));
                            stack.push(Work::Key(k));
                            if i > 0 {
                                stack.push(Work::Text(", "));
                            }
                        }
                    }
                },
            }
        }
        out
    }

    /// `->`: a key on an object, an index on an array. Quirk kept from PostgreSQL: a
    /// scalar is stored as a one-element array, so `'"x"'::jsonb -> 0` (and `-> -1`)
    /// return the scalar itself.
    pub fn get(&self, step: Step) -> Option<&Jsonb> {
        match (self, step) {
            (Jsonb::Object(o), Step::Key(k)) => lookup(o, k),
            (Jsonb::Array(a), Step::Index(i)) => resolve_index(i, a.len()).and_then(|i| a.get(i)),
            (Jsonb::Array(_) | Jsonb::Object(_), _) => None,
            (_, Step::Index(0 | -1)) => Some(self),
            _ => None,
        }
    }

    /// `#>`: follows a path; any NULL element makes the result NULL, an empty path
    /// returns the value itself, array steps must be integers (`strtol` syntax) and
    /// scalars are never descended into (unlike `->`, no raw-scalar quirk here).
    pub fn get_path<P: PathElem>(&self, path: &[P]) -> Option<&Jsonb> {
        if path.iter().any(|p| p.path_elem().is_none()) {
            return None;
        }
        let mut cur = self;
        for p in path {
            let elem = p.path_elem()?;
            cur = match cur {
                Jsonb::Object(o) => lookup(o, elem)?,
                Jsonb::Array(a) => {
                    let i = pg_strtoint(elem)?;
                    a.get(resolve_index(i64::from(i), a.len())?)?
                }
                _ => return None,
            };
        }
        Some(cur)
    }

    /// `->>` / `#>>` conversion: a string's contents, SQL NULL for JSON null, otherwise
    /// the jsonb text.
    pub fn as_text(&self) -> Option<String> {
        match self {
            Jsonb::Null => None,
            Jsonb::String(s) => Some(s.clone()),
            other => Some(other.to_text()),
        }
    }

    /// `@>`. At top level an array contains a bare scalar it has as an element
    /// (`'[1,2]' @> '1'`), because PostgreSQL stores the scalar as a one-element array;
    /// nested, the types must match (`'{"a":[1,2]}' @> '{"a":1}'` is false), and a
    /// scalar never contains an array.
    pub fn contains(&self, other: &Jsonb) -> bool {
        match (self, other) {
            (Jsonb::Array(a), o) if is_scalar(o) => {
                a.iter().any(|e| is_scalar(e) && scalar_eq(e, o))
            }
            _ => deep_contains(self, other),
        }
    }

    /// `?`: a top-level object key, a string element of a top-level array, or a string
    /// scalar equal to it.
    pub fn exists(&self, key: &str) -> bool {
        match self {
            Jsonb::Object(o) => lookup(o, key).is_some(),
            Jsonb::Array(a) => a.iter().any(|e| matches!(e, Jsonb::String(s) if s == key)),
            Jsonb::String(s) => s == key,
            _ => false,
        }
    }

    /// `||`: two objects merge (right side wins, shallow); anything else concatenates
    /// as arrays, where an array contributes its elements and an object or scalar
    /// itself.
    pub fn concat(&self, other: &Jsonb) -> Jsonb {
        match (self, other) {
            (Jsonb::Object(a), Jsonb::Object(b)) => {
                let mut members = a.clone();
                members.extend(b.iter().cloned());
                Jsonb::Object(normalize_object(members))
            }
            _ => {
                let mut out = Vec::new();
                for side in [self, other] {
                    match side {
                        Jsonb::Array(a) => out.extend(a.iter().cloned()),
                        v => out.push(v.clone()),
                    }
                }
                Jsonb::Array(out)
            }
        }
    }

    /// `- text`: drops a key from an object or every equal string element from an
    /// array; PostgreSQL refuses scalars.
    pub fn delete_key(&self, key: &str) -> Result<Jsonb, JsonError> {
        match self {
            Jsonb::Object(o) => Ok(Jsonb::Object(
                o.iter().filter(|(k, _)| k != key).cloned().collect(),
            )),
            Jsonb::Array(a) => Ok(Jsonb::Array(
                a.iter()
                    .filter(|e| !matches!(e, Jsonb::String(s) if s == key))
                    .cloned()
                    .collect(),
            )),
            _ => Err(JsonError::invalid_parameter("cannot delete from scalar")),
        }
    }

    /// `- int`: drops one array element (negative from the end; out of range leaves the
    /// array unchanged); PostgreSQL refuses objects and scalars.
    pub fn delete_index(&self, i: i64) -> Result<Jsonb, JsonError> {
        match self {
            Jsonb::Array(a) => {
                let mut out = a.clone();
                if let Some(i) = resolve_index(i, a.len()) {
                    out.remove(i);
                }
                Ok(Jsonb::Array(out))
            }
            Jsonb::Object(_) => Err(JsonError::invalid_parameter(
                "cannot delete from object using integer index",
            )),
            _ => Err(JsonError::invalid_parameter("cannot delete from scalar")),
        }
    }

    /// `jsonb_typeof`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Jsonb::Null => "null",
            Jsonb::Bool(_) => "boolean",
            Jsonb::Number(_) => "number",
            Jsonb::String(_) => "string",
            Jsonb::Array(_) => "array",
            Jsonb::Object(_) => "object",
        }
    }

    /// `jsonb_array_length`, with PostgreSQL's two different refusals.
    pub fn array_length(&self) -> Result<i64, JsonError> {
        match self {
            Jsonb::Array(a) => Ok(a.len() as i64),
            Jsonb::Object(_) => Err(JsonError::invalid_parameter(
                "cannot get array length of a non-array",
            )),
            _ => Err(JsonError::invalid_parameter(
                "cannot get array length of a scalar",
            )),
        }
    }

    /// `jsonb_strip_nulls`: drops null-valued object fields at every level; null array
    /// elements stay.
    pub fn strip_nulls(&self) -> Jsonb {
        rebuild(self, true)
    }

    /// `jsonb_set(target, path, new, create_missing)`, following PostgreSQL's `setPath`:
    /// a scalar target is refused even with an empty path; an empty path, or an empty
    /// container with `create_missing` false, returns the target unchanged; only the last
    /// path step can create (a key, or an element appended past the end / prepended
    /// before the start); a path through a scalar or a missing key changes nothing; a
    /// NULL or non-integer step errors only when the walk reaches it.
    pub fn set<P: PathElem>(
        &self,
        path: &[P],
        new: Jsonb,
        create_missing: bool,
    ) -> Result<Jsonb, JsonError> {
        if is_scalar(self) {
            return Err(JsonError::invalid_parameter("cannot set path in scalar"));
        }
        let empty = match self {
            Jsonb::Array(a) => a.is_empty(),
            Jsonb::Object(o) => o.is_empty(),
            _ => false,
        };
        if (empty && !create_missing) || path.is_empty() {
            return Ok(self.clone());
        }
        // The result nests at most path length plus the new value's depth.
        if path.len().saturating_add(depth_of(&new, MAX_DEPTH)) > MAX_DEPTH {
            return Err(JsonError::too_deep());
        }
        set_path(self, path, &new, create_missing)
    }

    /// jsonb → smallint/integer/bigint (`bits` 16, 32, anything else 64): numbers round
    /// half away from zero, as numeric's casts do.
    pub fn to_int(&self, bits: u32) -> Result<i64, JsonError> {
        let (name, min, max) = match bits {
            16 => ("smallint", i64::from(i16::MIN), i64::from(i16::MAX)),
            32 => ("integer", i64::from(i32::MIN), i64::from(i32::MAX)),
            _ => ("bigint", i64::MIN, i64::MAX),
        };
        let Jsonb::Number(n) = self else {
            return Err(cast_error(self, name));
        };
        let out_of_range = || JsonError::new("22003", format!("{name} out of range"));
        let text = canonical_number_text(n)?;
        let (negative, body) = match text.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, text.as_str()),
        };
        let (int_part, frac_part) = body.split_once('.').unwrap_or((body, ""));
        if int_part.len() > 20 {
            return Err(out_of_range());
        }
        let mut magnitude: i128 = 0;
        for b in int_part.bytes() {
            magnitude = magnitude * 10 + i128::from(b.wrapping_sub(b'0'));
        }
        if frac_part.as_bytes().first().is_some_and(|&d| d >= b'5') {
            magnitude += 1;
        }
        let value = if negative { -magnitude } else { magnitude };
        if value < i128::from(min) || value > i128::from(max) {
            return Err(out_of_range());
        }
        i64::try_from(value).map_err(|_| out_of_range())
    }

    /// jsonb → double precision, through numeric's text as PostgreSQL does, so overflow
    /// and underflow to zero give `float8in`'s out-of-range error quoting that text.
    pub fn to_f64(&self) -> Result<f64, JsonError> {
        let Jsonb::Number(n) = self else {
            return Err(cast_error(self, "double precision"));
        };
        let text = canonical_number_text(n)?;
        let range = || {
            JsonError::new(
                "22003",
                format!("\"{text}\" is out of range for type double precision"),
            )
        };
        let v: f64 = text.parse().map_err(|_| range())?;
        let zero_text = text.bytes().all(|b| matches!(b, b'0' | b'.' | b'-'));
        if v.is_infinite() || (v == 0.0 && !zero_text) {
            return Err(range());
        }
        // numeric has no negative zero.
        Ok(if v == 0.0 { 0.0 } else { v })
    }

    /// jsonb → numeric: the number's numeric text.
    pub fn to_numeric_text(&self) -> Result<String, JsonError> {
        match self {
            Jsonb::Number(n) => canonical_number_text(n),
            _ => Err(cast_error(self, "numeric")),
        }
    }

    /// jsonb → boolean.
    pub fn to_bool(&self) -> Result<bool, JsonError> {
        match self {
            Jsonb::Bool(b) => Ok(*b),
            _ => Err(cast_error(self, "boolean")),
        }
    }

    /// `to_jsonb(text)`: a JSON string.
    pub fn from_sql_text(s: &str) -> Jsonb {
        Jsonb::String(s.to_string())
    }

    /// `to_jsonb` of an SQL number given as its output text (integer, numeric or float
    /// text such as `1e+300`): normalised as numeric prints it. `NaN` and the infinities
    /// become JSON strings, as PostgreSQL does; text that is not a number at all also
    /// becomes a string rather than an invalid number.
    pub fn from_number_text(s: &str) -> Jsonb {
        let t = s.trim();
        match t.to_ascii_lowercase().as_str() {
            "nan" => return Jsonb::String("NaN".into()),
            "infinity" | "+infinity" | "inf" | "+inf" => return Jsonb::String("Infinity".into()),
            "-infinity" | "-inf" => return Jsonb::String("-Infinity".into()),
            _ => {}
        }
        match Decimal::parse(t) {
            Ok(Some(d)) => match d.to_numeric_text() {
                Ok(n) => Jsonb::Number(n),
                Err(_) => Jsonb::String(t.to_string()),
            },
            _ => Jsonb::String(t.to_string()),
        }
    }
}

/// A number's numeric text, re-normalised in case the value was built by hand.
fn canonical_number_text(n: &str) -> Result<String, JsonError> {
    match Decimal::parse(n)? {
        Some(d) => d.to_numeric_text(),
        None => Err(JsonError::new(
            "22P02",
            format!("invalid input syntax for type numeric: \"{n}\""),
        )),
    }
}

/// PostgreSQL's `JsonbDeepContains` below the top level: container types must match;
/// object values are compared key by key; each contained array element must match some
/// element of the containing array (order and duplicates ignored). Evaluated with an
/// explicit stack of pending comparisons so depth costs heap, not call stack.
fn deep_contains(val: &Jsonb, cont: &Jsonb) -> bool {
    enum Frame<'v> {
        Obj(&'v [(String, Jsonb)], &'v [(String, Jsonb)], usize),
        /// Containing elements, contained elements, contained index, candidate index.
        Arr(&'v [Jsonb], &'v [Jsonb], usize, usize),
    }
    fn start<'v>(v: &'v Jsonb, c: &'v Jsonb) -> Result<bool, Frame<'v>> {
        match (v, c) {
            (Jsonb::Object(v), Jsonb::Object(c)) => Err(Frame::Obj(v, c, 0)),
            (Jsonb::Array(v), Jsonb::Array(c)) => Err(Frame::Arr(v, c, 0, 0)),
            (a, b) if is_scalar(a) && is_scalar(b) => Ok(scalar_eq(a, b)),
            _ => Ok(false),
        }
    }
    let mut stack = match start(val, cont) {
        Ok(r) => return r,
        Err(f) => vec![f],
    };
    // The result of the frame last popped, for its parent.
    let mut child: Option<bool> = None;
    while let Some(top) = stack.last_mut() {
        let mut push = None;
        let outcome: Option<bool> = match top {
            Frame::Obj(v, c, i) => match child.take() {
                Some(false) => Some(false),
                r => {
                    if r == Some(true) {
                        *i += 1;
                    }
                    let mut out = Some(true);
                    while let Some((k, cv)) = c.get(*i) {
                        let Some(vv) = lookup(v, k) else {
                            out = Some(false);
                            break;
                        };
                        match (is_scalar(vv), is_scalar(cv)) {
                            (true, true) if scalar_eq(vv, cv) => *i += 1,
                            (false, false) => match start(vv, cv) {
                                Ok(true) => *i += 1,
                                Ok(false) => {
                                    out = Some(false);
                                    break;
                                }
                                Err(f) => {
                                    push = Some(f);
                                    out = None;
                                    break;
                                }
                            },
                            _ => {
                                out = Some(false);
                                break;
                            }
                        }
                    }
                    out
                }
            },
            Frame::Arr(v, c, i, j) => {
                match child.take() {
                    Some(true) => {
                        *i += 1;
                        *j = 0;
                    }
                    Some(false) => *j += 1,
                    None => {}
                }
                let mut out = Some(true);
                while let Some(ce) = c.get(*i) {
                    if is_scalar(ce) {
                        if v.iter().any(|ve| is_scalar(ve) && scalar_eq(ve, ce)) {
                            *i += 1;
                            *j = 0;
                            continue;
                        }
                        out = Some(false);
                        break;
                    }
                    // Next container candidate from `j` on.
                    let Some(ve) = v.get(*j..).and_then(|rest| {
                        rest.iter().position(|ve| !is_scalar(ve)).map(|p| {
                            *j += p;
                            &rest[p]
                        })
                    }) else {
                        out = Some(false);
                        break;
                    };
                    match start(ve, ce) {
                        Ok(true) => {
                            *i += 1;
                            *j = 0;
                        }
                        Ok(false) => *j += 1,
                        Err(f) => {
                            push = Some(f);
                            out = None;
                            break;
                        }
                    }
                }
                out
            }
        };
        match (outcome, push) {
            (_, Some(f)) => stack.push(f),
            (Some(r), None) => {
                stack.pop();
                child = Some(r);
            }
            (None, None) => {
                stack.pop();
                child = Some(false);
            }
        }
    }
    child.unwrap_or(false)
}

/// Copies a value with an explicit stack (so any depth is safe), optionally dropping
/// null-valued object members at every level (`jsonb_strip_nulls`).
fn rebuild(v: &Jsonb, strip_nulls: bool) -> Jsonb {
    enum Open<'v> {
        Arr(Vec<Jsonb>, std::slice::Iter<'v, Jsonb>),
        Obj(
            Vec<(String, Jsonb)>,
            std::slice::Iter<'v, (String, Jsonb)>,
            &'v str,
        ),
    }
    let mut stack: Vec<Open> = Vec::new();
    let mut next = Some(v);
    loop {
        let mut done = match next.take() {
            Some(Jsonb::Array(a)) => {
                stack.push(Open::Arr(Vec::with_capacity(a.len()), a.iter()));
                None
            }
            Some(Jsonb::Object(o)) => {
                stack.push(Open::Obj(Vec::with_capacity(o.len()), o.iter(), ""));
                None
            }
            Some(Jsonb::Null) => Some(Jsonb::Null),
            Some(Jsonb::Bool(b)) => Some(Jsonb::Bool(*b)),
            Some(Jsonb::Number(n)) => Some(Jsonb::Number(n.clone())),
            Some(Jsonb::String(s)) => Some(Jsonb::String(s.clone())),
            None => None,
        };
        loop {
            let Some(top) = stack.last_mut() else {
                return done.unwrap_or(Jsonb::Null);
            };
            match top {
                Open::Arr(out, rest) => {
                    if let Some(d) = done.take() {
                        out.push(d);
                    }
                    if let Some(n) = rest.next() {
                        next = Some(n);
                        break;
                    }
                }
                Open::Obj(out, rest, key) => {
                    if let Some(d) = done.take() {
                        out.push(((*key).to_string(), d));
                    }
                    let found = rest.find(|(_, e)| !(strip_nulls && matches!(e, Jsonb::Null)));
                    if let Some((k, n)) = found {
                        *key = k;
                        next = Some(n);
                        break;
                    }
                }
            }
            done = match stack.pop() {
                Some(Open::Arr(out, _)) => Some(Jsonb::Array(out)),
                Some(Open::Obj(out, _, _)) => Some(Jsonb::Object(out)),
                None => None,
            };
        }
    }
}

impl Clone for Jsonb {
    /// Iterative, unlike a derived clone, so a value nested thousands deep can be copied
    /// on a small thread stack.
    fn clone(&self) -> Self {
        rebuild(self, false)
    }
}

/// PostgreSQL's `setPath`, walked iteratively: descend while the path matches, then put
/// the copies back together bottom-up. The NULL check comes first at every level
/// reached, for whatever value is there, scalars included.
fn set_path<P: PathElem>(
    root: &Jsonb,
    path: &[P],
    new: &Jsonb,
    create: bool,
) -> Result<Jsonb, JsonError> {
    /// A copy of a container on the path, with a placeholder at the slot the walk went
    /// down through.
    enum Parent {
        Obj(Vec<(String, Jsonb)>, usize),
        Arr(Vec<Jsonb>, usize),
    }
    let mut parents: Vec<Parent> = Vec::new();
    let mut cur = root;
    let mut level = 0;
    let mut result = loop {
        let Some(step) = path.get(level) else {
            break cur.clone();
        };
        let Some(elem) = step.path_elem() else {
            return Err(JsonError::new(
                "22004",
                format!("path element at position {} is null", level + 1),
            ));
        };
        let last = level + 1 == path.len();
        match cur {
            Jsonb::Object(o) => match o.iter().position(|(k, _)| k == elem) {
                Some(i) if last => {
                    let mut members = o.clone();
                    members[i].1 = new.clone();
                    break Jsonb::Object(members);
                }
                Some(i) => {
                    let copy = o
                        .iter()
                        .enumerate()
                        .map(|(j, (k, v))| {
                            (k.clone(), if j == i { Jsonb::Null } else { v.clone() })
                        })
                        .collect();
                    parents.push(Parent::Obj(copy, i));
                    cur = &o[i].1;
                }
                None => {
                    let mut members = o.clone();
                    if create && last {
                        members.push((elem.to_string(), new.clone()));
                        members = normalize_object(members);
                    }
                    break Jsonb::Object(members);
                }
            },
            Jsonb::Array(a) => {
                let Some(idx) = pg_strtoint(elem) else {
                    return Err(JsonError::new(
                        "22P02",
                        format!(
                            "path element at position {} is not an integer: \"{elem}\"",
                            level + 1
                        ),
                    ));
                };
                let n = a.len() as i64;
                let idx = i64::from(idx);
                // PostgreSQL maps "before the start" to prepend and "past the end" to
                // append.
                let target = if idx < 0 {
                    if -idx > n {
                        None
                    } else {
                        Some(n + idx)
                    }
                } else {
                    Some(idx.min(n))
                };
                match target {
                    Some(t) if t < n && !last => {
                        let t = t as usize;
                        let copy = a
                            .iter()
                            .enumerate()
                            .map(|(j, v)| if j == t { Jsonb::Null } else { v.clone() })
                            .collect();
                        parents.push(Parent::Arr(copy, t));
                        cur = &a[t];
                    }
                    Some(t) if t < n => {
                        let mut out = a.clone();
                        out[t as usize] = new.clone();
                        break Jsonb::Array(out);
                    }
                    Some(_) => {
                        let mut out = a.clone();
                        if create && last {
                            out.push(new.clone());
                        }
                        break Jsonb::Array(out);
                    }
                    None => {
                        let mut out = a.clone();
                        if create && last {
                            out.insert(0, new.clone());
                        }
                        break Jsonb::Array(out);
                    }
                }
            }
            other => break other.clone(),
        }
        level += 1;
    };
    while let Some(parent) = parents.pop() {
        result = match parent {
            Parent::Obj(mut members, i) => {
                if let Some(slot) = members.get_mut(i) {
                    slot.1 = result;
                }
                Jsonb::Object(members)
            }
            Parent::Arr(mut elems, i) => {
                if let Some(slot) = elems.get_mut(i) {
                    *slot = result;
                }
                Jsonb::Array(elems)
            }
        };
    }
    Ok(result)
}

// ---------------------------------------------------------------------------------------
// json (text) operators
// ---------------------------------------------------------------------------------------

/// `->` on json: the member or element text exactly as written. PostgreSQL parses (and
/// de-escapes) the whole document for this, so a `\u0000` or unpaired surrogate anywhere
/// in it is an error here even though `json_in` accepted it; with duplicate keys the last
/// one wins.
pub fn json_get(doc: &str, step: Step) -> Result<Option<String>, JsonError> {
    let root = Parser::new(doc, true, false).document()?;
    let found = match step {
        Step::Key(k) => json_search(doc, &root, &[JsonStep::Key(k)]),
        Step::Index(i) => json_search(doc, &root, &[JsonStep::Index(i)]),
    };
    Ok(found)
}

/// `#>` on json: like [`json_get`] along a path. Any NULL element gives NULL; an empty
/// path gives the whole document without its surrounding whitespace; a step that is not
/// an integer never matches an array element. With duplicate keys anywhere on the path,
/// the last complete match in document order wins.
pub fn json_get_path<P: PathElem>(doc: &str, path: &[P]) -> Result<Option<String>, JsonError> {
    let root = Parser::new(doc, true, false).document()?;
    let mut steps = Vec::with_capacity(path.len());
    for p in path {
        let Some(e) = p.path_elem() else {
            return Ok(None);
        };
        steps.push(JsonStep::Path(e));
    }
    Ok(json_search(doc, &root, &steps))
}

enum JsonStep<'p> {
    Key(&'p str),
    Index(i64),
    /// A `#>` element: a key for objects, an integer (if it is one) for arrays.
    Path(&'p str),
}

/// Finds the sub-text a path selects. A depth-first walk in document order with an
/// explicit stack; the last complete match met wins, which is PostgreSQL's rule for
/// duplicate keys.
fn json_search(doc: &str, root: &Node, steps: &[JsonStep]) -> Option<String> {
    let mut found: Option<&Node> = None;
    let mut stack: Vec<(&Node, usize)> = vec![(root, 0)];
    while let Some((node, level)) = stack.pop() {
        let Some(step) = steps.get(level) else {
            found = Some(node);
            continue;
        };
        match &node.kind {
            NodeKind::Obj(members) => {
                let key = match step {
                    JsonStep::Key(k) | JsonStep::Path(k) => *k,
                    JsonStep::Index(_) => continue,
                };
                // Reversed so the first member is visited first.
                for (k, v) in members.iter().rev() {
                    if k == key {
                        stack.push((v, level + 1));
                    }
                }
            }
            NodeKind::Arr(elems) => {
                let index = match step {
                    JsonStep::Index(i) => Some(*i),
                    JsonStep::Path(p) => pg_strtoint(p).map(i64::from),
                    JsonStep::Key(_) => None,
                };
                if let Some(e) = index
                    .and_then(|i| resolve_index(i, elems.len()))
                    .and_then(|i| elems.get(i))
                {
                    stack.push((e, level + 1));
                }
            }
            _ => {}
        }
    }
    found
        .and_then(|n| doc.get(n.start..n.end))
        .map(str::to_string)
}

/// `->>` conversion of a json sub-text from [`json_get`]: a string de-escaped, JSON null
/// as SQL NULL, anything else the text as is. Text that does not parse (it cannot come
/// from `json_get`) is returned unchanged.
pub fn json_as_text(raw: &str) -> Option<String> {
    match Parser::new(raw, true, false).document() {
        Ok(Node {
            kind: NodeKind::Str(s),
            ..
        }) => Some(s),
        Ok(Node {
            kind: NodeKind::Null,
            ..
        }) => None,
        _ => Some(raw.to_string()),
    }
}

/// `json_typeof`. Validates the document (without de-escaping, as `json_in` does).
pub fn json_typeof(doc: &str) -> Result<&'static str, JsonError> {
    let root = Parser::new(doc, false, false).document()?;
    Ok(match root.kind {
        NodeKind::Null => "null",
        NodeKind::Bool(_) => "boolean",
        NodeKind::Num(_) => "number",
        NodeKind::Str(_) => "string",
        NodeKind::Arr(_) => "array",
        NodeKind::Obj(_) => "object",
    })
}

/// `json_array_length`: same refusals as jsonb's. PostgreSQL raises them as soon as it
/// sees the first token, before checking the rest, so this does too.
pub fn json_array_length(doc: &str) -> Result<i64, JsonError> {
    let mut first = Parser::new(doc, false, false);
    match first.next()?.0 {
        Tok::LBrace => Err(JsonError::invalid_parameter(
            "cannot get array length of a non-array",
        )),
        Tok::LBracket => match Parser::new(doc, false, false).document()?.kind {
            NodeKind::Arr(a) => Ok(a.len() as i64),
            _ => Err(JsonError::syntax()),
        },
        Tok::Str(_) | Tok::Num | Tok::True | Tok::False | Tok::Null => Err(
            JsonError::invalid_parameter("cannot get array length of a scalar"),
        ),
        _ => Err(JsonError::syntax()),
    }
}

// ---------------------------------------------------------------------------------------
// text[] literals
// ---------------------------------------------------------------------------------------

/// Maximum array dimensions PostgreSQL allows.
const MAXDIM: usize = 6;

/// PostgreSQL's `text[]` input (`array_in`) for path arguments, flattened in storage
/// order as `deconstruct_array` hands them to `#>`/`jsonb_set`. An unquoted `NULL` (any
/// case) is SQL NULL (`None`): `#>` then returns NULL, `jsonb_set` errors when it reaches
/// it. Multi-dimensional literals and `[lo:hi]=` dimension decorations are accepted and
/// checked the way PostgreSQL checks them.
pub fn parse_text_array(literal: &str) -> Result<Vec<Option<String>>, JsonError> {
    let malformed = || JsonError::new("22P02", format!("malformed array literal: \"{literal}\""));
    let mut p = ArrayParser {
        chars: literal.chars().collect(),
        pos: 0,
    };
    p.skip_space();
    let mut declared: Vec<i64> = Vec::new();
    while p.peek() == Some('[') {
        if declared.len() >= MAXDIM {
            return Err(JsonError::new(
                "54000",
                format!(
                    "number of array dimensions ({}) exceeds the maximum allowed ({MAXDIM})",
                    declared.len() + 1
                ),
            ));
        }
        p.pos += 1;
        p.skip_space();
        let first = p.integer().ok_or_else(malformed)?;
        p.skip_space();
        let (lower, upper) = if p.peek() == Some(':') {
            p.pos += 1;
            p.skip_space();
            let second = p.integer().ok_or_else(malformed)?;
            p.skip_space();
            (first, second)
        } else {
            (1, first)
        };
        if p.peek() != Some(']') {
            return Err(malformed());
        }
        p.pos += 1;
        if upper < lower {
            return Err(JsonError::new(
                "2202E",
                "upper bound cannot be less than lower bound",
            ));
        }
        declared.push(upper - lower + 1);
    }
    if !declared.is_empty() {
        p.skip_space();
        if p.peek() != Some('=') {
            return Err(malformed());
        }
        p.pos += 1;
        p.skip_space();
    }
    if p.peek() != Some('{') {
        return Err(malformed());
    }
    let mut out = Vec::new();
    let dims = p
        .braced(1, &mut out)
        .map_err(|e| e.unwrap_or_else(malformed))?;
    p.skip_space();
    if p.pos != p.chars.len() {
        return Err(malformed());
    }
    if !declared.is_empty() {
        let actual: Vec<i64> = dims.iter().map(|&d| d as i64).collect();
        if actual != declared {
            return Err(malformed());
        }
    }
    Ok(out)
}

struct ArrayParser {
    chars: Vec<char>,
    pos: usize,
}

/// `array_isspace`: C's isspace set.
fn is_array_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\n' | '\r' | '\u{b}' | '\u{c}')
}

impl ArrayParser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while self.peek().is_some_and(is_array_space) {
            self.pos += 1;
        }
    }

    fn integer(&mut self) -> Option<i64> {
        let start = self.pos;
        if matches!(self.peek(), Some('-') | Some('+')) {
            self.pos += 1;
        }
        let digits_start = self.pos;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
        }
        if self.pos == digits_start || self.pos - digits_start > 10 {
            return None;
        }
        let s: String = self.chars.get(start..self.pos)?.iter().collect();
        s.parse().ok()
    }

    /// Parses one `{...}` level (cursor on the `{`), appending elements to `out`, and
    /// returns the dimensions found. `Err(None)` means "malformed array literal"; other
    /// errors are passed through.
    fn braced(
        &mut self,
        depth: usize,
        out: &mut Vec<Option<String>>,
    ) -> Result<Vec<usize>, Option<JsonError>> {
        if depth > MAXDIM {
            return Err(Some(JsonError::new(
                "54000",
                format!(
                    "number of array dimensions ({depth}) exceeds the maximum allowed ({MAXDIM})"
                ),
            )));
        }
        self.pos += 1;
        self.skip_space();
        if self.peek() == Some('}') {
            // Only the outermost level may be empty: `{{}}` is refused.
            if depth == 1 {
                self.pos += 1;
                return Ok(vec![0]);
            }
            return Err(None);
        }
        let mut count = 0usize;
        let mut sub_dims: Option<Vec<usize>> = None;
        let mut has_scalars = false;
        loop {
            self.skip_space();
            match self.peek() {
                None => return Err(None),
                Some('{') => {
                    if has_scalars {
                        return Err(None);
                    }
                    let d = self.braced(depth + 1, out)?;
                    match &sub_dims {
                        Some(prev) if *prev != d => return Err(None),
                        _ => sub_dims = Some(d),
                    }
                }
                Some(',') | Some('}') => return Err(None),
                Some(_) => {
                    if sub_dims.is_some() {
                        return Err(None);
                    }
                    has_scalars = true;
                    out.push(self.element()?);
                }
            }
            count += 1;
            self.skip_space();
            match self.peek() {
                Some(',') => self.pos += 1,
                Some('}') => {
                    self.pos += 1;
                    let mut dims = vec![count];
                    dims.extend(sub_dims.unwrap_or_default());
                    return Ok(dims);
                }
                _ => return Err(None),
            }
        }
    }

    /// One element: quoted (backslash escapes, exact contents) or unquoted (backslash
    /// escapes, surrounding whitespace trimmed unless escaped, `NULL` meaning SQL NULL).
    fn element(&mut self) -> Result<Option<String>, Option<JsonError>> {
        let mut s = String::new();
        if self.peek() == Some('"') {
            self.pos += 1;
            loop {
                match self.peek() {
                    None => return Err(None),
                    Some('"') => {
                        self.pos += 1;
                        return Ok(Some(s));
                    }
                    Some('\\') => {
                        self.pos += 1;
                        s.push(self.peek().ok_or(None)?);
                        self.pos += 1;
                    }
                    Some(c) => {
                        s.push(c);
                        self.pos += 1;
                    }
                }
            }
        }
        // Length of `s` that must survive trimming: up to the last escaped or
        // non-space character.
        let mut keep = 0usize;
        let mut escaped = false;
        loop {
            match self.peek() {
                None => return Err(None),
                Some(',') | Some('}') => break,
                Some('{') | Some('"') => return Err(None),
                Some('\\') => {
                    self.pos += 1;
                    s.push(self.peek().ok_or(None)?);
                    self.pos += 1;
                    keep = s.len();
                    escaped = true;
                }
                Some(c) => {
                    s.push(c);
                    self.pos += 1;
                    if !is_array_space(c) {
                        keep = s.len();
                    }
                }
            }
        }
        s.truncate(keep);
        if !escaped && s.eq_ignore_ascii_case("NULL") {
            return Ok(None);
        }
        Ok(Some(s))
    }
}

#[cfg(test)]
mod tests {
    //! Expected values recorded from PostgreSQL 15 (15.18) with psql; each case notes
    //! the SQL it mirrors where that is not obvious.

    use super::*;

    fn j(s: &str) -> Jsonb {
        match Jsonb::parse(s) {
            Ok(v) => v,
            Err(e) => panic!("{s}: {e:?}"),
        }
    }

    fn t(s: &str) -> String {
        j(s).to_text()
    }

    fn err(sqlstate: &'static str, message: &str) -> JsonError {
        JsonError::new(sqlstate, message)
    }

    fn path(lit: &str) -> Vec<Option<String>> {
        match parse_text_array(lit) {
            Ok(p) => p,
            Err(e) => panic!("{lit}: {e:?}"),
        }
    }

    #[test]
    fn numbers_print_as_numeric() {
        let cases = [
            ("1e2", "100"),
            ("1.0e-2", "0.010"),
            ("1.50e1", "15.0"),
            ("-0", "0"),
            ("-0.0", "0.0"),
            ("0.000", "0.000"),
            ("1E+2", "100"),
            ("0e-5", "0.00000"),
            ("-0e5", "0"),
            ("-0.00e1", "0.0"),
            ("12.3400", "12.3400"),
            ("1.23e1", "12.3"),
            ("123e-1", "12.3"),
            ("5E-1", "0.5"),
            ("-1.5e-3", "-0.0015"),
            ("1e+0", "1"),
            ("10e-1", "1.0"),
            ("0e200000", "0"),
            (
                "100000000000000000000000000000.000000000000000000000001",
                "100000000000000000000000000000.000000000000000000000001",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(t(input), expected, "{input}");
        }
        assert_eq!(t("1e400").len(), 401);
        assert_eq!(t("1e-400"), format!("0.{}1", "0".repeat(399)));
        assert_eq!(t("1e-16383").len(), 16385);
        assert_eq!(t("1e131071").len(), 131072);
        let overflow = err("22003", "value overflows numeric format");
        for input in [
            "1e131072",
            "1e-16384",
            "1.5e-16383",
            "0e-20000",
            "1e2147483647",
            "0e99999999999999999999",
        ] {
            assert_eq!(Jsonb::parse(input).err(), Some(overflow.clone()), "{input}");
        }
    }

    #[test]
    fn parse_rejects_what_pg_rejects() {
        let syntax = err("22P02", "invalid input syntax for type json");
        for input in [
            "00",
            "01",
            "1.",
            ".1",
            "+1",
            "\u{c}1",
            "\u{b}1",
            "\"\\x\"",
            "\"\\u12\"",
            "\"a\tb\"",
            "tru",
            "",
            "1 2",
            "NaN",
            "1e",
            "-",
            "[1,]",
            "{\"a\":1,}",
            "\"\\ud83d\"",
            "\"\\ude00\"",
            "\"\\ud83dx\"",
            "{a}",
            "1x",
            "[1",
        ] {
            // (PostgreSQL's DETAIL, where this module gives one, follows the message.)
            let error = Jsonb::parse(input).expect_err("rejected");
            assert_eq!(error.sqlstate, syntax.sqlstate, "{input:?}");
            assert!(error.message.starts_with(&syntax.message), "{input:?}");
        }
        let zero = err(
            "22P05",
            "unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text.",
        );
        assert_eq!(Jsonb::parse(r#""\u0000""#).err(), Some(zero));
        assert_eq!(t(r#""\ud83d\ude00""#), "\"\u{1F600}\"");
        assert_eq!(t(r#""\u00e9""#), "\"é\"");
        assert_eq!(t(" [ ] "), "[]");
        assert_eq!(t("\t{}\r\n"), "{}");
    }

    #[test]
    fn output_text_and_escapes() {
        assert_eq!(
            t(r#""a\/b\"c\\d\te\nf\bg\fh\ri\u0001j\u001fk\u007f""#),
            "\"a/b\\\"c\\\\d\\te\\nf\\bg\\fh\\ri\\u0001j\\u001fk\u{7f}\""
        );
        assert_eq!(
            t(r#"{"b":1,"a":2,"aa":3,"a":4}"#),
            r#"{"a": 4, "b": 1, "aa": 3}"#
        );
        assert_eq!(t("[1,2,{}]"), "[1, 2, {}]");
        assert_eq!(t(r#"{"b":1,"a":[1,2]}"#), r#"{"a": [1, 2], "b": 1}"#);
    }

    #[test]
    fn arrow_and_path() {
        let doc = j(r#"{"b":1,"a":[1,2]}"#);
        assert_eq!(
            doc.get(Step::Key("a")).map(Jsonb::to_text).as_deref(),
            Some("[1, 2]")
        );
        let arr = j("[1,2,3]");
        assert_eq!(
            arr.get(Step::Index(-1)).map(Jsonb::to_text).as_deref(),
            Some("3")
        );
        assert!(arr.get(Step::Index(-4)).is_none());
        assert!(arr.get(Step::Index(3)).is_none());
        assert!(j(r#"{"a":1}"#).get(Step::Index(0)).is_none());
        assert!(j("[1]").get(Step::Key("a")).is_none());
        // '"x"'::jsonb -> 0 and -> -1 are "x"; -> 1 is NULL; 'null'::jsonb -> 0 is null.
        let x = j(r#""x""#);
        assert_eq!(x.get(Step::Index(0)), Some(&x));
        assert_eq!(x.get(Step::Index(-1)), Some(&x));
        assert!(x.get(Step::Index(1)).is_none());
        assert!(x.get(Step::Key("x")).is_none());
        assert_eq!(j("null").get(Step::Index(0)), Some(&Jsonb::Null));

        let deep = j(r#"{"a":{"b":[10,20]}}"#);
        let get = |v: &Jsonb, p: &str| v.get_path(&path(p)).map(Jsonb::to_text);
        assert_eq!(get(&deep, "{a,b,-1}").as_deref(), Some("20"));
        assert_eq!(
            get(&deep, "{}").as_deref(),
            Some(r#"{"a": {"b": [10, 20]}}"#)
        );
        let a10 = j(r#"{"a":[10]}"#);
        assert_eq!(get(&a10, "{a,x}"), None);
        assert_eq!(get(&a10, "{a, 0 }").as_deref(), Some("10"));
        assert_eq!(get(&a10, "{a,+0}").as_deref(), Some("10"));
        assert_eq!(get(&a10, "{a,00}").as_deref(), Some("10"));
        assert_eq!(get(&a10, r#"{a," 0"}"#).as_deref(), Some("10"));
        assert_eq!(get(&a10, r#"{a,"0 "}"#), None);
        assert_eq!(get(&a10, "{a,1e0}"), None);
        assert_eq!(get(&a10, "{a,NULL}"), None);
        assert_eq!(get(&a10, "{a,99999999999999999999}"), None);
        assert_eq!(get(&j("[10,20]"), "{-2}").as_deref(), Some("10"));
        assert_eq!(get(&j("[10,20]"), "{-3}"), None);
        assert_eq!(get(&j(r#"{"NULL":1}"#), "{NULL}"), None);
        assert_eq!(
            get(&j(r#"{"NULL":1}"#), r#"{"NULL"}"#).as_deref(),
            Some("1")
        );
        assert_eq!(get(&x, "{}").as_deref(), Some(r#""x""#));
        assert_eq!(get(&x, "{0}"), None);
        assert_eq!(get(&j("[1]"), "{0,0}"), None);
        assert_eq!(get(&j(r#"{"":1}"#), r#"{""}"#).as_deref(), Some("1"));
        assert_eq!(
            deep.get_path(&["a".to_string()])
                .map(Jsonb::to_text)
                .as_deref(),
            Some(r#"{"b": [10, 20]}"#)
        );
    }

    #[test]
    fn as_text() {
        let doc = j(r#"{"a":"x\ty","n":null,"l":[1, 2],"f":1.50,"t":true}"#);
        let at = |k| doc.get(Step::Key(k)).and_then(Jsonb::as_text);
        assert_eq!(at("a").as_deref(), Some("x\ty"));
        assert_eq!(at("n"), None);
        assert_eq!(at("l").as_deref(), Some("[1, 2]"));
        assert_eq!(at("f").as_deref(), Some("1.50"));
        assert_eq!(at("t").as_deref(), Some("true"));
        assert_eq!(j(r#""x""#).as_text().as_deref(), Some("x"));
    }

    #[test]
    fn containment() {
        let c = |a: &str, b: &str| j(a).contains(&j(b));
        assert!(c("[1,2]", "1"));
        assert!(!c(r#"{"a":[1,2]}"#, r#"{"a":1}"#));
        assert!(!c("1", "[1]"));
        assert!(c("1.0", "1"));
        assert!(c("[1,2,2]", "[2,1,1]"));
        assert!(!c("[[1,2]]", "[1]"));
        assert!(c("[[1,2]]", "[[1]]"));
        assert!(c(r#"{"a":1,"b":{"c":2,"d":3}}"#, r#"{"b":{"c":2}}"#));
        assert!(c(r#"{"a":1}"#, "{}"));
        assert!(c("[]", "[]"));
        assert!(!c("{}", "[]"));
        assert!(!c("[]", "{}"));
        assert!(c(r#"[{"a":1,"b":2}]"#, r#"[{"a":1}]"#));
        assert!(c(r#"["a"]"#, r#""a""#));
        assert!(c("[1,[2]]", "[[2]]"));
        assert!(!c("[1,[2]]", "[2]"));
        assert!(c(r#""a""#, r#""a""#));
        assert!(c("null", "null"));
        assert!(c("[null]", "null"));
        assert!(!c("[[1]]", "1"));
        assert!(!c(r#"{"a":[[1]]}"#, r#"{"a":[1]}"#));
    }

    #[test]
    fn exists() {
        assert!(j(r#"{"a":1}"#).exists("a"));
        assert!(j(r#"["a",1]"#).exists("a"));
        assert!(j(r#""a""#).exists("a"));
        assert!(!j(r#"[["a"]]"#).exists("a"));
        assert!(!j(r#"{"b":{"a":1}}"#).exists("a"));
        assert!(!j("[1]").exists("1"));
        assert!(!j("1").exists("1"));
    }

    #[test]
    fn concat() {
        let c = |a: &str, b: &str| j(a).concat(&j(b)).to_text();
        assert_eq!(
            c(r#"{"a":1,"b":2}"#, r#"{"b":3,"c":4}"#),
            r#"{"a": 1, "b": 3, "c": 4}"#
        );
        assert_eq!(c("[1,2]", "[3]"), "[1, 2, 3]");
        assert_eq!(c("[1]", r#"{"a":1}"#), r#"[1, {"a": 1}]"#);
        assert_eq!(c(r#"{"a":1}"#, "[1]"), r#"[{"a": 1}, 1]"#);
        assert_eq!(c("[1]", "2"), "[1, 2]");
        assert_eq!(c("2", "[1]"), "[2, 1]");
        assert_eq!(c("1", "2"), "[1, 2]");
        assert_eq!(c(r#""a""#, r#""b""#), r#"["a", "b"]"#);
        assert_eq!(c(r#"{"a":1}"#, "2"), r#"[{"a": 1}, 2]"#);
        assert_eq!(c("2", r#"{"a":1}"#), r#"[2, {"a": 1}]"#);
        assert_eq!(c("null", "null"), "[null, null]");
        assert_eq!(c("[]", "{}"), "[{}]");
        assert_eq!(c("{}", "[]"), "[{}]");
        assert_eq!(c("[]", "1"), "[1]");
        assert_eq!(c("{}", "1"), "[{}, 1]");
        assert_eq!(c("{}", "{}"), "{}");
        assert_eq!(c("[[1]]", "[[2]]"), "[[1], [2]]");
        assert_eq!(
            c(r#"{"a":{"x":1}}"#, r#"{"a":{"y":2}}"#),
            r#"{"a": {"y": 2}}"#
        );
    }

    #[test]
    fn delete() {
        let scalar = err("22023", "cannot delete from scalar");
        let dk = |a: &str, k: &str| j(a).delete_key(k).map(|v| v.to_text());
        assert_eq!(dk(r#"{"a":1,"b":2}"#, "a"), Ok(r#"{"b": 2}"#.into()));
        assert_eq!(dk(r#"["a","b","a",1]"#, "a"), Ok(r#"["b", 1]"#.into()));
        assert_eq!(dk(r#"[["a"]]"#, "a"), Ok(r#"[["a"]]"#.into()));
        assert_eq!(dk(r#"{"a":1}"#, "z"), Ok(r#"{"a": 1}"#.into()));
        assert_eq!(dk(r#""a""#, "a"), Err(scalar.clone()));
        assert_eq!(dk("null", "a"), Err(scalar.clone()));
        let di = |a: &str, i: i64| j(a).delete_index(i).map(|v| v.to_text());
        assert_eq!(di("[1,2,3]", 1), Ok("[1, 3]".into()));
        assert_eq!(di("[1,2,3]", -1), Ok("[1, 2]".into()));
        assert_eq!(di("[1,2,3]", 5), Ok("[1, 2, 3]".into()));
        assert_eq!(di("[1,2,3]", -5), Ok("[1, 2, 3]".into()));
        assert_eq!(di("[]", 0), Ok("[]".into()));
        assert_eq!(
            di(r#"{"a":1}"#, 0),
            Err(err(
                "22023",
                "cannot delete from object using integer index"
            ))
        );
        assert_eq!(di("1", 0), Err(scalar.clone()));
        assert_eq!(di(r#""a""#, 0), Err(scalar));
    }

    #[test]
    fn typeof_length_strip() {
        for (doc, ty) in [
            ("{}", "object"),
            ("[]", "array"),
            (r#""a""#, "string"),
            ("1.5", "number"),
            ("true", "boolean"),
            ("null", "null"),
        ] {
            assert_eq!(j(doc).type_name(), ty);
            assert_eq!(json_typeof(doc), Ok(ty));
        }
        assert_eq!(json_typeof(" {\"a\":1} "), Ok("object"));
        assert_eq!(json_typeof("\"\\u0000\""), Ok("string"));
        assert_eq!(j("[1,[2,3]]").array_length(), Ok(2));
        assert_eq!(j("[]").array_length(), Ok(0));
        let non_array = err("22023", "cannot get array length of a non-array");
        let scalar = err("22023", "cannot get array length of a scalar");
        assert_eq!(j(r#"{"a":1}"#).array_length(), Err(non_array.clone()));
        assert_eq!(j("1").array_length(), Err(scalar.clone()));
        assert_eq!(j("null").array_length(), Err(scalar.clone()));
        assert_eq!(json_array_length(r#"{"a":1}"#), Err(non_array));
        assert_eq!(json_array_length("1"), Err(scalar));
        assert_eq!(json_array_length(r#"[1, [2,3] ,{"a":[1]}]"#), Ok(3));
        assert_eq!(json_array_length(r#"["\u0000"]"#), Ok(1));
        assert_eq!(
            j(r#"{"a":null,"b":{"c":null,"d":1},"e":[null,{"f":null}]}"#)
                .strip_nulls()
                .to_text(),
            r#"{"b": {"d": 1}, "e": [null, {}]}"#
        );
        assert_eq!(j("null").strip_nulls().to_text(), "null");
        assert_eq!(j("[null]").strip_nulls().to_text(), "[null]");
    }

    fn set(doc: &str, p: &str, new: &str, create: bool) -> Result<String, JsonError> {
        j(doc).set(&path(p), j(new), create).map(|v| v.to_text())
    }

    #[test]
    fn jsonb_set() {
        let ok = |s: &str| Ok(s.to_string());
        assert_eq!(
            set(r#"{"a":1}"#, "{b}", "2", true),
            ok(r#"{"a": 1, "b": 2}"#)
        );
        assert_eq!(set(r#"{"a":1}"#, "{b}", "2", false), ok(r#"{"a": 1}"#));
        assert_eq!(set(r#"{"a":1}"#, "{a}", "[3]", false), ok(r#"{"a": [3]}"#));
        assert_eq!(set("[1,2]", "{5}", "9", true), ok("[1, 2, 9]"));
        assert_eq!(set("[1,2]", "{-5}", "9", true), ok("[9, 1, 2]"));
        assert_eq!(set("[1,2]", "{5}", "9", false), ok("[1, 2]"));
        assert_eq!(set("[1,2]", "{-1}", "9", true), ok("[1, 9]"));
        assert_eq!(set("[1,2]", "{-2}", "9", true), ok("[9, 2]"));
        assert_eq!(set("[1,2]", "{-3}", "9", false), ok("[1, 2]"));
        assert_eq!(set("[]", "{0}", "9", true), ok("[9]"));
        assert_eq!(set("[]", "{-1}", "9", true), ok("[9]"));
        assert_eq!(set("[]", "{-1}", "9", false), ok("[]"));
        assert_eq!(set("[1]", "{-2}", "9", true), ok("[9, 1]"));
        assert_eq!(set("[1,2]", "{-2147483648}", "9", true), ok("[9, 1, 2]"));
        assert_eq!(set("[1,2]", "{2147483647}", "9", true), ok("[1, 2, 9]"));
        assert_eq!(
            set(r#"{"a":{"b":1}}"#, "{a,c,d}", "9", true),
            ok(r#"{"a": {"b": 1}}"#)
        );
        assert_eq!(
            set(r#"{"a":{"b":1}}"#, "{x,y}", "9", true),
            ok(r#"{"a": {"b": 1}}"#)
        );
        assert_eq!(set(r#"{"a":1}"#, "{a,b}", "9", true), ok(r#"{"a": 1}"#));
        assert_eq!(set(r#"{"a":1}"#, "{}", "9", true), ok(r#"{"a": 1}"#));
        assert_eq!(set(r#"{"a":"s"}"#, "{a,0}", "9", true), ok(r#"{"a": "s"}"#));
        assert_eq!(set("[[1]]", "{0,5}", "9", true), ok("[[1, 9]]"));
        assert_eq!(
            set(r#"{"a":null}"#, "{a,b}", "9", true),
            ok(r#"{"a": null}"#)
        );
        assert_eq!(
            set(r#"{"a":[1,2]}"#, "{a,1,z}", "9", true),
            ok(r#"{"a": [1, 2]}"#)
        );
        assert_eq!(
            set(r#"{"b":1}"#, "{a}", r#"{"x":1}"#, true),
            ok(r#"{"a": {"x": 1}, "b": 1}"#)
        );
        assert_eq!(
            set(r#"[{"a":1}]"#, "{0,b}", "2", true),
            ok(r#"[{"a": 1, "b": 2}]"#)
        );
        assert_eq!(set("{}", "{NULL}", "9", false), ok("{}"));
        assert_eq!(set("[]", "{x}", "9", false), ok("[]"));
        assert_eq!(set(r#"{"a":1}"#, "{b,NULL}", "9", true), ok(r#"{"a": 1}"#));
        assert_eq!(set("[1]", "{5,NULL}", "9", true), ok("[1]"));
        assert_eq!(set("[1,[2]]", "{0,x}", "9", true), ok("[1, [2]]"));
        assert_eq!(set("{}", "{}", "9", true), ok("{}"));
        assert_eq!(set("{}", "{a,b}", "9", true), ok("{}"));
        assert_eq!(
            set(r#"{"a":1}"#, "{a,b,NULL}", "9", true),
            ok(r#"{"a": 1}"#)
        );

        let in_scalar = err("22023", "cannot set path in scalar");
        assert_eq!(set("1", "{a}", "9", true), Err(in_scalar.clone()));
        assert_eq!(set("1", "{}", "9", true), Err(in_scalar));
        let null1 = err("22004", "path element at position 1 is null");
        let null2 = err("22004", "path element at position 2 is null");
        assert_eq!(set(r#"{"a":1}"#, "{NULL}", "9", true), Err(null1.clone()));
        assert_eq!(set("[1]", "{NULL}", "9", false), Err(null1));
        assert_eq!(set(r#"{"a":1}"#, "{a,NULL}", "9", true), Err(null2.clone()));
        assert_eq!(set(r#"{"a":{}}"#, "{a,NULL}", "9", false), Err(null2));
        let not_int = |pos: usize, e: &str| {
            err(
                "22P02",
                &format!("path element at position {pos} is not an integer: \"{e}\""),
            )
        };
        assert_eq!(
            set(r#"{"a":[1]}"#, "{a,x}", "9", true),
            Err(not_int(2, "x"))
        );
        assert_eq!(set("[]", "{x}", "9", true), Err(not_int(1, "x")));
        assert_eq!(
            set(r#"{"a":[]}"#, "{a,x}", "9", false),
            Err(not_int(2, "x"))
        );
        assert_eq!(set("[1,2]", "{1.5}", "9", true), Err(not_int(1, "1.5")));
        assert_eq!(
            set("[1,2]", "{99999999999}", "9", true),
            Err(not_int(1, "99999999999"))
        );
        assert_eq!(
            set("[1,2]", "{-99999999999}", "9", true),
            Err(not_int(1, "-99999999999"))
        );
    }

    #[test]
    fn equality() {
        assert_eq!(j("1.0"), j("1"));
        assert_eq!(j("[1.0]"), j("[1]"));
        assert_eq!(j(r#"{"a":1.00}"#), j(r#"{"a":1}"#));
        assert_eq!(j("0e-16383"), j("0"));
        assert_ne!(j("[1]"), j("1"));
        assert_ne!(j("[1,2]"), j("[2,1]"));
        assert_ne!(j(r#""1""#), j("1"));
        assert_ne!(j("-1"), j("1"));
        assert_eq!(j(r#"{"b":1,"a":2}"#), j(r#"{"a":2,"b":1}"#));
        assert_eq!(
            compare_numbers(
                "123456789012345678901234567890.5",
                "123456789012345678901234567890.50"
            ),
            Ordering::Equal
        );
        assert_eq!(compare_numbers("-2", "-10"), Ordering::Greater);
        assert_eq!(compare_numbers("0.001", "0.01"), Ordering::Less);
    }

    #[test]
    fn casts() {
        let int = |s: &str, bits| j(s).to_int(bits);
        assert_eq!(int("1.5", 32), Ok(2));
        assert_eq!(int("2.5", 32), Ok(3));
        assert_eq!(int("-2.5", 32), Ok(-3));
        assert_eq!(int("-1.5", 16), Ok(-2));
        assert_eq!(int("0.49999", 64), Ok(0));
        assert_eq!(int("1e2", 32), Ok(100));
        assert_eq!(int("32767.4", 16), Ok(32767));
        assert_eq!(int("-32768.4", 16), Ok(-32768));
        assert_eq!(int("-9223372036854775808", 64), Ok(i64::MIN));
        assert_eq!(int("-9223372036854775808.4", 64), Ok(i64::MIN));
        let small = err("22003", "smallint out of range");
        assert_eq!(int("32767.5", 16), Err(small.clone()));
        assert_eq!(int("-32768.5", 16), Err(small));
        assert_eq!(
            int("2147483648", 32),
            Err(err("22003", "integer out of range"))
        );
        assert_eq!(
            int("9223372036854775808", 64),
            Err(err("22003", "bigint out of range"))
        );
        assert_eq!(int("1e400", 64), Err(err("22003", "bigint out of range")));
        let cast =
            |what: &str, to: &str| err("22023", &format!("cannot cast jsonb {what} to type {to}"));
        assert_eq!(int(r#""1""#, 32), Err(cast("string", "integer")));
        assert_eq!(int("true", 32), Err(cast("boolean", "integer")));
        assert_eq!(int("null", 32), Err(cast("null", "integer")));
        assert_eq!(int("{}", 32), Err(cast("object", "integer")));
        assert_eq!(int("[]", 32), Err(cast("array", "integer")));
        assert_eq!(int(r#""1""#, 16), Err(cast("string", "smallint")));
        assert_eq!(int(r#""1""#, 64), Err(cast("string", "bigint")));
        assert_eq!(
            j(r#""1""#).to_f64(),
            Err(cast("string", "double precision"))
        );
        assert_eq!(j("[]").to_f64(), Err(cast("array", "double precision")));
        assert_eq!(
            j(r#""1""#).to_numeric_text(),
            Err(cast("string", "numeric"))
        );
        assert_eq!(j("{}").to_numeric_text(), Err(cast("object", "numeric")));
        assert_eq!(j("1").to_bool(), Err(cast("numeric", "boolean")));
        assert_eq!(j("null").to_bool(), Err(cast("null", "boolean")));
        assert_eq!(j(r#""a""#).to_bool(), Err(cast("string", "boolean")));
        assert_eq!(j("true").to_bool(), Ok(true));
        assert_eq!(j("false").to_bool(), Ok(false));
        assert_eq!(j("1.50").to_numeric_text(), Ok("1.50".into()));
        assert_eq!(j("1e2").to_f64(), Ok(100.0));
        assert_eq!(j("0.1").to_f64(), Ok(0.1));
        assert_eq!(j("1e308").to_f64(), Ok(1e308));
        assert_eq!(j("1e-320").to_f64(), Ok(1e-320));
        assert_eq!(j("4.9e-324").to_f64(), Ok(5e-324));
        assert_eq!(j("-0.0").to_f64().map(|v| v.to_bits()), Ok(0));
        assert_eq!(
            j("123456789012345678901234567890").to_f64(),
            Ok(1.2345678901234568e29)
        );
        let range = |text: String| {
            err(
                "22003",
                &format!("\"{text}\" is out of range for type double precision"),
            )
        };
        assert_eq!(
            j("1e400").to_f64(),
            Err(range(format!("1{}", "0".repeat(400))))
        );
        assert_eq!(
            j("1.8e308").to_f64(),
            Err(range(format!("18{}", "0".repeat(307))))
        );
        assert_eq!(
            j("2e-324").to_f64(),
            Err(range(format!("0.{}2", "0".repeat(323))))
        );
    }

    #[test]
    fn builders() {
        assert_eq!(Jsonb::from_sql_text("a\"b").to_text(), r#""a\"b""#);
        assert_eq!(Jsonb::from_number_text("1.50").to_text(), "1.50");
        assert_eq!(Jsonb::from_number_text("5").to_text(), "5");
        assert_eq!(Jsonb::from_number_text("1.5e-07").to_text(), "0.00000015");
        assert_eq!(Jsonb::from_number_text("-0").to_text(), "0");
        assert_eq!(Jsonb::from_number_text("NaN").to_text(), r#""NaN""#);
        assert_eq!(
            Jsonb::from_number_text("-Infinity").to_text(),
            r#""-Infinity""#
        );
        assert_eq!(Jsonb::from_number_text("1e+300").to_text().len(), 301);
    }

    #[test]
    fn json_text_operators() {
        let get = |d: &str, s: Step| json_get(d, s);
        let some = |s: &str| Ok(Some(s.to_string()));
        assert_eq!(get(r#"{"a": [1,  2]}"#, Step::Key("a")), some("[1,  2]"));
        assert_eq!(get(r#"{"a":1,"a":2}"#, Step::Key("a")), some("2"));
        assert_eq!(get(r#"{"a":1,"a":null}"#, Step::Key("a")), some("null"));
        assert_eq!(get(r#"[1, "x\ty" ,3]"#, Step::Index(1)), some(r#""x\ty""#));
        assert_eq!(get("[1,2,3]", Step::Index(-1)), some("3"));
        assert_eq!(get("[1,2,3]", Step::Index(-3)), some("1"));
        assert_eq!(get("[1,2,3]", Step::Index(-4)), Ok(None));
        assert_eq!(get(r#"{"a":1}"#, Step::Index(0)), Ok(None));
        assert_eq!(get("[1]", Step::Key("a")), Ok(None));
        assert_eq!(get(r#""x""#, Step::Index(0)), Ok(None));
        assert_eq!(get(r#"{"\u0061":1}"#, Step::Key("a")), some("1"));
        assert_eq!(
            get(r#"{"a":"\u0041"}"#, Step::Key("a")),
            some(r#""\u0041""#)
        );
        assert_eq!(get(r#"{"a": 1.50e1}"#, Step::Key("a")), some("1.50e1"));
        let zero = err(
            "22P05",
            "unsupported Unicode escape sequence\nDETAIL:  \\u0000 cannot be converted to text.",
        );
        let syntax = err("22P02", "invalid input syntax for type json");
        assert_eq!(
            get(r#"{"b":"\u0000", "a":1}"#, Step::Key("a")),
            Err(zero.clone())
        );
        assert_eq!(get(r#"["\u0000", 1]"#, Step::Index(1)), Err(zero.clone()));
        assert_eq!(
            get(r#"{"a":"\ud83d"}"#, Step::Key("b")),
            Err(err(
                "22P02",
                "invalid input syntax for type json\nDETAIL:  Unicode low surrogate must follow a high surrogate."
            ))
        );
        assert_eq!(get(r#"{"a":1} x"#, Step::Key("a")), Err(syntax));

        let gp = |d: &str, p: &str| json_get_path(d, &path(p));
        assert_eq!(
            gp(r#"{"a":{"b":[10, {"c" : 20 }]}}"#, "{a,b,1}"),
            some(r#"{"c" : 20 }"#)
        );
        assert_eq!(gp(r#"{"a":{"b":[10,20]}}"#, "{a,b,-1}"), some("20"));
        assert_eq!(gp(r#"{"a":1}"#, "{}"), some(r#"{"a":1}"#));
        assert_eq!(gp(r#"  {"a" : 1 }  "#, "{}"), some(r#"{"a" : 1 }"#));
        assert_eq!(gp(r#""x""#, "{}"), some(r#""x""#));
        assert_eq!(gp(r#"{"a":[10]}"#, r#"{a," 0"}"#), some("10"));
        assert_eq!(gp(r#"{"a":[10]}"#, "{a,NULL}"), Ok(None));
        assert_eq!(gp(r#"{"a":{"a":1,"a":2}}"#, "{a,a}"), some("2"));
        assert_eq!(gp(r#"{"a":{"b":1},"a":{"c":2}}"#, "{a,b}"), some("1"));
        assert_eq!(gp(r#"{"a":{"b":1},"a":5}"#, "{a,b}"), some("1"));
        assert_eq!(gp(r#"{"a":[1,2],"a":[3]}"#, "{a,1}"), some("2"));
        assert_eq!(gp("[[1,2],[3]]", "{0,-1}"), some("2"));
        assert_eq!(gp("[1]", r#"{"0 "}"#), Ok(None));
        assert_eq!(gp("[1]", r#"{""}"#), Ok(None));
        assert_eq!(gp(r#""\u0000""#, "{}"), Err(zero));

        assert_eq!(json_as_text(r#""x\ty""#).as_deref(), Some("x\ty"));
        assert_eq!(json_as_text(r#""\u00e9\n""#).as_deref(), Some("é\n"));
        assert_eq!(json_as_text("null"), None);
        assert_eq!(json_as_text("1.50e1").as_deref(), Some("1.50e1"));
        assert_eq!(
            json_as_text(r#"{"a" : 1 }"#).as_deref(),
            Some(r#"{"a" : 1 }"#)
        );
        assert_eq!(json_as_text(r#"" x ""#).as_deref(), Some(" x "));
    }

    #[test]
    fn text_array_literals() {
        let s = |v: &[&str]| v.iter().map(|x| Some(x.to_string())).collect::<Vec<_>>();
        assert_eq!(path("{a,b}"), s(&["a", "b"]));
        assert_eq!(path("{ a , b c }"), s(&["a", "b c"]));
        assert_eq!(path(r#"{"a,b","c\"d",e\,f}"#), s(&["a,b", "c\"d", "e,f"]));
        assert_eq!(path("{}"), s(&[]));
        assert_eq!(path("{ }"), s(&[]));
        assert_eq!(
            path(r#"{NULL,"NULL",null}"#),
            vec![None, Some("NULL".into()), None]
        );
        assert_eq!(path(r#"{ "" , x}"#), s(&["", "x"]));
        assert_eq!(path(" {a} "), s(&["a"]));
        assert_eq!(path(r"{a\\b}"), s(&["a\\b"]));
        assert_eq!(path(r"{a\b}"), s(&["ab"]));
        assert_eq!(path(r#"{"a\b"}"#), s(&["ab"]));
        assert_eq!(path(r"{a\ b}"), s(&["a b"]));
        assert_eq!(path(r"{ a\  }"), s(&["a "]));
        assert_eq!(path(r"{\ }"), s(&[" "]));
        assert_eq!(path("{a  b}"), s(&["a  b"]));
        assert_eq!(path(r#"{"a" }"#), s(&["a"]));
        assert_eq!(path("{\ta\t}"), s(&["a"]));
        assert_eq!(path(r"{\NULL}"), s(&["NULL"]));
        assert_eq!(path("{NULLx}"), s(&["NULLx"]));
        assert_eq!(path("{nUlL}"), vec![None]);
        assert_eq!(path("{{a},{b}}"), s(&["a", "b"]));
        assert_eq!(path("{{a,b},{c,d}}"), s(&["a", "b", "c", "d"]));
        assert_eq!(path("[1:2]={a,b}"), s(&["a", "b"]));
        assert_eq!(path("[0:1]={a,b}"), s(&["a", "b"]));
        assert_eq!(path("[2]={a,b}"), s(&["a", "b"]));
        for bad in [
            "a",
            "{a",
            "{a,}",
            "{a}x",
            r#"{"a"b}"#,
            r#"{a"b c"d}"#,
            "{{a},{b,c}}",
            "{{a},b}",
            "[1:3]={a,b}",
            r#"{"a"#,
            r"{a\",
            "{}}",
            "{{}}",
            "{{},{}}",
            "{a,{}}",
            "{,a}",
            "{a,{b}}",
            "",
            "{a{b}",
            r#"{a"b}"#,
            "[1:2]{a,b}",
            r#"{"a" "b"}"#,
        ] {
            assert_eq!(
                parse_text_array(bad),
                Err(err("22P02", &format!("malformed array literal: \"{bad}\""))),
                "{bad}"
            );
        }
        assert_eq!(
            parse_text_array("{{{{{{{a}}}}}}}"),
            Err(err(
                "54000",
                "number of array dimensions (7) exceeds the maximum allowed (6)"
            ))
        );
    }

    #[test]
    fn nesting_limit_and_no_stack_overflow() {
        // Run on a thread with the default 2MB spawned-thread stack, like a worker.
        let handle = std::thread::Builder::new()
            .stack_size(2 * 1024 * 1024)
            .spawn(|| {
                let ok = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
                let v = Jsonb::parse(&ok).map_err(|e| e.message)?;
                let text = v.to_text();
                let same = v == v.clone();
                let contained = v.contains(&v);
                let stripped = v.strip_nulls() == v;
                let obj = format!("{}1{}", "{\"a\":".repeat(MAX_DEPTH), "}".repeat(MAX_DEPTH));
                let o = Jsonb::parse(&obj).map_err(|e| e.message)?;
                let wrapped = o.concat(&Jsonb::Null);
                let wrapped_text = wrapped.to_text().len();
                let json_ok = json_get(&obj, Step::Key("a"))
                    .map_err(|e| e.message)?
                    .is_some();
                let long: Vec<&str> = vec!["a"; MAX_DEPTH];
                let json_deep = json_get_path(&obj, &long).map_err(|e| e.message)?;
                let jsonb_deep = o.get_path(&long).map(Jsonb::to_text);
                let set_deep = o.set(&long, Jsonb::Null, true).map_err(|e| e.message)?;
                let set_ok = set_deep.get_path(&long) == Some(&Jsonb::Null);
                let deep = format!("[{ok}]");
                let refused = Jsonb::parse(&deep).err();
                let refused_json = json_typeof(&deep).err();
                Ok::<_, String>((
                    text == ok,
                    same && contained && stripped && json_ok && wrapped_text > 0 && set_ok,
                    json_deep,
                    jsonb_deep,
                    refused,
                    refused_json,
                ))
            });
        let joined = match handle {
            Ok(h) => h.join(),
            Err(e) => panic!("spawn: {e}"),
        };
        let result = match joined {
            Ok(r) => r,
            Err(_) => panic!("thread panicked"),
        };
        let too_deep = Some(err("54001", "stack depth limit exceeded"));
        assert_eq!(
            result,
            Ok((
                true,
                true,
                Some("1".to_string()),
                Some("1".to_string()),
                too_deep.clone(),
                too_deep
            ))
        );
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "\"\\u",
            "\"\\",
            "\"é\\u00",
            "[\"\\ud83d\\u",
            "{\"a\"",
            "{\"a\":",
            "-0.",
            "1e+",
            "\u{1F600}",
            "\"\u{1F600}\"",
            "[1e99999999999999999999999]",
            "{\"é\":1}",
        ];
        for s in inputs {
            let _ = Jsonb::parse(s);
            let _ = json_get(s, Step::Key("a"));
            let _ = json_typeof(s);
            let _ = json_array_length(s);
            let _ = json_as_text(s);
            let _ = parse_text_array(s);
        }
        let _ = Jsonb::Number("junk".into()).to_int(32);
        let _ = Jsonb::Number("junk".into()).to_f64();
        let _ = Jsonb::from_number_text("1e99999999999");
    }
}
