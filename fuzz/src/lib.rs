//! The fuzz targets' bodies, shared with the stable smoke test of the core
//! (`crates/core/tests/fuzz_targets.rs`): one place per target. Each `fuzz_targets/<name>.rs`
//! calls the function of its name here.

#[path = "../../crates/core/tests/fuzz_support/targets.rs"]
mod targets;

pub use targets::{knob_values, model_parser, permalink, sql_engine, Summary, TARGETS};
