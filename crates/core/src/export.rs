//! What a user takes away from a page: a result as CSV, Markdown or JSON, and the statement
//! log as a SQL script. (The page's database as a SQL dump is the engine's own:
//! [`crate::engine::Database::sql_dump`].)
//!
//! CSV is PostgreSQL's `COPY (query) TO STDOUT (FORMAT csv, HEADER)`; JSON is its
//! `json_agg` of the rows (`row_to_json` per row): the test `export_formats_match_postgresql`
//! checks both against a real server. Markdown is a GitHub table, which PostgreSQL has no
//! form of.

use crate::console::{CellKind, ResultSet};
use crate::engine::{LogEntry, LogOutcome};
use std::fmt::Write;

/// The formats a result can be exported in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResultFormat {
    Csv,
    Markdown,
    Json,
}

impl ResultFormat {
    pub const ALL: [ResultFormat; 3] = [Self::Csv, Self::Markdown, Self::Json];

    pub fn label(self) -> &'static str {
        match self {
            Self::Csv => "CSV",
            Self::Markdown => "Markdown",
            Self::Json => "JSON",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Self::Csv => "csv",
            Self::Markdown => "md",
            Self::Json => "json",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Csv => "text/csv",
            Self::Markdown => "text/markdown",
            Self::Json => "application/json",
        }
    }

    pub fn render(self, result: &ResultSet) -> String {
        match self {
            Self::Csv => csv(result),
            Self::Markdown => markdown(result),
            Self::Json => json(result),
        }
    }
}

/// `COPY ... (FORMAT csv, HEADER)`: NULL is an empty field, an empty string is `""`, a
/// field with a comma, quote or line break is quoted (quotes doubled), as is `\.` alone on
/// its line (which would end the data in psql).
pub fn csv(result: &ResultSet) -> String {
    let single = result.columns.len() == 1;
    let field = |text: &str| -> String {
        let quote =
            text.is_empty() || (single && text == "\\.") || text.contains([',', '"', '\n', '\r']);
        if quote {
            format!("\"{}\"", text.replace('"', "\"\""))
        } else {
            text.to_string()
        }
    };
    let mut out = String::new();
    let header: Vec<String> = result.columns.iter().map(|c| field(c)).collect();
    out.push_str(&header.join(","));
    out.push('\n');
    for row in &result.rows {
        let cells: Vec<String> = row
            .iter()
            .map(|cell| match cell.kind {
                CellKind::Null => String::new(),
                _ => field(&cell.text),
            })
            .collect();
        out.push_str(&cells.join(","));
        out.push('\n');
    }
    out
}

/// A GitHub-flavoured Markdown table: numeric columns right-aligned, `|` escaped, line
/// breaks as `<br>`, NULL as `NULL` (as the console shows it).
pub fn markdown(result: &ResultSet) -> String {
    fn escape(text: &str) -> String {
        text.replace('\\', "\\\\")
            .replace('|', "\\|")
            .replace("\r\n", "<br>")
            .replace(['\n', '\r'], "<br>")
    }
    let numeric: Vec<bool> = (0..result.columns.len())
        .map(|i| {
            let mut cells = result.rows.iter().filter_map(|r| r.get(i));
            let mut any = false;
            let all = cells.all(|c| match c.kind {
                CellKind::Null => true,
                CellKind::Number => {
                    any = true;
                    true
                }
                _ => false,
            });
            all && any
        })
        .collect();
    let mut out = String::new();
    let header: Vec<String> = result.columns.iter().map(|c| escape(c)).collect();
    let _ = writeln!(out, "| {} |", header.join(" | "));
    let rule: Vec<&str> = numeric
        .iter()
        .map(|n| if *n { "---:" } else { "---" })
        .collect();
    let _ = writeln!(out, "| {} |", rule.join(" | "));
    for row in &result.rows {
        let cells: Vec<String> = row.iter().map(|c| escape(&c.text)).collect();
        let _ = writeln!(out, "| {} |", cells.join(" | "));
    }
    out
}

/// `SELECT json_agg(q) FROM (query) q`, pretty-printed one row per line: numbers and
/// booleans as JSON's, json values embedded, timestamps in ISO 8601 (`T`, `+00:00`), the
/// rest as strings. An empty result is `[]` (where json_agg gives NULL).
pub fn json(result: &ResultSet) -> String {
    if result.rows.is_empty() {
        return "[]\n".to_string();
    }
    let keys: Vec<String> = result.columns.iter().map(|c| json_string(c)).collect();
    let rows: Vec<String> = result
        .rows
        .iter()
        .map(|row| {
            let members: Vec<String> = keys
                .iter()
                .zip(row)
                .map(|(key, cell)| format!("{key}: {}", json_value(cell.kind, &cell.text)))
                .collect();
            format!(" {{{}}}", members.join(", "))
        })
        .collect();
    format!("[\n{}\n]\n", rows.join(",\n"))
}

