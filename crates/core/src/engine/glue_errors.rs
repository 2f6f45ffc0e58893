//! GlueSQL's own error messages in PostgreSQL's words and codes.
//!
//! GlueSQL reports what went wrong in its evaluator (`the divisor should not be zero`,
//! `identifier not found: x`, `failed to cast text "42x" to INT`); where PostgreSQL has an
//! error for the same thing, the learner sees PostgreSQL's. Anything not listed keeps
//! GlueSQL's text under `XX000`, which the conformance corpus flags as a divergence.

use super::{EngineError, SqlState};

/// PostgreSQL's error for a GlueSQL message (`<stage>: <what>`), when it has one.
pub(crate) fn translate(message: &str) -> Option<EngineError> {
    let what = message
        .split_once(": ")
        .filter(|(stage, _)| !stage.contains(' '))
        .map_or(message, |(_, what)| what);
    if let Some(feature) = unsupported_feature(what, message) {
        return Some(EngineError::unsupported(feature));
    }
    if what.contains("the divisor should not be zero") {
        return Some(EngineError::coded(
            SqlState::DIVISION_BY_ZERO,
            "division by zero",
        ));
    }
    for (glue, code, postgres) in [
        (
            "literals have more values than target columns",
            SqlState::SYNTAX_ERROR,
            "INSERT has more expressions than target columns",
        ),
        (
            "subquery returns more than one column",
            SqlState::SYNTAX_ERROR,
            "subquery must return only one column",
        ),
        (
            "negative substring length not allowed",
            SqlState::SUBSTRING_ERROR,
            "negative substring length not allowed",
        ),
        (
            "IN (subquery) must return one column",
            SqlState::SYNTAX_ERROR,
            "subquery has too many columns",
        ),
    ] {
        if what.starts_with(glue) {
            return Some(EngineError::coded(code, postgres));
        }
    }
    if let Some(position) =
        what.strip_prefix("ORDER BY column index must be within the SELECT list: ")
    {
        return Some(EngineError::coded(
            SqlState::INVALID_COLUMN_REFERENCE,
            format!("ORDER BY position {position} is not in select list"),
        ));
    }
    if let Some(table) = what.strip_prefix("table does not exist: ") {
        return Some(EngineError::coded(
            SqlState::UNDEFINED_TABLE,
            format!("table \"{table}\" does not exist"),
        ));
    }
    if what == "subquery returns more than one row" {
        return Some(EngineError::coded(
            SqlState::CARDINALITY_VIOLATION,
            "more than one row returned by a subquery used as an expression",
        ));
    }
    if let Some(name) = what.strip_prefix("identifier not found: ") {
        let message = match name.split_once('.') {
            Some((table, column)) => format!("column {table}.{column} does not exist"),
            None => format!("column \"{name}\" does not exist"),
        };
        return Some(EngineError::coded(SqlState::UNDEFINED_COLUMN, message));
    }
    if let Some(rest) = what
        .strip_prefix("failed to cast text ")
        .or_else(|| what.strip_prefix("failed to parse text "))
    {
        let (literal, glue_type) = rest.rsplit_once(" to ")?;
        let literal = literal.trim_matches('"');
        let type_name = match glue_type {
            "INT" | "INT32" | "INT64" => "integer",
            "INT16" => "smallint",
            "INT8" => "smallint",
            "FLOAT" | "FLOAT32" => "double precision",
            "DECIMAL" => "numeric",
            "BOOLEAN" => "boolean",
            "UUID" => "uuid",
            "DATE" => "date",
            "TIMESTAMP" => "timestamp without time zone",
            "TIME" => "time without time zone",
            "INTERVAL" => "interval",
            _ => return None,
        };
        if matches!(glue_type, "DATE" | "TIMESTAMP" | "TIME") {
            if let Some(form) = unread_datetime_form(literal) {
                return Some(EngineError::unsupported(format!(
                    "{form} in date/time input ('{literal}'); write ISO 8601: '2024-01-15', '2024-01-15 10:30:00+00'"
                )));
            }
        }
        if glue_type == "TIMESTAMP" && literal.split('-').next().is_some_and(|y| y.len() > 4) {
            return Some(EngineError::coded(
                SqlState::DATETIME_FIELD_OVERFLOW,
                format!("timestamp out of range: \"{literal}\""),
            ));
        }
        if matches!(glue_type, "DATE" | "TIMESTAMP") && looks_like_a_date(literal) {
            // A month past 12 may be a day and month swapped: PostgreSQL says so.
            let month: u32 = literal[5..7].parse().unwrap_or(0);
            let hint = if month > 12 {
                "\nHINT:  Perhaps you need a different \"datestyle\" setting."
            } else {
                ""
            };
            return Some(EngineError::coded(
                SqlState::DATETIME_FIELD_OVERFLOW,
                format!("date/time field value out of range: \"{literal}\"{hint}"),
            ));
        }
        // (The code follows the wording: date and time input errors are 22007.)
        return Some(EngineError::new(format!(
            "invalid input syntax for type {type_name}: \"{literal}\""
        )));
    }
    if let Some(literal) = what.strip_prefix("failed to UUID: ") {
        return Some(EngineError::coded(
            SqlState::INVALID_TEXT_REPRESENTATION,
            format!("invalid input syntax for type uuid: \"{literal}\""),
        ));
    }
    if let Some(rest) = what.strip_prefix("overflow occurred: ") {
        let type_name = if rest.starts_with("I16(") {
            "smallint"
        } else if rest.starts_with("I32(") {
            "integer"
        } else {
            "bigint"
        };
        return Some(EngineError::coded(
            SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            format!("{type_name} out of range"),
        ));
    }
    if let Some(rest) = what.strip_prefix("column reference ") {
        let column = rest.split(' ').next()?;
        return Some(EngineError::coded(
            SqlState::AMBIGUOUS_COLUMN,
            format!("column reference \"{column}\" is ambiguous"),
        ));
    }
    None
}

