// Writing and reading values the way DHIS2's client library does: dataValueSets (envelope
// form, DHIS2's ImportSummary WebMessage, dryRun, importStrategy=DELETE, atomicMode=NONE and
// qpan's all-or-nothing default) and single dataValues (POST/DELETE with query parameters).
// Commune Tả Lèng (03400, Tam Đường, under 12) and its monthly security report, in 2023
// months the demo leaves empty and no one has approved or locked; one month per test.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { FetchError, startWorld } from './world.mjs';

const dataSet = 'ds.antt.commune.monthly';
const orgUnit = '03400';
const [CASES, SOLVED, ACCIDENTS] = ['crime.ttxh.cases', 'crime.ttxh.solved', 'traffic.accidents'];

let world;
before(async () => {
  world = await startWorld();
});
after(async () => {
  await world?.stop();
});

function post(period, dataValues, params) {
  return world.engine.mutate({ resource: 'dataValueSets', type: 'create', params, data: { dataSet, period, orgUnit, dataValues } });
}

// The period's values of the form as { element: value } (GET /api/41/dataValueSets).
async function readBack(period) {
  const { set } = await world.engine.query({ set: { resource: 'dataValueSets', params: { dataSet, period, orgUnit } } });
  const out = {};
  for (const v of set.dataValues ?? []) {
    assert.equal(v.period, period);
    assert.equal(v.orgUnit, orgUnit);
    out[v.dataElement] = String(v.value);
  }
  return out;
}

function assertSummary(answer, status, counts) {
  assert.equal(answer.httpStatus, 'OK');
  assert.equal(answer.httpStatusCode, 200);
  assert.equal(answer.status, 'OK');
  assert.equal(answer.response.responseType, 'ImportSummary');
  assert.equal(answer.response.status, status);
  assert.deepEqual(answer.response.importCount, { imported: 0, updated: 0, ignored: 0, deleted: 0, ...counts });
}

test('the client POSTs the set as JSON to /api/41/dataValueSets', async () => {
  await post('202301', [{ dataElement: CASES, value: '3' }]).catch(() => {});
  const sent = world.lastRequest('/dataValueSets');
  assert.equal(sent.method, 'POST');
  assert.equal(sent.url, `${world.url}/api/41/dataValueSets`);
  assert.equal(sent.headers['content-type'], 'application/json');
  assert.deepEqual(JSON.parse(sent.body), { dataSet, period: '202301', orgUnit, dataValues: [{ dataElement: CASES, value: '3' }] });
});

test('a data value set in envelope form is imported, answered with an ImportSummary and read back', async () => {
  const answer = await post('202302', [
    { dataElement: CASES, value: '4' },
    { dataElement: SOLVED, value: '2' },
    { dataElement: ACCIDENTS, value: '1' },
  ]);
  assert.equal(world.lastRequest('/dataValueSets').status, 200);
  assertSummary(answer, 'SUCCESS', { imported: 3 });
  assert.deepEqual(answer.response.conflicts, []);
  assert.deepEqual(await readBack('202302'), { [CASES]: '4', [SOLVED]: '2', [ACCIDENTS]: '1' });
  assert.equal(world.lastRequest('/dataValueSets?').url,
    `${world.url}/api/41/dataValueSets?dataSet=${dataSet}&period=202302&orgUnit=${orgUnit}`);
});

test('dryRun counts the update but writes nothing', async () => {
  assertSummary(await post('202303', [{ dataElement: CASES, value: '5' }]), 'SUCCESS', { imported: 1 });
  const dry = await post('202303', [{ dataElement: CASES, value: '6' }], { dryRun: true });
  assert.match(world.lastRequest('/dataValueSets').url, /\/api\/41\/dataValueSets\?dryRun=true$/);
  assertSummary(dry, 'SUCCESS', { updated: 1 });
  assert.deepEqual(await readBack('202303'), { [CASES]: '5' });
});

