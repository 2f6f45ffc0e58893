//! "Load users with their orders (and the orders' items, and the items' products)"
//! through the ORM emulation, with a loader strategy per level, measured from the
//! statement log. The load runs in a fresh session (an empty identity map, as a new
//! request's) and touches every loaded relationship, as a template rendering them would.

use crate::engine::Database;
use crate::orm::{Echo, Load, ObjId, Select, Session, Strategy};

use super::measure::{measure, RunMeasure};
use super::shop;

/// The relationship loaded at each nesting level: (path, target table, collection).
pub const LEVELS: [(&str, &str, bool); 3] = [
    ("User.orders", "orders", true),
    ("Order.items", "order_items", true),
    ("OrderItem.product", "products", false),
];

/// A loader strategy the lab offers, by its knob value.
pub fn strategy_of(value: &str) -> Strategy {
    match value {
        "joined" => Strategy::Joined,
        "selectin" => Strategy::Selectin,
        "subquery" => Strategy::Subquery,
        "raise" => Strategy::Raise,
        _ => Strategy::Select,
    }
}

/// The loader option function for a strategy (`selectinload`).
pub fn option_name(strategy: Strategy) -> &'static str {
    match strategy {
        Strategy::Joined => "joinedload",
        Strategy::Selectin => "selectinload",
        Strategy::Subquery => "subqueryload",
        Strategy::Raise => "raiseload",
        _ => "lazyload",
    }
}

/// What to load: how deep, with which strategy per level (the first `depth` are used).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LoadPlan {
    pub depth: usize,
    pub strategies: [Strategy; 3],
}

impl LoadPlan {
    pub fn uniform(depth: usize, strategy: Strategy) -> Self {
        Self {
            depth: depth.clamp(1, 3),
            strategies: [strategy; 3],
        }
    }

    fn levels(&self) -> usize {
        self.depth.clamp(1, 3)
    }

    /// The option chain as the ORM emulation takes it.
    pub fn load(&self) -> Load {
        let mut load = Load::new(self.strategies[0], LEVELS[0].0);
        for (strategy, (relationship, _, _)) in self
            .strategies
            .iter()
            .zip(LEVELS)
            .take(self.levels())
            .skip(1)
        {
            load = load.then(*strategy, relationship);
        }
        load
    }

    /// The option chain as written in Python: `selectinload(User.orders).joinedload(...)`.
    pub fn python(&self) -> String {
        self.python_with(None)
    }

    /// The chain with level `fixed` switched to the strategy that removes its N+1.
    fn python_with(&self, fixed: Option<usize>) -> String {
        let last = fixed.map_or(self.levels(), |f| f + 1);
        let parts: Vec<String> = (0..last)
            .map(|level| {
                let strategy = if Some(level) == fixed {
                    fix_for(level)
                } else {
                    self.strategies[level]
                };
                format!("{}({})", option_name(strategy), LEVELS[level].0)
            })
            .collect();
        parts.join(".")
    }
}

/// The strategy that loads level `level` without one query per parent: selectin for
/// collections, joined for the many-to-one product.
fn fix_for(level: usize) -> Strategy {
    if LEVELS[level].2 {
        Strategy::Selectin
    } else {
        Strategy::Joined
    }
}

/// A Bullet-style finding: a relationship loaded one statement per parent.
#[derive(Clone, Debug, PartialEq)]
pub struct NPlusOne {
    pub relationship: &'static str,
    /// How many statements loaded it.
    pub loads: usize,
    /// The option chain that loads it up front.
    pub fix: String,
}

impl NPlusOne {
    pub fn text(&self) -> String {
        format!(
            "N+1: {} loaded lazily {} times — add {}",
            self.relationship, self.loads, self.fix
        )
    }
}

