// Live pattern pages: each step runs real statements, says what happened, shows the
// failure the pattern prevents with the real message, and replays from a permalink.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage } from './harness.mjs';

const shared = sharedBrowser({ before, after });

// The failures the issue names, by page: one of the steps must show this message.
const FAILURES = {
  'soft-delete': /duplicate key value violates unique constraint/,
  'enum-field': /new row for relation "orders" violates check constraint "valid_order_status"/,
  'many-to-many': /duplicate key value violates unique constraint/,
  'association-object': /violates foreign key constraint/,
};
const LIVE_CANDIDATES = [
  'base-model', 'soft-delete', 'audit-trail', 'enum-field',
  'one-to-many-cascade', 'many-to-many', 'association-object', 'self-referential',
];

async function liveTables(page) {
  return page.getByTestId('live-table').evaluateAll((els) =>
    els.map((el) => [el.dataset.table, [...el.querySelectorAll('tbody tr')].map((tr) => tr.textContent)]),
  );
}


/**
 * Goes on replaying a link's trail while the page stopped at its replay budget (it says
 * so, with a button to go on): under a loaded machine a long step (the walk round a
 * cycle) can use up the budget before the last steps.
 */
async function replayAll(page) {
  await page.waitForTimeout(300);
  for (let rounds = 0; rounds < 100; rounds++) {
    const more = page.getByTestId('replay-continue');
    if ((await more.count()) === 0) return;
    await more.click();
    await page.waitForTimeout(300);
  }
  throw new Error('the replay never finished');
}

