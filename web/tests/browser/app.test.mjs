// The web application in real headless Chromium against the real server and a fresh demo
// database: login, language, unit tree, analytics (figures compared with `qpan analytics`
// on the same database), audit, what a commune officer is not offered and the API refuses,
// layout at 360 and 1920 px, and a screenshot of every screen (QPAN_ARTIFACTS).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { accounts, artifacts, checkKeyboard, checkScreen, logIn, qpan, source, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld();
});

after(async () => {
  await world?.stop();
});

test('login: a wrong password shows the API’s Vietnamese error; the right one reaches Home with the role', async () => {
  const page = await world.page();
  await page.goto(`${world.url}/`);
  await world.screenshot(page, 'login');
  await checkScreen(page, 1280);
  await page.getByLabel('Tên đăng nhập').fill(accounts.province.username);
  await page.getByLabel('Mật khẩu').fill('not-the-password');
  await page.getByRole('button', { name: 'Đăng nhập' }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /sai tên đăng nhập hoặc mật khẩu/);
  await world.screenshot(page, 'login-error');

  await logIn(page, world, 'province');
  assert.equal(await page.getByTestId('role').textContent(), 'Quản trị cấp tỉnh');
  // The scope's unit named as `qpan units tree` names it on the scope's day.
  const scopeName = (await qpan(['units', 'tree', '--db', world.db, '12', '--at', '2020-01-01', '--depth', '0'])).trim().replace(/^12 /, '');
  await page.getByTestId('scope').filter({ hasText: `12 — ${scopeName}` }).waitFor();
  assert.match(await page.locator('h1').textContent(), /Quản trị Công an tỉnh Lai Châu/);
  // The session is the HttpOnly cookie; nothing but the language goes to web storage.
  const stored = await page.evaluate(() => [...Object.keys(localStorage), ...Object.keys(sessionStorage)]);
  assert.ok(stored.every((k) => k === 'qpan.lang'), `web storage holds only the language: ${stored}`);
  assert.equal(await page.evaluate(() => document.cookie), '', 'the session cookie is not readable by scripts');
  await world.screenshot(page, 'home-province');
  await page.context().close();
});

test('the language switch goes to English, is remembered, and comes back to Vietnamese', async () => {
  const page = await world.page();
  await logIn(page, world, 'district');
  assert.equal(await page.getByTestId('role').textContent(), 'Duyệt cấp huyện');
  await page.getByRole('button', { name: 'Chuyển sang tiếng Anh' }).click();
  assert.equal(await page.getByTestId('role').textContent(), 'District reviewer');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  await page.reload();
  await page.getByTestId('role').waitFor();
  assert.equal(await page.getByTestId('role').textContent(), 'District reviewer', 'English after a reload');
  await world.screenshot(page, 'home-district-en');
  await page.getByRole('button', { name: 'Switch to Vietnamese' }).click();
  assert.equal(await page.getByTestId('role').textContent(), 'Duyệt cấp huyện');
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'vi');
  await page.context().close();
});