/// One load and what it cost.
#[derive(Clone, Debug)]
pub struct LoadRun {
    pub plan: LoadPlan,
    pub measure: RunMeasure,
    /// The ORM's statements as `echo=True` prints them (transaction control aside).
    pub echo: Vec<Echo>,
    /// Objects reached per level: users, orders, items, products.
    pub reached: [usize; 4],
    /// SQLAlchemy's error (lazy='raise'), or the engine's.
    pub error: Option<String>,
    pub n_plus_one: Vec<NPlusOne>,
}

/// Runs `plan` on `db` (seeded by [`shop::seed`]) in a fresh session, then rolls the
/// session's transaction back (a read-only request ends so) so the page's console is not
/// left inside it.
pub fn run(db: &mut Database, plan: LoadPlan) -> LoadRun {
    let ir = shop::models();
    let mut reached = [0usize; 4];
    let ((session, result), measure) = measure(db, |db| {
        let mut session = match Session::new(&ir) {
            Ok(session) => session,
            Err(e) => return (None, Err(e.to_string())),
        };
        let result = touch(&mut session, db, plan, &mut reached).map_err(|e| e.to_string());
        let _ = session.rollback(db);
        (Some(session), result)
    });
    let echo: Vec<Echo> = session
        .map(|s| {
            s.echo()
                .iter()
                .filter(|e| !e.is_transaction_control())
                .cloned()
                .collect()
        })
        .unwrap_or_default();
    let n_plus_one = find_n_plus_one(&plan, &echo);
    LoadRun {
        plan,
        measure,
        echo,
        reached,
        error: result.err(),
        n_plus_one,
    }
}

/// `select(User).options(...)`, then every loaded relationship read down to the depth.
fn touch(
    session: &mut Session,
    db: &mut Database,
    plan: LoadPlan,
    reached: &mut [usize; 4],
) -> Result<(), crate::orm::OrmError> {
    // No ORDER BY: the statements stay those SQLAlchemy's fixtures were checked against
    // (a subquery load would carry the parent's ORDER BY into its subquery).
    let users = session.execute(db, &Select::new("User").options(plan.load()))?;
    reached[0] = users.len();
    let mut products: Vec<ObjId> = Vec::new();
    for user in users {
        let orders = session.related(db, user, "orders")?;
        reached[1] += orders.len();
        if plan.levels() < 2 {
            continue;
        }
        for order in orders {
            let items = session.related(db, order, "items")?;
            reached[2] += items.len();
            if plan.levels() < 3 {
                continue;
            }
            for item in items {
                if let Some(product) = session.related_one(db, item, "product")? {
                    if !products.contains(&product) {
                        products.push(product);
                    }
                }
            }
        }
    }
    reached[3] = products.len();
    Ok(())
}

/// Levels loaded lazily by more than one statement: the statements whose FROM is the
/// level's table, counted in the echo (what Bullet watches for: one query per parent).
fn find_n_plus_one(plan: &LoadPlan, echo: &[Echo]) -> Vec<NPlusOne> {
    (0..plan.levels())
        .filter(|level| plan.strategies[*level] == Strategy::Select)
        .filter_map(|level| {
            let (relationship, table, _) = LEVELS[level];
            let from = format!("\nFROM {table}");
            let loads = echo
                .iter()
                .filter(|e| {
                    e.sql
                        .find(&from)
                        .is_some_and(|at| !e.sql[at + from.len()..].starts_with('_'))
                })
                .count();
            (loads > 1).then(|| NPlusOne {
                relationship,
                loads,
                fix: plan.python_with(Some(level)),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_python_chain_names_each_level() {
        let plan = LoadPlan {
            depth: 3,
            strategies: [Strategy::Selectin, Strategy::Select, Strategy::Joined],
        };
        assert_eq!(
            plan.python(),
            "selectinload(User.orders).lazyload(Order.items).joinedload(OrderItem.product)"
        );
        assert_eq!(
            plan.python_with(Some(1)),
            "selectinload(User.orders).selectinload(Order.items)"
        );
        assert_eq!(
            LoadPlan::uniform(1, Strategy::Select).python_with(Some(0)),
            "selectinload(User.orders)"
        );
    }
}
