// Migration stepper pages: the safe plan stays green, the shortcut breaks the running old
// version with the engine's own error, the lint fires on the unsafe step only, and a
// downgrade restores the schema and keeps the data.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage } from './harness.mjs';
import { settled, act, enabled, setKnob, metric, table } from './lab_harness.mjs';

const shared = sharedBrowser({ before, after });

const cells = (t) => t.rows.flatMap((row) => row.slice(1));
const row = (t, version) => t.rows.find((r) => r[0].text === version);

test('safe-column-rename: the expand-and-contract plan is all green, the one-step RENAME breaks v1', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/safe-column-rename`);
  await settled(page);
  let phases = 0;
  while (await enabled(page, 'next')) {
    await act(page, 'next');
    phases += 1;
    assert.ok(phases < 20, 'the plan ends');
  }
  assert.equal(phases, 7, 'seven phases after the start');
  const matrix = await table(page, 'matrix');
  assert.equal(matrix.columns.length, 1 + 8, JSON.stringify(matrix.columns));
  assert.ok(cells(matrix).some((c) => c.status === 'ok'));
  assert.deepEqual(cells(matrix).filter((c) => c.status === 'bad'), [], 'no red cell on the safe plan');
  assert.equal(await metric(page, 'lint-findings'), '0', 'the safe plan has no lint finding');
  // Stepping back (downgrade) restores the previous schema and keeps every row.
  const before = await page.locator('[data-block=data-after] h3').textContent();
  await act(page, 'back');
  const columns = (await table(page, 'data-after')).columns;
  assert.ok(columns.includes('name') && columns.includes('full_name'), JSON.stringify(columns));
  const after = await page.locator('[data-block=data-after] h3').textContent();
  const count = (t) => Number(t.match(/of (\d+)/)[1]);
  assert.ok(count(after) >= count(before), `${before} -> ${after}: nothing lost`);

  // The shortcut: RENAME in one step while v1 still runs.
  await setKnob(page, 'plan', 'unsafe');
  await act(page, 'reset');
  while (await enabled(page, 'next')) await act(page, 'next');
  const broken = await table(page, 'matrix');
  const v1 = row(broken, 'v1');
  const red = v1.slice(1).filter((c) => c.status === 'bad');
  assert.ok(red.length > 0, 'v1 is red after the rename');
  assert.match(red[0].detail, /name/, red[0].detail);
  assert.match(red[0].detail, /wrong column name: name|column "name"/, red[0].detail);
  assert.notEqual(await metric(page, 'lint-findings'), '0', 'the lint fires on the unsafe plan');
  assert.deepEqual(problems, []);
  await context.close();
});

// The lint fires on each unsafe plan's first step (with its rule id) and stays quiet on
// the safe plan's.
const UNSAFE = {
  'safe-column-addition': 'adding-not-nullable-field',
  'safe-column-removal': 'dropping-column-in-use',
  'concurrent-index': 'require-concurrent-index-creation',
  'data-migration': 'unbatched-backfill',
};

test('the lint fires on the unsafe steps and not on the safe plans', async () => {
  for (const [slug, rule] of Object.entries(UNSAFE)) {
    const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/${slug}`);
    await settled(page);
    await act(page, 'next');
    const safe = await table(page, 'lint');
    assert.deepEqual(safe.rows.map((r) => r[0].status), ['ok'], `${slug}: safe plan is quiet`);
    await setKnob(page, 'plan', 'unsafe');
    await act(page, 'next');
    const unsafe = await table(page, 'lint');
    assert.ok(unsafe.rows.some((r) => r[0].text === rule && r[0].status === 'warn'), `${slug}: ${JSON.stringify(unsafe.rows)}`);
    if (slug === 'concurrent-index') {
      assert.equal(await metric(page, 'writes-blocked'), '5', 'a plain CREATE INDEX blocks the writes');
      assert.ok(await page.locator('[data-block=lock-timeline] svg [data-kind=blocked]').count() > 0);
    }
    assert.deepEqual(problems, [], slug);
    await context.close();
  }
});
