// Measures the release build in dist/: sizes, cold-load transfer, and the median time
// from navigation to the first interactive pattern page over 5 cold runs.
import { readdir, readFile, writeFile, stat } from 'node:fs/promises';
import { join, extname } from 'node:path';
import { gzipSync, brotliCompressSync, deflateRawSync, constants } from 'node:zlib';
import { serveDir, launchBrowser, paste, DIST, ROOT } from '../tests/e2e/harness.mjs';
import { sideBySide, printSideBySide } from './anchor.mjs';

const BUDGET_BROTLI = 1_000_000;
const BUDGET_INTERACTIVE_MS = 1000;
const RUNS = 5;

async function files(dir) {
  const out = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await files(path)));
    else out.push(path);
  }
  return out;
}

function sizes(buf) {
  return {
    raw: buf.length,
    gzip: gzipSync(buf, { level: 9 }).length,
    brotli: brotliCompressSync(buf, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: buf.length },
    }).length,
  };
}

const assets = {};
for (const path of await files(DIST)) {
  const ext = extname(path);
  if (!['.wasm', '.js', '.css', '.html'].includes(ext)) continue;
  // Only what the app page loads on a cold start (not the embed demo pages in public/).
  if (ext === '.html' && !path.endsWith(join(DIST, 'index.html'))) continue;
  assets[path.slice(DIST.length + 1)] = sizes(await readFile(path));
}
const total = Object.values(assets).reduce(
  (t, s) => ({ raw: t.raw + s.raw, gzip: t.gzip + s.gzip, brotli: t.brotli + s.brotli }),
  { raw: 0, gzip: 0, brotli: 0 },
);

const server = await serveDir();
const browser = await launchBrowser();
const times = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext(); // a new context: cold cache every run
  const page = await context.newPage();
  await page.goto(`${server.url}#/soft-delete`);
  // Interactive: the console's editor and Run button exist (the wasm app has mounted).
  await page.getByTestId('run-sql').waitFor();
  times.push(await page.evaluate(() => performance.now()));
  await context.close();
}

// Lab pages in the browser: time to start at the default knobs, and each enabled action's
// answer time (click to done, less the 20 ms the panel waits so "Running…" can paint).
const LAB_SLUGS = [
  'safe-column-addition', 'safe-column-removal', 'safe-column-rename', 'concurrent-index',
  'data-migration', 'eager-loading', 'select-columns', 'batch-operations', 'query-caching',
  'pagination', 'composite-index', 'partial-index', 'expression-index',
  'pool-configuration', 'session-context', 'savepoints', 'read-only-transactions',
];
const settled = (page) => page.waitForFunction(() => {
  const busy = document.querySelector('[data-testid=lab-busy]');
  const blocks = document.querySelector('[data-testid=lab-blocks]');
  return busy && busy.dataset.busy === '0' && blocks && blocks.children.length > 0;
}, null, { timeout: 120_000, polling: 5 });
const labs = {};
// The longest main-thread task of each action (PerformanceObserver 'longtask': tasks
// over 50 ms), the figure the "no click blocks the UI for more than 50 ms" rule is about.
const watchLongTasks = () => {
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.duration);
  }).observe({ type: 'longtask', buffered: true });
};
const longestTask = (page) => page.evaluate(() => {
  const longest = Math.max(0, ...window.__longTasks);
  window.__longTasks = [];
  return Math.round(longest);
});
for (const slug of LAB_SLUGS) {
  const context = await browser.newContext();
  await context.addInitScript(watchLongTasks);
  const page = await context.newPage();
  await page.goto(`${server.url}#/${slug}`);
  await page.getByTestId('sql-editor').waitFor();
  if ((await page.getByTestId('lab').count()) === 0) { labs[slug] = null; await context.close(); continue; }
  await settled(page);
  const start_ms = await page.evaluate(() => performance.now());
  const start_longest_task_ms = await longestTask(page);
  const actions = {};
  const longest_task_ms = {};
  const ids = await page.locator('[data-testid=lab-action]:not([disabled])').evaluateAll((els) => els.map((el) => el.dataset.action));
  for (const id of ids) {
    const button = page.locator(`[data-testid=lab-action][data-action="${id}"]:not([disabled])`);
    if ((await button.count()) === 0) continue;
    const t0 = Date.now();
    await button.click();
    await page.waitForTimeout(5);
    await settled(page);
    actions[id] = Math.max(0, Date.now() - t0 - 20);
    longest_task_ms[id] = await longestTask(page);
  }
  labs[slug] = { start_ms, start_longest_task_ms, actions_ms: actions, longest_task_ms };
  await context.close();
}

