// End-to-end tests of the app shell and the SQL console, on the release build, in
// headless Debian chromium. Run by scripts/test after `trunk build --release`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, paste, SLUGS } from './harness.mjs';

const SECTIONS = [
  'Database Model Patterns', 'Relationship Patterns', 'Migration Patterns',
  'Query Optimization', 'Index Strategies', 'Connection Pooling', 'Transaction Patterns',
];

const shared = sharedBrowser({ before, after });

async function openPattern(slug) {
  const opened = await openPage(shared.browser, `${shared.server.url}#/${slug}`);
  await opened.page.getByTestId('sql-editor').waitFor();
  return opened;
}

async function runScript(page, sql) {
  await paste(page.getByTestId('sql-editor'), sql);
  await page.getByTestId('run-sql').click();
}

test('the catalogue lists the 25 patterns, in the reference order, under its 7 sections', async () => {
  const { page, context, problems } = await openPage(shared.browser, shared.server.url);
  const links = page.getByTestId('pattern-link');
  await links.first().waitFor();
  const slugs = await links.evaluateAll((els) => els.map((el) => el.dataset.slug));
  assert.deepEqual(slugs, SLUGS);
  const headings = await page.locator('.catalogue-section h2').allTextContents();
  assert.deepEqual(headings, SECTIONS);
  // Each link is a stable hash route.
  const hrefs = await links.evaluateAll((els) => els.map((el) => el.getAttribute('href')));
  assert.deepEqual(hrefs, SLUGS.map((s) => `#/${s}`));
  // The filter narrows the list.
  await page.getByLabel('Filter patterns').fill('savepoint');
  assert.deepEqual(
    await page.locator('[data-testid=pattern-link]:visible').evaluateAll((els) => els.map((el) => el.dataset.slug)),
    ['savepoints'],
  );
  assert.deepEqual(problems, []);
  await context.close();
});

