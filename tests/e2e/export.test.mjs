// Exports, as a user takes them away: the page's database as a SQL dump (loaded here into
// the real PostgreSQL that scripts/test starts), a result as CSV (compared with what that
// PostgreSQL's COPY writes for the same query on the loaded dump), Markdown and JSON, and
// the statement log as a SQL script.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { sharedBrowser, openPage, paste } from './harness.mjs';

const shared = sharedBrowser({ before, after });
const PG = process.env.SQLPATTERNS_PG;

function psql(database, args, input) {
  const run = spawnSync('psql', ['-h', PG, '-U', 'postgres', '-d', database, '-X', '-q', '-v', 'ON_ERROR_STOP=1', ...args], {
    input,
    encoding: 'utf8',
    env: { ...process.env, PGTZ: 'UTC', PGDATESTYLE: 'ISO, MDY' },
  });
  assert.equal(run.status, 0, `psql ${args.join(' ')} failed:\n${run.stderr}`);
  return run.stdout;
}

/** Clicks `button` and returns the file it downloads: its suggested name and its text. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: file.suggestedFilename(), text: await readFile(await file.path(), 'utf8') };
}

async function run(page, sql) {
  await paste(page.getByTestId('sql-editor'), sql);
  await page.getByTestId('run-sql').click();
}

test('the page database exports as a dump PostgreSQL loads, and a result as the CSV PostgreSQL copies', { skip: !PG && 'needs SQLPATTERNS_PG (scripts/test sets it)' }, async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete`);
  await page.getByTestId('sql-editor').waitFor();
  // Change the seeded data first: the dump is the database as it is now.
  const query = 'SELECT * FROM users ORDER BY id';
  await run(page, `INSERT INTO users (id, email, created_at, updated_at) VALUES ('u9', 'o''neil, pat@example.com', '2024-03-01 08:00:00+00', '2024-03-01 08:00:00+00');\n${query};`);
  await page.getByTestId('result-table').waitFor();

  const dump = await download(page, page.getByTestId('export-dump'));
  assert.equal(dump.name, 'soft-delete.sql');
  assert.match(await page.getByTestId('export-status').textContent(), /Saved soft-delete\.sql: 1 table, \d+ rows/);
  const database = `export_e2e_${process.pid}`;
  psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${database}`]);
  psql('postgres', ['-c', `CREATE DATABASE ${database}`]);
  try {
    psql(database, ['-f', '-'], dump.text);
    const csv = await download(page, page.locator('.console-output').getByTestId('export-csv'));
    assert.equal(csv.name, 'result.csv');
    const copied = psql(database, ['-c', `COPY (${query}) TO STDOUT (FORMAT csv, HEADER)`]);
    assert.equal(csv.text, copied);
    assert.match(csv.text, /"o'neil, pat@example.com"/);
    // The page's constraints came along: the unique email is the lesson's trap.
    const indexes = psql(database, ['-At', '-c', "SELECT indexname FROM pg_indexes WHERE tablename = 'users' ORDER BY indexname"]);
    assert.equal(indexes, 'users_email_key\nusers_pkey\n');
  } finally {
    psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('a result downloads as Markdown and JSON, and the statement log as a SQL script', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/playground`);
  await page.getByTestId('sql-editor').waitFor();
  await run(page, [
    'CREATE TABLE t (id INTEGER PRIMARY KEY, note TEXT, price NUMERIC(6,2), ok BOOLEAN);',
    "INSERT INTO t VALUES (1, 'a|b', 10.50, true), (2, NULL, 3.00, false);",
    'SELECT * FROM t ORDER BY id;',
  ].join('\n'));
  await page.getByTestId('result-table').waitFor();
  const md = await download(page, page.getByTestId('export-md'));
  assert.equal(md.name, 'result.md');
  assert.equal(md.text, '| id | note | price | ok |\n| ---: | --- | ---: | --- |\n| 1 | a\\|b | 10.50 | t |\n| 2 | NULL | 3.00 | f |\n');
  const json = await download(page, page.getByTestId('export-json'));
  assert.deepEqual(JSON.parse(json.text), [
    { id: 1, note: 'a|b', price: 10.5, ok: true },
    { id: 2, note: null, price: 3, ok: false },
  ]);
  // A failing statement stays in the log's script, commented out with its error.
  await run(page, 'INSERT INTO t VALUES (1, NULL, 0, NULL);');
  await page.getByTestId('error').waitFor();
  const log = await download(page, page.getByTestId('export-log'));
  assert.equal(log.name, 'playground-log.sql');
  assert.match(log.text, /^-- The statement log of a sqlpatterns playground page: 4 statements\./);
  assert.match(log.text, /\nCREATE TABLE t \(id INTEGER PRIMARY KEY, note TEXT, price NUMERIC\(6,2\), ok BOOLEAN\);\n/);
  assert.match(log.text, /\n-- 4\. failed: .*duplicate key value violates unique constraint "t_pkey"\n-- INSERT INTO t VALUES \(1, NULL, 0, NULL\)\n/);
  if (PG) {
    // The script replays in PostgreSQL from an empty database.
    const database = `export_log_e2e_${process.pid}`;
    psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${database}`]);
    psql('postgres', ['-c', `CREATE DATABASE ${database}`]);
    try {
      psql(database, ['-f', '-'], log.text);
      assert.equal(psql(database, ['-At', '-c', 'SELECT count(*) FROM t']), '2\n');
    } finally {
      psql('postgres', ['-c', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`]);
    }
  }
  assert.deepEqual(problems, []);
  await context.close();
});
