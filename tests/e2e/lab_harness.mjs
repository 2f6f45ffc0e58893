// Helpers for the lab pages' browser tests: wait for the lab, run an action, set a knob,
// read metrics, tables and blocks by their stable hooks (data-block, data-metric,
// data-status, data-action, data-knob).

/** Waits until the lab has finished its current work (start, action, knob change). */
export async function settled(page) {
  await page.getByTestId('lab').waitFor();
  await page.waitForFunction(() => {
    const busy = document.querySelector('[data-testid=lab-busy]');
    const blocks = document.querySelector('[data-testid=lab-blocks]');
    return busy && busy.dataset.busy === '0' && blocks && blocks.children.length > 0;
  }, null, { timeout: 120_000 });
}

export async function act(page, id) {
  await page.locator(`[data-testid=lab-action][data-action="${id}"]`).click();
  // The click schedules the work (after a paint); the busy flag goes up, then down.
  await page.waitForTimeout(30);
  await settled(page);
}

export async function enabled(page, id) {
  return (await page.locator(`[data-testid=lab-action][data-action="${id}"]:not([disabled])`).count()) > 0;
}

export async function setKnob(page, id, value) {
  const input = page.locator(`[data-knob="${id}"] select, [data-knob="${id}"] input`);
  const kind = await input.evaluate((el) => (el.tagName === 'SELECT' ? 'select' : el.type));
  if (kind === 'select') await input.selectOption(String(value));
  else if (kind === 'checkbox') await input.setChecked(Boolean(value));
  else {
    await input.fill(String(value));
    await input.blur(); // a number input commits on change (blur or Enter)
  }
  await page.waitForTimeout(30);
  await settled(page);
}

export async function blockIds(page) {
  return page.locator('[data-testid=lab-blocks] > [data-block]').evaluateAll((els) => els.map((el) => el.dataset.block));
}

export async function metric(page, key, block) {
  const scope = block ? `[data-block="${block}"] ` : '';
  return (await page.locator(`${scope}[data-metric="${key}"] dd`).first().textContent()).trim();
}

export async function metricStatus(page, key) {
  return page.locator(`[data-metric="${key}"]`).first().getAttribute('data-status');
}

/** A table block as { columns, rows }, each cell { text, status, detail }. */
export async function table(page, id) {
  return page.locator(`[data-block="${id}"] table`).first().evaluate((t) => ({
    columns: [...t.querySelectorAll('thead th')].map((th) => th.textContent.trim()),
    rows: [...t.querySelectorAll('tbody tr')].map((tr) => [...tr.children].map((td) => {
      const detail = td.querySelector('.cell-detail');
      const text = detail ? td.textContent.slice(0, td.textContent.length - detail.textContent.length) : td.textContent;
      return { text: text.trim(), status: td.dataset.status, detail: detail ? detail.textContent.trim() : null };
    })),
  }));
}

/** The points of a chart block, by series name: [[x, y], ...] read from its numbers table. */
export async function chartPoints(page, id) {
  const rows = await page.locator(`[data-block="${id}"] .chart-data tbody tr`).evaluateAll((trs) =>
    trs.map((tr) => [...tr.children].map((td) => td.textContent.trim())));
  const num = (s) => Number(s.replace(/,/g, ''));
  const out = {};
  for (const [series, x, y] of rows) (out[series] ||= []).push([num(x), num(y)]);
  return out;
}

export async function outcomeText(page) {
  return (await page.locator('[data-block=outcome]').first().textContent()).trim();
}

/**
 * Waits for the lab, then goes on replaying a link's trail for as long as the page
 * stopped at its replay budget (it says so, with a button to go on).
 */
export async function replayedInFull(page) {
  await settled(page);
  for (let rounds = 0; rounds < 100; rounds++) {
    const more = page.getByTestId('replay-continue');
    if ((await more.count()) === 0) return rounds;
    await more.click();
    await page.waitForTimeout(30);
    await settled(page);
  }
  throw new Error('the replay never finished');
}
