// Review reports (báo cáo) in real Chromium against the real server and demo database: the
// province administrator of Lai Châu opens "Báo cáo" from the menu, sees the templates with
// their period types in words, asks the mid-term review of Lai Châu for January 2016 to June
// 2018 and reads the figures the province published (364/449 cases solved, 36/108 drug-free
// communes, 1.009 trips abroad, 67,716 billion đồng of aid) inside the page; the figure
// 364/449 links to its analytics question and opens the analytics table on 364 and 449;
// the PDF, DOCX and XLSX links answer with their files; printing shows the report alone; a
// period of the wrong type is refused with the server's own words, the right one shows
// 910/920. A Lào Cai viewer gets its own province's five-year review and a refusal for Lai
// Châu. Also the screen at 360 and 1920 px, and in English.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { artifacts, checkKeyboard, checkScreen, logIn, startWorld } from './harness.mjs';

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

// A file the page links to, fetched in the page's session: status, headers, first bytes.
function fetchFile(page, path) {
  return page.evaluate(async (p) => {
    const response = await fetch(p, { credentials: 'same-origin' });
    const bytes = new Uint8Array(await response.arrayBuffer());
    return {
      status: response.status,
      type: response.headers.get('Content-Type'),
      disposition: response.headers.get('Content-Disposition'),
      head: String.fromCharCode(...bytes.slice(0, 4)),
      size: bytes.length,
    };
  }, path);
}

// The report's text as a reader sees it, runs of white space as one.
async function reportText(page) {
  const text = await page.getByTestId('report').locator('article.report').innerText();
  return text.replace(/\s+/g, ' ');
}

// The query of a figure link's hash ("/#/analytics?dx=…" → its parameters).
function linkQuery(hrefText) {
  const hash = new URL(hrefText, world.url).hash;
  return { screen: hash.split('?')[0], query: new URLSearchParams(hash.split('?')[1] ?? '') };
}

const showReport = (page) => page.getByRole('button', { name: 'Xem báo cáo' }).click();
const article = (page) => page.getByTestId('report').locator('article.report');

