//! Diagnostics: what the parser could not use, with a 1-based line and column.
//!
//! Columns count characters (Unicode scalar values), not bytes, so the editor can place
//! a marker without knowing the encoding.

use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Severity {
    /// SQLAlchemy would refuse this, or the text is not valid Python.
    Error,
    /// Valid Python we do not model; it is ignored.
    Warning,
    Info,
}

/// A position in the source: 1-based line and column (in characters).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Pos {
    pub line: u32,
    pub column: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub line: u32,
    pub column: u32,
    pub message: String,
    pub severity: Severity,
}

impl Diagnostic {
    pub fn new(pos: Pos, severity: Severity, message: impl Into<String>) -> Self {
        Diagnostic {
            line: pos.line,
            column: pos.column,
            message: message.into(),
            severity,
        }
    }

    pub fn error(pos: Pos, message: impl Into<String>) -> Self {
        Self::new(pos, Severity::Error, message)
    }

    pub fn warning(pos: Pos, message: impl Into<String>) -> Self {
        Self::new(pos, Severity::Warning, message)
    }
}