fn json_value(kind: CellKind, text: &str) -> String {
    match kind {
        CellKind::Null => "null".into(),
        CellKind::Bool => (if text == "t" { "true" } else { "false" }).into(),
        CellKind::Number if is_json_number(text) => text.to_string(),
        CellKind::Json if serde_json::from_str::<serde_json::Value>(text).is_ok() => {
            text.to_string()
        }
        CellKind::Temporal => json_string(&iso_8601(text)),
        _ => json_string(text),
    }
}

/// JSON's number grammar (NaN and Infinity are not numbers there: PostgreSQL writes them
/// as strings).
fn is_json_number(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (mantissa, exponent) = match digits.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (digits, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(int)
        && (int == "0" || !int.starts_with('0'))
        && frac.is_none_or(all_digits)
        && exponent.is_none_or(all_digits)
}

/// PostgreSQL's JSON form of a timestamp: `2024-01-15T10:30:00`, with `+00:00` for a
/// timestamptz; dates, times and intervals as their text.
fn iso_8601(text: &str) -> String {
    let bytes = text.as_bytes();
    let is_timestamp = bytes.len() >= 19
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes[10] == b' '
        && bytes[13] == b':';
    if !is_timestamp {
        return text.to_string();
    }
    let mut iso = format!("{}T{}", &text[..10], &text[11..]);
    // A whole-hour offset (`+00`) gains its minutes.
    let tail = iso.len().saturating_sub(3);
    if iso.len() >= 22 && matches!(&iso[tail..tail + 1], "+" | "-") {
        iso.push_str(":00");
    }
    iso
}

fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

/// The statement log as a script that replays it in psql: each statement with a comment
/// saying what it did; a statement that failed stays in, commented out, with its error,
/// so the script runs to the end.
pub fn log_sql(entries: &[LogEntry]) -> String {
    let mut out = format!(
        "-- The statement log of a sqlpatterns playground page: {} {}.\n",
        entries.len(),
        if entries.len() == 1 {
            "statement"
        } else {
            "statements"
        }
    );
    for entry in entries {
        let sql = entry.sql.trim().trim_end_matches(';').trim_end();
        let what = match &entry.outcome {
            LogOutcome::Rows(n) => format!("{} row{}", n, if *n == 1 { "" } else { "s" }),
            LogOutcome::Affected(n) => format!("{} {n}", entry.command),
            LogOutcome::Done => entry.command.clone(),
            LogOutcome::Failed(message) => {
                let message = message.lines().next().unwrap_or_default();
                let _ = writeln!(out, "\n-- {}. failed: {message}", entry.seq);
                for line in sql.lines() {
                    let _ = writeln!(out, "-- {line}");
                }
                continue;
            }
        };
        let _ = writeln!(
            out,
            "\n-- {}. {what}, {:.2} ms\n{sql};",
            entry.seq, entry.duration_ms
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::console::Cell;

    fn result(columns: &[&str], rows: &[&[(CellKind, &str)]]) -> ResultSet {
        ResultSet {
            columns: columns.iter().map(|c| c.to_string()).collect(),
            rows: rows
                .iter()
                .map(|r| {
                    r.iter()
                        .map(|(kind, text)| Cell {
                            text: text.to_string(),
                            kind: *kind,
                        })
                        .collect()
                })
                .collect(),
        }
    }

    #[test]
    fn markdown_escapes_pipes_and_line_breaks_and_right_aligns_numbers() {
        let rs = result(
            &["id", "note"],
            &[
                &[(CellKind::Number, "1"), (CellKind::Text, "a|b\nc")],
                &[(CellKind::Null, "NULL"), (CellKind::Null, "NULL")],
            ],
        );
        assert_eq!(
            markdown(&rs),
            "| id | note |\n| ---: | --- |\n| 1 | a\\|b<br>c |\n| NULL | NULL |\n"
        );
    }

    #[test]
    fn json_numbers_are_checked_against_the_grammar() {
        for good in ["0", "-1", "10.50", "1e+20", "1.5e-07"] {
            assert!(is_json_number(good), "{good}");
        }
        for bad in ["NaN", "Infinity", "-Infinity", "01", ".5", "1.", ""] {
            assert!(!is_json_number(bad), "{bad}");
        }
        assert_eq!(
            iso_8601("2024-01-15 10:30:00+00"),
            "2024-01-15T10:30:00+00:00"
        );
        assert_eq!(iso_8601("2024-01-15 10:30:00.25"), "2024-01-15T10:30:00.25");
        assert_eq!(iso_8601("1 day 02:00:00"), "1 day 02:00:00");
    }
}
