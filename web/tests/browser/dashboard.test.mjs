// The dashboard and the evaluation list in real Chromium against the real server and demo
// database: key figures equal to /api/analytics with their change on last year, the units
// under the unit ranked (each leading to its own dashboard), PNG and CSV downloads checked
// byte by byte, a number that opens the analytics table on the same figure, English, a
// phone's width; the evaluation list's filters, and the published figures the demo
// reproduces (36/108 drug-free communes of Lai Châu in 2016–6/2018; Lào Cai's communes
// “An toàn về ANTT” +3,5 points in 2020 on 2019).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { checkScreen, logIn, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld();
});

after(async () => {
  await world?.stop();
});

// A GET of the API in the page's session.
function api(page, path) {
  return page.evaluate(async (p) => (await fetch(p)).json(), path);
}

// An analytics answer as a map "dx|ou|pe" → number.
async function analytics(page, dx, ou, pe) {
  const answer = await api(page, `/api/analytics?dx=${dx.join(',')}&ou=${ou.join(',')}&pe=${pe.join(',')}`);
  return new Map(answer.rows.map(([d, o, p, v]) => [`${d}|${o}|${p}`, Number(v)]));
}

// A number as Vietnamese writes it ("1.009", "83,5").
const vi = (value, decimals) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: decimals, useGrouping: true }).format(value);

