// The browser tests' world: a fresh demo database made by the real `qpan` binary, accounts
// with known passwords added the way scripts/run-demo.sh adds them, `qpan serve` on a free
// port serving web/dist, and headless Chromium (Debian's) driven by playwright-core.
//
// Environment: QPAN_BIN (the qpan binary, required; CTest passes the test build's),
// QPAN_SOURCE (the source folder, default the one holding web/), QPAN_ARTIFACTS (where
// screenshots go, default a temporary folder), CHROMIUM (default /usr/bin/chromium).
import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));

export const source = resolve(process.env.QPAN_SOURCE ?? join(here, '..', '..', '..'));
export const artifacts = resolve(process.env.QPAN_ARTIFACTS ?? mkdtempSync(join(tmpdir(), 'qpan-web-artifacts-')));
const qpanBinary = process.env.QPAN_BIN;

// A sanitizer report must fail the test, not pass for a user error.
const childEnv = {
  ...process.env,
  ASAN_OPTIONS: `${process.env.ASAN_OPTIONS ? `${process.env.ASAN_OPTIONS}:` : ''}exitcode=86`,
  UBSAN_OPTIONS: `${process.env.UBSAN_OPTIONS ? `${process.env.UBSAN_OPTIONS}:` : ''}exitcode=86:print_stacktrace=1`,
  LC_ALL: 'C.UTF-8',
};
const sanitizerReport = /ERROR: (Address|Leak|Memory|Thread)Sanitizer|runtime error:/;

// One account per role, as in scripts/run-demo.sh (scopes resolved on 1 Jan 2020).
export const accounts = {
  province: { username: 'tinh.laichau', role: 'province_admin', scope: '12', name: 'Quản trị Công an tỉnh Lai Châu' },
  district: { username: 'huyen.tamduong', role: 'district_reviewer', scope: '106', name: 'Cán bộ duyệt huyện Tam Đường' },
  commune: { username: 'xa.taleng', role: 'commune_entry', scope: '03400', name: 'Công an xã Tả Lèng' },
  viewer: { username: 'xem.laocai', role: 'viewer', scope: '10', name: 'Lãnh đạo xem số liệu Lào Cai' },
};

// Runs qpan with ARGS (and `input` on stdin); its stdout, or a failure naming the command.
export async function qpan(args, input) {
  if (!qpanBinary) throw new Error('QPAN_BIN must name the qpan binary');
  const child = execFile(qpanBinary, args, { env: childEnv, maxBuffer: 64 << 20 });
  if (input !== undefined) child.stdin.end(input);
  else child.stdin.end();
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => (stderr += d));
  const code = await new Promise((done) => child.on('close', done));
  if (code !== 0 || sanitizerReport.test(stderr)) {
    throw new Error(`qpan ${args.join(' ')} exited ${code}:\n${stderr.slice(0, 4000)}`);
  }
  return stdout;
}

// Builds the demo database and its accounts, starts the server on a free port and a
// browser. `stop()` ends both and fails if the server reported a sanitizer error.
export async function startWorld() {
  const work = mkdtempSync(join(tmpdir(), 'qpan-web-'));
  const db = join(work, 'qpan.db');
  mkdirSync(artifacts, { recursive: true });
  await qpan(['demo', '--db', db, '--manifest', join(source, 'demo', 'demo.json')]);
  const passwords = {};
  for (const [key, a] of Object.entries(accounts)) {
    const password = randomBytes(18).toString('base64url');
    passwords[key] = password;
    await qpan(['users', 'add', '--db', db, a.username, '--role', a.role, '--scope', a.scope,
      '--scope-at', '2020-01-01', '--name', a.name], `${password}\n${password}\n`);
  }

  const server = spawn(qpanBinary, ['serve', '--db', db, '--listen', '127.0.0.1:0', '--threads', '2',
    '--static', join(source, 'web', 'dist')], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let serverErr = '';
  server.stderr.on('data', (d) => (serverErr += d));
  const url = await new Promise((found, failed) => {
    let out = '';
    server.stdout.on('data', (d) => {
      out += d;
      const m = /on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
      if (m) found(m[1]);
    });
    server.on('exit', (code) => failed(new Error(`qpan serve exited ${code} before listening:\n${serverErr.slice(-4000)}`)));
  });

  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium' });

  return {
    db,
    url,
    passwords,
    browser,
    // A fresh browser context (its own cookies and storage) at the given width.
    async page(width = 1280, height = 900) {
      const context = await browser.newContext({ viewport: { width, height }, locale: 'vi-VN', acceptDownloads: true });
      return context.newPage();
    },
    async screenshot(page, name) {
      await page.screenshot({ path: join(artifacts, `${name}.png`), fullPage: true });
    },
    async stop() {
      await browser.close();
      const exited = new Promise((done) => server.on('exit', (code) => done(code)));
      server.kill('SIGTERM');
      const code = await exited;
      rmSync(work, { recursive: true, force: true });
      if (sanitizerReport.test(serverErr)) throw new Error(`qpan serve: sanitizer report:\n${serverErr.slice(-4000)}`);
      if (code !== 0) throw new Error(`qpan serve exited ${code}`);
    },
  };
}

// Logs in through the login screen with the keyboard only: username, Tab, password, Enter.
export async function logIn(page, world, key) {
  await page.goto(`${world.url}/#/`);
  const username = page.getByLabel('Tên đăng nhập');
  await username.fill('');
  await page.getByLabel('Mật khẩu').fill('');
  await username.focus();
  await page.keyboard.type(accounts[key].username);
  await page.keyboard.press('Tab');
  await page.keyboard.type(world.passwords[key]);
  await page.keyboard.press('Enter');
  await page.getByTestId('role').waitFor();
}

// A data entry cell's value input and its saved/saving/waiting state, by data element.
export function cellInput(page, element) {
  return page.getByTestId(`cell-${element}`).locator('input.value');
}

export function cellState(page, element) {
  return page.getByTestId(`cell-${element}`).getByTestId('cell-state');
}
