//! The query lab's shared machinery (eager loading, selected columns, batch writes,
//! caching): the users -> orders -> items -> products data set and the measurement of a
//! run from the engine's statement log.

pub mod batch;
pub mod compare;
pub mod loading;
pub mod measure;
pub mod shop;
pub mod wide;
