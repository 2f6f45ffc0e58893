//! PostgreSQL syntax the parser underneath (sqlparser, as GlueSQL configures it) does not
//! read, and syntax it reads that PostgreSQL does not.
//!
//! When the parser fails, the statement may still be valid PostgreSQL: answering with a
//! syntax error would be a different answer. [`refusal_for_unparsed`] recognises the
//! PostgreSQL constructs a learner types that the parser lacks and refuses them (0A000),
//! or gives PostgreSQL's own error where PostgreSQL has one for them. [`pre_parse`] catches
//! text the parser accepts but PostgreSQL rejects or reads differently.

use crate::engine::EngineError;

/// The statement's text in lower case with string literals emptied (`''`), comments
/// dropped and runs of whitespace as one space: what the keyword checks below read.
/// Deepest parenthesis nesting a statement may have. The parser and the engine recurse
/// per level, and the browser's wasm stack is 1 MB: 40 nested subqueries in FROM overflow
/// it (measured natively on a 1 MB thread), which would take the page down. PostgreSQL
/// goes much deeper, so deeper statements are refused, not answered differently.
pub const MAX_NESTING: usize = 24;

/// The refusal of a statement nested deeper than [`MAX_NESTING`] (strings and comments
/// aside).
fn too_deep(sql: &str) -> Option<EngineError> {
    // Most statements have fewer parentheses than the limit at all.
    if sql.bytes().filter(|b| *b == b'(').count() <= MAX_NESTING {
        return None;
    }
    let mut depth = 0usize;
    let mut deepest = 0usize;
    for c in skeleton(sql).chars() {
        match c {
            '(' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            ')' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    (deepest > MAX_NESTING).then(|| {
        EngineError::unsupported(format!(
            "parentheses nested {deepest} deep (at most {MAX_NESTING} here: the browser's stack is small)"
        ))
    })
}

pub(crate) fn skeleton(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    let mut space = false;
    while let Some(c) = chars.next() {
        match c {
            '\'' => {
                while let Some(n) = chars.next() {
                    if n == '\'' {
                        if chars.peek() == Some(&'\'') {
                            chars.next();
                        } else {
                            break;
                        }
                    }
                }
                if space && !out.is_empty() {
                    out.push(' ');
                }
                out.push_str("''");
                space = false;
            }
            '-' if chars.peek() == Some(&'-') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
                space = true;
            }
            c if c.is_whitespace() => space = true,
            c => {
                if space && !out.is_empty() {
                    out.push(' ');
                }
                space = false;
                out.extend(c.to_lowercase());
            }
        }
    }
    out
}

/// For a statement the parser could not read: PostgreSQL's answer where it is an error
/// we can give, or the refusal for a construct PostgreSQL reads and the playground
/// cannot. None leaves the parser's syntax error standing.
pub(crate) fn refusal_for_unparsed(sql: &str, in_transaction: bool) -> Option<EngineError> {
    if let Some(rest) = unterminated_literal(sql) {
        return Some(EngineError::new(format!(
            "unterminated quoted string at or near \"{}\"",
            rest.trim_end()
        )));
    }
    let text = skeleton(sql);
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .filter(|w| !w.is_empty())
        .collect();
    let has = |phrase: &str| text.contains(phrase);
    let has_words = |seq: &[&str]| words.windows(seq.len()).any(|w| w == seq);
    if words.first() == Some(&"lock") {
        return Some(if in_transaction {
            EngineError::unsupported("LOCK TABLE (the lock timeline pages simulate locks)")
        } else {
            EngineError::coded(
                crate::engine::SqlState::NO_ACTIVE_SQL_TRANSACTION,
                "LOCK TABLE can only be used in transaction blocks",
            )
        });
    }
    if let Some(at) = words.iter().position(|w| *w == "limit") {
        let after = text
            .split_once(" limit ")
            .map(|(_, rest)| rest)
            .unwrap_or_default();
        let mut parts = after.splitn(2, ',');
        let first = parts.next().unwrap_or_default().trim();
        if parts.next().is_some() && first.chars().all(|c| c.is_ascii_digit()) && at > 0 {
            return Some(EngineError::coded(
                crate::engine::SqlState::SYNTAX_ERROR,
                "LIMIT #,# syntax is not supported\nHINT:  Use separate LIMIT and OFFSET clauses.",
            ));
        }
    }
    if let Some(word) = words
        .iter()
        .find(|w| matches!(**w, "auto_increment" | "autoincrement"))
    {
        let as_written = written_as(sql, word);
        return Some(EngineError::new(format!(
            "syntax error at or near \"{as_written}\""
        )));
    }
    // More parentheses opened than closed: PostgreSQL reaches the end still inside one.
    if text.matches('(').count() > text.matches(')').count() {
        return Some(EngineError::new("syntax error at end of input"));
    }
    let constructs: &[(&dyn Fn() -> bool, &str)] = &[
        (
            &|| {
                has_words(&["on", "conflict"])
                    && text
                        .split(" on conflict ")
                        .nth(1)
                        .is_some_and(|rest| rest.starts_with('(') && rest.contains(") where "))
            },
            "ON CONFLICT (...) WHERE (a partial unique index as the arbiter)",
        ),
        (
            &|| has_words(&["create", "sequence"]) || has_words(&["alter", "sequence"]),
            "CREATE SEQUENCE and ALTER SEQUENCE (SERIAL and IDENTITY columns have their own)",
        ),
        (
            &|| {
                has_words(&["overriding", "system", "value"])
                    || has_words(&["overriding", "user", "value"])
            },
            "OVERRIDING SYSTEM VALUE",
        ),
        (
            &|| has(" as identity (") || has(" as identity(") || has_words(&["restart"]),
            "identity options (START WITH, INCREMENT BY, RESTART)",
        ),
        (
            &|| {
                words.first() == Some(&"with")
                    && (has(" as (delete ") || has(" as (update ") || has(" as (insert "))
            },
            "INSERT, UPDATE or DELETE inside WITH",
        ),
        (
            &|| has_words(&["between", "symmetric"]),
            "BETWEEN SYMMETRIC",
        ),
        (&|| has_words(&["overlaps"]), "OVERLAPS"),
        (
            &|| {
                has_words(&["for", "update"])
                    || has_words(&["for", "share"])
                    || has_words(&["skip", "locked"])
            },
            "SELECT ... FOR UPDATE / FOR SHARE (the lock timeline pages simulate locks)",
        ),
        (
            &|| {
                words.first() == Some(&"create")
                    && (has_words(&["tablespace"])
                        || (words.get(1) == Some(&"table") && has(") using ")))
            },
            "table access methods and tablespaces (USING ..., TABLESPACE ...)",
        ),
        (
            &|| {
                has_words(&["comment", "on"])
                    && !has_words(&["comment", "on", "table"])
                    && !has_words(&["comment", "on", "column"])
            },
            "COMMENT ON other than a table or a column",
        ),
        (
            &|| has_words(&["create", "view"]) || has_words(&["create", "materialized", "view"]),
            "views",
        ),
        (&|| has_words(&["create", "trigger"]), "triggers"),
        (&|| has_words(&["create", "schema"]), "schemas"),
        (&|| has_words(&["create", "extension"]), "extensions"),
        (&|| has_words(&["truncate"]), "TRUNCATE (use DELETE FROM)"),
    ];
    constructs
        .iter()
        .find(|(applies, _)| applies())
        .map(|(_, what)| EngineError::unsupported(what))
}

/// The text from an opening quote that is never closed to the end of the statement.
fn unterminated_literal(sql: &str) -> Option<&str> {
    let mut open: Option<usize> = None;
    let bytes = sql.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match (open, bytes[i]) {
            (None, b'\'') => open = Some(i),
            (Some(_), b'\'') if bytes.get(i + 1) == Some(&b'\'') => i += 1,
            (Some(_), b'\'') => open = None,
            (None, b'-') if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n);
            }
            _ => {}
        }
        i += 1;
    }
    open.map(|at| &sql[at..])
}

