// DHIS2's analytics API as DHIS2's client library calls it (dimension=/filter= parameters,
// relative periods, USER_ORGUNIT, skipMeta, its error shape), checked against qpan's own
// explicit form GET /api/analytics?dx=&ou=&pe= as the oracle for the figures.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FetchError, rowsByKey, startWorld } from './world.mjs';

// Two count elements of the monthly commune report, summed; the Lai Châu demo has values
// for them from 2016-01 to 2022-06.
const A = 'crime.ttxh.cases';
const B = 'traffic.accidents';
const LAST_5_YEARS_AT_2019_06_30 = ['2014', '2015', '2016', '2017', '2018'];

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.stop();
});

// qpan's own answer for the elements, unit and periods, keyed 'dx|pe'.
async function oracle(dx, ou, pe) {
  const answer = await world.native(`/api/analytics?dx=${dx.join(',')}&ou=${ou}&pe=${pe.join(',')}`);
  return rowsByKey(answer, ['dx', 'pe']);
}

function relativeQuery(extra = {}) {
  return {
    a: {
      resource: 'analytics',
      params: { dimension: [`dx:${A};${B}`, 'pe:LAST_5_YEARS'], filter: 'ou:12', relativePeriodDate: '2019-06-30', ...extra },
    },
  };
}

test('the client sends dimension as one comma-joined parameter to /api/41/analytics', async () => {
  await world.engine.query(relativeQuery()).catch(() => {});
  const sent = world.lastRequest('/analytics?');
  assert.equal(sent.method, 'GET');
  assert.equal(sent.url,
    `${world.url}/api/41/analytics?dimension=dx%3A${A}%3B${B},pe%3ALAST_5_YEARS&filter=ou%3A12&relativePeriodDate=2019-06-30`);
  assert.match(sent.headers.authorization, /^ApiToken qpan_/);
  assert.equal(sent.headers.accept, 'application/json');
  assert.equal(sent.headers['x-requested-with'], 'XMLHttpRequest');
});

test('analytics with dimension=, filter= and LAST_5_YEARS answers in DHIS2 shape', async () => {
  const { a } = await world.engine.query(relativeQuery());
  assert.deepEqual(a.headers.map((h) => h.name), ['dx', 'pe', 'value'], 'dimension headers in request order, then value');
  for (const h of a.headers) {
    assert.equal(typeof h.name, 'string');
    assert.equal(typeof h.column, 'string');
    assert.equal(typeof h.valueType, 'string');
    assert.equal(typeof h.type, 'string');
    assert.equal(typeof h.hidden, 'boolean');
    assert.equal(typeof h.meta, 'boolean');
  }
  assert.equal(a.headers.at(-1).valueType, 'NUMBER');
  assert.equal(a.headers[0].meta, true);

  for (const key of ['dx', 'pe', 'ou', 'co']) assert.ok(key in a.metaData.dimensions, `metaData.dimensions.${key}`);
  assert.deepEqual(a.metaData.dimensions.dx, [A, B]);
  assert.deepEqual(a.metaData.dimensions.pe, LAST_5_YEARS_AT_2019_06_30, 'LAST_5_YEARS on 2019-06-30 is 2014–2018');
  assert.deepEqual(a.metaData.dimensions.ou, ['12'], 'the filter dimension is listed too');
  for (const id of [A, B, '12', ...LAST_5_YEARS_AT_2019_06_30]) {
    assert.equal(typeof a.metaData.items[id]?.name, 'string', `metaData.items["${id}"].name`);
  }

  assert.ok(a.rows.length > 0);
  for (const row of a.rows) {
    assert.equal(row.length, a.headers.length);
    for (const cell of row) assert.equal(typeof cell, 'string');
  }
  assert.equal(a.height, a.rows.length);
  assert.equal(a.width, a.headers.length);
});

test('the relative-period figures equal qpan\'s explicit-period answer', async () => {
  const { a } = await world.engine.query(relativeQuery());
  const expected = await oracle([A, B], '12', LAST_5_YEARS_AT_2019_06_30);
  assert.ok(Object.keys(expected).length >= 6, 'the oracle has the demo\'s 2016–2018 values');
  assert.deepEqual(rowsByKey(a, ['dx', 'pe']), expected);
});