test('clicking a catalogue entry opens its page', async () => {
  const { page, context, problems } = await openPage(shared.browser, shared.server.url);
  await page.locator('[data-testid=pattern-link][data-slug=pagination]').click();
  await page.getByTestId('sql-editor').waitFor();
  assert.equal(await page.locator('h1').textContent(), 'Pagination with Total Count');
  assert.match(page.url(), /#\/pagination$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('every pattern page loads and its example script runs with no unannounced error or panic', async () => {
  const { page, context, problems } = await openPage(shared.browser, shared.server.url);
  for (const slug of SLUGS) {
    await page.goto(`${shared.server.url}#/${slug}`);
    await page.locator(`article[data-slug="${slug}"]`).waitFor();
    const h1 = await page.locator('h1').textContent();
    assert.ok(h1.length > 3, `${slug} has a title`);
    // The reference code: read-only, or in the model editor on the model pages.
    assert.ok(
      (await page.locator('.code-block').count()) + (await page.getByTestId('model-editor').count()),
      `${slug} shows reference code`,
    );
    // A page says plainly when its demo is not live yet; a live page has steps or a lab.
    await page.waitForTimeout(50);
    const live = (await page.getByTestId('step').count()) + (await page.getByTestId('lab').count()) > 0;
    assert.equal(await page.getByTestId('not-live').count(), live ? 0 : 1, `${slug}: live=${live}`);
    await page.getByTestId('run-sql').click();
    await page.getByTestId('statement-log').getByTestId('statement').first().waitFor();
    // An example may end on one failing statement it announces ("-- this one fails"),
    // to show a constraint at work; any other error is a broken example.
    const errors = await page.getByTestId('error').count();
    if (errors > 0) {
      const why = `${slug}: example script failed: ${await page.getByTestId('error').allTextContents()}`;
      assert.equal(errors, 1, why);
      assert.match(await page.getByTestId('sql-editor').inputValue(), /-- this one fails/, why);
      assert.equal(await page.locator('.skipped').count(), 0, why);
    }
    assert.ok(await page.getByTestId('result-table').count() >= 1, `${slug}: example shows a table`);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a multi-statement script shows one table per query and logs every statement', async () => {
  // The playground's console starts on an empty database.
  const { page, context, problems } = await openPattern('playground');
  await page.getByTestId('sql-editor').fill(
    [
      'CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT, deleted_at TIMESTAMP NULL);',
      "INSERT INTO users VALUES (1, 'ann@example.com', NULL), (2, 'bob@example.com', NULL);",
      "UPDATE users SET deleted_at = '2024-05-01 10:00:00' WHERE id = 2;",
      'SELECT email FROM users WHERE deleted_at IS NULL;',
      'SELECT id, email, deleted_at FROM users ORDER BY id;',
    ].join('\n'),
  );
  // Ctrl+Enter runs the script from the editor.
  await page.getByTestId('sql-editor').press('Control+Enter');
  const tables = page.getByTestId('result-table');
  await tables.nth(1).waitFor();
  assert.equal(await tables.count(), 2);
  assert.deepEqual(await tables.nth(0).locator('tbody td').allTextContents(), ['ann@example.com']);
  assert.deepEqual(await tables.nth(1).locator('th').allTextContents(), ['id', 'email', 'deleted_at']);
  assert.deepEqual(
    await tables.nth(1).locator('tbody tr').nth(1).locator('td').allTextContents(),
    ['2', 'bob@example.com', '2024-05-01 10:00:00'],
  );
  const statements = page.getByTestId('statement-log').getByTestId('statement');
  assert.equal(await statements.count(), 5);
  assert.match(await statements.nth(1).textContent(), /2 rows affected/);
  assert.match(await statements.nth(3).textContent(), /1 row returned/);
  assert.match(await statements.nth(0).textContent(), /\d+\.\d+ ms/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('bad SQL shows the error at its statement, and the page keeps working', async () => {
  const { page, context, problems } = await openPattern('enum-field');
  await runScript(page, 'SELECT 1 AS one;\nSELECT 2 AS two; SELEC 3;\nSELECT 4 AS four;');
  const error = page.getByTestId('error');
  await error.waitFor();
  const text = await error.textContent();
  assert.match(text, /line 2, column 18/);
  assert.match(text, /SELEC/);
  assert.equal(await page.getByTestId('result-table').count(), 2, 'statements before the error ran');
  assert.match(await page.locator('.skipped').textContent(), /1 statement after the error did not run/);
  // A runtime error is placed at its statement too.
  await runScript(page, 'SELECT 1;\n\nSELECT * FROM no_such_table;');
  await page.locator('[data-testid=error][data-line="3"]').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /no_such_table/);
  // The console still works.
  await runScript(page, 'SELECT 40 + 2 AS answer;');
  await page.getByTestId('result-table').locator('td').first().waitFor();
  assert.equal(await page.getByTestId('error').count(), 0);
  assert.equal(await page.getByTestId('result-table').locator('td').first().textContent(), '42');
  assert.deepEqual(problems, []);
  await context.close();
});

test('UUIDs are shown as text and long results are paged', async () => {
  const { page, context, problems } = await openPattern('base-model');
  const rows = Array.from({ length: 120 }, (_, i) => `(${i + 1})`).join(', ');
  await runScript(page, `SELECT GENERATE_UUID() AS id;\nCREATE TABLE n (v INTEGER);\nINSERT INTO n VALUES ${rows};\nSELECT v FROM n ORDER BY v;`);
  const tables = page.getByTestId('result-table');
  await tables.nth(1).waitFor();
  assert.match(await tables.nth(0).locator('td').first().textContent(), /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  assert.equal(await tables.nth(1).locator('tbody tr').count(), 50);
  assert.match(await page.locator('.pager').textContent(), /rows 1–50 of 120/);
  await page.getByRole('button', { name: 'Next ›' }).click();
  assert.equal(await tables.nth(1).locator('tbody td').first().textContent(), '51');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a huge paste is refused with a message, not a frozen tab', async () => {
  const { page, context, problems } = await openPattern('playground');
  await runScript(page, 'SELECT 1;\n'.repeat(40_000));
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /at most 256 KB/);
  await runScript(page, 'SELECT 7 AS seven;');
  await page.getByTestId('result-table').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});

test('reset database and restore example work', async () => {
  const { page, context, problems } = await openPattern('savepoints');
  const example = await page.getByTestId('sql-editor').inputValue();
  await runScript(page, 'CREATE TABLE t (a INTEGER);');
  await page.getByRole('button', { name: 'Reset database' }).click();
  await runScript(page, 'SELECT * FROM t;');
  await page.getByTestId('error').waitFor();
  await page.getByRole('button', { name: 'Restore example' }).click();
  assert.equal(await page.getByTestId('sql-editor').inputValue(), example);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the header opens the SQL playground: an empty database', async () => {
  const { page, context, problems } = await openPattern('savepoints');
  await page.getByTestId('playground-link').click();
  await page.locator('article[data-slug=playground]').waitFor();
  assert.equal(await page.locator('h1').textContent(), 'SQL playground');
  await runScript(page, 'SELECT COUNT(*) AS n FROM users;');
  await page.getByTestId('error').waitFor();
  assert.match(await page.getByTestId('error').textContent(), /users/);
  await runScript(page, 'CREATE TABLE t (a INTEGER PRIMARY KEY);\nINSERT INTO t VALUES (1);\nSELECT a FROM t;');
  await page.getByTestId('result-table').waitFor();
  assert.equal(await page.getByTestId('result-table').locator('tbody td').textContent(), '1');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an unknown route shows a not-found page with its text as text', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/<img src=x onerror=alert(1)>`);
  await page.getByTestId('not-found').waitFor();
  assert.equal(await page.locator('img').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});
