// The DHIS2 client tests' world: a fresh demo database made by the real `qpan` binary (or a
// copy of the one CTest made for this run), a province account (scope 12, Lai Châu) with a
// password and an API token, `qpan serve` on a free port, and DHIS2's own client,
// @dhis2/data-engine (DataEngine + RestAPILink, the library DHIS2's apps use), pointed at it
// with apiVersion 41. Every request the library sends goes through a logging wrapper of
// globalThis.fetch, which adds the credentials (`Authorization: ApiToken <token>` by default)
// and records method, URL, headers and status.
//
// Environment: QPAN_BIN (the qpan binary, required), QPAN_SOURCE (the source folder, default
// the one holding tests/), QPAN_DEMO_DB (optional, the demo database to copy instead of
// building one: CTest's fixture), QPAN_DHIS2_LOG (optional file the request log is appended
// to, one JSON line per request, the token and password masked).
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeDemoDatabase, qpan, startServer } from '../support/qpan_process.mjs';

// The package's ES build imports without file extensions, which Node's ESM loader refuses;
// its CommonJS build is the same code.
const require = createRequire(import.meta.url);
export const { DataEngine, RestAPILink, FetchError } = require('@dhis2/data-engine');

const here = dirname(fileURLToPath(import.meta.url));
export const source = resolve(process.env.QPAN_SOURCE ?? join(here, '..', '..'));

export const account = { username: 'tinh.laichau', role: 'province_admin', scope: '12', name: 'Quản trị Công an tỉnh Lai Châu' };

// Which credentials the fetch wrapper puts on the requests made inside `withAuth(...)`:
// a full Authorization value, or null to leave what the library itself set.
const authContext = new AsyncLocalStorage();

// Builds the demo database and the account, starts the server, wraps fetch and makes the
// engine. `stop()` ends the server and fails if it reported a sanitizer error.
export async function startWorld() {
  const work = mkdtempSync(join(tmpdir(), 'qpan-dhis2-'));
  const db = join(work, 'qpan.db');
  await makeDemoDatabase(db, join(source, 'demo', 'demo.json'));
  const password = randomBytes(18).toString('base64url');
  await qpan(['users', 'add', '--db', db, account.username, '--role', account.role, '--scope', account.scope,
    '--scope-at', '2020-01-01', '--name', account.name], `${password}\n${password}\n`);
  const token = (await qpan(['users', 'token', '--db', db, account.username, '--name', 'dhis2-client-tests'])).trim();
  if (!token) throw new Error('qpan users token printed no token');

  const server = await startServer(db);
  const { url } = server;

  const tokenAuth = `ApiToken ${token}`;
  const basicAuth = `Basic ${Buffer.from(`${account.username}:${password}`).toString('base64')}`;
  const mask = (text) => text.replaceAll(token, '<token>').replaceAll(basicAuth.slice(6), '<user:password base64>');

  // Every request the library makes, as sent and as answered.
  const requests = [];
  const realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    const auth = authContext.getStore();
    if (auth !== null) headers.set('Authorization', auth ?? tokenAuth);
    const entry = {
      method: init.method ?? 'GET',
      url: String(input),
      headers: Object.fromEntries(headers),
      body: typeof init.body === 'string' ? init.body : init.body === undefined ? undefined : `<${init.body.constructor.name}>`,
    };
    requests.push(entry);
    const response = await realFetch(input, { ...init, headers });
    entry.status = response.status;
    entry.contentType = response.headers.get('content-type');
    return response;
  };

  const engine = new DataEngine(new RestAPILink({ baseUrl: url, apiVersion: 41 }));

  return {
    url,
    token,
    engine,
    requests,
    basicAuth,
    // The last request the library sent whose URL contains `part`.
    lastRequest(part) {
      return requests.findLast((r) => r.url.includes(part));
    },
    // Runs fn with these credentials on its requests (null: the library's own header).
    withAuth(authorization, fn) {
      return authContext.run(authorization, fn);
    },
    // qpan's own API (the oracle), outside the client library, with the token.
    async native(path) {
      const response = await realFetch(`${url}${path}`, { headers: { Authorization: tokenAuth } });
      if (!response.ok) throw new Error(`GET ${path}: ${response.status} ${await response.text()}`);
      return response.json();
    },
    async stop() {
      globalThis.fetch = realFetch;
      if (process.env.QPAN_DHIS2_LOG) {
        appendFileSync(process.env.QPAN_DHIS2_LOG, requests.map((r) => `${mask(JSON.stringify(r))}\n`).join(''));
      }
      try {
        await server.stop();
      } finally {
        rmSync(work, { recursive: true, force: true });
      }
    },
  };
}

// The rows of an analytics answer as { 'dx|pe|ou': Number(value) } by the header names.
export function rowsByKey(answer, names) {
  const index = Object.fromEntries(answer.headers.map((h, i) => [h.name, i]));
  const out = {};
  for (const row of answer.rows) {
    out[names.map((n) => row[index[n]]).join('|')] = Number(row[index.value]);
  }
  return out;
}
