// The PostgreSQL oracle in the browser: records of the conformance corpus
// (crates/core/tests/sql/*.slt, recorded from a real PostgreSQL 15) typed into the
// playground console give what PostgreSQL gave: the same cells, or the same SQLSTATE,
// message and DETAIL. Expectations are read from the recorded corpus, never written here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sharedBrowser, openPage, paste, ROOT } from './harness.mjs';

const shared = sharedBrowser({ before, after });
const CORPUS = join(ROOT, 'crates/core/tests/sql');

/** The records of a corpus file: { sql, expected: { rows } | { error } | { ok } }. */
function records(file) {
  const lines = readFileSync(join(CORPUS, file), 'utf8').split('\n');
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    const header = lines[i];
    const kind = header.startsWith('statement') ? 'statement' : header.startsWith('query') ? 'query' : null;
    if (!kind) continue;
    const sql = [];
    for (i++; i < lines.length && lines[i].trim() !== '' && lines[i] !== '----'; i++) sql.push(lines[i]);
    const block = [];
    if (lines[i] === '----') {
      for (i++; i < lines.length && lines[i].trim() !== ''; i++) block.push(lines[i]);
    }
    let expected;
    if (header.startsWith('statement error') || header.startsWith('query error')) expected = { error: block };
    else if (kind === 'query') expected = { rows: block };
    else expected = { ok: true };
    out.push({ sql: sql.join('\n'), kind, expected });
  }
  return out;
}

/** The target record and the statements before it that succeeded in PostgreSQL (its setup). */
function recordWithSetup(file, sqlStart, { tablesOnly = false } = {}) {
  const all = records(file);
  const at = all.findIndex((r) => r.sql.startsWith(sqlStart));
  assert.ok(at >= 0, `${file}: no record starting ${sqlStart}`);
  // The statements that built the file's tables (queries change nothing).
  const setup = all
    .slice(0, at)
    .filter((r) => r.kind === 'statement' && !r.expected.error)
    .filter((r) => !tablesOnly || /^CREATE TABLE/i.test(r.sql))
    .map((r) => r.sql);
  return { setup, target: all[at] };
}

async function consolePage() {
  const opened = await openPage(shared.browser, `${shared.server.url}#/playground`);
  await opened.page.getByTestId('sql-editor').waitFor();
  return opened;
}

const normalise = (text) => text.split(/\s+/).filter(Boolean).join(' ');

async function check(page, file, sqlStart, options) {
  const { setup, target } = recordWithSetup(file, sqlStart, options);
  await page.getByRole('button', { name: 'Reset database' }).click();
  const script = [...setup, target.sql].map((s) => `${s};`).join('\n');
  await paste(page.getByTestId('sql-editor'), script);
  await page.getByTestId('run-sql').click();
  const results = page.locator('.stmt-result');
  await results.first().waitFor();
  const failedAt = await page.locator('.stmt-result.failed').count();
  if (failedAt > 0 && (await results.count()) <= setup.length) {
    assert.fail(`${file}: setup failed before ${target.sql}: ${await page.getByTestId('error').allTextContents()}`);
  }
  await results.nth(setup.length).waitFor();
  const last = results.nth(setup.length);
  const what = `${file}: ${target.sql}`;
  if (target.expected.error) {
    const error = last.getByTestId('error');
    assert.equal(await error.count(), 1, `${what}: expected an error`);
    const [first, ...rest] = target.expected.error;
    const [, code, message] = first.match(/^ERROR: {2}(\w{5}): (.*)$/);
    assert.equal(await error.getAttribute('data-sqlstate'), code, what);
    const shown = normalise(await error.textContent());
    assert.ok(shown.includes(normalise(`ERROR: ${message}`)), `${what}\n  shown: ${shown}`);
    for (const line of rest) assert.ok(shown.includes(normalise(line)), `${what}: ${line}\n  shown: ${shown}`);
    return;
  }
  assert.equal(await page.getByTestId('error').count(), 0, `${what}: ${await page.getByTestId('error').allTextContents()}`);
  if (target.expected.rows) {
    const table = last.getByTestId('result-table');
    const header = normalise((await table.locator('thead th').allTextContents()).join(' '));
    const rows = [];
    for (const row of await table.locator('tbody tr').all()) {
      rows.push(normalise((await row.locator('td').allTextContents()).join(' ')));
    }
    assert.deepEqual([header, ...rows], target.expected.rows.map(normalise), what);
  }
}

