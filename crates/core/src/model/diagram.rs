//! ER diagram (placeholder until the layout lands).

use super::ir::ModelIr;

pub fn to_svg(_ir: &ModelIr) -> String {
    String::new()
}
