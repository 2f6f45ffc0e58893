//! SQLSTATE codes, PostgreSQL's five-character error classes (Appendix A of its manual).
//!
//! Every [`EngineError`](super::EngineError) carries one. The layers below write
//! PostgreSQL's primary messages; [`SqlState::of_message`] reads the code off that wording
//! in one place, so a message and its code cannot drift apart between call sites. Errors
//! whose wording is not PostgreSQL's (GlueSQL's own) get `XX000`, which the conformance
//! corpus flags.

use serde::Serialize;

/// A SQLSTATE, e.g. `23505` (unique_violation).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct SqlState(pub &'static str);

impl SqlState {
    pub const FEATURE_NOT_SUPPORTED: Self = Self("0A000");
    pub const CARDINALITY_VIOLATION: Self = Self("21000");
    pub const STRING_DATA_RIGHT_TRUNCATION: Self = Self("22001");
    pub const NUMERIC_VALUE_OUT_OF_RANGE: Self = Self("22003");
    pub const INVALID_PARAMETER_VALUE: Self = Self("22023");
    pub const INVALID_ARGUMENT_FOR_POWER_FUNCTION: Self = Self("2201F");
    pub const DATETIME_FIELD_OVERFLOW: Self = Self("22008");
    pub const DIVISION_BY_ZERO: Self = Self("22012");
    pub const INVALID_PRECEDING_OR_FOLLOWING_SIZE: Self = Self("22013");
    pub const INVALID_ARGUMENT_FOR_NTILE: Self = Self("22014");
    pub const INVALID_ARGUMENT_FOR_NTH_VALUE: Self = Self("22016");
    pub const SUBSTRING_ERROR: Self = Self("22011");
    pub const INVALID_TEXT_REPRESENTATION: Self = Self("22P02");
    pub const INVALID_DATETIME_FORMAT: Self = Self("22007");
    pub const NOT_NULL_VIOLATION: Self = Self("23502");
    pub const FOREIGN_KEY_VIOLATION: Self = Self("23503");
    pub const UNIQUE_VIOLATION: Self = Self("23505");
    pub const CHECK_VIOLATION: Self = Self("23514");
    pub const ACTIVE_SQL_TRANSACTION: Self = Self("25001");
    pub const NO_ACTIVE_SQL_TRANSACTION: Self = Self("25P01");
    pub const READ_ONLY_SQL_TRANSACTION: Self = Self("25006");
    pub const IN_FAILED_SQL_TRANSACTION: Self = Self("25P02");
    pub const DEPENDENT_OBJECTS_STILL_EXIST: Self = Self("2BP01");
    pub const INVALID_SAVEPOINT_SPECIFICATION: Self = Self("3B001");
    pub const SYNTAX_ERROR: Self = Self("42601");
    pub const GROUPING_ERROR: Self = Self("42803");
    pub const INVALID_COLUMN_REFERENCE: Self = Self("42P10");
    pub const DATATYPE_MISMATCH: Self = Self("42804");
    pub const UNDEFINED_FUNCTION: Self = Self("42883");
    pub const AMBIGUOUS_FUNCTION: Self = Self("42725");
    pub const UNDEFINED_TABLE: Self = Self("42P01");
    pub const UNDEFINED_COLUMN: Self = Self("42703");
    pub const UNDEFINED_OBJECT: Self = Self("42704");
    pub const DUPLICATE_COLUMN: Self = Self("42701");
    pub const DUPLICATE_TABLE: Self = Self("42P07");
    pub const DUPLICATE_OBJECT: Self = Self("42710");
    pub const AMBIGUOUS_COLUMN: Self = Self("42702");
    pub const DUPLICATE_ALIAS: Self = Self("42712");
    pub const WRONG_OBJECT_TYPE: Self = Self("42809");
    pub const INVALID_OBJECT_DEFINITION: Self = Self("42P17");
    pub const INVALID_RECURSION: Self = Self("42P19");
    pub const WINDOWING_ERROR: Self = Self("42P20");
    pub const INVALID_TABLE_DEFINITION: Self = Self("42P16");
    pub const INVALID_FOREIGN_KEY: Self = Self("42830");
    pub const PROGRAM_LIMIT_EXCEEDED: Self = Self("54000");
    pub const OUT_OF_MEMORY: Self = Self("53200");
    pub const INVALID_ROW_COUNT_IN_LIMIT: Self = Self("2201W");
    pub const INVALID_ROW_COUNT_IN_OFFSET: Self = Self("2201X");
    pub const QUERY_CANCELED: Self = Self("57014");
    pub const INTERNAL_ERROR: Self = Self("XX000");

