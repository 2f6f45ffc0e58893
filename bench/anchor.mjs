// The side-by-side benchmark: the same data and the same SQL on our engine (in the
// playground console) and on sql.js (SQLite in wasm, an npm dev dependency of the
// benchmark only), in one page of one browser session. Machines are noisy, so speed is
// judged by the ratio to the anchor measured in the same run, never by absolute numbers.
//
// Our engine time is each statement's own measured duration (the statement log's figure,
// on the console's `.stmt-result[data-ms]`); sql.js's is performance.now() around
// `db.exec` in the same page. Every workload checks that both return the same rows (the
// row count and the first page the console shows). Medians of 5 runs of each query.
import { readFile } from 'node:fs/promises';
import { paste } from '../tests/e2e/harness.mjs';

const SQLJS_DIST = new URL('./node_modules/sql.js/dist/', import.meta.url);
export const GOAL_RATIO = 3;
const REPEAT = 5;
const PAGE_ROWS = 50; // the console's result table shows 50 rows a page
const SCRIPT_BYTES = 200 * 1024; // under the console's 256 KB limit per run

// ---------------------------------------------------------------------------------------
// The data: deterministic, written out as INSERT ... VALUES so that both engines read the
// very same text.
const T_ROWS = 100_000;
const tRow = (id) => `(${id}, ${id % 50_000}, ${id % 97}, 'row-${id}')`;
const inserts = (table, columns, count, row, perStatement = 1000) => {
  const out = [];
  for (let start = 1; start <= count; start += perStatement) {
    const rows = [];
    for (let id = start; id < start + perStatement && id <= count; id++) rows.push(row(id));
    out.push(`INSERT INTO ${table} (${columns}) VALUES ${rows.join(', ')}`);
  }
  return out;
};

const SETUP_T = [
  'CREATE TABLE t (id INTEGER PRIMARY KEY, a INTEGER NOT NULL, b INTEGER NOT NULL, label TEXT NOT NULL)',
  'CREATE INDEX t_a_id ON t (a, id)',
];
const LOAD_T = inserts('t', 'id, a, b, label', T_ROWS, tRow);
const SETUP_JOIN = [
  'CREATE TABLE regions (id INTEGER PRIMARY KEY, name TEXT NOT NULL)',
  'CREATE TABLE customers (id INTEGER PRIMARY KEY, region_id INTEGER NOT NULL)',
  'CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER NOT NULL, amount INTEGER NOT NULL)',
  'CREATE TABLE children (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL, v INTEGER NOT NULL)',
  'CREATE INDEX children_parent_id ON children (parent_id)',
  ...inserts('regions', 'id, name', 10, (id) => `(${id}, 'region-${id}')`),
  ...inserts('customers', 'id, region_id', 1000, (id) => `(${id}, ${(id % 10) + 1})`),
  ...inserts('orders', 'id, customer_id, amount', 10_000, (id) => `(${id}, ${(id % 1000) + 1}, ${(id * 37) % 500})`),
  ...inserts('children', 'id, parent_id, v', 10_000, (id) => `(${id}, ${(id % 5000) + 1}, ${id % 13})`),
];

const inList = Array.from({ length: 1000 }, (_, i) => i * 5 + 1).join(', ');
const repeat = (sql) => Array(REPEAT).fill(sql);

/** The workloads of issue 20: a name, the statements timed, and what is summed or medianed. */
const WORKLOADS = [
  { id: 'count', label: 'SELECT COUNT(*), 100k rows', sql: repeat('SELECT COUNT(*) FROM t') },
  {
    id: 'offset',
    label: 'ORDER BY indexed cols LIMIT 20 OFFSET 99,980',
    sql: repeat('SELECT id, a FROM t ORDER BY a, id LIMIT 20 OFFSET 99980'),
  },
  {
    id: 'keyset-or',
    label: 'keyset as a > x OR (a = x AND id > y), at depth',
    sql: repeat('SELECT id, a FROM t WHERE a > 49990 OR (a = 49990 AND id > 49990) ORDER BY a, id LIMIT 20'),
  },
  {
    id: 'keyset-row',
    label: 'keyset as (a, id) > (x, y), at depth',
    sql: repeat('SELECT id, a FROM t WHERE (a, id) > (49990, 49990) ORDER BY a, id LIMIT 20'),
  },
  {
    id: 'in-list',
    label: 'WHERE parent_id IN (1,000 ids), FK index, 10k rows',
    sql: repeat(`SELECT id, parent_id, v FROM children WHERE parent_id IN (${inList}) ORDER BY id`),
  },
  {
    id: 'update-range',
    label: 'UPDATE 1,000 rows by an indexed range',
    sql: repeat('UPDATE t SET b = b + 1 WHERE a >= 1000 AND a < 1500'),
  },
  {
    id: 'delete-range',
    label: 'DELETE 1,000 rows by an indexed range',
    sql: Array.from({ length: REPEAT }, (_, i) => `DELETE FROM t WHERE a >= ${2000 + i * 500} AND a < ${2500 + i * 500}`),
  },
  {
    id: 'join-group',
    label: '3-table join + GROUP BY, 10k rows',
    sql: repeat(
      'SELECT r.name, COUNT(*) AS n, SUM(o.amount) AS total FROM orders AS o JOIN customers AS c ON c.id = o.customer_id JOIN regions AS r ON r.id = c.region_id GROUP BY r.name ORDER BY r.name',
    ),
  },
];

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
};

