// The engine layer in the real console: indexes used by the planner and shown in the
// statement log, real transactions, savepoints and read-only transactions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, paste } from './harness.mjs';

const shared = sharedBrowser({ before, after });

async function run(page, sql) {
  await paste(page.getByTestId('sql-editor'), sql);
  await page.getByTestId('run-sql').click();
  await page.locator('.stmt-result').first().waitFor();
}

async function openConsole() {
  const opened = await openPage(shared.browser, `${shared.server.url}#/playground`);
  await opened.page.getByTestId('sql-editor').waitFor();
  return opened;
}

test('a deep keyset page is an index seek reading 20 rows; OFFSET examines the table', async () => {
  const { page, context, problems } = await openConsole();
  await run(page, [
    'CREATE TABLE items (id INTEGER PRIMARY KEY, created INTEGER);',
    'INSERT INTO items SELECT n, n * 10 FROM generate_series(1, 10000) AS n;',
    'CREATE INDEX items_created_idx ON items (created);',
    'SELECT id, created FROM items WHERE created > 99000 ORDER BY created LIMIT 20;',
    'SELECT id, created FROM items ORDER BY created LIMIT 20 OFFSET 9900;',
  ].join('\n'));
  assert.equal(await page.getByTestId('error').count(), 0, await page.getByTestId('error').allTextContents());
  const log = page.getByTestId('statement-log').getByTestId('statement');
  assert.equal(await log.count(), 5);
  const keyset = await log.nth(3).getByTestId('access').textContent();
  assert.match(keyset, /examined 20 ·/);
  assert.match(keyset, /items: index range on items_created_idx/);
  const offset = await log.nth(4).getByTestId('access').textContent();
  const examined = Number(offset.match(/examined (\d+)/)[1]);
  assert.ok(examined >= 9920, offset);
  // Both pages return 20 rows; the keyset page starts where it should.
  const tables = page.getByTestId('result-table');
  assert.equal(await tables.nth(0).locator('tbody tr').count(), 20);
  assert.equal(await tables.nth(0).locator('tbody tr').first().locator('td').first().textContent(), '9901');
  // The plan is one click away.
  await log.nth(3).locator('summary').click();
  assert.match(await log.nth(3).getByTestId('plan').textContent(), /items_created_idx/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the statement log shows index seeks for an IN list, the OR-form keyset, and an indexed UPDATE and DELETE', async () => {
  const { page, context, problems } = await openConsole();
  await run(page, [
    'CREATE TABLE items (id INTEGER PRIMARY KEY, created INTEGER NOT NULL, parent_id INTEGER NOT NULL);',
    'INSERT INTO items SELECT n, n * 10, n % 500 FROM generate_series(1, 20000) AS n;',
    'CREATE INDEX items_created_id ON items (created, id);',
    'CREATE INDEX items_parent_id ON items (parent_id);',
    'SELECT count(*) FROM items WHERE parent_id IN (1, 2, 3);',
    'SELECT id FROM items WHERE created > 150000 OR (created = 150000 AND id > 15000) ORDER BY created, id LIMIT 20;',
    'UPDATE items SET parent_id = 0 WHERE created >= 1000 AND created < 2000;',
    'DELETE FROM items WHERE created > 190000 AND created <= 191000;',
  ].join('\n'));
  assert.equal(await page.getByTestId('error').count(), 0, await page.getByTestId('error').allTextContents());
  const access = async (n) => page.getByTestId('statement-log').getByTestId('statement').nth(n).getByTestId('access').textContent();
  assert.match(await access(4), /examined 120 · items: index seek on items_parent_id \(parent_id IN \(1, 2, 3\)\)/);
  assert.match(await access(5), /examined 2\d · items: index range on items_created_id \(created >= 150000\)/);
  assert.match(await access(6), /examined 100 · items: index range on items_created_id \(created >= 1000 AND created < 2000\)/);
  assert.match(await access(7), /examined 100 · items: index range on items_created_id \(created > 190000 AND created <= 191000\)/);
  const tables = page.getByTestId('result-table');
  assert.deepEqual(await tables.nth(0).locator('tbody td').allTextContents(), ['120']);
  assert.equal(await tables.nth(1).locator('tbody tr').first().locator('td').first().textContent(), '15001');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a run of 1,000 statements shows the first 20 results in full and the rest collapsed, each one click away', async () => {
  const { page, context, problems } = await openConsole();
  const selects = Array.from({ length: 1000 }, (_, i) => `SELECT ${i + 1} AS n;`);
  await run(page, selects.join('\n'));
  const results = page.locator('.stmt-result');
  assert.equal(await results.count(), 1000);
  assert.equal(await page.getByTestId('result-table').count(), 20);
  assert.equal(await page.locator('.stmt-result.collapsed').count(), 980);
  const later = results.nth(499);
  assert.equal(await later.getAttribute('data-rows'), '1');
  await later.getByTestId('open-result').click();
  assert.deepEqual(await later.getByTestId('result-table').locator('tbody td').allTextContents(), ['500']);
  assert.equal(await page.locator('.stmt-result.collapsed').count(), 979);
  // An error is shown in full wherever it is.
  await run(page, selects.slice(0, 30).join('\n') + '\nSELECT nope;');
  assert.match(await page.getByTestId('error').textContent(), /column "nope" does not exist/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('transactions really roll back, savepoints undo only their part, read-only refuses writes', async () => {
  const { page, context, problems } = await openConsole();
  await run(page, [
    'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT);',
    "INSERT INTO users VALUES (1, 'ann@example.com');",
    'BEGIN;',
    "INSERT INTO users VALUES (2, 'bob@example.com');",
    'SAVEPOINT risky;',
    "INSERT INTO users VALUES (3, 'cy@example.com');",
    'ROLLBACK TO SAVEPOINT risky;',
    'COMMIT;',
    'SELECT id FROM users ORDER BY id;',
    'BEGIN;',
    'DELETE FROM users;',
    'ROLLBACK;',
    'SELECT COUNT(*) AS n FROM users;',
  ].join('\n'));
  assert.equal(await page.getByTestId('error').count(), 0, await page.getByTestId('error').allTextContents());
  const tables = page.getByTestId('result-table');
  assert.deepEqual(await tables.nth(0).locator('tbody td').allTextContents(), ['1', '2']);
  assert.deepEqual(await tables.nth(1).locator('tbody td').allTextContents(), ['2']);
  const heads = await page.locator('.stmt-head .stmt-meta').allTextContents();
  assert.match(heads[4], /SAVEPOINT/);
  assert.match(heads[6], /ROLLBACK/);

  await run(page, "BEGIN READ ONLY;\nSELECT COUNT(*) FROM users;\nINSERT INTO users VALUES (9, 'x@example.com');");
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /read-only transaction/);
  await run(page, 'ROLLBACK;\nSELECT COUNT(*) AS n FROM users;');
  assert.deepEqual(await page.getByTestId('result-table').locator('tbody td').allTextContents(), ['2']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a script of 20 one-second statements stops at the script budget', async () => {
  const { page, context, problems } = await openConsole();
  await run(page, 'CREATE TABLE kept (id INTEGER);\n' + 'SELECT pg_sleep(1);\n'.repeat(20) + 'INSERT INTO kept VALUES (1);');
  await page.getByTestId('error').waitFor({ timeout: 20000 });
  const error = await page.getByTestId('error').textContent();
  assert.match(error, /script stopped: the script ran longer than its 5000 ms budget; statements 1 to 5 ran, statement 6 was stopped and changed nothing, 16 after it did not run/);
  // Four sleeps ran in full; nothing after the stopped one ran.
  assert.equal(await page.getByTestId('result-table').count(), 4);
  await run(page, 'SELECT count(*) AS n FROM kept;');
  assert.deepEqual(await page.getByTestId('result-table').locator('tbody td').allTextContents(), ['0']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a wide ORDER BY fails at the memory budget and the memory comes back', async () => {
  const { page, context, problems } = await openConsole();
  const engineMemory = async () => {
    const text = await page.getByTestId('engine-memory').textContent();
    const [, n, unit] = text.match(/memory ([\d.]+) (MB|GB)/);
    return Number(n) * (unit === 'GB' ? 1024 : 1);
  };
  // The wasm module's linear memory (it never shrinks: what is freed is reused).
  const linearMemory = () => page.evaluate(() => window.__sqlpatternsWasm.memory.buffer.byteLength / 2 ** 20);
  await run(page, "CREATE TABLE wide (id INTEGER PRIMARY KEY, body TEXT);\nINSERT INTO wide SELECT g, repeat('x', 10000) FROM generate_series(1, 2000) AS g;");
  assert.equal(await page.getByTestId('error').count(), 0, await page.getByTestId('error').allTextContents());
  const before = await engineMemory();
  const linearBefore = await linearMemory();
  // 4 million rows of 20 kB to sort: 80 GB, where the tab once grew to 3.7 GB and died.
  const wide = 'SELECT a.id, a.body || b.body AS joined FROM wide AS a, wide AS b ORDER BY joined;';
  await run(page, wide);
  await page.getByTestId('error').waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('error').textContent(), /53200.*held more than 256 MB of rows at once, its memory budget; nothing was changed/s);
  const after = await engineMemory();
  assert.ok(after < before + 8, `engine memory ${before} MB before, ${after} MB after`);
  const linearAfter = await linearMemory();
  assert.ok(linearAfter < linearBefore + 512, `linear memory grew from ${linearBefore} to ${linearAfter} MB`);
  // The same statement again reuses what the first freed: the tab does not grow again.
  await run(page, wide);
  await page.getByTestId('error').waitFor({ timeout: 20000 });
  assert.ok((await linearMemory()) <= linearAfter + 16, 'the freed memory is reused');
  const log = page.getByTestId('statement-log').getByTestId('statement');
  assert.match(await log.last().getByTestId('memory').textContent(), /held (2[5-9]\d|3\d\d) MB/);
  await run(page, 'SELECT count(*) AS n FROM wide;');
  assert.deepEqual(await page.getByTestId('result-table').locator('tbody td').allTextContents(), ['2000']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a runaway statement stops at the budget and the tab stays responsive', async () => {
  const { page, context, problems } = await openConsole();
  await run(page, 'CREATE TABLE a (x INTEGER);\nINSERT INTO a SELECT n FROM generate_series(1, 5000) AS n;\nSELECT COUNT(*) FROM a AS a1 JOIN a AS a2 ON a1.x <> a2.x JOIN a AS a3 ON a2.x <> a3.x;');
  await page.getByTestId('error').waitFor({ timeout: 20000 });
  assert.match(await page.getByTestId('error').textContent(), /statement stopped/);
  await run(page, 'SELECT COUNT(*) AS n FROM a;');
  assert.deepEqual(await page.getByTestId('result-table').locator('tbody td').allTextContents(), ['5000']);
  assert.deepEqual(problems, []);
  await context.close();
});