test('importStrategy=DELETE deletes the listed values', async () => {
  const values = [{ dataElement: CASES, value: '7' }, { dataElement: ACCIDENTS, value: '2' }];
  assertSummary(await post('202304', values), 'SUCCESS', { imported: 2 });
  assert.equal(Object.keys(await readBack('202304')).length, 2);
  const deleted = await post('202304', values, { importStrategy: 'DELETE' });
  assertSummary(deleted, 'SUCCESS', { deleted: 2 });
  assert.deepEqual(await readBack('202304'), {});
});

const batchWithBadRow = [
  { dataElement: CASES, value: '8' },
  { dataElement: 'no.such.element', value: '1' },
  { dataElement: ACCIDENTS, value: '3' },
];

test('atomicMode=NONE imports the good rows and lists the bad one as a conflict', async () => {
  const answer = await post('202305', batchWithBadRow, { atomicMode: 'NONE' });
  assert.equal(world.lastRequest('/dataValueSets').status, 200);
  assert.equal(answer.httpStatusCode, 200);
  assert.equal(answer.response.status, 'WARNING');
  assert.equal(answer.response.importCount.imported, 2);
  assert.equal(answer.response.importCount.ignored, 1);
  assert.equal(answer.response.conflicts.length, 1);
  const [conflict] = answer.response.conflicts;
  assert.equal(conflict.object, 'no.such.element');
  assert.equal(typeof conflict.value, 'string');
  assert.equal(typeof conflict.errorCode, 'string');
  if ('property' in conflict) assert.equal(conflict.property, 'dataElement');
  assert.deepEqual(conflict.indexes, [1]);
  assert.deepEqual(await readBack('202305'), { [CASES]: '8', [ACCIDENTS]: '3' });
});

test('by default (all or nothing) a bad row refuses the batch: FetchError 400, nothing written', async () => {
  const error = await post('202306', batchWithBadRow).then(() => null, (e) => e);
  assert.ok(error instanceof FetchError, `a FetchError, not ${error}`);
  // qpan refuses an invalid batch as a bad request (DHIS2 says 409); the client files it as
  // an error all the same, with the parsed answer as details.
  assert.equal(world.lastRequest('/dataValueSets').status, 400);
  assert.equal(error.type, 'unknown');
  const { details } = error;
  assert.equal(details.httpStatus, 'Bad Request');
  assert.equal(details.httpStatusCode, 400);
  assert.equal(details.status, 'ERROR');
  assert.equal(details.response.status, 'ERROR');
  assert.equal(details.response.importCount.imported, 0);
  assert.equal(details.response.conflicts.length, 1);
  assert.deepEqual(details.response.conflicts[0].indexes, [1]);
  assert.deepEqual(await readBack('202306'), {});
});

test('a single value: POST dataValues with query parameters, then DELETE', async () => {
  const key = { de: CASES, pe: '202307', ou: orgUnit };
  await world.engine.mutate({ resource: 'dataValues', type: 'create', params: { ...key, value: '9' } });
  const created = world.lastRequest('/dataValues?');
  assert.equal(created.method, 'POST');
  assert.equal(created.url, `${world.url}/api/41/dataValues?de=${CASES}&pe=202307&ou=${orgUnit}&value=9`);
  assert.equal(created.body, undefined, 'no body: everything is in the query');
  assert.ok([200, 201, 204].includes(created.status), `created: ${created.status}`);
  assert.deepEqual(await readBack('202307'), { [CASES]: '9' });

  await world.engine.mutate({ resource: 'dataValues', type: 'delete', params: key });
  const deleted = world.lastRequest('/dataValues?');
  assert.equal(deleted.method, 'DELETE');
  assert.equal(deleted.url, `${world.url}/api/41/dataValues?de=${CASES}&pe=202307&ou=${orgUnit}`);
  assert.equal(deleted.status, 204);
  assert.deepEqual(await readBack('202307'), {});
});
