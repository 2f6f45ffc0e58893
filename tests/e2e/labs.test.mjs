// Lab pages (migration stepper, query lab, pool and transactions): each starts on the real
// engine, every action it offers runs without an error of the lab itself, the statements
// reach the page's log, and the state (knobs and actions) is in the permalink.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage } from './harness.mjs';
import { settled, act, blockIds, replayedInFull } from './lab_harness.mjs';

const shared = sharedBrowser({ before, after });

const LAB_SLUGS = [
  'safe-column-addition', 'safe-column-removal', 'safe-column-rename', 'concurrent-index',
  'data-migration', 'eager-loading', 'select-columns', 'batch-operations', 'query-caching',
  'pagination', 'composite-index', 'partial-index', 'expression-index',
  'pool-configuration', 'session-context', 'savepoints', 'read-only-transactions',
];

test('every lab page starts, runs each of its actions, and replays from its permalink', async () => {
  let labs = 0;
  for (const slug of LAB_SLUGS) {
    const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/${slug}`);
    await page.getByTestId('sql-editor').waitFor();
    if ((await page.getByTestId('lab').count()) === 0) {
      assert.equal(await page.getByTestId('not-live').count(), 1, `${slug}: not live, and says so`);
      await context.close();
      continue;
    }
    labs += 1;
    assert.equal(await page.getByTestId('not-live').count(), 0, `${slug}: no "not live" banner`);
    await settled(page);
    assert.equal(await page.getByTestId('lab-error').count(), 0, `${slug}: starts cleanly`);
    const actions = await page.locator('[data-testid=lab-action]:not([disabled])').evaluateAll((els) => els.map((el) => el.dataset.action));
    assert.ok(actions.length > 0, `${slug}: offers actions`);
    for (const id of actions) {
      if ((await page.locator(`[data-testid=lab-action][data-action="${id}"]:not([disabled])`).count()) === 0) continue;
      await act(page, id);
      const err = page.getByTestId('lab-error');
      assert.equal(await err.count(), 0, `${slug}/${id}: ${await err.count() ? await err.textContent() : ''}`);
    }
    // The knobs and the actions are in the link: a fresh profile rebuilds the same view.
    await page.waitForFunction(() => location.hash.includes('s=1.'));
    await page.waitForTimeout(500);
    const ids = await blockIds(page);
    const link = await page.getByTestId('permalink').getAttribute('href');
    const fresh = await openPage(shared.browser, link);
    // A trail of heavy actions replays within the replay budget, then on request.
    await replayedInFull(fresh.page);
    assert.deepEqual(await blockIds(fresh.page), ids, `${slug}: replayed from the link`);
    assert.equal(await fresh.page.getByTestId('lab-error').count(), 0, `${slug}: replays cleanly`);
    assert.deepEqual(fresh.problems, [], slug);
    await fresh.context.close();
    assert.deepEqual(problems, [], slug);
    await context.close();
  }
  assert.ok(labs >= 1, 'at least one lab page');
});
