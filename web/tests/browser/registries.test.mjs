// Registers (sổ theo dõi) in real Chromium against the real server, on a database of the
// real units and the pack (no demo figures: the test writes its own records): the province
// administrator of Lai Châu opens the register of delegations received from the menu, adds
// a record for unit 12 through the form (a blank name first, refused by the server beside
// its field), sees it in the list with Vietnamese formatting and the total and sum grown,
// edits it, meets a 412 when someone else changed it meanwhile and reloads it; filters;
// downloads the records as XLSX and CSV, uploads the workbook with a word in a number cell
// (refused, the problem at its Excel row and column, nothing written) and a CSV of 55 new
// records (a second page behind "Xem thêm"); deletes one after a confirmation. Also the
// screen at 360 and 1920 px, and in English.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkKeyboard, checkScreen, logIn, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld({ demo: false });
});

after(async () => {
  await world?.stop();
});

const registry = 'reg.foreign.delegation_in';
const province = '12'; // Lai Châu, the province account's scope

// A GET of the API in the page's session.
function api(page, path) {
  return page.evaluate(async (p) => (await fetch(p)).json(), path);
}

// A write of the API in the page's session, with its CSRF token: status and body.
function apiWrite(page, method, path, body, headers = {}) {
  return page.evaluate(async ([m, p, b, h]) => {
    const { csrfToken } = await (await fetch('/api/me')).json();
    const response = await fetch(p, {
      method: m,
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken, ...h },
      body: b === null ? undefined : JSON.stringify(b),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : null };
  }, [method, path, body, headers]);
}

// A number as Vietnamese writes it ("1.009", "67,716").
const vi = (value) => new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 6, useGrouping: true }).format(value);

const records = (page, query = `ou=${province}`) => api(page, `/api/registries/${registry}/records?${query}&limit=10000`);

