// Data entry and review in real Chromium against the real server: a commune officer of Tả
// Lèng fills the month's form from its address, sees a validation rule warn and clear, saved
// states, submits; the form turns read-only; the district reviewer of Tam Đường sees the unit
// submitted and approves; the officer sees it approved. Also a 412 conflict offered as a
// choice, and another commune’s form refused in the UI and by the API; the province locks
// and unlocks the approved form, and its dashboard shows the typed figures at once. The
// form's Excel workbook is downloaded, filled with openpyxl and uploaded back; one with a
// text in a number cell is refused naming the cell, with nothing written.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { cellInput, cellState, logIn, readForm as readFormOf, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld();
});

after(async () => {
  await world?.stop();
});

const ds = 'ds.antt.commune.monthly';
const commune = '03400'; // Tả Lèng, the harness's commune account's scope
const district = '106'; // Tam Đường
// The rule of packs/qpan-vn/validation_rules.json on two elements of the monthly form.
const rule = 'vr.crime.ttxh.solved_le_cases';

// The commune's form as the API answers it to the page's session.
const readForm = (page, pe) => readFormOf(page, ds, commune, pe);

// Social-order crime cases of a unit in a month as the dashboard shows it (read from the
// card's Vietnamese text) and as /api/analytics answers the same page.
async function dashboardFigure(page, ou, pe) {
  await page.goto(`${world.url}/#/dashboard?ds=${ds}&ou=${ou}&pe=${pe}`);
  // The link to this unit's and month's analytics: not a card the previous address left.
  const value = page.getByTestId('figure-crime.ttxh.cases').locator(`[data-testid="figure-value"][href$="&ou=${ou}&pe=${pe}"]`);
  await value.waitFor();
  const shown = Number((await value.textContent()).replace(/\./g, ''));
  const answer = await page.evaluate(async ([o, p]) => (await fetch(`/api/analytics?dx=crime.ttxh.cases&ou=${o}&pe=${p}`)).json(), [ou, pe]);
  return { shown, api: Number(answer.rows[0][3]) };
}