test('every live page runs its steps, explains them, and shows the failures it prevents', async () => {
  let live = 0;
  for (const slug of LIVE_CANDIDATES) {
    const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/${slug}`);
    await page.getByTestId('sql-editor').waitFor();
    if ((await page.getByTestId('step').count()) === 0) {
      assert.equal(await page.getByTestId('not-live').count(), 1, `${slug}: not live, and says so`);
      await context.close();
      continue;
    }
    live += 1;
    assert.equal(await page.getByTestId('not-live').count(), 0, `${slug}: no "not live" banner`);
    await page.getByTestId('live-table').first().waitFor();
    const steps = await page.getByTestId('step').evaluateAll((els) => els.map((el) => el.dataset.step));
    const errors = [];
    for (const id of steps) {
      const logBefore = await page.getByTestId('statement-log').getByTestId('statement').count();
      await page.locator(`[data-testid=step][data-step="${id}"]`).click();
      const outcome = page.getByTestId('step-outcome');
      await outcome.waitFor();
      assert.ok((await outcome.textContent()).length > 20, `${slug}/${id}: explains what happened`);
      if (await page.getByTestId('step-error').count()) errors.push(await page.getByTestId('step-error').textContent());
      const logAfter = await page.getByTestId('statement-log').getByTestId('statement').count();
      assert.ok(logAfter > logBefore, `${slug}/${id}: its statements are in the log`);
    }
    if (FAILURES[slug]) {
      assert.ok(errors.some((e) => FAILURES[slug].test(e)), `${slug}: ${FAILURES[slug]} in ${JSON.stringify(errors)}`);
    }
    // The state is in the link: a fresh profile replays the steps to the same tables.
    await page.waitForFunction(() => location.hash.includes('s=1.'));
    await page.waitForTimeout(500);
    const tables = await liveTables(page);
    const link = await page.getByTestId('permalink').getAttribute('href');
    const fresh = await openPage(shared.browser, link);
    await fresh.page.getByTestId('live-table').first().waitFor();
    await fresh.page.getByTestId('step-trail').waitFor();
    await replayAll(fresh.page);
    assert.deepEqual(await liveTables(fresh.page), tables, `${slug}: replayed from the link`);
    assert.deepEqual(fresh.problems, [], slug);
    await fresh.context.close();
    assert.deepEqual(problems, [], slug);
    await context.close();
  }
  assert.ok(live >= 1, 'at least one live page');
});

test('a cascade shows in the statement log, and the live tables follow any new database', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/one-to-many-cascade`);
  await page.getByTestId('step').first().waitFor();
  await page.locator('[data-testid=step][data-step=passive-deletes]').click();
  await page.getByTestId('step-outcome').waitFor();
  const actions = await page.getByTestId('statement-log').getByTestId('constraint-action').allTextContents();
  assert.ok(actions.some((a) => /ON DELETE CASCADE on orders_user_id_fkey: \d+ rows? of orders deleted/.test(a)), JSON.stringify(actions));
  // The loader seeds its own database: the live tables show it, not the demo's.
  await page.locator('[data-testid=load-strategy][data-strategy=selectin]').click();
  await page.getByTestId('load-summary').waitFor();
  const users = page.locator('[data-testid=live-table][data-table=users] tbody tr');
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=live-table][data-table=users] tbody tr').length === 10);
  assert.match(await users.first().textContent(), /user\d@example\.com/);
  // The next step restarts the demo on the models first, then runs.
  await page.locator('[data-testid=step][data-step=orm-cascade]').click();
  await page.waitForFunction(() => ![...document.querySelectorAll('[data-testid=live-table][data-table=users] tbody tr')].some((tr) => /user\d@example/.test(tr.textContent)));
  assert.equal(await page.getByTestId('step-error').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('self-referential: one WITH RECURSIVE walks the tree, a cycle stops at its round budget, and the link replays both', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/self-referential`);
  await page.getByTestId('step').first().waitFor();
  const run = async (p, id) => {
    const before = await p.getByTestId('statement-log').getByTestId('statement').count();
    await p.locator(`[data-testid=step][data-step="${id}"]`).click();
    await p.waitForFunction((n) => document.querySelectorAll('[data-testid=statement-log] [data-testid=statement]').length > n, before);
    return (await p.getByTestId('step-outcome').textContent()).replace(/\s+/g, ' ');
  };
  const walked = await run(page, 'walk-recursive');
  assert.match(walked, /1 statement walked all 7 categories, 3 levels deep: Devices; Devices > Audio; Devices > Audio > Headphones/);
  const log = await page.getByTestId('statement-log').getByTestId('statement').allTextContents();
  assert.ok(log.some((s) => s.includes('WITH RECURSIVE tree')), JSON.stringify(log));
  const cycle = await run(page, 'cycle');
  assert.match(cycle, /devices now hangs under headphones/);
  assert.match(cycle, /WHERE w\.depth < 10 the walk stops after 19 rows/);
  assert.match(cycle, /WITH RECURSIVE walk ran past the playground's budget of 100 rounds/);
  assert.equal(await page.getByTestId('step-error').count(), 0);
  // The page still works after the stopped walk.
  await run(page, 'move-subtree');
  assert.equal(await page.getByTestId('step-error').count(), 0);
  await page.waitForFunction(() => location.hash.includes('s=1.'));
  await page.waitForTimeout(500);
  const tables = await liveTables(page);
  const link = await page.getByTestId('permalink').getAttribute('href');
  const fresh = await openPage(shared.browser, link);
  await fresh.page.getByTestId('step-trail').waitFor();
  await fresh.page.getByTestId('live-table').first().waitFor();
  await replayAll(fresh.page);
  assert.deepEqual(await liveTables(fresh.page), tables, 'replayed from the link');
  const trail = (await fresh.page.getByTestId('step-trail').textContent()).replace(/\s+/g, ' ');
  assert.match(trail, /Walk the tree in one WITH RECURSIVE query/);
  assert.match(trail, /Make a cycle/);
  assert.deepEqual(fresh.problems, []);
  await fresh.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('many-to-many: the steps go through the ORM, and the association table shows each link and its removal', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/many-to-many`);
  await page.getByTestId('live-table').first().waitFor();
  const links = async () =>
    page.locator('[data-testid=live-table][data-table=product_categories] tbody tr').allTextContents();
  assert.equal((await links()).length, 4);
  const step = async (id) => {
    const before = await page.getByTestId('statement-log').getByTestId('statement').count();
    await page.locator(`[data-testid=step][data-step="${id}"]`).click();
    await page.getByTestId('step-outcome').waitFor();
    await page.waitForFunction(
      (n) => document.querySelectorAll('[data-testid=statement-log] [data-testid=statement]').length > n,
      before,
    );
    return page.getByTestId('statement-log').textContent();
  };
  // tablet.categories.append(audio): one INSERT of the pair, as SQLAlchemy sends it.
  let log = await step('link');
  assert.match(log, /INSERT INTO product_categories \(product_id, category_id\) VALUES \('tablet', 'audio'\)/);
  assert.ok((await links()).some((row) => row.includes('tablet') && row.includes('audio')));
  assert.equal((await links()).length, 5);
  // session.delete(speaker): SQLAlchemy deletes the speaker's association rows itself,
  // before the product.
  log = await step('delete-product');
  assert.match(log, /DELETE FROM product_categories WHERE product_categories\.product_id = 'speaker'/);
  assert.ok(log.lastIndexOf('DELETE FROM product_categories') < log.lastIndexOf('DELETE FROM products'));
  assert.match(await page.getByTestId('step-outcome').textContent(), /deleted its 1 association row\(s\) itself/);
  assert.ok(!(await links()).some((row) => row.includes('speaker')));
  assert.deepEqual(problems, []);
  await context.close();
});
