// Permalinks, local persistence and embeds, in headless Debian chromium, on the release build.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, paste, SLUGS } from './harness.mjs';


const shared = sharedBrowser({ before, after });

const editor = (page) => page.getByTestId('sql-editor');

const type = (page, text) => paste(editor(page), text);

/** Waits until the URL carries the page's state (it follows edits after a short debounce). */
async function permalinkWith(page) {
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  return page.getByTestId('permalink').getAttribute('href');
}

test('every pattern state round-trips through its link into a fresh browser profile', async () => {
  const editorCtx = await openPage(shared.browser);
  for (const slug of SLUGS) {
    const { page } = editorCtx;
    await page.goto(`${shared.server.url}#/${slug}`);
    await page.locator(`article[data-slug="${slug}"]`).waitFor();
    const script = `-- edited on ${slug}\nSELECT '${slug}' AS slug, 'it''s ✓' AS note;`;
    await type(page, script);
    const link = await permalinkWith(page);
    assert.match(link, new RegExp(`#/${slug}\\?s=1\\.`));
    assert.ok(link.length < 2000, `${slug}: link is ${link.length} chars`);
    // A fresh context is a fresh profile: no localStorage, nothing cached.
    const fresh = await openPage(shared.browser, link);
    await editor(fresh.page).waitFor();
    assert.equal(await editor(fresh.page).inputValue(), script, slug);
    assert.equal(await fresh.page.getByTestId('link-notice').count(), 0);
    assert.deepEqual(fresh.problems, []);
    await fresh.context.close();
  }
  assert.deepEqual(editorCtx.problems, []);
  await editorCtx.context.close();
});

test('the URL follows edits without flooding history, and a reload restores them', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete`);
  await editor(page).waitFor();
  const historyLength = await page.evaluate(() => history.length);
  for (const n of [1, 2, 3]) {
    await type(page, `SELECT ${n} AS n;`);
    await page.waitForFunction((n) => document.querySelector('[data-testid=permalink]').href.length > 0 && location.hash.includes('s=1.') && true, n);
  }
  await page.waitForTimeout(600);
  assert.equal(await page.evaluate(() => history.length), historyLength);
  await page.reload();
  await editor(page).waitFor();
  assert.equal(await editor(page).inputValue(), 'SELECT 3 AS n;');
  assert.deepEqual(problems, []);
  await context.close();
});

test('edits are saved in this shared.browser, with a reset to the example', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/enum-field`);
  await editor(page).waitFor();
  const example = await editor(page).inputValue();
  await type(page, 'SELECT 42 AS saved;');
  await permalinkWith(page);
  // Open the plain pattern URL (no state in it) in a new tab of the same profile.
  const tab = await context.newPage();
  await tab.goto(`${shared.server.url}#/enum-field`);
  await tab.getByTestId('restored-notice').waitFor();
  assert.equal(await editor(tab).inputValue(), 'SELECT 42 AS saved;');
  await tab.getByRole('button', { name: 'Reset to example' }).click();
  assert.equal(await editor(tab).inputValue(), example);
  assert.equal(await tab.getByTestId('restored-notice').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a shared link does not overwrite the edits saved in this browser', async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.url}#/pagination`);
  await editor(page).waitFor();
  await type(page, 'SELECT 1 AS mine;');
  await permalinkWith(page);
  await page.waitForTimeout(500);
  // Someone else's link to the same pattern.
  const other = await openPage(shared.browser, `${shared.server.url}#/pagination`);
  await editor(other.page).waitFor();
  await type(other.page, 'SELECT 2 AS theirs;');
  const theirLink = await permalinkWith(other.page);
  await other.context.close();
  const tab = await context.newPage();
  await tab.goto(theirLink);
  await tab.getByTestId('saved-edits-notice').waitFor();
  assert.equal(await editor(tab).inputValue(), 'SELECT 2 AS theirs;');
  await tab.getByRole('button', { name: 'Open my edits' }).click();
  assert.equal(await editor(tab).inputValue(), 'SELECT 1 AS mine;');
  await context.close();
});

