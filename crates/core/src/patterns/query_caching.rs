//! Query Result Caching: summary, corrected reference code, notes on the corrections, console script.

use crate::catalogue::{CodeLanguage, Pattern, Section};

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
    starter_sql: r#"CREATE TABLE products (id TEXT PRIMARY KEY, name TEXT, price FLOAT);
INSERT INTO products VALUES ('p1', 'Keyboard', 49.0), ('p2', 'Monitor', 150.0);
-- A table stands in for Redis here: key, cached value, expiry (setex ... 300)
CREATE TABLE cache (key TEXT PRIMARY KEY, value MAP, expires_at TIMESTAMP);
-- get_product('p1'): cache miss (no row)...
SELECT value FROM cache WHERE key = 'product:p1' AND expires_at > '2024-03-01 12:00:00';
-- ...so query the database, and store the result for 5 minutes
SELECT id, name, price FROM products WHERE id = 'p1';
INSERT INTO cache VALUES
  ('product:p1', '{"id": "p1", "name": "Keyboard", "price": 49.0}', '2024-03-01 12:05:00');
-- The next call within 5 minutes is a hit: no products query
SELECT value FROM cache WHERE key = 'product:p1' AND expires_at > '2024-03-01 12:01:00';
-- An update makes the cached copy stale: invalidate_product_cache('p1')
UPDATE products SET price = 45.0 WHERE id = 'p1';
DELETE FROM cache WHERE key = 'product:p1';
SELECT COUNT(*) AS cached_entries FROM cache;
"#,
    live: false,
};
