//! Query Result Caching: summary, corrected reference code, notes on the corrections,
//! console script, and the lab: cache-aside in front of get_product(1) with a TTL on a
//! virtual clock. The cache is a simulated Redis (labelled so); every database read and
//! update really runs on the page's database, through the ORM emulation.
//!
//! Lab ids: knob `ttl` (seconds); actions `get` (primary: get_product(1)), `advance`
//! (the clock +30 s), `update-price` (price +5.00 without invalidation),
//! `update-and-invalidate` (the same, then `invalidate_product_cache(1)`). Blocks:
//! `outcome`, `metrics` (keys `hits`, `misses`, `stale`, `db-reads`, `clock`),
//! `cache-events` (table: time, action, key, result, price; result cells `hit` Ok,
//! `miss` Changed, `stale` Warn with the database's price as detail, `expired` /
//! `deleted` Idle), `cache` (table: the keys now), `statements` (the last action's
//! statements, in the page's log), `simulation` (Simulation note).

use crate::catalogue::{CodeLanguage, Pattern, Section};
use crate::engine::{Database, LogEntry};
use crate::lab::{
    ActionSpec, Block, Cell, CellStatus, KnobKind, KnobSpec, KnobValues, Lab, LabRun, LabView,
    Metric, NoteKind, TableBlock,
};
use crate::orm::{Session, Value};
use crate::query_lab::cache::SimRedis;
use crate::query_lab::measure::measure;

