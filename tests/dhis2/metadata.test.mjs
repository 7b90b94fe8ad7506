// DHIS2's system, account and metadata resources as DHIS2's client library reads them:
// system/info, me, the organisationUnits / dataElements / indicators / dataSets lists
// (filter=, fields=, paging=false; qpan's codes stand in as ids) and periodTypes.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { account, DataEngine, RestAPILink, startWorld } from './world.mjs';

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.stop();
});

async function read(resource, params) {
  return (await world.engine.query({ r: { resource, params } })).r;
}

test('system/info has a DHIS2 version string and the server date', async () => {
  const info = await read('system/info');
  assert.equal(world.lastRequest('/system/info').url, `${world.url}/api/41/system/info`);
  assert.equal(typeof info.version, 'string');
  assert.match(info.version, /^2\.\d+(\.\d+)?/);
  assert.equal(typeof info.serverDate, 'string');
  assert.ok(!Number.isNaN(Date.parse(info.serverDate)), `serverDate ${info.serverDate} is a date`);
});

test('me is the account: id, username, name, its org unit and authorities', async () => {
  const me = await read('me');
  assert.equal(world.lastRequest('/me').url, `${world.url}/api/41/me`);
  assert.equal(typeof me.id, 'string');
  assert.equal(me.username, account.username);
  assert.equal(me.name, account.name);
  assert.deepEqual(me.organisationUnits.map((u) => u.id), ['12']);
  assert.ok(Array.isArray(me.authorities));
  assert.ok(me.authorities.every((a) => typeof a === 'string'));
});

test('the library\'s own apiToken setting authenticates as well', async () => {
  const engine = new DataEngine(new RestAPILink({ baseUrl: world.url, apiVersion: 41, apiToken: world.token }));
  const { me } = await world.withAuth(null, () => engine.query({ me: { resource: 'me' } }));
  assert.equal(world.lastRequest('/me').headers.authorization, `ApiToken ${world.token}`);
  assert.equal(me.username, account.username);
});

test('organisationUnits: filter by id, then every unit of that level', async () => {
  const one = await read('organisationUnits', { filter: 'id:eq:12', fields: 'id,name,level', paging: false });
  assert.equal(world.lastRequest('/organisationUnits?').url,
    `${world.url}/api/41/organisationUnits?filter=id%3Aeq%3A12&fields=id%2Cname%2Clevel&paging=false`);
  assert.equal(one.organisationUnits.length, 1);
  const [province] = one.organisationUnits;
  assert.equal(province.id, '12');
  assert.equal(province.name, 'Tỉnh Lai Châu');
  assert.equal(typeof province.level, 'number');

  assert.equal(province.level, 1, "qpan's levels: 1 province, 2 district, 3 commune");

  // The communes of today (no districts since July 2025), only those within the account's scope.
  const communes = await read('organisationUnits', { filter: 'level:eq:3', fields: 'id,name,level,path', paging: false });
  assert.ok(communes.organisationUnits.length > 1, 'more than one commune');
  assert.ok(communes.organisationUnits.every((u) => u.level === 3 && typeof u.name === 'string'));
  assert.ok(communes.organisationUnits.every((u) => u.path.startsWith('/12/')), 'every one within Lai Châu');
});

test('organisationUnits: a filter array is sent as repeated filter= and AND-ed', async () => {
  const one = await read('organisationUnits', { filter: ['level:eq:1', 'id:eq:12'], fields: 'id,displayName', paging: false });
  assert.match(world.lastRequest('/organisationUnits?').url, /\?filter=level%3Aeq%3A1&filter=id%3Aeq%3A12&/);
  assert.deepEqual(one.organisationUnits.map((u) => u.id), ['12'], 'Lai Châu is a level-1 unit');
  assert.equal(one.organisationUnits[0].displayName, 'Tỉnh Lai Châu');
  const none = await read('organisationUnits', { filter: ['level:eq:3', 'id:eq:12'], paging: false });
  assert.deepEqual(none.organisationUnits, [], 'both filters must hold');
});

test('dataElements lists the pack\'s elements with displayName', async () => {
  const list = await read('dataElements', { fields: 'id,displayName,valueType', paging: false });
  assert.ok(Array.isArray(list.dataElements));
  const cases = list.dataElements.find((e) => e.id === 'crime.ttxh.cases');
  assert.ok(cases, 'crime.ttxh.cases is listed');
  assert.equal(typeof cases.displayName, 'string');
  assert.ok(cases.displayName.length > 0);
  assert.ok(list.dataElements.length >= 100, `the pack has 108 elements, listed ${list.dataElements.length}`);
});

test('indicators lists the pack\'s indicators with displayName', async () => {
  const list = await read('indicators', { fields: 'id,displayName', paging: false });
  assert.ok(Array.isArray(list.indicators));
  const rate = list.indicators.find((i) => i.id === 'crime.ttxh.solve_rate');
  assert.ok(rate, 'crime.ttxh.solve_rate is listed');
  assert.equal(typeof rate.displayName, 'string');
  assert.ok(list.indicators.every((i) => typeof i.id === 'string' && typeof i.displayName === 'string'));
});

test('dataSets lists the forms with DHIS2 period type names', async () => {
  const list = await read('dataSets', { fields: 'id,displayName,periodType', paging: false });
  assert.ok(Array.isArray(list.dataSets));
  const monthly = list.dataSets.find((d) => d.id === 'ds.antt.commune.monthly');
  assert.ok(monthly, 'ds.antt.commune.monthly is listed');
  assert.equal(typeof monthly.displayName, 'string');
  assert.equal(monthly.periodType, 'Monthly');
  assert.equal(list.dataSets.find((d) => d.id === 'ds.antt.commune.yearly')?.periodType, 'Yearly');
});

test('a paged list, when it has a pager, counts at least what it holds', async () => {
  const list = await read('dataElements', { fields: 'id,displayName', pageSize: 10 });
  assert.ok(Array.isArray(list.dataElements));
  assert.ok(list.dataElements.length > 0 && list.dataElements.length <= 10, `at most pageSize, got ${list.dataElements.length}`);
  if (list.pager) {
    assert.equal(list.pager.page, 1);
    assert.ok(list.pager.total >= list.dataElements.length);
  }
});

test('periodTypes names DHIS2\'s period types', async () => {
  const { periodTypes } = await read('periodTypes');
  assert.ok(Array.isArray(periodTypes));
  const names = periodTypes.map((p) => p.name);
  for (const name of ['Monthly', 'Quarterly', 'SixMonthly', 'Yearly']) assert.ok(names.includes(name), `${name} in ${names}`);
});