test('worklist, data entry, a rule warning that clears, submit, read-only, district approval, province lock and unlock', async () => {
  const pe = '202003';
  // The province's dashboard of the district and of the province for the month, before the
  // officer types: the figures the officer's values must change.
  const province = await world.page();
  await logIn(province, world, 'province');
  const dashboardBefore = {};
  for (const ou of [district, '12']) dashboardBefore[ou] = await dashboardFigure(province, ou, pe);
  const officer = await world.page();
  await logIn(officer, world, 'commune');
  // Home lists what waits, late first, each a link; the API's worklist is the reference.
  const work = await officer.evaluate(async () => (await fetch('/api/worklist')).json());
  const items = officer.getByTestId('worklist').locator('li');
  assert.equal(await items.count(), work.total);
  const statuses = await items.evaluateAll((lis) => lis.map((li) => li.dataset.status));
  assert.deepEqual(statuses, [...statuses].sort((a, b) => (a === 'late' ? 0 : 1) - (b === 'late' ? 0 : 1)), 'late first');
  await world.screenshot(officer, 'home-worklist-commune');

  // The form opens from its address alone, in one request.
  const formRequests = [];
  officer.on('request', (r) => r.url().includes('/api/') && formRequests.push(r.url()));
  await officer.goto(`${world.url}/#/forms/${ds}/${commune}/${pe}`);
  await cellInput(officer, 'crime.ttxh.cases').waitFor();
  assert.equal(formRequests.filter((u) => u.includes('/api/forms/')).length, 1, 'one request for the form');
  assert.ok(!formRequests.some((u) => u.includes('/api/dataValues')), 'no per-cell reads');
  const before = await readForm(officer, pe);
  assert.match(await officer.locator('h1').textContent(), new RegExp(`${before.orgUnit.name} — ${before.period.name}`));
  // Previous period's and last year's values beside the cell, as the API sends them.
  const casesCell = before.cells.find((c) => c.dataElement === 'crime.ttxh.cases');
  const previous = await officer.getByTestId('cell-crime.ttxh.cases').getByTestId('previous').textContent();
  assert.equal(previous, casesCell.previous ?? '–');

  // Keyboard: type cases, Enter moves to solved (the next cell) and saves.
  const cases = Number(casesCell.value ?? 0) + 4;
  await cellInput(officer, 'crime.ttxh.cases').focus();
  await officer.keyboard.type(String(cases));
  await officer.keyboard.press('Enter');
  assert.equal(await officer.evaluate(() => document.activeElement.getAttribute('aria-label')),
    before.cells.find((c) => c.dataElement === 'crime.ttxh.solved').name, 'Enter moves to the next cell');
  await officer.getByTestId('cell-crime.ttxh.cases').getByTestId('cell-state').filter({ hasText: 'đã lưu' }).waitFor();
  // More solved than cases: the save answers the rule's warning, shown beside the cell.
  await officer.keyboard.type(String(cases + 2));
  const warning = officer.locator(`.warning[data-rule="${rule}"]`);
  await warning.waitFor();
  assert.match(await warning.textContent(), /Số vụ làm rõ không vượt số vụ xảy ra/);
  await cellState(officer, 'crime.ttxh.solved').filter({ hasText: 'đã lưu' }).waitFor();
  await world.screenshot(officer, 'form-warning');
  // Corrected: up to cases and down again with the arrow keys, typing overwrites the cell.
  await officer.keyboard.press('ArrowUp');
  assert.equal(await officer.evaluate(() => document.activeElement.getAttribute('aria-label')), casesCell.name);
  await officer.keyboard.press('ArrowDown');
  await officer.keyboard.type(String(cases - 1));
  await warning.waitFor({ state: 'detached' });
  await cellState(officer, 'crime.ttxh.solved').filter({ hasText: 'đã lưu' }).waitFor();
  // Broken again, then mended from the other side: cases raised above solved.
  const solved = cases + 3;
  await officer.keyboard.press('ArrowUp');
  await officer.keyboard.press('ArrowDown');
  await officer.keyboard.type(String(solved));
  await warning.waitFor();
  await officer.keyboard.press('ArrowUp');
  const finalCases = solved + 2;
  await officer.keyboard.type(String(finalCases));
  await warning.waitFor({ state: 'detached' });
  await cellState(officer, 'crime.ttxh.cases').filter({ hasText: 'đã lưu' }).waitFor();
  // A comment travels with the value.
  await officer.getByLabel(`Ghi chú cho ${casesCell.name}`).fill('Số liệu tháng 3');
  await officer.getByLabel(`Ghi chú cho ${casesCell.name}`).press('Tab');
  await cellState(officer, 'crime.ttxh.cases').filter({ hasText: 'đã lưu' }).waitFor();
  const saved = await readForm(officer, pe);
  const byElement = Object.fromEntries(saved.cells.map((c) => [c.dataElement, c]));
  assert.equal(byElement['crime.ttxh.cases'].value, String(finalCases));
  assert.equal(byElement['crime.ttxh.cases'].comment, 'Số liệu tháng 3');
  assert.equal(byElement['crime.ttxh.solved'].value, String(solved));
  await world.screenshot(officer, 'form-saved');

  // Submit: the form turns read-only and says why.
  await officer.getByTestId('submit').click();
  await officer.getByTestId('read-only').waitFor();
  const submitted = await readForm(officer, pe);
  assert.equal(submitted.approval.state, 'submitted');
  assert.match(await officer.getByTestId('read-only').textContent(), /^Chỉ xem: /);
  assert.equal(await officer.getByTestId('form-state').textContent(), 'đã gửi');
  assert.equal(await cellInput(officer, 'crime.ttxh.cases').getAttribute('readonly'), '');
  assert.equal(await officer.getByTestId('submit').count(), 0);
  await world.screenshot(officer, 'form-submitted');

  // The district reviewer sees Tả Lèng submitted in the completeness and approves.
  const reviewer = await world.page();
  await logIn(reviewer, world, 'district');
  // From the district's page in the unit tree, on a day of the month, to the review.
  await reviewer.goto(`${world.url}/#/units/${district}?at=2020-03-15`);
  await reviewer.getByTestId('unit-forms').getByRole('link', { name: `Duyệt: ${before.dataSet.name} — ${before.period.name}` }).click();
  await reviewer.waitForURL(new RegExp(`#/review/${ds}/${district}/${pe}$`));
  const row = reviewer.getByTestId('completeness').locator(`tr[data-unit="${commune}"]`);
  await row.waitFor();
  const progress = await reviewer.evaluate(async ([d, o, p]) => (await fetch(`/api/completeness?ds=${d}&ou=${o}&pe=${p}`)).json(), [ds, district, pe]);
  assert.equal(progress.units.find((u) => u.orgUnit === commune).state, 'submitted');
  assert.equal(await row.getByTestId('unit-state').textContent(), 'đã gửi');
  assert.equal(await reviewer.getByTestId('completeness').locator('tbody tr').count(), progress.units.length);
  await world.screenshot(reviewer, 'review-district');
  await row.getByRole('link').click();
  await reviewer.getByTestId('unit-form').waitFor();
  // Read-only: the reviewer sees the officer's figure and cannot change it.
  assert.equal(await cellInput(reviewer, 'crime.ttxh.cases').inputValue(), String(finalCases));
  assert.equal(await cellInput(reviewer, 'crime.ttxh.cases').getAttribute('readonly'), '');
  // A return needs a comment: refused in the screen without one.
  await reviewer.getByRole('button', { name: 'Trả lại' }).click();
  await reviewer.getByRole('alert').filter({ hasText: 'Trả lại biểu cần có nhận xét.' }).waitFor();
  await reviewer.getByLabel('Nhận xét (bắt buộc khi trả lại)').fill('Số liệu khớp sổ theo dõi');
  await reviewer.getByRole('button', { name: 'Duyệt', exact: true }).click();
  await reviewer.getByTestId('completeness').locator(`tr[data-unit="${commune}"]`).getByTestId('unit-state')
    .filter({ hasNotText: 'đã gửi' }).waitFor();
  await world.screenshot(reviewer, 'review-approved');
  const approved = await readForm(officer, pe);
  assert.notEqual(approved.approval.state, 'submitted');
  assert.ok(approved.approval.history.some((h) => h.action === 'approve'), 'the approval is in the history');

  // The officer's form now shows the state after approval, still read-only.
  await officer.reload();
  await officer.getByTestId('read-only').waitFor();
  const stateWords = { approved: 'đã duyệt', submitted: 'đã gửi', locked: 'đã khóa' };
  assert.equal(await officer.getByTestId('form-state').textContent(), stateWords[approved.approval.state]);

  // The province locks the approved form: the officer's form says it is locked; unlocked
  // again, it is back as approved.
  await province.goto(`${world.url}/#/review/${ds}/${district}/${pe}?unit=${commune}`);
  await province.getByTestId('unit-form').waitFor();
  await province.getByRole('button', { name: 'Khóa', exact: true }).click();
  await province.getByRole('button', { name: 'Mở khóa', exact: true }).waitFor();
  assert.equal((await readForm(officer, pe)).approval.state, 'locked');
  await world.screenshot(province, 'review-locked');
  await officer.reload();
  await officer.getByTestId('form-state').filter({ hasText: 'đã khóa' }).waitFor();
  assert.match(await officer.getByTestId('read-only').textContent(), /^Chỉ xem: /);
  await province.getByRole('button', { name: 'Mở khóa', exact: true }).click();
  await province.getByRole('button', { name: 'Khóa', exact: true }).waitFor();
  assert.equal((await readForm(officer, pe)).approval.state, approved.approval.state);

  // The province's dashboard shows the new figures, the server still the one that started:
  // each figure moved by what the officer typed over the value the form had before.
  const typed = finalCases - Number(casesCell.value ?? 0);
  for (const ou of [district, '12']) {
    const now = await dashboardFigure(province, ou, pe);
    assert.equal(now.shown, now.api, `${ou}: the dashboard shows /api/analytics`);
    assert.equal(now.api, dashboardBefore[ou].api + typed, `${ou}: ${dashboardBefore[ou].api} + ${typed}`);
  }
  await world.screenshot(province, 'dashboard-after-entry');
  await officer.context().close();
  await reviewer.context().close();
  await province.context().close();
});