test('unit tree: "lai chau" finds Lai Châu, which lists its districts on a date', async () => {
  const page = await world.page();
  await logIn(page, world, 'province');
  await page.getByRole('link', { name: 'Cây đơn vị hành chính' }).first().click();
  await page.getByLabel('Tìm đơn vị').fill('lai chau');
  await page.getByRole('button', { name: 'Tìm' }).click();
  const results = page.getByTestId('search-results');
  await results.waitFor();
  assert.match(page.url(), /#\/units\?q=lai\+chau$/);
  await world.screenshot(page, 'units-search');
  await results.getByRole('link', { name: 'Tỉnh Lai Châu' }).click();
  await page.getByTestId('unit-name').waitFor();
  await page.getByLabel('Tại ngày').fill('2020-01-01');
  await page.getByRole('button', { name: 'Xem', exact: true }).click();
  await page.waitForURL(/#\/units\/12\?at=2020-01-01$/);
  const children = page.getByTestId('children').locator('li a');
  await children.first().waitFor();
  // The districts as `qpan units tree` lists them on the same database.
  const tree = await qpan(['units', 'tree', '--db', world.db, '12', '--at', '2020-01-01', '--depth', '1']);
  const expected = tree.split('\n').filter((l) => /^ {2}\S/.test(l)).map((l) => l.trim().replace(/^\S+ /, ''));
  assert.ok(expected.length > 0);
  assert.deepEqual(await children.allTextContents(), expected);
  await world.screenshot(page, 'units-lai-chau-2020');
  // The address alone opens the same screen (bookmark, shared link).
  const again = await page.context().newPage();
  await again.goto(page.url());
  await again.getByTestId('children').waitFor();
  assert.deepEqual(await again.getByTestId('children').locator('li a').allTextContents(), expected);
  await page.context().close();
});

// The Vietnamese value column of `qpan analytics --format table` for the question, per row.
async function cliTable(args) {
  const text = await qpan(['analytics', '--db', world.db, ...args]);
  return text.split('\n').slice(2).filter(Boolean).map((line) => line.trim().split(/\s{2,}/));
}

test('analytics: the table shows the figures of `qpan analytics` in Vietnamese form, and the same CSV', async () => {
  const page = await world.page(1920, 1000);
  await logIn(page, world, 'province');
  await page.getByTestId('link-analytics').click();
  const dx = ['foreign.in.persons', 'mil.recruit.fulfilment'];
  for (const code of dx) {
    await page.getByLabel('Chỉ tiêu, chỉ số').selectOption(code);
    await page.getByRole('button', { name: 'Thêm' }).click();
  }
  await page.getByLabel('Mã đơn vị').fill('12');
  await page.getByLabel('Kỳ báo cáo').fill('201601..201806,2022Q1');
  await page.getByRole('button', { name: 'Xem bảng' }).click();
  const table = page.getByTestId('analytics-table');
  await table.waitFor();
  await world.screenshot(page, 'analytics');

  const pack = await page.evaluate(() => fetch('/api/pack').then((r) => r.json()));
  const rows = await cliTable(['--dx', dx.join(','), '--ou', '12', '--pe', '201601..201806,2022Q1']);
  assert.equal(rows.length, 4, 'two items over two periods');
  const periodCodes = { 'từ đầu năm 2016 đến tháng 6/2018': '201601..201806', 'quý I/2022': '2022Q1' };
  const names = Object.fromEntries([...pack.dataElements, ...pack.indicators].map((i) => [i.name, i]));
  for (const [name, , periodLabel, value] of rows) {
    const item = names[name];
    const unit = item.unit ? ` ${item.unit}` : '';
    const cell = table.locator(`td[data-dx="${item.code}"][data-pe="${periodCodes[periodLabel]}"]`);
    assert.equal(await cell.textContent(), `${value}${unit}`, `${item.code} ${periodLabel}`);
  }
  // Period headers in Vietnamese, as the server labels them.
  const headers = await table.locator('thead th').allTextContents();
  assert.deepEqual(headers.slice(2), Object.keys(periodCodes));

  // The CSV link answers what `qpan analytics --format csv` prints.
  const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải CSV' }).click()]);
  const csv = await (await download.createReadStream()).toArray();
  const expectedCsv = await qpan(['analytics', '--db', world.db, '--dx', dx.join(','), '--ou', '12', '--pe', '201601..201806,2022Q1', '--format', 'csv']);
  assert.equal(Buffer.concat(csv).toString('utf8'), expectedCsv);
  // The XLSX link: the workbook `qpan analytics --format xlsx` writes, cell for cell (read by
  // tests/tools/xlsx_cells.py; the files differ only in their creation time).
  const [workbook] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải Excel (XLSX)' }).click()]);
  const downloaded = join(artifacts, 'analytics.xlsx');
  await workbook.saveAs(downloaded);
  const written = join(artifacts, 'analytics-cli.xlsx');
  await qpan(['analytics', '--db', world.db, '--dx', dx.join(','), '--ou', '12', '--pe', '201601..201806,2022Q1', '--format', 'xlsx', '-o', written]);
  const cells = (file) => execFileSync('python3', [join(source, 'tests', 'tools', 'xlsx_cells.py'), file], { encoding: 'utf8' });
  assert.match(cells(downloaded), /^Số liệu\tA1\tTổng hợp số liệu/);
  assert.equal(cells(downloaded), cells(written));

  // The 2025 boundaries: the address carries structureAt, the figure is `--structure-at`'s.
  await page.getByLabel('Theo địa giới mới 2025 (từ 1/7/2025)').check();
  await page.getByRole('button', { name: 'Xem bảng' }).click();
  await page.waitForURL(/structureAt=2025-07-01/);
  await page.getByTestId('analytics-table').waitFor();
  const merged = await cliTable(['--dx', 'foreign.in.persons', '--ou', '12', '--pe', '2022Q1', '--structure-at', '2025-07-01']);
  const mergedCell = page.getByTestId('analytics-table').locator('td[data-dx="foreign.in.persons"][data-pe="2022Q1"]');
  assert.equal(await mergedCell.textContent(), merged[0][3]);
  await page.context().close();
});

test('audit: a value changed through the API shows who, when and old → new', async () => {
  const page = await world.page();
  await logIn(page, world, 'province');
  const key = { de: 'crime.ttxh.cases', pe: '202001', ou: '03400' };
  // Change one demo value as the province administrator would, with the session's CSRF token.
  const written = await page.evaluate(async (k) => {
    const { csrfToken } = await (await fetch('/api/me')).json();
    const read = await fetch(`/api/dataValues?de=${k.de}&pe=${k.pe}&ou=${k.ou}`);
    const before = await read.json();
    const response = await fetch('/api/dataValues', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken, 'If-Match': read.headers.get('ETag') },
      body: JSON.stringify({ dataElement: k.de, period: k.pe, orgUnit: k.ou, value: String(Number(before.value) + 3) }),
    });
    return { status: response.status, before: before.value, after: String(Number(before.value) + 3) };
  }, key);
  assert.equal(written.status, 200);
  await page.getByTestId('link-audit').click();
  await page.getByLabel('Mã đơn vị').fill(key.ou);
  await page.getByLabel('Kỳ', { exact: true }).fill(key.pe);
  await page.getByRole('button', { name: 'Xem', exact: true }).click();
  const table = page.getByTestId('audit-table');
  await table.waitFor();
  const change = table.locator('tr', { hasText: accounts.province.username });
  assert.equal(await change.count(), 1, 'one change by the administrator');
  const text = await change.textContent();
  assert.match(text, /Số vụ phạm tội/);
  assert.match(text, /tháng 1\/2020/);
  assert.ok(text.includes(`${written.before} → ${written.after}`), text);
  await world.screenshot(page, 'audit');
  await page.context().close();
});

