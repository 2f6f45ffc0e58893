//! The query lab's shared machinery: the users -> orders -> items -> products data set
//! (`shop`), the wide users table (`wide`), the measurement of a run from the engine's
//! statement log (`measure`), nested loads with a strategy per level (`loading`) and
//! their comparison over N (`compare`), batch writes (`batch`), and the simulated Redis
//! of the caching page (`cache`).

pub mod batch;
pub mod cache;
pub mod compare;
pub mod loading;
pub mod measure;
pub mod shop;
pub mod wide;