    /// The code PostgreSQL gives the error it words as `message`.
    pub fn of_message(message: &str) -> Self {
        const BY_WORDING: &[(&str, SqlState)] = &[
            (
                "feature not supported in this playground",
                SqlState::FEATURE_NOT_SUPPORTED,
            ),
            ("syntax error", SqlState::SYNTAX_ERROR),
            ("trailing junk after", SqlState::SYNTAX_ERROR),
            ("unterminated quoted string", SqlState::SYNTAX_ERROR),
            ("is not unique", SqlState::AMBIGUOUS_FUNCTION),
            ("columns available but", SqlState::INVALID_COLUMN_REFERENCE),
            ("WITH query name", SqlState::DUPLICATE_ALIAS),
            ("must be at least 1", SqlState::INVALID_PARAMETER_VALUE),
            (
                "cannot take square root of a negative number",
                SqlState::INVALID_ARGUMENT_FOR_POWER_FUNCTION,
            ),
            (
                "null character not permitted",
                SqlState::PROGRAM_LIMIT_EXCEEDED,
            ),
            (
                "duplicate key value violates unique constraint",
                SqlState::UNIQUE_VIOLATION,
            ),
            ("violates not-null constraint", SqlState::NOT_NULL_VIOLATION),
            ("contains null values", SqlState::NOT_NULL_VIOLATION),
            ("violates check constraint", SqlState::CHECK_VIOLATION),
            ("is violated by some row", SqlState::CHECK_VIOLATION),
            ("is in a primary key", SqlState::INVALID_TABLE_DEFINITION),
            ("multiple primary keys", SqlState::INVALID_TABLE_DEFINITION),
            (
                "no unique constraint matching given keys",
                SqlState::INVALID_FOREIGN_KEY,
            ),
            ("cannot be cast automatically", SqlState::DATATYPE_MISMATCH),
            (
                "violates foreign key constraint",
                SqlState::FOREIGN_KEY_VIOLATION,
            ),
            (
                "current transaction is aborted",
                SqlState::IN_FAILED_SQL_TRANSACTION,
            ),
            (
                "in a read-only transaction",
                SqlState::READ_ONLY_SQL_TRANSACTION,
            ),
            (
                "cannot run inside a transaction block",
                SqlState::ACTIVE_SQL_TRANSACTION,
            ),
            (
                "can only be used in transaction blocks",
                SqlState::NO_ACTIVE_SQL_TRANSACTION,
            ),
            (
                "must be set before any query",
                SqlState::ACTIVE_SQL_TRANSACTION,
            ),
            (
                "must be called before any query",
                SqlState::ACTIVE_SQL_TRANSACTION,
            ),
            (
                "because other objects depend on it",
                SqlState::DEPENDENT_OBJECTS_STILL_EXIST,
            ),
            ("division by zero", SqlState::DIVISION_BY_ZERO),
            (
                "value overflows numeric format",
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            ),
            ("unsupported Unicode escape sequence", SqlState("22P05")),
            // Date and time input has its own class.
            (
                "invalid input syntax for type date",
                SqlState::INVALID_DATETIME_FORMAT,
            ),
            (
                "invalid input syntax for type time",
                SqlState::INVALID_DATETIME_FORMAT,
            ),
            (
                "invalid input syntax for type interval",
                SqlState::INVALID_DATETIME_FORMAT,
            ),
            (
                "invalid input syntax for type",
                SqlState::INVALID_TEXT_REPRESENTATION,
            ),
            (
                "invalid input value for enum",
                SqlState::INVALID_TEXT_REPRESENTATION,
            ),
            (
                "value too long for type",
                SqlState::STRING_DATA_RIGHT_TRUNCATION,
            ),
            (
                "numeric field overflow",
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            ),
            ("out of range", SqlState::NUMERIC_VALUE_OUT_OF_RANGE),
            (
                "is out of bounds for sequence",
                SqlState::NUMERIC_VALUE_OUT_OF_RANGE,
            ),
            (
                "more than one row returned by a subquery",
                SqlState::CARDINALITY_VIOLATION,
            ),
            (
                "must appear in the GROUP BY clause",
                SqlState::GROUPING_ERROR,
            ),
            (
                "aggregate functions are not allowed",
                SqlState::GROUPING_ERROR,
            ),
            ("is not in select list", SqlState::INVALID_COLUMN_REFERENCE),
            (
                "ORDER BY expressions must appear in select list",
                SqlState::INVALID_COLUMN_REFERENCE,
            ),
            ("table name \"", SqlState::DUPLICATE_ALIAS),
            ("cannot be matched", SqlState::DATATYPE_MISMATCH),
            ("cannot be implemented", SqlState::DATATYPE_MISMATCH),
            ("must be type boolean", SqlState::DATATYPE_MISMATCH),
            ("could not create unique index", SqlState::UNIQUE_VIOLATION),
            ("requires it", SqlState::DEPENDENT_OBJECTS_STILL_EXIST),
            ("is not an index", SqlState::WRONG_OBJECT_TYPE),
            ("specified more than once", SqlState::DUPLICATE_COLUMN),
            ("is ambiguous", SqlState::AMBIGUOUS_COLUMN),
            (
                "must be marked IMMUTABLE",
                SqlState::INVALID_OBJECT_DEFINITION,
            ),
            (
                "has more expressions than target columns",
                SqlState::SYNTAX_ERROR,
            ),
            (
                "has more target columns than expressions",
                SqlState::SYNTAX_ERROR,
            ),
            ("canceling statement", SqlState::QUERY_CANCELED),
            (
                "LIMIT must not be negative",
                SqlState::INVALID_ROW_COUNT_IN_LIMIT,
            ),
            (
                "OFFSET must not be negative",
                SqlState::INVALID_ROW_COUNT_IN_OFFSET,
            ),
            ("missing FROM-clause entry", SqlState::UNDEFINED_TABLE),
            (
                "invalid reference to FROM-clause entry",
                SqlState::UNDEFINED_TABLE,
            ),
            ("memory budget", SqlState::OUT_OF_MEMORY),
            ("budget", SqlState::PROGRAM_LIMIT_EXCEEDED),
        ];
        const NOT_FOUND: &[(&str, SqlState)] = &[
            ("relation ", SqlState::UNDEFINED_TABLE),
            ("column ", SqlState::UNDEFINED_COLUMN),
            ("function ", SqlState::UNDEFINED_FUNCTION),
            ("operator ", SqlState::UNDEFINED_FUNCTION),
            ("savepoint ", SqlState::INVALID_SAVEPOINT_SPECIFICATION),
            ("index ", SqlState::UNDEFINED_OBJECT),
            ("type ", SqlState::UNDEFINED_OBJECT),
            ("constraint ", SqlState::UNDEFINED_OBJECT),
        ];
        const EXISTS: &[(&str, SqlState)] = &[
            ("relation ", SqlState::DUPLICATE_TABLE),
            ("column ", SqlState::DUPLICATE_COLUMN),
            ("type ", SqlState::DUPLICATE_OBJECT),
            ("constraint ", SqlState::DUPLICATE_OBJECT),
        ];
        if let Some((_, code)) = BY_WORDING.iter().find(|(w, _)| message.contains(w)) {
            return *code;
        }
        let table = if message.contains(" does not exist") {
            NOT_FOUND
        } else if message.contains(" already exists") {
            EXISTS
        } else {
            &[]
        };
        table
            .iter()
            .find(|(w, _)| message.starts_with(w))
            .map_or(SqlState::INTERNAL_ERROR, |(_, code)| *code)
    }
}

impl std::fmt::Display for SqlState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::SqlState;

    #[test]
    fn codes_follow_postgresql_wording() {
        let cases = [
            (
                "duplicate key value violates unique constraint \"users_pkey\"",
                "23505",
            ),
            ("relation \"missing\" does not exist", "42P01"),
            ("column \"misspelled\" does not exist", "42703"),
            ("relation \"t\" already exists", "42P07"),
            (
                "feature not supported in this playground: window functions",
                "0A000",
            ),
            ("identifier not found", "XX000"),
        ];
        for (message, code) in cases {
            assert_eq!(SqlState::of_message(message).0, code, "{message}");
        }
    }
}