test('each class the oracle found gives PostgreSQL’s answer in the console', async () => {
  const { page, context, problems } = await consolePage();
  const cases = [
    // three-valued logic
    ['10_null_logic.slt', 'SELECT TRUE OR NULL'],
    ['10_null_logic.slt', 'SELECT FALSE AND NULL'],
    ['10_null_logic.slt', 'SELECT 2 IN (1, NULL)'],
    ['10_null_logic.slt', 'SELECT 2 NOT IN (1, NULL)'],
    // integer division and INTEGER x NUMERIC(10, 2)
    ['11_arithmetic.slt', 'SELECT 7 / 2'],
    ['11_arithmetic.slt', 'SELECT id, quantity * unit_price AS line_total FROM order_items ORDER BY id'],
    // FILTER and GROUP BY ordinals
    ['22_aggregates_grouping.slt', "SELECT count(*) AS all_orders, count(*) FILTER (WHERE status = 'shipped')"],
    ['22_aggregates_grouping.slt', 'SELECT status, count(*) FROM orders GROUP BY 1 ORDER BY 1'],
    // window functions: the page total, running sums over peers, latest per group
    ['22_aggregates_grouping.slt', 'SELECT id, count(*) OVER () AS total FROM orders ORDER BY id'],
    ['29_window_functions.slt', 'SELECT id, points, sum(points) OVER (ORDER BY points NULLS FIRST) AS running'],
    ['29_window_functions.slt', 'SELECT player, id, played_on FROM (SELECT player, id, played_on, row_number()'],
    ['29_window_functions.slt', 'SELECT id FROM scores WHERE row_number() OVER (ORDER BY id) = 1'],
    // an unknown column on an empty table
    ['20_select_basics.slt', 'SELECT misspelled FROM users'],
    // errors with SQLSTATE and DETAIL
    ['02_constraints.slt', "INSERT INTO users VALUES (1, 'b@x', 'eu', 'bob', 30)"],
    // the reference's DATE(created_at) index on a TIMESTAMPTZ column
    // (its error needs the tables, not their rows)
    ['27_indexes_reference_schema.slt', 'CREATE INDEX ix_orders_date ON orders (DATE(created_at))', { tablesOnly: true }],
  ];
  for (const [file, sql, options] of cases) {
    await check(page, file, sql, options);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('set operations, WITH RECURSIVE, DISTINCT ON, upserts and a key update answer as PostgreSQL in the console', async () => {
  const { page, context, problems } = await consolePage();
  const cases = [
    ['23_subqueries.slt', 'SELECT name FROM users UNION SELECT name FROM staff ORDER BY name'],
    ['23_subqueries.slt', 'SELECT name FROM staff EXCEPT ALL SELECT name FROM users ORDER BY name'],
    ['23_subqueries.slt', 'WITH RECURSIVE tree AS (SELECT id, name, parent_id, 1 AS depth'],
    ['23_subqueries.slt', 'WITH RECURSIVE reach (n) AS (SELECT 1 UNION SELECT e.dst'],
    ['23_subqueries.slt', 'SELECT name FROM users UNION SELECT name FROM staff ORDER BY upper(name)'],
    ['20_select_basics.slt', 'SELECT DISTINCT ON (city) city, name, age FROM users ORDER BY city, age DESC'],
    ['26_migrations.slt', "UPDATE alembic_version SET version_num='b2c3d4e5f6a1'"],
    // INSERT ... ON CONFLICT: the batch upsert, the counter, the second-time error
    ['30_upsert.slt', 'SELECT id, sku, name FROM products ORDER BY id'],
    ['30_upsert.slt', 'SELECT page, day, hits FROM daily_hits ORDER BY page'],
    ['30_upsert.slt', "INSERT INTO products (sku, name) VALUES ('F-6', 'file'), ('F-6', 'file') ON CONFLICT (sku) DO UPDATE"],
  ];
  for (const [file, sql, options] of cases) await check(page, file, sql, options);
  assert.deepEqual(problems, []);
  await context.close();
});

test('JSON operators answer as PostgreSQL in the console, and EXPLAIN prints the engine\'s plan, labelled', async () => {
  const { page, context, problems } = await consolePage();
  const cases = [
    ['16_json_uuid_misc.slt', "SELECT id, doc -> 'city' AS as_json, doc ->> 'city' AS as_text FROM profiles ORDER BY id"],
    ['16_json_uuid_misc.slt', 'SELECT id, name FROM profiles WHERE doc @> \'{"city": "Paris"}\' ORDER BY id'],
    ['16_json_uuid_misc.slt', 'SELECT id, doc, raw FROM profiles ORDER BY id'],
    ['33_json_operators.slt', 'SELECT payload FROM events WHERE payload = \'{"ms": 120.0, "kind": "login"}\''],
    ['33_json_operators.slt', "SELECT (payload -> 'ms')::int FROM events WHERE payload ->> 'kind' = 'click' ORDER BY id"],
    ['32_explain.slt', 'EXPLAIN (foo) SELECT 1'],
  ];
  for (const [file, sql, options] of cases) await check(page, file, sql, options);

  // EXPLAIN: the plan the engine ran, in PostgreSQL's shape, with the known difference named.
  await page.getByRole('button', { name: 'Reset database' }).click();
  const { setup } = recordWithSetup('32_explain.slt', 'EXPLAIN (COSTS OFF) SELECT id, title FROM posts');
  const explain = 'EXPLAIN ANALYZE SELECT id, title FROM posts WHERE created_at < 35 ORDER BY created_at DESC LIMIT 2';
  await paste(page.getByTestId('sql-editor'), [...setup, explain].map((s) => `${s};`).join('\n'));
  await page.getByTestId('run-sql').click();
  const last = page.locator('.stmt-result').nth(setup.length);
  await last.waitFor();
  const text = normalise(await last.textContent());
  assert.match(text, /QUERY PLAN/);
  assert.match(text, /Index Scan Backward using ix_posts_created_at on posts \(actual rows=2 loops=1\)/);
  assert.match(text, /Index Cond: \(created_at < 35\)/);
  assert.equal(await last.getByTestId('known-difference').getAttribute('data-difference'), 'explain-plan');
  assert.deepEqual(problems, []);
  await context.close();
});