test('a value changed by someone else after the page loaded comes back as a 412 choice', async () => {
  const pe = '202004';
  const officer = await world.page();
  await logIn(officer, world, 'commune');
  await officer.goto(`${world.url}/#/forms/${ds}/${commune}/${pe}`);
  await cellInput(officer, 'traffic.accidents').waitFor();
  // The province administrator changes the value through the API in its own session.
  const admin = await world.page();
  await logIn(admin, world, 'province');
  const theirs = await admin.evaluate(async ([d, o, p]) => {
    const { csrfToken } = await (await fetch('/api/me')).json();
    const read = await fetch(`/api/dataValues?de=traffic.accidents&pe=${p}&ou=${o}`);
    const value = String(Number((await read.json()).value ?? 0) + 7);
    const response = await fetch('/api/dataValues', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken, 'If-Match': read.headers.get('ETag') },
      body: JSON.stringify({ dataElement: 'traffic.accidents', period: p, orgUnit: o, value }),
    });
    return { status: response.status, value };
  }, [ds, commune, pe]);
  assert.equal(theirs.status, 200);
  const mine = String(Number(theirs.value) + 1);
  await cellInput(officer, 'traffic.accidents').focus();
  await officer.keyboard.type(mine);
  await officer.keyboard.press('Tab');
  const conflict = officer.getByTestId('cell-traffic.accidents').getByTestId('conflict');
  await conflict.waitFor();
  assert.ok((await conflict.textContent()).includes(`đã sửa thành ${theirs.value}`), await conflict.textContent());
  await world.screenshot(officer, 'form-conflict');
  // Keep mine: written again over the new ETag.
  await conflict.getByRole('button', { name: `Giữ giá trị của tôi (${mine})` }).click();
  await cellState(officer, 'traffic.accidents').filter({ hasText: 'đã lưu' }).waitFor();
  const after = await readForm(officer, pe);
  assert.equal(after.cells.find((c) => c.dataElement === 'traffic.accidents').value, mine);

  // Take theirs: a second change elsewhere; the officer's cell then shows the server's value.
  const again = await admin.evaluate(async ([o, p, v]) => {
    const { csrfToken } = await (await fetch('/api/me')).json();
    const read = await fetch(`/api/dataValues?de=traffic.accidents&pe=${p}&ou=${o}`);
    const response = await fetch('/api/dataValues', {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken, 'If-Match': read.headers.get('ETag') },
      body: JSON.stringify({ dataElement: 'traffic.accidents', period: p, orgUnit: o, value: v }),
    });
    return response.status;
  }, [commune, pe, String(Number(mine) + 5)]);
  assert.equal(again, 200);
  await cellInput(officer, 'traffic.accidents').focus();
  await officer.keyboard.type('1');
  await officer.keyboard.press('Enter');
  await conflict.waitFor();
  await conflict.getByRole('button', { name: /^Lấy giá trị của họ/ }).click();
  assert.equal(await cellInput(officer, 'traffic.accidents').inputValue(), String(Number(mine) + 5));
  await officer.context().close();
  await admin.context().close();
});

