// Where a figure comes from, in real Chromium against the real server and demo database: the
// province administrator of Lai Châu clicks the 449 crimes of January 2016 – June 2018 in the
// analytics table and reads the values that make it (as many as `qpan explain` counts), each
// with its history and its form's state; the clearance rate shows its formula and links to
// its elements' explanations; a viewer of Lào Cai sees the parts without the audit trail
// and is refused Lai Châu; the screen at 360 and 1280 px, and in English.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { checkKeyboard, checkScreen, logIn, qpan, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld();
});

after(async () => {
  await world?.stop();
});

test('a figure of the analytics table opens its explanation: the values that make it, their history and forms', async () => {
  const page = await world.page(1280, 900);
  await logIn(page, world, 'province');
  await page.goto(`${world.url}/#/analytics?dx=crime.ttxh.cases&ou=12&pe=201601..201806`);
  const cell = page.getByTestId('analytics-table').locator('td[data-dx="crime.ttxh.cases"][data-pe="201601..201806"] a');
  assert.equal(await cell.textContent(), '449');
  await cell.click();
  await page.waitForURL(/#\/explain\?dx=crime\.ttxh\.cases&ou=12&pe=201601\.\.201806/);
  await page.getByRole('heading', { level: 1, name: 'Nguồn gốc số liệu' }).waitFor();
  assert.equal(await page.getByTestId('explain-value').textContent(), '449');

  const cli = JSON.parse(await qpan(['explain', '--db', world.db, '--dx', 'crime.ttxh.cases', '--ou', '12',
    '--pe', '201601..201806', '--format', 'json']));
  const series = page.getByTestId('explain-series-crime.ttxh.cases');
  const count = String(cli.series[0].partCount).replace(/\B(?=(\d{3})+$)/g, '.');  // Vietnamese thousands
  assert.ok((await series.textContent()).includes(`${count} số liệu cấu thành`), `${count} values`);
  const rows = series.getByTestId('explain-parts').locator('tbody tr');
  assert.equal(await rows.count(), cli.series[0].parts.length, 'the rows `qpan explain` lists');
  // The first row: the unit's name, the period in words, its history and its form's state.
  const first = cli.series[0].parts[0];
  const row = rows.first();
  assert.ok((await row.textContent()).includes(first.unitName), first.unitName);
  assert.ok((await row.locator('time').count()) >= 1, 'the value\'s history');
  assert.ok((await row.textContent()).includes(first.history[0].changedBy));
  assert.equal(await row.getByTestId('explain-form').count(), first.forms.length);
  assert.ok((await series.textContent()).includes('… và '), 'the values not listed are counted');
  await checkScreen(page, 1280);
  await checkKeyboard(page);
  await world.screenshot(page, 'explain-1280');

  // An indicator: its formula, and each element's figure links to that element's explanation.
  await page.goto(`${world.url}/#/explain?dx=crime.ttxh.solve_rate&ou=12&pe=201601..201806`);
  await page.getByTestId('explain-formula').waitFor();
  assert.equal(await page.getByTestId('explain-formula').textContent(), '#{crime.ttxh.solved} / #{crime.ttxh.cases} * 100');
  assert.equal(await page.getByTestId('explain-value').textContent(), '81,1');
  await page.getByTestId('explain-series-crime.ttxh.solved').getByRole('link').first().click();
  await page.waitForURL(/dx=crime\.ttxh\.solved/);
  await page.getByTestId('explain-value').filter({ hasText: '364' }).waitFor();

  // In English.
  await page.getByRole('button', { name: 'Chuyển sang tiếng Anh' }).click();
  await page.getByRole('heading', { level: 1, name: 'Where this figure comes from' }).waitFor();
  await page.getByTestId('explain-value').filter({ hasText: '364' }).waitFor();
  await page.context().close();
});

test('a viewer sees the values without the audit trail, and only within the scope', async () => {
  const page = await world.page(360, 800);
  await logIn(page, world, 'viewer');
  await page.goto(`${world.url}/#/explain?dx=crime.ttxh.cases&ou=10&pe=2018`);
  await page.getByTestId('explain-no-history').waitFor();
  assert.equal(await page.getByTestId('explain-form').count(), 0);
  assert.ok((await page.getByTestId('explain-parts').first().locator('tbody tr').count()) > 0);
  await checkScreen(page, 360);
  await world.screenshot(page, 'explain-360');
  await page.goto(`${world.url}/#/explain?dx=crime.ttxh.cases&ou=12&pe=2018`);
  await page.getByRole('alert').waitFor();
  assert.equal(await page.getByTestId('explain-value').count(), 0);
  await page.context().close();
});
