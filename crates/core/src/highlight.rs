//! Syntax highlighting as plain tokenizing: the UI turns tokens into `<span>`s.
//!
//! The tokens always cover the whole input, in order, so rendering them reproduces the
//! text exactly (the editor overlays them on its textarea character for character).

use crate::catalogue::CodeLanguage;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    /// A type name (SQL) or builtin/constant (Python: None, True, str, ...).
    Type,
    String,
    Number,
    Comment,
    /// A Python decorator.
    Decorator,
    Plain,
}

impl TokenKind {
    /// CSS class of the token (`tok-keyword`, ...).
    pub fn class(self) -> &'static str {
        match self {
            TokenKind::Keyword => "tok-keyword",
            TokenKind::Type => "tok-type",
            TokenKind::String => "tok-string",
            TokenKind::Number => "tok-number",
            TokenKind::Comment => "tok-comment",
            TokenKind::Decorator => "tok-decorator",
            TokenKind::Plain => "tok-plain",
        }
    }
}

const SQL_KEYWORDS: &[&str] = &[
    "ADD",
    "ALL",
    "ALTER",
    "AND",
    "AS",
    "ASC",
    "BEGIN",
    "BETWEEN",
    "BY",
    "CASCADE",
    "CASE",
    "CHECK",
    "COLUMN",
    "COMMIT",
    "CONCURRENTLY",
    "CONSTRAINT",
    "COUNT",
    "CREATE",
    "DEFAULT",
    "DELETE",
    "DESC",
    "DISTINCT",
    "DROP",
    "ELSE",
    "END",
    "EXISTS",
    "EXPLAIN",
    "FOREIGN",
    "FROM",
    "GROUP",
    "HAVING",
    "IF",
    "IN",
    "INDEX",
    "INNER",
    "INSERT",
    "INTO",
    "IS",
    "JOIN",
    "KEY",
    "LEFT",
    "LIKE",
    "LIMIT",
    "NOT",
    "NULL",
    "OFFSET",
    "ON",
    "ONLY",
    "OR",
    "ORDER",
    "OUTER",
    "PRIMARY",
    "READ",
    "REFERENCES",
    "RELEASE",
    "RENAME",
    "RESTRICT",
    "RETURNING",
    "RIGHT",
    "ROLLBACK",
    "SAVEPOINT",
    "SELECT",
    "SET",
    "SHOW",
    "START",
    "TABLE",
    "THEN",
    "TO",
    "TRANSACTION",
    "UNIQUE",
    "UPDATE",
    "USING",
    "VALUES",
    "VIEW",
    "WHEN",
    "WHERE",
    "WITH",
    "WORK",
    "TRUE",
    "FALSE",
];

const SQL_TYPES: &[&str] = &[
    "BIGINT",
    "BOOL",
    "BOOLEAN",
    "BYTEA",
    "CHAR",
    "DATE",
    "DECIMAL",
    "FLOAT",
    "INT",
    "INT8",
    "INT16",
    "INT32",
    "INT64",
    "INTEGER",
    "INTERVAL",
    "JSON",
    "JSONB",
    "LIST",
    "MAP",
    "NUMERIC",
    "REAL",
    "SMALLINT",
    "TEXT",
    "TIME",
    "TIMESTAMP",
    "TIMESTAMPTZ",
    "UUID",
    "VARCHAR",
];

const PY_KEYWORDS: &[&str] = &[
    "and", "as", "assert", "async", "await", "break", "class", "continue", "def", "del", "elif",
    "else", "except", "finally", "for", "from", "global", "if", "import", "in", "is", "lambda",
    "nonlocal", "not", "or", "pass", "raise", "return", "try", "while", "with", "yield",
];

const PY_BUILTINS: &[&str] = &[
    "None", "True", "False", "self", "str", "int", "float", "bool", "dict", "list", "tuple", "set",
    "bytes", "super", "print", "len", "hasattr", "getattr",
];