/// The refusal for a GlueSQL failure that has no PostgreSQL counterpart here (its
/// evaluator rejects a value PostgreSQL would take, or takes a shape it cannot run):
/// 0A000, with GlueSQL's own words in brackets so the learner sees what stopped it.
pub(crate) fn refusal(message: &str) -> EngineError {
    let what = message
        .split_once(": ")
        .filter(|(stage, _)| !stage.contains(' '))
        .map_or(message, |(_, what)| what);
    let what: String = what.split_whitespace().collect::<Vec<_>>().join(" ");
    let what = if what.chars().count() > 80 {
        format!("{}...", what.chars().take(77).collect::<String>())
    } else {
        what
    };
    EngineError::unsupported(format!(
        "this expression as PostgreSQL evaluates it (the engine underneath says: {what})"
    ))
}

/// What GlueSQL says it cannot do, named the way a learner wrote it: these answers are
/// refusals (0A000), never a different answer.
fn unsupported_feature(what: &str, message: &str) -> Option<String> {
    let short = |text: &str| -> String {
        let text = text.trim();
        if text.chars().count() > 60 {
            format!("{}...", text.chars().take(57).collect::<String>())
        } else {
            text.to_string()
        }
    };
    if let Some(name) = what.strip_prefix("unsupported function: ") {
        return Some(format!("function {}()", name.to_lowercase()));
    }
    if let Some(op) = what.strip_prefix("unsupported binary operator: ") {
        return Some(format!("operator {op}"));
    }
    if let Some(option) = what.strip_prefix("unsupported query option: ") {
        return Some(match option {
            "WITH clause" => "WITH (common table expressions)".to_string(),
            "FETCH clause" => "FETCH FIRST ... ROWS ONLY".to_string(),
            other => short(other),
        });
    }
    if what.starts_with("unsupported query set expr: ") {
        return Some("UNION, INTERSECT and EXCEPT".to_string());
    }
    if let Some(factor) = what
        .strip_prefix("unsupported query table factor: ")
        .or_else(|| what.strip_prefix("unsupported table factor: "))
    {
        let name = factor.split('(').next().unwrap_or(factor).trim();
        if name.is_empty() {
            return Some("a parenthesized join here (in a subquery or WITH query)".to_string());
        }
        return Some(format!("{} in FROM", short(name)));
    }
    if what == "order by - NULLS (FIRST | LAST) is not supported" {
        return Some("ORDER BY ... NULLS FIRST/LAST".to_string());
    }
    if what.contains("select on two or more than tables are not supported") {
        return Some("FROM a, b (write a JOIN ... ON instead)".to_string());
    }
    if what.contains("SELECT DISTINCT ON is not supported") {
        return Some("DISTINCT ON".to_string());
    }
    if let Some(op) = what.strip_prefix("unsupported join operator: ") {
        let name = op.split('(').next().unwrap_or(op);
        return Some(match name {
            "FullOuter" => "FULL JOIN".to_string(),
            "CrossJoin" => "CROSS JOIN".to_string(),
            other => format!("{other} join"),
        });
    }
    if let Some(statement) = what.strip_prefix("unsupported statement: ") {
        let words: Vec<&str> = statement.split_whitespace().take(2).collect();
        return Some(format!("{} statements", words.join(" ")));
    }
    if let Some(field) = what.strip_prefix("unsupported datetime field: ") {
        return Some(format!("EXTRACT({field} FROM ...)"));
    }
    if let Some(rest) = what.strip_prefix("function args.length not matching: ") {
        let name = rest.split(',').next().unwrap_or(rest).to_lowercase();
        return Some(format!("this form of {name}()"));
    }
    for prefix in [
        "unsupported INSERT option: ",
        "unsupported UPDATE option: ",
        "unsupported DELETE option: ",
        "unsupported SELECT option: ",
        "unsupported expr: ",
        "unsupported data type: ",
        "unsupported literal: ",
        "unsupported join constraint: ",
        "unsupported CAST format: ",
    ] {
        if let Some(rest) = what.strip_prefix(prefix) {
            let kind = prefix
                .trim_start_matches("unsupported ")
                .trim_end_matches(": ");
            return Some(format!("{kind} {}", short(rest)));
        }
    }
    if message.starts_with("interval: unreachable") {
        return Some("this interval input or arithmetic".to_string());
    }
    if what.starts_with("unimplemented") || what.ends_with("is not supported") {
        return Some(short(what.trim_start_matches("unimplemented - ")));
    }
    None
}

