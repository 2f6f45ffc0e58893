//! Shared machinery of the pagination and index labs (pages `pagination`,
//! `composite-index`, `partial-index`, `expression-index`): deterministic, realistic seeds
//! inserted in multi-row batches ([`seed`]), one measured statement read back from the
//! statement log ([`measure`]), reading pages by OFFSET or by keyset ([`paging`]), and
//! running the same queries under different sets of indexes ([`compare`]), and the lab
//! of an index page built on it ([`index_page`]).
//!
//! Every number these produce comes from a statement that really ran on
//! [`crate::engine::Database`]: rows examined, access path and duration are the statement
//! log's, never computed here.

pub mod compare;
pub mod index_page;
pub mod measure;
pub mod paging;
pub mod seed;