/// Splits `code` into highlighted tokens.
pub fn tokenize(code: &str, language: CodeLanguage) -> Vec<(TokenKind, &str)> {
    let mut tokens: Vec<(TokenKind, &str)> = Vec::new();
    let bytes = code.as_bytes();
    let mut i = 0;
    let mut push = |kind: TokenKind, start: usize, end: usize| {
        // Merge runs of plain text so the DOM stays small.
        if let Some(last) = tokens.last_mut() {
            if last.0 == kind && kind == TokenKind::Plain {
                let last_start = last.1.as_ptr() as usize - code.as_ptr() as usize;
                last.1 = &code[last_start..end];
                return;
            }
        }
        tokens.push((kind, &code[start..end]));
    };
    while i < bytes.len() {
        let b = bytes[i];
        let start = i;
        let (kind, end) = match (language, b) {
            (CodeLanguage::Sql, b'-') if bytes.get(i + 1) == Some(&b'-') => {
                (TokenKind::Comment, line_end(bytes, i))
            }
            (CodeLanguage::Sql, b'/') if bytes.get(i + 1) == Some(&b'*') => {
                let end = code[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
                (TokenKind::Comment, end)
            }
            (CodeLanguage::Python, b'#') => (TokenKind::Comment, line_end(bytes, i)),
            (CodeLanguage::Python, b'@') if at_line_start(bytes, i) => {
                (TokenKind::Decorator, word_end(bytes, i + 1, true))
            }
            (_, b'\'' | b'"') => (TokenKind::String, string_end(code, i, language)),
            (_, b'0'..=b'9') => (TokenKind::Number, number_end(bytes, i)),
            (_, c) if c.is_ascii_alphabetic() || c == b'_' => {
                let end = word_end(bytes, i, false);
                (word_kind(&code[i..end], language), end)
            }
            _ => {
                // One character (whole UTF-8 sequence) of plain text.
                let len = code[i..].chars().next().map_or(1, char::len_utf8);
                (TokenKind::Plain, i + len)
            }
        };
        push(kind, start, end);
        i = end;
    }
    tokens
}

fn word_kind(word: &str, language: CodeLanguage) -> TokenKind {
    match language {
        CodeLanguage::Sql => {
            let upper = word.to_ascii_uppercase();
            if SQL_KEYWORDS.contains(&upper.as_str()) {
                TokenKind::Keyword
            } else if SQL_TYPES.contains(&upper.as_str()) {
                TokenKind::Type
            } else {
                TokenKind::Plain
            }
        }
        CodeLanguage::Python => {
            if PY_KEYWORDS.contains(&word) {
                TokenKind::Keyword
            } else if PY_BUILTINS.contains(&word) {
                TokenKind::Type
            } else {
                TokenKind::Plain
            }
        }
    }
}

fn line_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&c| c == b'\n')
        .map_or(bytes.len(), |p| from + p)
}

fn at_line_start(bytes: &[u8], i: usize) -> bool {
    bytes[..i]
        .iter()
        .rev()
        .take_while(|&&c| c != b'\n')
        .all(|c| c.is_ascii_whitespace())
}

fn word_end(bytes: &[u8], from: usize, dotted: bool) -> usize {
    bytes[from..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_' || (dotted && c == b'.')))
        .map_or(bytes.len(), |p| from + p)
}

fn number_end(bytes: &[u8], from: usize) -> usize {
    bytes[from..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'.' || c == b'_'))
        .map_or(bytes.len(), |p| from + p)
}

/// End of a string literal; Python triple quotes span lines, SQL doubles the quote to escape.
fn string_end(code: &str, from: usize, language: CodeLanguage) -> usize {
    let bytes = code.as_bytes();
    let quote = bytes[from];
    if language == CodeLanguage::Python
        && code[from..].starts_with(&[quote; 3].map(char::from).iter().collect::<String>())
    {
        let delimiter: String = [quote; 3].map(char::from).iter().collect();
        return code[from + 3..]
            .find(&delimiter)
            .map_or(bytes.len(), |p| from + 3 + p + 3);
    }
    let mut i = from + 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if language == CodeLanguage::Python => i += 2,
            b'\n' if language == CodeLanguage::Python => return i,
            c if c == quote => {
                if language == CodeLanguage::Sql && bytes.get(i + 1) == Some(&quote) {
                    i += 2;
                } else {
                    return i + 1;
                }
            }
            _ => i += 1,
        }
    }
    bytes.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(code: &str, lang: CodeLanguage) -> Vec<(TokenKind, String)> {
        tokenize(code, lang)
            .into_iter()
            .filter(|(k, _)| *k != TokenKind::Plain)
            .map(|(k, t)| (k, t.to_string()))
            .collect()
    }

    #[test]
    fn tokens_cover_the_input_exactly() {
        for (code, lang) in [
            (
                "SELECT 'a''b', \"x\" FROM t -- c\n/* d */ WHERE é = 1.5;",
                CodeLanguage::Sql,
            ),
            (
                "@property\ndef f(self):\n    return '''a\nb''' # c\nx = \"q\\\"\"",
                CodeLanguage::Python,
            ),
            ("unterminated 'string", CodeLanguage::Sql),
        ] {
            let joined: String = tokenize(code, lang).iter().map(|(_, t)| *t).collect();
            assert_eq!(joined, code);
        }
    }

    #[test]
    fn sql_keywords_types_strings_comments() {
        assert_eq!(
            kinds(
                "select id::TEXT from t where s = 'it''s' -- hi",
                CodeLanguage::Sql
            ),
            [
                (TokenKind::Keyword, "select".into()),
                (TokenKind::Type, "TEXT".into()),
                (TokenKind::Keyword, "from".into()),
                (TokenKind::Keyword, "where".into()),
                (TokenKind::String, "'it''s'".into()),
                (TokenKind::Comment, "-- hi".into()),
            ]
        );
    }

    #[test]
    fn python_decorators_keywords_and_builtins() {
        assert_eq!(
            kinds(
                "@event.listens_for(Session)\ndef f(x: str) -> None: # c",
                CodeLanguage::Python
            ),
            [
                (TokenKind::Decorator, "@event.listens_for".into()),
                (TokenKind::Keyword, "def".into()),
                (TokenKind::Type, "str".into()),
                (TokenKind::Type, "None".into()),
                (TokenKind::Comment, "# c".into()),
            ]
        );
    }
}