test('a commune officer opening another commune’s form sees the refusal; the API answers 403', async () => {
  const officer = await world.page();
  await logIn(officer, world, 'commune');
  const province = await world.page();
  await logIn(province, world, 'province');
  // Another commune of Tam Đường on the same day, from the district's completeness.
  const progress = await province.evaluate(async ([d, o]) => (await fetch(`/api/completeness?ds=${d}&ou=${o}&pe=202003`)).json(), [ds, district]);
  const other = progress.units.find((u) => u.orgUnit !== commune).orgUnit;
  await officer.goto(`${world.url}/#/forms/${ds}/${other}/202003`);
  const alert = officer.getByRole('alert');
  await alert.waitFor();
  assert.match(await alert.textContent(), /không được xem số liệu cho đơn vị/);
  const status = await officer.evaluate(async ([d, o]) => (await fetch(`/api/forms/${d}?ou=${o}&pe=202003`)).status, [ds, other]);
  assert.equal(status, 403);
  await world.screenshot(officer, 'form-refused');
  await officer.context().close();
  await province.context().close();
});

test('the data entry screen at 360 px: no sideways scrolling of the page, every input labelled', async () => {
  const page = await world.page(360, 800);
  await logIn(page, world, 'commune');
  await page.goto(`${world.url}/#/forms/${ds}/${commune}/202005`);
  await cellInput(page, 'crime.ttxh.cases').waitFor();
  const width = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= 360, `page is ${width} px wide`);
  const unlabelled = await page.evaluate(() => [...document.querySelectorAll('input, textarea')]
    .filter((el) => !el.getAttribute('aria-label') && el.labels.length === 0).length);
  assert.equal(unlabelled, 0);
  await world.screenshot(page, 'form-360');
  await page.context().close();
});