test('a commune officer is not offered the audit trail, and the API refuses it (403)', async () => {
  const page = await world.page();
  await logIn(page, world, 'commune');
  assert.equal(await page.getByTestId('role').textContent(), 'Nhập liệu cấp xã');
  assert.equal(await page.getByTestId('link-audit').count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Nhật ký thay đổi số liệu' }).count(), 0);
  assert.ok(await page.getByTestId('link-units').isVisible());
  await world.screenshot(page, 'home-commune');
  const status = await page.evaluate(async () => (await fetch('/api/audit?ou=03400&pe=2020')).status);
  assert.equal(status, 403);
  // Another commune's district is outside the scope: the screen shows the API's refusal.
  const other = await page.evaluate(async () => (await fetch('/api/units/105?at=2020-01-01')).status);
  assert.equal(other, 403);
  await page.goto(`${world.url}/#/units/105?at=2020-01-01`);
  await page.getByRole('alert').waitFor();
  await page.goto(`${world.url}/#/audit`);
  await page.getByRole('heading', { name: 'Không có trang này' }).waitFor();
  await page.context().close();
});

test('sign-out after a reload sends the CSRF token read from /api/me: the session ends on the server', async () => {
  const page = await world.page();
  await logIn(page, world, 'viewer');
  assert.equal(await page.getByTestId('role').textContent(), 'Chỉ xem');
  // After a reload the token is known only from GET /api/me (it is never stored).
  await page.reload();
  await page.getByTestId('role').waitFor();
  const logout = page.waitForResponse((r) => r.url().endsWith('/api/logout'));
  await page.getByRole('button', { name: 'Đăng xuất' }).click();
  assert.equal((await logout).status(), 200);
  await page.getByLabel('Tên đăng nhập').waitFor();
  assert.equal(await page.evaluate(async () => (await fetch('/api/me')).status), 401);
  // A state change without the token is refused by the API whatever the UI does.
  await logIn(page, world, 'viewer');
  const bare = await page.evaluate(async () => (await fetch('/api/logout', { method: 'POST' })).status);
  assert.equal(bare, 403);
  await page.context().close();
});

test('every screen at 360 px and 1920 px: labelled inputs, AA contrast, no sideways scrolling; Tab reaches everything with a visible focus', async () => {
  for (const width of [360, 1920]) {
    const page = await world.page(width, 800);
    await page.goto(`${world.url}/`);
    await page.getByLabel('Tên đăng nhập').waitFor();
    await checkScreen(page, width);
    await world.screenshot(page, `login-${width}`);
    await logIn(page, world, 'province');
    // Each screen's address and what shows once all it loads has arrived (a hash change
    // leaves the page's load state as it was, so networkidle cannot tell).
    const screens = {
      home: ['#/', ['worklist', 'worklist-empty']],
      units: ['#/units/12?at=2020-01-01', ['unit-forms']],
      analytics: ['#/analytics?dx=crime.ttxh.cases,mil.recruit.fulfilment&ou=12&pe=2021,2022Q1', ['analytics-table']],
      audit: ['#/audit?ou=03400&pe=202002', ['audit-table']],
      form: ['#/forms/ds.antt.commune.monthly/03400/202006', ['section-movement']],
      review: ['#/review/ds.antt.commune.monthly/106/202006?unit=03400', ['completeness', 'section-movement']],
      dashboard: ['#/dashboard?ou=12&pe=2020', ['chart-trend', 'chart-units', 'evaluation-eval.drug_free.commune']],
      evaluation: ['#/evaluation?set=eval.drug_free.commune&ou=12&pe=201601..201806', ['evaluation-units']],
    };
    for (const [name, [hash, ready]] of Object.entries(screens)) {
      await page.goto(`${world.url}/${hash}`);
      await page.locator('h1').waitFor();
      // One of the alternatives for home (a worklist or its empty line), all of them else.
      if (name === 'home') await page.locator(ready.map((id) => `[data-testid="${id}"]`).join(', ')).first().waitFor();
      else for (const id of ready) await page.getByTestId(id).waitFor();
      await checkScreen(page, width);
      if (width === 1920) await checkKeyboard(page);
      await world.screenshot(page, `${name}-${width}`);
    }
    await page.context().close();
  }
});