pub const PATTERN: Pattern = Pattern {
    slug: "query-caching",
    title: "Query Result Caching",
    section: Section::QueryOptimization,
    summary: "Reading the same rarely changing row from the database on every request wastes queries and latency. The cache-aside pattern checks Redis first, falls back to the database and stores a serialised copy with an expiry, and deletes the entry whenever the row changes.",
    reference_code: r#"from datetime import datetime

import pydantic
import redis.asyncio as redis
from sqlalchemy.ext.asyncio import AsyncSession

from .models import Product  # the relationship patterns

redis_client = redis.Redis()

# What is cached: a plain data copy of the row, not the ORM object
class ProductData(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(from_attributes=True)

    id: str
    created_at: datetime
    updated_at: datetime
    # ...and the product's other columns

async def get_product(session: AsyncSession, product_id: str) -> ProductData | None:
    # Try cache first
    cached = await redis_client.get(f'product:{product_id}')
    if cached:
        return ProductData.model_validate_json(cached)

    # Query database
    product = await session.get(Product, product_id)

    if product:
        data = ProductData.model_validate(product)
        # Cache for 5 minutes
        await redis_client.setex(
            f'product:{product_id}',
            300,
            data.model_dump_json()
        )
        return data

    return None

async def invalidate_product_cache(product_id: str):
    await redis_client.delete(f'product:{product_id}')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[
        "Removed the unused lru_cache import.",
        "Used the asyncio Redis client (redis.asyncio) with await: the synchronous client blocked the event loop inside async functions.",
        "Replaced Product.parse_raw() and product.json(), which are Pydantic methods that an ORM model does not have, with a Pydantic ProductData read model: model_validate(product) and model_dump_json() to cache, model_validate_json() to read back.",
        "get_product() takes the AsyncSession as a parameter: session was used without being defined.",
    ],
    starter_sql: r#"-- The lab's products (the cache itself is simulated in the page, like Redis)
SELECT id, name, price FROM products ORDER BY id;
-- session.get(Product, 1) on a cache miss
SELECT products.id, products.name, products.price FROM products WHERE products.id = 1;
-- An update the cached copy does not see until invalidate_product_cache deletes the key
UPDATE products SET price = 45.0 WHERE id = 1;
SELECT id, name, price FROM products WHERE id = 1;
"#,
    live: true,
};

static KNOBS: [KnobSpec; 1] = [KnobSpec {
    id: "ttl",
    label: "TTL (seconds)",
    kind: KnobKind::Int {
        min: 10,
        max: 600,
        presets: &[30, 60, 300],
    },
    default: "60",
    help: "How long setex keeps a cached product (the reference uses 300).",
}];

pub static LAB: Lab = Lab {
    knobs: &KNOBS,
    note: Some("Simulation: the cache is an in-page stand-in for Redis on a virtual clock; the database side is real."),
    start,
};

const MODELS: &str = r#"from sqlalchemy import String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

class Base(DeclarativeBase):
    pass

class Product(Base):
    __tablename__ = 'products'

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    price: Mapped[float] = mapped_column()
"#;

const KEY: &str = "product:1";
/// How far `advance` moves the clock.
const STEP_SECONDS: f64 = 30.0;

/// One line of the cache-events table.
struct CacheEvent {
    at: f64,
    action: &'static str,
    result: &'static str,
    status: CellStatus,
    price: Option<f64>,
    detail: Option<String>,
}

struct CachingLab {
    ttl: f64,
    now: f64,
    redis: SimRedis,
    ir: crate::model::ModelIr,
    events: Vec<CacheEvent>,
    last_statements: Vec<LogEntry>,
    db_reads: usize,
    outcome: String,
    error: Option<String>,
}

fn start(knobs: &KnobValues, db: &mut Database) -> Result<Box<dyn LabRun>, String> {
    let ir = crate::model::parse(MODELS).ir;
    for sql in crate::model::ddl_statements(&ir) {
        db.execute(&sql).map_err(|e| e.message)?;
    }
    db.execute(
        "INSERT INTO products (id, name, price) VALUES (1, 'Keyboard', 49.0), (2, 'Monitor', 150.0), (3, 'Mouse', 19.5)",
    )
    .map_err(|e| e.message)?;
    Ok(Box::new(CachingLab {
        ttl: knobs.int("ttl") as f64,
        now: 0.0,
        redis: SimRedis::default(),
        ir,
        events: Vec::new(),
        last_statements: Vec::new(),
        db_reads: 0,
        outcome: "Nothing cached yet: get_product(1) will miss and read the database.".into(),
        error: None,
    }))
}

/// `12:00:30` for 30 virtual seconds after noon.
fn clock_text(seconds: f64) -> String {
    let s = 12 * 3600 + seconds as i64;
    format!("{:02}:{:02}:{:02}", s / 3600 % 24, s / 60 % 60, s % 60)
}

/// The cached JSON's price (what ProductData.model_validate_json would give back).
fn cached_price(json: &str) -> Option<f64> {
    let value: serde_json::Value = serde_json::from_str(json).ok()?;
    value["price"].as_f64()
}

impl CachingLab {
    fn push(&mut self, action: &'static str, result: &'static str, status: CellStatus) {
        self.events.push(CacheEvent {
            at: self.now,
            action,
            result,
            status,
            price: None,
            detail: None,
        });
    }

    /// The product's price in the database now, read for the page's own display (not
    /// logged): it tells a stale hit from a fresh one.
    fn true_price(db: &mut Database) -> Option<f64> {
        match db.peek("SELECT price FROM products WHERE id = 1") {
            Ok(gluesql::core::executor::Payload::Select { rows, .. }) => {
                match rows.first().and_then(|r| r.first()) {
                    Some(gluesql::prelude::Value::F64(p)) => Some(*p),
                    _ => None,
                }
            }
            _ => None,
        }
    }

    /// `get_product(1)`: cache first, else `session.get(Product, 1)` and setex.
    fn get(&mut self, db: &mut Database) -> Result<(), String> {
        if let Some(json) = self.redis.get(KEY, self.now).map(str::to_string) {
            let price = cached_price(&json);
            let truth = Self::true_price(db);
            let stale = price != truth;
            self.last_statements.clear();
            self.events.push(CacheEvent {
                at: self.now,
                action: "get_product(1)",
                result: if stale { "stale" } else { "hit" },
                status: if stale {
                    CellStatus::Warn
                } else {
                    CellStatus::Ok
                },
                price,
                detail: stale.then(|| {
                    format!(
                        "the database has price {}; the cache still serves {}",
                        truth.map_or("?".into(), |p| format!("{p:.2}")),
                        price.map_or("?".into(), |p| format!("{p:.2}"))
                    )
                }),
            });
            self.outcome = if stale {
                "Cache hit, but stale: the product changed in the database and nothing deleted the key.".into()
            } else {
                "Cache hit: no database query.".into()
            };
            return Ok(());
        }
        let ir = self.ir.clone();
        let (read, measured) = measure(db, |db| -> Result<Option<f64>, String> {
            let mut session = Session::new(&ir).map_err(|e| e.to_string())?;
            let found = session
                .get(db, "Product", &[Value::Int(1)])
                .map_err(|e| e.to_string());
            let price = match found {
                Ok(Some(product)) => match session.value(product, "price") {
                    Some(Value::Float(p)) => Some(*p),
                    Some(Value::Int(p)) => Some(*p as f64),
                    _ => None,
                },
                _ => None,
            };
            let name = found
                .as_ref()
                .ok()
                .and_then(|f| f.and_then(|p| session.value(p, "name").cloned()));
            let _ = session.rollback(db);
            found?;
            if let (Some(price), Some(Value::Str(name))) = (price, name) {
                let json = serde_json::json!({"id": 1, "name": name, "price": price}).to_string();
                self.redis.setex(KEY, self.ttl, json, self.now);
            }
            Ok(price)
        });
        self.db_reads += measured.statements();
        self.last_statements = measured.entries;
        let price = read?;
        self.events.push(CacheEvent {
            at: self.now,
            action: "get_product(1)",
            result: "miss",
            status: CellStatus::Changed,
            price,
            detail: Some(format!("setex('{KEY}', {}, ...)", self.ttl)),
        });
        self.outcome = format!(
            "Cache miss: read the product from the database and cached it for {} s.",
            self.ttl
        );
        Ok(())
    }

    /// The price +5.00 through the ORM (`product.price += 5; session.commit()`).
    fn update_price(&mut self, db: &mut Database) -> Result<(), String> {
        let ir = self.ir.clone();
        let (result, measured) = measure(db, |db| -> Result<(), String> {
            let mut session = Session::new(&ir).map_err(|e| e.to_string())?;
            let product = session
                .get(db, "Product", &[Value::Int(1)])
                .map_err(|e| e.to_string())?
                .ok_or("product 1 is gone")?;
            let price = match session.value(product, "price") {
                Some(Value::Float(p)) => *p,
                _ => 0.0,
            };
            session
                .set(product, "price", Value::Float(price + 5.0))
                .map_err(|e| e.to_string())?;
            super::live::commit(&mut session, db)
        });
        self.last_statements = measured.entries;
        result
    }
}

impl LabRun for CachingLab {
    fn actions(&self) -> Vec<ActionSpec> {
        vec![
            ActionSpec::new("get", "get_product(1)").primary(),
            ActionSpec::new("advance", "Advance the clock 30 s"),
            ActionSpec::new("update-price", "Update the price (no invalidation)"),
            ActionSpec::new("update-and-invalidate", "Update the price and invalidate"),
        ]
    }

    fn apply(&mut self, db: &mut Database, id: &str) -> Result<(), String> {
        self.error = None;
        let result = match id {
            "get" => self.get(db),
            "advance" => {
                self.now += STEP_SECONDS;
                self.last_statements.clear();
                let expired = self.redis.expire(self.now);
                if expired.is_empty() {
                    self.outcome = format!("The clock is now {}.", clock_text(self.now));
                } else {
                    self.push("TTL ran out", "expired", CellStatus::Idle);
                    self.outcome = format!(
                        "The clock is now {}: the cached product's TTL ran out and Redis dropped the key.",
                        clock_text(self.now)
                    );
                }
                Ok(())
            }
            "update-price" => self.update_price(db).map(|_| {
                self.push("UPDATE products (price +5)", "not invalidated", CellStatus::Plain);
                self.outcome = "Price updated in the database; the cached copy (if any) is now stale until its TTL runs out.".into();
            }),
            "update-and-invalidate" => self.update_price(db).map(|_| {
                let deleted = self.redis.del(KEY);
                self.push(
                    "UPDATE products (price +5) + invalidate_product_cache(1)",
                    "deleted",
                    CellStatus::Idle,
                );
                self.outcome = if deleted {
                    "Price updated and the key deleted: the next get reads the new price.".into()
                } else {
                    "Price updated; there was no key to delete.".into()
                };
            }),
            other => return Err(format!("unknown action '{other}'")),
        };
        if let Err(e) = result {
            self.error = Some(e);
        }
        Ok(())
    }

    fn view(&self, _db: &mut Database) -> LabView {
        let mut view = LabView::default();
        view.push(Block::outcome(
            "outcome",
            self.outcome.clone(),
            self.error.clone(),
        ));
        let count = |result: &str| self.events.iter().filter(|e| e.result == result).count();
        view.push(Block::Metrics {
            id: "metrics".into(),
            title: "Cache".into(),
            items: vec![
                Metric::new("hits", "Hits", count("hit").to_string()).with_status(CellStatus::Ok),
                Metric::new("misses", "Misses", count("miss").to_string()),
                Metric::new("stale", "Stale reads", count("stale").to_string()).with_status(
                    if count("stale") > 0 {
                        CellStatus::Warn
                    } else {
                        CellStatus::Plain
                    },
                ),
                Metric::new(
                    "db-reads",
                    "Database statements for gets",
                    self.db_reads.to_string(),
                ),
                Metric::new("clock", "Clock", clock_text(self.now)),
            ],
        });
        view.push(Block::Table(TableBlock {
            id: "cache-events".into(),
            title: "Cache events".into(),
            columns: ["time", "action", "key", "result", "price"]
                .map(String::from)
                .to_vec(),
            rows: self
                .events
                .iter()
                .map(|e| {
                    let mut result = Cell::status(e.result, e.status);
                    result.detail = e.detail.clone();
                    vec![
                        Cell::plain(clock_text(e.at)),
                        Cell::plain(e.action),
                        Cell::plain(KEY),
                        result,
                        Cell::plain(e.price.map_or(String::new(), |p| format!("{p:.2}"))),
                    ]
                })
                .collect(),
            omitted: 0,
        }));
        view.push(Block::Table(TableBlock {
            id: "cache".into(),
            title: "In the (simulated) Redis now".into(),
            columns: ["key", "value", "expires in"].map(String::from).to_vec(),
            rows: self
                .redis
                .keys(self.now)
                .into_iter()
                .map(|(k, v, left)| {
                    vec![
                        Cell::plain(k),
                        Cell::plain(v),
                        Cell::plain(format!("{left:.0} s")),
                    ]
                })
                .collect(),
            omitted: 0,
        }));
        view.push(Block::statements(
            "statements",
            "The last action's statements (in the page's statement log)",
            &self.last_statements,
            20,
        ));
        view.push(Block::note(
            "simulation",
            NoteKind::Simulation,
            "Simulation: the cache is an in-page stand-in for Redis (GET, SETEX with a TTL, DEL) on a virtual clock. The database reads and updates are real: they run on the page's database through the ORM emulation.",
        ));
        view
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_reads_as_a_time_of_day() {
        assert_eq!(clock_text(0.0), "12:00:00");
        assert_eq!(clock_text(90.0), "12:01:30");
    }
}