// Limits (issue 19): a short link carrying 30 "Profile by depth" actions, from navigation
// to the page showing what it replayed (the replay budget stops it); a console run of 20
// one-second statements, click to the script budget's error.
const limits = {};
{
  const s = `1.${deflateRawSync(Buffer.from(JSON.stringify({ k: { steps: Array(30).fill('profile').join(',') } }))).toString('base64url')}`;
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}#/pagination?s=${s}`);
  await page.getByTestId('replay-stopped').waitFor({ timeout: 120_000 });
  await settled(page);
  const notice = await page.getByTestId('replay-stopped').textContent();
  limits.thirty_profile_link = {
    link_chars: s.length,
    open_to_notice_ms: await page.evaluate(() => performance.now()),
    replayed: Number(notice.match(/Replayed (\d+) of/)[1]),
  };
  await context.close();
}
{
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}#/playground`);
  const editor = page.getByTestId('sql-editor');
  await editor.waitFor();
  await paste(editor, 'SELECT pg_sleep(1);\n'.repeat(20));
  const t0 = Date.now();
  await page.getByTestId('run-sql').click();
  await page.getByTestId('error').waitFor({ timeout: 60_000 });
  limits.twenty_sleeps = {
    click_to_stop_ms: Date.now() - t0,
    error: (await page.getByTestId('error').textContent()).trim().slice(0, 160),
  };
  await context.close();
}

// Engine speed against the anchor (sql.js) in the same page: issue 20's workloads.
const side_by_side = await sideBySide(browser, server.url);

await browser.close();
await server.close();
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];

let engine = null;
if (process.env.ENGINE_JSON) {
  try {
    engine = JSON.parse(await readFile(process.env.ENGINE_JSON, 'utf8'));
  } catch (e) {
    engine = { error: `engine bench output unreadable: ${e.message}` };
  }
}

const report = {
  date: new Date().toISOString(),
  assets,
  cold_load_total: total,
  budget: { brotli_bytes: BUDGET_BROTLI, first_interactive_ms: BUDGET_INTERACTIVE_MS },
  first_interactive_ms: { median, runs: times },
  within_budget: { size: total.brotli <= BUDGET_BROTLI, first_interactive: median <= BUDGET_INTERACTIVE_MS },
  engine,
  labs,
  limits,
  side_by_side,
};
await writeFile(join(ROOT, 'bench/report.json'), JSON.stringify(report, null, 2));

const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(12);
console.log('\nsqlpatterns benchmark report');
console.log('asset'.padEnd(40) + 'raw'.padStart(12) + 'gzip -9'.padStart(12) + 'brotli 11'.padStart(12));
for (const [name, s] of Object.entries(assets)) console.log(name.padEnd(40) + kb(s.raw) + kb(s.gzip) + kb(s.brotli));
console.log('cold-load total'.padEnd(40) + kb(total.raw) + kb(total.gzip) + kb(total.brotli));
console.log(`budget: ${kb(BUDGET_BROTLI).trim()} brotli -> ${report.within_budget.size ? 'within' : 'OVER'}`);
console.log(`first interactive pattern page: median ${median.toFixed(0)} ms over ${RUNS} cold runs [${times.map((t) => t.toFixed(0)).join(', ')}] (budget ${BUDGET_INTERACTIVE_MS} ms -> ${report.within_budget.first_interactive ? 'within' : 'OVER'})`);
console.log('\nlab pages in the browser (default knobs): page ready, then each action click-to-done, with the longest main-thread task (ms; 0 = none over 50 ms)');
for (const [slug, lab] of Object.entries(labs)) {
  if (!lab) { console.log(`  ${slug.padEnd(24)} not live`); continue; }
  const acts = Object.entries(lab.actions_ms).map(([id, ms]) => `${id} ${ms} ms (longest task ${lab.longest_task_ms[id]})`).join(', ');
  console.log(`  ${slug.padEnd(24)} ready at ${lab.start_ms.toFixed(0)} ms (longest task ${lab.start_longest_task_ms}); ${acts}`);
}
const link = limits.thirty_profile_link;
console.log(`\nlimits: a ${link.link_chars}-character link of 30 profiles opened to its "stopped replaying" notice in ${link.open_to_notice_ms.toFixed(0)} ms (${link.replayed} of 30 replayed)`);
console.log(`limits: 20 x pg_sleep(1) in the console stopped at the script budget ${limits.twenty_sleeps.click_to_stop_ms} ms after the click`);
printSideBySide(side_by_side);
if (engine) console.log('engine (native):', JSON.stringify(engine, null, 2));
console.log('written: bench/report.json');