test('dashboard: key figures as /api/analytics with the change on last year, units ranked, PNG and CSV, numbers open the analytics table', async () => {
  const page = await world.page(1280, 900);
  await logIn(page, world, 'province');
  await page.goto(`${world.url}/#/dashboard?ou=12&pe=2020`);
  const cards = page.getByTestId('key-figures').locator('li');
  await cards.first().waitFor();
  const codes = await cards.evaluateAll((lis) => lis.map((li) => li.dataset.testid.replace(/^figure-/, '')));
  // The figures come from the pack: elements and indicators the pack defines.
  const pack = await api(page, '/api/pack');
  const indicators = new Map(pack.indicators.map((i) => [i.code, i]));
  const known = new Set([...pack.dataElements.map((e) => e.code), ...indicators.keys()]);
  assert.ok(codes.length >= 3 && codes.every((c) => known.has(c)), `key figures from the pack: ${codes}`);
  assert.ok(codes.includes('crime.ttxh.cases'), 'social-order crime is a key figure of the monthly commune report');

  const values = await analytics(page, codes, ['12'], ['2020', '2019']);
  let compared = 0;
  for (const code of codes) {
    const card = page.getByTestId(`figure-${code}`);
    const now = values.get(`${code}|12|2020`);
    if (now === undefined) {
      assert.equal(await card.getByTestId('figure-value').count(), 0, `${code}: no value shown without one`);
      continue;
    }
    const indicator = indicators.get(code);
    const expected = indicator ? `${vi(now, indicator.decimals)}${indicator.unit ? ` ${indicator.unit}` : ''}` : vi(now, 0);
    assert.equal(await card.getByTestId('figure-value').textContent(), expected, `${code} as /api/analytics`);
    const last = values.get(`${code}|12|2019`);
    if (last === undefined || last === 0) continue;
    // A share changes in percentage points; a count by a relative change.
    const share = indicator?.unit === '%';
    const delta = share ? now - last : ((now - last) / last) * 100;
    const sign = delta > 0 ? '+' : delta < 0 ? '−' : '±';
    const change = await card.getByTestId('figure-change').textContent();
    assert.ok(change.includes(`${sign}${vi(Math.abs(delta), 1)}${share ? ' điểm %' : ' %'}`), `${code}: ${change}`);
    assert.equal(await card.getByTestId('figure-last-year').textContent(), indicator ? `${vi(last, indicator.decimals)} ${indicator.unit}` : vi(last, 0));
    compared++;
  }
  assert.ok(compared >= 2, 'figures are compared with the same period of last year');

  // The units under Lai Châu, largest first, each as /api/analytics says.
  const units = page.getByTestId('table-units').locator('tbody tr');
  await units.first().waitFor({ state: 'attached' });
  const rows = await units.evaluateAll((trs) => trs.map((tr) => ({ code: tr.dataset.code, value: Number(tr.querySelector('td').dataset.value) })));
  const children = (await api(page, '/api/units/12?at=2020-12-01')).children.map((c) => c.code);
  assert.deepEqual(rows.map((r) => r.code).sort(), [...children].sort(), 'one bar per district');
  const byUnit = await analytics(page, ['crime.ttxh.cases'], children, ['2020']);
  for (const r of rows) assert.equal(r.value, byUnit.get(`crime.ttxh.cases|${r.code}|2020`), r.code);
  const sorted = [...rows].sort((a, b) => b.value - a.value);
  assert.deepEqual(rows.map((r) => r.value), sorted.map((r) => r.value), 'bars sorted, largest first');
  assert.ok(rows[0].value > rows[rows.length - 1].value, 'the districts differ');
  await world.screenshot(page, 'dashboard');

  // PNG: the picture of the bar chart.
  const [png] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-units').getByTestId('download-png').click()]);
  assert.equal(png.suggestedFilename(), 'qpan-units.png');
  const picture = readFileSync(await png.path());
  assert.deepEqual([...picture.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'PNG signature');
  assert.ok(picture.length > 2000, `a real picture (${picture.length} bytes)`);
  // CSV of the trend: each month of 2020 and of 2019 as /api/analytics answers it.
  const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-trend').getByTestId('download-csv').click()]);
  assert.equal(csv.suggestedFilename(), 'qpan-trend.csv');
  const lines = readFileSync(await csv.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n').map((l) => l.split(','));
  assert.deepEqual(lines[0], ['Mã', 'Kỳ', 'năm 2020', 'năm 2019']);
  const months = Array.from({ length: 12 }, (_, i) => String(i + 1).padStart(2, '0'));
  const monthly = await analytics(page, ['crime.ttxh.cases'], ['12'], [...months.map((m) => `2020${m}`), ...months.map((m) => `2019${m}`)]);
  assert.deepEqual(lines.slice(1), months.map((m) => [`2020${m}`, `tháng ${Number(m)}/2020`,
    String(monthly.get(`crime.ttxh.cases|12|2020${m}`)), String(monthly.get(`crime.ttxh.cases|12|2019${m}`))]));
  // The bar chart's CSV names every district with its value, in the bars' order.
  const [bars] = await Promise.all([page.waitForEvent('download'), page.getByTestId('chart-units').getByTestId('download-csv').click()]);
  const barLines = readFileSync(await bars.path(), 'utf8').replace(/^\ufeff/, '').trim().split('\r\n').slice(1).map((l) => l.split(','));
  assert.deepEqual(barLines.map((l) => [l[0], Number(l[2])]), rows.map((r) => [r.code, r.value]));

  // A figure opens the analytics table that shows the same number.
  const shown = await page.getByTestId('figure-crime.ttxh.cases').getByTestId('figure-value').textContent();
  await page.getByTestId('figure-crime.ttxh.cases').getByTestId('figure-value').click();
  await page.waitForURL(/#\/analytics\?dx=crime.ttxh.cases&ou=12&pe=2020$/);
  await page.getByTestId('analytics-table').waitFor();
  assert.equal(await page.locator('td[data-dx="crime.ttxh.cases"][data-pe="2020"]').textContent(), shown);

  // Another figure for the charts, kept in the address; English writes numbers its way.
  await page.goto(`${world.url}/#/dashboard?ou=12&pe=2020`);
  await page.getByTestId('chart-trend').waitFor();
  await page.getByLabel('Chỉ tiêu của biểu đồ').selectOption('crime.ttxh.solve_rate');
  await page.waitForURL(/dx=crime.ttxh.solve_rate/);
  await page.getByTestId('chart-trend').getByRole('heading', { name: /Tỷ lệ điều tra làm rõ/ }).waitFor();
  await page.getByRole('button', { name: 'Chuyển sang tiếng Anh' }).click();
  const rate = values.get('crime.ttxh.solve_rate|12|2020');
  await page.getByTestId('figure-crime.ttxh.solve_rate').getByTestId('figure-value').filter({ hasText: `${new Intl.NumberFormat('en-GB', { maximumFractionDigits: 1 }).format(rate)} %` }).waitFor();
  await page.getByRole('heading', { name: 'Key figures' }).waitFor();
  await world.screenshot(page, 'dashboard-en');
  await page.getByRole('button', { name: 'Switch to Vietnamese' }).click();

  // The bars' table, opened from the keyboard, leads to the first district's own dashboard.
  const unitsChart = page.getByTestId('chart-units');
  await unitsChart.locator('summary').focus();
  await page.keyboard.press('Enter');
  const first = unitsChart.locator('tbody tr').first();
  const [firstCode, firstName] = [await first.getAttribute('data-code'), await first.locator('th a').textContent()];
  await first.locator('th a').click();
  await page.waitForURL(new RegExp(`ou=${firstCode}&pe=2020&dx=crime.ttxh.solve_rate$`));
  await page.getByTestId('dashboard-unit').filter({ hasText: firstName }).waitFor();
  await page.context().close();
});

test('dashboard from the header, without a period: it opens on the newest year that has figures', async () => {
  const page = await world.page(1280, 900);
  await logIn(page, world, 'province');
  await page.getByRole('link', { name: 'Tổng quan' }).first().click();
  const heading = page.getByTestId('dashboard-unit');
  await heading.waitFor();
  // The reference: the years before this one in which /api/analytics has the headline
  // figure for the province.
  const thisYear = new Date().getFullYear();
  const years = Array.from({ length: 10 }, (_, i) => String(thisYear - 1 - i));
  const answer = await api(page, `/api/analytics?dx=crime.ttxh.cases&ou=12&pe=${years.join(',')}`);
  const newest = answer.rows.map((r) => r[2]).sort().at(-1);
  assert.ok(newest, 'the demo has figures in some recent year');
  assert.match(await heading.textContent(), new RegExp(`năm ${newest}$`));
  await page.getByTestId('key-figures').locator('li').first().waitFor();
  assert.equal(await page.locator('#dash-pe').inputValue(), newest);
  await page.context().close();
});

test('dashboard at 360 px: no sideways scrolling, labelled, readable; published evaluation figures on it', async () => {
  const page = await world.page(360, 800);
  await logIn(page, world, 'province');
  // Lai Châu, 1 Jan 2016 to 30 Jun 2018: 36 of 108 communes free of drugs (FIGURES.md).
  await page.goto(`${world.url}/#/dashboard?ou=12&pe=201601..201806`);
  const drugFree = page.getByTestId('evaluation-eval.drug_free.commune').getByTestId('evaluation-met');
  await drugFree.waitFor();
  assert.equal(await drugFree.textContent(), '36/108 đơn vị đạt');
  await page.getByTestId('chart-units').waitFor();
  await checkScreen(page, 360);
  await world.screenshot(page, 'dashboard-360');
  // The number opens the list of those communes.
  await drugFree.click();
  await page.waitForURL(/#\/evaluation\?set=eval.drug_free.commune&ou=12&pe=201601..201806$/);
  await page.getByTestId('evaluation-units').waitFor();
  await checkScreen(page, 360);
  await world.screenshot(page, 'evaluation-360');
  await page.context().close();

  // Lào Cai, 2020 on 2019: communes safe in security and order up 3,5 points (FIGURES.md),
  // and the movement rating drawn per class.
  const viewer = await world.page(1920, 1000);
  await logIn(viewer, world, 'viewer');
  await viewer.goto(`${world.url}/#/dashboard?ou=10&pe=2020`);
  const safe = viewer.getByTestId('evaluation-eval.antt_safe.commune');
  await safe.getByTestId('evaluation-met').waitFor();
  const answer = await api(viewer, '/api/evaluation?set=eval.antt_safe.commune&ou=10&pe=2019,2020');
  const summary = answer.groups[0].summaries.find((s) => s.ou === '10' && s.pe === '2020');
  assert.equal(summary.change_met, 3.5);
  assert.equal(await safe.getByTestId('evaluation-met').textContent(), `${summary.met}/${summary.assessed} đơn vị đạt`);
  assert.match(await safe.textContent(), /\+3,5 điểm %/);
  const rating = viewer.getByTestId('chart-rating-eval.movement_rating');
  await rating.waitFor();
  const ratings = await api(viewer, '/api/evaluation?set=eval.movement_rating&ou=10&pe=2020');
  const classes = ratings.groups[0].summaries.find((s) => s.ou === '10').classes;
  const drawn = await rating.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [tr.dataset.code, Number(tr.querySelector('td').dataset.value)]));
  assert.deepEqual(drawn, classes.map((c) => [c.code, c.count]), 'units per class as /api/evaluation');
  await checkScreen(viewer, 1920);
  await world.screenshot(viewer, 'dashboard-1920');
  await viewer.context().close();
});

test('evaluation list: 36/108 drug-free communes, each unit with its result and failed criteria; filters by result, criterion and name (no accents), kept in the address', async () => {
  const page = await world.page(1280, 900);
  await logIn(page, world, 'province');
  const address = 'set=eval.drug_free.commune&ou=12&pe=201601..201806';
  await page.goto(`${world.url}/#/evaluation?${address}`);
  const rows = page.getByTestId('evaluation-units').locator('tbody tr');
  await rows.first().waitFor();
  const answer = await api(page, `/api/evaluation?${address}`);
  assert.match(await page.getByTestId('evaluation-summary').textContent(), /^36\/108 đơn vị đạt \(33,3 %\)/);
  assert.equal(await rows.count(), answer.units.length);
  assert.equal(await page.getByTestId('units-shown').textContent(), `Hiển thị 108/108 đơn vị`);
  // Each unit's result and failed criteria as the API evaluated them.
  const listed = await rows.evaluateAll((trs) => trs.map((tr) => ({
    ou: tr.dataset.unit,
    outcome: tr.querySelector('[data-testid="outcome"]').textContent,
    failing: [...tr.querySelectorAll('[data-testid="failing"] li')].map((li) => li.dataset.code),
  })));
  assert.deepEqual(listed, answer.units.map((u) => ({ ou: u.ou, outcome: u.outcome_vi, failing: u.failing.map((c) => c.code) })));
  await world.screenshot(page, 'evaluation');

  // By result: the 72 not met.
  await page.getByLabel('Kết quả').selectOption('not_met');
  const notMet = answer.units.filter((u) => u.outcome === 'not_met');
  assert.equal(notMet.length, 72);
  assert.equal(await rows.count(), notMet.length);
  assert.deepEqual([...new Set(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.outcome)))], ['not_met']);
  // By failed criterion: every row failed it.
  const criterion = notMet[0].failing[0].code;
  await page.getByLabel('Tiêu chí không đạt').selectOption(criterion);
  assert.equal(await rows.count(), notMet.filter((u) => u.failing.some((c) => c.code === criterion)).length);
  // By name without accents: "ta leng" finds Xã Tả Lèng.
  await page.getByLabel('Kết quả').selectOption('');
  await page.getByLabel('Tiêu chí không đạt').selectOption('');
  await page.getByLabel(/Tên đơn vị/).fill('ta leng');
  assert.deepEqual(await rows.evaluateAll((trs) => trs.map((tr) => tr.dataset.unit)), answer.units.filter((u) => u.name === 'Xã Tả Lèng').map((u) => u.ou));
  assert.equal(await page.getByTestId('units-shown').textContent(), 'Hiển thị 1/108 đơn vị');
  // The filters are in the address: opened again, the list is the same.
  assert.match(page.url(), /q=ta\+leng/);
  await page.reload();
  await page.getByTestId('units-shown').filter({ hasText: 'Hiển thị 1/108 đơn vị' }).waitFor();
  assert.equal(await page.getByLabel(/Tên đơn vị/).inputValue(), 'ta leng');
  await page.context().close();

  // A rating: Lào Cai's movement rating in 2020, filtered by class.
  const viewer = await world.page(1280, 900);
  await logIn(viewer, world, 'viewer');
  await viewer.goto(`${world.url}/#/evaluation?set=eval.movement_rating&ou=10&pe=2020&outcome=kha`);
  const ratings = await api(viewer, '/api/evaluation?set=eval.movement_rating&ou=10&pe=2020');
  const kha = ratings.groups[0].summaries.find((s) => s.ou === '10').classes.find((c) => c.code === 'kha').count;
  const shown = viewer.getByTestId('evaluation-units').locator('tbody tr');
  await viewer.getByTestId('units-shown').filter({ hasText: `Hiển thị ${kha}/` }).waitFor();
  assert.deepEqual([...new Set(await shown.evaluateAll((trs) => trs.map((tr) => tr.dataset.outcome)))], ['kha']);
  assert.equal(await viewer.getByLabel('Kết quả').inputValue(), 'kha');
  await world.screenshot(viewer, 'evaluation-rating');

  // Two years: each with its count, 2020 with its change on 2019 (+3,5 points, FIGURES.md).
  await viewer.goto(`${world.url}/#/evaluation?set=eval.antt_safe.commune&ou=10&pe=2019,2020`);
  const year = viewer.locator('[data-testid="evaluation-summary"][data-pe="2020"]');
  await year.waitFor();
  assert.match(await year.textContent(), /^năm 2020: 136\/152 đơn vị đạt \(89,5 %\) · \+3,5 điểm %$/);
  await viewer.context().close();
});