test('ou:USER_ORGUNIT is the account\'s scope unit, 12', async () => {
  const { a } = await world.engine.query({
    a: { resource: 'analytics', params: { dimension: [`dx:${A}`, 'pe:2016;2017', 'ou:USER_ORGUNIT'] } },
  });
  assert.deepEqual(a.headers.map((h) => h.name), ['dx', 'pe', 'ou', 'value']);
  assert.deepEqual(a.metaData.dimensions.ou, ['12']);
  assert.ok(a.rows.every((row) => row[2] === '12'));
  assert.deepEqual(rowsByKey(a, ['dx', 'pe']), await oracle([A], '12', ['2016', '2017']));
});

test('pe:2016;2017 lists periods with ";" as DHIS2 does', async () => {
  const { a } = await world.engine.query({
    a: { resource: 'analytics', params: { dimension: [`dx:${A};${B}`, 'pe:2016;2017'], filter: 'ou:12' } },
  });
  assert.deepEqual(a.metaData.dimensions.pe, ['2016', '2017']);
  const expected = await oracle([A, B], '12', ['2016', '2017']);
  assert.equal(Object.keys(expected).length, 4);
  assert.deepEqual(rowsByKey(a, ['dx', 'pe']), expected);
});

test('skipMeta=true leaves out the metaData items but keeps the rows', async () => {
  const { a } = await world.engine.query(relativeQuery({ skipMeta: true }));
  assert.match(world.lastRequest('/analytics?').url, /&skipMeta=true$/);
  assert.equal(a.metaData?.items, undefined);
  assert.deepEqual(a.headers.map((h) => h.name), ['dx', 'pe', 'value']);
  assert.deepEqual(rowsByKey(a, ['dx', 'pe']), await oracle([A, B], '12', LAST_5_YEARS_AT_2019_06_30));
});

test('dimension as separate parameters answers as the comma-joined form', async () => {
  // DataEngine's params always join an array with ","; a hand-built URL through the same
  // link (its fetchData: headers, status handling, JSON) sends repeated parameters instead.
  const path = `api/41/analytics?dimension=${encodeURIComponent(`dx:${A};${B}`)}&dimension=pe:LAST_5_YEARS`
    + '&filter=ou:12&relativePeriodDate=2019-06-30';
  const separate = await world.engine.link.fetch(path, { method: 'GET' });
  assert.equal((world.lastRequest('dimension=pe').url.match(/dimension=/g) ?? []).length, 2);
  const joined = (await world.engine.query(relativeQuery())).a;
  assert.deepEqual(separate.headers.map((h) => h.name), ['dx', 'pe', 'value']);
  assert.deepEqual(separate.rows, joined.rows);
  assert.deepEqual(separate.metaData.dimensions, joined.metaData.dimensions);
});

test('an unknown element makes the client throw a FetchError with DHIS2\'s error shape', async () => {
  const error = await world.engine
    .query({ a: { resource: 'analytics', params: { dimension: ['dx:no.such.element', 'pe:2016'], filter: 'ou:12' } } })
    .then(() => null, (e) => e);
  assert.ok(error instanceof FetchError, `a FetchError, not ${error}`);
  const status = world.lastRequest('no.such.element').status;
  assert.equal(status, 409, 'DHIS2 answers an unknown item with 409 (its E7xxx errors)');
  const { details } = error;
  assert.equal(details.httpStatusCode, status);
  assert.equal(details.httpStatus, status === 409 ? 'Conflict' : 'Bad Request');
  assert.equal(details.status, 'ERROR');
  assert.equal(typeof details.message, 'string');
  assert.match(details.message, /no\.such\.element/);
  // A 409 is an 'access' error whose message is the server's; other 4xx are 'unknown'.
  if (status === 409) assert.equal(error.message, details.message);
});

test('HTTP Basic with the username and password works as the token does', async () => {
  const { a } = await world.withAuth(world.basicAuth, () => world.engine.query(relativeQuery()));
  assert.match(world.lastRequest('/analytics?').headers.authorization, /^Basic /);
  assert.deepEqual(rowsByKey(a, ['dx', 'pe']), await oracle([A, B], '12', LAST_5_YEARS_AT_2019_06_30));
});
