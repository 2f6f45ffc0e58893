// The model editor: SQLAlchemy models in, DDL, diagram and live tables out; diagnostics
// at their line; edited models and the selected view carried by permalinks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sharedBrowser, openPage, paste } from './harness.mjs';

const shared = sharedBrowser({ before, after });

const modelEditor = (page) => page.getByTestId('model-editor');

const setModels = (page, text) => paste(modelEditor(page), text);

test('the model pages open with their models, diagram and DDL', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/one-to-many-cascade`);
  await modelEditor(page).waitFor();
  assert.match(await modelEditor(page).inputValue(), /class User\(BaseModel\)/);
  assert.match(await page.getByTestId('model-status').textContent(), /2 tables · no errors/);
  const svg = page.getByTestId('diagram').locator('svg');
  await svg.waitFor();
  assert.match(await svg.textContent(), /users/);
  assert.match(await svg.textContent(), /orders/);
  await page.getByRole('tab', { name: 'DDL' }).click();
  const ddl = await page.getByTestId('ddl').textContent();
  assert.match(ddl, /CREATE TABLE users \(/);
  assert.match(ddl, /FOREIGN KEY\(user_id\) REFERENCES users \(id\) ON DELETE CASCADE/);
  assert.ok(ddl.indexOf('CREATE TABLE users') < ddl.indexOf('CREATE TABLE orders'), 'parents first');
  assert.deepEqual(problems, []);
  await context.close();
});

test('a syntax error mid-class is shown at its line and the last good diagram stays', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete`);
  await modelEditor(page).waitFor();
  await page.getByTestId('diagram').locator('svg').waitFor();
  const good = await modelEditor(page).inputValue();
  const lines = good.split('\n');
  const at = lines.findIndex((l) => l.includes('email: Mapped[str]'));
  assert.ok(at > 0);
  lines[at] = '    email: Mapped[str] = mapped_column(String(255), unique=True';
  lines.splice(at + 1, 0, '    nickname: Mapped[str] = mapped_column(String(50)');
  await setModels(page, lines.join('\n'));
  await page.getByTestId('stale-diagram').waitFor();
  const diagnostics = await page.getByTestId('diagnostics').locator('li').allTextContents();
  assert.ok(diagnostics.length >= 1);
  assert.ok(
    diagnostics.some((d) => d.includes(`line ${at + 1},`) || d.includes(`line ${at + 2},`)),
    `diagnostic near line ${at + 1}: ${diagnostics}`,
  );
  assert.ok(await page.locator('.editor-gutter .error-marker').count() >= 1);
  assert.match(await page.getByTestId('diagram').locator('svg').textContent(), /users/);
  // Fixing it clears the diagnostics and the stale notice.
  await setModels(page, good);
  await page.getByTestId('stale-diagram').waitFor({ state: 'detached' });
  assert.equal(await page.getByTestId('diagnostics').locator('li.diag-error').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('edited models and the selected view travel in the permalink', async () => {
  const maker = await openPage(shared.browser, `${shared.server.url}#/enum-field`);
  await modelEditor(maker.page).waitFor();
  const edited = (await modelEditor(maker.page).inputValue()).replace(
    "    __tablename__ = 'orders'",
    "    __tablename__ = 'orders'\n\n    note: Mapped[str | None] = mapped_column(String(200))",
  );
  await setModels(maker.page, edited);
  await maker.page.getByRole('tab', { name: 'DDL' }).click();
  await maker.page.waitForFunction(() => location.hash.includes('s=1.'));
  await maker.page.waitForTimeout(500);
  const link = await maker.page.getByTestId('permalink').getAttribute('href');
  assert.ok(link.length < 2000, `link is ${link.length} chars`);
  await maker.context.close();

  const { page, context, problems } = await openPage(shared.browser, link);
  await modelEditor(page).waitFor();
  assert.equal(await modelEditor(page).inputValue(), edited);
  assert.equal(await page.getByRole('tab', { name: 'DDL' }).getAttribute('aria-selected'), 'true');
  assert.match(await page.getByTestId('ddl').textContent(), /note VARCHAR\(200\)/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the console runs on the database the models define', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/many-to-many`);
  await modelEditor(page).waitFor();
  await page.getByRole('tab', { name: 'Tables' }).click();
  const tables = await page.getByTestId('live-tables').locator('tbody td:first-child').allTextContents();
  assert.deepEqual(tables.sort(), ['categories', 'product_categories', 'products']);
  await paste(page.getByTestId('sql-editor'), "INSERT INTO categories (id) VALUES ('books');\nSELECT id FROM categories WHERE id = 'books';");
  await page.getByTestId('run-sql').click();
  await page.getByTestId('result-table').waitFor();
  assert.deepEqual(await page.getByTestId('result-table').locator('tbody td').allTextContents(), ['books']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('loading 10 users with 3 orders each: 11 statements lazily, 1 joined, 2 selectin, 2 subquery', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/one-to-many-cascade`);
  await page.getByTestId('load-strategy').first().waitFor();
  const expected = { select: ['lazyload', 11], joined: ['joinedload', 1], selectin: ['selectinload', 2], subquery: ['subqueryload', 2] };
  for (const [strategy, [option, count]] of Object.entries(expected)) {
    await page.locator(`[data-testid=load-strategy][data-strategy=${strategy}]`).click();
    const summary = page.getByTestId('load-summary');
    await page.waitForFunction(
      (o) => document.querySelector('[data-testid=load-summary]')?.textContent.startsWith(`${o}(User.orders)`),
      option,
    );
    assert.equal(await summary.getAttribute('data-count'), String(count), strategy);
    assert.match(await summary.textContent(), /10 users · 30 orders/);
    assert.equal(await page.getByTestId('orm-statement').count(), count, strategy);
  }
  // The statements are SQLAlchemy's: the last run (subquery) reads through anon_1.
  assert.match(await page.getByTestId('orm-statements').textContent(), /anon_1/);
  // Every one of them ran on the engine: the statement log has the seed and the load.
  const logged = await page.getByTestId('statement-log').getByTestId('statement').allTextContents();
  assert.ok(logged.filter((t) => /orders\.user_id/.test(t)).length >= 1, 'loads are in the statement log');
  assert.ok(logged.some((t) => /INSERT INTO users/.test(t)), 'the seed is in the statement log');
  // The lazy run names the N+1.
  await page.locator('[data-testid=load-strategy][data-strategy=select]').click();
  await page.getByTestId('n-plus-one').waitFor();
  // raise: SQLAlchemy's error instead of loading.
  await page.locator('[data-testid=load-strategy][data-strategy=raise]').click();
  await page.getByTestId('load-error').waitFor();
  assert.match(await page.getByTestId('load-error').textContent(), /'User.orders' is not available due to lazy='raise'/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('the loader knobs and strategy travel in the permalink', async () => {
  const maker = await openPage(shared.browser, `${shared.server.url}#/one-to-many-cascade`);
  await maker.page.getByTestId('load-strategy').first().waitFor();
  await maker.page.getByLabel('Users', { exact: true }).fill('4');
  await maker.page.getByLabel('Users', { exact: true }).dispatchEvent('change');
  await maker.page.locator('[data-testid=load-strategy][data-strategy=selectin]').click();
  await maker.page.waitForFunction(() => location.hash.includes('s=1.'));
  await maker.page.waitForTimeout(500);
  const link = await maker.page.getByTestId('permalink').getAttribute('href');
  await maker.context.close();
  const { page, context, problems } = await openPage(shared.browser, link);
  await page.getByTestId('load-summary').waitFor();
  assert.equal(await page.getByLabel('Users', { exact: true }).inputValue(), '4');
  assert.match(await page.getByTestId('load-summary').textContent(), /selectinload\(User.orders\): 2 statements · 4 users · 12 orders/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('changing the models rebuilds the database and says what could not be kept', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/many-to-many`);
  await modelEditor(page).waitFor();
  await paste(page.getByTestId('sql-editor'), "INSERT INTO categories (id) VALUES ('from-the-console');");
  await page.getByTestId('run-sql').click();
  await page.locator('.stmt-result').first().waitFor();
  const edited = (await modelEditor(page).inputValue()).replace(
    "    __tablename__ = 'categories'",
    "    __tablename__ = 'categories'\n\n    label: Mapped[str | None] = mapped_column(String(50))",
  );
  await setModels(page, edited);
  await page.getByTestId('rebuild-note').waitFor();
  assert.match(await page.getByTestId('rebuild-note').textContent(), /not kept/);
  await paste(page.getByTestId('sql-editor'), "SELECT COUNT(*) AS n FROM categories WHERE id = 'from-the-console';");
  await page.getByTestId('run-sql').click();
  await page.getByTestId('result-table').waitFor();
  assert.deepEqual(await page.getByTestId('result-table').locator('tbody td').allTextContents(), ['0']);
  assert.deepEqual(problems, []);
  await context.close();
});

test('soft delete with a partial unique index: WHERE in the DDL and the diagram, and the database enforces it only on live rows', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete`);
  await modelEditor(page).waitFor();
  await page.getByTestId('diagram').locator('svg').waitFor();
  const original = await modelEditor(page).inputValue();
  assert.match(original, /email: Mapped\[str\] = mapped_column\(String\(255\), unique=True\)/);
  // The learner's fix: the table-wide UNIQUE becomes a partial unique index on live rows.
  const fixed = original
    .replace('from sqlalchemy import DateTime, String, select', 'from sqlalchemy import DateTime, Index, String, select, text')
    .replace(
      '    email: Mapped[str] = mapped_column(String(255), unique=True)',
      [
        '    email: Mapped[str] = mapped_column(String(255))',
        '',
        '    __table_args__ = (',
        "        Index('uq_users_email_active', 'email', unique=True, postgresql_where=text('deleted_at IS NULL')),",
        '    )',
      ].join('\n'),
    );
  assert.notEqual(fixed, original);
  await setModels(page, fixed);
  await page.waitForFunction(() => document.querySelector('[data-testid=diagram] svg')?.textContent.includes('WHERE deleted_at IS NULL'));
  const svg = page.getByTestId('diagram').locator('svg');
  assert.match(await svg.locator('[data-index=uq_users_email_active]').textContent(), /UQ\s*\(email\) WHERE deleted_at IS NULL/);
  assert.equal(await page.getByTestId('diagnostics').locator('li.diag-error').count(), 0);
  await page.getByRole('tab', { name: 'DDL' }).click();
  const ddl = await page.getByTestId('ddl').textContent();
  assert.match(ddl, /CREATE UNIQUE INDEX uq_users_email_active ON users \(email\) WHERE deleted_at IS NULL;/);
  assert.doesNotMatch(ddl, /UNIQUE \(email\)/);

  // The page's database follows the models: re-registering a soft-deleted email works,
  // a second live row with the same email fails with PostgreSQL's error.
  await paste(
    page.getByTestId('sql-editor'),
    [
      "INSERT INTO users (id, email) VALUES ('u1', 'zoe@example.com');",
      "UPDATE users SET deleted_at = now() WHERE id = 'u1';",
      "INSERT INTO users (id, email) VALUES ('u2', 'zoe@example.com');",
      "SELECT id, deleted_at IS NULL AS live FROM users WHERE email = 'zoe@example.com' ORDER BY id;",
    ].join('\n'),
  );
  await page.getByTestId('run-sql').click();
  await page.locator('[data-testid=result-table], [data-testid=error]').first().waitFor();
  assert.equal(await page.getByTestId('error').count(), 0, `${await page.getByTestId('error').allTextContents()}`);
  assert.deepEqual(await page.getByTestId('result-table').locator('tbody td').allTextContents(), ['u1', 'f', 'u2', 't']);
  await paste(page.getByTestId('sql-editor'), "INSERT INTO users (id, email) VALUES ('u3', 'zoe@example.com');");
  await page.getByTestId('run-sql').click();
  await page.getByTestId('error').waitFor();
  const error = await page.getByTestId('error').textContent();
  assert.match(error, /duplicate key value violates unique constraint "uq_users_email_active"/);
  assert.match(error, /Key \(email\)=\(zoe@example\.com\) already exists/);
  assert.deepEqual(problems, []);
  await context.close();
});

// The Migration tab: the edit as Alembic's revision and SQL, the lint, and the stepper.
const migrationTab = async (page) => {
  await page.getByRole('tab', { name: 'Migration' }).click();
  await page.getByTestId('migration-tab').waitFor();
};

const matrixCells = (page) =>
  page.getByTestId('migration-blocks').locator('[data-block=matrix] tbody td[data-status]').evaluateAll((tds) =>
    tds.map((td) => td.getAttribute('data-status')),
  );

test('soft-delete: a NOT NULL column without default gets Alembic’s migration, the lint, and a safe phased plan', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete`);
  await modelEditor(page).waitFor();
  const original = await modelEditor(page).inputValue();
  const edited = original.replace(
    '    email: Mapped[str] = mapped_column(String(255), unique=True)',
    '    email: Mapped[str] = mapped_column(String(255), unique=True)\n    display_name: Mapped[str] = mapped_column(String(100))',
  );
  assert.notEqual(edited, original);
  await setModels(page, edited);
  await migrationTab(page);
  await page.waitForFunction(() => document.querySelector('[data-testid=migration-revision]')?.textContent.includes('display_name'));
  const revision = await page.getByTestId('migration-revision').textContent();
  assert.match(revision, /op\.add_column\('users', sa\.Column\('display_name', sa\.String\(length=100\), nullable=False\)\)/);
  assert.match(revision, /op\.drop_column\('users', 'display_name'\)/);
  assert.equal(
    (await page.getByTestId('migration-sql').textContent()).trim(),
    'ALTER TABLE users ADD COLUMN display_name VARCHAR(100) NOT NULL;',
  );
  assert.equal(await page.getByTestId('migration-lint').locator('li[data-rule=adding-not-nullable-field]').count(), 1);

  // The revision in one step: it fails on the filled table, and v2 then breaks.
  await page.getByTestId('one-step').click();
  await page.getByTestId('migration-stepper').waitFor();
  await page.locator('[data-testid=stepper-action][data-action=next]').click();
  await page.locator('[data-testid=stepper-action][data-action=next]').click();
  const oneStep = await page.getByTestId('migration-blocks').locator('[data-block=matrix]').textContent();
  assert.match(oneStep, /contains null values/);
  assert.ok((await matrixCells(page)).includes('bad'));

  // Make it safe: every phase, every cell green (or idle where a version is not running).
  await page.getByTestId('make-it-safe').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=migration-stepper]')?.dataset.plan === 'safe');
  for (;;) {
    const next = page.locator('[data-testid=stepper-action][data-action=next]');
    if ((await next.count()) === 0 || !(await next.isEnabled())) break;
    await next.click();
  }
  const cells = await matrixCells(page);
  assert.ok(cells.length >= 12, `matrix cells: ${cells}`);
  assert.ok(cells.every((s) => s === 'ok' || s === 'idle' || s === 'plain'), `all green: ${cells}`);
  assert.match(await page.getByTestId('migration-blocks').textContent(), /SET NOT NULL/);

  // The tab, the plan and the steps are in the link: it reopens where it was.
  await page.waitForTimeout(500);
  const link = await page.getByTestId('permalink').getAttribute('href');
  const again = await openPage(shared.browser, link);
  await again.page.getByTestId('migration-stepper').waitFor();
  assert.equal(await again.page.getByTestId('migration-stepper').getAttribute('data-plan'), 'safe');
  assert.deepEqual(await matrixCells(again.page), cells);
  assert.deepEqual(again.problems, []);
  await again.context.close();
  assert.deepEqual(problems, []);
  await context.close();
});

test('a renamed column is offered as a rename, and the expand/contract plan keeps v1 working', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/one-to-many-cascade`);
  await modelEditor(page).waitFor();
  const original = await modelEditor(page).inputValue();
  const edited = original.replace('    email: Mapped[str]', '    email_address: Mapped[str]');
  assert.notEqual(edited, original);
  await setModels(page, edited);
  await migrationTab(page);
  const offer = page.getByTestId('rename-offer');
  await offer.waitFor();
  assert.match(await offer.textContent(), /users\.email → email_address/);
  assert.match(await page.getByTestId('migration-notes').textContent(), /autogenerate cannot tell/);
  assert.match(await page.getByTestId('migration-revision').textContent(), /op\.drop_column\('users', 'email'\)/);
  await offer.click();
  await page.waitForFunction(() => document.querySelector('[data-testid=migration-revision]')?.textContent.includes('new_column_name'));
  assert.equal(
    (await page.getByTestId('migration-sql').textContent()).trim(),
    'ALTER TABLE users RENAME email TO email_address;',
  );
  assert.equal(await page.getByTestId('migration-lint').locator('li[data-rule=renaming-column]').count(), 1);
  assert.match(await page.getByTestId('safe-plan-summary').textContent(), /expand and contract/);
  await page.getByTestId('make-it-safe').click();
  await page.getByTestId('migration-stepper').waitFor();
  for (;;) {
    const next = page.locator('[data-testid=stepper-action][data-action=next]');
    if ((await next.count()) === 0 || !(await next.isEnabled())) break;
    await next.click();
  }
  const cells = await matrixCells(page);
  assert.ok(cells.every((s) => s === 'ok' || s === 'idle' || s === 'plain'), `all green: ${cells}`);
  // Undoing the rename goes back to Alembic's drop + add, and stops the stale plan.
  await page.getByTestId('undo-rename').click();
  await page.getByTestId('migration-stepper').waitFor({ state: 'detached' });
  assert.match(await page.getByTestId('migration-revision').textContent(), /op\.drop_column\('users', 'email'\)/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('a misspelt type and a forgotten import are errors at their lines, as Python’s NameError', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete`);
  await modelEditor(page).waitFor();
  const original = await modelEditor(page).inputValue();
  const lines = original.split('\n');
  const at = lines.findIndex((l) => l.includes('email: Mapped[str] = mapped_column(String(255), unique=True)'));
  assert.ok(at > 0);
  lines[at] = '    email: Mapped[str] = mapped_column(Strng(255), unique=True)';
  lines.splice(at + 1, 0, "    __table_args__ = (Index('ix_users_deleted_at', 'deleted_at'),)");
  await setModels(page, lines.join('\n'));
  await page.waitForFunction(() => document.querySelector('[data-testid=model-status]')?.textContent.includes('2 errors'));
  const diagnostics = await page.getByTestId('diagnostics').locator('li.diag-error').allTextContents();
  assert.ok(diagnostics.some((d) => d.includes(`line ${at + 1},`) && d.includes("name 'Strng' is not defined")), diagnostics.join(' | '));
  assert.ok(diagnostics.some((d) => d.includes(`line ${at + 2},`) && d.includes("name 'Index' is not defined")), diagnostics.join(' | '));
  assert.deepEqual(problems, []);
  await context.close();
});

test('an edit the demo cannot start on says why once, points to the Migration tab, and stops the steps', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/soft-delete`);
  await modelEditor(page).waitFor();
  const original = await modelEditor(page).inputValue();
  await setModels(
    page,
    original.replace(
      '    email: Mapped[str] = mapped_column(String(255), unique=True)',
      '    email: Mapped[str] = mapped_column(String(255), unique=True)\n    display_name: Mapped[str] = mapped_column(String(100))',
    ),
  );
  const error = page.locator('[role=alert]', { hasText: 'cannot start on the edited ones' });
  await error.waitFor();
  assert.match(await error.textContent(), /display_name/);
  assert.match(await error.textContent(), /Migration tab/);
  assert.doesNotMatch(await page.getByTestId('rebuild-note').textContent(), /were replayed/);
  assert.ok(await page.locator('[data-testid=step]').first().isDisabled());
  // Back to models the demo runs on: the steps work again.
  await setModels(page, original);
  await error.waitFor({ state: 'detached' });
  await page.locator('[data-testid=step]').first().click();
  assert.deepEqual(problems, []);
  await context.close();
});

test('the Base Model page says why its models have no table', async () => {
  const { page, context, problems } = await openPage(shared.browser, `${shared.server.url}#/base-model`);
  await modelEditor(page).waitFor();
  const note = page.getByTestId('no-tables');
  await note.waitFor();
  assert.match(await note.textContent(), /BaseModel \(__abstract__ = True\)/);
  assert.match(await note.textContent(), /__tablename__/);
  assert.deepEqual(problems, []);
  await context.close();
});
