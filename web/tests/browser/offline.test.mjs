// Data entry without a connection, in real Chromium against the real server: the service
// worker controls the page and keeps the form; the browser context goes offline; the
// commune officer types three values, which wait (3 in the header, "chờ gửi" in each cell)
// and survive a reload of the form served from the worker's cache; meanwhile the province
// changes one of the three cells; back online, two reach the server and the third comes
// back as a conflict showing the other person's value, never overwritten, until the
// officer chooses.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { accounts, cellInput, cellState, logIn, readForm as readFormOf, startWorld } from './harness.mjs';

let world;

before(async () => {
  world = await startWorld();
});

after(async () => {
  await world?.stop();
});

const ds = 'ds.antt.commune.monthly';
const commune = accounts.commune.scope; // Tả Lèng
const pe = '202006'; // a month no other browser test writes
// The form's address, as the worker keeps it.
const formPath = `/api/forms/${ds}?ou=${commune}&pe=${pe}`;
const readForm = (page) => readFormOf(page, ds, commune, pe);

test('values typed offline wait, are sent when the link returns, and a value changed meanwhile is a conflict', async () => {
  const officer = await world.page();
  const context = officer.context();
  await logIn(officer, world, 'commune');
  const before = await readForm(officer);
  assert.ok(before.may.write, 'the officer may write the form');
  assert.ok(['draft', 'returned'].includes(before.approval.state), `the form is open (${before.approval.state})`);
  // Three plain cells (no disaggregation) that hold a value, so that only the right ETag
  // lets a write through, and a new value for each.
  const chosen = before.cells.filter((c) => c.categoryOptionCombo === '' && c.valueType === 'count' && c.value !== null).slice(0, 3);
  assert.equal(chosen.length, 3);
  const typed = chosen.map((c, k) => ({ element: c.dataElement, value: String(Number(c.value) + 11 + k), etag: c.etag }));
  assert.ok(typed.every((t) => t.etag), 'each cell has an ETag');

  await officer.goto(`${world.url}/#/forms/${ds}/${commune}/${pe}`);
  await cellInput(officer, typed[0].element).waitFor();
  // The worker controls the page and holds the form, the session's user and the worklist
  // (all fetched before it took control).
  await officer.waitForFunction(() => navigator.serviceWorker.controller !== null);
  await officer.waitForFunction(async (paths) => (await Promise.all(paths.map((p) => caches.match(p)))).every(Boolean),
    [formPath, '/api/me', '/api/worklist'], { polling: 200 });
  const keptMe = await officer.evaluate(async () => (await caches.match('/api/me')).json());
  assert.equal(keptMe.user.username, accounts.commune.username);
  assert.equal(keptMe.csrfToken, undefined, 'the CSRF token is not kept');

  await context.setOffline(true);
  assert.equal(await officer.evaluate(() => navigator.onLine), false);
  await officer.getByRole('status').filter({ hasText: 'Mất kết nối' }).waitFor();
  for (const { element, value } of typed) {
    await cellInput(officer, element).focus();
    await officer.keyboard.type(value);
    await officer.keyboard.press('Tab');
    await cellState(officer, element).filter({ hasText: 'chờ gửi' }).waitFor();
  }
  const waiting = officer.getByTestId('waiting-count');
  await waiting.filter({ hasText: '3 giá trị chờ gửi' }).waitFor();
  assert.equal(await waiting.locator('xpath=..').getAttribute('aria-live'), 'polite');
  // Nothing reached the server: the province, online in its own context, reads the old values.
  const province = await world.page();
  await logIn(province, world, 'province');
  const meanwhile = await readForm(province);
  for (const { element } of typed) {
    assert.equal(meanwhile.cells.find((c) => c.dataElement === element).value, before.cells.find((c) => c.dataElement === element).value);
  }

  // Still offline, the form's address opens again from the worker's cache, with the
  // waiting values in their cells.
  await officer.reload();
  for (const { element, value } of typed) {
    assert.equal(await cellInput(officer, element).inputValue(), value);
    await cellState(officer, element).filter({ hasText: 'chờ gửi' }).waitFor();
  }
  await waiting.filter({ hasText: '3 giá trị chờ gửi' }).waitFor();
  assert.equal(await officer.evaluate(() => navigator.onLine), false, 'the reload was offline');
  await world.screenshot(officer, 'form-offline');

  // Meanwhile the province changes the third cell on the server.
  const conflicted = typed[2];
  const theirs = await province.evaluate(async ([o, p, element, value]) => {
    const { csrfToken } = await (await fetch('/api/me')).json();
    const read = await fetch(`/api/dataValues?de=${element}&pe=${p}&ou=${o}`);
    const headers = { 'Content-Type': 'application/json', 'X-CSRF-Token': csrfToken };
    if (read.ok) headers['If-Match'] = read.headers.get('ETag');
    const response = await fetch('/api/dataValues', {
      method: 'PUT', headers, body: JSON.stringify({ dataElement: element, period: p, orgUnit: o, value }),
    });
    return { status: response.status, value };
  }, [commune, pe, conflicted.element, String(Number(conflicted.value) + 40)]);
  assert.equal(theirs.status, 200);

  // The link returns: the queue goes out, each value against the ETag it was typed over.
  const writes = [];
  officer.on('request', (r) => {
    if (r.method() === 'PUT' && r.url().endsWith('/api/dataValues')) {
      writes.push(r.allHeaders().then((h) => ({ element: JSON.parse(r.postData()).dataElement, ifMatch: h['if-match'] })));
    }
  });
  await context.setOffline(false);
  for (const { element } of typed.slice(0, 2)) await cellState(officer, element).filter({ hasText: 'đã lưu' }).waitFor();
  const conflict = officer.getByTestId(`cell-${conflicted.element}`).getByTestId('conflict');
  await conflict.waitFor();
  assert.ok((await conflict.textContent()).includes(`${accounts.province.username} đã sửa thành ${theirs.value}`), await conflict.textContent());
  await waiting.filter({ hasText: '1 giá trị chờ gửi' }).waitFor();
  const sent = await readForm(officer);
  const valueOf = (form, element) => form.cells.find((c) => c.dataElement === element).value;
  for (const { element, value } of typed.slice(0, 2)) assert.equal(valueOf(sent, element), value);
  assert.equal(valueOf(sent, conflicted.element), theirs.value, 'the other person’s value is not overwritten');
  assert.deepEqual(await Promise.all(writes), typed.map(({ element, etag }) => ({ element, ifMatch: etag })), 'one write per value, in typing order, against its ETag');
  await world.screenshot(officer, 'form-offline-conflict');

  // The officer keeps the value typed offline: written over their value, nothing waits.
  await conflict.getByRole('button', { name: `Giữ giá trị của tôi (${conflicted.value})` }).click();
  await cellState(officer, conflicted.element).filter({ hasText: 'đã lưu' }).waitFor();
  await waiting.waitFor({ state: 'detached' });
  assert.equal(valueOf(await readForm(officer), conflicted.element), conflicted.value);
  // Nothing is left in the queue (the browser's IndexedDB) for a later page either.
  const left = await officer.evaluate(() => new Promise((resolve, reject) => {
    const open = indexedDB.open('qpan-offline');
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const count = open.result.transaction('values').objectStore('values').count();
      count.onsuccess = () => resolve(count.result);
      count.onerror = () => reject(count.error);
    };
  }));
  assert.equal(left, 0);
  await context.close();
  await province.context().close();
});