// Sets one cell of a downloaded register workbook with Debian's openpyxl, as an officer
// would in Excel: the row holding `text` in some cell, the column headed by one of
// `headers` in the rows above it. Resolves to the cell's row and column (Excel's numbers).
function setCell(from, to, text, headers, value) {
  const script = `
import json, sys, openpyxl
source, target, text, headers, value = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4]), json.loads(sys.argv[5])
wb = openpyxl.load_workbook(source)
ws = wb.worksheets[0]
row = next(r for r in range(1, ws.max_row + 1) if any(ws.cell(r, c).value == text for c in range(1, ws.max_column + 1)))
column = next(c for r in range(1, row) for c in range(1, ws.max_column + 1) if str(ws.cell(r, c).value or '').strip() in headers)
ws.cell(row, column).value = value
wb.save(target)
print(json.dumps({"row": row, "column": column}))
`;
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script, from, to, text, JSON.stringify(headers), JSON.stringify(value)],
      { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' } }, (error, stdout, stderr) => {
        if (error) reject(new Error(`openpyxl could not change the workbook: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout));
      });
  });
}

// The row of the records table showing a record.
const row = (page, id) => page.getByTestId('records').locator(`tr[data-record="${id}"]`);
const cell = (page, id, field) => row(page, id).locator(`td[data-field="${field}"]`);

test('a register: a record added through the form for Lai Châu, listed and counted, edited, a 412 reloaded; XLSX and CSV out and in; deleted after a confirmation', async () => {
  const work = mkdtempSync(join(tmpdir(), 'qpan-registry-'));
  const page = await world.page();
  const other = await world.page();
  try {
    await logIn(page, world, 'province');
    await logIn(other, world, 'province');
    const { registries } = await api(page, '/api/registries');
    const definition = registries.find((r) => r.code === registry);
    assert.ok(definition, `${registry} is listed`);
    const persons = definition.fields.find((f) => f.code === 'persons');
    const partner = definition.fields.find((f) => f.code === 'partner');
    const yunnan = partner.options.find((o) => o.code === 'van_nam');

    // From the menu to the register; its description and the elements it counts.
    await page.getByRole('navigation').getByRole('link', { name: 'Sổ theo dõi' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sổ theo dõi' }).waitFor();
    await page.getByLabel('Chọn sổ').selectOption(registry);
    await page.getByRole('heading', { level: 1, name: definition.name_vi }).waitFor();
    const counts = await page.getByTestId('registry-counts').textContent();
    for (const c of definition.counts) assert.ok(counts.includes(c.element) && counts.includes(c.name_vi), `${c.element} in: ${counts}`);
    assert.ok(definition.counts.some((c) => c.element === 'foreign.in.delegations'));
    const before = await records(page);
    await page.getByTestId('records-total').filter({ hasText: `Tổng: ${vi(before.total)} bản ghi` }).waitFor();
    await world.screenshot(page, 'registry-list');

    // A new record through the form, the unit found by its name without accents.
    await page.getByRole('link', { name: 'Thêm bản ghi' }).click();
    await page.getByRole('heading', { level: 1, name: 'Thêm bản ghi' }).waitFor();
    const unit = page.getByRole('textbox', { name: 'Đơn vị' });
    await unit.fill('lai chau');
    await page.getByRole('button', { name: 'Tỉnh Lai Châu (12)' }).click();
    assert.equal(await unit.inputValue(), province);
    await page.getByTestId('rf-orgUnit-name').filter({ hasText: 'Tỉnh Lai Châu' }).waitFor();
    const name = `Đoàn công tác Sở Ngoại vụ tỉnh Vân Nam ${Date.now()}`;
    await page.getByLabel('Đối tác').selectOption({ label: yunnan.name_vi });
    await page.getByLabel('Tên đoàn').fill(name);
    await page.getByLabel('Chức vụ trưởng đoàn').fill('Phó Giám đốc Sở Ngoại vụ');
    await page.getByLabel('Ngày đến').fill('2021-12-20');
    await page.getByLabel('Ngày đi').fill('2021-12-22');
    await page.getByLabel('Mục đích, nội dung làm việc').fill('Trao đổi công tác quản lý biên giới');
    await page.getByLabel(persons.name_vi).fill('12');
    await page.getByLabel('Tỉnh đón tiếp, làm việc').check();
    // A name of blanks passes the browser's check; the server refuses it beside the field.
    await page.getByLabel('Tên đoàn').fill('   ');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('record-refusal').waitFor();
    const problem = page.locator('#rf-delegation-problem');
    await problem.waitFor();
    assert.match(await problem.textContent(), /^required: Tên đoàn/);
    assert.equal(await page.getByLabel('Tên đoàn').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'rf-delegation', 'the keyboard is at the refused field');
    assert.equal((await records(page)).total, before.total, 'nothing written');
    await world.screenshot(page, 'registry-form-refused');
    await page.getByLabel('Tên đoàn').fill(name);
    await page.getByRole('button', { name: 'Lưu' }).click();

    // Back in the list: the record, the total one more, the sum of members 12 more.
    await page.getByTestId('record-notice').waitFor();
    const saved = new URL(page.url().replace('#/', '')).searchParams.get('saved');
    assert.ok(saved, `the address names the saved record: ${page.url()}`);
    const created = await api(page, `/api/registries/${registry}/records/${saved}`);
    assert.equal(created.orgUnit, province);
    assert.deepEqual(created.fields, {
      partner: 'van_nam', delegation: name, head_title: 'Phó Giám đốc Sở Ngoại vụ', date_from: '2021-12-20', date_to: '2021-12-22',
      purpose: 'Trao đổi công tác quản lý biên giới', persons: '12', worked_with: 'true',
    });
    const afterCreate = await records(page);
    assert.equal(afterCreate.total, before.total + 1);
    assert.equal(afterCreate.sums.persons, (before.sums.persons ?? 0) + 12);
    await page.getByTestId('records-total').filter({ hasText: `Tổng: ${vi(before.total + 1)} bản ghi` }).waitFor();
    assert.ok((await page.getByTestId('sum-persons').textContent()).includes(`${persons.name_vi}: ${vi(afterCreate.sums.persons)}`));
    await row(page, saved).waitFor();
    assert.equal(await row(page, saved).getAttribute('aria-current'), 'true');
    assert.equal(await cell(page, saved, 'partner').textContent(), yunnan.name_vi);
    assert.equal(await cell(page, saved, 'date_from').textContent(), '20/12/2021');
    assert.equal(await cell(page, saved, 'persons').textContent(), '12');
    assert.equal(await cell(page, saved, 'worked_with').textContent(), 'Có');
    await world.screenshot(page, 'registry-created');

    // Edited: a thousand and nine members shown as Vietnamese write it.
    await row(page, saved).getByRole('link', { name: `Sửa bản ghi ${saved}` }).click();
    await page.getByRole('heading', { level: 1, name: `Bản ghi ${saved}` }).waitFor();
    assert.equal(await page.getByLabel('Tên đoàn').inputValue(), name);
    assert.equal(await page.getByLabel('Ngày đến').inputValue(), '2021-12-20');
    assert.equal(await page.getByLabel('Tỉnh đón tiếp, làm việc').isChecked(), true);
    await page.getByLabel(persons.name_vi).fill('1009');
    await page.getByLabel('Ghi chú').fill('Đoàn đông');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('record-notice').waitFor();
    await cell(page, saved, 'persons').filter({ hasText: '1.009' }).waitFor();
    const edited = await api(page, `/api/registries/${registry}/records/${saved}`);
    assert.equal(edited.version, created.version + 1);
    assert.equal(edited.fields.persons, '1009');
    assert.equal(edited.fields.note, 'Đoàn đông');

    // Someone else changes it while the form is open: the save is a 412, offered as a reload.
    await row(page, saved).getByRole('link', { name: `Sửa bản ghi ${saved}` }).click();
    await page.getByLabel('Ghi chú').waitFor();
    const theirs = await apiWrite(other, 'PUT', `/api/registries/${registry}/records/${saved}`,
      { orgUnit: province, fields: { ...edited.fields, note: 'Đã đón tiếp tại cửa khẩu Ma Lù Thàng' } }, { 'If-Match': `"v${edited.version}"` });
    assert.equal(theirs.status, 200, JSON.stringify(theirs.body));
    await page.getByLabel('Chức vụ trưởng đoàn').fill('Giám đốc Sở Ngoại vụ');
    await page.getByRole('button', { name: 'Lưu' }).click();
    const conflict = page.getByTestId('record-conflict');
    await conflict.waitFor();
    assert.ok((await conflict.textContent()).includes(`phiên bản ${edited.version + 1}`), await conflict.textContent());
    await world.screenshot(page, 'registry-conflict');
    await conflict.getByRole('button', { name: 'Tải lại bản ghi' }).click();
    await conflict.waitFor({ state: 'detached' });
    assert.equal(await page.getByLabel('Ghi chú').inputValue(), 'Đã đón tiếp tại cửa khẩu Ma Lù Thàng');
    assert.equal(await page.getByLabel('Chức vụ trưởng đoàn').inputValue(), 'Phó Giám đốc Sở Ngoại vụ');
    // The reloaded record comes with its history: created, then changed twice.
    const trail = (await api(page, `/api/registries/${registry}/records/${saved}`)).history;
    assert.deepEqual(trail.map((h) => h.action), ['create', 'update', 'update']);
    await page.getByTestId('record-history').locator('summary').filter({ hasText: 'Lịch sử thay đổi (3)' }).click();
    assert.equal(await page.getByTestId('record-history').locator('li').count(), 3);
    assert.match(await page.getByTestId('record-history').locator('li').first().textContent(), / — tạo mới — tinh\.laichau /);
    await page.getByLabel('Chức vụ trưởng đoàn').fill('Giám đốc Sở Ngoại vụ');
    await page.getByRole('button', { name: 'Lưu' }).click();
    await page.getByTestId('record-notice').waitFor();
    const reloaded = await api(page, `/api/registries/${registry}/records/${saved}`);
    assert.equal(reloaded.version, edited.version + 2);
    assert.equal(reloaded.fields.head_title, 'Giám đốc Sở Ngoại vụ');
    assert.equal(reloaded.fields.note, 'Đã đón tiếp tại cửa khẩu Ma Lù Thàng');

    // Filtered to Yunnan in December 2021: the address keeps the filter, the API agrees.
    await page.getByLabel('Từ ngày').fill('2021-12-01');
    await page.getByLabel('Đến ngày').fill('2021-12-31');
    await page.getByLabel('Đối tác').selectOption('van_nam');
    await page.getByRole('button', { name: 'Xem', exact: true }).click();
    await page.waitForURL(/f\.partner=van_nam/);
    const filterQuery = `ou=${province}&from=2021-12-01&to=2021-12-31&date=date_from&f.partner=van_nam`;
    const filtered = await records(page, filterQuery);
    assert.ok(filtered.records.some((r) => String(r.id) === saved));
    await page.getByTestId('records-total').filter({ hasText: `Tổng: ${vi(filtered.total)} bản ghi` }).waitFor();
    assert.equal(await page.getByTestId('records').locator('tbody tr').count(), Math.min(filtered.total, 50));

    // Out: XLSX and CSV of the filtered records.
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải Excel (XLSX)' }).click()]);
    const workbook = join(work, 'so-doan-vao.xlsx');
    await xlsx.saveAs(workbook);
    const bytes = readFileSync(workbook);
    assert.ok(bytes.length > 0, 'the workbook has bytes');
    assert.equal(bytes.subarray(0, 2).toString(), 'PK', 'an XLSX (zip) file');
    assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Tải CSV' }).click()]);
    const csvText = readFileSync(await csv.path(), 'utf8');
    assert.ok(csvText.includes(name), 'the CSV holds the record');
    assert.match(csv.suggestedFilename(), /\.csv$/);

    // In: the workbook with a word in the members' cell of the record — refused, the
    // problem at the record's Excel row and the column of the members, nothing written.
    const wrong = join(work, 'wrong.xlsx');
    const at = await setCell(workbook, wrong, name, ['persons', persons.name_vi, persons.name_en], 'mười');
    const beforeImport = await records(page);
    await page.getByLabel('Nhập bản ghi từ tệp Excel (.xlsx) hoặc CSV').setInputFiles(wrong);
    const refusal = page.getByRole('alert').filter({ hasText: 'Chưa nhập wrong.xlsx' });
    await refusal.waitFor();
    const problems = await page.getByTestId('import-problems').locator('li').allTextContents();
    const expected = `Dòng ${at.row}, cột ${at.column} (persons): `;
    assert.ok(problems.some((p) => p.startsWith(expected) && p.includes('mười')), `"${expected}…" in: ${problems.join(' | ')}`);
    // Every other cell of the downloaded workbook reads back as it was written.
    assert.equal(problems.length, 1, problems.join(' | '));
    const afterRefusal = await records(page);
    assert.equal(afterRefusal.total, beforeImport.total);
    assert.equal((await api(page, `/api/registries/${registry}/records/${saved}`)).version, reloaded.version, 'nothing written');
    await world.screenshot(page, 'registry-import-refused');

    // A CSV of 55 new records, the columns named by code: imported, listed at once, the
    // first 50 on the first page and the rest behind "Xem thêm".
    const header = ['org_unit', 'partner', 'delegation', 'head_title', 'date_from', 'date_to', 'purpose', 'persons', 'worked_with'];
    const stamp = Date.now();
    const lines = Array.from({ length: 55 }, (_, i) =>
      [province, 'van_nam', `Đoàn xã biên giới ${stamp}-${i + 1}`, 'Trưởng đoàn', '2021-12-27', '2021-12-28', 'Thăm xã biên giới', String(i + 1), 'true']);
    const good = join(work, 'doan-vao.csv');
    writeFileSync(good, [header, ...lines].map((l) => l.join(',')).join('\r\n') + '\r\n');
    await page.getByLabel('Nhập bản ghi từ tệp Excel (.xlsx) hoặc CSV').setInputFiles(good);
    const outcome = page.getByTestId('import-outcome');
    await outcome.filter({ hasText: 'Đã nhập doan-vao.csv' }).waitFor();
    assert.equal((await outcome.textContent()).trim(), 'Đã nhập doan-vao.csv: 55 bản ghi — 55 mới, 0 sửa.');
    const total = filtered.total + 55;
    await page.getByTestId('records-total').filter({ hasText: `Tổng: ${vi(total)} bản ghi` }).waitFor();
    const withImported = await records(page, filterQuery);
    assert.equal(withImported.total, total);
    assert.equal(withImported.sums.persons, filtered.sums.persons + (55 * 56) / 2);
    assert.equal(await page.getByTestId('records').locator('tbody tr').count(), 50);
    assert.ok((await page.getByTestId('records-total').locator('..').textContent()).includes('đang hiện 50'));
    assert.equal(await page.getByTestId('total-persons').textContent(), vi(withImported.sums.persons), 'the sum is of every match, not the page');
    await page.getByRole('button', { name: 'Xem thêm' }).click();
    await page.getByTestId('records').locator('tbody tr').nth(total - 1).waitFor();
    assert.equal(await page.getByTestId('records').locator('tbody tr').count(), total);
    assert.equal(await page.getByRole('button', { name: 'Xem thêm' }).count(), 0);
    const shownIds = await page.getByTestId('records').locator('tbody tr').evaluateAll((trs) => trs.map((tr) => tr.dataset.record));
    assert.deepEqual(shownIds, withImported.records.map((r) => String(r.id)), 'the pages in the API’s order, none twice');
    await world.screenshot(page, 'registry-imported');
    const newRecord = withImported.records.find((r) => r.fields.delegation === `Đoàn xã biên giới ${stamp}-55`);
    assert.ok(newRecord, 'the imported record is stored');
    await row(page, newRecord.id).waitFor();

    // Deleted after a confirmation; a cancel first keeps it.
    await row(page, newRecord.id).getByRole('link', { name: `Sửa bản ghi ${newRecord.id}` }).click();
    await page.getByRole('button', { name: 'Xoá bản ghi' }).click();
    const confirm = page.getByTestId('confirm-delete');
    await confirm.getByRole('button', { name: 'Huỷ' }).click();
    await confirm.waitFor({ state: 'detached' });
    assert.equal((await api(page, `/api/registries/${registry}/records/${newRecord.id}`)).id, newRecord.id);
    await page.getByRole('button', { name: 'Xoá bản ghi' }).click();
    assert.match(await confirm.textContent(), new RegExp(`Xoá bản ghi ${newRecord.id}\\?`));
    await world.screenshot(page, 'registry-delete-confirm');
    await confirm.getByRole('button', { name: 'Xoá hẳn' }).click();
    await page.getByTestId('record-notice').filter({ hasText: `Đã xoá bản ghi ${newRecord.id}.` }).waitFor();
    await page.getByTestId('records-total').filter({ hasText: `Tổng: ${vi(total - 1)} bản ghi` }).waitFor();
    assert.equal(await row(page, newRecord.id).count(), 0);
    const gone = await page.evaluate(async (p) => (await fetch(p)).status, `/api/registries/${registry}/records/${newRecord.id}`);
    assert.equal(gone, 404);
  } finally {
    await page.context().close();
    await other.context().close();
    rmSync(work, { recursive: true, force: true });
  }
});

test('a viewer reads a register without the means to write it; the API refuses the write', async () => {
  const page = await world.page();
  await logIn(page, world, 'viewer');
  await page.goto(`${world.url}/#/registries/${registry}`);
  await page.getByTestId('records-total').waitFor();
  // The viewer's own scope (10, Lào Cai) is the unit asked.
  assert.equal(await page.getByRole('textbox', { name: 'Đơn vị' }).inputValue(), '10');
  assert.equal(await page.getByRole('link', { name: 'Thêm bản ghi' }).count(), 0);
  assert.equal(await page.getByTestId('records-file').count(), 0);
  assert.equal(await page.getByRole('link', { name: 'Tải Excel (XLSX)' }).count(), 1);
  const refused = await apiWrite(page, 'POST', `/api/registries/${registry}/records`, { orgUnit: '10', fields: { partner: 'van_nam' } });
  assert.equal(refused.status, 403);
  // Lai Châu is outside the viewer's scope: the list says why.
  await page.goto(`${world.url}/#/registries/${registry}?ou=${province}`);
  await page.getByRole('alert').waitFor();
  await page.context().close();
});

test('the register screen at 360 and 1920 px: labelled, AA contrast, no sideways scrolling, Tab reaches everything; English headers and numbers', async () => {
  for (const width of [360, 1920]) {
    const page = await world.page(width, 800);
    await logIn(page, world, 'province');
    for (const [name, hash, ready] of [
      ['registries', '#/registries', 'registries'],
      ['registry', `#/registries/${registry}?ou=${province}`, 'records-total'],
      ['registry-new', `#/registries/${registry}/new?ou=${province}`, 'record-form'],
    ]) {
      await page.goto(`${world.url}/${hash}`);
      await page.getByTestId(ready).waitFor();
      await checkScreen(page, width);
      if (width === 1920) await checkKeyboard(page);
      await world.screenshot(page, `${name}-${width}`);
    }
    await page.context().close();
  }
  const page = await world.page();
  await logIn(page, world, 'province');
  await page.getByRole('button', { name: 'Chuyển sang tiếng Anh' }).click();
  await page.goto(`${world.url}/#/registries/${registry}?ou=${province}`);
  const answer = await records(page);
  await page.getByTestId('records-total').filter({ hasText: `Total: ${new Intl.NumberFormat('en-GB').format(answer.total)} records` }).waitFor();
  await page.getByRole('navigation').getByRole('link', { name: 'Registers' }).waitFor();
  if (answer.total > 0) {
    await page.getByTestId('records').getByRole('columnheader', { name: 'Members' }).waitFor();
  }
  await world.screenshot(page, 'registry-en');
  await page.context().close();
});