// ---------------------------------------------------------------------------------------
// Our engine: the playground console. Each run is one script; its statements' results
// carry their engine time (data-ms) and rows (data-rows). A marker statement first tells
// this run's results from the last one's.
let marker = 0;
async function runOurs(page, statements) {
  marker += 1;
  const script = [`SELECT ${marker} AS bench_run`, ...statements].map((s) => `${s};`).join('\n');
  await paste(page.getByTestId('sql-editor'), script);
  // The console runs and renders in the click's handler: the time to the next frame after
  // it is click-to-result.
  const clickToResult = await page.evaluate(async () => {
    const t0 = performance.now();
    document.querySelector('[data-testid=run-sql]').click();
    await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
    return performance.now() - t0;
  });
  const results = await page.locator('.stmt-result').evaluateAll((els) =>
    els.map((el) => ({
      ms: Number(el.dataset.ms),
      rows: el.dataset.rows === undefined ? null : Number(el.dataset.rows),
      failed: el.classList.contains('failed'),
      collapsed: el.classList.contains('collapsed'),
      text: el.querySelector('.error')?.textContent ?? null,
      firstPage: [...el.querySelectorAll('table tbody tr')].map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
    })),
  );
  const [head, ...rest] = results;
  if (!head || head.firstPage?.[0]?.[0] !== String(marker)) throw new Error(`console results not of run ${marker}`);
  const failed = rest.find((r) => r.failed);
  if (failed) throw new Error(`our engine failed: ${failed.text}`);
  if (rest.length !== statements.length) throw new Error(`ran ${rest.length} of ${statements.length} statements`);
  return { results: rest, clickToResult, engineMs: rest.reduce((t, r) => t + r.ms, 0) };
}

/** Runs statements in console runs of at most SCRIPT_BYTES each. */
async function runOursChunked(page, statements) {
  const out = { results: [], clickToResult: 0, engineMs: 0 };
  let chunk = [];
  let bytes = 0;
  const flush = async () => {
    if (!chunk.length) return;
    const r = await runOurs(page, chunk);
    out.results.push(...r.results);
    out.clickToResult += r.clickToResult;
    out.engineMs += r.engineMs;
    chunk = [];
    bytes = 0;
  };
  for (const s of statements) {
    if (bytes + s.length > SCRIPT_BYTES) await flush();
    chunk.push(s);
    bytes += s.length + 2;
  }
  await flush();
  return out;
}

// ---------------------------------------------------------------------------------------
// sql.js in the same page.
async function startAnchor(page) {
  const js = await readFile(new URL('sql-wasm.js', SQLJS_DIST), 'utf8');
  const wasm = await readFile(new URL('sql-wasm.wasm', SQLJS_DIST));
  await page.route('**/__anchor/sql-wasm.wasm', (route) =>
    route.fulfill({ body: wasm, contentType: 'application/wasm' }),
  );
  await page.addScriptTag({ content: js });
  await page.evaluate(async () => {
    const SQL = await window.initSqlJs({ locateFile: (file) => `/__anchor/${file}` });
    window.__anchor = new SQL.Database();
  });
}

async function runAnchor(page, statements) {
  return page.evaluate((statements) => {
    const db = window.__anchor;
    return statements.map((sql) => {
      const t0 = performance.now();
      const out = db.exec(sql);
      const ms = performance.now() - t0;
      const values = out.length ? out[out.length - 1].values : null;
      return {
        ms,
        rows: values ? values.length : null,
        firstPage: values ? values.slice(0, 50).map((r) => r.map((v) => (v === null ? 'NULL' : String(v)))) : [],
      };
    });
  }, statements);
}

function sameRows(ours, anchor) {
  for (let i = 0; i < ours.length; i++) {
    const o = ours[i];
    const a = anchor[i];
    // sql.js gives no result set for a query that returns no rows.
    if ((o.rows ?? 0) === 0 && (a.rows ?? 0) === 0) continue;
    if (o.rows !== a.rows) return `statement ${i + 1}: ${o.rows} rows here, ${a.rows} in sql.js`;
    // A collapsed result shows its count only (the console renders the first 20 in full).
    if (o.collapsed) continue;
    const op = JSON.stringify(o.firstPage.slice(0, PAGE_ROWS));
    const ap = JSON.stringify(a.firstPage.slice(0, PAGE_ROWS));
    if (op !== ap) return `statement ${i + 1}: first rows differ: ${op.slice(0, 120)} vs ${ap.slice(0, 120)}`;
  }
  return null;
}