test('a save that gets no answer while the browser believes it is online waits, and goes out on a later try', async () => {
  const officer = await world.page();
  await logIn(officer, world, 'commune');
  const month = '202007';
  const path = `/api/forms/${ds}?ou=${commune}&pe=${month}`;
  const before = await officer.evaluate(async (p) => (await fetch(p)).json(), path);
  assert.ok(before.may.write, 'the officer may write the form');
  const cell = before.cells.find((c) => c.categoryOptionCombo === '' && c.valueType === 'count');
  const value = String(Number(cell.value ?? 0) + 21);
  await officer.goto(`${world.url}/#/forms/${ds}/${commune}/${month}`);
  // The server's link drops for writes only: fetch rejects, navigator.onLine stays true.
  const dropWrites = (route) => route.abort('internetdisconnected');
  await officer.route('**/api/dataValues', dropWrites);
  await cellInput(officer, cell.dataElement).focus();
  await officer.keyboard.type(value);
  await officer.keyboard.press('Tab');
  await cellState(officer, cell.dataElement).filter({ hasText: 'chờ gửi' }).waitFor();
  const waiting = officer.getByTestId('waiting-count');
  await waiting.filter({ hasText: '1 giá trị chờ gửi' }).waitFor();
  assert.equal(await officer.evaluate(() => navigator.onLine), true);
  const valueOf = async () => (await officer.evaluate(async (p) => (await fetch(p)).json(), path))
    .cells.find((c) => c.dataElement === cell.dataElement).value;
  assert.equal(await valueOf(), cell.value);
  // The link comes back without an `online` event: the next periodic try sends it.
  await officer.unroute('**/api/dataValues', dropWrites);
  await cellState(officer, cell.dataElement).filter({ hasText: 'đã lưu' }).waitFor({ timeout: 30_000 });
  await waiting.waitFor({ state: 'detached' });
  assert.equal(await valueOf(), value);
  await officer.context().close();
});