/// Date/time input PostgreSQL reads and the playground does not: words (`January 15`,
/// `tomorrow`, `infinity`), other orders (`01/02/2024`, which depends on DateStyle), BC
/// dates, time zone names and the 24:00:00 end of day. None for ISO 8601 text, whose
/// errors are PostgreSQL's own.
fn unread_datetime_form(literal: &str) -> Option<&'static str> {
    let lower = literal.trim().to_ascii_lowercase();
    if lower.contains('/') && lower.chars().any(|c| c.is_ascii_alphabetic()) {
        return Some("a time zone name");
    }
    if lower.ends_with(" bc") || lower.ends_with(" ad") {
        return Some("a BC/AD era");
    }
    if lower.chars().any(|c| c.is_ascii_alphabetic() && c != 't') || lower.contains("tomorrow") {
        return Some("words");
    }
    if lower.contains('/') || lower.contains(',') {
        return Some("a day, month and year order other than year-month-day");
    }
    if lower.contains(" 24:00") || lower.contains("t24:00") {
        return Some("24:00:00 (the end of a day)");
    }
    None
}

/// `2024-13-01`: a date-shaped literal whose fields are out of range.
fn looks_like_a_date(literal: &str) -> bool {
    let b = literal.as_bytes();
    b.len() >= 10
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

#[cfg(test)]
mod tests {
    use super::translate;

    #[test]
    fn glue_messages_become_postgresql_errors() {
        for (glue, code, message) in [
            (
                "evaluate: the divisor should not be zero",
                "22012",
                "division by zero",
            ),
            (
                "evaluate: identifier not found: nickname",
                "42703",
                "column \"nickname\" does not exist",
            ),
            (
                "evaluate: failed to cast text \"42x\" to INT",
                "22P02",
                "invalid input syntax for type integer: \"42x\"",
            ),
            (
                "evaluate: failed to parse text \"2024-13-01\" to DATE",
                "22008",
                "date/time field value out of range: \"2024-13-01\"",
            ),
            (
                "value: overflow occurred: I64(1) + I64(2)",
                "22003",
                "bigint out of range",
            ),
        ] {
            let error = translate(glue).unwrap();
            assert_eq!(
                (error.code.0, error.message.as_str()),
                (code, message),
                "{glue}"
            );
        }
        assert!(translate("evaluate: something else").is_none());
    }
}
