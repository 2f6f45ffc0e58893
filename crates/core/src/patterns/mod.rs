//! One module per pattern of the reference; the registry lists them in its order.
//! Adding a pattern: add its module and one line in `REGISTRY`.

use crate::catalogue::Pattern;

pub mod association_object;
pub mod audit_trail;
pub mod base_model;
pub mod batch_operations;
pub mod composite_index;
pub mod concurrent_index;
pub mod data_migration;
pub mod eager_loading;
pub mod enum_field;
pub mod expression_index;
pub mod many_to_many;
pub mod one_to_many_cascade;
pub mod pagination;
pub mod partial_index;
pub mod pool_configuration;
pub mod query_caching;
pub mod read_only_transactions;
pub mod safe_column_addition;
pub mod safe_column_removal;
pub mod safe_column_rename;
pub mod savepoints;
pub mod select_columns;
pub mod self_referential;
pub mod session_context;
pub mod soft_delete;

/// Every pattern, in the reference's order (sections stay contiguous).
pub static REGISTRY: [&Pattern; 25] = [
    &base_model::PATTERN,
    &soft_delete::PATTERN,
    &audit_trail::PATTERN,
    &enum_field::PATTERN,
    &one_to_many_cascade::PATTERN,
    &many_to_many::PATTERN,
    &association_object::PATTERN,
    &self_referential::PATTERN,
    &safe_column_addition::PATTERN,
    &safe_column_removal::PATTERN,
    &safe_column_rename::PATTERN,
    &concurrent_index::PATTERN,
    &data_migration::PATTERN,
    &eager_loading::PATTERN,
    &select_columns::PATTERN,
    &batch_operations::PATTERN,
    &query_caching::PATTERN,
    &pagination::PATTERN,
    &composite_index::PATTERN,
    &partial_index::PATTERN,
    &expression_index::PATTERN,
    &pool_configuration::PATTERN,
    &session_context::PATTERN,
    &savepoints::PATTERN,
    &read_only_transactions::PATTERN,
];