test('garbage, truncated and oversized links open the default page with a notice', async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.url}#/savepoints`);
  await editor(page).waitFor();
  const example = await editor(page).inputValue();
  await type(page, 'SELECT 99 AS x; -- a long enough script to truncate meaningfully');
  const good = (await permalinkWith(page)).split('#')[1];
  await context.close();
  const bad = [
    '/savepoints?s=garbage',
    '/savepoints?s=1.!!!not-base64!!!',
    `/savepoints?s=${good.split('s=')[1].slice(0, 24)}`,
    '/savepoints?s=1.' + 'A'.repeat(70000),
    '/savepoints?s=9.AAAA',
  ];
  for (const hash of bad) {
    const fresh = await openPage(shared.browser, `${shared.server.url}#${hash}`);
    await fresh.page.getByTestId('link-notice').waitFor();
    assert.equal(await editor(fresh.page).inputValue(), example, hash.slice(0, 40));
    // The page works: the example runs.
    await fresh.page.getByTestId('run-sql').click();
    await fresh.page.getByTestId('result-table').first().waitFor();
    assert.deepEqual(fresh.problems, [], hash.slice(0, 40));
    await fresh.context.close();
  }
});

test('text from a link is only ever rendered as text', async () => {
  const payload = `<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>"'&`;
  const maker = await openPage(shared.browser, `${shared.server.url}#/base-model`);
  await editor(maker.page).waitFor();
  await type(maker.page, payload);
  const link = await permalinkWith(maker.page);
  await maker.context.close();
  const { page, context, problems } = await openPage(shared.browser, link);
  await editor(page).waitFor();
  assert.equal(await editor(page).inputValue(), payload);
  await page.getByTestId('run-sql').click();
  await page.getByTestId('error').waitFor();
  assert.equal(await page.evaluate(() => window.__pwned), undefined);
  assert.equal(await page.locator('img[src=x]').count(), 0);
  assert.equal(await page.locator('.editor-highlight script').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('embed mode shows just the pattern, with options, and links to the full app', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete?embed=1&theme=dark&panels=console`);
  await editor(page).waitFor();
  assert.equal(await page.locator('.app-header').count(), 0);
  assert.equal(await page.locator('.reference-panel').count(), 0, 'panels=console hides the reference');
  assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
  await type(page, 'SELECT 5 AS five;');
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  const open = await page.getByTestId('open-in-playground').getAttribute('href');
  assert.match(open, /#\/soft-delete\?s=1\./);
  assert.doesNotMatch(open, /embed=1/);
  const full = await openPage(shared.browser, open);
  await editor(full.page).waitFor();
  assert.equal(await editor(full.page).inputValue(), 'SELECT 5 AS five;');
  assert.equal(await full.page.locator('.app-header').count(), 1);
  await full.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Embed button gives an iframe snippet for the current state', async () => {
  const { page, context } = await openPage(shared.browser, `${shared.server.url}#/partial-index`);
  await editor(page).waitFor();
  await page.getByTestId('embed-button').click();
  const snippet = await page.getByTestId('embed-snippet').inputValue();
  assert.match(snippet, /<iframe src="http:\/\/127\.0\.0\.1:\d+\/#\/partial-index\?embed=1"/);
  assert.match(snippet, /sandbox="allow-scripts/);
  assert.match(snippet, /sqlpatterns:resize/);
  await context.close();
});

test('the embed demo page shows live patterns in sandboxed iframes that size themselves', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}public/embed-demo.html`);
  const frames = page.locator('iframe');
  assert.equal(await frames.count(), 3);
  for (let i = 0; i < 3; i++) {
    await frames.nth(i).scrollIntoViewIfNeeded();
    const frame = page.frameLocator('iframe').nth(i);
    await frame.getByTestId('sql-editor').waitFor();
    // Lazy frames load and resize as they scroll in: let this one settle before clicking.
    await page.waitForFunction((n) => document.querySelectorAll('iframe')[n].dataset.resized === 'true', i);
    await page.waitForTimeout(300);
    // The frame is sandboxed: no storage; the page still runs SQL and says so.
    await frame.getByTestId('run-sql').click();
    await frame.getByTestId('result-table').first().waitFor();
    await frame.getByTestId('storage-notice').waitFor();
  }
  await page.waitForFunction(() => [...document.querySelectorAll('iframe')].every((f) => f.dataset.resized === 'true'));
  const heights = await frames.evaluateAll((fs) => fs.map((f) => f.getBoundingClientRect().height));
  for (const h of heights) assert.ok(h > 300, `frame resized to its content: ${heights}`);
  // Running SQL made the first frame taller, and it followed.
  const sandbox = await frames.first().getAttribute('sandbox');
  assert.equal(sandbox, 'allow-scripts allow-popups');
  assert.deepEqual(problems, []);
  await context.close();
});

test('an embed reports its content height, so its frame can shrink as well as grow', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete?embed=1&panels=console`);
  await page.evaluate(() => {
    window.__heights = [];
    window.addEventListener('message', (e) => {
      if (e.data && e.data.type === 'sqlpatterns:resize') window.__heights.push(e.data.height);
    });
  });
  await page.setViewportSize({ width: 900, height: 700 });
  await page.getByTestId('sql-editor').waitFor();
  await page.waitForTimeout(300);
  const content = await page.evaluate(() => document.body.offsetHeight);
  // A frame made much taller than the content: the reported height stays the content's.
  await page.setViewportSize({ width: 900, height: content + 900 });
  await page.waitForTimeout(300);
  const heights = await page.evaluate(() => window.__heights);
  assert.ok(heights.length > 0, 'a resize message was posted');
  const last = heights[heights.length - 1];
  assert.ok(last < content + 100, `reported ${last} for content ${content} in a ${content + 900} px frame`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('"Open in playground" in a frame that may not open tabs says so and gives the link', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/`);
  const src = `${shared.server.url}#/soft-delete?embed=1&panels=console`;
  await page.setContent(`<iframe id="f" sandbox="allow-scripts allow-same-origin" src="${src}" style="width:900px;height:700px"></iframe>`);
  const frame = page.frameLocator('#f');
  await frame.getByTestId('open-in-playground').click();
  const notice = frame.getByTestId('popup-blocked');
  await notice.waitFor();
  assert.match(await notice.textContent(), /blocked/);
  const url = await notice.locator('input').inputValue();
  assert.match(url, /#\/soft-delete/);
  assert.doesNotMatch(url, /embed=1/);
  // Chromium itself logs the refused popup; nothing else may show up.
  assert.deepEqual(problems.filter((p) => !/allow-popups/.test(p)), []);
  await context.close();
});

/** A host page (same server) with one frame per src, recording what the frames post. */
async function hostWith(srcs) {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/`);
  const frames = srcs.map((src, i) => `<iframe id="f${i}" src="${shared.server.url}${src}" style="width:900px;height:600px"></iframe>`).join('');
  await page.setContent(`<script>window.__messages = []; addEventListener('message', (e) => window.__messages.push(e.data));</script>${frames}`);
  const send = (i, message) => page.evaluate(([i, m]) => document.getElementById(`f${i}`).contentWindow.postMessage(m, '*'), [i, message]);
  /** Waits for the first message of `type` posted after `since` messages, and returns it. */
  const received = async (type, since = 0) => {
    const handle = await page.waitForFunction(([t, n]) => window.__messages.slice(n).find((m) => m && m.type === t), [type, since]);
    return handle.jsonValue();
  };
  const count = () => page.evaluate(() => window.__messages.length);
  return { page, context, problems, send, received, count };
}

function isDark(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).map(Number);
  return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255 < 0.5;
}

test('theme=auto follows the host\'s colour scheme, and the host can set the theme', async () => {
  const host = await hostWith(['#/soft-delete?embed=1&theme=auto&panels=console']);
  const frame = host.page.frameLocator('#f0');
  await frame.getByTestId('sql-editor').waitFor();
  const background = () => frame.locator('body').evaluate((b) => getComputedStyle(b).backgroundColor);
  await host.page.emulateMedia({ colorScheme: 'dark' });
  assert.ok(isDark(await background()), `dark host: ${await background()}`);
  await host.page.emulateMedia({ colorScheme: 'light' });
  assert.ok(!isDark(await background()), `light host: ${await background()}`);
  // A host that switches themes with its own toggle says so.
  let since = await host.count();
  await host.send(0, { type: 'sqlpatterns:set-theme', theme: 'dark' });
  assert.deepEqual(await host.received('sqlpatterns:done', since), { type: 'sqlpatterns:done', slug: 'soft-delete', request: 'set-theme' });
  assert.ok(isDark(await background()), 'set-theme dark over a light system');
  await host.send(0, { type: 'sqlpatterns:set-theme', theme: 'auto' });
  await frame.locator('html:not([data-theme])').waitFor({ state: 'attached' });
  assert.ok(!isDark(await background()), 'auto follows the light system again');
  since = await host.count();
  await host.send(0, { type: 'sqlpatterns:set-theme', theme: 'pink' });
  const error = await host.received('sqlpatterns:error', since);
  assert.match(error.message, /light, dark or auto/);
  // Other tools' messages are ignored without a word.
  await host.send(0, { type: 'webpackOk' });
  await host.send(0, 'hello');
  assert.deepEqual(host.problems, []);
  await host.context.close();
});

test('run=click embeds start on a click or on the host\'s run; the host runs a step and reads the state', async () => {
  const host = await hostWith(['#/soft-delete?embed=1&run=click', '#/enum-field?embed=1&run=click']);
  const first = host.page.frameLocator('#f0');
  const second = host.page.frameLocator('#f1');
  await first.getByTestId('click-to-run').waitFor();
  await second.getByTestId('click-to-run').waitFor();
  assert.match(await first.getByTestId('click-to-run').textContent(), /Soft Delete/i);
  // Nothing of the page is built before the click: no console, no steps, no database.
  assert.equal(await first.getByTestId('sql-editor').count(), 0);
  assert.equal(await first.getByTestId('statement-log').count(), 0);
  let since = await host.count();
  await host.send(0, { type: 'sqlpatterns:run-step', step: 'anything' });
  assert.match((await host.received('sqlpatterns:error', since)).message, /has not started/);

  since = await host.count();
  await host.send(0, { type: 'sqlpatterns:run' });
  const ready = await host.received('sqlpatterns:ready', since);
  assert.equal(ready.slug, 'soft-delete');
  assert.ok(ready.steps.length >= 2, `steps: ${ready.steps}`);
  await first.getByTestId('sql-editor').waitFor();
  assert.equal(await second.getByTestId('sql-editor').count(), 0, 'the other embed still waits');

  since = await host.count();
  await host.send(0, { type: 'sqlpatterns:run-step', step: ready.steps[0] });
  assert.deepEqual(await host.received('sqlpatterns:done', since), { type: 'sqlpatterns:done', slug: 'soft-delete', request: 'run-step', step: ready.steps[0] });
  await first.getByTestId('step-outcome').waitFor();

  since = await host.count();
  await host.send(0, { type: 'sqlpatterns:run-step', step: 'no-such-step' });
  const error = await host.received('sqlpatterns:error', since);
  assert.match(error.message, /no step "no-such-step" on this page \(its steps: /);

  since = await host.count();
  await host.send(0, { type: 'sqlpatterns:get-state', id: 'q1' });
  const state = await host.received('sqlpatterns:state', since);
  assert.equal(state.id, 'q1');
  assert.ok(state.state.startsWith('1.'), `the step is in the state: ${state.state}`);
  assert.ok(state.url.includes(`#/soft-delete?s=${state.state}`), state.url);
  assert.doesNotMatch(state.url, /embed=1/);

  // A visitor's click starts the other one.
  await second.getByTestId('click-to-run-button').click();
  await second.getByTestId('sql-editor').waitFor();
  assert.deepEqual(host.problems, []);
  await host.context.close();
});