/// `word` as it is spelled in `sql` (the skeleton is lower case).
fn written_as(sql: &str, word: &str) -> String {
    let lower = sql.to_lowercase();
    lower
        .find(word)
        .and_then(|i| sql.get(i..i + word.len()))
        .unwrap_or(word)
        .to_string()
}

/// PostgreSQL's reserved key words (Appendix C, "reserved" in PostgreSQL's column): they
/// cannot name a column or table unless quoted.
pub(crate) fn is_reserved(word: &str) -> bool {
    const RESERVED: &[&str] = &[
        "all",
        "analyse",
        "analyze",
        "and",
        "any",
        "array",
        "as",
        "asc",
        "asymmetric",
        "both",
        "case",
        "cast",
        "check",
        "collate",
        "column",
        "constraint",
        "create",
        "current_catalog",
        "current_date",
        "current_role",
        "current_time",
        "current_timestamp",
        "current_user",
        "default",
        "deferrable",
        "desc",
        "distinct",
        "do",
        "else",
        "end",
        "except",
        "false",
        "fetch",
        "for",
        "foreign",
        "from",
        "grant",
        "group",
        "having",
        "in",
        "initially",
        "intersect",
        "into",
        "lateral",
        "leading",
        "limit",
        "localtime",
        "localtimestamp",
        "not",
        "null",
        "offset",
        "on",
        "only",
        "or",
        "order",
        "placing",
        "primary",
        "references",
        "returning",
        "select",
        "session_user",
        "some",
        "symmetric",
        "table",
        "then",
        "to",
        "trailing",
        "true",
        "union",
        "unique",
        "user",
        "using",
        "variadic",
        "when",
        "where",
        "window",
        "with",
    ];
    RESERVED.contains(&word.to_ascii_lowercase().as_str())
}

