// Shared by the browser tests and the benchmark: serve dist/ on 127.0.0.1 and drive
// Debian's chromium through playwright-core (which never downloads a browser).
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(fileURLToPath(import.meta.url), '../../..');

/** The 25 pattern slugs, in the reference's order: stable routes, never renamed. */
export const SLUGS = [
  'base-model', 'soft-delete', 'audit-trail', 'enum-field', 'one-to-many-cascade',
  'many-to-many', 'association-object', 'self-referential', 'safe-column-addition',
  'safe-column-removal', 'safe-column-rename', 'concurrent-index', 'data-migration',
  'eager-loading', 'select-columns', 'batch-operations', 'query-caching', 'pagination',
  'composite-index', 'partial-index', 'expression-index', 'pool-configuration',
  'session-context', 'savepoints', 'read-only-transactions',
];
export const DIST = join(ROOT, 'dist');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
};

/** A static file server over `dir` on a free loopback port. */
export async function serveDir(dir = DIST) {
  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(dir, path));
      if (!file.startsWith(dir)) throw new Error('outside');
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        // Sandboxed embeds (iframe sandbox="allow-scripts") have an opaque origin, so their
        // module script and wasm fetches are cross-origin: static hosts such as GitHub
        // Pages send this header; so does this server.
        'access-control-allow-origin': '*',
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const url = `http://127.0.0.1:${server.address().port}/`;
  return { url, close: () => new Promise((ok) => server.close(ok)) };
}

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
  });
}

/**
 * A fresh page that records console errors and uncaught exceptions (a Rust panic shows
 * up as both), so a test can assert that nothing went wrong.
 */
export async function openPage(browser, url) {
  const context = await browser.newContext();
  // Trunk announces the started app with its wasm exports (memory among them).
  await context.addInitScript(() => {
    addEventListener('TrunkApplicationStarted', (e) => { window.__sqlpatternsWasm = e.detail.wasm; });
  });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  if (url) await page.goto(url);
  return { page, context, problems };
}

/**
 * One server and one browser for a test file: registers node:test's before/after hooks
 * and returns an object whose `server` and `browser` are set once they have started.
 */
export function sharedBrowser({ before, after }) {
  const shared = { server: null, browser: null };
  before(async () => {
    shared.server = await serveDir();
    shared.browser = await launchBrowser();
  });
  after(async () => {
    await shared.browser?.close();
    await shared.server?.close();
  });
  return shared;
}

/**
 * Puts `text` in a textarea as a paste does: one input event. (Playwright's `fill` types
 * through the IME path and takes seconds for a few thousand lines; a real paste does not.)
 */
export async function paste(locator, text) {
  await locator.evaluate((el, t) => {
    el.value = t;
    el.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertFromPaste' }));
  }, text);
}
