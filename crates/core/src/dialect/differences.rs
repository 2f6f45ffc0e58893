//! The differences from PostgreSQL that remain, each with its reason, and the check that
//! tells the learner in one line when a statement hits one. `KNOWN_DIFFERENCES.md` (at the
//! repository root) explains each; a test keeps the two lists the same.
//!
//! Everything else the playground cannot answer as PostgreSQL does, it refuses with 0A000.

use super::types::PgType;
use super::typing::{type_of, Scope};
use gluesql::core::sqlparser::ast::{BinaryOperator, DataType, Expr, Statement};

/// One known difference: a stable id (the heading in KNOWN_DIFFERENCES.md) and the line
/// the console shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
pub struct KnownDifference {
    pub id: &'static str,
    pub line: &'static str,
}

pub const NUMERIC_DIVISION: KnownDifference = KnownDifference {
    id: "numeric-division-scale",
    line: "PostgreSQL shows a NUMERIC quotient with at least 16 significant digits (7.0 / 2 is 3.5000000000000000); here it is the exact quotient (3.5).",
};
pub const AVERAGE_SCALE: KnownDifference = KnownDifference {
    id: "avg-scale",
    line: "PostgreSQL's avg() shows at least 16 decimal places (32.0000000000000000); here it is the exact value (32).",
};
pub const JSON_TEXT: KnownDifference = KnownDifference {
    id: "json-output",
    line: "DISTINCT, GROUP BY and UNION compare json and jsonb values as their text here: PostgreSQL refuses to compare json, and compares jsonb numbers by value (1 and 1.0 are one group there).",
};
pub const INTEGER_WIDTH: KnownDifference = KnownDifference {
    id: "integer-overflow",
    line: "INTEGER and SMALLINT arithmetic runs in 64 bits here: results are range-checked as in PostgreSQL, but an intermediate value past 2147483647 does not fail.",
};
pub const FLOAT_OUTPUT: KnownDifference = KnownDifference {
    id: "float-output",
    line: "REAL values are stored and printed as double precision (PostgreSQL prints 1.2345679 for 1.23456789::real).",
};
pub const CHAR_PADDING: KnownDifference = KnownDifference {
    id: "char-padding",
    line: "CHAR(n) is not blank-padded here: PostgreSQL pads to n characters and ignores trailing blanks in comparisons.",
};
pub const EXPLAIN_PLAN: KnownDifference = KnownDifference {
    id: "explain-plan",
    line: "EXPLAIN shows the plan this playground ran, in PostgreSQL's shape, with the rows each table read; PostgreSQL's planner may choose another plan, and prints estimated costs.",
};

/// Every known difference, in the order of KNOWN_DIFFERENCES.md.
pub const ALL: &[KnownDifference] = &[
    NUMERIC_DIVISION,
    AVERAGE_SCALE,
    JSON_TEXT,
    INTEGER_WIDTH,
    FLOAT_OUTPUT,
    CHAR_PADDING,
    EXPLAIN_PLAN,
];

/// The first known difference `statement` (as written, before any rewrite) runs into.
pub(crate) fn detect(statement: &mut Statement, scope: &Scope) -> Option<KnownDifference> {
    let mut found = None;
    super::rewrite::walk_statement(statement, &mut |expr| {
        if found.is_some() {
            return;
        }
        found = match expr {
            Expr::BinaryOp {
                left,
                op: BinaryOperator::Divide,
                right,
            } if is_numeric(left, scope) || is_numeric(right, scope) => Some(NUMERIC_DIVISION),
            Expr::Function(f) if f.name.to_string().eq_ignore_ascii_case("avg") => {
                Some(AVERAGE_SCALE)
            }
            Expr::Cast {
                data_type: DataType::JSON | DataType::JSONB,
                ..
            } => Some(JSON_TEXT),
            Expr::Cast {
                data_type: DataType::Real | DataType::Float4,
                ..
            } => Some(FLOAT_OUTPUT),
            Expr::Cast {
                data_type: DataType::Char(_) | DataType::Character(_),
                ..
            } => Some(CHAR_PADDING),
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => match type_of(expr, scope) {
                Some(PgType::Json | PgType::Jsonb) => Some(JSON_TEXT),
                Some(PgType::Real) => Some(FLOAT_OUTPUT),
                Some(PgType::Char(_)) => Some(CHAR_PADDING),
                _ => None,
            },
            _ => None,
        };
    });
    found
}

fn is_numeric(expr: &Expr, scope: &Scope) -> bool {
    matches!(type_of(expr, scope), Some(PgType::Numeric { .. }))
}

#[cfg(test)]
mod tests {
    use super::ALL;

    /// KNOWN_DIFFERENCES.md has a section for each difference, and no other.
    #[test]
    fn the_document_lists_exactly_these() {
        let text = include_str!("../../../../KNOWN_DIFFERENCES.md");
        let headings: Vec<&str> = text
            .lines()
            .filter_map(|l| l.strip_prefix("### `"))
            .filter_map(|l| l.split('`').next())
            .collect();
        let ids: Vec<&str> = ALL.iter().map(|d| d.id).collect();
        assert_eq!(headings, ids);
    }
}
