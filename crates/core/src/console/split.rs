//! Splits a SQL script into statements at top-level semicolons, aware of quotes,
//! comments and PostgreSQL dollar quoting, keeping where each statement starts.

use serde::Serialize;

#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StatementSpan {
    /// The statement's text, from its first token to before its `;`.
    pub sql: String,
    /// Byte offset of the first token in the script.
    pub start: usize,
    /// 1-based line and column (in characters) of the first token.
    pub line: u32,
    pub column: u32,
}

/// Splits `script` into statements. Whitespace- or comment-only pieces are dropped;
/// an unterminated quote or comment runs to the end of the script (the engine then
/// reports it at the right statement).
pub fn split_statements(script: &str) -> Vec<StatementSpan> {
    let bytes = script.as_bytes();
    let mut spans = Vec::new();
    let mut first_token: Option<usize> = None;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let next = bytes.get(i + 1).copied();
        match b {
            b'-' if next == Some(b'-') => {
                i = find_from(bytes, i, b"\n").map_or(bytes.len(), |p| p + 1);
                continue;
            }
            b'/' if next == Some(b'*') => {
                i = find_from(bytes, i + 2, b"*/").map_or(bytes.len(), |p| p + 2);
                continue;
            }
            b';' => {
                if let Some(start) = first_token.take() {
                    spans.push(span(script, start, i));
                }
                i += 1;
                continue;
            }
            _ => {}
        }
        if !b.is_ascii_whitespace() && first_token.is_none() {
            first_token = Some(i);
        }
        i = match b {
            b'\'' | b'"' => skip_quoted(bytes, i, b),
            b'$' => skip_dollar_quoted(bytes, i),
            _ => i + 1,
        };
    }
    if let Some(start) = first_token {
        spans.push(span(script, start, bytes.len()));
    }
    spans
}

fn span(script: &str, start: usize, end: usize) -> StatementSpan {
    let before = &script[..start];
    let line = before.matches('\n').count() as u32 + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let column = script[line_start..start].chars().count() as u32 + 1;
    StatementSpan {
        sql: script[start..end].trim_end().to_string(),
        start,
        line,
        column,
    }
}

fn find_from(bytes: &[u8], from: usize, needle: &[u8]) -> Option<usize> {
    bytes
        .get(from..)?
        .windows(needle.len())
        .position(|w| w == needle)
        .map(|p| p + from)
}

/// Skips a '...' string or "..." identifier (a doubled quote escapes itself).
fn skip_quoted(bytes: &[u8], start: usize, quote: u8) -> usize {
    let mut i = start + 1;
    while i < bytes.len() {
        if bytes[i] == quote {
            if bytes.get(i + 1) == Some(&quote) {
                i += 2;
                continue;
            }
            return i + 1;
        }
        i += 1;
    }
    bytes.len()
}

/// Skips `$tag$ ... $tag$`; a `$` that does not open a tag (e.g. `$1`) is one character.
fn skip_dollar_quoted(bytes: &[u8], start: usize) -> usize {
    let tag_end = bytes[start + 1..]
        .iter()
        .position(|&c| !(c.is_ascii_alphanumeric() || c == b'_'))
        .map(|p| p + start + 1);
    match tag_end {
        Some(end)
            if bytes[end] == b'$'
                && !bytes[start + 1..end]
                    .first()
                    .is_some_and(u8::is_ascii_digit) =>
        {
            let tag = &bytes[start..=end];
            find_from(bytes, end + 1, tag).map_or(bytes.len(), |p| p + tag.len())
        }
        _ => start + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(script: &str) -> Vec<String> {
        split_statements(script)
            .into_iter()
            .map(|s| s.sql)
            .collect()
    }

    #[test]
    fn splits_on_top_level_semicolons() {
        assert_eq!(
            texts("SELECT 1; SELECT 2;SELECT 3"),
            ["SELECT 1", "SELECT 2", "SELECT 3"]
        );
    }

    #[test]
    fn ignores_semicolons_in_strings_identifiers_and_comments() {
        let script = "INSERT INTO t VALUES ('a;b', 'it''s;');\n\
                      SELECT \"we;ird\" FROM t; -- trailing; comment\n\
                      /* block ; comment */ SELECT 2;";
        assert_eq!(
            texts(script),
            [
                "INSERT INTO t VALUES ('a;b', 'it''s;')",
                "SELECT \"we;ird\" FROM t",
                "SELECT 2"
            ]
        );
    }

    #[test]
    fn dollar_quotes_and_parameters() {
        assert_eq!(
            texts("SELECT $x$a;b$x$; SELECT $$;$$"),
            ["SELECT $x$a;b$x$", "SELECT $$;$$"]
        );
        assert_eq!(texts("SELECT $1; SELECT 2"), ["SELECT $1", "SELECT 2"]);
    }

    #[test]
    fn drops_empty_and_comment_only_pieces() {
        assert_eq!(
            texts(" ;; -- only a comment\n ; /* x */ "),
            Vec::<String>::new()
        );
        assert!(split_statements("").is_empty());
    }

    #[test]
    fn records_line_and_column_of_each_statement() {
        let spans = split_statements("SELECT 1;\n  -- note\n  SELECT 2;\n\tSELECT 3");
        let pos: Vec<_> = spans.iter().map(|s| (s.line, s.column)).collect();
        assert_eq!(pos, [(1, 1), (3, 3), (4, 2)]);
        assert_eq!(spans[1].start, "SELECT 1;\n  -- note\n  ".len());
    }

    #[test]
    fn unterminated_quote_runs_to_the_end() {
        assert_eq!(
            texts("SELECT 1; SELECT 'oops; SELECT 2"),
            ["SELECT 1", "SELECT 'oops; SELECT 2"]
        );
    }

    #[test]
    fn multibyte_text_keeps_character_columns() {
        let spans = split_statements("SELECT 'é'; SELECT 2");
        assert_eq!((spans[1].line, spans[1].column), (1, 13));
    }
}
