// Query lab pages: eager-loading counts per strategy (really executed, in the page's log),
// and pagination at 100k rows (OFFSET's cost rising with depth, keyset's flat; the
// concurrent-insert run lists OFFSET's duplicates).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { sharedBrowser, openPage } from './harness.mjs';
import { settled, act, replayedInFull, setKnob, metric, table, chartPoints } from './lab_harness.mjs';

const shared = sharedBrowser({ before, after });

test('eager-loading, 10 users x 3 orders: 11 statements lazily, 1 joined, 2 selectin, 2 subquery', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/eager-loading`);
  await settled(page);
  const expected = { lazy: 11, joined: 1, selectin: 2, subquery: 2 };
  for (const [strategy, count] of Object.entries(expected)) {
    await setKnob(page, 'strategy', strategy);
    const logBefore = await page.getByTestId('statement-log').getByTestId('statement').count();
    await act(page, 'run');
    assert.equal(await metric(page, 'statements'), String(count), strategy);
    const listed = await page.locator('[data-block=statements] [data-testid=lab-statement]').count();
    assert.equal(listed, count, `${strategy}: every statement listed`);
    const logAfter = await page.getByTestId('statement-log').getByTestId('statement').count();
    assert.ok(logAfter - logBefore >= count, `${strategy}: the statements are in the page's log`);
    const hint = await page.locator('[data-block=hint]').count();
    assert.equal(hint > 0, strategy === 'lazy', `${strategy}: the N+1 hint only for lazy`);
  }
  await setKnob(page, 'strategy', 'raise');
  await act(page, 'run');
  assert.match(await page.getByTestId('lab-outcome-error').textContent(), /lazy='raise'/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('pagination at 100k rows: OFFSET grows with depth, keyset stays flat; OFFSET duplicates rows under inserts', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/pagination`);
  await settled(page);
  await setKnob(page, 'rows', 100000);
  await act(page, 'profile');
  const rows = await chartPoints(page, 'rows-vs-depth');
  const offset = rows['OFFSET / LIMIT'];
  const keyset = rows['keyset (index)'];
  assert.ok(offset && keyset, JSON.stringify(Object.keys(rows)));
  const at = (series, depth) => series.find(([x]) => x === depth)[1];
  assert.ok(at(offset, 99) > 50 * at(offset, 0), `OFFSET rows examined rise with depth: ${JSON.stringify(offset)}`);
  assert.ok(at(keyset, 99) <= 2 * at(keyset, 0) + 5, `keyset stays flat: ${JSON.stringify(keyset)}`);
  const time = await chartPoints(page, 'time-vs-depth');
  assert.equal(time['OFFSET / LIMIT'].length, offset.length, 'time is charted at the same depths');
  await act(page, 'concurrent');
  assert.notEqual(await metric(page, 'offset-duplicates'), '0');
  assert.equal(await metric(page, 'keyset-duplicates'), '0');
  const dups = await table(page, 'duplicates');
  assert.ok(dups.rows.some((r) => r.some((c) => c.status === 'bad')), 'the duplicated rows are listed');
  assert.deepEqual(problems, []);
  await context.close();
});

test('pagination: count(*) OVER () gives the COUNT’s total in the page query, reads every kept row, and replays from the link', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/pagination`);
  await settled(page);
  await act(page, 'jump-50');
  await act(page, 'count-over');
  const windowTotal = await metric(page, 'window-total');
  assert.equal(windowTotal.replace(/,/g, ''), (await metric(page, 'separate-total')).replace(/,/g, ''));
  const number = (t) => Number(t.replace(/,/g, ''));
  const [pageRows, countRows] = (await metric(page, 'separate-rows')).split(' + ').map(number);
  assert.ok(number(await metric(page, 'window-rows')) >= countRows, 'the window reads every row the WHERE keeps');
  assert.ok(pageRows < countRows, 'the page alone does not');
  const statements = await page.locator('[data-block=statements] [data-testid=lab-statement]').allTextContents();
  assert.ok(statements.some((s) => s.includes('count(*) OVER () AS total')), JSON.stringify(statements));
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  await page.waitForTimeout(500);
  const link = await page.getByTestId('permalink').getAttribute('href');
  const fresh = await openPage(shared.browser, link);
  await replayedInFull(fresh.page);
  assert.equal(await metric(fresh.page, 'window-total'), windowTotal, 'replayed from the link');
  assert.deepEqual(fresh.problems, []);
  await fresh.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('batch operations: an upsert in one INSERT ... ON CONFLICT vs SELECT then INSERT or UPDATE per row', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/batch-operations`);
  await settled(page);
  await act(page, 'upsert-select-then-write');
  assert.equal(await metric(page, 'statements'), '200');
  assert.equal(await metric(page, 'rows'), '100');
  await act(page, 'upsert-on-conflict');
  assert.equal(await metric(page, 'statements'), '1');
  assert.equal(await metric(page, 'rows'), '100');
  const code = await page.locator('[data-block=query]').textContent();
  assert.match(code, /on_conflict_do_update/);
  const statements = await page.locator('[data-block=statements] [data-testid=lab-statement]').allTextContents();
  assert.ok(statements.some((s) => /ON CONFLICT \(email\) DO UPDATE SET display_name = EXCLUDED\.display_name/.test(s)), JSON.stringify(statements));
  const results = await table(page, 'results');
  assert.deepEqual(results.rows.map((r) => r[0].text), ['upsert: SELECT, then INSERT or UPDATE', 'upsert: INSERT ... ON CONFLICT']);
  assert.match(await page.getByTestId('lab').textContent(), /INSERT \.\.\. ON CONFLICT is emulated by our dialect layer/);
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  await page.waitForTimeout(500);
  const link = await page.getByTestId('permalink').getAttribute('href');
  const fresh = await openPage(shared.browser, link);
  await replayedInFull(fresh.page);
  assert.deepEqual((await table(fresh.page, 'results')).rows.map((r) => r[0].text), results.rows.map((r) => r[0].text), 'replayed from the link');
  assert.deepEqual(fresh.problems, []);
  await fresh.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

// A permalink is `1.` + base64url(raw DEFLATE(JSON of the page state)) (crates/core/src/share).
function stateLink(state) {
  return `1.${deflateRawSync(Buffer.from(JSON.stringify(state))).toString('base64url')}`;
}

/** The action trail the page's permalink carries now. */
async function linkedSteps(page) {
  const href = await page.getByTestId('permalink').getAttribute('href');
  const state = JSON.parse(inflateRawSync(Buffer.from(href.split('s=1.')[1].split('&')[0], 'base64url')).toString());
  return state.k.steps.split(',');
}

test('a short link of 30 "Profile by depth" actions replays within its budget, says so, and goes on on request', async () => {
  const s = stateLink({ k: { steps: Array(30).fill('profile').join(',') } });
  assert.ok(s.length <= 60, `${s.length} characters: ${s}`);
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/pagination?s=${s}`);
  await settled(page);
  const notice = page.getByTestId('replay-stopped');
  await notice.waitFor();
  const replayed = async () => Number((await notice.textContent()).match(/Replayed (\d+) of 30 actions from this link/)[1]);
  const first = await replayed();
  assert.ok(first >= 1 && first < 30, await notice.textContent());
  assert.match(await notice.textContent(), /replay budget|at most 50/);
  assert.ok((await chartPoints(page, 'time-vs-depth'))['OFFSET / LIMIT'].length > 0, 'what was replayed shows');
  // The link is kept whole while the page waits: sharing it now shares all 30.
  await page.waitForTimeout(500);
  assert.equal((await linkedSteps(page)).length, 30);
  await page.getByTestId('replay-continue').click();
  await page.waitForTimeout(30);
  await settled(page);
  const visible = await notice.count();
  const second = visible ? await replayed() : 30;
  assert.ok(second > first, `${first} then ${second}`);
  // A new action instead of going on: the trail is what ran, then it; the notice goes.
  if (visible) {
    await act(page, 'profile');
    assert.equal(await notice.count(), 0);
    await page.waitForTimeout(500);
    assert.equal((await linkedSteps(page)).length, second + 1);
  }
  assert.deepEqual(problems, []);
  await context.close();
});

test('knob values a link carries out of range are shown as the lab uses them, with a line saying so', async () => {
  const s = stateLink({ k: { rows: '-5', plan: 'teleport' } });
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/concurrent-index?s=${s}`);
  await settled(page);
  const notice = page.getByTestId('knob-notice');
  await notice.waitFor();
  assert.match(await notice.textContent(), /Orders: -5 is out of range, so 1000 is used/);
  assert.match(await notice.textContent(), /Plan: "teleport" is not a valid value, so the default safe is used/);
  assert.equal(await page.locator('[data-knob=rows] input').inputValue(), '1000');
  assert.equal(await page.locator('[data-knob=plan] select').inputValue(), 'safe');
  assert.deepEqual(problems, []);
  await context.close();
});