test('the mid-term review of Lai Châu: shown in the page with its published figures, a figure opens its analytics table, PDF/DOCX/XLSX, print; a wrong period refused in the server’s words', async () => {
  const page = await world.page(1280, 900);
  await logIn(page, world, 'province');
  const { reports } = await api(page, '/api/reports');
  const midterm = reports.find((r) => r.code === 'rpt.midterm_review');
  const quarterly = reports.find((r) => r.code === 'rpt.quarterly_review');
  assert.ok(midterm && quarterly, `the demo pack's templates: ${reports.map((r) => r.code)}`);
  assert.deepEqual(quarterly.periodTypes, ['quarter', 'six_month']);

  // From the menu: every template, with the period types it is written for in words.
  await page.getByRole('navigation').getByRole('link', { name: 'Báo cáo', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Báo cáo', exact: true }).waitFor();
  const cards = page.getByTestId('report-templates').locator('li');
  assert.equal(await cards.count(), reports.length);
  for (const r of reports) assert.ok((await cards.filter({ hasText: r.name_vi }).count()) === 1, `${r.code} listed`);
  assert.equal(await page.locator('li[data-code="rpt.quarterly_review"] [data-testid="report-period-types"]').textContent(),
    'Lập cho kỳ: quý, 6 tháng');
  await world.screenshot(page, 'reports');

  // The mid-term review of the province's unit, January 2016 to June 2018.
  await page.getByLabel('Mẫu báo cáo').selectOption('rpt.midterm_review');
  assert.equal(await page.getByRole('textbox', { name: 'Đơn vị' }).inputValue(), '12', 'the scope unit by default');
  const hint = await page.locator('#report-pe-hint').textContent();
  assert.ok(hint.includes('201601..201806') && hint.includes('giai đoạn 5 năm'), hint);
  await page.getByRole('textbox', { name: 'Đơn vị' }).fill('12');
  await page.getByLabel('Kỳ báo cáo (mã kỳ)').fill('201601..201806');
  await showReport(page);
  await page.waitForURL(/#\/reports\/rpt\.midterm_review\?ou=12&pe=201601\.\.201806$/);
  await article(page).waitFor();
  await page.getByRole('heading', { level: 1, name: midterm.name_vi }).first().waitFor();
  const text = await reportText(page);
  for (const phrase of ['điều tra làm rõ 364/449 vụ', '36/108 xã, phường, thị trấn', '1.009 lượt', '67,716 tỷ đồng']) {
    assert.ok(text.includes(phrase), `the report says "${phrase}"`);
  }
  assert.equal(await page.getByTestId('report').locator('script').count(), 0);
  await world.screenshot(page, 'report-midterm');

  // The figure 364/449 is the question it answers: solved and cases, Lai Châu, the range.
  const figure = article(page).locator('span.figure').filter({ hasText: /^364\/449$/ }).first();
  const link = figure.locator('a');
  const target = await link.getAttribute('href');
  const { screen, query } = linkQuery(target);
  assert.equal(screen, '#/analytics', target);
  assert.equal(new URL(target, world.url).pathname, '/', `a link within the application: ${target}`);
  assert.ok(/dx=crime\.ttxh\.solved(%2C|,)crime\.ttxh\.cases(&|$)/.test(target), target);
  assert.equal(query.get('dx'), 'crime.ttxh.solved,crime.ttxh.cases');
  assert.equal(query.get('ou'), '12');
  assert.equal(query.get('pe'), '201601..201806');
  assert.equal(await figure.getAttribute('data-ou'), '12');
  assert.equal(await figure.getAttribute('data-pe'), '201601..201806');
  // Counts of evaluated units lead to the evaluation list instead.
  const communes = article(page).locator('span.figure').filter({ hasText: /^36\/108$/ }).first().locator('a');
  const communesLink = linkQuery(await communes.getAttribute('href'));
  assert.equal(communesLink.screen, '#/evaluation');
  assert.ok(communesLink.query.get('set'), 'an evaluation set');
  assert.equal(communesLink.query.get('ou'), '12');
  assert.equal(communesLink.query.get('pe'), '201601..201806');

  // The files: plain links to the API in the session, each its own type, as attachments.
  for (const [id, type, head] of [['report-pdf', 'application/pdf', '%PDF'],
    ['report-docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'PK\u0003\u0004'],
    ['report-xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'PK\u0003\u0004']]) {
    const path = await page.getByTestId(id).getAttribute('href');
    const format = id.slice('report-'.length);
    assert.equal(path, `/api/reports/rpt.midterm_review?ou=12&pe=201601..201806&format=${format}`);
    const file = await fetchFile(page, path);
    assert.equal(file.status, 200, `${path}: ${file.status}`);
    assert.ok(file.type.startsWith(type), `${path}: ${file.type}`);
    assert.match(file.disposition, new RegExp(`^attachment; filename=".+\\.${format}"$`));
    assert.equal(file.head, head, `${path} is a ${format} file`);
    assert.ok(file.size > 1000, `${path}: ${file.size} bytes`);
  }
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải PDF' }).click()]);
  assert.match(download.suggestedFilename(), /\.pdf$/);
  assert.equal(readFileSync(await download.path()).subarray(0, 4).toString(), '%PDF');

  // "In" prints the page; printed, the page is the report alone on A4.
  await page.evaluate(() => {
    window.printed = 0;
    window.print = () => { window.printed += 1; };
  });
  await page.getByRole('button', { name: 'In', exact: true }).click();
  assert.equal(await page.evaluate(() => window.printed), 1);
  await page.emulateMedia({ media: 'print' });
  assert.equal(await page.locator('header.bar').isVisible(), false, 'no header bar on paper');
  assert.equal(await page.getByTestId('report-form').isVisible(), false, 'no form on paper');
  assert.equal(await page.getByTestId('report-pdf').isVisible(), false, 'no buttons on paper');
  assert.equal(await page.locator('.report-screen > h1').isVisible(), false, 'the report’s own title only');
  assert.ok(await article(page).locator('h1').isVisible());
  assert.ok(await article(page).isVisible(), 'the report on paper');
  assert.equal(await article(page).evaluate((el) => getComputedStyle(el).fontFamily.split(',')[0].replace(/"/g, '')), 'Times New Roman');
  await world.screenshot(page, 'report-print');
  await page.pdf({ path: join(artifacts, 'report-print.pdf'), preferCSSPageSize: true, printBackground: true });
  await page.emulateMedia({ media: 'screen' });

  // The figure opens the analytics table on the same question: 364 solved of 449.
  await link.click();
  await page.waitForURL(/#\/analytics\?/);
  const opened = new URLSearchParams(page.url().split('#/analytics?')[1]);
  assert.equal(opened.get('dx'), 'crime.ttxh.solved,crime.ttxh.cases');
  assert.equal(opened.get('ou'), '12');
  assert.equal(opened.get('pe'), '201601..201806');
  await page.getByRole('heading', { level: 1, name: 'Bảng tổng hợp số liệu' }).waitFor();
  const table = page.getByTestId('analytics-table');
  await table.waitFor();
  assert.equal(await table.locator('td[data-dx="crime.ttxh.solved"][data-pe="201601..201806"]').textContent(), '364');
  assert.equal(await table.locator('td[data-dx="crime.ttxh.cases"][data-pe="201601..201806"]').textContent(), '449');
  assert.equal(await page.getByTestId('chosen-dx').locator('li').count(), 2);
  await world.screenshot(page, 'report-figure-analytics');

  // Back on the report; then the quarterly report asked for a year: the server's refusal.
  await page.goBack();
  await page.waitForURL(/#\/reports\/rpt\.midterm_review\?/);
  await article(page).waitFor();
  await page.getByLabel('Mẫu báo cáo').selectOption('rpt.quarterly_review');
  const quarterHint = await page.locator('#report-pe-hint').textContent();
  assert.equal(quarterHint, 'Mẫu này nhận: quý, ví dụ 2022Q1; 6 tháng, ví dụ 2022S1.');
  await page.getByLabel('Kỳ báo cáo (mã kỳ)').fill('2016');
  await showReport(page);
  await page.waitForURL(/#\/reports\/rpt\.quarterly_review\?ou=12&pe=2016$/);
  const refusal = await page.evaluate(async () => {
    const response = await fetch('/api/reports/rpt.quarterly_review?ou=12&pe=2016&format=html&embed=1');
    return { status: response.status, body: await response.json() };
  });
  assert.equal(refusal.status, 400);
  const message = refusal.body.error.message;
  assert.match(message, /^pe: .*quarter, six_month; 2016 is a year/);
  const shown = page.getByTestId('report-error');
  await shown.waitFor();
  assert.equal(await shown.textContent(), `Không lập được báo cáo: ${message}`);
  assert.equal(await shown.getAttribute('role'), 'alert');
  assert.equal(await page.getByTestId('report').count(), 0, 'no report');
  assert.equal(await page.getByTestId('report-pdf').count(), 0, 'nothing to download');
  await world.screenshot(page, 'report-wrong-period');

  // The same template for a quarter it is written for: the first quarter of 2022.
  await page.getByLabel('Kỳ báo cáo (mã kỳ)').fill('2022Q1');
  await showReport(page);
  await page.waitForURL(/pe=2022Q1$/);
  await article(page).waitFor();
  assert.equal(await page.getByTestId('report-error').count(), 0);
  assert.ok((await reportText(page)).includes('910/920'), 'the quarterly report states 910/920');
  await world.screenshot(page, 'report-quarterly');
  await page.context().close();
});

test('a Lào Cai viewer: its own province’s five-year review by default, Lai Châu refused', async () => {
  const page = await world.page();
  await logIn(page, world, 'viewer');
  await page.goto(`${world.url}/#/reports/rpt.directive_5year_review?pe=2016..2020`);
  await article(page).waitFor();
  assert.equal(await page.getByRole('textbox', { name: 'Đơn vị' }).inputValue(), '10');
  assert.ok((await reportText(page)).includes('Lào Cai'), 'the report is of Lào Cai');
  assert.ok(await article(page).locator('span.figure[data-ou="10"] a').count() > 0, 'its figures are Lào Cai’s');
  await world.screenshot(page, 'report-laocai');
  await page.goto(`${world.url}/#/reports/rpt.directive_5year_review?ou=12&pe=2016..2020`);
  const shown = page.getByTestId('report-error');
  await shown.waitFor();
  const status = await page.evaluate(async () =>
    (await fetch('/api/reports/rpt.directive_5year_review?ou=12&pe=2016..2020&format=pdf')).status);
  assert.equal(status, 403);
  assert.match(await shown.textContent(), /^Không lập được báo cáo: ./);
  await page.context().close();
});

test('the report screen at 360 and 1920 px: labelled, AA contrast, no sideways scrolling, Tab reaches everything; English', async () => {
  for (const width of [360, 1920]) {
    const page = await world.page(width, 800);
    await logIn(page, world, 'province');
    for (const [name, hash, ready] of [
      ['reports', '#/reports', () => page.getByTestId('report-templates').waitFor()],
      ['report', '#/reports/rpt.midterm_review?ou=12&pe=201601..201806', () => article(page).waitFor()],
    ]) {
      await page.goto(`${world.url}/${hash}`);
      await ready();
      await checkScreen(page, width);
      if (width === 1920) await checkKeyboard(page);
      await world.screenshot(page, `${name}-${width}`);
    }
    await page.context().close();
  }
  const page = await world.page();
  await logIn(page, world, 'province');
  await page.getByRole('button', { name: 'Chuyển sang tiếng Anh' }).click();
  await page.goto(`${world.url}/#/reports`);
  await page.getByRole('heading', { level: 1, name: 'Reports', exact: true }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Reports', exact: true }).waitFor();
  assert.equal(await page.locator('li[data-code="rpt.quarterly_review"] [data-testid="report-period-types"]').textContent(),
    'Written for: quarter, half-year');
  await world.screenshot(page, 'reports-en');
  await page.context().close();
});