/// `ABORT [WORK | TRANSACTION]`: PostgreSQL's other spelling of ROLLBACK.
pub(crate) fn is_abort(sql: &str) -> bool {
    let start = sql.trim_start();
    if !start
        .get(..5)
        .is_some_and(|w| w.eq_ignore_ascii_case("abort"))
    {
        return false;
    }
    matches!(
        skeleton(sql).trim_end_matches(';').trim(),
        "abort" | "abort work" | "abort transaction"
    )
}

/// Text the parser reads that PostgreSQL rejects or reads otherwise.
pub(crate) fn pre_parse(sql: &str) -> Option<EngineError> {
    if let Some(error) = too_deep(sql) {
        return Some(error);
    }
    // (Most statements have none of the characters these checks look for.)
    let bytes = sql.as_bytes();
    let suspicious = sql.contains(['`', '_'])
        || sql.contains("==")
        || bytes
            .windows(4)
            .any(|w| w.eq_ignore_ascii_case(b"null") || w.eq_ignore_ascii_case(b"user"));
    if !suspicious {
        return None;
    }
    let text = skeleton(sql);
    let words: Vec<&str> = text
        .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == '.' || c == '"'))
        .filter(|w| !w.is_empty())
        .collect();
    if words
        .windows(2)
        .any(|w| matches!(w[0], "from" | "join") && w[1] == "user")
    {
        return Some(EngineError::unsupported(
            "FROM user: unquoted, user is PostgreSQL's current_user (one row); a table named user is written \"user\"",
        ));
    }
    if text.contains('`') {
        return Some(EngineError::unsupported(
            "backtick-quoted names (PostgreSQL quotes names with double quotes: \"email\")",
        ));
    }
    if words.iter().any(|w| matches!(*w, "isnull" | "notnull")) && !text.contains("isnull(") {
        return Some(EngineError::unsupported(
            "the ISNULL and NOTNULL postfix operators (write IS NULL, IS NOT NULL)",
        ));
    }
    // PostgreSQL 15 reads `1_000` as a number followed by junk (16 allows the underscores).
    if let Some(word) = words.iter().find(|w| {
        let mut chars = w.chars();
        chars.next().is_some_and(|c| c.is_ascii_digit())
            && w.contains('_')
            && w.chars().all(|c| c.is_ascii_digit() || c == '_')
    }) {
        return Some(EngineError::new(format!(
            "trailing junk after numeric literal at or near \"{word}\""
        )));
    }
    if text.contains("==") {
        return Some(EngineError::unsupported(
            "the == operator (PostgreSQL has none: equality is =)",
        ));
    }
    None
}

/// `DELETE FROM t RETURNING ...` without a WHERE, as the same statement with
/// `WHERE TRUE`: the parser reads a bare `RETURNING` there as the table's alias and then
/// stops at a syntax error, where PostgreSQL deletes every row and returns them. None for
/// any other text.
pub(crate) fn delete_returning_with_where(sql: &str) -> Option<String> {
    let words: Vec<(usize, &str)> = sql
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - sql.as_ptr() as usize, w))
        .take(4)
        .collect();
    let is = |i: usize, word: &str| {
        words
            .get(i)
            .is_some_and(|(_, w)| w.eq_ignore_ascii_case(word))
    };
    if !(is(0, "delete") && is(1, "from")) {
        return None;
    }
    let at = 3;
    if !is(at, "returning") {
        return None;
    }
    let between = &words[2..at];
    let plain = |w: &str| {
        w.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '.' || c == '"')
    };
    // Only the table itself: DELETE with an alias has troubles of its own in RETURNING.
    let shape_ok = matches!(between, [(_, table)] if plain(table));
    if !shape_ok {
        return None;
    }
    let (offset, _) = words[at];
    Some(format!("{}WHERE TRUE {}", &sql[..offset], &sql[offset..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_drops_literals_and_case() {
        assert_eq!(
            skeleton("SELECT  'It''s == x'\n  FROM T -- LOCK"),
            "select '' from t"
        );
    }

    #[test]
    fn postgresql_constructs_the_parser_lacks_are_refused_or_answered() {
        let refused = [
            "CREATE SEQUENCE s START WITH 10 INCREMENT BY 5",
            "WITH d AS (DELETE FROM t RETURNING *) SELECT * FROM d",
            "SELECT 3 BETWEEN SYMMETRIC 5 AND 1",
        ];
        for sql in refused {
            let error = refusal_for_unparsed(sql, false).expect(sql);
            assert_eq!(error.code.0, "0A000", "{sql}");
        }
        let lock = refusal_for_unparsed("LOCK TABLE t IN SHARE MODE", false).unwrap();
        assert_eq!(lock.code.0, "25P01");
        let limit = refusal_for_unparsed("SELECT id FROM t LIMIT 1, 2", false).unwrap();
        assert_eq!(
            (limit.code.0, limit.hint.as_deref()),
            ("42601", Some("Use separate LIMIT and OFFSET clauses."))
        );
        assert!(refusal_for_unparsed("SELEC 1", false).is_none());
        assert!(pre_parse("SELECT '==' = 'x'").is_none());
        assert!(pre_parse("SELECT 1 == 1").is_some());
    }
}
