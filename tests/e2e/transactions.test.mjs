// Transaction pages: the savepoint keeps the user and drops only the risky rows; without
// it the whole transaction is lost; a read-only report refuses writes, and without one
// snapshot transaction its totals do not add up.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage } from './harness.mjs';
import { settled, act, setKnob, metric, metricStatus } from './lab_harness.mjs';

const shared = sharedBrowser({ before, after });

test('savepoints: the outer commit keeps the user and drops only the risky rows', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/savepoints`);
  await settled(page);
  const usersBefore = Number(await metric(page, 'users'));
  await act(page, 'run');
  assert.equal(Number(await metric(page, 'users')), usersBefore + 1, 'the user is committed');
  assert.equal(await metric(page, 'imported-orders'), '0', 'the risky rows are rolled back');
  assert.equal(await metric(page, 'operation-failures'), '1', 'log_failure() is committed');
  const log = await page.getByTestId('statement-log').textContent();
  assert.match(log, /SAVEPOINT sa_savepoint_1/);
  assert.match(log, /ROLLBACK TO SAVEPOINT sa_savepoint_1/);
  // Without the savepoint the whole transaction is lost.
  await setKnob(page, 'savepoint', false);
  await act(page, 'run');
  assert.equal(Number(await metric(page, 'users')), usersBefore, 'the user is lost too');
  assert.deepEqual(problems, []);
  await context.close();
});

test('read-only-transactions: the write is refused, and without the transaction the totals disagree', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/read-only-transactions`);
  await settled(page);
  await act(page, 'begin');
  await act(page, 'write');
  assert.match(await page.locator('[data-block=trail]').textContent(), /read-only transaction/);
  await act(page, 'run');
  assert.equal(await metricStatus(page, 'consistent'), 'ok', 'one snapshot: the totals agree');
  await setKnob(page, 'transaction', false);
  await act(page, 'run');
  assert.equal(await metricStatus(page, 'consistent'), 'bad', 'no snapshot: the totals do not add up');
  assert.notEqual(await metric(page, 'listed-orders'), await metric(page, 'metrics-orders'));
  assert.deepEqual(problems, []);
  await context.close();
});

test('pool-configuration: the reference settings hit TimeoutError, and the same seed gives the same timeline', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/pool-configuration`);
  await settled(page);
  assert.match(await page.locator('[data-block=simulation]').textContent(), /[Ss]imulat/);
  await act(page, 'run');
  assert.ok(Number((await metric(page, 'timeouts')).replace(/,/g, '')) > 0, 'TimeoutError requests');
  assert.match(
    await page.locator('[data-block=timeouts]').textContent(),
    /QueuePool limit of size 20 overflow 10 reached, connection timed out, timeout 30\.00/,
  );
  const timeline = async (p) => p.locator('[data-block=connections] svg').innerHTML();
  const first = await timeline(page);
  assert.ok(first.includes('data-kind="in-use"'));
  // The same seed, run again and opened from the permalink elsewhere: the same timeline.
  await page.getByTestId('lab-reset').click();
  await page.waitForTimeout(30);
  await settled(page);
  await act(page, 'run');
  assert.equal(await timeline(page), first, 'rerun: same timeline');
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  await page.waitForTimeout(500);
  const link = await page.getByTestId('permalink').getAttribute('href');
  const fresh = await openPage(shared.browser, link);
  await settled(fresh.page);
  await fresh.page.locator('[data-block=connections] svg').waitFor();
  assert.equal(await timeline(fresh.page), first, 'from the link: same timeline');
  await fresh.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});
