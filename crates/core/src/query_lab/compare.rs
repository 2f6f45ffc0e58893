//! "Statement count and time vs N, one series per strategy": each N on a private
//! database of its own (seeded once, kept for the next comparison), every strategy run
//! on it and measured.

use crate::engine::Database;
use crate::lab::{Block, Chart, Series};
use crate::orm::Strategy;

use super::loading::{run, LoadPlan};
use super::shop;

/// The strategies compared (raise loads nothing to compare).
pub const STRATEGIES: [(Strategy, &str); 4] = [
    (Strategy::Select, "lazy"),
    (Strategy::Joined, "joined"),
    (Strategy::Selectin, "selectin"),
    (Strategy::Subquery, "subquery"),
];

/// One measured point: strategy, N, statements, time.
#[derive(Clone, Debug, PartialEq)]
pub struct Point {
    pub strategy: &'static str,
    pub n: usize,
    pub statements: usize,
    pub time_ms: f64,
    pub cells: usize,
}

/// Private databases by (users, orders per user, fk indexes), seeded on first use.
#[derive(Default)]
pub struct Comparison {
    databases: Vec<((usize, usize, bool), Database)>,
    pub points: Vec<Point>,
}

impl Comparison {
    /// Runs every strategy at depth `depth` for each N of `ns`.
    pub fn run(
        &mut self,
        ns: &[usize],
        orders_per_user: usize,
        depth: usize,
        fk_indexes: bool,
    ) -> Result<(), String> {
        let mut points = Vec::new();
        for &n in ns {
            let db = self.database(n, orders_per_user, fk_indexes)?;
            for (strategy, name) in STRATEGIES {
                let load = run(db, LoadPlan::uniform(depth, strategy));
                if let Some(error) = load.error {
                    return Err(format!("{name} at N = {n}: {error}"));
                }
                points.push(Point {
                    strategy: name,
                    n,
                    statements: load.measure.statements(),
                    time_ms: load.measure.time_ms,
                    cells: load.measure.cells,
                });
            }
        }
        self.points = points;
        Ok(())
    }

    fn database(&mut self, users: usize, orders: usize, fk: bool) -> Result<&mut Database, String> {
        let key = (users, orders, fk);
        let at = match self.databases.iter().position(|(k, _)| *k == key) {
            Some(at) => at,
            None => {
                let mut db = Database::new();
                shop::seed(&mut db, &shop::models(), users, orders, fk)?;
                self.databases.push((key, db));
                self.databases.len() - 1
            }
        };
        Ok(&mut self.databases[at].1)
    }

    /// The charts `count-vs-n` and `time-vs-n`, one series per strategy.
    pub fn charts(&self) -> Vec<Block> {
        let series = |y: &dyn Fn(&Point) -> f64| -> Vec<Series> {
            STRATEGIES
                .iter()
                .map(|(_, name)| Series {
                    name: name.to_string(),
                    points: self
                        .points
                        .iter()
                        .filter(|p| p.strategy == *name)
                        .map(|p| (p.n as f64, y(p)))
                        .collect(),
                })
                .collect()
        };
        vec![
            Block::Chart(Chart {
                id: "count-vs-n".into(),
                title: "Statements vs number of users".into(),
                x_label: "users (N)".into(),
                y_label: "statements".into(),
                log_y: true,
                series: series(&|p| p.statements as f64),
            }),
            Block::Chart(Chart {
                id: "time-vs-n".into(),
                title: "Time vs number of users".into(),
                x_label: "users (N)".into(),
                y_label: "ms".into(),
                log_y: true,
                series: series(&|p| p.time_ms),
            }),
        ]
    }
}