// Fills a form workbook as an officer would in Excel, with Debian's openpyxl (another library
// than the one qpan writes with; the python3 first on the PATH may lack it): the row of each
// element found by its code in the hidden column H, its value put in column D. Resolves to
// each element's row.
function fillWorkbook(from, to, values) {
  const script = `
import json, sys, openpyxl
source, target, values = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
wb = openpyxl.load_workbook(source)
ws = wb["Biểu mẫu"]
rows = {ws.cell(r, 8).value: r for r in range(7, ws.max_row + 1) if ws.cell(r, 8).value}
for element, value in values.items():
    ws.cell(rows[element], 4).value = value
wb.save(target)
print(json.dumps({element: rows[element] for element in values}))
`;
  return new Promise((resolve, reject) => {
    execFile('/usr/bin/python3', ['-c', script, from, to, JSON.stringify(values)],
      { env: { PATH: '/usr/bin:/bin', LC_ALL: 'C.UTF-8' } }, (error, stdout, stderr) => {
        if (error) reject(new Error(`openpyxl could not fill the workbook: ${stderr || error.message}`));
        else resolve(JSON.parse(stdout));
      });
  });
}

test('the form as an Excel workbook: downloaded, filled with openpyxl, uploaded back; a text in a number cell refused naming the cell, nothing written', async () => {
  const pe = '202007';
  const work = mkdtempSync(join(tmpdir(), 'qpan-workbook-'));
  const officer = await world.page();
  try {
    await logIn(officer, world, 'commune');
    await officer.goto(`${world.url}/#/forms/${ds}/${commune}/${pe}`);
    await cellInput(officer, 'crime.ttxh.cases').waitFor();
    const before = await readForm(officer, pe);
    assert.equal(before.may.write, true, 'the officer may write the form');
    const valueOf = (form, element) => form.cells.find((c) => c.dataElement === element).value;

    // The link downloads the workbook under the server's file name.
    const [download] = await Promise.all([
      officer.waitForEvent('download'),
      officer.getByRole('link', { name: 'Tải biểu Excel' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `bieu-${ds}-${commune}-${pe}.xlsx`);
    const blank = join(work, 'downloaded.xlsx');
    await download.saveAs(blank);

    // Filled: a whole number, one under it (no rule broken), a decimal and a large amount.
    const cases = Number(valueOf(before, 'crime.ttxh.cases') ?? 0) + 10;
    const typed = { 'crime.ttxh.cases': cases, 'crime.ttxh.solved': cases - 1, 'drug.heroin_g': 67.716, 'traffic.damage_vnd': 41570000 };
    const filled = join(work, 'filled.xlsx');
    await fillWorkbook(blank, filled, typed);
    await officer.getByLabel('Tải lên biểu Excel').setInputFiles(filled);
    const outcome = officer.getByTestId('workbook-outcome');
    await outcome.filter({ hasText: 'Đã nhập biểu Excel' }).waitFor();
    // The counts: the workbook carries every value the form held, so those not typed over
    // come back unchanged.
    const held = before.cells.filter((c) => c.value !== null).map((c) => c.dataElement);
    const updated = Object.entries(typed).filter(([e, v]) => held.includes(e) && valueOf(before, e) !== String(v)).length;
    const created = Object.keys(typed).filter((e) => !held.includes(e)).length;
    const unchanged = held.length - updated;
    assert.equal((await outcome.textContent()).trim(), `Đã nhập biểu Excel: ${created} mới, ${updated} sửa, ${unchanged} không đổi`);
    // The form on screen shows the imported values, written as Vietnamese write numbers.
    const shown = { 'crime.ttxh.cases': String(cases), 'crime.ttxh.solved': String(cases - 1), 'drug.heroin_g': '67,716', 'traffic.damage_vnd': '41.570.000' };
    for (const [element, text] of Object.entries(shown)) assert.equal(await cellInput(officer, element).inputValue(), text, element);
    const imported = await readForm(officer, pe);
    for (const [element, value] of Object.entries(typed)) assert.equal(valueOf(imported, element), String(value), element);
    await world.screenshot(officer, 'form-workbook-imported');

    // A text in a number cell, beside a valid change: refused, each problem naming its cell.
    const wrong = join(work, 'wrong.xlsx');
    const rows = await fillWorkbook(blank, wrong, { 'crime.ttxh.solved': 'bảy', 'traffic.accidents': 99 });
    await officer.getByLabel('Tải lên biểu Excel').setInputFiles(wrong);
    const refusal = officer.getByRole('alert').filter({ hasText: 'Chưa nhập biểu Excel' });
    await refusal.waitFor();
    const problems = await officer.getByTestId('workbook-problems').locator('li').allTextContents();
    const cell = `'Biểu mẫu'!D${rows['crime.ttxh.solved']}`;
    assert.ok(problems.some((p) => p.includes(cell) && p.includes('"bảy"') && p.includes(' — ')), `a problem names ${cell}: ${problems.join(' | ')}`);
    // Nothing written: neither the text nor the valid change, on screen or in the store.
    const after = await readForm(officer, pe);
    assert.deepEqual(after.cells.map((c) => [c.dataElement, c.categoryOptionCombo, c.value, c.etag]),
      imported.cells.map((c) => [c.dataElement, c.categoryOptionCombo, c.value, c.etag]));
    for (const [element, text] of Object.entries(shown)) assert.equal(await cellInput(officer, element).inputValue(), text, element);
    await world.screenshot(officer, 'form-workbook-refused');

    // A reviewer, who may not write the form, downloads it and has no upload.
    const reviewer = await world.page();
    await logIn(reviewer, world, 'district');
    await reviewer.goto(`${world.url}/#/forms/${ds}/${commune}/${pe}`);
    await cellInput(reviewer, 'crime.ttxh.cases').waitFor();
    assert.equal((await readForm(reviewer, pe)).may.write, false);
    assert.equal(await reviewer.getByRole('link', { name: 'Tải biểu Excel' }).count(), 1);
    assert.equal(await reviewer.getByTestId('workbook-file').count(), 0);
    await reviewer.context().close();
  } finally {
    await officer.context().close();
    rmSync(work, { recursive: true, force: true });
  }
});
