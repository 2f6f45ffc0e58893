//! Query Result Caching: placeholder content extracted from the reference (to be written up).

use crate::catalogue::{CodeLanguage, Pattern, Section};

pub const PATTERN: Pattern = Pattern {
    slug: "query-caching",
    title: "Query Result Caching",
    section: Section::QueryOptimization,
    summary: " (summary to be written: what problem this pattern solves, in two sentences).",
    reference_code: r#"from functools import lru_cache

import redis

redis_client = redis.Redis()

async def get_product(product_id: str) -> Product | None:
    # Try cache first
    cached = redis_client.get(f'product:{product_id}')
    if cached:
        return Product.parse_raw(cached)

    # Query database
    product = await session.get(Product, product_id)

    if product:
        # Cache for 5 minutes
        redis_client.setex(
            f'product:{product_id}',
            300,
            product.json()
        )

    return product

async def invalidate_product_cache(product_id: str):
    redis_client.delete(f'product:{product_id}')
"#,
    code_language: CodeLanguage::Python,
    fixes: &[],
    starter_sql: "SELECT 1 AS ready;",
    live: false,
};