/**
 * Runs every workload on both engines in one fresh page of `browser`, and returns the
 * report: per workload our ms, sql.js ms, the ratio, whether it meets the goal and the
 * rows check; and the console's click-to-result against its engine time.
 */
export async function sideBySide(browser, serverUrl) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${serverUrl}#/playground`);
  await page.getByTestId('sql-editor').waitFor();
  await startAnchor(page);

  const workloads = [];
  const record = (id, label, oursMs, anchorMs, rowsCheck) => {
    const ratio = oursMs / Math.max(anchorMs, 0.001);
    workloads.push({ id, label, ours_ms: oursMs, sqljs_ms: anchorMs, ratio, meets_goal: ratio <= GOAL_RATIO, rows: rowsCheck ?? 'same' });
  };

  await runOursChunked(page, SETUP_T);
  await runAnchor(page, SETUP_T);
  const loadOurs = await runOursChunked(page, LOAD_T);
  const loadAnchor = await runAnchor(page, LOAD_T);
  record('load', 'load: 100 INSERTs of 1,000 rows (with an index)', loadOurs.engineMs, loadAnchor.reduce((t, r) => t + r.ms, 0), null);
  await runOursChunked(page, SETUP_JOIN);
  await runAnchor(page, SETUP_JOIN);

  for (const w of WORKLOADS) {
    const ours = await runOurs(page, w.sql);
    const anchor = await runAnchor(page, w.sql);
    const check = w.id === 'update-range' || w.id === 'delete-range' ? null : sameRows(ours.results, anchor);
    record(w.id, w.label, median(ours.results.map((r) => r.ms)), median(anchor.map((r) => r.ms)), check);
  }
  // After the writes, both hold the same table.
  const after = 'SELECT COUNT(*), SUM(b) FROM t';
  const oursAfter = await runOurs(page, [after]);
  const anchorAfter = await runAnchor(page, [after]);
  const writesCheck = sameRows(oursAfter.results, anchorAfter);
  for (const w of workloads) if (w.id === 'update-range' || w.id === 'delete-range') w.rows = writesCheck ?? 'same table after';

  // The console itself: 1,000 small SELECTs in one run, click to result vs engine time.
  const small = Array.from({ length: 1000 }, (_, i) => `SELECT id, label FROM t WHERE id = ${(i * 97) % T_ROWS + 1}`);
  const consoleRun = await runOurs(page, small);
  const anchorSmall = await runAnchor(page, small);
  const consoleReport = {
    statements: small.length,
    engine_ms: consoleRun.engineMs,
    click_to_result_ms: consoleRun.clickToResult,
    ratio_to_engine: consoleRun.clickToResult / Math.max(consoleRun.engineMs, 0.001),
    sqljs_engine_ms: anchorSmall.reduce((t, r) => t + r.ms, 0),
    rows: sameRows(consoleRun.results, anchorSmall) ?? 'same',
  };
  consoleReport.meets_goal = consoleReport.ratio_to_engine <= 1.5;
  await context.close();
  return { goal_ratio: GOAL_RATIO, workloads, console: consoleReport };
}

/** The report's table, with by how much each ratio misses the goal. */
export function printSideBySide(report) {
  const pad = (s, n) => String(s).padStart(n);
  console.log(`\nside by side with sql.js 1.17 (SQLite in wasm), same page, same SQL; goal: within ${report.goal_ratio}x`);
  console.log('workload'.padEnd(52) + pad('ours ms', 10) + pad('sql.js ms', 11) + pad('ratio', 9) + '  verdict / rows');
  for (const w of report.workloads) {
    const verdict = w.meets_goal ? 'meets goal' : `misses by ${(w.ratio / report.goal_ratio).toFixed(1)}x`;
    console.log(w.label.padEnd(52) + pad(w.ours_ms.toFixed(1), 10) + pad(w.sqljs_ms.toFixed(1), 11) + pad(`${w.ratio.toFixed(1)}x`, 9) + `  ${verdict} / ${w.rows}`);
  }
  const c = report.console;
  console.log(
    `console, ${c.statements} small SELECTs in one run: click-to-result ${c.click_to_result_ms.toFixed(0)} ms for ${c.engine_ms.toFixed(0)} ms of engine time (${c.ratio_to_engine.toFixed(1)}x; goal 1.5x -> ${c.meets_goal ? 'meets goal' : `misses by ${(c.ratio_to_engine / 1.5).toFixed(1)}x`}); sql.js engine ${c.sqljs_engine_ms.toFixed(0)} ms; rows ${c.rows}`,
  );
}
