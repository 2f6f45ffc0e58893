//! SQLAlchemy declarative models: parser (Python subset), model IR, PostgreSQL DDL, ER diagram.
//!
//! ```text
//! source --lexer--> tokens --parser--> syntax tree --lower--> ModelIr --ddl--> SQL
//!                                                                  \--diagram--> SVG
//! ```
//! No Python runs: classes, annotations and calls are read, never executed. Nothing
//! here panics on any input; what cannot be used becomes a [`Diagnostic`] and the rest
//! of the file is still lowered.

mod ast;
pub mod ddl;
pub mod diagnostics;
pub mod diagram;
mod expr;
pub mod ir;
mod lexer;
mod lower;
mod parser;
pub mod sort;

use serde::{Deserialize, Serialize};

pub use ddl::{ddl_statements, to_ddl};
pub use diagnostics::{Diagnostic, Severity};
pub use diagram::to_svg;
pub use ir::ModelIr;

/// Larger sources are refused: the editor never needs them, and the work stays bounded.
pub const MAX_SOURCE_CHARS: usize = 512 * 1024;

/// The result of [`parse`]: the model and what could not be used, in source order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Parsed {
    pub ir: ModelIr,
    pub diagnostics: Vec<Diagnostic>,
}

impl Parsed {
    pub fn has_errors(&self) -> bool {
        self.diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
    }
}

/// Parses SQLAlchemy 2.0 declarative Python into the model IR.
pub fn parse(source: &str) -> Parsed {
    let chars: Vec<char> = source.chars().collect();
    if chars.len() > MAX_SOURCE_CHARS {
        return Parsed {
            ir: ModelIr::default(),
            diagnostics: vec![Diagnostic::error(
                diagnostics::Pos { line: 1, column: 1 },
                format!("the model source is over {MAX_SOURCE_CHARS} characters"),
            )],
        };
    }
    let (tokens, mut diagnostics) = lexer::tokenize(&chars);
    let (module, parse_diagnostics) = parser::parse_module(&tokens);
    diagnostics.extend(parse_diagnostics);
    let (ir, lower_diagnostics) = lower::lower(&module, &chars);
    diagnostics.extend(lower_diagnostics);
    diagnostics.sort_by_key(|d| (d.line, d.column));
    Parsed { ir, diagnostics }
}

/// Parses one expression (a string annotation such as `'Category | None'`); `None`
/// unless the whole text is one well-formed expression.
fn parse_expression(text: &str) -> Option<ast::Expr> {
    let chars: Vec<char> = text.chars().collect();
    let (tokens, diagnostics) = lexer::tokenize(&chars);
    if !diagnostics.is_empty() {
        return None;
    }
    parser::parse_single_expression(&tokens)
}
